/**
 * Handlers of `tts.TTSService`: the wire semantics an orchestrator relies on, mapped onto the
 * session, pipeline and model layers.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import type { ModelResidency } from "../models/residency.ts";
import type { ModelDescriptor, ModelStore } from "../models/model_store.ts";
import {
  BUILTIN_ESPEAK_MODELS,
  unusableVoice,
  usableLanguages,
  validateModelId,
} from "../models/model_store.ts";
import { FRAME_DURATION_MS, OUTPUT_SAMPLE_RATE } from "../pipeline/pcm.ts";
import { resamplingProblem } from "../pipeline/resampler.ts";
import type { SegmenterOptions } from "../pipeline/sentence_segmenter.ts";
import { ChunkSequencer, type ChunkVerdict } from "../session/chunk_sequencer.ts";
import { Session } from "../session/session.ts";
import { parseSessionOptions } from "../session/session_options.ts";
import type { SessionRegistry } from "../session/session_registry.ts";
import { type OutgoingFrame, SessionStream } from "../session/session_stream.ts";
import type { SessionRejectionReason, WorkerMetrics } from "../session/worker_metrics.ts";
import type { Logger } from "../log.ts";
import type {
  AudioFrame,
  ControlRequest,
  ControlResponse,
  EndSessionRequest,
  EndSessionResponse,
  GetCapabilitiesResponse,
  ListModelsResponse,
  LoadModelRequest,
  LoadModelResponse,
  ModelInfo,
  StartSessionRequest,
  StartSessionResponse,
  TextChunk,
  UnloadModelRequest,
  UnloadModelResponse,
} from "./messages.ts";
import { rpcError, sessionIdProblem } from "./status.ts";
import { errorMessage } from "../error_message.ts";

/** What the handlers work with. */
export interface TtsServiceDeps {
  /** Live sessions. */
  readonly sessions: SessionRegistry;
  /** Resident voices. */
  readonly residency: ModelResidency;
  /** Voices on disk, in the catalogue and built in. */
  readonly store: ModelStore;
  /** Speed figures. */
  readonly metrics: WorkerMetrics;
  /** Logs. */
  readonly log: Logger;
  /** Configured execution provider preference (reported for voices not yet loaded). */
  readonly executionProvider: string;
  /** Segmentation thresholds for every stream. */
  readonly segmenter?: Partial<SegmenterOptions>;
  /** How long a STOP drops the late text of the utterance it cut (see `SessionStream`). */
  readonly stoppedTextWindowMs?: number;
  /** Most audio (ms) a stream sends ahead of real time (see `SessionStream`). */
  readonly audioLeadMs?: number;
  /** The default model id (LoadModel without `preload_only` changes it). */
  defaultModel: string;
}

type Callback<T> = grpc.sendUnaryData<T>;
type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: Callback<Res>) => void;

/** The name of a gRPC status code (`NOT_FOUND`), for metrics labels. */
function statusName(code: grpc.status | undefined): string {
  return (code === undefined ? undefined : grpc.status[code]) ?? `CODE_${code}`;
}

function unary<Req, Res>(
  deps: Pick<TtsServiceDeps, "log" | "metrics">,
  name: string,
  body: (request: Req) => Promise<Res>,
): Unary<Req, Res> {
  return (call, callback) => {
    body(call.request).then(
      (response) => callback(null, response),
      (error) => {
        if (error && typeof error === "object" && "code" in error) {
          const status = error as Partial<grpc.StatusObject>;
          deps.metrics.recordRpcError(name, statusName(status.code));
          callback(status, null);
          return;
        }
        deps.log.error({ rpc: name, err: errorMessage(error) }, "handler failed");
        deps.metrics.recordRpcError(name, statusName(grpc.status.INTERNAL));
        callback(rpcError(grpc.status.INTERNAL, `${name} failed: ${errorMessage(error)}`), null);
      },
    );
  };
}

/**
 * Why a second Synthesize stream of a session is refused: its current stream still speaks, holds
 * a paused utterance, or has an utterance open; with what the client can do about it.
 */
