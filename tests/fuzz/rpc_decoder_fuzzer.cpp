// libFuzzer target: untrusted bytes from a backend through rpc_decoder and parse_command
// (docs/protocol.md). Besides "no crash, no leak, no UB" it checks that the
// outcome does not depend on how the bytes were split into reads, and that a fatal error is final.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/command_parser.hpp"
#include "protocol/msgpack_json.hpp"
#include "protocol/rpc_decoder.hpp"
#include "protocol/value_msgpack.hpp"

namespace {

// Small limits, so that the fuzzer reaches the size and depth refusals with short inputs.
rooms::limits fuzz_limits() {
  rooms::limits lims;
  lims.max_message_bytes = 512;
  lims.max_depth = 6;
  return lims;
}

void check(bool condition) {
  if (!condition) std::abort();
}

// One decode outcome as text, including what parse_command makes of a request.
std::string describe(const rooms::decode_result& outcome) {
  using namespace rooms;
  if (std::holds_alternative<need_more>(outcome)) return "need_more";
  if (std::holds_alternative<ignored_message>(outcome)) return "ignored";
  if (auto* e = std::get_if<fatal_error>(&outcome))
    return "fatal " + std::string{to_string(e->error.code)} + " " + e->error.message;
  if (auto* e = std::get_if<stream_error>(&outcome))
    return "stream " + std::string{to_string(e->error.code)} + " " + e->error.message;
  if (auto* e = std::get_if<request_error>(&outcome))
    return "request " + std::to_string(e->msgid) + " " + std::string{to_string(e->error.code)};
  const auto& request = std::get<decoded_request>(outcome);
  check(request.params.is_map());
  auto parsed = parse_command(request.method, request.params);
  std::string text = "call " + std::to_string(request.msgid) + " " + request.method + " " +
                     rooms::to_msgpack_bytes(request.params);
  return text + (parsed ? " ok" : " " + std::string{to_string(parsed.error().code)});
}

// Decodes until the decoder wants more bytes or has failed for good.
void drain(rooms::rpc_decoder& decoder, std::vector<std::string>& out) {
  for (;;) {
    rooms::decode_result outcome = decoder.next();
    if (std::holds_alternative<rooms::need_more>(outcome)) return;
    out.push_back(describe(outcome));
    if (std::holds_alternative<rooms::fatal_error>(outcome)) {
      // Final: asking again, or feeding more, gives the same error.
      decoder.feed("\x90");
      check(describe(decoder.next()) == out.back());
      return;
    }
  }
}

std::vector<std::string> decode_whole(std::string_view bytes) {
  rooms::rpc_decoder decoder{fuzz_limits()};
  std::vector<std::string> out;
  decoder.feed(bytes);
  drain(decoder, out);
  return out;
}

// Feeds the bytes in pieces of 1 to 16 bytes whose sizes come from `seed`.
std::vector<std::string> decode_split(std::string_view bytes, std::uint8_t seed) {
  rooms::rpc_decoder decoder{fuzz_limits()};
  std::vector<std::string> out;
  std::uint32_t state = seed | 1u;
  while (!bytes.empty() && (out.empty() || out.back().rfind("fatal", 0) != 0)) {
    state = state * 1103515245u + 12345u;
    const std::size_t piece = std::min<std::size_t>(bytes.size(), 1 + (state >> 16) % 16);
    decoder.feed(bytes.substr(0, piece));
    bytes.remove_prefix(piece);
    drain(decoder, out);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte chooses how the rest is split into reads.
  const std::string_view bytes{reinterpret_cast<const char*>(data) + 1, size - 1};
  check(decode_whole(bytes) == decode_split(bytes, data[0]));
  return 0;
}
