import type { ContainerLogReader, LogEntry, LogReadOptions } from '../../core/logs/log-entry.js';
import type { ContainerService } from './container-service.js';

/** `docker logs`: reads a container's log, following it while the container runs. */
export class ContainerLogService {
  constructor(
    private readonly containers: ContainerService,
    private readonly readLog: ContainerLogReader,
  ) {}

  async read(
    reference: string,
    options: Omit<LogReadOptions, 'isFinished'>,
    emit: (entry: LogEntry) => void | Promise<void>,
  ): Promise<void> {
    const container = this.containers.get(reference);
    // Set once the process has ended: its output is complete even while the exit is being recorded.
    let taskEnded = false;
    const isFinished = (): boolean => {
      const current = this.containers.find(container.id);
      return taskEnded || current === undefined || (current.state.status !== 'running' && current.state.status !== 'paused');
    };
    // Only for following: a stop then ends the stream at once (the reader otherwise notices within a poll).
    const stopWatching = new AbortController();
    const abort = (): void => stopWatching.abort();
    options.signal.addEventListener('abort', abort, { once: true });
    const finished = options.follow
      ? this.containers.taskEnded(container.id, stopWatching.signal).then(() => {
          taskEnded = true;
        })
      : undefined;
    finished?.catch(() => undefined);
    try {
      await this.readLog(container.logPath, { ...options, isFinished, ...(finished ? { finished } : {}) }, emit);
    } finally {
      options.signal.removeEventListener('abort', abort);
      stopWatching.abort();
    }
  }
}
