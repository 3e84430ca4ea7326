import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '@berth/common/contract';
import { getAppApi } from '../../app-api';
import { Button } from '../../ui/Button';
import { ErrorBanner, SearchInput } from '../../ui/Page';
import { stripAnsi } from '../logs/ansi';
import { LogBuffer, MatchIndex, type StoredLine } from '../logs/log-buffer';
import { LogLineText } from '../logs/LogLineText';
import { compileQuery } from '../logs/log-search';
import { useFixedRows } from '../logs/use-fixed-rows';

const MAX_LINES = 1_000_000;
const LINE_HEIGHT = 20;
const NO_RANGES: ReadonlyArray<readonly [number, number]> = [];

type Tail = '1000' | '10000' | '100000' | 'all';

function formatTimestamp(timestamp: string): string {
  return timestamp.replace('T', ' ').slice(0, 23);
}

/** Text of the whole buffer for a download, built in pieces (no giant intermediate array). */
function toBlob(buffer: LogBuffer, withTimestamps: boolean): Blob {
  const parts: string[] = [];
  let piece: string[] = [];
  for (const line of buffer) {
    piece.push(withTimestamps && line.timestamp !== undefined ? `${line.timestamp} ${line.plain}` : line.plain);
    if (piece.length === 10_000) {
      parts.push(`${piece.join('\n')}\n`);
      piece = [];
    }
  }
  if (piece.length > 0) parts.push(`${piece.join('\n')}\n`);
  return new Blob(parts, { type: 'text/plain;charset=utf-8' });
}

/**
 * Live logs: one contract stream into a chunked buffer (up to a million lines), windowed rows,
 * ANSI colours as spans, search with highlight (plain or regex), filter to matching lines,
 * timestamps, stdout/stderr marked, download. Lines arrive outside React; the view re-renders at
 * most once per frame.
 */
