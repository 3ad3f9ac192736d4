import assert from "node:assert/strict";
import { ConfigError, DEFAULT_CONFIG, defaultInferenceWorkers, loadConfig } from "./config.ts";
import { DEFAULT_SEGMENTER_OPTIONS, SentenceSegmenter } from "./pipeline/sentence_segmenter.ts";

Deno.test("loadConfig: defaults when nothing is set", () => {
  const config = loadConfig([], {});
  assert.deepEqual(config, DEFAULT_CONFIG);
  assert.equal(config.firstSegmentMinWords, DEFAULT_SEGMENTER_OPTIONS.firstSegmentMinWords);
  assert.equal(config.firstSegmentMaxWords, DEFAULT_SEGMENTER_OPTIONS.firstSegmentMaxWords);
  assert.equal(config.maxSegmentChars, DEFAULT_SEGMENTER_OPTIONS.maxSegmentChars);
});

Deno.test("loadConfig: segmentation thresholds from flags and environment, flags win", () => {
  const env = {
    TTS_FIRST_SEGMENT_MIN_WORDS: "3",
    TTS_FIRST_SEGMENT_MAX_WORDS: "8",
    TTS_MAX_SEGMENT_CHARS: "150",
  };
  const fromEnv = loadConfig([], env);
  assert.equal(fromEnv.firstSegmentMinWords, 3);
  assert.equal(fromEnv.firstSegmentMaxWords, 8);
  assert.equal(fromEnv.maxSegmentChars, 150);

  const fromFlags = loadConfig([
    "--first-segment-min-words",
    "2",
    "--first-segment-max-words=6",
    "--max-segment-chars",
    "90",
  ], env);
  assert.equal(fromFlags.firstSegmentMinWords, 2);
  assert.equal(fromFlags.firstSegmentMaxWords, 6);
  assert.equal(fromFlags.maxSegmentChars, 90);

  // One flag over the environment leaves the other settings to the environment.
  const mixed = loadConfig(["--max-segment-chars", "400"], env);
  assert.deepEqual(
    [mixed.firstSegmentMinWords, mixed.firstSegmentMaxWords, mixed.maxSegmentChars],
    [3, 8, 400],
  );
  // Every accepted configuration makes a valid segmenter.
  for (const config of [fromEnv, fromFlags, mixed, loadConfig([], {})]) {
    new SentenceSegmenter(config);
  }
});

