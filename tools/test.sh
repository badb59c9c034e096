#!/usr/bin/env bash
# Sets everything up and runs every test: installs missing packages, configures, builds and
# runs ctest. Usage: tools/test.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true

tools/install-deps.sh
cmake -S . -B "$build_dir" "$@"
cmake --build "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 -j2
