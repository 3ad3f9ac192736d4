/**
 * The measurements, each one scenario against a running worker over gRPC. Every scenario starts
 * its own sessions, checks the frames it gets (see {@linkcode TimedStream}) and ends them.
 *
 * @module
 */
import type { TtsClient } from "../src/rpc/client.ts";
import { FRAME_DURATION_MS } from "../src/pipeline/pcm.ts";
import { checkPlayout } from "./playout.ts";
import { chunkCompletingFirstClause, llmTokens } from "./texts.ts";
import { closeTimedStream, openTimedStream, type TimedStream } from "./timed_stream.ts";
import { residentMb } from "./machine.ts";
import { sleep } from "../tests/support/sleep.ts";

/** The worker under test. */
export interface BenchTarget {
  /** A connected client. */
  readonly client: TtsClient;
  /** The voice every session uses. */
  readonly modelId: string;
}

let sessions = 0;

function open(target: BenchTarget, kind: string): Promise<TimedStream> {
  return openTimedStream(target.client, `bench-${kind}-${++sessions}`, target.modelId);
}

/**
 * How long a stream is open before its text is sent, in the one-chunk TTFA: as an orchestrator
 * opens Synthesize before its LLM answers, and as the token scenario's first tokens leave well
 * before the one it times, so that neither counts setting the call up.
 */
export const CALL_SETUP_MS = 100;

/** Time to first audio, in ms, of `text` sent as one final chunk on a stream already open. */
export async function ttfaOneChunk(target: BenchTarget, text: string): Promise<number> {
  const stream = await open(target, "ttfa");
  await sleep(CALL_SETUP_MS);
  const sentAt = stream.send(text, true);
  const firstAt = await stream.framesArrived(1);
  await stream.finalArrived();
  await closeTimedStream(target.client, stream);
  return firstAt - sentAt;
}

/**
 * Time to first audio, in ms, of `text` streamed as LLM tokens every `intervalMs`, then an empty
 * final chunk: from sending the token that completes the first clause (the worker's first
 * segment) to the first frame. This includes waiting for the next token, whose leading
 * whitespace tells the segmenter that the clause's last word is complete.
 */
export async function ttfaTokenStream(
  target: BenchTarget,
  text: string,
  intervalMs: number,
): Promise<number> {
  const chunks = [...llmTokens(text), ""];
  const completing = chunkCompletingFirstClause(chunks.slice(0, -1));
  const stream = await open(target, "tokens");
  const sentAt: number[] = [];
  const start = performance.now();
  for (let i = 0; i < chunks.length; i++) {
    await sleep(start + i * intervalMs - performance.now());
    sentAt.push(stream.send(chunks[i], i === chunks.length - 1));
  }
  const firstAt = await stream.framesArrived(1);
  await stream.finalArrived();
  await closeTimedStream(target.client, stream);
  return firstAt - sentAt[completing];
}

/** Timing of one utterance sent as a single final chunk. */
export interface UtteranceTiming {
  /** From sending the text to the final frame, in ms. */
  readonly synthesisMs: number;
  /** Audio received: frames × 20 ms. */
  readonly audioMs: number;
  /** Frames received. */
  readonly frames: number;
}

/** Speaks `text` as one final chunk and times it to the final frame. */
export async function speakTimed(target: BenchTarget, text: string): Promise<UtteranceTiming> {
  const stream = await open(target, "rtf");
  const sentAt = stream.send(text, true);
  const finalAt = await stream.finalArrived();
  const frames = stream.arrivals.length;
  await closeTimedStream(target.client, stream);
  return { synthesisMs: finalAt - sentAt, audioMs: frames * FRAME_DURATION_MS, frames };
}

/** What a Control command did to an utterance in progress. */
export interface ControlTiming {
  /** From sending the command to the frame that settles it (see each scenario), in ms. */
  readonly ms: number;
  /** Frames that arrived after the command was sent. */
  readonly framesAfter: number;
  /** Whether the command caught the utterance still being sent. */
  readonly effective: boolean;
}

/**
 * Barge-in: speaks `text`, sends STOP once the first frame is in, and times the wait for the
 * utterance's final frame.
 */
