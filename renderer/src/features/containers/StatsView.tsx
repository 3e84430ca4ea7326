import { useEffect, useState } from 'react';
import type { ContainerStats } from '@berth/common/contract';
import { getAppApi } from '../../app-api';
import { formatBytes, formatPercent } from '../../lib/format';
import { ErrorBanner } from '../../ui/Page';

const HISTORY = 60;

function Sparkline({ values, max }: { values: readonly number[]; max: number }) {
  if (values.length < 2) return <svg className="spark" viewBox="0 0 120 32" aria-hidden="true" />;
  const top = Math.max(max, ...values, 1e-9);
  // The line grows from the left while history fills, reaching full width after a few samples.
  const span = Math.max(values.length, 12) - 1;
  const points = values.map((v, i) => `${(i / span) * 120},${32 - (v / top) * 30 - 1}`).join(' ');
  return (
    <svg className="spark" viewBox="0 0 120 32" preserveAspectRatio="none" aria-hidden="true">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

export function StatsView({ containerId, running }: { containerId: string; running: boolean }) {
  const [samples, setSamples] = useState<readonly ContainerStats[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!running) return;
    setSamples([]);
    const handle = getAppApi().containers.stats(
      { id: containerId },
      {
        onItem: (sample) => setSamples((previous) => [...previous.slice(-(HISTORY - 1)), sample]),
        onError: (failure) => setError(failure.message),
      },
    );
    return () => handle.cancel();
  }, [containerId, running]);
  if (!running) return <p className="muted pad">Stats are available while the container runs.</p>;
  if (error !== undefined) return <ErrorBanner title="Stats stream stopped" message={error} />;
  const last = samples[samples.length - 1];
  const cards = [
    {
      label: 'CPU',
      value: last === undefined ? '—' : formatPercent(last.cpuPercent),
      series: samples.map((s) => s.cpuPercent),
      max: 100,
    },
    {
      label: 'Memory',
      value: last === undefined ? '—' : `${formatBytes(last.memoryUsage)} / ${formatBytes(last.memoryLimit)}`,
      series: samples.map((s) => s.memoryUsage),
      max: 0,
    },
    {
      label: 'Network I/O',
      value: last === undefined ? '—' : `${formatBytes(last.networkRx)} ↓  ${formatBytes(last.networkTx)} ↑`,
      series: samples.map((s) => s.networkRx + s.networkTx),
      max: 0,
    },
    {
      label: 'Block I/O',
      value: last === undefined ? '—' : `${formatBytes(last.blockRead)} r  ${formatBytes(last.blockWrite)} w`,
      series: samples.map((s) => s.blockRead + s.blockWrite),
      max: 0,
    },
  ];
  return (
    <div className="stat-cards">
      {cards.map((card) => (
        <div key={card.label} className="card stat-card">
          <span className="card-label">{card.label}</span>
          <strong className="card-value">{card.value}</strong>
          <Sparkline values={card.series} max={card.max} />
        </div>
      ))}
      {last !== undefined && <p className="muted">{last.pids === 1 ? '1 process' : `${last.pids} processes`}</p>}
    </div>
  );
}
