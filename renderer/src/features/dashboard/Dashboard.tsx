import { formatBytes } from '../../lib/format';
import { EventsTimeline } from './EventsTimeline';
import { hrefFor } from '../../lib/router';
import { useAppStore } from '../../stores/app-store';
import { Icon, type IconName } from '../../ui/Icon';
import { PageHeader } from '../../ui/Page';

function StatCard({
  label,
  value,
  detail,
  icon,
  href,
}: {
  label: string;
  value: string | number;
  detail?: string;
  icon: IconName;
  href: string;
}) {
  return (
    <a className="card stat-card link-card" href={href}>
      <span className="card-label">
        <Icon name={icon} /> {label}
      </span>
      <strong className="card-value">{value}</strong>
      {detail !== undefined && <span className="muted">{detail}</span>}
    </a>
  );
}

export function Dashboard() {
  const info = useAppStore((state) => state.engineInfo);
  const version = useAppStore((state) => state.engineVersion);
  const status = useAppStore((state) => state.engineStatus);
  const containers = useAppStore((state) => state.containers.items);
  const images = useAppStore((state) => state.images.items);
  const volumes = useAppStore((state) => state.volumes.items);
  const networks = useAppStore((state) => state.networks.items);
  const list = Object.values(containers);
  const running = list.filter((c) => c.state === 'running').length;
  const paused = list.filter((c) => c.state === 'paused').length;
  const imageBytes = images.reduce((sum, image) => sum + image.size, 0);

  return (
    <section className="page" aria-labelledby="dashboard-title">
      <PageHeader
        title={<span id="dashboard-title">Dashboard</span>}
        subtitle={status.host === '' ? 'Connecting…' : `Engine at ${status.host}`}
      />
      <div className="stat-grid">
        <StatCard
          label="Containers"
          icon="containers"
          value={list.length}
          detail={`${running} running${paused > 0 ? ` · ${paused} paused` : ''}`}
          href={hrefFor({ page: 'containers' })}
        />
        <StatCard
          label="Images"
          icon="images"
          value={images.length}
          detail={formatBytes(imageBytes)}
          href={hrefFor({ page: 'images' })}
        />
        <StatCard label="Volumes" icon="volumes" value={volumes.length} href={hrefFor({ page: 'volumes' })} />
        <StatCard label="Networks" icon="networks" value={networks.length} href={hrefFor({ page: 'networks' })} />
      </div>
      <div className="two-col">
        <div className="card">
          <h2 className="card-title">Engine</h2>
          {info === undefined ? (
            <p className="muted">No engine information yet.</p>
          ) : (
            <dl className="facts">
              <dt>Version</dt>
              <dd>
                {info.serverVersion}
                {version !== undefined && <span className="muted"> · API {version.apiVersion}</span>}
              </dd>
              <dt>Operating system</dt>
              <dd>{info.operatingSystem}</dd>
              <dt>Kernel</dt>
              <dd className="mono">{info.kernelVersion}</dd>
              <dt>Resources</dt>
              <dd>
                {info.cpus} CPUs · {formatBytes(info.memoryBytes)}
              </dd>
              <dt>Storage</dt>
              <dd>
                {info.storageDriver} <span className="muted mono">{info.rootDir}</span>
              </dd>
            </dl>
          )}
        </div>
        <EventsTimeline />
      </div>
    </section>
  );
}
