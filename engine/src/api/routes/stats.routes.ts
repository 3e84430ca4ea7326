import type { ServerResponse } from 'node:http';
import { invalidArgument } from '@berth/common';
import type { ContainerStatsService } from '../../services/stats/container-stats-service.js';
import { jsonWithBigInts } from '../presenters/json-bigint.js';
import { presentStats } from '../presenters/stats-presenter.js';
import { parseBoolean } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

/** A slow client gets fewer frames rather than an ever-growing buffer. */
const maxBufferedBytes = 64 * 1024;

export function statsRoutes(stats: ContainerStatsService): Route[] {
  return [{ method: 'GET', pattern: '/containers/:id/stats', handler: (context) => containerStats(context, stats) }];
}

async function containerStats(context: RequestContext, stats: ContainerStatsService): Promise<void> {
  const id = context.params['id'] ?? '';
  const stream = parseBoolean(context.query.get('stream'), true);
  const oneShot = parseBoolean(context.query.get('one-shot'), false);
  if (stream && oneShot) throw invalidArgument('cannot have stream=true and one-shot=true');
  if (!stream) {
    const report = await stats.once(id, { oneShot }, context.signal);
    context.text(200, `${jsonWithBigInts(presentStats(report))}\n`, { 'Content-Type': 'application/json' });
    return;
  }
  const output: { response?: ServerResponse } = {};
  // stream() looks the container up before returning, so an unknown one is a plain 404; frames
  // arrive asynchronously, after the headers below have been flushed.
  const done = stats.stream(id, context.signal, (report) => {
    const { response } = output;
    if (response === undefined || response.writableLength > maxBufferedBytes) return;
    response.write(`${jsonWithBigInts(presentStats(report))}\n`);
  });
  output.response = context.startStream(200, 'application/json');
  await done;
  output.response.end();
}