Deno.test("loadConfig: bad segmentation thresholds are a ConfigError naming the setting", async (t) => {
  const cases: { args?: string[]; env?: Record<string, string>; message: RegExp }[] = [
    {
      args: ["--first-segment-min-words", "0"],
      message:
        /^--first-segment-min-words \(or TTS_FIRST_SEGMENT_MIN_WORDS\) must be a whole number from 1 to 100, got "0"$/,
    },
    {
      env: { TTS_FIRST_SEGMENT_MAX_WORDS: "ten" },
      message: /--first-segment-max-words .*from 1 to 1000, got "ten"/,
    },
    { args: ["--first-segment-max-words", "2.5"], message: /--first-segment-max-words/ },
    { args: ["--max-segment-chars", "5"], message: /--max-segment-chars .*from 10 to 10000/ },
    { env: { TTS_MAX_SEGMENT_CHARS: "" }, message: /TTS_MAX_SEGMENT_CHARS.*got ""/ },
    { args: ["--max-segment-chars=-20"], message: /--max-segment-chars/ },
    // A valid flag does not hide a bad environment value of another setting.
    {
      args: ["--max-segment-chars", "100"],
      env: { TTS_FIRST_SEGMENT_MIN_WORDS: "1000" },
      message: /--first-segment-min-words/,
    },
  ];
  for (const { args = [], env = {}, message } of cases) {
    await t.step(`${args.join(" ")} ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(args, env), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
        assert.match(error.message, message);
        return true;
      });
    });
  }
  // A bad environment value is not read when a flag overrides it.
  assert.equal(
    loadConfig(["--max-segment-chars", "100"], { TTS_MAX_SEGMENT_CHARS: "x" }).maxSegmentChars,
    100,
  );
});

Deno.test("loadConfig: the other whole-number setting keeps its range", () => {
  assert.equal(loadConfig(["--max-sessions", "8"], {}).maxSessions, 8);
  assert.throws(() => loadConfig(["--max-sessions", "0"], {}), ConfigError);
  assert.throws(() => loadConfig([], { TTS_MAX_SESSIONS: "10001" }), /--max-sessions/);
});

Deno.test("loadConfig: an empty host is refused, naming the setting", () => {
  for (const [args, env] of [[["--host", ""], {}], [[], { TTS_HOST: "" }]] as const) {
    assert.throws(
      () => loadConfig([...args], env),
      /^ConfigError: --host \(or TTS_HOST\) must be a non-empty string, got ""$/,
    );
  }
  assert.equal(loadConfig(["--host", "127.0.0.1"], {}).host, "127.0.0.1");
});

Deno.test("loadConfig: the TLS handshake timeout defaults to 10 s, within 100 ms to 10 min", () => {
  assert.equal(loadConfig([], {}).tlsHandshakeTimeoutMs, 10_000);
  assert.equal(
    loadConfig([], { TTS_TLS_HANDSHAKE_TIMEOUT_MS: "2500" }).tlsHandshakeTimeoutMs,
    2500,
  );
  assert.throws(
    () => loadConfig(["--tls-handshake-timeout-ms", "50"], {}),
    /--tls-handshake-timeout-ms \(or TTS_TLS_HANDSHAKE_TIMEOUT_MS\) must be a whole number from 100 to 600000/,
  );
});

Deno.test("loadConfig: STOP drops late text of the cut utterance for 250 ms; 0 turns it off", () => {
  assert.equal(loadConfig([], {}).stoppedTextWindowMs, 250);
  assert.equal(loadConfig(["--stopped-text-window-ms", "0"], {}).stoppedTextWindowMs, 0);
  assert.equal(
    loadConfig([], { TTS_STOPPED_TEXT_WINDOW_MS: "1500" }).stoppedTextWindowMs,
    1500,
  );
  assert.throws(
    () => loadConfig(["--stopped-text-window-ms", "60001"], {}),
    /--stopped-text-window-ms \(or TTS_STOPPED_TEXT_WINDOW_MS\) must be a whole number from 0 to 60000/,
  );
});

Deno.test("loadConfig: frames are paced with 1 s of lead; 0 turns pacing off", () => {
  assert.equal(loadConfig([], {}).audioLeadMs, 1000);
  assert.equal(loadConfig(["--audio-lead-ms", "0"], {}).audioLeadMs, 0);
  assert.equal(loadConfig([], { TTS_AUDIO_LEAD_MS: "250" }).audioLeadMs, 250);
  assert.throws(
    () => loadConfig(["--audio-lead-ms", "600001"], {}),
    /--audio-lead-ms \(or TTS_AUDIO_LEAD_MS\) must be a whole number from 0 to 600000/,
  );
});

Deno.test("loadConfig: inference Workers default to the cores, from flag or environment", () => {
  assert.equal(DEFAULT_CONFIG.inferenceWorkers, defaultInferenceWorkers());
  assert.equal(defaultInferenceWorkers(2), 2);
  assert.equal(defaultInferenceWorkers(1), 1);
  assert.equal(defaultInferenceWorkers(64), 16, "the default stays bounded on big machines");
  assert.equal(defaultInferenceWorkers(0), 1);
  assert.equal(defaultInferenceWorkers(Number.NaN), 1);
  assert.equal(loadConfig([], { TTS_INFERENCE_WORKERS: "3" }).inferenceWorkers, 3);
  assert.equal(
    loadConfig(["--inference-workers", "5"], { TTS_INFERENCE_WORKERS: "3" }).inferenceWorkers,
    5,
  );
  assert.throws(
    () => loadConfig(["--inference-workers", "0"], {}),
    /^ConfigError: --inference-workers \(or TTS_INFERENCE_WORKERS\) must be a whole number from 1 to 256, got "0"$/,
  );
  assert.throws(() => loadConfig([], { TTS_INFERENCE_WORKERS: "two" }), ConfigError);
});

Deno.test("loadConfig: the metrics port is off by default, from flag or environment", () => {
  assert.equal(loadConfig([], {}).metricsPort, undefined);
  assert.equal(loadConfig([], { TTS_METRICS_PORT: "" }).metricsPort, undefined);
  assert.equal(loadConfig([], { TTS_METRICS_PORT: "9464" }).metricsPort, 9464);
  assert.equal(loadConfig(["--metrics-port", "0"], { TTS_METRICS_PORT: "9464" }).metricsPort, 0);
  for (const raw of ["-1", "65536", "http", "9.5"]) {
    assert.throws(
      () => loadConfig([`--metrics-port=${raw}`], {}),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message ===
          `--metrics-port (or TTS_METRICS_PORT) must be a port number from 0 to 65535, got "${raw}"`,
    );
  }
});
