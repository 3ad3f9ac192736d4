import assert from "node:assert/strict";
import { InferenceScheduler, type InferenceTicket } from "./inference_scheduler.ts";

/** A task the test finishes by hand; records when it started and the signal it got. */
interface HeldTask {
  readonly name: string;
  readonly result: Promise<string>;
  started: boolean;
  signal?: AbortSignal;
  finish(): void;
  fail(error: Error): void;
}

/** Harness: submits held tasks and records the order in which they start. */
class Harness {
  readonly scheduler: InferenceScheduler;
  readonly starts: string[] = [];
  readonly tasks = new Map<string, HeldTask>();

  constructor(concurrency: number) {
    this.scheduler = new InferenceScheduler(concurrency);
  }

  submit(name: string, ticket: InferenceTicket, signal?: AbortSignal): HeldTask {
    const done = Promise.withResolvers<string>();
    const held: HeldTask = {
      name,
      started: false,
      result: undefined as unknown as Promise<string>,
      finish: () => done.resolve(name),
      fail: (error) => done.reject(error),
    };
    const result = this.scheduler.run(ticket, (taskSignal) => {
      held.started = true;
      held.signal = taskSignal;
      this.starts.push(name);
      return done.promise;
    }, signal);
    result.catch(() => {}); // the tests look at rejections themselves
    Object.assign(held, { result });
    this.tasks.set(name, held);
    return held;
  }

  /** Finishes the running tasks one at a time until nothing runs; returns the start order. */
  async drain(): Promise<string[]> {
    while (true) {
      const running = [...this.tasks.values()].filter((t) => t.started && !finished.has(t));
      if (running.length === 0) return this.starts;
      for (const task of running) {
        finished.add(task);
        task.finish();
        await task.result.catch(() => {});
      }
    }
  }
}

const finished = new WeakSet<HeldTask>();

const later = (sessionId: string): InferenceTicket => ({ sessionId, first: false });
const first = (sessionId: string): InferenceTicket => ({ sessionId, first: true });

