import { lazy, Suspense } from 'react';
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
import { EnvView, MountsView, PortsView } from './ConfigViews';
import { ProcessesView } from './ProcessesView';
import type { ContainerTab } from '../../lib/router';
import type { IconName } from '../../ui/Icon';

// xterm.js is large: loaded the first time a terminal is opened, not with the app.
const TerminalView = lazy(() => import('../terminal/TerminalView').then((module) => ({ default: module.TerminalView })));

const tabs: ReadonlyArray<{ id: ContainerTab; label: string; icon: IconName }> = [
  { id: 'logs', label: 'Logs', icon: 'logs' },
  { id: 'terminal', label: 'Terminal', icon: 'terminal' },
  { id: 'stats', label: 'Stats', icon: 'chart' },
  { id: 'processes', label: 'Processes', icon: 'list' },
  { id: 'env', label: 'Env', icon: 'key' },
  { id: 'mounts', label: 'Mounts', icon: 'volumes' },
  { id: 'ports', label: 'Ports', icon: 'networks' },
  { id: 'inspect', label: 'Inspect', icon: 'code' },
];

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
  const version = `${container.state}:${container.status}`;
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
        {route.tab === 'logs' && <LogsView containerId={container.id} containerName={container.name} />}
        {route.tab === 'terminal' && (
          <Suspense fallback={<p className="muted pad">Loading terminal…</p>}>
            <TerminalView containerId={container.id} running={container.state === 'running'} />
          </Suspense>
        )}
        {route.tab === 'inspect' && <InspectView containerId={container.id} version={version} />}
        {route.tab === 'stats' && <StatsView containerId={container.id} running={container.state === 'running'} />}
        {route.tab === 'processes' && (
          <ProcessesView containerId={container.id} running={container.state === 'running'} version={version} />
        )}
        {route.tab === 'env' && <EnvView containerId={container.id} version={version} />}
        {route.tab === 'mounts' && <MountsView containerId={container.id} version={version} />}
        {route.tab === 'ports' && <PortsView containerId={container.id} version={version} />}
      </div>
    </section>
  );
}