function streamInUse(sessionId: string, current: SessionStream): string {
  const other = `session "${sessionId}" already has a Synthesize stream that`;
  const rule = "a session speaks on one stream at a time";
  if (current.utteranceOpen) {
    return `${other} has an utterance in progress (text received since its last is_final); ${rule}: end that utterance with is_final and wait for its final frame (or STOP it) before opening the next stream`;
  }
  if (current.session.gate.paused) {
    return `${other} holds an utterance paused by PAUSE; ${rule}: RESUME and wait for its final frame (or STOP it) before opening the next stream`;
  }
  return `${other} is still speaking (an utterance is being spoken or queued); ${rule}: wait for its final frame (or STOP it) before opening the next stream`;
}

function invalid(details: string): Partial<grpc.StatusObject> {
  return rpcError(grpc.status.INVALID_ARGUMENT, details);
}

/** How to number text chunks, for every refusal of a chunk's `sequence_number`. */
const NUMBERING_HINT = "number chunks from any start, up by one across the whole stream, " +
  "not per utterance, or leave them all 0";

/** Why a chunk's `sequence_number` ends the stream, and what the client should do instead. */
function sequenceProblem(
  sequence: number,
  verdict: Exclude<ChunkVerdict, { kind: "take" | "repeat" }>,
): string {
  const prefix = `text chunk sequence_number ${sequence}`;
  switch (verdict.kind) {
    case "gap":
      return `${prefix} arrived when ${verdict.expected} was due; chunks were lost or ` +
        `reordered (${NUMBERING_HINT})`;
    case "conflict":
      return `${prefix} was already used by a chunk with other ${verdict.differs}; a repeated ` +
        `number is taken as a retry only with the same text and is_final (${NUMBERING_HINT})`;
    case "unknown":
      return `${prefix} repeats no chunk this stream remembers (numbers ${verdict.oldest} to ` +
        `${verdict.last}), so it cannot be checked as a retry (${NUMBERING_HINT})`;
  }
}

/** The `tts.TTSService` handlers over the worker's layers. */
export class TtsService {
  #deps: TtsServiceDeps;

  /** @param deps the layers the handlers drive */
  constructor(deps: TtsServiceDeps) {
    this.#deps = deps;
  }

  /** Handler map for `server.addService(ttsService, ...)`. */
  handlers(): grpc.UntypedServiceImplementation {
    const deps = this.#deps;
    return {
      StartSession: unary(deps, "StartSession", (r: StartSessionRequest) => this.startSession(r)),
      EndSession: unary(deps, "EndSession", (r: EndSessionRequest) => this.endSession(r)),
      Synthesize: (call: grpc.ServerDuplexStream<TextChunk, AudioFrame>) => this.synthesize(call),
      Control: unary(deps, "Control", (r: ControlRequest) => this.control(r)),
      ListModels: unary(deps, "ListModels", () => this.listModels()),
      LoadModel: unary(deps, "LoadModel", (r: LoadModelRequest) => this.loadModel(r)),
      UnloadModel: unary(deps, "UnloadModel", (r: UnloadModelRequest) => this.unloadModel(r)),
      GetCapabilities: unary(deps, "GetCapabilities", () => this.getCapabilities()),
    };
  }

