export interface ExitResult {
  exitCode: number;
  error?: string;
}

type Listener = (result: ExitResult) => void;

/**
 * Lets `wait` callers hear about a container's next exit or its removal, and log followers about
 * the moment its process ended (before the exit is recorded: dockerd ends log streams first too).
 */
export class ExitNotifier {
  private readonly exitListeners = new Map<string, Set<Listener>>();
  private readonly removeListeners = new Map<string, Set<Listener>>();
  private readonly taskEndListeners = new Map<string, Set<Listener>>();

  onTaskEnded(id: string, listener: Listener): () => void {
    return add(this.taskEndListeners, id, listener);
  }

  taskEnded(id: string, result: ExitResult): void {
    fire(this.taskEndListeners, id, result);
  }

  onNextExit(id: string, listener: Listener): () => void {
    return add(this.exitListeners, id, listener);
  }

  onRemoved(id: string, listener: Listener): () => void {
    return add(this.removeListeners, id, listener);
  }

  exited(id: string, result: ExitResult): void {
    fire(this.exitListeners, id, result);
  }

  removed(id: string, result: ExitResult): void {
    fire(this.exitListeners, id, result);
    fire(this.removeListeners, id, result);
  }
}

function add(map: Map<string, Set<Listener>>, id: string, listener: Listener): () => void {
  let set = map.get(id);
  if (set === undefined) {
    set = new Set();
    map.set(id, set);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) map.delete(id);
  };
}

function fire(map: Map<string, Set<Listener>>, id: string, result: ExitResult): void {
  const set = map.get(id);
  if (set === undefined) return;
  map.delete(id);
  for (const listener of set) listener(result);
}
