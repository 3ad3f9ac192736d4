import assert from "node:assert/strict";
import {
  ConfigError,
  DEFAULT_CONFIG,
  describeConfig,
  envName,
  flagName,
  loadConfig,
  SETTINGS,
} from "./config.ts";

/** Writes `content` (JSON unless a string) to a temporary config file; returns its path. */
async function configFile(content: unknown): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "tts-config-" });
  const path = `${dir}/worker.json`;
  await Deno.writeTextFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function assertConfigError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("config file: keys are the camelCase fields; flags and variables derive from them", () => {
  assert.equal(flagName("maxReceiveMessageBytes"), "max-receive-message-bytes");
  assert.equal(envName("idleTimeoutS"), "TTS_IDLE_TIMEOUT_S");
  assert.equal(envName("tlsClientCa"), "TTS_TLS_CLIENT_CA");
  for (const key of Object.keys(SETTINGS)) assert.ok(key in DEFAULT_CONFIG, key);
});

Deno.test("config file, then TTS_* variables, then flags: the later wins, per setting", async () => {
  const path = await configFile({
    port: 7100,
    maxSessions: 3,
    logLevel: "warn",
    host: "127.0.0.1",
  });
  try {
    const fileOnly = loadConfig(["--config", path], {});
    assert.deepEqual(
      [fileOnly.port, fileOnly.maxSessions, fileOnly.logLevel, fileOnly.host],
      [7100, 3, "warn", "127.0.0.1"],
    );
    assert.equal(fileOnly.configFile, path);
    assert.equal(fileOnly.idleTimeoutS, DEFAULT_CONFIG.idleTimeoutS, "unset keys keep defaults");

    const env = { TTS_CONFIG: path, TTS_MAX_SESSIONS: "5", TTS_LOG_LEVEL: "error" };
    const withEnv = loadConfig([], env);
    assert.deepEqual(
      [withEnv.port, withEnv.maxSessions, withEnv.logLevel],
      [7100, 5, "error"],
      "TTS_CONFIG names the file; variables beat it",
    );

    const withFlags = loadConfig(["--max-sessions", "9"], env);
    assert.deepEqual(
      [withFlags.port, withFlags.maxSessions, withFlags.logLevel],
      [7100, 9, "error"],
      "flags beat variables and the file",
    );
  } finally {
    await Deno.remove(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  }
});

Deno.test("config file: paths are relative to the file; the token is read and masked", async () => {
  const path = await configFile({ modelsDir: "voices", authTokenFile: "token.txt" });
  const dir = path.slice(0, path.lastIndexOf("/"));
  try {
    await Deno.writeTextFile(`${dir}/token.txt`, "s3cret-token\n");
    const config = loadConfig([`--config=${path}`], {});
    assert.equal(config.modelsDir, `${dir}/voices`);
    assert.equal(config.authTokenFile, `${dir}/token.txt`);
    assert.equal(config.authToken, "s3cret-token", "the file's trimmed content");
    const described = describeConfig(config);
    assert.equal(described.authToken, "***");
    assert.ok(!JSON.stringify(described).includes("s3cret"), "no secret in the printed config");
    assert.equal(describeConfig(loadConfig([], {})).authToken, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config file: unknown keys, wrong types and ranges name the key and what is allowed", async (t) => {
  const cases: [unknown, RegExp][] = [
    [
      { port: 7001, colour: "blue", maxSession: 2 },
      /unknown keys "colour", "maxSession"; keys are camelCase: host, port/,
    ],
    [{ "max-sessions": 2 }, /unknown key "max-sessions" \(write "maxSessions"\)/],
    [{ port: "7001" }, /"port" must be a port number from 0 to 65535, got "7001"/],
    [{ maxSessions: 0 }, /"maxSessions" must be a whole number from 1 to 10000, got 0/],
    [{ idleTimeoutS: 2.5 }, /"idleTimeoutS" must be a whole number from 1 to 86400, got 2.5/],
    [
      { executionProvider: "cuda" },
      /"executionProvider" must be one of auto, wasm, webgpu, got "cuda"/,
    ],
    [{ host: 7 }, /"host" must be a non-empty string, got 7/],
    [{ tlsCert: true }, /"tlsCert" must be a file or directory path/],
    [[1, 2], /must hold a JSON object/],
    ["{ port: 1 ", /is not valid JSON/],
  ];
  for (const [content, message] of cases) {
    await t.step(JSON.stringify(content), async () => {
      const path = await configFile(content);
      try {
        assertConfigError(() => loadConfig(["--config", path], {}), message);
        // A flag for the key does not excuse a bad file: the whole file is checked.
        assertConfigError(() => loadConfig(["--config", path, "--port", "1"], {}), message);
      } finally {
        await Deno.remove(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      }
    });
  }
  assertConfigError(
    () => loadConfig(["--config", "/nonexistent/worker.json"], {}),
    /config file "\/nonexistent\/worker.json" \(--config or TTS_CONFIG\) cannot be read/,
  );
});

Deno.test("security settings: limits have ranges; TLS files go together", () => {
  const config = loadConfig(
    ["--max-receive-message-bytes", "65536"],
    { TTS_MAX_CONCURRENT_STREAMS: "8" },
  );
  assert.equal(config.maxReceiveMessageBytes, 65536);
  assert.equal(config.maxConcurrentStreams, 8);
  assertConfigError(
    () => loadConfig(["--max-receive-message-bytes", "100"], {}),
    /^--max-receive-message-bytes \(or TTS_MAX_RECEIVE_MESSAGE_BYTES\) must be a whole number from 1024 to 67108864, got "100"$/,
  );
  assertConfigError(
    () => loadConfig([], { TTS_TLS_KEY: "/x.key" }),
    /--tls-cert .* --tls-key .*together/,
  );
  assertConfigError(
    () => loadConfig(["--auth-token-file", "/nonexistent"], {}),
    /--auth-token-file .*cannot read/,
  );
  // An empty variable means "not set" for paths.
  assert.equal(loadConfig([], { TTS_TLS_CERT: "", TTS_TLS_KEY: "" }).tlsCert, undefined);
});
