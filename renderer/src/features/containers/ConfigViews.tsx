import { useMemo, useState } from 'react';
import { Button } from '../../ui/Button';
import { Icon } from '../../ui/Icon';
import { EmptyState, ErrorBanner, SearchInput } from '../../ui/Page';
import { envEntries, mountEntries, portEntries, portUrl } from './config-model';
import { useContainerInspect } from './use-inspect';

interface ViewProps {
  readonly containerId: string;
  readonly version: string;
}

function useRaw({ containerId, version }: ViewProps) {
  const { details, error } = useContainerInspect(containerId, version);
  return { raw: details?.raw, error };
}

export function EnvView(props: ViewProps) {
  const { raw, error } = useRaw(props);
  const [query, setQuery] = useState('');
  const [revealed, setRevealed] = useState<ReadonlySet<string>>(new Set());
  const entries = useMemo(() => (raw === undefined ? [] : envEntries(raw)), [raw]);
  if (error !== undefined) return <ErrorBanner title="Could not inspect the container" message={error} />;
  if (raw === undefined) return <p className="muted pad">Loading…</p>;
  const needle = query.trim().toLowerCase();
  const shown = entries.filter(
    (e) => needle === '' || e.key.toLowerCase().includes(needle) || e.value.toLowerCase().includes(needle),
  );
  return (
    <div className="config-view">
      <div className="toolbar">
        <SearchInput value={query} onChange={setQuery} placeholder="Filter variables" label="Filter environment" />
        <span className="muted">{entries.length} variables</span>
      </div>
      {shown.length === 0 ? (
        <EmptyState title={entries.length === 0 ? 'No environment variables' : 'No variables match'} />
      ) : (
        <dl className="kv-table" data-testid="env-table">
          {shown.map((entry) => {
            const hidden = entry.secret && !revealed.has(entry.key);
            return (
              <div key={entry.key} className="kv-row">
                <dt className="mono">{entry.key}</dt>
                <dd className="mono">
                  {hidden ? <span className="muted">••••••••</span> : entry.value}
                  {entry.secret && (
                    <Button
                      variant="ghost"
                      className="kv-reveal"
                      onClick={() =>
                        setRevealed((previous) => {
                          const next = new Set(previous);
                          if (next.has(entry.key)) next.delete(entry.key);
                          else next.add(entry.key);
                          return next;
                        })
                      }
                    >
                      {hidden ? 'Show' : 'Hide'}
                    </Button>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </div>
  );
}

export function MountsView(props: ViewProps) {
  const { raw, error } = useRaw(props);
  if (error !== undefined) return <ErrorBanner title="Could not inspect the container" message={error} />;
  if (raw === undefined) return <p className="muted pad">Loading…</p>;
  const mounts = mountEntries(raw);
  if (mounts.length === 0) return <EmptyState title="No mounts" message="This container has no volumes or bind mounts." />;
  return (
    <div className="table" role="table" aria-label="Mounts">
      <div className="grid-row grid-head mounts-grid" role="row">
        <div role="columnheader">Type</div>
        <div role="columnheader">Source</div>
        <div role="columnheader">Destination</div>
        <div role="columnheader">Mode</div>
      </div>
      {mounts.map((mount) => (
        <div key={mount.destination} className="grid-row mounts-grid" role="row">
          <div role="cell">
            <span className="tag tag-neutral">{mount.type}</span>
          </div>
          <div role="cell" className="cell-ellipsis mono" title={mount.source}>
            {mount.type === 'volume' && mount.name !== undefined ? <a href="#/volumes">{mount.name}</a> : mount.source}
          </div>
          <div role="cell" className="cell-ellipsis mono" title={mount.destination}>
            {mount.destination}
          </div>
          <div role="cell">{mount.readOnly ? 'read-only' : 'read-write'}</div>
        </div>
      ))}
    </div>
  );
}

export function PortsView(props: ViewProps) {
  const { raw, error } = useRaw(props);
  if (error !== undefined) return <ErrorBanner title="Could not inspect the container" message={error} />;
  if (raw === undefined) return <p className="muted pad">Loading…</p>;
  const ports = portEntries(raw);
  if (ports.length === 0) return <EmptyState title="No ports" message="Nothing is exposed or published." />;
  return (
    <div className="table" role="table" aria-label="Ports">
      <div className="grid-row grid-head ports-grid" role="row">
        <div role="columnheader">Container port</div>
        <div role="columnheader">Host</div>
        <div role="columnheader">Open</div>
      </div>
      {ports.map((port) => {
        const url = portUrl(port);
        return (
          <div
            key={`${port.containerPort}/${port.protocol}/${port.hostIp ?? ''}/${port.hostPort ?? ''}`}
            className="grid-row ports-grid"
            role="row"
          >
            <div role="cell" className="mono">
              {port.containerPort}/{port.protocol}
            </div>
            <div role="cell" className="mono">
              {port.hostPort === undefined ? (
                <span className="muted">not published</span>
              ) : (
                `${port.hostIp ?? '0.0.0.0'}:${port.hostPort}`
              )}
            </div>
            <div role="cell">
              {url !== undefined ? (
                <a className="port-link" href={url} target="_blank" rel="noreferrer noopener">
                  {url} <Icon name="external" size={12} />
                </a>
              ) : (
                <span className="muted">—</span>
              )}
            </div>
          </div>
        );
      })}
    </div>
  );
}
