#!/usr/bin/env bash
# Installs the Debian packages Rooms needs to build, test and run, when any is missing.
# Runs as root on Debian bookworm (apt-get update, then apt-get install -y).
# clang and its runtime build the fuzz targets; redis-server, hiredis and gnuplot serve the
# benchmarks (bench/compare runs Redis beside Rooms and plots the results). libssl-dev and openssl:
# TLS (protocol/tls/) and tools/make-certs.sh.
set -euo pipefail

packages=(
  cmake g++ make
  libcaf-dev libmsgpack-cxx-dev libfmt-dev libboost-test-dev libboost-dev nlohmann-json3-dev librocksdb-dev
  libjemalloc-dev pkg-config libssl-dev openssl
  python3 python3-msgpack python3-pynvim python3-jsonpatch
  clang-format
  clang libclang-rt-14-dev
  redis-server libhiredis-dev gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y "${missing[@]}"
fi
