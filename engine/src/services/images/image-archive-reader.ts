import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { familiarizeName, invalidArgument, parseImageReference } from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageConfig } from '../../core/images/image-config.js';
import type { ImageContentRef, ImageStore } from '../../core/images/image-store.js';
import { MediaTypes, type Descriptor } from '../../core/registry/registry-client.js';
import { chainIds, isDigest, sha256Digest, type Digest } from '../../lib/digest.js';
import { contentSink } from './content-sink.js';
import type { Logger } from '../../lib/logger.js';
import type { ContentLeases, Lease } from './content-leases.js';
import { tagName } from './image-committer.js';
import type { LayerBlobs } from './layer-blobs.js';
import { readHead } from './layer-streams.js';

export interface ImageArchiveReaderOptions {
  content: ContentStore;
  store: ImageStore;
  layers: LayerBlobs;
  leases: ContentLeases;
  logger: Logger;
}

/** Archive members at most this big are kept in memory (manifests, configs, small layers). */
const inMemoryLimit = 1 << 20;

type Member = { data: Buffer; digest: Digest } | { digest: Digest; size: number } | { link: string };

interface LoadPlan {
  config: Buffer;
  layers: Digest[];
  tags: string[];
  manifest?: { bytes: Buffer; digest: Digest };
}

/**
 * `docker load`: reads a docker-archive (`manifest.json`) or OCI image layout (`index.json`) tar.
 * Members stream into the content store as they arrive (their order is free), then each image is
 * verified (config digest, layer diff IDs while unpacking), unpacked, and only then stored and tagged.
 * Plain-tar layers are gzip-compressed so that a loaded image can be pushed.
 */
export async function loadImages(
  options: ImageArchiveReaderOptions,
  archive: Readable,
  report: { onLoaded: (line: string) => void; signal?: AbortSignal },
): Promise<Image[]> {
  const lease = options.leases.lease();
  try {
    const members = await readMembers(options.content, archive, lease, report.signal);
    const sources = members.has('manifest.json')
      ? dockerArchivePlans(members)
      : members.has('index.json')
        ? await ociLayoutPlans(options.content, members)
        : undefined;
    if (!sources) throw invalidArgument('invalid tar: neither manifest.json nor index.json found in the archive');
    const plans = await resolvePlans(options.content, members, sources);
    const loaded: Image[] = [];
    for (const plan of plans) loaded.push(await loadOne(options, plan, lease, report));
    return loaded;
  } finally {
    lease.release();
  }
}

async function loadOne(
  options: ImageArchiveReaderOptions,
  plan: LoadPlan,
  lease: Lease,
  report: { onLoaded: (line: string) => void; signal?: AbortSignal },
): Promise<Image> {
  const { content, store, layers } = options;
  const imageId = sha256Digest(plan.config);
  const config = parseLoadedConfig(plan.config, imageId);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== plan.layers.length) {
    throw invalidArgument(
      `image ${imageId}: config has ${diffIds.length} diff IDs but the archive lists ${plan.layers.length} layers`,
    );
  }
  await content.writeBlob(plan.config, imageId);
  lease.add(imageId);
  const chain = chainIds(diffIds);
  lease.add(...chain);
  const layerRefs: ImageContentRef[] = [];
  for (const [i, blobDigest] of plan.layers.entries()) {
    const diffId = diffIds[i] as Digest;
    const chainId = chain[i] as Digest;
    await layers.unpack({ chainId, parent: i === 0 ? undefined : chain[i - 1], digest: blobDigest, diffId }, report.signal);
    const head = await readHead(await content.createReadStream(blobDigest));
    let pushable = blobDigest;
    if (isPlainTar(head)) {
      // The diff ID was just verified while unpacking; keep a gzip copy for push.
      const known = store.layerBlobs(diffId).find((blob) => blob.digest !== diffId);
      if (known && (await content.has(known.digest))) pushable = known.digest;
      else pushable = (await layers.storeTar(await content.createReadStream(blobDigest), report.signal)).digest;
      lease.add(pushable);
    } else {
      store.recordLayerBlob({
        diffId,
        digest: blobDigest,
        mediaType: head[0] === 0x1f ? MediaTypes.dockerLayerGzip : MediaTypes.ociLayerZstd,
        size: (await content.info(blobDigest))?.size ?? 0,
      });
    }
    layerRefs.push({ digest: pushable, kind: 'layer' });
  }
  const size = chain.reduce((sum, chainId) => sum + (store.layerSize(chainId) ?? 0), 0);
  const refs: ImageContentRef[] = [{ digest: imageId, kind: 'config' }, ...layerRefs];
  if (plan.manifest) refs.push({ digest: plan.manifest.digest, kind: 'manifest' });
  const tags = plan.tags.map(tagName);
  const image = store.commit({ id: imageId, config, chainIds: chain, size, content: refs }, { tags, digests: [] });
  if (tags.length === 0) report.onLoaded(`Loaded image ID: ${imageId}\n`);
  for (const tag of tags) report.onLoaded(`Loaded image: ${familiarizeName(tag)}\n`);
  options.logger.info({ image: imageId, tags }, 'image loaded');
  return image;
}

