import { useCallback, useEffect, useState } from 'react';
import type { ContainerProcesses } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { Button } from '../../ui/Button';
import { EmptyState, ErrorBanner } from '../../ui/Page';

/** `docker top`: fetched when opened, when the container changes state, and on demand. */
export function ProcessesView({ containerId, running, version }: { containerId: string; running: boolean; version: string }) {
  const [top, setTop] = useState<ContainerProcesses>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    setBusy(true);
    try {
      setTop(await getAppApi().containers.top({ id: containerId }));
      setError(undefined);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }, [containerId]);
  useEffect(() => {
    if (running) void load();
  }, [load, running, version]);
  if (!running) return <EmptyState title="Not running" message="Processes are listed while the container runs." />;
  return (
    <div className="config-view">
      <div className="toolbar">
        <span className="muted">{top === undefined ? 'Loading…' : `${top.processes.length} processes`}</span>
        <span className="toolbar-spacer" />
        <Button variant="ghost" icon="restart" busy={busy} onClick={() => void load()}>
          Refresh
        </Button>
      </div>
      {error !== undefined && <ErrorBanner title="Could not list processes" message={error} />}
      {top !== undefined && (
        <div className="table-wrap">
          <table className="data-table" data-testid="processes-table">
            <thead>
              <tr>
                {top.titles.map((title, index) => (
                  <th key={`${index}-${title}`}>{title}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {top.processes.map((row, index) => (
                <tr key={index}>
                  {row.map((cell, column) => (
                    <td key={column} className={top.titles[column] === 'CMD' ? 'mono cell-cmd' : 'mono'}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
