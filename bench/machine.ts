/**
 * Facts about the machine a benchmark ran on, and the resident memory of a process.
 *
 * @module
 */
import { loadOrt, probeWebGpu } from "../src/engines/onnx_runtime.ts";

/** Where the figures were measured. */
export interface MachineFacts {
  /** Logical CPU cores. */
  readonly cores: number;
  /** CPU model, from `/proc/cpuinfo` where there is one. */
  readonly cpu: string;
  /** Operating system and architecture. */
  readonly os: string;
  /** Execution provider asked for (`wasm` or `webgpu`). */
  readonly executionProvider: string;
  /** The WebGPU adapter the benchmark process sees, or null when there is none. */
  readonly webgpuAdapter: string | null;
  /** Whether that adapter is a software (fallback) adapter. */
  readonly webgpuAdapterIsFallback: boolean | null;
  /** Deno version. */
  readonly deno: string;
  /** onnxruntime-web version, as the loaded module reports it. */
  readonly onnxruntimeWeb: string;
  /** When the benchmark ran (ISO 8601). */
  readonly date: string;
  /** 1-minute load average when it started: well above `cores` means the figures are crowded. */
  readonly loadAverage: number;
}

async function cpuModel(): Promise<string> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    return info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Collects the {@linkcode MachineFacts} for a run on `executionProvider`. */
export async function machineFacts(executionProvider: string): Promise<MachineFacts> {
  const probe = await probeWebGpu();
  const ort = await loadOrt("wasm");
  return {
    cores: navigator.hardwareConcurrency,
    cpu: await cpuModel(),
    os: `${Deno.build.os} ${Deno.build.arch}`,
    executionProvider,
    webgpuAdapter: probe.name ?? null,
    webgpuAdapterIsFallback: probe.adapter ? probe.isFallback : null,
    deno: Deno.version.deno,
    onnxruntimeWeb: ort.env.versions.web ?? ort.env.versions.common,
    date: new Date().toISOString(),
    loadAverage: Deno.loadavg()[0],
  };
}

/** Parses `VmRSS` (in kB) out of a `/proc/<pid>/status` text; returns megabytes (MiB). */
export function parseVmRssMb(status: string): number {
  const match = status.match(/^VmRSS:\s*(\d+)\s*kB$/m);
  if (!match) throw new Error("no VmRSS line in the process status");
  return Number(match[1]) / 1024;
}

/** Resident set size of process `pid` in MiB, from `/proc/<pid>/status`. */
export async function residentMb(pid: number): Promise<number> {
  return parseVmRssMb(await Deno.readTextFile(`/proc/${pid}/status`));
}
