import { useState } from 'react';
import { ImageRef } from '@berth/common/contract';
import { formatBytes } from '../../lib/format';
import { useAppStore, type LayerProgress, type PullState } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { ErrorBanner } from '../../ui/Page';

/** How far one layer is: pulls end in "Pull complete" or "Already exists", pushes in "Pushed", "Layer already exists" or "Mounted from …". */
export function layerFraction(layer: LayerProgress): number {
  if (/complete|already exists|^pushed$|^mounted from /i.test(layer.status)) return 1;
  if (layer.total !== undefined && layer.total > 0 && layer.current !== undefined)
    return Math.min(1, layer.current / layer.total);
  return 0;
}

function LayerRow({ layer }: { layer: LayerProgress }) {
  const fraction = layerFraction(layer);
  const done = fraction >= 1;
  return (
    <li className="layer" data-testid="pull-layer">
      <span className="mono layer-id">{layer.id.slice(0, 12)}</span>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        aria-label={`Layer ${layer.id}`}
      >
        <div className={`progress-bar${done ? ' done' : ''}`} style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className="layer-status muted">
        {layer.status}
        {!done && layer.total !== undefined && layer.current !== undefined
          ? ` ${formatBytes(layer.current)} / ${formatBytes(layer.total)}`
          : ''}
      </span>
    </li>
  );
}

export function PullProgressView({ pull, failedTitle = 'Pull failed' }: { pull: PullState; failedTitle?: string }) {
  const layers = pull.layerOrder.map((id) => pull.layers[id]).filter((l): l is LayerProgress => l !== undefined);
  // A finished transfer is whole even when a layer's last line was not one we count as done.
  const overall =
    pull.phase === 'done' ? 1 : layers.length === 0 ? 0 : layers.reduce((sum, l) => sum + layerFraction(l), 0) / layers.length;
  return (
    <div className="pull">
      <div className="pull-summary">
        <strong className="mono">{pull.reference}</strong>
        <span className={`pull-phase pull-${pull.phase}`}>
          {pull.phase === 'pulling' ? `${Math.round(overall * 100)}%` : pull.phase}
        </span>
      </div>
      <div
        className="progress progress-lg"
        role="progressbar"
        aria-label="Overall progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(overall * 100)}
      >
        <div
          className={`progress-bar${pull.phase === 'done' ? ' done' : pull.phase === 'failed' ? ' failed' : ''}`}
          style={{ width: `${overall * 100}%` }}
        />
      </div>
      <p className="muted pull-status" data-testid="pull-status">
        {pull.lastStatus}
      </p>
      {pull.error !== undefined && <ErrorBanner title={failedTitle} message={pull.error} />}
      {layers.length > 0 && (
        <ul className="layers">
          {layers.map((layer) => (
            <LayerRow key={layer.id} layer={layer} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function PullImageDialog({ onClose }: { onClose: () => void }) {
  const [reference, setReference] = useState('');
  const [submitted, setSubmitted] = useState<string>();
  const [validation, setValidation] = useState<string>();
  const pull = useAppStore((state) => (submitted === undefined ? undefined : state.pulls[submitted]));
  const pullImage = useAppStore((state) => state.pullImage);
  const cancelPull = useAppStore((state) => state.cancelPull);
  const dismissPull = useAppStore((state) => state.dismissPull);

  const start = (): void => {
    const trimmed = reference.trim();
    const parsed = ImageRef.safeParse(trimmed);
    if (!parsed.success) {
      setValidation(parsed.error.issues[0]?.message ?? 'invalid image reference');
      return;
    }
    setValidation(undefined);
    if (submitted !== undefined && submitted !== trimmed) dismissPull(submitted);
    setSubmitted(trimmed);
    pullImage(trimmed);
  };
  const busy = pull?.phase === 'pulling';

  return (
    <Dialog
      title="Pull an image"
      wide
      onClose={onClose}
      footer={
        <>
          {busy && submitted !== undefined ? (
            <Button onClick={() => cancelPull(submitted)}>Cancel pull</Button>
          ) : (
            <Button onClick={onClose}>{pull?.phase === 'done' ? 'Done' : 'Close'}</Button>
          )}
          <Button variant="primary" icon="download" type="submit" form="pull-form" busy={busy}>
            Pull
          </Button>
        </>
      }
    >
      <form
        id="pull-form"
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          start();
        }}
      >
        <label className="field">
          <span>Image reference</span>
          <input
            autoFocus
            value={reference}
            onChange={(event) => setReference(event.target.value)}
            placeholder="nginx:latest, ghcr.io/org/app:1.2"
            aria-invalid={validation !== undefined}
            spellCheck={false}
          />
          {validation !== undefined && <span className="field-error">{validation}</span>}
        </label>
      </form>
      {pull !== undefined && <PullProgressView pull={pull} />}
    </Dialog>
  );
}
