import { useEffect, useState } from 'react';
import type { VolumeEntry } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { formatAgo, formatBytes } from '../../lib/format';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Icon } from '../../ui/Icon';
import { EmptyState, ErrorBanner } from '../../ui/Page';

/** Read-only file browser of a volume, one directory at a time. */
export function VolumeBrowser({ name, onClose }: { name: string; onClose: () => void }) {
  const [path, setPath] = useState<readonly string[]>([]);
  const [entries, setEntries] = useState<readonly VolumeEntry[]>();
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setEntries(undefined);
    setError(undefined);
    getAppApi()
      .volumes.browse({ name, path: path.join('/') })
      .then((result) => {
        if (!live) return;
        setEntries(result.entries);
        setTruncated(result.truncated);
      })
      .catch((failure: unknown) => live && setError(errorMessage(failure)));
    return () => {
      live = false;
    };
  }, [name, path]);
  return (
    <Dialog title={`Volume ${name}`} wide onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <nav className="breadcrumbs" aria-label="Path">
        <button type="button" className="link-button" onClick={() => setPath([])}>
          {name}
        </button>
        {path.map((part, index) => (
          <span key={`${index}-${part}`}>
            <span className="muted"> / </span>
            <button type="button" className="link-button" onClick={() => setPath(path.slice(0, index + 1))}>
              {part}
            </button>
          </span>
        ))}
      </nav>
      {error !== undefined && <ErrorBanner title="Could not list the volume" message={error} />}
      {entries === undefined && error === undefined && <p className="muted">Reading…</p>}
      {entries !== undefined && entries.length === 0 && <EmptyState title="Empty directory" />}
      {entries !== undefined && entries.length > 0 && (
        <ul className="file-list" data-testid="volume-files">
          {path.length > 0 && (
            <li>
              <button type="button" className="file-entry" onClick={() => setPath(path.slice(0, -1))}>
                <Icon name="back" /> <span>..</span>
              </button>
            </li>
          )}
          {entries.map((entry) => (
            <li key={entry.name}>
              <button
                type="button"
                className="file-entry"
                disabled={entry.type !== 'directory'}
                onClick={() => setPath([...path, entry.name])}
              >
                <Icon name={entry.type === 'directory' ? 'folder' : 'logs'} />
                <span className="file-name">
                  {entry.name}
                  {entry.target !== undefined && <span className="muted"> → {entry.target}</span>}
                </span>
                <span className="muted">{entry.type === 'directory' ? '' : formatBytes(entry.size)}</span>
                <span className="muted">{entry.modified > 0 ? formatAgo(entry.modified) : ''}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {truncated && <p className="muted">Only the first 2,000 entries are shown.</p>}
    </Dialog>
  );
}
