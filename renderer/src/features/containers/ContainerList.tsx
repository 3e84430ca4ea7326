import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ContainerSummary, PortBinding } from '@berth/common/contract';
import { formatBytes, formatDuration, formatPercent, shortId, uptimeSeconds } from '../../lib/format';
import { hrefFor, navigate } from '../../lib/router';
import { useNow } from '../../lib/use-now';
import { selectContainerList, useAppStore, type StateFilter } from '../../stores/app-store';
import { useStatsSamples } from '../../stores/stats-hub';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { Icon } from '../../ui/Icon';
import { EmptyState, ErrorBanner, PageHeader, SearchInput } from '../../ui/Page';
import { Sparkline } from '../../ui/Sparkline';
import { StateBadge } from '../../ui/StateBadge';
import { RunContainerDialog } from '../run/RunContainerDialog';
import { ContainerActions } from './ContainerActions';
import { groupByProject, type ListItem } from './container-groups';

const ROW_HEIGHT = 56;
const GROUP_HEIGHT = 44;

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

function Health({ health }: { health: ContainerSummary['health'] }) {
  if (health === undefined) return null;
  return (
    <span className={`health health-${health}`} title={`Health: ${health}`}>
      {health === 'starting' ? 'starting' : health}
    </span>
  );
}

/** CPU and memory of one running container, from the shared stats stream (subscribed while on screen). */
function Usage({ container }: { container: ContainerSummary }) {
  const running = container.state === 'running';
  // Subscribe once the row has stayed on screen a moment: the first paint and fast scrolling open no streams.
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(true), 400);
    return () => clearTimeout(timer);
  }, []);
  const samples = useStatsSamples(container.id, running && settled);
  if (!running) return <span className="muted">—</span>;
  const last = samples[samples.length - 1];
  return (
    <div className="usage" data-testid="usage">
      <div className="usage-line" title="CPU">
        <Sparkline className="mini-spark spark-cpu" values={samples.map((s) => s.cpuPercent)} max={5} width={60} height={16} />
        <span className="usage-value">{last === undefined ? '…' : formatPercent(last.cpuPercent)}</span>
      </div>
      <div className="usage-line" title="Memory">
        <Sparkline
          className="mini-spark spark-mem"
          values={samples.map((s) => s.memoryUsage)}
          max={last?.memoryLimit ? last.memoryLimit / 20 : 1}
          width={60}
          height={16}
        />
        <span className="usage-value">{last === undefined ? '' : formatBytes(last.memoryUsage)}</span>
      </div>
    </div>
  );
}

const ContainerRow = memo(function ContainerRow({
  container,
  now,
  selected,
  focused,
  grouped,
  onToggle,
}: {
  container: ContainerSummary;
  now: number;
  selected: boolean;
  focused: boolean;
  grouped: boolean;
  onToggle: (id: string) => void;
}) {
  const href = hrefFor({ page: 'container', id: container.id, tab: 'logs' });
  return (
    <div
      className={`grid-row containers-grid${focused ? ' row-focused' : ''}${selected ? ' row-selected' : ''}${grouped ? ' row-grouped' : ''}`}
      role="row"
      aria-selected={selected}
      data-testid="container-row"
      data-name={container.name}
    >
      <div role="cell" className="cell-check">
        <input
          type="checkbox"
          aria-label={`Select ${container.name}`}
          checked={selected}
          tabIndex={-1}
          onChange={() => onToggle(container.id)}
        />
      </div>
      <div role="cell" className="cell-name">
        <a href={href} className="row-title" tabIndex={-1}>
          {container.name}
        </a>
        <span className="row-sub mono">
          {shortId(container.id)}
          {container.composeProject !== undefined && !grouped && <span className="tag">{container.composeProject}</span>}
        </span>
      </div>
      <div role="cell" className="cell-ellipsis" title={container.image}>
        {container.image}
      </div>
      <div role="cell" className="cell-state">
        <StateBadge state={container.state} />
        <Health health={container.health} />
      </div>
      <div role="cell">
        <Usage container={container} />
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
});

function GroupRow({
  item,
  focused,
  selectedCount,
  onCollapse,
  onSelect,
}: {
  item: Extract<ListItem, { kind: 'group' }>;
  focused: boolean;
  selectedCount: number;
  onCollapse: () => void;
  onSelect: () => void;
}) {
  return (
    <div
      className={`grid-row group-row${focused ? ' row-focused' : ''}`}
      role="row"
      data-testid="group-row"
      data-project={item.project}
    >
      <div role="cell" className="cell-check">
        <input
          type="checkbox"
          aria-label={`Select project ${item.project}`}
          tabIndex={-1}
          checked={selectedCount === item.ids.length && item.ids.length > 0}
          ref={(element) => {
            if (element !== null) element.indeterminate = selectedCount > 0 && selectedCount < item.ids.length;
          }}
          onChange={onSelect}
        />
      </div>
      <button type="button" className="group-toggle" tabIndex={-1} aria-expanded={!item.collapsed} onClick={onCollapse}>
        <span className={`chevron${item.collapsed ? '' : ' open'}`} aria-hidden="true">
          ›
        </span>
        <Icon name="layers" />
        <strong>{item.project}</strong>
        <span className="muted">
          {item.running}/{item.ids.length} running
        </span>
      </button>
    </div>
  );
}

const filters: Array<{ value: StateFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'running', label: 'Running' },
  { value: 'stopped', label: 'Stopped' },
];

