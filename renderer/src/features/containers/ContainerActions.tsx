import { useState } from 'react';
import type { ContainerSummary } from '@berth/common/contract';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';

/** Start/stop, restart, pause and remove for one container; used by the list rows and the details header. */
export function ContainerActions({
  container,
  compact = false,
  onRemoved,
}: {
  container: ContainerSummary;
  compact?: boolean;
  onRemoved?: () => void;
}) {
  const pending = useAppStore((state) => state.pendingActions[container.id]);
  const run = useAppStore((state) => state.runContainerAction);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const isUp = container.state === 'running' || container.state === 'restarting';
  const isPaused = container.state === 'paused';
  const label = (verb: string) => `${verb} ${container.name}`;
  return (
    <div className="row-actions">
      {isUp || isPaused ? (
        <Button
          variant="ghost"
          icon="stop"
          title="Stop"
          aria-label={label('Stop')}
          busy={pending === 'stop'}
          disabled={pending !== undefined}
          onClick={() => void run(container.id, 'stop')}
        >
          {compact ? undefined : 'Stop'}
        </Button>
      ) : (
        <Button
          variant="ghost"
          icon="play"
          title="Start"
          aria-label={label('Start')}
          busy={pending === 'start'}
          disabled={pending !== undefined}
          onClick={() => void run(container.id, 'start')}
        >
          {compact ? undefined : 'Start'}
        </Button>
      )}
      {!compact && (isUp || isPaused) && (
        <Button
          variant="ghost"
          icon={isPaused ? 'play' : 'pause'}
          aria-label={label(isPaused ? 'Resume' : 'Pause')}
          busy={pending === 'pause' || pending === 'unpause'}
          disabled={pending !== undefined}
          onClick={() => void run(container.id, isPaused ? 'unpause' : 'pause')}
        >
          {isPaused ? 'Resume' : 'Pause'}
        </Button>
      )}
      <Button
        variant="ghost"
        icon="restart"
        title="Restart"
        aria-label={label('Restart')}
        busy={pending === 'restart'}
        disabled={pending !== undefined}
        onClick={() => void run(container.id, 'restart')}
      >
        {compact ? undefined : 'Restart'}
      </Button>
      <Button
        variant="ghost"
        icon="trash"
        title="Remove"
        className="danger-hover"
        aria-label={label('Remove')}
        busy={pending === 'remove'}
        disabled={pending !== undefined}
        onClick={() => setConfirmRemove(true)}
      >
        {compact ? undefined : 'Remove'}
      </Button>
      {confirmRemove && (
        <ConfirmDialog
          title="Remove container?"
          message={
            <>
              <strong>{container.name}</strong> will be deleted{isUp || isPaused ? ' after being stopped' : ''}. Its writable
              layer is lost; volumes are kept.
            </>
          }
          confirmLabel={isUp || isPaused ? 'Stop and remove' : 'Remove'}
          onCancel={() => setConfirmRemove(false)}
          onConfirm={() => {
            setConfirmRemove(false);
            void run(container.id, 'remove', { force: isUp || isPaused }).then((ok) => {
              if (ok) onRemoved?.();
            });
          }}
        />
      )}
    </div>
  );
}
