import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream, { type Header, type Pack } from 'tar-stream';
import { familiarizeName, invalidArgument, notFound, parseImageReference, repositoryName } from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageStore } from '../../core/images/image-store.js';
import { sha256Digest, digestHex, type Digest } from '../../lib/digest.js';
import { DigestVerifier, decompressorFor, readHead } from './layer-streams.js';

export interface ImageArchiveWriterOptions {
  content: ContentStore;
  store: ImageStore;
  find(nameOrId: string): Promise<Image | undefined>;
}

interface SavedImage {
  image: Image;
  /** Fully-qualified tags to write in RepoTags. */
  tags: Set<string>;
}

/**
 * `docker save` in dockerd 20.10's docker-archive layout: per layer `<v1 id>/{VERSION,json,layer.tar}`
 * (uncompressed, verified against its diff ID while written), `<config hex>.json`, `manifest.json`
 * and `repositories`. Names are resolved (and missing ones refused) before the first byte is sent.
 */
export async function saveImages(
  options: ImageArchiveWriterOptions,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<Readable> {
  if (names.length === 0) throw invalidArgument('no images specified');
  const saved = new Map<Digest, SavedImage>();
  for (const name of names) {
    for (const { image, tag } of await resolveName(options, name)) {
      const entry = saved.get(image.id) ?? { image, tags: new Set<string>() };
      if (tag !== undefined) entry.tags.add(tag);
      saved.set(image.id, entry);
    }
  }
  // Check every layer has a stored blob before streaming, so a missing one is a clean HTTP error.
  for (const { image } of saved.values()) for (const diffId of image.config.rootfs.diff_ids) await layerBlob(options, diffId);

  const pack = tarStream.pack();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  void pipeline(pack as unknown as Readable, out, signal ? { signal } : {}).catch((error: unknown) =>
    out.destroy(error as Error),
  );
  void writeArchive(options, pack, [...saved.values()], signal).then(
    () => pack.finalize(),
    (error: unknown) => {
      pack.destroy(error as Error);
      out.destroy(error as Error);
    },
  );
  return out;
}

async function writeArchive(
  options: ImageArchiveWriterOptions,
  pack: Pack,
  images: SavedImage[],
  signal?: AbortSignal,
): Promise<void> {
  const written = new Set<string>();
  const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const created = new Date(0);
  for (const { image, tags } of images) {
    const layerPaths: string[] = [];
    let parentId = '';
    for (const [i, diffId] of image.config.rootfs.diff_ids.entries()) {
      signal?.throwIfAborted();
      const chainId = image.chainIds[i] as Digest;
      const layerId = digestHex(sha256Digest(`${parentId} ${chainId}`));
      if (!written.has(layerId)) {
        written.add(layerId);
        await addEntry(pack, { name: `${layerId}/`, type: 'directory', mode: 0o755, mtime: created });
        await addBuffer(pack, `${layerId}/VERSION`, Buffer.from('1.0'));
        const v1 = {
          id: layerId,
          ...(parentId ? { parent: parentId } : {}),
          created: created.toISOString(),
          container_config: {},
        };
        await addBuffer(pack, `${layerId}/json`, Buffer.from(JSON.stringify(v1)));
        await addLayerTar(options, pack, `${layerId}/layer.tar`, diffId, signal);
      }
      layerPaths.push(`${layerId}/layer.tar`);
      parentId = layerId;
    }
    const configName = `${digestHex(image.id)}.json`;
    if (!written.has(configName)) {
      written.add(configName);
      await addBuffer(pack, configName, await options.content.readBlob(image.id));
    }
    const familiar = [...tags].map(familiarizeName);
    manifest.push({ Config: configName, RepoTags: familiar.length > 0 ? familiar : null, Layers: layerPaths });
    for (const tag of familiar) {
      const colon = tag.lastIndexOf(':');
      const repo = tag.slice(0, colon);
      repositories[repo] = { ...(repositories[repo] ?? {}), [tag.slice(colon + 1)]: parentId };
    }
  }
  await addBuffer(pack, 'manifest.json', Buffer.from(JSON.stringify(manifest)));
  if (Object.keys(repositories).length > 0) await addBuffer(pack, 'repositories', Buffer.from(JSON.stringify(repositories)));
}

/** What a name saves: one image (with the tag if it named one), or every tag of a repository named without tag. */
async function resolveName(options: ImageArchiveWriterOptions, name: string): Promise<{ image: Image; tag?: string }[]> {
  const image = await options.find(name);
  let reference;
  try {
    reference = parseImageReference(name);
  } catch {
    reference = undefined;
  }
  const typedTag = reference !== undefined && reference.digest === undefined && /:[^/]+$/.test(name);
  if (reference && reference.digest === undefined && !typedTag) {
    const repo = repositoryName(reference);
    const tagged = options.store
      .list()
      .flatMap((candidate) =>
        candidate.repoTags.filter((tag) => tag.startsWith(`${repo}:`)).map((tag) => ({ image: candidate, tag })),
      );
    if (tagged.length > 0) return tagged;
  }
  if (!image) throw notFound('reference does not exist');
  if (typedTag && reference) return [{ image, tag: `${repositoryName(reference)}:${reference.tag ?? 'latest'}` }];
  return [{ image }];
}

async function layerBlob(options: ImageArchiveWriterOptions, diffId: Digest): Promise<Digest> {
  for (const blob of options.store.layerBlobs(diffId)) if (await options.content.has(blob.digest)) return blob.digest;
  if (await options.content.has(diffId)) return diffId;
  throw invalidArgument(`layer ${diffId} has no stored blob to export`);
}

/** Decompresses a stored layer twice: once to learn the tar's size (and verify it), once into the archive. */
async function addLayerTar(
  options: ImageArchiveWriterOptions,
  pack: Pack,
  name: string,
  diffId: Digest,
  signal?: AbortSignal,
): Promise<void> {
  const digest = await layerBlob(options, diffId);
  const open = async (): Promise<Readable> => {
    const head = await readHead(await options.content.createReadStream(digest));
    const source = await options.content.createReadStream(digest);
    const verifier = new DigestVerifier(
      diffId,
      (actual) => `layer ${diffId}: stored content has digest ${actual}: failed to verify`,
    );
    const tar = source.pipe(decompressorFor(head));
    source.on('error', (error) => tar.destroy(error));
    const verified = tar.pipe(verifier);
    tar.on('error', (error) => verified.destroy(error));
    return verified;
  };
  let size = 0;
  for await (const chunk of await open()) size += (chunk as Buffer).length;
  signal?.throwIfAborted();
  let done!: (error?: Error | null) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = (error) => (error ? reject(error) : resolve());
  });
  const sink = pack.entry({ name, type: 'file', size, mode: 0o644, mtime: new Date(0) } as Header, (error) => done(error));
  sink.on('error', () => undefined);
  await pipeline(await open(), sink as unknown as NodeJS.WritableStream);
  await finished;
}

function addEntry(pack: Pack, header: Partial<Header> & { name: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header as Header, (error) => (error ? reject(error) : resolve())).on('error', () => undefined);
  });
}

function addBuffer(pack: Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const header = { name, type: 'file', size: data.length, mode: 0o644, mtime: new Date(0) } as Header;
    // Errors reach the callback; without a listener a destroyed pack would crash the process.
    pack.entry(header, data, (error) => (error ? reject(error) : resolve())).on('error', () => undefined);
  });
}
