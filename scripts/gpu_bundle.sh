#!/usr/bin/env bash
# Packs what scripts/gpu_bench.sh needs on a GPU machine that has no network: the Deno binary,
# the installed npm packages (only the onnxruntime-web builds the worker loads) and the Vulkan
# loader, into .device/ (ignored by git). Run here, where npm and Debian's apt are reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.device
mkdir -p "$out/debs"

deno_bin=$(command -v deno)
deno_bin=$(readlink -f "$deno_bin")
echo "deno: $deno_bin ($(deno --version | head -1))"
xz -T0 -6 -c "$deno_bin" >"$out/deno.xz"

deno install >/dev/null
tar -cf - --exclude='*.map' --exclude='*jsep.wasm' --exclude='*jspi*' --exclude='*webgl*' \
  --exclude='ort.all*' --exclude='ort.node*' --exclude='*.d.ts' \
  node_modules | xz -T0 -6 >"$out/node_modules.tar.xz"

# The Vulkan loader (libvulkan.so.1), which Deno's WebGPU opens, and the GL dispatch libraries
# (libglvnd) that the NVIDIA driver's Vulkan ICD (libGLX_nvidia.so.0) links against.
lists=$(mktemp -d)
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$out/debs" && apt-get "${apt_opts[@]}" download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 \
  libgles2 >/dev/null 2>&1)
rm -rf "$lists"
du -sh "$out"/*
