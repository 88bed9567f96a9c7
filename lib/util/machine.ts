/**
 * The machine a number was measured on, in words, for result cards and benchmark reports.
 * @module
 */

/** The CPU model from /proc/cpuinfo, or "unknown CPU" where it is not readable. */
export function cpuModel(): string {
  try {
    const m = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch { /* not Linux, or no permission */ }
  return "unknown CPU";
}

/** One line: CPU model, logical CPUs, OS/architecture and Deno version. */
export function machineDescription(): string {
  return `${cpuModel()}, ${navigator.hardwareConcurrency} logical CPUs, ${Deno.build.os}/${Deno.build.arch}, ` +
    `deno ${Deno.version.deno}`;
}
