import { useEffect, useState } from 'react';
import type { NetworkSummary } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { hrefFor } from '../../lib/router';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { EmptyState, ErrorBanner } from '../../ui/Page';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export interface NetworkMember {
  readonly id: string;
  readonly name: string;
  readonly ipv4: string;
  readonly mac: string;
}

/** Containers attached to a network, from its inspect JSON. */
export function networkMembers(raw: Json): NetworkMember[] {
  return Object.entries(obj(raw['Containers']))
    .map(([id, value]) => {
      const c = obj(value);
      return { id, name: str(c['Name']) || id.slice(0, 12), ipv4: str(c['IPv4Address']), mac: str(c['MacAddress']) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function CreateNetworkDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const refreshNetworks = useAppStore((state) => state.refreshNetworks);
  const submit = async (): Promise<void> => {
    setBusy(true);
    try {
      await getAppApi().networks.create({
        name: name.trim(),
        driver: 'bridge',
        internal,
        ...(subnet.trim() !== '' ? { subnet: subnet.trim() } : {}),
      });
      void refreshNetworks();
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Create a network"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" icon="plus" type="submit" form="network-form" busy={busy} disabled={name.trim() === ''}>
            Create
          </Button>
        </>
      }
    >
      <form
        id="network-form"
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(event) => setName(event.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span>Subnet (optional)</span>
          <input
            value={subnet}
            onChange={(event) => setSubnet(event.target.value)}
            placeholder="172.30.0.0/24"
            spellCheck={false}
          />
        </label>
        <label className="toggle">
          <input type="checkbox" checked={internal} onChange={(event) => setInternal(event.target.checked)} />
          Internal (no outside access)
        </label>
        {error !== undefined && <ErrorBanner title="Could not create the network" message={error} />}
      </form>
    </Dialog>
  );
}

export function NetworkDetailsDialog({ network, onClose }: { network: NetworkSummary; onClose: () => void }) {
  const [raw, setRaw] = useState<Json>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    getAppApi()
      .networks.inspect({ id: network.id })
      .then((value) => live && setRaw(value))
      .catch((failure: unknown) => live && setError(errorMessage(failure)));
    return () => {
      live = false;
    };
  }, [network.id]);
  const members = raw === undefined ? [] : networkMembers(raw);
  return (
    <Dialog title={`Network ${network.name}`} wide onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      {error !== undefined && <ErrorBanner title="Could not inspect the network" message={error} />}
      {raw === undefined && error === undefined && <p className="muted">Loading…</p>}
      {raw !== undefined && (
        <div className="network-details">
          <dl className="facts">
            <dt>Driver</dt>
            <dd>{network.driver}</dd>
            <dt>Subnets</dt>
            <dd className="mono">{network.subnets.join(', ') || '—'}</dd>
            <dt>Internal</dt>
            <dd>{network.internal ? 'yes' : 'no'}</dd>
          </dl>
          <h3 className="section-title">Containers ({members.length})</h3>
          {members.length === 0 ? (
            <EmptyState title="No containers on this network" />
          ) : (
            <ul className="member-list" data-testid="network-members">
              {members.map((member) => (
                <li key={member.id}>
                  <a href={hrefFor({ page: 'container', id: member.id, tab: 'logs' })} onClick={onClose}>
                    {member.name}
                  </a>
                  <span className="mono muted">{member.ipv4 || '—'}</span>
                  <span className="mono muted">{member.mac}</span>
                </li>
              ))}
            </ul>
          )}
          <details>
            <summary>Raw JSON</summary>
            <pre className="json json-small">{JSON.stringify(raw, null, 2)}</pre>
          </details>
        </div>
      )}
    </Dialog>
  );
}
