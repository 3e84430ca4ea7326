import { useMemo, useState } from 'react';
import type { ImageSummary } from '@berth/common/contract';
import { formatAgo, formatBytes, shortId } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { EmptyState, ErrorBanner, PageHeader, SearchInput } from '../../ui/Page';
import { RunContainerDialog } from '../run/RunContainerDialog';
import { PullImageDialog } from './PullImageDialog';
import { HistoryDialog, PruneImagesDialog, PushImageDialog, TagImageDialog } from './ImageDialogs';

function splitTag(tag: string): { repository: string; tag: string } {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/')
    ? { repository: tag.slice(0, colon), tag: tag.slice(colon + 1) }
    : { repository: tag, tag: '' };
}

export function ImageList() {
  const images = useAppStore((state) => state.images);
  const removeImage = useAppStore((state) => state.removeImage);
  const [query, setQuery] = useState('');
  const [pulling, setPulling] = useState(false);
  const [toRemove, setToRemove] = useState<{ image: ImageSummary; reference: string | undefined }>();
  const [toRun, setToRun] = useState<string>();
  const [toTag, setToTag] = useState<ImageSummary>();
  const [toPush, setToPush] = useState<string>();
  const [history, setHistory] = useState<ImageSummary>();
  const [pruning, setPruning] = useState(false);
  const now = useNow();
  // One row per tag, as `docker images` shows them; an untagged image is one row of its own.
  const rows = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return images.items
      .flatMap((image) =>
        image.repoTags.length === 0
          ? [{ image, reference: undefined as string | undefined }]
          : image.repoTags.map((reference) => ({ image, reference: reference as string | undefined })),
      )
      .filter(
        ({ image, reference }) =>
          needle === '' || image.id.includes(needle) || (reference?.toLowerCase().includes(needle) ?? false),
      )
      .sort((a, b) => b.image.created - a.image.created || (a.reference ?? '').localeCompare(b.reference ?? ''));
  }, [images.items, query]);
  const totalSize = images.items.reduce((sum, image) => sum + image.size, 0);

  return (
    <section className="page" aria-labelledby="images-title">
      <PageHeader
        title={<span id="images-title">Images</span>}
        subtitle={images.loaded ? `${images.items.length} images · ${formatBytes(totalSize)}` : 'Loading…'}
        actions={
          <>
            <Button icon="trash" onClick={() => setPruning(true)}>
              Prune
            </Button>
            <Button variant="primary" icon="download" onClick={() => setPulling(true)}>
              Pull image
            </Button>
          </>
        }
      />
      <div className="toolbar">
        <SearchInput value={query} onChange={setQuery} placeholder="Search by repository, tag or id" label="Search images" />
      </div>
      {images.error !== undefined && <ErrorBanner title="Could not list images" message={images.error} />}
      <div className="table" role="table" aria-label="Images">
        <div className="grid-row grid-head images-grid" role="row">
          <div role="columnheader">Repository</div>
          <div role="columnheader">Tag</div>
          <div role="columnheader">Image ID</div>
          <div role="columnheader">Created</div>
          <div role="columnheader">Size</div>
          <div role="columnheader">In use</div>
          <div role="columnheader" className="cell-actions">
            Actions
          </div>
        </div>
        <div className="table-scroll">
          {images.loaded && rows.length === 0 && <EmptyState title="No images" message="Pull one to get started." />}
          {rows.map(({ image, reference }) => {
            const first = reference;
            const { repository, tag } = first === undefined ? { repository: '<none>', tag: '<none>' } : splitTag(first);
            return (
              <div key={`${image.id}:${reference ?? ''}`} className="grid-row images-grid" role="row" data-testid="image-row">
                <div role="cell" className="cell-name">
                  <span className="row-title">{repository}</span>
                  {image.repoTags.length > 1 && <span className="row-sub">{image.repoTags.length} tags share this image</span>}
                </div>
                <div role="cell">{tag === '' ? <span className="muted">—</span> : <span className="tag">{tag}</span>}</div>
                <div role="cell" className="mono muted">
                  {shortId(image.id)}
                </div>
                <div role="cell" className="muted">
                  {formatAgo(image.created, now)}
                </div>
                <div role="cell">{formatBytes(image.size)}</div>
                <div role="cell">
                  {image.containers > 0 ? <span className="pill pill-green">In use</span> : <span className="muted">Unused</span>}
                </div>
                <div role="cell" className="cell-actions">
                  <Button
                    variant="ghost"
                    icon="play"
                    aria-label={`Run ${first ?? shortId(image.id)}`}
                    title="Run a container from this image"
                    onClick={() => setToRun(first ?? image.id)}
                  />
                  <Button
                    variant="ghost"
                    icon="tag"
                    aria-label={`Tag ${first ?? shortId(image.id)}`}
                    title="Tag"
                    onClick={() => setToTag(image)}
                  />
                  <Button
                    variant="ghost"
                    icon="upload"
                    aria-label={`Push ${first ?? shortId(image.id)}`}
                    title={first === undefined ? 'Tag the image before pushing it' : 'Push to its registry'}
                    disabled={first === undefined}
                    onClick={() => first !== undefined && setToPush(first)}
                  />
                  <Button
                    variant="ghost"
                    icon="layers"
                    aria-label={`Layers of ${first ?? shortId(image.id)}`}
                    title="Layer history"
                    onClick={() => setHistory(image)}
                  />
                  <Button
                    variant="ghost"
                    icon="trash"
                    className="danger-hover"
                    aria-label={`Remove ${first ?? shortId(image.id)}`}
                    onClick={() => setToRemove({ image, reference })}
                  />
                </div>
              </div>
            );
          })}
        </div>
      </div>
      {pulling && <PullImageDialog onClose={() => setPulling(false)} />}
      {toTag !== undefined && <TagImageDialog image={toTag} onClose={() => setToTag(undefined)} />}
      {toPush !== undefined && <PushImageDialog reference={toPush} onClose={() => setToPush(undefined)} />}
      {history !== undefined && <HistoryDialog image={history} onClose={() => setHistory(undefined)} />}
      {pruning && <PruneImagesDialog onClose={() => setPruning(false)} />}
      {toRun !== undefined && <RunContainerDialog image={toRun} onClose={() => setToRun(undefined)} />}
      {toRemove !== undefined && (
        <ConfirmDialog
          title="Remove image?"
          message={
            <>
              <strong>{toRemove.reference ?? shortId(toRemove.image.id)}</strong>{' '}
              {toRemove.image.repoTags.length > 1
                ? 'will be untagged; the image stays for its other tags.'
                : 'will be untagged and deleted if nothing else uses it.'}
            </>
          }
          confirmLabel="Remove"
          onCancel={() => setToRemove(undefined)}
          onConfirm={() => {
            const { image, reference } = toRemove;
            setToRemove(undefined);
            void removeImage(reference ?? image.id);
          }}
        />
      )}
    </section>
  );
}
