import { watch, type FSWatcher } from 'node:fs';
import { AppError } from '@berth/common';
import type { Logger } from '../../lib/logger.js';

/** Looks for a result; undefined means "not yet". */
export type ExitCheck<T> = () => Promise<T | undefined>;

interface Waiter {
  id: string;
  check: ExitCheck<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  running: boolean;
  again: boolean;
  cleanup: () => void;
}

/**
 * Waits for files to appear in one directory (conmon's --exit-dir, one file per task). inotify
 * through fs.watch wakes waiters at once; a slow poll covers what inotify cannot: events lost
 * while the watch was being set up, and monitors that died without writing a file (the check
 * decides what that means). One watch serves every waiter and stops when none is left.
 */
export class ExitDirectoryWatcher {
  private readonly waiters = new Set<Waiter>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
  ) {}

  wait<T>(id: string, check: ExitCheck<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AppError('canceled', 'wait canceled'));
        return;
      }
      const onAbort = (): void => {
        waiter.cleanup();
        reject(new AppError('canceled', 'wait canceled'));
      };
      const waiter: Waiter = {
        id,
        check,
        resolve: (value) => {
          waiter.cleanup();
          resolve(value as T);
        },
        reject: (error) => {
          waiter.cleanup();
          reject(error);
        },
        running: false,
        again: false,
        cleanup: () => {
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          this.stopIfIdle();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      // Watch before the first check so a file written in between is not missed.
      this.startWatching();
      this.runCheck(waiter);
    });
  }

  private startWatching(): void {
    if (this.watcher === undefined) {
      try {
        this.watcher = watch(this.directory, (_event, filename) => this.onEvent(filename));
        this.watcher.on('error', (error) => {
          this.logger.warn({ err: error, directory: this.directory }, 'exit directory watch failed; polling');
          this.watcher?.close();
          this.watcher = undefined;
        });
      } catch (error) {
        this.logger.warn({ err: error, directory: this.directory }, 'cannot watch exit directory; polling');
      }
    }
    this.timer ??= setInterval(() => {
      for (const waiter of this.waiters) this.runCheck(waiter);
    }, this.pollMs);
  }

  private onEvent(filename: string | Buffer | null): void {
    const name = filename?.toString();
    for (const waiter of this.waiters) {
      // conmon writes `<id>.XXXXXX` and renames it to `<id>`; an unnamed event checks everyone.
      if (name === undefined || name === waiter.id) this.runCheck(waiter);
    }
  }

  private runCheck(waiter: Waiter): void {
    if (waiter.running) {
      waiter.again = true;
      return;
    }
    waiter.running = true;
    waiter.check().then(
      (result) => {
        waiter.running = false;
        if (result !== undefined) waiter.resolve(result);
        else if (waiter.again) {
          waiter.again = false;
          this.runCheck(waiter);
        }
      },
      (error: unknown) => {
        waiter.running = false;
        waiter.reject(error);
      },
    );
  }

  private stopIfIdle(): void {
    if (this.waiters.size > 0) return;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
