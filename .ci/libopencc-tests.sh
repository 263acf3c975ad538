#!/usr/bin/env bash
# Tests of the optional `libopencc` engine (system OpenCC through opencc-rust 1.1.x).
# Installs Debian's libopencc-dev (OpenCC 1.1.6) and runs the feature's tests.
# Usage: .ci/libopencc-tests.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists opencc 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq libopencc-dev pkg-config >/dev/null
fi
cargo test --release --features libopencc --test convert_libopencc "$@"
