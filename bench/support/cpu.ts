/**
 * Where a phase's CPU went, for "what binds": the machine's busy cores (all processes, from
 * /proc/stat: the broker, the service, the load generator, anything else) and this process's own
 * (Node and the embedded engine's threads), averaged over the phase. Linux only.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuUse {
  /** Cores the whole machine kept busy on average (0 … cores). */
  machineCores: number;
  /** Cores this process kept busy on average. */
  processCores: number;
  cores: number;
}

function machineTicks(): { busy: number; total: number } {
  // First line: "cpu  user nice system idle iowait irq softirq steal …" in clock ticks.
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3]! + fields[4]!;
  return { busy: total - idle, total };
}

/** Starts measuring; call the result at the end of the phase. */
export function measureCpu(): () => CpuUse {
  const cores = cpus().length;
  const machine = machineTicks();
  const own = process.cpuUsage();
  const started = performance.now();
  return () => {
    const now = machineTicks();
    const usage = process.cpuUsage(own);
    const wallMs = performance.now() - started;
    return {
      machineCores: ((now.busy - machine.busy) / Math.max(1, now.total - machine.total)) * cores,
      processCores: (usage.user + usage.system) / 1000 / wallMs,
      cores,
    };
  };
}