/** Streams every regular member into the content store (small ones also kept in memory). */
async function readMembers(
  content: ContentStore,
  archive: Readable,
  lease: Lease,
  signal?: AbortSignal,
): Promise<Map<string, Member>> {
  const members = new Map<string, Member>();
  const extract = tarStream.extract();
  const feeding = pipeline(archive, extract as unknown as NodeJS.WritableStream, signal ? { signal } : {});
  // Awaited after the member loop: mark it handled so an early failure is not an unhandled rejection.
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const name = normalize(header.name);
      if (header.type === 'symlink' || header.type === 'link') {
        const target = header.linkname ?? '';
        members.set(name, { link: header.type === 'symlink' ? posix.join(posix.dirname(name), target) : normalize(target) });
        entry.resume();
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      if ((header.size ?? 0) <= inMemoryLimit) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        const data = Buffer.concat(chunks);
        members.set(name, { data, digest: sha256Digest(data) });
        continue;
      }
      const writer = await content.writer(`load-${randomBytes(12).toString('hex')}`);
      try {
        const sink = contentSink(writer);
        await pipeline(entry as unknown as Readable, sink).catch((error: unknown) => {
          throw sink.writeError ?? error;
        });
        const info = await writer.commit();
        lease.add(info.digest);
        members.set(name, { digest: info.digest, size: info.size });
      } catch (error) {
        await writer.abort();
        throw error;
      }
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    await feeding.catch(() => undefined);
    throw error;
  }
  return members;
}

function normalize(name: string): string {
  return posix
    .normalize(name)
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/$/, '');
}

function member(members: Map<string, Member>, name: string): Exclude<Member, { link: string }> {
  let current = normalize(name);
  for (let hops = 0; hops < 10; hops++) {
    const found = members.get(current);
    if (!found) break;
    if (!('link' in found)) return found;
    current = normalize(found.link);
  }
  throw invalidArgument(`invalid archive: ${name} is missing`);
}

function memberBytes(members: Map<string, Member>, name: string): Buffer {
  const found = member(members, name);
  if (!('data' in found)) throw invalidArgument(`invalid archive: ${name} is too large`);
  return found.data;
}

/** Stores an in-memory member as a blob when a layer needs it; returns its digest. */
async function memberBlob(content: ContentStore, members: Map<string, Member>, name: string): Promise<Digest> {
  const found = member(members, name);
  if ('data' in found) await content.writeBlob(found.data, found.digest);
  return found.digest;
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    throw invalidArgument(`invalid archive: ${what} is not valid JSON`, error);
  }
}

function dockerArchivePlans(members: Map<string, Member>): LoadPlanSource[] {
  const manifest = parseJson<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }[]>(
    memberBytes(members, 'manifest.json'),
    'manifest.json',
  );
  if (!Array.isArray(manifest)) throw invalidArgument('invalid archive: manifest.json is not a list');
  return manifest.map((entry) => {
    if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers))
      throw invalidArgument('invalid archive: manifest.json entry without Config or Layers');
    return { config: memberBytes(members, entry.Config), layerNames: entry.Layers, tags: entry.RepoTags ?? [] };
  });
}

interface LoadPlanSource extends Omit<LoadPlan, 'layers'> {
  layerNames: string[];
  /** Digests the layers must have (OCI descriptors). */
  layerDigests?: Digest[];
}

