// jemalloc's defaults for roomsd, read by jemalloc at its start (linked only with jemalloc; see
// CMakeLists.txt). Background threads purge freed pages while the node is idle: without them
// jemalloc returns memory only when the thread that freed it allocates again, so the memory of
// rooms that hibernated or parked stayed in the node's RSS (docs/benchmarks.md, memory per
// idle room). MALLOC_CONF in the environment still overrides these.
#include <jemalloc/jemalloc.h>

extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:5000,muzzy_decay_ms:5000";
}
