/**
 * Runs the real worker as a subprocess on a free port, for end-to-end tests.
 *
 * @module
 */
import { createTtsClient, type TtsClient } from "../../src/rpc/client.ts";

/** A worker subprocess and a connected client. */
export interface TestWorker {
  /** The bound port. */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** A connected client. */
  readonly client: TtsClient;
  /** Every JSON log line seen so far. */
  readonly logs: Record<string, unknown>[];
  /** The process. */
  readonly process: Deno.ChildProcess;
  /** Sends SIGTERM, waits for exit; returns the exit code. */
  stop(): Promise<number>;
}

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

/** Starts `src/main.ts --port 0` with extra flags/env and waits for its "ready" line. */
export function startTestWorker(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<TestWorker> {
  return startWorkerProcess(
    ["run", "--allow-all", MAIN, "--host", "127.0.0.1", "--port", "0", ...args],
    env,
  );
}

/**
 * Runs `deno <denoArgs>` (a worker started any way: flags, environment, a container's command)
 * and waits for its "ready" log line, which names the port.
 */
export async function startWorkerProcess(
  denoArgs: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<TestWorker> {
  const command = new Deno.Command(Deno.execPath(), {
    args: denoArgs,
    env,
    cwd,
    stdout: "piped",
    stderr: "inherit",
  });
  const process = command.spawn();
  const logs: Record<string, unknown>[] = [];
  const ready = Promise.withResolvers<number>();
  const reading = (async () => {
    const decoder = new TextDecoderStream();
    let buffered = "";
    for await (const text of process.stdout.pipeThrough(decoder)) {
      buffered += text;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line);
          logs.push(entry);
          if (entry.msg === "ready") ready.resolve(entry.port);
          if (entry.msg === "start failed") ready.reject(new Error(`worker failed: ${entry.err}`));
        } catch {
          // not a JSON line
        }
      }
    }
    ready.reject(new Error("worker exited before it was ready"));
  })();
  const timeout = setTimeout(() => ready.reject(new Error("worker not ready in 60 s")), 60_000);
  let port: number;
  try {
    port = await ready.promise;
  } catch (error) {
    try {
      process.kill("SIGKILL");
    } catch { /* already gone */ }
    await process.status;
    await reading;
    throw error;
  } finally {
    clearTimeout(timeout);
  }
  const address = `127.0.0.1:${port}`;
  const client = createTtsClient(address);
  return {
    port,
    address,
    client,
    logs,
    process,
    stop: async () => {
      try {
        process.kill("SIGTERM");
      } catch { /* already gone */ }
      const status = await process.status;
      client.close();
      await reading;
      return status.code;
    },
  };
}
