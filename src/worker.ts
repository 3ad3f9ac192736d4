/**
 * Assembles the worker from its layers: model store and residency, sessions, the gRPC server.
 *
 * @module
 */
import { resolve as resolvePath } from "node:path";
import type { WorkerConfig } from "./config.ts";
import type { VoiceSource } from "./engines/engine.ts";
import { InferenceScheduler } from "./engines/inference_scheduler.ts";
import { EngineWorkerPool } from "./engines/engine_worker_pool.ts";
import { loadWorkerVoicePool } from "./engines/worker_voice_pool.ts";
import type { Logger } from "./log.ts";
import { ModelStore } from "./models/model_store.ts";
import { OUTPUT_SAMPLE_RATE } from "./pipeline/pcm.ts";
import { resamplingProblem } from "./pipeline/resampler.ts";
import { warmUpPipeline } from "./pipeline/warm_up.ts";
import { ModelResidency } from "./models/residency.ts";
import { type RunningMetricsServer, startMetricsServer } from "./ops/metrics_server.ts";
import { hostPort } from "./rpc/host_port.ts";
import { type RunningServer, startServer } from "./rpc/server.ts";
import { TtsService } from "./rpc/tts_service.ts";
import { SessionReaper } from "./session/session_reaper.ts";
import { SessionRegistry } from "./session/session_registry.ts";
import { type ResidentVoiceFigures, WorkerMetrics } from "./session/worker_metrics.ts";
import { errorMessage } from "./error_message.ts";

