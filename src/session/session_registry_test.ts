import assert from "node:assert/strict";
import { constantVoice } from "../../tests/support/constant_voice.ts";
import { until } from "../../tests/support/sleep.ts";
import { Session, type VoiceProvider } from "./session.ts";
import { SessionRegistry } from "./session_registry.ts";
import { type OutgoingFrame, SessionStream } from "./session_stream.ts";

const voice = constantVoice({ seconds: 2 });
const VOICES: VoiceProvider = { lease: () => ({ voice, release() {} }) };

/** A registry with one session, "s", added. */
function registryWithSession(): { registry: SessionRegistry; session: Session } {
  const registry = new SessionRegistry(2);
  const session = new Session({
    id: "s",
    modelId: "constant",
    options: { speed: 1 },
    voices: VOICES,
  });
  registry.add(session);
  return { registry, session };
}

function stream(session: Session, sent: OutgoingFrame[] = []): SessionStream {
  return new SessionStream(session, {
    sink: { write: (frame) => Promise.resolve(void sent.push(frame)) },
  });
}

Deno.test("attachStream: a new stream replaces an idle one, which ends; the old one cannot detach it", async () => {
  const { registry, session } = registryWithSession();
  const sent: OutgoingFrame[] = [];
  const first = stream(session, sent);
  assert.deepEqual(registry.attachStream("s", first), { ok: true, replaced: undefined });
  const firstDone = first.run();
  first.acceptText("Said on the first stream.", true);
  await until(() => sent.some((frame) => frame.isFinal), "the first stream's final frame");

  const second = stream(session, sent);
  const attached = registry.attachStream("s", second);
  assert.deepEqual(attached, { ok: true, replaced: first });
  assert.equal(first.superseded, true);
  assert.equal(registry.streamOf("s"), second);
  assert.equal(registry.openStreams, 1);
  await firstDone; // the replaced stream's run() ends: its call ends with OK
  // The old call's handlers tidy up after it: the new stream stays attached.
  first.close();
  registry.detachStream("s", first);
  assert.equal(registry.streamOf("s"), second);
  // EndSession reaches the new stream.
  assert.equal(registry.remove("s")?.stream, second);
});

Deno.test("attachStream: refused while the current stream speaks or has an utterance open", async () => {
  const { registry, session } = registryWithSession();
  const sent: OutgoingFrame[] = [];
  const held = Promise.withResolvers<void>();
  const first = new SessionStream(session, {
    sink: {
      write(frame) {
        sent.push(frame);
        return sent.length === 3 ? held.promise : Promise.resolve(); // a slow client
      },
    },
  });
  registry.attachStream("s", first);
  const firstDone = first.run();
  first.acceptText("An answer the client has not ended", false);
  const refused = registry.attachStream("s", stream(session));
  assert.deepEqual(refused, { ok: false, current: first });
  first.acceptText(" yet.", true);
  await until(() => sent.length === 3, "frames of the first stream");
  assert.equal(registry.attachStream("s", stream(session)).ok, false, "still speaking");
  assert.equal(first.superseded, false);
  assert.equal(registry.streamOf("s"), first);
  first.end();
  held.resolve();
  await firstDone;
  assert.equal(sent.filter((frame) => frame.isFinal).length, 1);
});