type BulkAction = 'start' | 'stop' | 'restart' | 'remove';

export function ContainerList() {
  const containers = useAppStore((state) => state.containers);
  const runBulk = useAppStore((state) => state.runBulkAction);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<StateFilter>('all');
  const [grouped, setGrouped] = useState(true);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState(-1);
  const [confirmRemove, setConfirmRemove] = useState<readonly string[]>();
  const [runDialog, setRunDialog] = useState(false);
  const now = useNow();
  const rows = useMemo(() => selectContainerList(containers.items, query, filter), [containers.items, query, filter]);
  const items = useMemo(() => groupByProject(rows, grouped, collapsed), [rows, grouped, collapsed]);
  const total = Object.keys(containers.items).length;
  const running = Object.values(containers.items).filter((c) => c.state === 'running').length;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (items[index]?.kind === 'group' ? GROUP_HEIGHT : ROW_HEIGHT),
    overscan: 8,
    initialRect: { width: 1000, height: 800 },
    getItemKey: (index) => items[index]?.key ?? index,
  });

  // Selection only holds containers that still exist.
  useEffect(() => {
    setSelected((previous) => {
      const kept = [...previous].filter((id) => containers.items[id] !== undefined);
      return kept.length === previous.size ? previous : new Set(kept);
    });
  }, [containers.items]);

  const toggle = (id: string): void =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const toggleGroup = (ids: readonly string[]): void =>
    setSelected((previous) => {
      const next = new Set(previous);
      const all = ids.every((id) => next.has(id));
      for (const id of ids) {
        if (all) next.delete(id);
        else next.add(id);
      }
      return next;
    });

  const collapse = (project: string): void =>
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(project)) next.delete(project);
      else next.add(project);
      return next;
    });

  const bulk = (action: BulkAction, ids: readonly string[] = [...selected]): void => {
    if (ids.length === 0) return;
    if (action === 'remove') {
      setConfirmRemove(ids);
      return;
    }
    void runBulk(ids, action);
  };

  const moveCursor = (index: number): void => {
    const next = Math.max(0, Math.min(items.length - 1, index));
    setCursor(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const item = items[cursor];
    switch (event.key) {
      case 'ArrowDown':
        moveCursor(cursor + 1);
        break;
      case 'ArrowUp':
        moveCursor(cursor - 1);
        break;
      case 'Home':
        moveCursor(0);
        break;
      case 'End':
        moveCursor(items.length - 1);
        break;
      case 'PageDown':
        moveCursor(cursor + 10);
        break;
      case 'PageUp':
        moveCursor(cursor - 10);
        break;
      case 'Enter':
        if (item?.kind === 'container') navigate({ page: 'container', id: item.container.id, tab: 'logs' });
        else if (item?.kind === 'group') collapse(item.project);
        else return;
        break;
      case ' ':
        if (item?.kind === 'container') toggle(item.container.id);
        else if (item?.kind === 'group') toggleGroup(item.ids);
        else return;
        break;
      case 'Delete':
      case 'Backspace':
        if (selected.size > 0) bulk('remove');
        else if (item?.kind === 'container') bulk('remove', [item.container.id]);
        else return;
        break;
      case 'a':
        if (!(event.ctrlKey || event.metaKey)) return;
        setSelected(new Set(rows.map((c) => c.id)));
        break;
      case 'Escape':
        if (selected.size === 0) return;
        setSelected(new Set());
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const removeIds = confirmRemove ?? [];
  const removeRunning = removeIds.some((id) => {
    const state = containers.items[id]?.state;
    return state === 'running' || state === 'paused' || state === 'restarting';
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
        <label className="toggle">
          <input type="checkbox" checked={grouped} onChange={(event) => setGrouped(event.target.checked)} />
          Group by project
        </label>
        {selected.size > 0 && (
          <div className="bulk-bar" role="toolbar" aria-label="Selected containers">
            <span>
              <strong>{selected.size}</strong> selected
            </span>
            <Button variant="ghost" icon="play" onClick={() => bulk('start')}>
              Start
            </Button>
            <Button variant="ghost" icon="stop" onClick={() => bulk('stop')}>
              Stop
            </Button>
            <Button variant="ghost" icon="restart" onClick={() => bulk('restart')}>
              Restart
            </Button>
            <Button variant="ghost" icon="trash" className="danger-hover" onClick={() => bulk('remove')}>
              Remove
            </Button>
            <Button variant="ghost" icon="close" aria-label="Clear selection" onClick={() => setSelected(new Set())} />
          </div>
        )}
      </div>
      {containers.error !== undefined && <ErrorBanner title="Could not list containers" message={containers.error} />}
      <div className="table" role="table" aria-label="Containers" aria-rowcount={rows.length}>
        <div className="grid-row grid-head containers-grid" role="row">
          <div role="columnheader" className="cell-check">
            <input
              type="checkbox"
              aria-label="Select all"
              checked={rows.length > 0 && rows.every((c) => selected.has(c.id))}
              onChange={(event) => setSelected(event.target.checked ? new Set(rows.map((c) => c.id)) : new Set())}
            />
          </div>
          <div role="columnheader">Name</div>
          <div role="columnheader">Image</div>
          <div role="columnheader">State</div>
          <div role="columnheader">CPU / Memory</div>
          <div role="columnheader">Ports</div>
          <div role="columnheader">Uptime</div>
          <div role="columnheader" className="cell-actions">
            Actions
          </div>
        </div>
        <div
          ref={scrollRef}
          className="table-scroll"
          data-testid="containers-scroll"
          tabIndex={0}
          aria-label="Container rows: arrows move, Enter opens, Space selects, Delete removes"
          onKeyDown={onKeyDown}
          onFocus={() => {
            if (cursor < 0 && items.length > 0) setCursor(0);
          }}
        >
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
              {virtualizer.getVirtualItems().map((virtual) => {
                const item = items[virtual.index];
                if (item === undefined) return null;
                const focused = virtual.index === cursor;
                return (
                  <div
                    key={virtual.key}
                    className="virtual-row"
                    style={{ transform: `translateY(${virtual.start}px)`, height: virtual.size }}
                    onMouseDown={() => setCursor(virtual.index)}
                  >
                    {item.kind === 'group' ? (
                      <GroupRow
                        item={item}
                        focused={focused}
                        selectedCount={item.ids.filter((id) => selected.has(id)).length}
                        onCollapse={() => collapse(item.project)}
                        onSelect={() => toggleGroup(item.ids)}
                      />
                    ) : (
                      <ContainerRow
                        container={item.container}
                        now={now}
                        selected={selected.has(item.container.id)}
                        focused={focused}
                        grouped={item.grouped}
                        onToggle={toggle}
                      />
                    )}
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
      {confirmRemove !== undefined && (
        <ConfirmDialog
          title={removeIds.length === 1 ? 'Remove container?' : `Remove ${removeIds.length} containers?`}
          message={
            <>
              {removeIds.length === 1 ? (
                <strong>{containers.items[removeIds[0] ?? '']?.name ?? removeIds[0]}</strong>
              ) : (
                `${removeIds.length} containers`
              )}{' '}
              will be deleted{removeRunning ? ' (running ones are stopped first)' : ''}. Volumes are kept.
            </>
          }
          confirmLabel={removeRunning ? 'Stop and remove' : 'Remove'}
          onCancel={() => setConfirmRemove(undefined)}
          onConfirm={() => {
            setConfirmRemove(undefined);
            setSelected(new Set());
            void runBulk(removeIds, 'remove');
            scrollRef.current?.focus();
          }}
        />
      )}
      {runDialog && <RunContainerDialog onClose={() => setRunDialog(false)} />}
    </section>
  );
}
