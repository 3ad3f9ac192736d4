/**
 * Transport security and authentication of the real worker: TLS with certificates made here by
 * `openssl` (a CA, a server certificate for 127.0.0.1 and localhost, a client certificate),
 * mutual TLS, and the bearer token that every RPC but health must carry.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { checkHealth, healthCheck } from "../src/cli/health_check.ts";
import { type ClientSecurity, createTtsClient, type TtsClient } from "../src/rpc/client.ts";
import { runDenoScript } from "./support/child_process.ts";
import { collectFrames, speak } from "./support/synthesis_client.ts";
import { startTestWorker } from "./support/worker_process.ts";

/** Paths of the PEM files {@linkcode makeCertificates} writes. */
interface Certificates {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A second CA that signed nothing the worker trusts. */
  readonly otherCa: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const output = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/** A CA, and server and client certificates it signed, as PEM files in a new directory. */
async function makeCertificates(): Promise<Certificates> {
  const dir = await Deno.makeTempDir({ prefix: "tts-tls-" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const ca of ["ca", "other-ca"]) {
    await openssl(
      ["req", "-x509", ...ec, "-keyout", `${ca}.key`, "-out", `${ca}.pem`, "-days", "2"].concat(
        ["-subj", `/CN=tts test ${ca}`],
      ),
      dir,
    );
  }
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  for (const [name, cn] of [["server", "localhost"], ["client", "tts test client"]]) {
    await openssl(
      ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`],
      dir,
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ], dir);
  }
  return {
    dir,
    ca: `${dir}/ca.pem`,
    serverCert: `${dir}/server.pem`,
    serverKey: `${dir}/server.key`,
    clientCert: `${dir}/client.pem`,
    clientKey: `${dir}/client.key`,
    otherCa: `${dir}/other-ca.pem`,
  };
}

/** Opens a client, speaks a sentence, closes it; the frames, or the gRPC error. */
async function trySpeak(address: string, security: ClientSecurity): Promise<number> {
  const client = createTtsClient(address, security);
  try {
    const { frames, error } = await speak(client, `sec-${crypto.randomUUID()}`, "Hello there.");
    assert.equal(error, undefined, `stream error: ${JSON.stringify(error)}`);
    assert.ok(frames.length > 10, `only ${frames.length} frames`);
    assert.equal(frames.filter((frame) => frame.is_final).length, 1);
    return frames.length;
  } finally {
    client.close();
  }
}

/** The gRPC status code a promise is rejected with. */
async function rejectionCode(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
  assert.fail("the call succeeded");
}

const certificates = await makeCertificates();
const read = (path: string) => Deno.readFileSync(path);

Deno.test("TLS: a client trusting the CA speaks; plaintext and a foreign CA fail", async () => {
  const worker = await startTestWorker([
    "--tls-cert",
    certificates.serverCert,
    "--tls-key",
    certificates.serverKey,
  ]);
  try {
    const ca = read(certificates.ca);
    assert.ok(await trySpeak(worker.address, { ca }) > 10);
    assert.ok(await trySpeak(`localhost:${worker.port}`, { ca }) > 10, "SAN DNS:localhost");
    assert.equal(
      (await checkHealth(worker.address, "tts.TTSService", 5000, { ca })).status,
      "SERVING",
    );

    const plain = createTtsClient(worker.address);
    const foreign = createTtsClient(worker.address, { ca: read(certificates.otherCa) });
    try {
      const deadline = { deadline: Date.now() + 5000 };
      assert.equal(
        await rejectionCode(plain.startSession("plain", "", {})),
        grpc.status.UNAVAILABLE,
      );
      assert.equal(
        await rejectionCode(foreign.startSession("foreign", "", {})),
        grpc.status.UNAVAILABLE,
      );
      assert.equal(
        (await checkHealth(worker.address, "tts.TTSService", deadline.deadline - Date.now()))
          .status,
        "UNREACHABLE",
        "plaintext health against a TLS port",
      );
    } finally {
      plain.close();
      foreign.close();
    }
    // The health CLI without --address finds the worker as the container's HEALTHCHECK does:
    // from the worker's own settings, TLS included, trusting the local worker's certificate.
    const settings = {
      TTS_HOST: "127.0.0.1",
      TTS_PORT: String(worker.port),
      TTS_TLS_CERT: certificates.serverCert,
      TTS_TLS_KEY: certificates.serverKey,
    };
    assert.equal(await healthCheck(["--timeout-ms", "5000"], settings), 0);
    const { TTS_HOST, TTS_PORT } = settings;
    assert.equal(
      await healthCheck(["--timeout-ms", "5000"], { TTS_HOST, TTS_PORT }),
      1,
      "plaintext to the TLS port",
    );
  } finally {
    await worker.stop();
  }
});

/** Names of the TLS relay's private socket directories in the temporary directory. */
function tlsSocketDirs(): string[] {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  return [...Deno.readDirSync(tmp)]
    .map((entry) => entry.name)
    .filter((name) => name.startsWith("tts-worker-tls-"));
}

/** Resolves when the peer closes `conn` (a reset counts as closed). */
async function closedByPeer(conn: Deno.Conn): Promise<void> {
  try {
    while ((await conn.read(new Uint8Array(64))) !== null) {
      // The server sends nothing before a handshake; anything read is ignored.
    }
  } catch {
    // Reset by the peer.
  }
}

Deno.test("TLS: a peer that never completes its handshake is cut off; the socket directory goes at exit", async () => {
  const before = new Set(tlsSocketDirs());
  const worker = await startTestWorker([
    "--tls-cert",
    certificates.serverCert,
    "--tls-key",
    certificates.serverKey,
    "--tls-handshake-timeout-ms",
    "300",
  ]);
  let exitCode: number | undefined;
  try {
    const created = tlsSocketDirs().filter((name) => !before.has(name));
    assert.equal(created.length, 1, `new relay directories: ${created}`);
    // A TCP connection that says nothing is closed by the worker, not held open.
    const silent = await Deno.connect({ hostname: "127.0.0.1", port: worker.port });
    const cutOff = await Promise.race([
      closedByPeer(silent).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    silent.close();
    assert.ok(cutOff, "the silent connection was still open after 10 s");
    // Everyone else is served as before.
    assert.ok(await trySpeak(worker.address, { ca: read(certificates.ca) }) > 10);
    exitCode = await worker.stop();
    assert.equal(exitCode, 0);
    assert.ok(!tlsSocketDirs().includes(created[0]), `${created[0]} left behind`);
  } finally {
    if (exitCode === undefined) await worker.stop();
  }
});

Deno.test("mutual TLS: a client without a certificate is refused, one with a certificate speaks", async () => {
  const worker = await startTestWorker([
    "--tls-cert",
    certificates.serverCert,
    "--tls-key",
    certificates.serverKey,
    "--tls-client-ca",
    certificates.ca,
  ]);
  try {
    const ca = read(certificates.ca);
    const anonymous = createTtsClient(worker.address, { ca });
    try {
      assert.equal(
        await rejectionCode(anonymous.startSession("anonymous", "", {})),
        grpc.status.UNAVAILABLE,
      );
    } finally {
      anonymous.close();
    }
    const security = {
      ca,
      cert: read(certificates.clientCert),
      key: read(certificates.clientKey),
    };
    assert.ok(await trySpeak(worker.address, security) > 10);
    assert.equal(
      (await checkHealth(worker.address, "", 5000, security)).status,
      "SERVING",
    );
  } finally {
    await worker.stop();
  }
});

Deno.test("bearer token: every RPC but health needs it; UNAUTHENTICATED says why", async () => {
  const token = `tok-${crypto.randomUUID()}`;
  const tokenFile = `${certificates.dir}/token`;
  await Deno.writeTextFile(tokenFile, `  ${token}\n`);
  const worker = await startTestWorker([
    "--auth-token-file",
    tokenFile,
    "--max-receive-message-bytes",
    "2048",
  ]);
  const clients: TtsClient[] = [];
  const client = (security: ClientSecurity) => {
    const made = createTtsClient(worker.address, security);
    clients.push(made);
    return made;
  };
  try {
    for (const [label, security] of [["missing", {}], ["wrong", { token: "nope" }]] as const) {
      const anonymous = client(security);
      await assert.rejects(anonymous.startSession(`s-${label}`, "", {}), (error: unknown) => {
        const { code, details } = error as grpc.ServiceError;
        assert.equal(code, grpc.status.UNAUTHENTICATED, `${label} token on StartSession`);
        assert.match(details, label === "missing" ? /missing bearer token/ : /wrong bearer token/);
        return true;
      });
      assert.equal(
        await rejectionCode(anonymous.listModels()),
        grpc.status.UNAUTHENTICATED,
        `${label} token on ListModels`,
      );
      const call = anonymous.synthesize();
      const collected = collectFrames(call);
      call.write({ session_id: `s-${label}`, text: "Hello.", is_final: true, sequence_number: 0 });
      call.end();
      const { frames, error } = await collected;
      assert.equal(frames.length, 0);
      assert.equal(error?.code, grpc.status.UNAUTHENTICATED, `${label} token on Synthesize`);
    }
    assert.ok(await trySpeak(worker.address, { token }) > 10, "the right token speaks");
    // A message over --max-receive-message-bytes is refused, token or not.
    assert.equal(
      await rejectionCode(client({ token }).startSession("big", "", { note: "x".repeat(4096) })),
      grpc.status.RESOURCE_EXHAUSTED,
    );
    // Health needs no token: orchestrators probe it.
    assert.equal((await checkHealth(worker.address, "tts.TTSService", 5000)).status, "SERVING");

    // The effective configuration is logged once at start, the token masked.
    const logged = worker.logs.find((entry) => entry.msg === "configuration");
    assert.ok(logged, "a configuration log line");
    const config = logged.config as Record<string, unknown>;
    assert.equal(config.authToken, "***");
    assert.equal(config.authTokenFile, tokenFile);
    assert.ok(!JSON.stringify(worker.logs).includes(token), "the token is never logged");
  } finally {
    for (const made of clients) made.close();
    await worker.stop();
  }
});

Deno.test("a bad security or config-file setting stops start-up with exit 2 naming it", async () => {
  const main = new URL("../src/main.ts", import.meta.url).pathname;
  const configFile = `${certificates.dir}/worker.json`;
  await Deno.writeTextFile(
    configFile,
    JSON.stringify({ tlsCert: certificates.serverCert, tls: 1 }),
  );
  const cases: [string[], RegExp][] = [
    [["--tls-cert", certificates.serverCert], /--tls-key/],
    [["--tls-client-ca", certificates.ca], /--tls-client-ca .*needs TLS/],
    [
      ["--tls-cert", certificates.serverCert, "--tls-key", `${certificates.dir}/nothing.key`],
      /--tls-key .*cannot read/,
    ],
    [
      ["--tls-cert", `${certificates.dir}/server.ext`, "--tls-key", certificates.serverKey],
      /--tls-cert .*not a PEM file/,
    ],
    [["--auth-token-file", `${certificates.dir}/server.ext`], /--auth-token-file .*visible ASCII/],
    [["--max-concurrent-streams", "0"], /--max-concurrent-streams .*from 1 to 10000/],
    [["--config", configFile], /worker\.json": unknown key "tls"/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runDenoScript(main, ["--port", "0", ...args]);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
  }
});

addEventListener("unload", () => Deno.removeSync(certificates.dir, { recursive: true }));
