import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '@berth/common/contract';
import { getAppApi } from '../../app-api';
import { Button } from '../../ui/Button';
import { ErrorBanner, SearchInput } from '../../ui/Page';

const MAX_LINES = 20_000;
const LINE_HEIGHT = 20;

interface Line extends LogLine {
  readonly n: number;
}

/** Live logs: one contract stream, stdout/stderr marked, virtualised, follow mode. Text is rendered as text only. */
export function LogsView({ containerId }: { containerId: string }) {
  const [lines, setLines] = useState<readonly Line[]>([]);
  const [phase, setPhase] = useState<'streaming' | 'ended' | 'failed'>('streaming');
  const [error, setError] = useState<string>();
  const [follow, setFollow] = useState(true);
  const [showTimestamps, setShowTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const [generation, setGeneration] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let counter = 0;
    setLines([]);
    setPhase('streaming');
    setError(undefined);
    const handle = getAppApi().containers.logs(
      { id: containerId, follow: true, tail: 1000, timestamps: true },
      {
        onItem: (chunk) => {
          const added = chunk.lines.map((line) => ({ ...line, n: ++counter }));
          setLines((previous) => {
            const next = previous.concat(added);
            return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
          });
        },
        onEnd: () => setPhase('ended'),
        onError: (failure) => {
          setPhase('failed');
          setError(failure.message);
        },
      },
    );
    return () => handle.cancel();
  }, [containerId, generation]);

  const visible = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return needle === '' ? lines : lines.filter((line) => line.text.toLowerCase().includes(needle));
  }, [lines, query]);

  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 30,
    initialRect: { width: 1000, height: 600 },
  });

  useEffect(() => {
    if (follow && visible.length > 0) virtualizer.scrollToIndex(visible.length - 1, { align: 'end' });
  }, [follow, visible.length, virtualizer]);

  const stderrCount = useMemo(() => lines.reduce((n, line) => n + (line.stream === 'stderr' ? 1 : 0), 0), [lines]);

  return (
    <div className="logs">
      <div className="toolbar">
        <SearchInput value={query} onChange={setQuery} placeholder="Filter lines" label="Filter log lines" />
        <label className="toggle">
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} />
          Follow
        </label>
        <label className="toggle">
          <input type="checkbox" checked={showTimestamps} onChange={(event) => setShowTimestamps(event.target.checked)} />
          Timestamps
        </label>
        <span className="muted logs-meta" data-testid="logs-meta">
          {visible.length.toLocaleString()} lines{stderrCount > 0 ? ` · ${stderrCount} stderr` : ''}
          {phase === 'streaming' ? <span className="live-dot" title="Live" /> : phase === 'ended' ? ' · stream ended' : ''}
        </span>
        <Button variant="ghost" onClick={() => setLines([])}>
          Clear
        </Button>
        {phase !== 'streaming' && (
          <Button variant="ghost" icon="restart" onClick={() => setGeneration((g) => g + 1)}>
            Reconnect
          </Button>
        )}
      </div>
      {error !== undefined && <ErrorBanner title="Log stream stopped" message={error} />}
      <div
        ref={scrollRef}
        className="logs-scroll"
        role="log"
        aria-label="Container logs"
        onWheel={(event) => {
          if (event.deltaY < 0 && follow) setFollow(false);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = visible[item.index];
            if (line === undefined) return null;
            return (
              <div
                key={line.n}
                className={`log-line log-${line.stream}`}
                data-stream={line.stream}
                style={{ transform: `translateY(${item.start}px)`, height: LINE_HEIGHT }}
              >
                <span className="log-gutter" aria-label={line.stream}>
                  {line.stream === 'stderr' ? 'err' : 'out'}
                </span>
                {showTimestamps && line.timestamp !== undefined && (
                  <span className="log-time">{line.timestamp.replace('T', ' ').slice(0, 23)}</span>
                )}
                <span className="log-text">{line.text}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
