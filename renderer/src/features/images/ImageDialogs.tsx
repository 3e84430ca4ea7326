import { useEffect, useRef, useState } from 'react';
import { ImageRef, type ImageLayer, type ImageSummary, type StreamHandle } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { formatAgo, formatBytes, shortId } from '../../lib/format';
import { applyPullProgress, useAppStore, type PullState } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { ErrorBanner } from '../../ui/Page';
import { PullProgressView } from './PullImageDialog';

export const imageLabel = (image: ImageSummary): string => image.repoTags[0] ?? shortId(image.id);

/** Splits `repo[:tag]` for `POST /images/{name}/tag?repo=&tag=`. */
export function splitTarget(reference: string): { repository: string; tag?: string } {
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference };
}

export function TagImageDialog({ image, onClose }: { image: ImageSummary; onClose: () => void }) {
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const pushToast = useAppStore((state) => state.pushToast);
  const refreshImages = useAppStore((state) => state.refreshImages);
  const submit = async (): Promise<void> => {
    const trimmed = target.trim();
    const parsed = ImageRef.safeParse(trimmed);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'invalid reference');
    setBusy(true);
    try {
      const { repository, tag } = splitTarget(trimmed);
      await getAppApi().images.tag({ source: image.id, repository, ...(tag !== undefined ? { tag } : {}) });
      pushToast({ tone: 'info', title: 'Tagged', message: `${imageLabel(image)} is now also ${trimmed}` });
      // Engines that emit no `tag` event still show the new row.
      void refreshImages();
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Tag image"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" icon="tag" type="submit" form="tag-form" busy={busy}>
            Tag
          </Button>
        </>
      }
    >
      <form
        id="tag-form"
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p className="dialog-text">
          New name for <strong className="mono">{imageLabel(image)}</strong>
        </p>
        <label className="field">
          <span>New reference</span>
          <input
            autoFocus
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            placeholder="registry.example.com/team/app:1.0"
            aria-invalid={error !== undefined}
            spellCheck={false}
          />
          {error !== undefined && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </label>
      </form>
    </Dialog>
  );
}

export function PushImageDialog({ reference, onClose }: { reference: string; onClose: () => void }) {
  const [push, setPush] = useState<PullState>({
    reference,
    layers: {},
    layerOrder: [],
    lastStatus: 'Starting…',
    phase: 'pulling',
  });
  const handle = useRef<StreamHandle | undefined>(undefined);
  useEffect(() => {
    handle.current = getAppApi().images.push(
      { reference },
      {
        onItem: (progress) => setPush((state) => applyPullProgress(state, progress)),
        onEnd: () => setPush((state) => ({ ...state, phase: 'done' })),
        onError: (failure) => setPush((state) => ({ ...state, phase: 'failed', error: failure.message })),
      },
    );
    return () => handle.current?.cancel();
  }, [reference]);
  const running = push.phase === 'pulling';
  return (
    <Dialog
      title="Push image"
      wide
      onClose={onClose}
      footer={
        running ? (
          <Button
            onClick={() => {
              handle.current?.cancel();
              setPush((state) => ({ ...state, phase: 'canceled' }));
            }}
          >
            Cancel push
          </Button>
        ) : (
          <Button onClick={onClose}>{push.phase === 'done' ? 'Done' : 'Close'}</Button>
        )
      }
    >
      <PullProgressView pull={push} failedTitle="Push failed" />
    </Dialog>
  );
}

export function HistoryDialog({ image, onClose }: { image: ImageSummary; onClose: () => void }) {
  const [layers, setLayers] = useState<readonly ImageLayer[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    getAppApi()
      .images.history({ id: image.id })
      .then((value) => live && setLayers(value))
      .catch((failure: unknown) => live && setError(errorMessage(failure)));
    return () => {
      live = false;
    };
  }, [image.id]);
  return (
    <Dialog title={`Layers of ${imageLabel(image)}`} wide onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      {error !== undefined && <ErrorBanner title="Could not read the history" message={error} />}
      {layers === undefined && error === undefined && <p className="muted">Loading…</p>}
      {layers !== undefined && (
        <ol className="history" data-testid="image-history">
          {layers.map((layer, index) => (
            <li key={`${index}-${layer.id}`} className="history-layer">
              <div className="history-meta">
                <span className="mono muted">{layer.id === '<missing>' ? '<missing>' : shortId(layer.id)}</span>
                <span className="muted">{formatAgo(layer.created)}</span>
                <span className={layer.size > 0 ? 'history-size' : 'muted'}>{formatBytes(layer.size)}</span>
              </div>
              <code className="history-cmd">{layer.createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, '') || '—'}</code>
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}

export function PruneImagesDialog({ onClose }: { onClose: () => void }) {
  const [all, setAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const pushToast = useAppStore((state) => state.pushToast);
  const refreshImages = useAppStore((state) => state.refreshImages);
  const prune = async (): Promise<void> => {
    setBusy(true);
    try {
      const result = await getAppApi().images.prune({ all });
      pushToast({
        tone: 'info',
        title: 'Images pruned',
        message: `${result.deleted} removed, ${formatBytes(result.spaceReclaimed)} reclaimed`,
      });
      void refreshImages();
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Prune images"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" busy={busy} onClick={() => void prune()}>
            Prune
          </Button>
        </>
      }
    >
      <p className="dialog-text">Delete images that nothing needs, to reclaim disk space.</p>
      <label className="toggle">
        <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} />
        Also remove tagged images no container uses (not only dangling ones)
      </label>
      {error !== undefined && <ErrorBanner title="Prune failed" message={error} />}
    </Dialog>
  );
}
