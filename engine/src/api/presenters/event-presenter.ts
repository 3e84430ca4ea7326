import type { EngineEvent } from '../../core/events/engine-event.js';

/**
 * Docker's event message (moby's `events.Message`): container and image events also carry the
 * deprecated `status`/`id`(/`from`) fields old clients read; attributes come in Go's sorted map order.
 * `timeNano` stays a bigint: write it with jsonWithBigInts().
 */
export function presentEvent(event: EngineEvent): Record<string, unknown> {
  const { id, attributes } = event.actor;
  const legacy: Record<string, string> = {};
  if (event.type === 'container' || event.type === 'image') {
    legacy['status'] = event.action;
    if (id !== '') legacy['id'] = id;
    const from = attributes['image'];
    if (event.type === 'container' && from !== undefined && from !== '') legacy['from'] = from;
  }
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(attributes).sort()) sorted[key] = attributes[key] ?? '';
  return {
    ...legacy,
    Type: event.type,
    Action: event.action,
    Actor: { ID: id, Attributes: sorted },
    scope: 'local',
    time: Number(event.timeNano / 1_000_000_000n),
    timeNano: event.timeNano,
  };
}
