/** The machine a number was measured on (`lib/util/machine.ts`): one line that every benchmark and card shares. */
import { assert, assertEquals } from "./assert.ts";
import { cpuModel, machineDescription } from "../lib/util/machine.ts";

Deno.test("machineDescription: CPU model, logical CPUs, OS/architecture and Deno version, in that order", () => {
  const cpu = cpuModel();
  assert(cpu.length > 0 && !cpu.includes("\n"), cpu);
  assertEquals(
    machineDescription(),
    `${cpu}, ${navigator.hardwareConcurrency} logical CPUs, ${Deno.build.os}/${Deno.build.arch}, deno ${Deno.version.deno}`,
  );
});
