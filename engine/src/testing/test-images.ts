import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { request } from 'undici';
import type { ImageContainerConfig, ImageConfig } from '../core/images/image-config.js';
import { MediaTypes, type Platform } from '../core/registry/registry-client.js';
import type { Digest } from '../lib/digest.js';

/**
 * Offline image building for tests (no docker, no network): tars made with tar-stream, gzip by
 * zlib, Docker schema2 or OCI manifests, pushed to a plain-HTTP test registry.
 */

/** One entry of a test layer. Paths are relative to the image root (no leading slash needed). */
export type TestEntry =
  | { type: 'file'; path: string; content?: string | Buffer; mode?: number; uid?: number; gid?: number; mtime?: Date }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  /** An OCI whiteout: deletes `path` from the layers below. */
  | { type: 'whiteout'; path: string }
  /** An OCI opaque marker: hides everything below in directory `path`. */
  | { type: 'opaque'; path: string };

/** A raw tar-stream header, for tests that need hostile entries the typed builder would not make. */
export type RawTarEntry = {
  header: tarStream.Header | (Partial<tarStream.Header> & { name: string });
  content?: string | Buffer;
};

export interface TestLayer {
  mediaType: string;
  /** The blob as pushed (gzip unless `compression: 'none'`). */
  blob: Buffer;
  digest: Digest;
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
}

export interface TestImage {
  config: Buffer;
  configDigest: Digest;
  layers: TestLayer[];
  manifest: Buffer;
  manifestDigest: Digest;
  manifestMediaType: string;
  platform: Platform;
}

export interface BuildTestImageOptions {
  /** Put the busybox root filesystem in the first layer (default true). */
  busybox?: boolean;
  /** More layers on top, bottom first. */
  extraLayers?: TestEntry[][];
  /** Container defaults merged over `{ Cmd: ['sh'] }`; Env gets a default PATH first unless it sets one. */
  config?: ImageContainerConfig;
  /** `docker` (schema2, default) or `oci` media types. */
  format?: 'docker' | 'oci';
  compression?: 'gzip' | 'none';
  platform?: Platform;
  /** Fixed creation time for reproducible digests (default 2024-01-01). */
  created?: string;
}

/** Applets linked into the test busybox image's /bin. */
export const busyboxApplets = [
  'sh',
  'echo',
  'cat',
  'true',
  'false',
  'sleep',
  'ls',
  'env',
  'pwd',
  'id',
  'printf',
  'test',
  'wc',
  'head',
  'tail',
  'mkdir',
  'rm',
  'touch',
  'grep',
  'hostname',
  'ps',
  'kill',
  'top',
  'whoami',
  'stat',
  'yes',
  'seq',
  'date',
  'tr',
  'sed',
  'vi',
  'nc',
  'ping',
  'wget',
  'tee',
  'cp',
  'mv',
  'ln',
  'chmod',
  'chown',
  'uname',
  'sort',
  'uniq',
  'cut',
  'find',
  'xargs',
  'basename',
  'dirname',
  'readlink',
  'du',
  'df',
  'mount',
  'umount',
  'ip',
  'ifconfig',
  'nslookup',
  'timeout',
  'expr',
  'md5sum',
  'sha256sum',
  'base64',
  'dd',
  'nproc',
  'free',
  'uptime',
  'printenv',
  'tac',
  'rev',
] as const;

const fixedTime = new Date('2024-01-01T00:00:00Z');