export function LogsView({ containerId, containerName }: { containerId: string; containerName?: string }) {
  const bufferRef = useRef(new LogBuffer(MAX_LINES));
  const matchesRef = useRef(new MatchIndex());
  const [version, setVersion] = useState(0);
  const [phase, setPhase] = useState<'streaming' | 'ended' | 'failed'>('streaming');
  const [error, setError] = useState<string>();
  const [follow, setFollow] = useState(true);
  const [showTimestamps, setShowTimestamps] = useState(false);
  const [input, setInput] = useState('');
  const [query, setQuery] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [filterOnly, setFilterOnly] = useState(false);
  const [tail, setTail] = useState<Tail>('1000');
  const [current, setCurrent] = useState(0);
  const [generation, setGeneration] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  // Typing is debounced: rebuilding the match index scans every stored line.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(input), 120);
    return () => clearTimeout(timer);
  }, [input]);

  const compiled = useMemo(() => compileQuery({ text: query, regex, caseSensitive }), [query, regex, caseSensitive]);
  const compiledRef = useRef(compiled);

  // A new query: rebuild the match index once; new lines are tested as they arrive.
  useEffect(() => {
    compiledRef.current = compiled;
    const matches = new MatchIndex();
    if (compiled.ok && !compiled.empty) {
      for (const line of bufferRef.current) if (compiled.test(line.plain)) matches.push(line.seq);
    }
    matchesRef.current = matches;
    setCurrent(0);
    setVersion((v) => v + 1);
  }, [compiled]);

  useEffect(() => {
    const buffer = new LogBuffer(MAX_LINES);
    bufferRef.current = buffer;
    matchesRef.current = new MatchIndex();
    setVersion((v) => v + 1);
    setPhase('streaming');
    setError(undefined);
    let frame = 0;
    const schedule = (): void => {
      if (frame !== 0) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const handle = getAppApi().containers.logs(
      { id: containerId, follow: true, tail: tail === 'all' ? 'all' : Number(tail), timestamps: true },
      {
        onItem: (chunk) => {
          const added = buffer.append(chunk.lines as readonly LogLine[], stripAnsi);
          const query = compiledRef.current;
          if (query.ok && !query.empty) {
            const matches = matchesRef.current;
            for (const line of added) if (query.test(line.plain)) matches.push(line.seq);
            matches.trim(buffer.firstSeq);
          }
          schedule();
        },
        onEnd: () => setPhase('ended'),
        onError: (failure) => {
          setPhase('failed');
          setError(failure.message);
        },
      },
    );
    return () => {
      cancelAnimationFrame(frame);
      handle.cancel();
    };
  }, [containerId, generation, tail]);

  const buffer = bufferRef.current;
  const matches = matchesRef.current;
  const searching = compiled.ok && !compiled.empty;
  const filtering = searching && filterOnly;
  const count = filtering ? matches.length : buffer.length;
  const lineAt = useCallback(
    (index: number): StoredLine | undefined => {
      if (!filtering) return buffer.at(index);
      const seq = matches.at(index);
      return seq === undefined ? undefined : buffer.bySeq(seq);
    },
    [buffer, filtering, matches],
  );
  const rows = useFixedRows(scrollRef, count, LINE_HEIGHT);

  useEffect(() => {
    if (follow && count > 0) rows.scrollToIndex(count - 1, 'end');
    // `version` moves on every batch of lines.
  }, [follow, count, version, rows]);

  const jumpTo = (index: number): void => {
    if (matches.length === 0) return;
    const wrapped = ((index % matches.length) + matches.length) % matches.length;
    setCurrent(wrapped);
    setFollow(false);
    const seq = matches.at(wrapped) ?? 0;
    rows.scrollToIndex(filtering ? wrapped : seq - buffer.firstSeq, 'center');
  };

  const download = (): void => {
    const url = URL.createObjectURL(toBlob(buffer, showTimestamps));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${(containerName ?? containerId.slice(0, 12)).replace(/[^a-zA-Z0-9_.-]/g, '_')}-logs.txt`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const currentSeq = searching ? matches.at(current) : undefined;
  const items = [];
  for (let index = rows.first; index < rows.last; index++) {
    const line = lineAt(index);
    if (line === undefined) continue;
    items.push(
      <div
        key={line.seq}
        className={`log-line log-${line.stream}${line.seq === currentSeq ? ' log-current' : ''}`}
        data-stream={line.stream}
        style={{ transform: `translateY(${index * LINE_HEIGHT}px)`, height: LINE_HEIGHT }}
      >
        <span className="log-gutter" aria-label={line.stream}>
          {line.stream === 'stderr' ? 'err' : 'out'}
        </span>
        {showTimestamps && line.timestamp !== undefined && <span className="log-time">{formatTimestamp(line.timestamp)}</span>}
        <LogLineText text={line.text} ranges={searching && compiled.ok ? compiled.ranges(line.plain) : NO_RANGES} />
      </div>,
    );
  }

  return (
    <div className="logs">
      <div className="toolbar">
        <div
          className="log-search"
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              jumpTo(current + (event.shiftKey ? -1 : 1));
            }
          }}
        >
          <SearchInput value={input} onChange={setInput} placeholder="Search logs" label="Search log lines" />
        </div>
        <div className="segmented segmented-small log-options" aria-label="Search options">
          <button
            type="button"
            aria-pressed={regex}
            className={regex ? 'active' : ''}
            title="Regular expression"
            onClick={() => setRegex((v) => !v)}
          >
            .*
          </button>
          <button
            type="button"
            aria-pressed={caseSensitive}
            className={caseSensitive ? 'active' : ''}
            title="Match case"
            onClick={() => setCaseSensitive((v) => !v)}
          >
            Aa
          </button>
          <button
            type="button"
            aria-pressed={filterOnly}
            className={filterOnly ? 'active' : ''}
            title="Show only matching lines"
            onClick={() => setFilterOnly((v) => !v)}
          >
            Filter
          </button>
        </div>
        {searching && (
          <span className="log-matches" data-testid="log-matches">
            {matches.length === 0
              ? 'No matches'
              : `${Math.min(current + 1, matches.length)} / ${matches.length.toLocaleString()}`}
            <Button
              variant="ghost"
              aria-label="Previous match"
              disabled={matches.length === 0}
              onClick={() => jumpTo(current - 1)}
            >
              ↑
            </Button>
            <Button variant="ghost" aria-label="Next match" disabled={matches.length === 0} onClick={() => jumpTo(current + 1)}>
              ↓
            </Button>
          </span>
        )}
        <label className="toggle">
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} />
          Follow
        </label>
        <label className="toggle">
          <input type="checkbox" checked={showTimestamps} onChange={(event) => setShowTimestamps(event.target.checked)} />
          Timestamps
        </label>
        <label className="field-inline">
          <span>Tail</span>
          <select aria-label="Lines to load" value={tail} onChange={(event) => setTail(event.target.value as Tail)}>
            <option value="1000">1,000</option>
            <option value="10000">10,000</option>
            <option value="100000">100,000</option>
            <option value="all">All</option>
          </select>
        </label>
        <span className="muted logs-meta" data-testid="logs-meta">
          {count.toLocaleString()} {count === 1 ? 'line' : 'lines'}
          {buffer.stderrCount > 0 ? ` · ${buffer.stderrCount.toLocaleString()} stderr` : ''}
          {phase === 'streaming' ? <span className="live-dot" title="Live" /> : phase === 'ended' ? ' · stream ended' : ''}
        </span>
        <Button
          variant="ghost"
          icon="download"
          aria-label="Download"
          title="Download the loaded lines as text"
          onClick={download}
          disabled={buffer.length === 0}
        />
        <Button
          variant="ghost"
          icon="trash"
          aria-label="Clear"
          title="Clear the view (the container's logs are kept)"
          onClick={() => {
            buffer.clear();
            matchesRef.current = new MatchIndex();
            setVersion((v) => v + 1);
          }}
        />
        {phase !== 'streaming' && (
          <Button variant="ghost" icon="restart" onClick={() => setGeneration((g) => g + 1)}>
            Reconnect
          </Button>
        )}
      </div>
      {!compiled.ok && <p className="field-error">Invalid regular expression: {compiled.error}</p>}
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
        <div style={{ height: rows.totalHeight, position: 'relative', minWidth: '100%' }}>{items}</div>
      </div>
    </div>
  );
}