  /** StartSession: validate, make the model resident, check options, admit. */
  async startSession(request: StartSessionRequest): Promise<StartSessionResponse> {
    const { sessions, residency, log, metrics } = this.#deps;
    const reject = (reason: SessionRejectionReason, message: string): StartSessionResponse => {
      metrics.recordSessionRejected(reason);
      return { success: false, message };
    };
    const problem = sessionIdProblem(request.session_id);
    if (problem) {
      metrics.recordSessionRejected("invalid_id");
      throw invalid(problem);
    }
    const early = sessions.admission(request.session_id);
    if (!early.ok) return reject(early.reason, early.message);
    const modelId = request.model_id || this.#deps.defaultModel;
    const known = await this.#describe(modelId);
    if (typeof known === "string") return reject("unknown_model", known);
    let voice;
    try {
      voice = (await residency.load(modelId)).voice;
    } catch (error) {
      return reject(
        "load_failed",
        `model "${modelId}" could not be loaded: ${errorMessage(error)}`,
      );
    }
    const parsed = parseSessionOptions(request.options ?? {}, voice.info);
    if (!parsed.ok) return reject("bad_options", parsed.message);
    if (parsed.ignored.length > 0) {
      log.warn(
        { session_id: request.session_id, ignored: parsed.ignored },
        "unknown session options ignored",
      );
    }
    if (parsed.options.language) {
      try {
        await voice.prepare("test", parsed.options);
      } catch (error) {
        return reject(
          "bad_options",
          `option "language" "${parsed.options.language}" is not usable with model "${modelId}": ${
            errorMessage(error)
          }`,
        );
      }
    }
    const session = new Session({
      id: request.session_id,
      modelId,
      options: parsed.options,
      audioLeadMs: parsed.audioLeadMs ?? this.#deps.audioLeadMs,
      voices: residency,
    });
    const admitted = sessions.add(session);
    if (!admitted.ok) return reject(admitted.reason, admitted.message);
    if (!residency.isResident(modelId)) {
      // UnloadModel freed the model while this call waited (it counts admitted sessions only);
      // now that the session is admitted no unload can take the model from under it.
      try {
        await residency.load(modelId);
      } catch (error) {
        sessions.remove(session.id);
        return reject(
          "load_failed",
          `model "${modelId}" could not be loaded: ${errorMessage(error)}`,
        );
      }
    }
    metrics.recordSessionStarted();
    log.info({ session_id: session.id, model_id: modelId }, "session started");
    return { success: true, message: `session started with model "${modelId}"` };
  }

