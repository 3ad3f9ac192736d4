# The TTS worker as a container.
#
#   docker build -t tts-worker .
#   docker run --rm -p 7001:7001 -v "$PWD/models:/models" tts-worker
#
# Port 7001: gRPC (tts.TTSService, grpc.health.v1.Health, server reflection).
# Volume /models: Piper voices (`deno task models pull ID` on the host, or mount any folder of
# `<id>.onnx` + `<id>.onnx.json` pairs). The built-in espeak-ng voice needs no files.
# Every setting is an environment variable (TTS_HOST, TTS_PORT, TTS_MODELS_DIR, ...; see README).

ARG DENO_VERSION=2.9.6

# --- build: resolve and cache every npm dependency from the lockfile --------------------------
FROM denoland/deno:debian-${DENO_VERSION} AS build
WORKDIR /app
ENV DENO_DIR=/deno-dir
COPY deno.json deno.lock ./
COPY proto/ proto/
COPY src/ src/
COPY models/catalog.json models/README.md models/
RUN deno install --frozen --entrypoint src/main.ts src/cli/health_check.ts src/cli/say.ts \
    src/cli/models.ts

# --- runtime: the same Deno, the app and its cache, a non-root user ---------------------------
FROM denoland/deno:debian-${DENO_VERSION}
WORKDIR /app
ENV DENO_DIR=/deno-dir \
    TTS_HOST=0.0.0.0 \
    TTS_PORT=7001 \
    TTS_MODELS_DIR=/models \
    XDG_RUNTIME_DIR=/tmp
# The Vulkan loader and libglvnd, for WebGPU on a GPU: with the NVIDIA Container Toolkit
# (`docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics`) the driver's
# Vulkan ICD is mounted, and it links against libGLdispatch. Without a GPU they are unused.
RUN apt-get update && apt-get install -y --no-install-recommends libvulkan1 libglvnd0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build --chown=deno:deno /deno-dir /deno-dir
COPY --from=build --chown=deno:deno /app /app
RUN mkdir -p /models && chown deno:deno /models
USER deno
VOLUME ["/models"]
EXPOSE 7001
# The probe reads the worker's own settings (TTS_PORT, TTS_TLS_CERT, TTS_CONFIG, ...), so it
# follows the port and TLS the container is given; mutual TLS needs `--cert`/`--key` added here.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["deno", "run", "--allow-all", "--cached-only", "src/cli/health_check.ts"]
CMD ["deno", "run", "--allow-all", "--cached-only", "src/main.ts"]