export async function stopLatency(target: BenchTarget, text: string): Promise<ControlTiming> {
  const stream = await open(target, "stop");
  stream.send(text, true);
  await stream.framesArrived(1);
  const sentAt = performance.now();
  const response = target.client.control(stream.sessionId, "STOP");
  const finalAt = await stream.finalArrived();
  const reply = await response;
  if (!reply.success) throw new Error(`STOP failed: ${reply.message}`);
  const framesAfter = stream.arrivals.filter((at) => at >= sentAt).length;
  await closeTimedStream(target.client, stream);
  return { ms: finalAt - sentAt, framesAfter, effective: reply.message === "stopped" };
}

/**
 * Speaks `text`, sends PAUSE once the first frame is in, and times the last frame that still
 * arrives (none for `quietMs` after it); then holds for `holdMs` more, RESUMEs, and the rest of the
 * utterance must follow. `ms` is 0 when no frame came after PAUSE was sent. The PAUSE held
 * (`effective`) when no frame at all, final or not, arrived in those `holdMs`: choose it longer
 * than the voice's longest pause between bursts of frames (a segment's inference), so that a
 * PAUSE that let frames through cannot pass for one that held them.
 */
export async function pauseLatency(
  target: BenchTarget,
  text: string,
  quietMs: number,
  holdMs: number,
): Promise<ControlTiming> {
  const stream = await open(target, "pause");
  stream.send(text, true);
  await stream.framesArrived(1);
  const sentAt = performance.now();
  const reply = await target.client.control(stream.sessionId, "PAUSE");
  if (!reply.success) throw new Error(`PAUSE failed: ${reply.message}`);
  const lastAt = await stream.quietAfter(sentAt, quietMs);
  const holdFrom = performance.now();
  await sleep(holdMs);
  const held = stream.finals.length === 0 && stream.arrivals.every((at) => at < holdFrom);
  const framesAfter = stream.arrivals.filter((at) => at >= sentAt).length;
  const resumed = await target.client.control(stream.sessionId, "RESUME");
  if (!resumed.success) throw new Error(`RESUME failed: ${resumed.message}`);
  await stream.finalArrived();
  await closeTimedStream(target.client, stream);
  return { ms: lastAt === undefined ? 0 : lastAt - sentAt, framesAfter, effective: held };
}

/** How `sessions` concurrent sessions fared against a playout buffer. */
export interface ConcurrencyStep {
  /** Concurrent sessions. */
  readonly sessions: number;
  /** Sessions with at least one underrun. */
  readonly underrunSessions: number;
  /** Latest frame relative to its playout deadline, over all sessions, in ms. */
  readonly worstLatenessMs: number;
  /**
   * From sending the text to each session's first frame, in ms, the slowest session's: each
   * stream's playout starts at its own first frame, so this delay is not an underrun.
   */
  readonly firstFrameMaxMs: number;
  /** Peak resident memory of the worker while they spoke, in MiB, when sampled. */
  readonly peakRssMb?: number;
}

/**
 * Starts `count` sessions, sends each `text` at the same moment and checks every stream against a
 * `bufferMs` playout buffer. With `pid`, samples the worker's resident memory meanwhile.
 */
export async function concurrentSessions(
  target: BenchTarget,
  count: number,
  text: string,
  bufferMs: number,
  pid?: number,
): Promise<ConcurrencyStep> {
  const streams = await Promise.all(
    Array.from({ length: count }, () => open(target, `concurrent${count}`)),
  );
  let peakRssMb = 0;
  let sentAt: number[] = [];
  let sampling = pid !== undefined;
  const sampler = (async () => {
    while (sampling) {
      peakRssMb = Math.max(peakRssMb, await residentMb(pid!));
      await sleep(10);
    }
  })();
  try {
    sentAt = streams.map((stream) => stream.send(text, true));
    await Promise.all(streams.map((stream) => stream.finalArrived()));
  } finally {
    sampling = false;
    await sampler;
  }
  const checks = streams.map((stream) =>
    checkPlayout(stream.arrivals, FRAME_DURATION_MS, bufferMs)
  );
  await Promise.all(streams.map((stream) => closeTimedStream(target.client, stream)));
  return {
    sessions: count,
    underrunSessions: checks.filter((check) => check.underruns > 0).length,
    worstLatenessMs: Math.max(...checks.map((check) => check.worstLatenessMs)),
    firstFrameMaxMs: Math.max(...streams.map((stream, i) => stream.arrivals[0] - sentAt[i])),
    ...(pid === undefined ? {} : { peakRssMb }),
  };
}