  /** EndSession: ends the open stream cleanly (the utterance in progress gets its final frame). */
  endSession(request: EndSessionRequest): Promise<EndSessionResponse> {
    const removed = this.#deps.sessions.remove(request.session_id);
    if (!removed) return Promise.resolve({ success: false });
    removed.stream?.end();
    this.#deps.log.info(
      {
        session_id: request.session_id,
        model_id: removed.session.modelId,
        frames: removed.session.framesSent,
      },
      "session ended",
    );
    return Promise.resolve({ success: true });
  }

  /** Control: PAUSE, RESUME, STOP, RELOAD. */
  async control(request: ControlRequest): Promise<ControlResponse> {
    const { sessions, residency, log } = this.#deps;
    const session = sessions.get(request.session_id);
    if (typeof request.command === "number") {
      throw invalid(
        `unknown control command ${request.command}; use PAUSE (0), RESUME (1), STOP (2) or RELOAD (3)`,
      );
    }
    if (!session) {
      return {
        success: false,
        message: `no live session "${
          request.session_id.slice(0, 300)
        }"; start one with StartSession`,
        timestamp_ms: Date.now(),
      };
    }
    session.touch();
    const stream = sessions.streamOf(session.id);
    log.info({ session_id: session.id, command: request.command }, "control");
    switch (request.command) {
      case "PAUSE":
        session.gate.pause();
        return { success: true, message: "paused", timestamp_ms: Date.now() };
      case "RESUME":
        session.gate.resume();
        return { success: true, message: "resumed", timestamp_ms: Date.now() };
      case "STOP": {
        // With or without a stream open, a STOP ends a PAUSE and restarts the pacing lead (a
        // stream's stop() interrupts its session too).
        if (!stream) session.interrupt();
        const stopped = stream?.stop() ?? false;
        return {
          success: true,
          message: stopped ? "stopped" : "nothing to stop",
          timestamp_ms: Date.now(),
        };
      }
      case "RELOAD": {
        try {
          const outcome = await residency.reload(session.modelId);
          return {
            success: true,
            message: `model "${session.modelId}" reloaded in ${
              Math.round(outcome.durationMs)
            } ms; it speaks from the next utterance`,
            timestamp_ms: Date.now(),
          };
        } catch (error) {
          return {
            success: false,
            message: `reload of "${session.modelId}" failed: ${errorMessage(error)}`,
            timestamp_ms: Date.now(),
          };
        }
      }
    }
  }

  /** ListModels: every voice in the models directory, the catalogue and built in. */
  async listModels(): Promise<ListModelsResponse> {
    const descriptors = await this.#deps.store.list();
    return { models: descriptors.map((d) => this.#modelInfo(d)) };
  }

  /** LoadModel: load and verify; without `preload_only` it becomes the default model. */
  async loadModel(request: LoadModelRequest): Promise<LoadModelResponse> {
    const known = await this.#describe(request.model_id);
    if (typeof known === "string") return { success: false, message: known, load_duration_ms: 0 };
    const started = performance.now();
    try {
      const outcome = await this.#deps.residency.load(request.model_id);
      const previousDefault = this.#deps.defaultModel;
      if (!request.preload_only) this.#deps.defaultModel = request.model_id;
      const ms = Math.round(performance.now() - started);
      this.#deps.log.info({
        model_id: request.model_id,
        load_ms: ms,
        ...(previousDefault !== this.#deps.defaultModel &&
          { default_model: this.#deps.defaultModel, previous_default_model: previousDefault }),
      }, "model loaded");
      return {
        success: true,
        message: outcome.alreadyResident
          ? `model "${request.model_id}" was already resident`
          : `model "${request.model_id}" loaded on ${outcome.voice.info.executionProvider}`,
        load_duration_ms: ms,
      };
    } catch (error) {
      return {
        success: false,
        message: `model "${request.model_id}" could not be loaded: ${errorMessage(error)}`,
        load_duration_ms: Math.round(performance.now() - started),
      };
    }
  }

  /** UnloadModel: idempotent; refused for a malformed id or while live sessions use the model. */
  async unloadModel(request: UnloadModelRequest): Promise<UnloadModelResponse> {
    const problem = validateModelId(request.model_id);
    if (problem) return { success: false, message: problem };
    const { residency, sessions } = this.#deps;
    // A StartSession may be waiting for a load of this model: let it finish and admit its
    // session first, then check for users and unload in the same turn, so that no session is
    // admitted in between to a model about to go.
    do await residency.settled(request.model_id); while (residency.inFlight(request.model_id));
    const users = sessions.sessionsUsing(request.model_id);
    if (users.length > 0) {
      return {
        success: false,
        message: `model "${request.model_id}" is used by live sessions: ${
          users.join(", ")
        }; end them first`,
      };
    }
    const wasResident = await residency.unload(request.model_id);
    return {
      success: true,
      message: wasResident
        ? `model "${request.model_id}" unloaded`
        : `model "${request.model_id}" was not resident`,
    };
  }

  /**
   * GetCapabilities: true figures of this worker. `languages` are those of every voice a
   * StartSession can use now, loaded or not (see {@link usableLanguages}); `resident_models`
   * are the voices loaded.
   */
  async getCapabilities(): Promise<GetCapabilitiesResponse> {
    const { residency, sessions, metrics } = this.#deps;
    return {
      capabilities: {
        streaming: true,
        zero_shot: false,
        lora: false,
        cpu_ok: true,
        languages: await this.#usableLanguages(),
        emotive_zero_prompt: false,
        max_concurrent_sessions: sessions.maxSessions,
      },
      resident_models: residency.residentIds(),
      metrics: await metrics.snapshot(),
    };
  }

  /**
   * The languages of the built-in and downloaded voices (as ListModels lists them), which
   * StartSession loads on demand, but for voices whose sample rate cannot be resampled; of the
   * built-in ones alone while the models directory cannot be read, as StartSession can then use
   * only those.
   */
  async #usableLanguages(): Promise<string[]> {
    let models: readonly ModelDescriptor[];
    try {
      models = await this.#deps.store.list();
    } catch (error) {
      this.#deps.log.warn(
        { models_dir: this.#deps.store.modelsDir, err: errorMessage(error) },
        "models directory unreadable: GetCapabilities lists the built-in voices' languages only",
      );
      models = BUILTIN_ESPEAK_MODELS;
    }
    // A voice whose rate the resampler cannot take is refused at load: its language is not usable.
    return usableLanguages(
      models.filter((model) => !resamplingProblem(model.sampleRate, OUTPUT_SAMPLE_RATE)),
    );
  }

  /** Synthesize: text chunks in, 20 ms frames out, until half-close, EndSession or cancel. */
  synthesize(call: grpc.ServerDuplexStream<TextChunk, AudioFrame>): void {
    const { sessions, log } = this.#deps;
    let stream: SessionStream | undefined;
    let sessionId: string | undefined;
    let finished = false;
    /** Writes waiting for 'drain'; each leaves the set when it is released. */
    const drainWaiters = new Set<() => void>();
    const sequencer = new ChunkSequencer();

    const finish = (error?: Partial<grpc.StatusObject>) => {
      if (finished) return;
      finished = true;
      if (stream) {
        stream.close();
        sessions.detachStream(stream.session.id, stream);
      }
      for (const wake of [...drainWaiters]) wake();
      if (error) this.#deps.metrics.recordRpcError("Synthesize", statusName(error.code));
      if (error) call.emit("error", error);
      else call.end();
    };

    const sink = {
      write: async (frame: OutgoingFrame): Promise<void> => {
        if (finished) throw new Error("stream finished");
        const message: AudioFrame = {
          session_id: sessionId ?? "",
          audio_data: frame.audio,
          sample_rate: OUTPUT_SAMPLE_RATE,
          frame_duration_ms: FRAME_DURATION_MS,
          sequence_number: frame.sequence,
          is_final: frame.isFinal,
        };
        if (!call.write(message)) {
          await new Promise<void>((resolve) => {
            const release = () => {
              drainWaiters.delete(release);
              call.off("drain", release);
              resolve();
            };
            drainWaiters.add(release);
            call.once("drain", release);
          });
        }
      },
    };

    call.on("data", (chunk: TextChunk) => {
      if (finished) return;
      if (stream?.superseded) {
        // A newer stream of the session took over (its call is ending with OK): text sent on
        // this one now is never spoken, here or there.
        log.debug(
          { session_id: sessionId, chars: chunk.text?.length ?? 0 },
          "text on a replaced stream ignored",
        );
        return;
      }
      if (!stream) {
        const problem = sessionIdProblem(chunk.session_id);
        if (problem) return finish(invalid(problem));
        const session = sessions.get(chunk.session_id);
        if (!session && sessions.wasRefused(chunk.session_id)) {
          return finish(
            rpcError(
              grpc.status.RESOURCE_EXHAUSTED,
              `session "${chunk.session_id}" was not admitted: the worker is at its limit of ${sessions.maxSessions} sessions`,
            ),
          );
        }
        if (!session) {
          return finish(
            rpcError(
              grpc.status.NOT_FOUND,
              `no live session "${
                chunk.session_id.slice(0, 300)
              }"; call StartSession first (or it has ended)`,
            ),
          );
        }
        sessionId = session.id;
        const opened = new SessionStream(session, {
          sink,
          metrics: this.#deps.metrics,
          segmenter: this.#deps.segmenter,
          stoppedTextWindowMs: this.#deps.stoppedTextWindowMs,
          observer: {
            onUtteranceError: (error) => {
              this.#deps.metrics.recordUtteranceFailed();
              log.error(
                { session_id: session.id, model_id: session.modelId, err: errorMessage(error) },
                "utterance failed",
              );
            },
            onStoppedTextDropped: (chars, isFinal) => {
              this.#deps.metrics.recordStoppedTextDropped();
              // Its end is worth an info line: were it a whole new answer sent too soon after the
              // STOP, this line is where the operator sees why it was not spoken.
              log[isFinal ? "info" : "debug"](
                { session_id: session.id, chars, is_final: isFinal },
                "text of a stopped utterance dropped",
              );
            },
          },
        });
        const attached = sessions.attachStream(session.id, opened);
        if (!attached.ok) {
          return finish(
            rpcError(grpc.status.FAILED_PRECONDITION, streamInUse(session.id, attached.current)),
          );
        }
        if (attached.replaced) {
          // The client moved on to its next stream before this one's half-close arrived: the old
          // stream had spoken everything to its final frame, and its call now ends with OK.
          log.info({ session_id: session.id }, "idle stream replaced by a new stream");
        }
        stream = opened;
        opened.run().then(
          () => finish(),
          (error) => {
            log.error({ session_id: session.id, err: errorMessage(error) }, "stream failed");
            finish(rpcError(grpc.status.INTERNAL, `synthesis failed: ${errorMessage(error)}`));
          },
        );
      } else if (chunk.session_id !== sessionId) {
        return finish(
          invalid(
            `chunk names session "${
              chunk.session_id.slice(0, 300)
            }" but this stream belongs to "${sessionId}"; open one stream per session`,
          ),
        );
      }
      const verdict = sequencer.check(chunk.sequence_number ?? 0, {
        text: chunk.text ?? "",
        isFinal: chunk.is_final ?? false,
      });
      if (verdict.kind === "repeat") {
        log.debug(
          { session_id: sessionId, sequence_number: chunk.sequence_number, last: verdict.last },
          "repeated text chunk ignored",
        );
        return;
      }
      if (verdict.kind !== "take") {
        return finish(invalid(sequenceProblem(chunk.sequence_number ?? 0, verdict)));
      }
      // The text itself is never logged: only its length.
      log.debug({
        session_id: sessionId,
        sequence_number: chunk.sequence_number ?? 0,
        chars: chunk.text?.length ?? 0,
        is_final: chunk.is_final,
      }, "text chunk");
      stream.acceptText(chunk.text ?? "", chunk.is_final);
    });
    call.on("end", () => {
      if (stream) stream.endInput();
      else finish();
    });
    call.on("cancelled", () => {
      // grpc-js also reports a stream it has ended itself as cancelled while the client's side is
      // still open: only a cancel before the stream finished is the client's.
      if (sessionId && !finished) log.info({ session_id: sessionId }, "stream cancelled by client");
      finish();
    });
    call.on("error", () => finish());
  }

  /**
   * The model to load, or why not: a malformed or unknown id, or a voice in the models directory
   * that the scan left out (a config the Piper parser rejects...), with the scan's reason, also
   * when the catalogue lists it (as not downloaded), as `deno task models verify <id>` says it.
   */
  async #describe(modelId: string): Promise<ModelDescriptor | string> {
    const problem = validateModelId(modelId);
    if (problem) return problem;
    const builtin = BUILTIN_ESPEAK_MODELS.find((d) => d.id === modelId);
    if (builtin) return builtin;
    const scan = await this.#deps.store.scan();
    const unusable = unusableVoice(scan, modelId);
    if (unusable) return `model "${modelId}" cannot be used: ${unusable.reason}`;
    const { models } = scan;
    const descriptor = models.find((d) => d.id === modelId);
    if (descriptor) return descriptor;
    return `unknown model "${modelId}"; known models: ${models.map((d) => d.id).join(", ")}`;
  }

  #modelInfo(descriptor: ModelDescriptor): ModelInfo {
    const voice = this.#deps.residency.get(descriptor.id);
    const metadata: Record<string, string> = {
      sample_rate: String(descriptor.sampleRate),
      quality: descriptor.quality ?? "",
      size_mb: descriptor.sizeBytes ? (descriptor.sizeBytes / 1e6).toFixed(1) : "0",
      license: descriptor.license ?? "",
      execution_provider: voice?.info.executionProvider ??
        (descriptor.family === "espeak" ? "wasm" : this.#deps.executionProvider),
      speakers: (voice?.info.speakers ?? descriptor.speakers ?? []).join(","),
      downloaded: String(descriptor.downloaded),
      default: String(descriptor.id === this.#deps.defaultModel),
    };
    return {
      model_id: descriptor.id,
      family: descriptor.family,
      is_loaded: voice !== undefined,
      languages: [...descriptor.languages],
      metadata,
    };
  }
}