export function sha256(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Builds an uncompressed tar from raw headers, in order (duplicates and hostile names allowed). */
export async function buildRawTar(entries: readonly RawTarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
  })();
  for (const entry of entries) {
    const content = entry.content === undefined ? undefined : Buffer.from(entry.content);
    const header = { mtime: fixedTime, mode: 0o644, ...entry.header, ...(content ? { size: content.length } : {}) };
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (content) pack.entry(header, content, callback);
      else pack.entry(header, callback);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** Turns typed entries into tar headers (whiteouts as `.wh.<name>`, opaque as `<dir>/.wh..wh..opq`). */
export function toRawEntries(entries: readonly TestEntry[]): RawTarEntry[] {
  return entries.map((entry): RawTarEntry => {
    const path = entry.path.replace(/^\/+/, '');
    switch (entry.type) {
      case 'file':
        return {
          header: {
            name: path,
            type: 'file',
            mode: entry.mode ?? 0o644,
            uid: entry.uid ?? 0,
            gid: entry.gid ?? 0,
            mtime: entry.mtime ?? fixedTime,
          },
          content: entry.content ?? '',
        };
      case 'dir':
        return {
          header: { name: `${path}/`, type: 'directory', mode: entry.mode ?? 0o755, uid: entry.uid ?? 0, gid: entry.gid ?? 0 },
        };
      case 'symlink':
        return { header: { name: path, type: 'symlink', linkname: entry.target, mode: 0o777 } };
      case 'hardlink':
        return { header: { name: path, type: 'link', linkname: entry.target.replace(/^\/+/, '') } };
      case 'whiteout': {
        const slash = path.lastIndexOf('/');
        return {
          header: { name: `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, type: 'file', mode: 0o644 },
          content: '',
        };
      }
      case 'opaque':
        return { header: { name: `${path}/.wh..wh..opq`, type: 'file', mode: 0o644 }, content: '' };
    }
  });
}

/** The busybox root filesystem: /bin/busybox plus applet symlinks, a minimal /etc, and the usual empty dirs. */
export async function busyboxEntries(busyboxPath = '/bin/busybox'): Promise<TestEntry[]> {
  const binary = await readFile(busyboxPath);
  return [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/busybox', content: binary, mode: 0o755 },
    ...busyboxApplets.map((applet): TestEntry => ({ type: 'symlink', path: `bin/${applet}`, target: 'busybox' })),
    { type: 'dir', path: 'dev' },
    { type: 'dir', path: 'etc' },
    {
      type: 'file',
      path: 'etc/passwd',
      content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
    },
    { type: 'file', path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { type: 'dir', path: 'home' },
    { type: 'dir', path: 'proc' },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'sys' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'usr' },
    { type: 'dir', path: 'usr/bin' },
    { type: 'dir', path: 'var' },
  ];
}

/** Builds one layer blob from typed entries. */
export async function buildLayer(
  entries: readonly TestEntry[],
  options: { format?: 'docker' | 'oci'; compression?: 'gzip' | 'none' } = {},
): Promise<TestLayer> {
  return layerFromTar(await buildRawTar(toRawEntries(entries)), options);
}

/** Wraps an uncompressed tar as a layer (gzip by default). */
export function layerFromTar(tar: Buffer, options: { format?: 'docker' | 'oci'; compression?: 'gzip' | 'none' } = {}): TestLayer {
  const gzip = (options.compression ?? 'gzip') === 'gzip';
  const blob = gzip ? gzipSync(tar) : tar;
  const mediaType =
    options.format === 'oci'
      ? gzip
        ? MediaTypes.ociLayerGzip
        : MediaTypes.ociLayer
      : gzip
        ? MediaTypes.dockerLayerGzip
        : MediaTypes.ociLayer;
  return { mediaType, blob, digest: sha256(blob), diffId: sha256(tar) };
}

/** Builds a complete image (layers, config, manifest) in memory. */
export async function buildTestImage(options: BuildTestImageOptions = {}): Promise<TestImage> {
  const format = options.format ?? 'docker';
  const layerOptions = { format, compression: options.compression ?? 'gzip' };
  const layers: TestLayer[] = [];
  if (options.busybox ?? true) layers.push(await buildLayer(await busyboxEntries(), layerOptions));
  for (const entries of options.extraLayers ?? []) layers.push(await buildLayer(entries, layerOptions));
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const created = options.created ?? fixedTime.toISOString();
  const imageConfig: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: { Cmd: ['sh'], ...options.config, Env: withDefaultPath(options.config?.Env ?? []) },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map(() => ({ created, created_by: 'berth test-images' })),
  };
  const config = Buffer.from(JSON.stringify(imageConfig));
  const configDigest = sha256(config);
  const manifestMediaType = format === 'oci' ? MediaTypes.ociManifest : MediaTypes.dockerManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: {
        mediaType: format === 'oci' ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
        size: config.length,
        digest: configDigest,
      },
      layers: layers.map((layer) => ({ mediaType: layer.mediaType, size: layer.blob.length, digest: layer.digest })),
    }),
  );
  return { config, configDigest, layers, manifest, manifestDigest: sha256(manifest), manifestMediaType, platform };
}

/** Images carry a PATH like Docker's base images do, unless the caller set one. */
function withDefaultPath(env: readonly string[]): string[] {
  const path = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env.some((entry) => entry.startsWith('PATH=')) ? [...env] : [path, ...env];
}

/** Uploads one blob monolithically (POST, then PUT with `digest=`), skipping it when already present. */
export async function pushBlob(registryHost: string, repo: string, blob: Buffer, digest: Digest = sha256(blob)): Promise<void> {
  const base = `http://${registryHost}`;
  const head = await request(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await head.body.dump();
  if (head.statusCode === 200) return;
  const start = await request(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' } });
  await start.body.dump();
  const location = start.headers['location'];
  if (start.statusCode !== 202 || typeof location !== 'string')
    throw new Error(`starting upload to ${repo}: HTTP ${start.statusCode}`);
  const uploadUrl = new URL(location, base);
  uploadUrl.searchParams.set('digest', digest);
  const put = await request(uploadUrl.toString(), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) },
    body: blob,
  });
  const text = await put.body.text();
  if (put.statusCode !== 201) throw new Error(`uploading blob ${digest} to ${repo}: HTTP ${put.statusCode} ${text}`);
}

/** PUTs a manifest (or index) under `tagOrDigest`; returns the digest the registry reports. */
export async function pushManifest(
  registryHost: string,
  repo: string,
  tagOrDigest: string,
  manifest: Buffer,
  mediaType: string,
): Promise<Digest> {
  const response = await request(`http://${registryHost}/v2/${repo}/manifests/${tagOrDigest}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: manifest,
  });
  const text = await response.body.text();
  if (response.statusCode !== 201)
    throw new Error(`pushing manifest ${repo}:${tagOrDigest}: HTTP ${response.statusCode} ${text}`);
  return sha256(manifest);
}

/** Pushes an image's blobs and manifest to `registryHost/repo:tag`; returns the manifest digest. */
export async function pushTestImage(registryHost: string, repo: string, tag: string, image: TestImage): Promise<Digest> {
  for (const layer of image.layers) await pushBlob(registryHost, repo, layer.blob, layer.digest);
  await pushBlob(registryHost, repo, image.config, image.configDigest);
  return pushManifest(registryHost, repo, tag, image.manifest, image.manifestMediaType);
}

/**
 * Pushes several single-platform images and an index (OCI, or a Docker manifest list) naming them
 * under `tag`, plus an `unknown/unknown` attestation-like entry as BuildKit adds. Returns the index digest.
 */
export async function pushTestIndex(
  registryHost: string,
  repo: string,
  tag: string,
  images: readonly TestImage[],
  options: { format?: 'docker' | 'oci'; withAttestation?: boolean } = {},
): Promise<Digest> {
  const entries: object[] = [];
  for (const image of images) {
    for (const layer of image.layers) await pushBlob(registryHost, repo, layer.blob, layer.digest);
    await pushBlob(registryHost, repo, image.config, image.configDigest);
    await pushManifest(registryHost, repo, image.manifestDigest, image.manifest, image.manifestMediaType);
    entries.push({
      mediaType: image.manifestMediaType,
      size: image.manifest.length,
      digest: image.manifestDigest,
      platform: image.platform,
    });
  }
  if (options.withAttestation ?? true) {
    const first = images[0];
    if (first) {
      // Reuse an image manifest as the attestation body: the point is that the client skips unknown/unknown.
      entries.push({
        mediaType: first.manifestMediaType,
        size: first.manifest.length,
        digest: first.manifestDigest,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': first.manifestDigest },
      });
    }
  }
  const mediaType = (options.format ?? 'oci') === 'oci' ? MediaTypes.ociIndex : MediaTypes.dockerManifestList;
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries }));
  return pushManifest(registryHost, repo, tag, index, mediaType);
}
