import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { ContainerSummary, PortBinding } from '@berth/common/contract';
import { formatDuration, shortId, uptimeSeconds } from '../../lib/format';
import { hrefFor } from '../../lib/router';
import { useNow } from '../../lib/use-now';
import { selectContainerList, useAppStore, type StateFilter } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { EmptyState, ErrorBanner, PageHeader, SearchInput } from '../../ui/Page';
import { RunContainerDialog } from '../run/RunContainerDialog';
import { StateBadge } from '../../ui/StateBadge';
import { ContainerActions } from './ContainerActions';

const ROW_HEIGHT = 56;

function Ports({ ports }: { ports: readonly PortBinding[] }) {
  if (ports.length === 0) return <span className="muted">—</span>;
  const shown = ports.slice(0, 2);
  return (
    <span className="ports">
      {shown.map((port) =>
        port.publicPort !== undefined && port.type === 'tcp' ? (
          <a
            key={`${port.ip ?? ''}:${port.publicPort}/${port.privatePort}`}
            className="port-link"
            href={`http://localhost:${port.publicPort}/`}
            target="_blank"
            rel="noreferrer noopener"
            title={`Open http://localhost:${port.publicPort}/`}
            onClick={(event) => event.stopPropagation()}
          >
            {port.publicPort}→{port.privatePort}
          </a>
        ) : (
          <span key={`${port.privatePort}/${port.type}`} className="port-chip">
            {port.publicPort !== undefined ? `${port.publicPort}→` : ''}
            {port.privatePort}/{port.type}
          </span>
        ),
      )}
      {ports.length > 2 && <span className="muted">+{ports.length - 2}</span>}
    </span>
  );
}

export function uptimeText(container: ContainerSummary, now: number): string {
  if (container.state === 'running' || container.state === 'paused') {
    const seconds = uptimeSeconds(container.startedAt, now);
    if (seconds !== undefined) return `Up ${formatDuration(seconds)}`;
  }
  return container.status;
}

function ContainerRow({ container, now }: { container: ContainerSummary; now: number }) {
  const href = hrefFor({ page: 'container', id: container.id, tab: 'logs' });
  return (
    <div className="grid-row containers-grid" role="row" data-testid="container-row" data-name={container.name}>
      <div role="cell" className="cell-name">
        <a href={href} className="row-title">
          {container.name}
        </a>
        <span className="row-sub mono">
          {shortId(container.id)}
          {container.composeProject !== undefined && <span className="tag">{container.composeProject}</span>}
        </span>
      </div>
      <div role="cell" className="cell-ellipsis" title={container.image}>
        {container.image}
      </div>
      <div role="cell">
        <StateBadge state={container.state} />
      </div>
      <div role="cell">
        <Ports ports={container.ports} />
      </div>
      <div role="cell" className="muted cell-status" title={container.status}>
        {uptimeText(container, now)}
      </div>
      <div role="cell" className="cell-actions">
        <ContainerActions container={container} compact />
      </div>
    </div>
  );
}

const filters: Array<{ value: StateFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'running', label: 'Running' },
  { value: 'stopped', label: 'Stopped' },
];

export function ContainerList() {
  const containers = useAppStore((state) => state.containers);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<StateFilter>('all');
  const [runDialog, setRunDialog] = useState(false);
  const now = useNow();
  const rows = useMemo(() => selectContainerList(containers.items, query, filter), [containers.items, query, filter]);
  const total = Object.keys(containers.items).length;
  const running = Object.values(containers.items).filter((c) => c.state === 'running').length;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 1000, height: 800 },
    getItemKey: (index) => rows[index]?.id ?? index,
  });

  return (
    <section className="page" aria-labelledby="containers-title">
      <PageHeader
        title={<span id="containers-title">Containers</span>}
        subtitle={containers.loaded ? `${running} running · ${total} total` : 'Loading…'}
        actions={
          <Button variant="primary" icon="play" onClick={() => setRunDialog(true)}>
            Run container
          </Button>
        }
      />
      <div className="toolbar">
        <SearchInput
          value={query}
          onChange={setQuery}
          placeholder="Search by name, image, id or project"
          label="Search containers"
        />
        <div className="segmented" role="tablist" aria-label="Filter by state">
          {filters.map((f) => (
            <button
              key={f.value}
              role="tab"
              type="button"
              aria-selected={filter === f.value}
              className={filter === f.value ? 'active' : ''}
              onClick={() => setFilter(f.value)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      {containers.error !== undefined && <ErrorBanner title="Could not list containers" message={containers.error} />}
      <div className="table" role="table" aria-label="Containers" aria-rowcount={rows.length}>
        <div className="grid-row grid-head containers-grid" role="row">
          <div role="columnheader">Name</div>
          <div role="columnheader">Image</div>
          <div role="columnheader">State</div>
          <div role="columnheader">Ports</div>
          <div role="columnheader">Uptime</div>
          <div role="columnheader" className="cell-actions">
            Actions
          </div>
        </div>
        <div ref={scrollRef} className="table-scroll" data-testid="containers-scroll">
          {containers.loaded && rows.length === 0 ? (
            <EmptyState
              title={total === 0 ? 'No containers yet' : 'No containers match'}
              message={
                total === 0
                  ? 'Run one with `docker run -d -p 8080:80 nginx`, it will show up here instantly.'
                  : 'Try another search or filter.'
              }
            />
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const container = rows[item.index];
                if (container === undefined) return null;
                return (
                  <div
                    key={item.key}
                    className="virtual-row"
                    style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                  >
                    <ContainerRow container={container} now={now} />
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
      {runDialog && <RunContainerDialog onClose={() => setRunDialog(false)} />}
    </section>
  );
}
