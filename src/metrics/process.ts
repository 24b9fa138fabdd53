// The process_* metrics every Prometheus client exports (client_golang's process collector),
// read at scrape time: nothing to keep up to date on any request path.
import { readdirSync, readFileSync } from 'node:fs';
import type { FamilySnapshot } from './exposition.ts';
import { formatValue, type Collector } from './registry.ts';

const startTimeSeconds = Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000;

function gauge(name: string, help: string, value: number, type: FamilySnapshot['type'] = 'gauge'): FamilySnapshot {
  return { name, help, type, lines: [`${name} ${formatValue(value)}`] };
}

/** Open and maximum file descriptors, from /proc (undefined elsewhere). */
function fileDescriptors(): { open: number; max: number } | undefined {
  try {
    const open = readdirSync('/proc/self/fd').length;
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return { open, max: limit ? Number(limit[1]) : NaN };
  } catch {
    return undefined;
  }
}

export const processCollector: Collector = {
  collect(): FamilySnapshot[] {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const families = [
      gauge('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', (cpu.user + cpu.system) / 1e6, 'counter'),
      gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss),
      gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', startTimeSeconds),
      gauge('nodejs_heap_size_used_bytes', 'Bytes of the V8 heap in use.', memory.heapUsed),
      gauge('nodejs_heap_size_total_bytes', 'Bytes of the V8 heap reserved.', memory.heapTotal),
    ];
    const fds = fileDescriptors();
    if (fds) {
      families.push(gauge('process_open_fds', 'Number of open file descriptors.', fds.open));
      families.push(gauge('process_max_fds', 'Maximum number of open file descriptors.', fds.max));
    }
    return families;
  },
};
