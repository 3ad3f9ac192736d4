/**
 * `deno task start`: runs the TTS worker until SIGINT or SIGTERM.
 *
 * @module
 */
import { ConfigError, describeConfig, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startWorker } from "./worker.ts";
import { errorMessage } from "./error_message.ts";

/** Starts the worker from command-line flags and the environment. */
export async function main(args: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(args);
  } catch (error) {
    const message = errorMessage(error);
    console.error(`tts-worker: ${error instanceof ConfigError ? "" : "bad arguments: "}${message}`);
    return 2;
  }
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, "configuration");
  // Listen for signals before the worker announces "ready": a SIGTERM right after the ready line
  // must stop the worker gracefully, not kill it.
  const stopped = Promise.withResolvers<void>();
  let stopping = false;
  const onSignal = (signal: string) => () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    stopped.resolve();
  };
  Deno.addSignalListener("SIGINT", onSignal("SIGINT"));
  Deno.addSignalListener("SIGTERM", onSignal("SIGTERM"));
  let worker;
  try {
    worker = await startWorker(config, log);
  } catch (error) {
    log.fatal({ err: errorMessage(error) }, "start failed");
    return 1;
  }
  await stopped.promise;
  await worker.stop(config.shutdownGraceMs);
  log.info("stopped");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
