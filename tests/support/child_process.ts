/**
 * Runs a program to its end as a child process (Deno itself with a CLI, the benchmark or the
 * worker's entry point; Debian's python3) and collects what it printed.
 *
 * @module
 */

/** Exit code and output of a finished child process. */
export interface ScriptRun {
  /** Exit code. */
  readonly code: number;
  /** Everything written to stdout, decoded as UTF-8. */
  readonly stdout: string;
  /** Everything written to stderr, decoded as UTF-8. */
  readonly stderr: string;
}

/** Where and how the child runs. */
export interface ScriptOptions {
  /** Environment variables added to the inherited environment. */
  readonly env?: Record<string, string>;
  /** Working directory. */
  readonly cwd?: string;
}

/** Runs `program <args>` to the end. */
export async function runCommand(
  program: string,
  args: string[],
  options: ScriptOptions = {},
): Promise<ScriptRun> {
  const output = await new Deno.Command(program, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs `deno <args>` to the end. */
export function runDeno(args: string[], options: ScriptOptions = {}): Promise<ScriptRun> {
  return runCommand(Deno.execPath(), args, options);
}

/** Runs `deno run --allow-all <script> <args>` to the end. */
export function runDenoScript(
  script: string,
  args: string[],
  options: ScriptOptions = {},
): Promise<ScriptRun> {
  return runDeno(["run", "--allow-all", script, ...args], options);
}