/** A running worker. */
export interface RunningWorker {
  /** The bound port. */
  readonly port: number;
  /** The port of the metrics endpoint, when it runs. */
  readonly metricsPort?: number;
  /** The gRPC server. */
  readonly server: RunningServer;
  /** Resident voices. */
  readonly residency: ModelResidency;
  /** Live sessions. */
  readonly sessions: SessionRegistry;
  /**
   * Graceful stop: health NOT_SERVING, no new sessions, utterances in flight get up to `graceMs`
   * to finish (then they are cut), open streams end cleanly, every voice is freed.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the worker: binds the port (health NOT_SERVING), loads the default model, then SERVING. */
export async function startWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const started = performance.now();
  const store = new ModelStore(config.modelsDir);
  // ListModels leaves out a voice that cannot be used; the log says which, and why.
  await warnOfUnusableVoices(store, log);
  /** Size on disk and memory estimate of each voice loaded, by model id (for the metrics). */
  const voiceFigures = new Map<string, { fileBytes: number; memoryBytes: number }>();
  const resolve = async (modelId: string): Promise<VoiceSource> => {
    const descriptor = await store.resolve(modelId);
    if (!descriptor) throw new Error(`unknown model "${modelId}"`);
    const rateProblem = resamplingProblem(descriptor.sampleRate, OUTPUT_SAMPLE_RATE);
    if (rateProblem) {
      throw new Error(
        `its sample rate of ${descriptor.sampleRate} Hz cannot be resampled to ${OUTPUT_SAMPLE_RATE} Hz (${rateProblem})`,
      );
    }
    await store.verify(descriptor);
    voiceFigures.set(modelId, { fileBytes: descriptor.sizeBytes, memoryBytes: 0 });
    return {
      id: descriptor.id,
      family: descriptor.family,
      modelPath: descriptor.modelPath,
      configPath: descriptor.configPath,
      voiceName: descriptor.voiceName,
      executionProvider: config.executionProvider,
    };
  };
  // A session has at most one segment in inference at a time, so Workers beyond the session
  // limit would only idle. One scheduler orders the segments of every voice's pool.
  const inferenceWorkers = Math.min(config.inferenceWorkers, config.maxSessions);
  const scheduler = new InferenceScheduler(inferenceWorkers);
  // Every voice is loaded in the same engine Workers (one WebAssembly runtime and heap each).
  const engineWorkers = new EngineWorkerPool(inferenceWorkers, {
    // What engines and their libraries write to a Worker's console joins the JSON log.
    onLog: (level, message) => log[level]({ source: "engine worker" }, message),
  });
  const residency = new ModelResidency(resolve, async (source) => {
    // The memory estimate: how much the resident set grew while the voice loaded.
    const rssBefore = Deno.memoryUsage().rss;
    const voice = await loadWorkerVoicePool(source, { workers: engineWorkers, scheduler });
    const figures = voiceFigures.get(source.id);
    if (figures) figures.memoryBytes = Math.max(0, Deno.memoryUsage().rss - rssBefore);
    return voice;
  });
  const sessions = new SessionRegistry(config.maxSessions);
  const residentVoices = (): ResidentVoiceFigures[] =>
    residency.residentIds().map((modelId) => ({
      modelId,
      executionProvider: residency.get(modelId)?.info.executionProvider ?? "",
      fileBytes: voiceFigures.get(modelId)?.fileBytes ?? 0,
      memoryBytes: voiceFigures.get(modelId)?.memoryBytes ?? 0,
    }));
  const metrics = new WorkerMetrics({
    inferenceLoad: () => scheduler.stats(),
    activeSessions: () => sessions.size,
    residentVoices,
  });
  engineWorkers.onWorkerCrashed((_, replacement, error, late) => {
    const restarts = engineWorkers.restarts;
    if (late) {
      log.warn({ restarts }, "engine worker replaced at last; the voices load into it");
      return;
    }
    metrics.recordEngineWorkerCrash(replacement !== undefined);
    // Its calls in flight failed (those utterances ended early); the other Workers serve on.
    log.error(
      { error: error.message, replaced: replacement !== undefined, restarts },
      replacement
        ? "engine worker crashed; a fresh one took its place and the voices load into it"
        : "engine worker crashed; too many crashes in a minute: replaced when the minute allows",
    );
  });
  const service = new TtsService({
    sessions,
    residency,
    store,
    metrics,
    log,
    executionProvider: config.executionProvider,
    segmenter: {
      firstSegmentMinWords: config.firstSegmentMinWords,
      firstSegmentMaxWords: config.firstSegmentMaxWords,
      maxSegmentChars: config.maxSegmentChars,
    },
    stoppedTextWindowMs: config.stoppedTextWindowMs,
    audioLeadMs: config.audioLeadMs,
    defaultModel: config.defaultModel,
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(service, config.host, config.port, {
      tls: config.tlsCert === undefined || config.tlsKey === undefined ? undefined : {
        cert: await Deno.readFile(config.tlsCert),
        key: await Deno.readFile(config.tlsKey),
        clientCa: config.tlsClientCa === undefined
          ? undefined
          : await Deno.readFile(config.tlsClientCa),
      },
      tlsHandshakeTimeoutMs: config.tlsHandshakeTimeoutMs,
      authToken: config.authToken,
      maxReceiveMessageBytes: config.maxReceiveMessageBytes,
      maxConcurrentStreams: config.maxConcurrentStreams,
    });
  } catch (error) {
    engineWorkers.terminate();
    throw error;
  }
  let metricsServer: RunningMetricsServer | undefined;
  let serving = false;
  try {
    if (config.metricsPort !== undefined) {
      metricsServer = await startMetricsServer({
        host: config.host,
        port: config.metricsPort,
        metrics,
        serving: () => serving,
      });
      log.info({
        metrics_address: hostPort(config.host, metricsServer.port),
        metrics_port: metricsServer.port,
      }, "metrics endpoint listening");
    }
    const outcome = await residency.load(config.defaultModel);
    // Once per inference Worker: the first utterance of a fresh process is slow in each.
    const warm = await warmUpPipeline(outcome.voice, inferenceWorkers);
    if (warm.problem) {
      log.warn(
        { model_id: config.defaultModel, problem: warm.problem },
        "the default voice's warm-up utterance failed; first requests may be slow or fail",
      );
    }
    server.setServing(true);
    serving = true;
    log.info({
      address: hostPort(config.host, server.port),
      port: server.port,
      metrics_port: metricsServer?.port,
      default_model: config.defaultModel,
      execution_provider: outcome.voice.info.executionProvider,
      inference_workers: inferenceWorkers,
      load_ms: Math.round(outcome.durationMs),
      warm_up_ms: warm.ms,
      startup_ms: Math.round(performance.now() - started),
    }, "ready");
  } catch (error) {
    await server.shutdown(0);
    await metricsServer?.shutdown();
    await residency.unloadAll();
    engineWorkers.terminate();
    throw error;
  }
  const reaper = new SessionReaper(sessions, {
    idleTimeoutMs: config.idleTimeoutS * 1000,
    onReap: (session, idleMs) =>
      log.info(
        { session_id: session.id, idle_ms: Math.round(idleMs), frames: session.framesSent },
        "idle session ended",
      ),
  });
  reaper.start();
  return {
    port: server.port,
    metricsPort: metricsServer?.port,
    server,
    residency,
    sessions,
    stop: async (graceMs = config.shutdownGraceMs) => {
      reaper.stop();
      server.setServing(false);
      serving = false;
      sessions.startDraining();
      await pollUntil(() => sessions.busyStreams().length === 0, graceMs);
      const cut = sessions.busyStreams().length;
      if (cut > 0) log.warn({ streams: cut, grace_ms: graceMs }, "grace period over; cutting");
      // An utterance still in flight ends with its final frame.
      for (const session of sessions.all()) sessions.streamOf(session.id)?.end();
      await pollUntil(() => sessions.openStreams === 0, 2000);
      // Let the streams' last frames and trailers reach the sockets. The HTTP/2 sessions are then
      // left to close with the process rather than with a GOAWAY: Deno 2.9's node:http2 can
      // abort inside nghttp2 while a GOAWAY is processed (denoland/deno#36788), on either side.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await metricsServer?.shutdown();
      server.closeTls();
      await residency.unloadAll();
      engineWorkers.terminate();
    },
  };
}

/**
 * Logs a warning for each voice in the models directory that cannot be used (a config the Piper
 * parser rejects, a model without its config...) and for a catalogue that cannot be read. A
 * models directory that cannot be read is a warning too: the built-in voices still serve.
 */
async function warnOfUnusableVoices(store: ModelStore, log: Logger): Promise<void> {
  try {
    const { problems } = await store.scan();
    for (const problem of problems) {
      log.warn({
        path: resolvePath(store.modelsDir, problem.path),
        model_id: problem.id,
        reason: problem.reason,
      }, "voice cannot be used");
    }
  } catch (error) {
    log.warn(
      {
        models_dir: store.modelsDir,
        error: errorMessage(error),
      },
      "models directory cannot be read",
    );
  }
}

/** Checks `done` every 20 ms until it holds or `timeoutMs` has passed. */
async function pollUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
