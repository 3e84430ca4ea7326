import { useMemo, useState } from 'react';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { EmptyState, ErrorBanner, PageHeader, SearchInput } from '../../ui/Page';
import { CreateVolumeDialog } from './CreateVolumeDialog';
import { VolumeBrowser } from './VolumeBrowser';

export function VolumeList() {
  const volumes = useAppStore((state) => state.volumes);
  const removeVolume = useAppStore((state) => state.removeVolume);
  const [query, setQuery] = useState('');
  const [toRemove, setToRemove] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [browsing, setBrowsing] = useState<string>();
  const rows = useMemo(
    () => volumes.items.filter((v) => v.name.toLowerCase().includes(query.trim().toLowerCase())),
    [volumes.items, query],
  );
  return (
    <section className="page" aria-labelledby="volumes-title">
      <PageHeader
        title={<span id="volumes-title">Volumes</span>}
        subtitle={volumes.loaded ? `${volumes.items.length} volumes` : 'Loading…'}
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
            Create volume
          </Button>
        }
      />
      <div className="toolbar">
        <SearchInput value={query} onChange={setQuery} placeholder="Search volumes" label="Search volumes" />
      </div>
      {volumes.error !== undefined && <ErrorBanner title="Could not list volumes" message={volumes.error} />}
      <div className="table" role="table" aria-label="Volumes">
        <div className="grid-row grid-head volumes-grid" role="row">
          <div role="columnheader">Name</div>
          <div role="columnheader">Driver</div>
          <div role="columnheader">Mountpoint</div>
          <div role="columnheader">Created</div>
          <div role="columnheader" className="cell-actions">
            Actions
          </div>
        </div>
        <div className="table-scroll">
          {volumes.loaded && rows.length === 0 && <EmptyState title="No volumes" />}
          {rows.map((volume) => (
            <div key={volume.name} className="grid-row volumes-grid" role="row" data-testid="volume-row" data-name={volume.name}>
              <div role="cell" className="cell-name">
                <span className="row-title cell-ellipsis" title={volume.name}>
                  {volume.name}
                </span>
                {volume.labels['com.docker.compose.project'] !== undefined && (
                  <span className="row-sub">
                    <span className="tag">{volume.labels['com.docker.compose.project']}</span>
                  </span>
                )}
              </div>
              <div role="cell">{volume.driver}</div>
              <div role="cell" className="mono muted cell-ellipsis" title={volume.mountpoint}>
                {volume.mountpoint}
              </div>
              <div role="cell" className="muted">
                {volume.createdAt === undefined ? '—' : new Date(volume.createdAt).toLocaleDateString()}
              </div>
              <div role="cell" className="cell-actions">
                <Button
                  variant="ghost"
                  icon="folder"
                  aria-label={`Browse volume ${volume.name}`}
                  title="Browse files"
                  onClick={() => setBrowsing(volume.name)}
                />
                <Button
                  variant="ghost"
                  icon="trash"
                  className="danger-hover"
                  aria-label={`Remove volume ${volume.name}`}
                  onClick={() => setToRemove(volume.name)}
                />
              </div>
            </div>
          ))}
        </div>
      </div>
      {browsing !== undefined && <VolumeBrowser name={browsing} onClose={() => setBrowsing(undefined)} />}
      {creating && <CreateVolumeDialog onClose={() => setCreating(false)} />}
      {toRemove !== undefined && (
        <ConfirmDialog
          title="Remove volume?"
          message={
            <>
              All data in <strong>{toRemove}</strong> will be deleted permanently.
            </>
          }
          confirmLabel="Remove"
          onCancel={() => setToRemove(undefined)}
          onConfirm={() => {
            const name = toRemove;
            setToRemove(undefined);
            void removeVolume(name);
          }}
        />
      )}
    </section>
  );
}
