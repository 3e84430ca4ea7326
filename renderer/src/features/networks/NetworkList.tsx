import { useState } from 'react';
import type { NetworkSummary } from '@berth/common/contract';
import { useAppStore } from '../../stores/app-store';
import { CreateNetworkDialog, NetworkDetailsDialog } from './NetworkDialogs';
import { shortId } from '../../lib/format';
import { Button } from '../../ui/Button';
import { EmptyState, ErrorBanner, PageHeader } from '../../ui/Page';

const builtin = new Set(['bridge', 'host', 'none']);

export function NetworkList() {
  const networks = useAppStore((state) => state.networks);
  const removeNetwork = useAppStore((state) => state.removeNetwork);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<NetworkSummary>();
  return (
    <section className="page" aria-labelledby="networks-title">
      <PageHeader
        title={<span id="networks-title">Networks</span>}
        subtitle={networks.loaded ? `${networks.items.length} networks` : 'Loading…'}
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
            Create network
          </Button>
        }
      />
      {networks.error !== undefined && <ErrorBanner title="Could not list networks" message={networks.error} />}
      <div className="table" role="table" aria-label="Networks">
        <div className="grid-row grid-head networks-grid" role="row">
          <div role="columnheader">Name</div>
          <div role="columnheader">Driver</div>
          <div role="columnheader">Subnet</div>
          <div role="columnheader">Containers</div>
          <div role="columnheader">Scope</div>
          <div role="columnheader" className="cell-actions">
            Actions
          </div>
        </div>
        <div className="table-scroll">
          {networks.loaded && networks.items.length === 0 && <EmptyState title="No networks" />}
          {networks.items.map((network) => (
            <div
              key={network.id}
              className="grid-row networks-grid"
              role="row"
              data-testid="network-row"
              data-name={network.name}
            >
              <div role="cell" className="cell-name">
                <button type="button" className="row-title link-button" onClick={() => setShown(network)}>
                  {network.name}
                </button>
                <span className="row-sub mono">{shortId(network.id)}</span>
              </div>
              <div role="cell">
                <span className="tag">{network.driver}</span>
                {network.internal && <span className="tag">internal</span>}
              </div>
              <div role="cell" className="mono muted">
                {network.subnets.join(', ') || '—'}
              </div>
              <div role="cell">{network.containerCount}</div>
              <div role="cell" className="muted">
                {network.scope}
              </div>
              <div role="cell" className="cell-actions">
                {!builtin.has(network.name) && (
                  <Button
                    variant="ghost"
                    icon="trash"
                    className="danger-hover"
                    aria-label={`Remove network ${network.name}`}
                    onClick={() => void removeNetwork(network.id)}
                  />
                )}
              </div>
            </div>
          ))}
        </div>
      </div>
      {creating && <CreateNetworkDialog onClose={() => setCreating(false)} />}
      {shown !== undefined && <NetworkDetailsDialog network={shown} onClose={() => setShown(undefined)} />}
    </section>
  );
}
