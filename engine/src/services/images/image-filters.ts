import { familiarizeName, invalidArgument } from '@berth/common';
import type { Image } from '../../core/images/image.js';
import type { ImageFilters } from '../../core/images/image-service.js';

const listKeys = new Set(['dangling', 'label', 'label!', 'reference', 'before', 'since', 'until']);
const pruneKeys = new Set(['dangling', 'label', 'label!', 'until']);

export function checkImageFilters(filters: ImageFilters, kind: 'list' | 'prune'): void {
  const known = kind === 'list' ? listKeys : pruneKeys;
  for (const [key, values] of filters) {
    if (!known.has(key)) throw invalidArgument(`invalid filter '${key}'`);
    for (const value of values) {
      if (key === 'dangling' && !['true', 'false', '1', '0'].includes(value))
        throw invalidArgument(`invalid filter 'dangling=${value}'`);
    }
  }
}

/** `dangling=true` unless a value says false (moby's ExactMatch("dangling", "true") after validation). */
export function wantsDangling(filters: ImageFilters): boolean | undefined {
  const values = filters.get('dangling');
  if (values === undefined || values.length === 0) return undefined;
  return values.some((value) => value === 'true' || value === '1');
}

/** When the image was created (config `created`, else when stored), ms since epoch. */
export function imageCreatedMs(image: Image): number {
  const created = image.config.created === undefined ? Number.NaN : Date.parse(image.config.created);
  return Number.isNaN(created) ? image.storedAt : created;
}

/** Docker's `until`: a Unix timestamp (seconds, fractions allowed), an RFC 3339 date, or a Go duration before now. */
export function parseUntil(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = parseGoDuration(value);
  if (duration !== undefined) return now - duration;
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
  return date;
}

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseGoDuration(value: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(match[1]) * (unitMs[match[2] as string] ?? 0);
  }
  return total;
}

/** `label=key` or `label=key=value` against the image's labels (all given must match); `label!` negates. */
export function matchesLabels(image: Image, filters: ImageFilters): boolean {
  const labels = image.config.config?.Labels ?? {};
  const has = (spec: string): boolean => {
    const eq = spec.indexOf('=');
    const key = eq === -1 ? spec : spec.slice(0, eq);
    if (!Object.hasOwn(labels, key)) return false;
    return eq === -1 || labels[key] === spec.slice(eq + 1);
  };
  if (!(filters.get('label') ?? []).every(has)) return false;
  const negated = filters.get('label!') ?? [];
  if (negated.length > 0 && negated.some(has)) return false;
  return true;
}

/** Go's path.Match as a regular expression: `*` and `?` never match `/`. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) throw invalidArgument(`invalid reference filter pattern "${pattern}": syntax error in pattern`);
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (char === '\\' && i + 1 < pattern.length) {
      source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** moby's FamiliarMatch: the familiar string (`busybox:latest`), then the familiar name (`busybox`). */
export function referenceMatches(patterns: readonly RegExp[], fullName: string): boolean {
  const familiar = familiarizeName(fullName);
  const name = familiar.replace(/@sha256:[a-f0-9]+$/, '').replace(/:[\w][\w.-]*$/, '');
  return patterns.some((pattern) => pattern.test(familiar) || pattern.test(name));
}

/**
 * `GET /images/json` filtering as dockerd 20.10: with `reference`, only the matching names are kept
 * and images with none drop out; `dangling=true` keeps images without tags.
 */
export function filterImages(
  images: readonly Image[],
  filters: ImageFilters,
  bounds: { before?: number; since?: number },
): Image[] {
  const dangling = wantsDangling(filters);
  const patterns = (filters.get('reference') ?? []).map(globToRegExp);
  const until = filters.get('until')?.map((value) => parseUntil(value));
  const out: Image[] = [];
  for (const image of images) {
    const created = imageCreatedMs(image);
    if (bounds.before !== undefined && !(created < bounds.before)) continue;
    if (bounds.since !== undefined && !(created > bounds.since)) continue;
    if (until !== undefined && !until.some((limit) => created < limit)) continue;
    if (!matchesLabels(image, filters)) continue;
    if (dangling === true && image.repoTags.length > 0) continue;
    if (dangling === false && image.repoTags.length === 0 && image.repoDigests.length === 0) continue;
    if (patterns.length > 0) {
      const repoTags = image.repoTags.filter((name) => referenceMatches(patterns, name));
      const repoDigests = image.repoDigests.filter((name) => referenceMatches(patterns, name));
      if (repoTags.length === 0 && repoDigests.length === 0) continue;
      out.push({ ...image, repoTags, repoDigests });
      continue;
    }
    out.push(image);
  }
  return out;
}
