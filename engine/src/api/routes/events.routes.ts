import { invalidArgument } from '@berth/common';
import type { EventBus } from '../../services/events/event-bus.js';
import { EventFilter } from '../../services/events/event-filter.js';
import { streamEvents } from '../../services/events/event-stream.js';
import { presentEvent } from '../presenters/event-presenter.js';
import { jsonWithBigInts } from '../presenters/json-bigint.js';
import { parseFilters } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export function eventRoutes(events: EventBus): Route[] {
  return [{ method: 'GET', pattern: '/events', handler: (context) => streamEventsResponse(context, events) }];
}

async function streamEventsResponse(context: RequestContext, events: EventBus): Promise<void> {
  const rawSince = context.query.get('since') ?? '';
  const rawUntil = context.query.get('until') ?? '';
  const sinceNano = parseEventTime(rawSince, 'since');
  const untilNano = parseEventTime(rawUntil, 'until');
  if (sinceNano !== undefined && untilNano !== undefined && untilNano < sinceNano)
    throw invalidArgument(`\`since\` time (${rawSince}) cannot be after \`until\` time (${rawUntil})`);
  const filter = new EventFilter(parseFilters(context.query.get('filters')));
  // Headers go out at once: clients block on them before reading events.
  const response = context.startStream(200, 'application/json');
  await streamEvents(
    events,
    {
      ...(sinceNano !== undefined ? { sinceNano } : {}),
      ...(untilNano !== undefined ? { untilNano } : {}),
      filter,
      signal: context.signal,
    },
    (event) => {
      if (!response.writableEnded) response.write(`${jsonWithBigInts(presentEvent(event))}\n`);
    },
  );
  response.end();
}

/**
 * since/until as the CLI sends them: unix seconds with an optional fraction (`1795825014.123`);
 * an RFC 3339 time is accepted too. Empty or zero means unset, as with dockerd.
 */
function parseEventTime(value: string, name: string): bigint | undefined {
  if (value === '') return undefined;
  const match = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  let nano: bigint;
  if (match !== null) {
    nano = BigInt(match[1] ?? '0') * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
  } else {
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) throw invalidArgument(`invalid value for ${name}: ${value}`);
    nano = BigInt(parsed) * 1_000_000n;
  }
  return nano === 0n ? undefined : nano;
}
