import assert from "node:assert/strict";
import { WorkerMetrics } from "../session/worker_metrics.ts";
import { startMetricsServer } from "./metrics_server.ts";

Deno.test("startMetricsServer: /metrics, /healthz and 404 on a free port", async () => {
  const metrics = new WorkerMetrics();
  let serving = false;
  const server = await startMetricsServer({
    host: "127.0.0.1",
    port: 0,
    metrics,
    serving: () => serving,
  });
  try {
    assert.ok(server.port > 0);
    const base = `http://127.0.0.1:${server.port}`;
    metrics.recordFrame();
    metrics.recordFrame();

    const scraped = await fetch(`${base}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(scraped.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const body = await scraped.text();
    assert.match(body, /^# TYPE tts_frames_sent_total counter$/m);
    assert.match(body, /^tts_frames_sent_total 2$/m);

    const notServing = await fetch(`${base}/healthz`);
    assert.equal(notServing.status, 503);
    assert.equal(await notServing.text(), "not serving\n");
    serving = true;
    const ok = await fetch(`${base}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "ok\n");

    const missing = await fetch(`${base}/other`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const posted = await fetch(`${base}/metrics`, { method: "POST", body: "x" });
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get("allow"), "GET, HEAD");
    await posted.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

/** Sends `request` as raw bytes and returns the response's status line. */
async function rawStatusLine(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(4096);
    const read = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

Deno.test("startMetricsServer: a malformed Host header gets 400, and the endpoint goes on", async () => {
  const server = await startMetricsServer({
    host: "127.0.0.1",
    port: 0,
    metrics: new WorkerMetrics(),
    serving: () => true,
  });
  try {
    for (const [path, host] of [["/healthz", "a b"], ["/metrics", "[::1"]]) {
      const status = await rawStatusLine(
        server.port,
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(status, /^HTTP\/1\.1 400 /, `${path} with Host "${host}"`);
    }
    const ok = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("startMetricsServer: a port in use is an error", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await assert.rejects(
      startMetricsServer({
        host: "127.0.0.1",
        port: taken.addr.port,
        metrics: new WorkerMetrics(),
        serving: () => true,
      }),
      Deno.errors.AddrInUse,
    );
  } finally {
    taken.close();
  }
});
