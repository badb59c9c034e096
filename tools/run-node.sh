#!/usr/bin/env bash
# Sets everything up and runs one node in the foreground on 127.0.0.1:7420, its data in
# ./rooms-data. Extra arguments go to roomsd (see build/bin/roomsd --help).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake -S . -B build
cmake --build build -j2 --target roomsd rooms-cli
mkdir -p ./rooms-data
exec build/bin/roomsd --host 127.0.0.1 --port 7420 --data-dir ./rooms-data "$@"
