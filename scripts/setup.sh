#!/usr/bin/env bash
# Installs the system packages LSTMLab needs (libhdf5-dev, libsqlite3-dev, pkg-config; libjs-dygraphs, the charts of
# `lstmlab serve`) when they are missing; `scripts/setup.sh test` also installs chromium, the headless browser of the
# page's end-to-end test, and qemu-user, which emulates CPUs without AVX-512 or AVX2 for the engine's test (Slurm, for
# the cluster test, is installed by scripts/slurm-cluster.sh).
# Uses apt-get, through sudo when not root; stops with the exact command to run when it cannot.
set -euo pipefail

packages=(libhdf5-dev libsqlite3-dev pkg-config libjs-dygraphs)
if [ "${1:-}" = test ]; then packages+=(chromium qemu-user); fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.1 or later) is not on PATH; install it from swift.org first" >&2
  exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "error: missing system packages; run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} ..."
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
