import { invalidArgument } from '@berth/common';

/**
 * Every capability Linux knows up to CAP_CHECKPOINT_RESTORE (40), in number order. Privileged
 * containers and `--cap-add ALL` get this list; runc ignores the ones an older kernel lacks.
 */
export const allCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/**
 * Docker's default allowlist (moby daemon/pkg/oci/caps/defaults.go). Inside a default container
 * this gives `CapEff: 00000000a80425fb`.
 */
export const defaultCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const all = 'ALL';

/** `net_admin`, `NET_ADMIN` and `CAP_NET_ADMIN` all name the same capability, as in the docker CLI. */
export function normalizeCapabilities(names: readonly string[]): string[] {
  return names.map((name) => {
    const upper = name.trim().toUpperCase();
    if (upper === all) return all;
    const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!allCapabilities.includes(full)) throw invalidArgument(`unknown capability: "${full}"`);
    return full;
  });
}

/**
 * The effective capability set for `--cap-add`/`--cap-drop`, following moby's TweakCapabilities:
 * privileged gets everything (`available`: the engine's bounding set); `--cap-add ALL` gets everything except what is dropped;
 * `--cap-drop ALL` keeps only what is added; otherwise defaults minus drops plus adds.
 */
export function resolveCapabilities(
  capAdd: readonly string[],
  capDrop: readonly string[],
  privileged: boolean,
  available: readonly string[] = allCapabilities,
): string[] {
  // "All" means all the engine can give: asking runc for more than its bounding set fails.
  const everything = allCapabilities.filter((cap) => available.includes(cap));
  if (privileged) return everything;
  const adds = normalizeCapabilities(capAdd);
  const drops = normalizeCapabilities(capDrop);
  let result: string[];
  if (adds.includes(all)) result = everything.filter((cap) => !drops.includes(cap));
  else if (drops.includes(all)) result = adds;
  else result = [...defaultCapabilities.filter((cap) => !drops.includes(cap)), ...adds];
  return [...new Set(result.filter((cap) => cap !== all))];
}

/** Names of the capabilities set in a kernel bitmask (CapBnd/CapEff: bit n is capability n). */
export function capabilitiesFromMask(mask: bigint): string[] {
  return allCapabilities.filter((_cap, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}
