/**
 * Entry point of an engine Worker: hosts resident voices off the main thread so that inference
 * never blocks the gRPC event loop. One Worker holds any number of voices (one onnxruntime-web
 * WebAssembly instance and one espeak-ng instance serve them all, so a further voice costs its
 * weights, not another runtime and heap). Requests are handled one at a time, in order.
 * A `cancel` is handled at once, ahead of the queue: an inference not yet started is skipped,
 * one running is aborted as far as its engine allows (a synchronous WebAssembly run finishes
 * first). Every request gets exactly one reply, a cancelled one the error `cancelled`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { VoiceModel } from "./engine.ts";
import type {
  EngineLogLevel,
  EngineLogNotice,
  EngineReply,
  EngineRequest,
} from "./engine_worker_protocol.ts";
import { engineAdapterFor } from "./families.ts";
import { errorMessage } from "../error_message.ts";

/**
 * The console of this Worker writes to the main thread instead, which logs each line as JSON:
 * an engine library's warnings and errors reach the worker's structured log, not raw stderr.
 */
function forwardConsole(): void {
  const forward = (level: EngineLogLevel) => (...args: unknown[]) => {
    const message = args.map((arg) => typeof arg === "string" ? arg : Deno.inspect(arg)).join(" ");
    self.postMessage({ kind: "log", level, message } satisfies EngineLogNotice);
  };
  console.error = forward("error");
  console.warn = forward("warn");
  console.info = forward("info");
  console.log = forward("info");
}
forwardConsole();

/** Loaded voices, by the number the main thread gave each. */
const voices = new Map<number, VoiceModel>();
let queue: Promise<void> = Promise.resolve();
/** Inferences received and neither started nor cancelled. */
const waiting = new Set<number>();
/** Inferences running, with what aborts each. */
const running = new Map<number, AbortController>();

function reply(message: EngineReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function voiceFor(id: number): VoiceModel {
  const voice = voices.get(id);
  if (!voice) throw new Error(`voice ${id} is not loaded in this worker`);
  return voice;
}

async function handle(request: EngineRequest): Promise<void> {
  try {
    switch (request.kind) {
      case "load": {
        if (voices.has(request.voice)) throw new Error(`voice ${request.voice} is loaded already`);
        const voice = await engineAdapterFor(request.source.family).load(request.source);
        voices.set(request.voice, voice);
        reply({ id: request.id, ok: true, kind: "load", info: voice.info });
        return;
      }
      case "prepare": {
        const segment = await voiceFor(request.voice).prepare(request.text, request.options);
        reply({ id: request.id, ok: true, kind: "prepare", segment });
        return;
      }
      case "infer": {
        const voice = voiceFor(request.voice);
        if (!waiting.delete(request.id)) throw new Error("cancelled");
        const controller = new AbortController();
        running.set(request.id, controller);
        let pcm: Float32Array;
        try {
          pcm = await voice.infer(request.segment, request.options, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) throw new Error("cancelled");
          throw error;
        } finally {
          running.delete(request.id);
        }
        reply({ id: request.id, ok: true, kind: "infer", pcm }, [pcm.buffer as ArrayBuffer]);
        return;
      }
      case "cancel":
        return;
      case "unload": {
        const voice = voices.get(request.voice);
        voices.delete(request.voice);
        await voice?.dispose();
        reply({ id: request.id, ok: true, kind: "unload" });
        return;
      }
    }
  } catch (error) {
    const message = errorMessage(error);
    reply({ id: request.id, ok: false, error: message });
  }
}

self.onmessage = (event: MessageEvent<EngineRequest>) => {
  const request = event.data;
  if (request.kind === "cancel") {
    // Handled at once, ahead of the queue: skipped if not started, aborted if running.
    waiting.delete(request.target);
    running.get(request.target)?.abort(new Error("cancelled"));
    return;
  }
  if (request.kind === "infer") waiting.add(request.id);
  queue = queue.then(() => handle(request));
};
