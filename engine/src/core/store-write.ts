/**
 * How a store write reaches the disk. By default a write is durable: once the call returns it
 * survives a host crash. `durable: false` is for facts that a host crash makes moot (a task's
 * exit, the address a running task held): the write is committed and atomic, and survives an
 * engine crash, but a host crash may lose it; the next durable write carries it to disk as well.
 * Those writes sit on the `docker run` path, where each disk flush stalls the engine.
 */
export interface StoreWriteOptions {
  durable?: boolean;
}
