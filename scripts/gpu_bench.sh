#!/usr/bin/env bash
# Measures the WebGPU path on a machine with a GPU and no network, from the bundle that
# scripts/gpu_bundle.sh packed into .device/: the execution-provider comparison (bench:ep) and the
# full benchmark of the worker on WebGPU (bench --ep webgpu), both on the load-test voice.
#
#   scripts/gpu_bench.sh OUT_DIR [BENCH_TIMEOUT_S]
#
# Everything it writes goes to OUT_DIR: gpu_bench.log (all progress and errors), nvidia-smi.txt,
# adapter.json, the benchmarks' dated JSON results, and quick/ with the quick run's. Each step has its own time limit, so a
# step that hangs still leaves the others' results.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/gpu_bench.sh OUT_DIR [BENCH_TIMEOUT_S]}
bench_timeout=${2:-300}
mkdir -p "$out"
logfile="$out/gpu_bench.log"
log() { echo "[gpu_bench $(date +%T)] $*" | tee -a "$logfile" >&2; }

bin=$(mktemp -d)
if [ -f .device/deno.xz ]; then
  xz -dc .device/deno.xz >"$bin/deno" && chmod +x "$bin/deno"
  export PATH="$bin:$PATH"
fi
[ -f .device/node_modules.tar.xz ] && tar -xJf .device/node_modules.tar.xz
# Loader and libglvnd where the image lacks them (the NVIDIA ICD needs libGLdispatch.so.0).
if ! ldconfig -p | grep -q 'libGLdispatch.so.0' || ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for deb in .device/debs/*.deb; do
    case "$deb" in *libvulkan1_*) ldconfig -p | grep -q 'libvulkan.so.1' && continue ;; esac
    dpkg -x "$deb" /
  done
  ldconfig
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} DENO_NO_UPDATE_CHECK=1
# Vulkan, not OpenGL: wgpu falls back to GL where the Vulkan loader is missing, and onnxruntime's
# WebGPU EP failed to create a session on that adapter.
export DENO_WEBGPU_BACKEND=${DENO_WEBGPU_BACKEND:-vulkan}
log "deno $(deno --version | head -1), $(nproc) cores"
nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || echo "no nvidia-smi" >"$out/nvidia-smi.txt"
ls -d /usr/share/vulkan/icd.d/* /etc/vulkan/icd.d/* /usr/local/nvidia/share/vulkan/icd.d/* \
  2>/dev/null | sed 's/^/vulkan icd: /' >>"$logfile"

probe='const a = await navigator.gpu?.requestAdapter();
console.log(JSON.stringify(a ? { vendor: a.info.vendor, architecture: a.info.architecture,
  device: a.info.device, description: a.info.description, fallback: a.info.isFallbackAdapter,
  features: [...a.features].sort() } : null));'
adapter=$(timeout 60 deno eval "$probe" 2>>"$logfile")
if [ "$adapter" = "null" ] || [ -z "$adapter" ]; then
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  log "no WebGPU adapter; trying VK_DRIVER_FILES=$icd"
  export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
  adapter=$(timeout 60 deno eval "$probe" 2>>"$logfile")
fi
if [ "$adapter" = "null" ] || [ -z "$adapter" ]; then
  log "still none; the Vulkan loader says:"
  VK_LOADER_DEBUG=error,warn,info timeout 60 deno eval "$probe" 2>&1 | tail -40 >>"$logfile"
  ldd /usr/local/nvidia/lib64/libGLX_nvidia.so.0 2>&1 | grep -i "not found" >>"$logfile"
fi
echo "$adapter" >"$out/adapter.json"
log "adapter: $adapter"
if [ "$adapter" = "null" ] || [ -z "$adapter" ]; then
  log "no WebGPU adapter, stopping; libvulkan: $(ldconfig -p | grep -c libvulkan)"
  exit 3
fi

log "bench:ep ..."
timeout 150 deno run -A bench/execution_providers.ts --rounds 5 --results-dir "$out" \
  --configs wasm,webgpu,webgpu-cpu-output,webgpu-fp16 \
  >/dev/null 2>>"$logfile"
log "bench:ep exit $?"

# A quick run first, so that some figures of the whole worker on the GPU come back even when the
# full run does not fit in the time left; its result file is kept apart from the full run's.
log "bench --quick --ep webgpu ..."
timeout 150 deno run -A bench/bench.ts --quick --ep webgpu --voice en_US-loadtest-low \
  --results-dir "$out/quick" >/dev/null 2>>"$logfile"
log "bench --quick exit $?"

log "bench --ep webgpu ..."
timeout "$bench_timeout" deno run -A bench/bench.ts --ep webgpu --voice en_US-loadtest-low \
  --results-dir "$out" >/dev/null 2>>"$logfile"
log "bench exit $?"