/** Lets promise callbacks (settlements, dispatch) run. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("InferenceScheduler: runs at most `concurrency` tasks at once", async () => {
  const h = new Harness(2);
  const a = h.submit("a", later("A"));
  const b = h.submit("b", later("B"));
  const c = h.submit("c", later("C"));
  assert.deepEqual([a.started, b.started, c.started], [true, true, false]);
  assert.deepEqual(h.scheduler.stats(), { queued: 1, running: 2, concurrency: 2 });
  b.finish();
  finished.add(b);
  assert.equal(await b.result, "b");
  assert.ok(c.started, "the freed slot goes to the waiting task");
  assert.deepEqual(h.scheduler.stats(), { queued: 0, running: 2, concurrency: 2 });
  await h.drain();
  assert.deepEqual(h.scheduler.stats(), { queued: 0, running: 0, concurrency: 2 });
});

Deno.test("InferenceScheduler: FIFO within a session", async () => {
  const h = new Harness(1);
  for (const name of ["a1", "a2", "a3", "a4"]) h.submit(name, later("A"));
  assert.deepEqual(await h.drain(), ["a1", "a2", "a3", "a4"]);
});

Deno.test("InferenceScheduler: later segments take turns across sessions (round-robin)", async () => {
  const h = new Harness(1);
  h.submit("x", later("X")); // holds the only slot while the others queue
  for (const name of ["a1", "a2", "a3"]) h.submit(name, later("A"));
  for (const name of ["b1", "b2"]) h.submit(name, later("B"));
  h.submit("c1", later("C"));
  assert.equal(h.scheduler.stats().queued, 6);
  assert.deepEqual(await h.drain(), ["x", "a1", "b1", "c1", "a2", "b2", "a3"]);
});

Deno.test("InferenceScheduler: a session served goes to the back of the line", async () => {
  const h = new Harness(1);
  const a1 = h.submit("a1", later("A"));
  h.submit("b1", later("B"));
  finished.add(a1);
  a1.finish();
  await a1.result;
  // A submits its next segment only now (as a pipeline does); B has waited, so B goes first.
  h.submit("a2", later("A"));
  assert.deepEqual(await h.drain(), ["a1", "b1", "a2"]);
});

Deno.test("InferenceScheduler: first segments go ahead of other sessions' later ones", async () => {
  const h = new Harness(1);
  h.submit("x", later("X"));
  h.submit("a1", later("A"));
  h.submit("a2", later("A"));
  h.submit("b1", later("B"));
  h.submit("c-first", first("C"));
  h.submit("d-first", first("D"));
  h.submit("c2", later("C"));
  assert.deepEqual(await h.drain(), ["x", "c-first", "d-first", "a1", "b1", "c2", "a2"]);
});

Deno.test("InferenceScheduler: a first segment does not jump its own session's queue", async () => {
  const h = new Harness(1);
  h.submit("x", later("X"));
  h.submit("b1", later("B"));
  h.submit("a1", later("A"));
  h.submit("a-first", first("A"));
  // A's head is a later segment, so A waits its turn; its first segment stays behind a1.
  assert.deepEqual(await h.drain(), ["x", "b1", "a1", "a-first"]);
});

Deno.test("InferenceScheduler: first segments with free slots start at once", () => {
  const h = new Harness(2);
  const a = h.submit("a", first("A"));
  const b = h.submit("b", later("B"));
  assert.ok(a.started && b.started);
  a.finish();
  b.finish();
});

Deno.test("InferenceScheduler: aborting a waiting request removes it at once", async () => {
  const h = new Harness(1);
  const x = h.submit("x", later("X"));
  const controller = new AbortController();
  const a = h.submit("a", later("A"), controller.signal);
  h.submit("b", later("B"));
  assert.equal(h.scheduler.stats().queued, 2);
  const reason = new Error("client went away");
  controller.abort(reason);
  assert.equal(h.scheduler.stats().queued, 1, "gone from the queue before any await");
  await assert.rejects(a.result, (error) => error === reason);
  assert.equal(x.started, true);
  assert.deepEqual(await h.drain(), ["x", "b"]);
  assert.equal(a.started, false, "an aborted request never runs");
});

Deno.test("InferenceScheduler: aborting a session's only waiting request frees its turn", async () => {
  const h = new Harness(1);
  h.submit("x", later("X"));
  const controller = new AbortController();
  h.submit("a-first", first("A"), controller.signal);
  h.submit("b1", later("B"));
  controller.abort();
  h.submit("a2", later("A"));
  assert.deepEqual(await h.drain(), ["x", "b1", "a2"]);
});

Deno.test("InferenceScheduler: aborting a running request rejects at once, slot held until it settles", async () => {
  const h = new Harness(1);
  const controller = new AbortController();
  const a = h.submit("a", later("A"), controller.signal);
  const b = h.submit("b", later("B"));
  assert.ok(a.started);
  assert.equal(a.signal?.aborted, false);
  const reason = new DOMException("stopped by client", "AbortError");
  controller.abort(reason);
  await assert.rejects(a.result, (error) => error === reason);
  assert.equal(a.signal?.aborted, true, "the task is told to stop");
  await tick();
  assert.equal(b.started, false, "the aborted task still holds the slot");
  assert.deepEqual(h.scheduler.stats(), { queued: 1, running: 1, concurrency: 1 });
  finished.add(a);
  a.finish(); // the work ends; its late result is dropped
  await tick();
  assert.ok(b.started);
  await h.drain();
});

Deno.test("InferenceScheduler: an already aborted signal rejects without running", async () => {
  const h = new Harness(1);
  const reason = new Error("too late");
  const a = h.submit("a", later("A"), AbortSignal.abort(reason));
  await assert.rejects(a.result, (error) => error === reason);
  assert.equal(a.started, false);
  assert.deepEqual(h.scheduler.stats(), { queued: 0, running: 0, concurrency: 1 });
});

Deno.test("InferenceScheduler: a failing task rejects its caller and frees its slot", async () => {
  const h = new Harness(1);
  const a = h.submit("a", later("A"));
  const b = h.submit("b", later("B"));
  a.fail(new Error("inference failed"));
  finished.add(a);
  await assert.rejects(a.result, /inference failed/);
  assert.ok(b.started);
  const thrown = h.scheduler.run(later("C"), () => {
    throw new Error("thrown synchronously");
  });
  b.finish();
  finished.add(b);
  await assert.rejects(thrown, /thrown synchronously/);
  assert.deepEqual(h.scheduler.stats(), { queued: 0, running: 0, concurrency: 1 });
});

Deno.test("InferenceScheduler: concurrency must be a whole number of at least 1", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(() => new InferenceScheduler(bad), RangeError);
  }
});
