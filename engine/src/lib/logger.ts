import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON log lines on stderr (fd 2), like dockerd. Services receive a child logger with
 * their own bindings (`component`, `containerId`...) instead of reaching for a global.
 */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino(
    { level: options.level ?? process.env['BERTH_LOG_LEVEL'] ?? 'info', base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that drops everything: for unit tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
