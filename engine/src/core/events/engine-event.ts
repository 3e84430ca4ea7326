/** An engine event in Docker's model (`GET /events`): what happened to which object. */
export interface EngineEvent {
  type: 'container' | 'image' | 'volume' | 'network' | 'daemon';
  action: string;
  actor: { id: string; attributes: Record<string, string> };
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}
