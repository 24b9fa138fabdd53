// Structured logs through pino: quiet by default (warn), `--v` or LOG_LEVEL for more.
import { pino, type Logger } from 'pino';

export function createLogger(level = process.env.LOG_LEVEL ?? 'warn'): Logger {
  return pino({ level, base: { component: 'kubelite' } });
}
