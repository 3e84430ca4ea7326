import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { AppError, invalidArgument } from '@berth/common';
import type { OciSeccomp } from '../../core/runtime/oci-spec.js';

/**
 * The seccomp profile format of Docker (moby/profiles/seccomp/default.json) and containers-common
 * (/usr/share/containers/seccomp.json): rules carry `includes`/`excludes` filters on capabilities,
 * architectures and kernel version that the engine resolves per container before handing runc a
 * plain OCI `linux.seccomp` section.
 */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  flags?: string[] | null;
  syscalls?: SeccompRule[] | null;
}

export interface SeccompRule {
  names?: string[] | null;
  /** Old single-name form. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[] | null;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
}

export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

export interface SeccompTarget {
  /** Go architecture name as the profiles use it: amd64, arm64, ... */
  arch: string;
  /** Final capability set of the container (`CAP_*`). */
  capabilities: readonly string[];
  /** Kernel release, e.g. `6.1.0-18-amd64`; only needed for `minKernel` rules. */
  kernelVersion: string;
}

/** Go architecture names to libseccomp's; the profile's archMap lists the sub-architectures. */
const goArchToSeccomp: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  '386': 'SCMP_ARCH_X86',
  x86: 'SCMP_ARCH_X86',
  x32: 'SCMP_ARCH_X32',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

export const defaultSeccompProfilePath = '/usr/share/containers/seccomp.json';

export async function loadSeccompProfile(path: string = defaultSeccompProfilePath): Promise<SeccompProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('unavailable', `cannot read seccomp profile ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseSeccompProfile(text, path);
}

export function parseSeccompProfile(text: string, source = 'seccomp profile'): SeccompProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`${source}: invalid JSON: ${(error as Error).message}`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { defaultAction?: unknown }).defaultAction !== 'string')
    throw invalidArgument(`${source}: missing defaultAction`);
  return parsed as SeccompProfile;
}

/** The kernel this engine runs on, for `minKernel` filters. */
export function hostSeccompTarget(capabilities: readonly string[]): SeccompTarget {
  return { arch: nodeArchToGo(process.arch), capabilities, kernelVersion: release() };
}

function nodeArchToGo(arch: string): string {
  if (arch === 'x64') return 'amd64';
  if (arch === 'ia32') return '386';
  return arch;
}

/** Resolves the profile's filters for one container, as moby's setupSeccomp does. */
export function toOciSeccomp(profile: SeccompProfile, target: SeccompTarget): OciSeccomp {
  const result: OciSeccomp = {
    defaultAction: profile.defaultAction,
    architectures: architecturesFor(profile, target.arch),
    syscalls: [],
  };
  if (profile.defaultErrnoRet !== undefined) result.defaultErrnoRet = profile.defaultErrnoRet;
  if (profile.flags && profile.flags.length > 0) result.flags = [...profile.flags];
  for (const rule of profile.syscalls ?? []) {
    if (!ruleApplies(rule, target)) continue;
    const names = rule.names && rule.names.length > 0 ? rule.names : rule.name !== undefined ? [rule.name] : [];
    if (names.length === 0) continue;
    const syscall: OciSeccomp['syscalls'][number] = { names: [...names], action: rule.action };
    if (rule.errnoRet !== undefined) syscall.errnoRet = rule.errnoRet;
    if (rule.args && rule.args.length > 0) {
      syscall.args = rule.args.map((arg) => ({
        index: arg.index,
        value: arg.value,
        ...(arg.valueTwo !== undefined ? { valueTwo: arg.valueTwo } : {}),
        op: arg.op,
      }));
    }
    result.syscalls.push(syscall);
  }
  return result;
}

function architecturesFor(profile: SeccompProfile, arch: string): string[] {
  const native = goArchToSeccomp[arch];
  if (native === undefined) throw invalidArgument(`seccomp: unsupported architecture ${arch}`);
  const entry = profile.archMap?.find((item) => item.architecture === native);
  if (entry !== undefined) return [entry.architecture, ...(entry.subArchitectures ?? [])];
  // Old profiles list architectures directly instead of an archMap.
  if (profile.architectures && profile.architectures.length > 0) return [...profile.architectures];
  return [native];
}

function ruleApplies(rule: SeccompRule, target: SeccompTarget): boolean {
  const includes = rule.includes ?? {};
  const excludes = rule.excludes ?? {};
  if (includes.arches && includes.arches.length > 0 && !includes.arches.includes(target.arch)) return false;
  if (includes.caps && includes.caps.length > 0 && !includes.caps.every((cap) => target.capabilities.includes(cap))) return false;
  if (includes.minKernel && compareKernel(target.kernelVersion, includes.minKernel) < 0) return false;
  if (excludes.arches && excludes.arches.includes(target.arch)) return false;
  if (excludes.caps && excludes.caps.some((cap) => target.capabilities.includes(cap))) return false;
  if (excludes.minKernel && compareKernel(target.kernelVersion, excludes.minKernel) >= 0) return false;
  return true;
}

/** Compares `major.minor[.patch]` prefixes of kernel releases (`6.1.0-18-amd64` → 6.1.0). */
export function compareKernel(actual: string, wanted: string): number {
  const parse = (version: string): number[] => {
    const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
    if (match === null) throw invalidArgument(`seccomp: invalid kernel version "${version}"`);
    return [Number(match[1] ?? 0), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  };
  const a = parse(actual);
  const b = parse(wanted);
  for (let index = 0; index < 3; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
