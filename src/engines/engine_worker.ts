/**
 * Entry point of an engine Worker: hosts one resident voice off the main thread so that
 * inference never blocks the gRPC event loop. Requests are handled one at a time, in order.
 * A `cancel` is handled at once, ahead of the queue: an inference not yet started is skipped,
 * one running is aborted as far as its engine allows (a synchronous WebAssembly run finishes
 * first). Every request gets exactly one reply, a cancelled one the error `cancelled`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { VoiceModel } from "./engine.ts";
import type { EngineReply, EngineRequest } from "./engine_worker_protocol.ts";
import { engineAdapterFor } from "./families.ts";

let voice: VoiceModel | undefined;
let queue: Promise<void> = Promise.resolve();
/** Inferences received and neither started nor cancelled. */
const waiting = new Set<number>();
/** Inferences running, with what aborts each. */
const running = new Map<number, AbortController>();

function reply(message: EngineReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function handle(request: EngineRequest): Promise<void> {
  try {
    switch (request.kind) {
      case "load": {
        voice = await engineAdapterFor(request.source.family).load(request.source);
        reply({ id: request.id, ok: true, kind: "load", info: voice.info });
        return;
      }
      case "prepare": {
        if (!voice) throw new Error("no voice loaded in this worker");
        const segment = await voice.prepare(request.text, request.options);
        reply({ id: request.id, ok: true, kind: "prepare", segment });
        return;
      }
      case "infer": {
        if (!voice) throw new Error("no voice loaded in this worker");
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
      case "dispose": {
        await voice?.dispose();
        voice = undefined;
        reply({ id: request.id, ok: true, kind: "dispose" });
        return;
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
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
