import type { Route } from '../../lib/router';
import { hrefFor, navigate } from '../../lib/router';
import { useNow } from '../../lib/use-now';
import { shortId } from '../../lib/format';
import { useAppStore } from '../../stores/app-store';
import { Icon } from '../../ui/Icon';
import { EmptyState } from '../../ui/Page';
import { StateBadge } from '../../ui/StateBadge';
import { ContainerActions } from './ContainerActions';
import { uptimeText } from './ContainerList';
import { InspectView } from './InspectView';
import { LogsView } from './LogsView';
import { StatsView } from './StatsView';

const tabs = [
  { id: 'logs', label: 'Logs', icon: 'logs' },
  { id: 'inspect', label: 'Inspect', icon: 'code' },
  { id: 'stats', label: 'Stats', icon: 'chart' },
] as const;

export function ContainerDetailsPage({ route }: { route: Extract<Route, { page: 'container' }> }) {
  const container = useAppStore(
    (state) => state.containers.items[route.id] ?? Object.values(state.containers.items).find((c) => c.name === route.id),
  );
  const loaded = useAppStore((state) => state.containers.loaded);
  const now = useNow();
  if (container === undefined) {
    return (
      <section className="page">
        <a className="back-link" href={hrefFor({ page: 'containers' })}>
          <Icon name="back" /> Containers
        </a>
        {loaded ? (
          <EmptyState title="Container not found" message="It may have been removed." />
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  }
  return (
    <section className="page page-details" aria-label={`Container ${container.name}`}>
      <a className="back-link" href={hrefFor({ page: 'containers' })}>
        <Icon name="back" /> Containers
      </a>
      <header className="details-header">
        <div>
          <h1>
            {container.name} <StateBadge state={container.state} />
          </h1>
          <p className="page-subtitle">
            <span className="mono">{shortId(container.id)}</span> · {container.image} · {uptimeText(container, now)}
          </p>
        </div>
        <ContainerActions container={container} onRemoved={() => navigate({ page: 'containers' })} />
      </header>
      <nav className="tabs" role="tablist">
        {tabs.map((tab) => (
          <a
            key={tab.id}
            role="tab"
            aria-selected={route.tab === tab.id}
            className={route.tab === tab.id ? 'active' : ''}
            href={hrefFor({ page: 'container', id: route.id, tab: tab.id })}
          >
            <Icon name={tab.icon} /> {tab.label}
          </a>
        ))}
      </nav>
      <div className="tab-panel" role="tabpanel">
        {route.tab === 'logs' && <LogsView containerId={container.id} />}
        {route.tab === 'inspect' && <InspectView containerId={container.id} version={`${container.state}:${container.status}`} />}
        {route.tab === 'stats' && <StatsView containerId={container.id} running={container.state === 'running'} />}
      </div>
    </section>
  );
}
