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

/** Loads a voice (in production: into the engine Workers that every voice shares). */
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
  /** Per model, the last reload asked for: reloads of one model run one after another. */
  #reloading = new Map<string, Promise<unknown>>();

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
      try {
        return await this.#loadFresh(modelId);
      } finally {
        this.#loading.delete(modelId);
      }
    })();
    this.#loading.set(modelId, loading);
    return loading;
  }

  /**
   * Re-reads a model from disk (loads it if it was not resident); the fresh instance serves the
   * next utterances, and the one it replaces is freed when its last utterance ends. Reloads of one
   * model run one after another, each reading the files anew.
   */
  reload(modelId: string): Promise<LoadOutcome> {
    const previous = this.#reloading.get(modelId) ?? Promise.resolve();
    const reloading = previous.catch(() => {}).then(() => this.#loadFresh(modelId));
    this.#reloading.set(modelId, reloading);
    const forget = () => {
      if (this.#reloading.get(modelId) === reloading) this.#reloading.delete(modelId);
    };
    reloading.then(forget, forget);
    return reloading;
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

  /**
   * Frees a model (idempotent: false when it was not resident). Loads and reloads of it in flight
   * finish first, so that the model is not resident afterwards. With none in flight the model is
   * no longer resident when this returns, before the promise settles: a caller that checked, in the
   * same turn, that nothing uses the model (after {@linkcode ModelResidency.settled}) knows that
   * nothing came to use it in between.
   */
  unload(modelId: string): Promise<boolean> {
    if (this.inFlight(modelId)) return this.settled(modelId).then(() => this.unload(modelId));
    const instance = this.#resident.get(modelId);
    if (!instance) return Promise.resolve(false);
    this.#resident.delete(modelId);
    return instance.retireWhenIdle().then(() => true);
  }

  /** Whether a load or reload of the model is in flight. */
  inFlight(modelId: string): boolean {
    return this.#loading.has(modelId) || this.#reloading.has(modelId);
  }

  /** Settles once no load or reload of the model is in flight (whether they succeed or fail). */
  async settled(modelId: string): Promise<void> {
    while (true) {
      const pending = this.#loading.get(modelId) ?? this.#reloading.get(modelId);
      if (!pending) return;
      await pending.catch(() => {});
    }
  }

  /** Frees every model, also those still loading or reloading. */
  async unloadAll(): Promise<void> {
    const ids = new Set([
      ...this.#resident.keys(),
      ...this.#loading.keys(),
      ...this.#reloading.keys(),
    ]);
    for (const id of ids) await this.unload(id);
  }

  /**
   * Loads a model from its files and makes the result its resident instance; whatever instance
   * is resident by then (a load or reload that finished meanwhile) is retired, never leaked.
   */
  async #loadFresh(modelId: string): Promise<LoadOutcome> {
    const started = performance.now();
    const source = await this.#resolve(modelId);
    const voice = await this.#load(source);
    const replaced = this.#resident.get(modelId);
    this.#resident.set(modelId, new Instance(voice));
    if (replaced) await replaced.retireWhenIdle();
    return { voice, alreadyResident: false, durationMs: performance.now() - started };
  }
}
