// The machine a run measured, for the record beside its table.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  nproc: number;
  memory: string;
  cpu: string;
  node: string;
  kernel: string;
  /** 1-minute load average when the run began: other work on the machine skews every number. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = readOr('/proc/cpuinfo');
  const memKb = /^MemTotal:\s+(\d+) kB/m.exec(readOr('/proc/meminfo'))?.[1];
  return {
    nproc: os.availableParallelism(),
    memory: memKb ? `${(Number(memKb) / 1024 / 1024).toFixed(1)} GiB` : `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
