import { invalidArgument } from '../errors/app-error.js';

/**
 * A fully-normalised Docker image reference, as `docker` and dockerd normalise what a user types:
 * `busybox` → registry `docker.io`, repository `library/busybox`, tag `latest`.
 */
export interface ImageReference {
  /** Registry domain as written in names: `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  repository: string;
  /** Tag, when one was given or defaulted (`latest` is added only when no digest was given). */
  tag?: string;
  /** `sha256:<hex>` when the reference pins a manifest digest. */
  digest?: string;
}

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** The host that actually serves docker.io's registry API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

// The grammar of github.com/distribution/reference (regexp.go), restricted to what Docker accepts.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const host = `(?:${domainName}|${ipv6})`;
const domainPattern = new RegExp(`^${host}(?::[0-9]+)?$`);
const pathComponentPattern = new RegExp(`^${pathComponent}$`);
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const sha256Pattern = /^sha256:[a-f0-9]{64}$/;
const fullIdPattern = /^[a-f0-9]{64}$/;
const maxNameLength = 255;

const invalidFormat = (input: string, why?: string) =>
  invalidArgument(`invalid reference format${why ? `: ${why}` : ''} ("${input}")`);

/**
 * Parses and normalises a reference exactly like Docker's `ParseNormalizedNamed`:
 * a first component containing `.` or `:` or equal to `localhost` is a registry host; otherwise the
 * registry is docker.io and single-component names get `library/`. Throws invalid-argument
 * "invalid reference format" for anything Docker would refuse (including upper-case repositories).
 */
export function parseImageReference(input: string): ImageReference {
  if (input.length === 0) throw invalidFormat(input, 'empty reference');
  if (fullIdPattern.test(input)) {
    throw invalidFormat(input, 'cannot specify 64-byte hexadecimal strings');
  }
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw invalidFormat(input, 'invalid digest');
    if (digest.startsWith('sha256:') && !sha256Pattern.test(digest)) throw invalidFormat(input, 'invalid sha256 digest');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagPattern.test(tag)) throw invalidFormat(input, 'invalid tag');
  }
  if (rest.length === 0) throw invalidFormat(input);

  let registry = DEFAULT_REGISTRY;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash !== -1) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      path = rest.slice(firstSlash + 1);
      if (!domainPattern.test(registry)) throw invalidFormat(input, 'invalid registry host');
    }
  }
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  if (path !== path.toLowerCase()) throw invalidFormat(input, 'repository name must be lowercase');
  const components = path.split('/');
  for (const component of components) {
    if (!pathComponentPattern.test(component)) throw invalidFormat(input);
  }
  if (registry === DEFAULT_REGISTRY && components.length === 1) path = `library/${path}`;
  if (`${registry}/${path}`.length > maxNameLength) throw invalidFormat(input, 'repository name too long');

  const reference: ImageReference = { registry, repository: path };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  else if (tag === undefined) reference.tag = DEFAULT_TAG;
  return reference;
}

/** True when `input` parses as a reference (no throw). */
export function isImageReference(input: string): boolean {
  try {
    parseImageReference(input);
    return true;
  } catch {
    return false;
  }
}

/** `docker.io/library/busybox` */
export function repositoryName(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}`;
}

/** The fully-qualified string: `docker.io/library/busybox:latest`, `host/repo@sha256:…`, `host/repo:tag@sha256:…`. */
export function formatImageReference(reference: ImageReference): string {
  let out = repositoryName(reference);
  if (reference.tag !== undefined) out += `:${reference.tag}`;
  if (reference.digest !== undefined) out += `@${reference.digest}`;
  return out;
}

/** Docker's familiar repository name: strips `docker.io/` and `library/` (`busybox`, `user/app`, `127.0.0.1:5000/x`). */
export function familiarRepositoryName(reference: ImageReference): string {
  if (reference.registry !== DEFAULT_REGISTRY) return repositoryName(reference);
  return reference.repository.startsWith('library/') && reference.repository.split('/').length === 2
    ? reference.repository.slice('library/'.length)
    : reference.repository;
}

/** The display form Docker prints: `busybox:latest`, `127.0.0.1:5000/busybox@sha256:…`. */
export function familiarImageReference(reference: ImageReference): string {
  let out = familiarRepositoryName(reference);
  if (reference.tag !== undefined) out += `:${reference.tag}`;
  if (reference.digest !== undefined) out += `@${reference.digest}`;
  return out;
}

/** Familiar form of a fully-qualified name string (`docker.io/library/busybox:latest` → `busybox:latest`). */
export function familiarizeName(fullName: string): string {
  return familiarImageReference(parseImageReference(fullName));
}

/** The host:port that serves the registry API for a registry domain (`docker.io` → `registry-1.docker.io`). */
export function registryApiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}
