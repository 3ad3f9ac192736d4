/**
 * Which voices are resident (loaded, ready to speak). One instance per resident model, shared by
 * every session that speaks with it; RELOAD swaps in a fresh instance for the next utterance and
 * frees the old one when its last utterance ends.
 *
 * @module
 */
import type { VoiceModel, VoiceSource } from "../engines/engine.ts";

/** Resolves a model id to what loading needs; rejects with a message a client can act on. */
export type VoiceSourceResolver = (modelId: string) => Promise<VoiceSource>;

/** Loads a voice (in production: in its own Worker). */
export type VoiceLoader = (source: VoiceSource) => Promise<VoiceModel>;

/** A voice held for one utterance. */
export interface ResidentLease {
  /** The resident voice. */
  readonly voice: VoiceModel;
  /** Ends the lease. */
  release(): void;
}

/** The outcome of a load. */
export interface LoadOutcome {
  /** The resident voice. */
  readonly voice: VoiceModel;
  /** True when it was resident already (nothing was loaded). */
  readonly alreadyResident: boolean;
  /** Time the load took, in ms (0 when already resident). */
  readonly durationMs: number;
}

class Instance {
  leases = 0;
  retired = false;
  constructor(readonly voice: VoiceModel) {}

  async retireWhenIdle(): Promise<void> {
    this.retired = true;
    if (this.leases === 0) await this.voice.dispose();
  }
}

/** The resident voices. */
export class ModelResidency {
  #resolve: VoiceSourceResolver;
  #load: VoiceLoader;
  #resident = new Map<string, Instance>();
  #loading = new Map<string, Promise<LoadOutcome>>();

  /** @param resolve finds a model's files; @param load loads a voice from them */
  constructor(resolve: VoiceSourceResolver, load: VoiceLoader) {
    this.#resolve = resolve;
    this.#load = load;
  }

  /** Ids of the resident models, sorted. */
  residentIds(): string[] {
    return [...this.#resident.keys()].sort();
  }

  /** Whether a model is resident. */
  isResident(modelId: string): boolean {
    return this.#resident.has(modelId);
  }

  /** The resident voice of a model. */
  get(modelId: string): VoiceModel | undefined {
    return this.#resident.get(modelId)?.voice;
  }

  /** Makes a model resident; concurrent loads of one model share one load. */
  load(modelId: string): Promise<LoadOutcome> {
    const resident = this.#resident.get(modelId);
    if (resident) {
      return Promise.resolve({ voice: resident.voice, alreadyResident: true, durationMs: 0 });
    }
    const inFlight = this.#loading.get(modelId);
    if (inFlight) return inFlight;
    const loading = (async () => {
      const started = performance.now();
      try {
        const source = await this.#resolve(modelId);
        const voice = await this.#load(source);
        this.#resident.set(modelId, new Instance(voice));
        return { voice, alreadyResident: false, durationMs: performance.now() - started };
      } finally {
        this.#loading.delete(modelId);
      }
    })();
    this.#loading.set(modelId, loading);
    return loading;
  }

  /** Re-reads a resident model from disk; the fresh instance serves the next utterances. */
  async reload(modelId: string): Promise<LoadOutcome> {
    const old = this.#resident.get(modelId);
    const started = performance.now();
    const source = await this.#resolve(modelId);
    const voice = await this.#load(source);
    this.#resident.set(modelId, new Instance(voice));
    if (old) await old.retireWhenIdle();
    return { voice, alreadyResident: false, durationMs: performance.now() - started };
  }

  /** Leases a resident model's current voice for one utterance; throws if it is not resident. */
  lease(modelId: string): ResidentLease {
    const instance = this.#resident.get(modelId);
    if (!instance) throw new Error(`model "${modelId}" is not resident`);
    instance.leases++;
    let released = false;
    return {
      voice: instance.voice,
      release: () => {
        if (released) return;
        released = true;
        instance.leases--;
        if (instance.retired && instance.leases === 0) {
          instance.voice.dispose().catch(() => {});
        }
      },
    };
  }

  /** Frees a model (idempotent: false when it was not resident). */
  async unload(modelId: string): Promise<boolean> {
    const instance = this.#resident.get(modelId);
    if (!instance) return false;
    this.#resident.delete(modelId);
    await instance.retireWhenIdle();
    return true;
  }

  /** Frees every model. */
  async unloadAll(): Promise<void> {
    for (const id of [...this.#resident.keys()]) await this.unload(id);
  }
}
