import assert from "node:assert/strict";
import { Session, type VoiceProvider } from "./session.ts";
import { SessionReaper } from "./session_reaper.ts";
import { SessionRegistry } from "./session_registry.ts";
import { type OutgoingFrame, SessionStream } from "./session_stream.ts";
import { constantVoice } from "../../tests/support/constant_voice.ts";
import { sleep } from "../../tests/support/sleep.ts";

const NO_VOICES: VoiceProvider = {
  lease: () => {
    throw new Error("no voice in this test");
  },
};

function session(id: string): Session {
  return new Session({ id, modelId: "espeak-en-us", options: { speed: 1 }, voices: NO_VOICES });
}

Deno.test("SessionReaper ends sessions idle past the timeout, and only those", async () => {
  const registry = new SessionRegistry(4);
  const old = session("old");
  registry.add(old);
  const reaped: string[] = [];
  const reaper = new SessionReaper(registry, {
    idleTimeoutMs: 50,
    onReap: (s, idleMs) => {
      reaped.push(s.id);
      assert.ok(idleMs >= 50);
    },
  });
  assert.deepEqual(reaper.reap(), []);
  await new Promise((resolve) => setTimeout(resolve, 80));
  const fresh = session("fresh");
  registry.add(fresh);
  assert.deepEqual(reaper.reap().map((s) => s.id), ["old"]);
  assert.deepEqual(reaped, ["old"]);
  assert.equal(registry.get("old"), undefined);
  assert.equal(registry.get("fresh"), fresh);
});

Deno.test("SessionReaper runs on its own timer", async () => {
  const registry = new SessionRegistry(4);
  registry.add(session("a"));
  const done = Promise.withResolvers<string>();
  const reaper = new SessionReaper(registry, {
    idleTimeoutMs: 30,
    intervalMs: 10,
    onReap: (s) => done.resolve(s.id),
  });
  reaper.start();
  const keepAlive = setTimeout(() => {}, 5000); // the reaper's own timer does not hold the loop
  try {
    assert.equal(await done.promise, "a");
    assert.equal(registry.size, 0);
  } finally {
    reaper.stop();
    clearTimeout(keepAlive);
  }
});

Deno.test("SessionReaper refuses a timeout that is not positive", () => {
  assert.throws(() => new SessionReaper(new SessionRegistry(1), { idleTimeoutMs: 0 }), RangeError);
});

Deno.test("SessionRegistry remembers ids refused when full, and drains", () => {
  const registry = new SessionRegistry(1);
  assert.equal(registry.add(session("a")).ok, true);
  const full = registry.add(session("b"));
  assert.equal(full.ok, false);
  assert.equal(full.ok === false && full.reason, "full");
  assert.equal(registry.wasRefused("b"), true);
  assert.equal(registry.wasRefused("a"), false);
  registry.remove("a");
  assert.equal(registry.add(session("b")).ok, true);
  assert.equal(registry.wasRefused("b"), false, "an admitted id is no longer refused");
  registry.startDraining();
  const draining = registry.add(session("c"));
  assert.equal(draining.ok === false && draining.reason, "draining");
  assert.match(draining.ok === false ? draining.message : "", /shutting down/);
});

Deno.test("SessionReaper ends a session whose utterance was paused and then left alone, with its final frame", async () => {
  const registry = new SessionRegistry(4);
  const voice = constantVoice({ seconds: 5 });
  const voices: VoiceProvider = { lease: () => ({ voice, release() {} }) };
  const make = (id: string) => {
    const s = new Session({ id, modelId: "constant", options: { speed: 1 }, voices });
    registry.add(s);
    const sent: OutgoingFrame[] = [];
    const stream = new SessionStream(s, {
      sink: { write: (frame) => Promise.resolve(void sent.push(frame)) },
    });
    registry.attachStream(id, stream);
    const done = stream.run();
    stream.acceptText("A long sentence that is held.", true);
    return { session: s, sent, done };
  };
  const paused = make("paused");
  const speaking = make("speaking");
  paused.session.gate.pause();
  const reaper = new SessionReaper(registry, { idleTimeoutMs: 50 });
  await sleep(80);
  // The paused session has been silent past the timeout; the other is still sending frames.
  assert.deepEqual(reaper.reap().map((s) => s.id), ["paused"]);
  await paused.done;
  assert.equal(paused.sent.filter((frame) => frame.isFinal).length, 1);
  assert.equal(paused.sent.at(-1)?.isFinal, true);
  assert.ok(registry.get("speaking"), "a session sending frames is not idle");
  const other = registry.remove("speaking");
  other?.stream?.end();
  await speaking.done;
});
