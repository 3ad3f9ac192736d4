#!/usr/bin/env bash
# Installs the Debian tools the tests use as references, when missing:
# espeak-ng (native phonemizer), sox, pocketsphinx (+ en-us model), python3-grpcio (second client)
# protobuf-compiler (stubs for the Python client) and Mesa's Vulkan drivers (software WebGPU). Idempotent and quick when all are present.
set -euo pipefail
packages=(espeak-ng sox pocketsphinx pocketsphinx-en-us python3-grpcio python3-protobuf protobuf-compiler mesa-vulkan-drivers)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