async function ociLayoutPlans(content: ContentStore, members: Map<string, Member>): Promise<LoadPlanSource[]> {
  const index = parseJson<{ manifests?: Descriptor[] }>(memberBytes(members, 'index.json'), 'index.json');
  const plans: LoadPlanSource[] = [];
  for (const descriptor of index.manifests ?? []) {
    const name = refName(descriptor.annotations);
    const manifestDescriptor = await pickManifest(members, descriptor);
    const bytes = blobBytes(members, manifestDescriptor.digest);
    const manifest = parseJson<{ config?: Descriptor; layers?: Descriptor[] }>(bytes, `manifest ${manifestDescriptor.digest}`);
    if (!manifest.config || !Array.isArray(manifest.layers))
      throw invalidArgument(`manifest ${manifestDescriptor.digest} is not an image manifest`);
    await content.writeBlob(bytes, manifestDescriptor.digest);
    plans.push({
      config: blobBytes(members, manifest.config.digest),
      layerNames: manifest.layers.map((layer) => blobName(layer.digest)),
      layerDigests: manifest.layers.map((layer) => layer.digest),
      tags: name ? [name] : [],
      manifest: { bytes, digest: manifestDescriptor.digest },
    });
  }
  return plans;
}

/** Resolves a nested index to its linux/amd64 manifest (or its only one). */
async function pickManifest(members: Map<string, Member>, descriptor: Descriptor): Promise<Descriptor> {
  let current = descriptor;
  for (let depth = 0; depth < 4; depth++) {
    if (current.mediaType !== MediaTypes.ociIndex && current.mediaType !== MediaTypes.dockerManifestList) return current;
    const nested = parseJson<{ manifests?: Descriptor[] }>(blobBytes(members, current.digest), `index ${current.digest}`);
    const candidates = nested.manifests ?? [];
    const chosen =
      candidates.find((item) => item.platform?.os === 'linux' && item.platform.architecture === 'amd64') ??
      (candidates.length === 1 ? candidates[0] : undefined);
    if (!chosen) throw invalidArgument(`index ${current.digest} has no linux/amd64 image`);
    current = chosen;
  }
  throw invalidArgument('invalid archive: indexes nested too deeply');
}

function blobName(digest: Digest): string {
  if (!isDigest(digest)) throw invalidArgument(`invalid archive: unsupported digest ${String(digest)}`);
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** A small blob of the layout, checked against its digest. */
function blobBytes(members: Map<string, Member>, digest: Digest): Buffer {
  const data = memberBytes(members, blobName(digest));
  if (sha256Digest(data) !== digest) throw invalidArgument(`invalid archive: blob ${digest} does not match its digest`);
  return data;
}

/** The image name an OCI layout gives a manifest (containerd's annotation, or a full `ref.name`). */
function refName(annotations: Record<string, string> | undefined): string | undefined {
  const candidates = [annotations?.['io.containerd.image.name'], annotations?.['org.opencontainers.image.ref.name']];
  for (const candidate of candidates) {
    if (!candidate || !/[:/]/.test(candidate)) continue;
    try {
      const parsed = parseImageReference(candidate);
      if (parsed.digest === undefined) return candidate;
    } catch {
      // A bare tag or a name dockerd would not accept: leave the image unnamed.
    }
  }
  return undefined;
}

function isPlainTar(head: Buffer): boolean {
  return (
    !(head[0] === 0x1f && head[1] === 0x8b) && !(head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
  );
}

function parseLoadedConfig(bytes: Buffer, digest: Digest): ImageConfig {
  const config = parseJson<ImageConfig>(bytes, `config ${digest}`);
  if (
    config.rootfs?.type !== 'layers' ||
    !Array.isArray(config.rootfs.diff_ids) ||
    !config.rootfs.diff_ids.every((id) => isDigest(id))
  ) {
    throw invalidArgument(`image config ${digest}: invalid rootfs (expected type "layers" and sha256 diff_ids)`);
  }
  return config;
}

/** Turns member names into stored blob digests (writing small in-memory layers to the store). */
async function resolvePlans(content: ContentStore, members: Map<string, Member>, sources: LoadPlanSource[]): Promise<LoadPlan[]> {
  const plans: LoadPlan[] = [];
  for (const source of sources) {
    const layers: Digest[] = [];
    for (const [i, name] of source.layerNames.entries()) {
      const digest = await memberBlob(content, members, name);
      const expected = source.layerDigests?.[i];
      if (expected !== undefined && expected !== digest)
        throw invalidArgument(`invalid archive: layer ${expected} has digest ${digest}: failed to verify`);
      layers.push(digest);
    }
    plans.push({ config: source.config, layers, tags: source.tags, ...(source.manifest ? { manifest: source.manifest } : {}) });
  }
  return plans;
}
