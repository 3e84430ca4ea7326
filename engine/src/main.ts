import { AppError } from '@berth/common';
import { engineUsage, parseEngineArgs } from './config/engine-config.js';
import { createLogger } from './lib/logger.js';
import { startEngine } from './engine.js';

/**
 * `berth engine`: runs in the foreground until SIGTERM/SIGINT, then shuts down cleanly
 * (containers keep running under their monitors, as with dockerd's live-restore).
 */
export async function main(argv: readonly string[]): Promise<void> {
  let config;
  try {
    const parsed = parseEngineArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(engineUsage);
      return;
    }
    config = parsed;
  } catch (error) {
    process.stderr.write(`berth engine: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  let engine: Awaited<ReturnType<typeof startEngine>>;
  try {
    engine = await startEngine(config, logger);
  } catch (error) {
    const message = error instanceof AppError ? error.message : ((error as Error).stack ?? String(error));
    logger.fatal({ err: error }, 'engine failed to start');
    logger.flush();
    process.stderr.write(`berth engine: ${message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    engine
      .stop()
      .then(() => {
        logger.info('engine stopped');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
