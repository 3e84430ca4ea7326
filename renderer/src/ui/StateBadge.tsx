import type { ContainerState } from '@berth/common/contract';

const labels: Record<ContainerState, string> = {
  running: 'Running',
  paused: 'Paused',
  restarting: 'Restarting',
  created: 'Created',
  exited: 'Exited',
  removing: 'Removing',
  dead: 'Dead',
};

export function StateBadge({ state }: { state: ContainerState }) {
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {labels[state]}
    </span>
  );
}
