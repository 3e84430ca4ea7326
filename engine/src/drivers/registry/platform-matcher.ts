import { invalidArgument } from '@berth/common';
import type { Descriptor, Platform } from '../../core/registry/registry-client.js';

const archAliases: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', i386: '386' };

/** Parses `os/arch[/variant]` (e.g. `linux/arm64/v8`), normalising architecture aliases. */
export function parsePlatform(value: string): Platform {
  const parts = value.trim().toLowerCase().split('/');
  const [os, arch, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || !os || !arch || (parts.length === 3 && !variant)) {
    throw invalidArgument(`invalid platform "${value}": expected os/arch[/variant]`);
  }
  const platform: Platform = { os, architecture: archAliases[arch] ?? arch };
  if (variant) platform.variant = variant;
  return platform;
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** arm64 without a variant means v8; compare variants with that default applied. */
function normalisedVariant(platform: Platform): string | undefined {
  if (platform.architecture === 'arm64' && (platform.variant === undefined || platform.variant === '')) return 'v8';
  return platform.variant || undefined;
}

/**
 * Picks the manifest for `wanted` from a list/index like dockerd: same os and architecture, skipping
 * `unknown/unknown` attestation entries; an exact variant wins, else an entry without variant, else any.
 */
export function selectPlatformManifest(manifests: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  const candidates = manifests.filter((entry) => {
    const p = entry.platform;
    if (!p || p.os === 'unknown' || p.architecture === 'unknown') return false;
    if (entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return false;
    return p.os === wanted.os && (archAliases[p.architecture] ?? p.architecture) === wanted.architecture;
  });
  const wantedVariant = normalisedVariant(wanted);
  if (wanted.variant !== undefined || wanted.architecture === 'arm64') {
    const exact = candidates.find((entry) => entry.platform && normalisedVariant(entry.platform) === wantedVariant);
    if (exact) return exact;
    if (wanted.variant !== undefined) return undefined;
  }
  return candidates.find((entry) => !entry.platform?.variant) ?? candidates[0];
}
