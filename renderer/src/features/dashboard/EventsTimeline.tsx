import { useMemo, useState } from 'react';
import type { EngineEvent, EngineEventType } from '@berth/common/contract';
import { formatAgo, shortId } from '../../lib/format';
import { hrefFor } from '../../lib/router';
import { useNow } from '../../lib/use-now';
import { useAppStore } from '../../stores/app-store';

const WINDOW_SECONDS = 3600;
const kinds: Array<{ value: EngineEventType | 'all'; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'container', label: 'Containers' },
  { value: 'image', label: 'Images' },
  { value: 'volume', label: 'Volumes' },
  { value: 'network', label: 'Networks' },
];

export function describeEvent(event: EngineEvent): string {
  const name = event.attributes['name'] ?? shortId(event.id);
  return `${event.action} ${name}`;
}

/** The last hour of engine events: a time strip with one mark per event, and the newest as a list. */
export function EventsTimeline() {
  const events = useAppStore((state) => state.recentEvents);
  const [kind, setKind] = useState<EngineEventType | 'all'>('all');
  const now = useNow();
  const shown = useMemo(() => events.filter((event) => kind === 'all' || event.type === kind), [events, kind]);
  const start = now / 1000 - WINDOW_SECONDS;
  return (
    <div className="card timeline-card">
      <div className="timeline-head">
        <h2 className="card-title">Activity</h2>
        <div className="segmented segmented-small" role="tablist" aria-label="Event type">
          {kinds.map((k) => (
            <button
              key={k.value}
              type="button"
              role="tab"
              aria-selected={kind === k.value}
              className={kind === k.value ? 'active' : ''}
              onClick={() => setKind(k.value)}
            >
              {k.label}
            </button>
          ))}
        </div>
      </div>
      <div className="timeline-strip" aria-label="Events in the last hour" data-testid="events-strip">
        {shown
          .filter((event) => event.time >= start)
          .map((event, index) => (
            <span
              key={`${event.timeNano ?? event.time}-${index}`}
              className={`timeline-mark event-${event.type}`}
              style={{ left: `${Math.min(100, ((event.time - start) / WINDOW_SECONDS) * 100)}%` }}
              title={`${new Date(event.time * 1000).toLocaleTimeString()} · ${event.type} ${describeEvent(event)}`}
            />
          ))}
        <span className="timeline-label timeline-label-start">1 h ago</span>
        <span className="timeline-label timeline-label-end">now</span>
      </div>
      {shown.length === 0 ? (
        <p className="muted">Engine events appear here as they happen.</p>
      ) : (
        <ul className="events" data-testid="recent-events">
          {shown.slice(0, 14).map((event, index) => (
            <li key={`${event.timeNano ?? event.time}-${index}`}>
              <span className={`event-dot event-${event.type}`} aria-hidden="true" />
              <span className="event-type">{event.type}</span>
              <span className="event-text">
                {event.type === 'container' && event.action !== 'destroy' ? (
                  <a href={hrefFor({ page: 'container', id: event.id, tab: 'logs' })}>{describeEvent(event)}</a>
                ) : (
                  describeEvent(event)
                )}
              </span>
              <span className="muted event-time" title={new Date(event.time * 1000).toLocaleString()}>
                {formatAgo(event.time, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
