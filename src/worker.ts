/**
 * Assembles the worker from its layers: model store and residency, sessions, the gRPC server.
 *
 * @module
 */
import type { WorkerConfig } from "./config.ts";
import type { VoiceSource } from "./engines/engine.ts";
import { loadWorkerVoice } from "./engines/worker_voice.ts";
import type { Logger } from "./log.ts";
import { ModelStore } from "./models/model_store.ts";
import { ModelResidency } from "./models/residency.ts";
import { type RunningServer, startServer } from "./rpc/server.ts";
import { TtsService } from "./rpc/tts_service.ts";
import { SessionReaper } from "./session/session_reaper.ts";
import { SessionRegistry } from "./session/session_registry.ts";
import { WorkerMetrics } from "./session/worker_metrics.ts";

/** A running worker. */
export interface RunningWorker {
  /** The bound port. */
  readonly port: number;
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
  const resolve = async (modelId: string): Promise<VoiceSource> => {
    const descriptor = await store.resolve(modelId);
    if (!descriptor) throw new Error(`unknown model "${modelId}"`);
    await store.verify(descriptor);
    return {
      id: descriptor.id,
      family: descriptor.family,
      modelPath: descriptor.modelPath,
      configPath: descriptor.configPath,
      voiceName: descriptor.voiceName,
      executionProvider: config.executionProvider,
    };
  };
  const residency = new ModelResidency(resolve, loadWorkerVoice);
  const sessions = new SessionRegistry(config.maxSessions);
  const metrics = new WorkerMetrics();
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
    defaultModel: config.defaultModel,
  });
  const server = await startServer(service, config.host, config.port);
  try {
    const outcome = await residency.load(config.defaultModel);
    server.setServing(true);
    log.info({
      address: `${config.host}:${server.port}`,
      port: server.port,
      default_model: config.defaultModel,
      execution_provider: outcome.voice.info.executionProvider,
      load_ms: Math.round(outcome.durationMs),
      startup_ms: Math.round(performance.now() - started),
    }, "ready");
  } catch (error) {
    await server.shutdown(0);
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
    server,
    residency,
    sessions,
    stop: async (graceMs = config.shutdownGraceMs) => {
      reaper.stop();
      server.setServing(false);
      sessions.startDraining();
      const deadline = performance.now() + graceMs;
      while (sessions.busyStreams().length > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const cut = sessions.busyStreams().length;
      if (cut > 0) log.warn({ streams: cut, grace_ms: graceMs }, "grace period over; cutting");
      for (const session of sessions.all()) {
        const stream = sessions.streamOf(session.id);
        stream?.stop(); // an utterance still in flight ends with its final frame
        stream?.endInput();
      }
      await server.shutdown(1000);
      await residency.unloadAll();
    },
  };
}
