#!/usr/bin/env bash
# The soak run (not part of ctest): builds roomsd if needed, then runs soak.py against it.
# Usage: tests/soak/soak.sh [--minutes N (default 5)] [--kill-every S (default 30; 0: never)]
#        [--max-rss-mib M] [--seed S]
#        [--build DIR (default build)]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ ! -x "$build/bin/roomsd" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"$(nproc)" --target roomsd
fi
exec /usr/bin/python3 tests/soak/soak.py --roomsd "$build/bin/roomsd" "${args[@]}"
