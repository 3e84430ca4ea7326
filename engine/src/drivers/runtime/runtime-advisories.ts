/** A runtime release with a known container breakout, and the first release that fixes it. */
interface Advisory {
  runtime: string;
  fixedIn: [number, number, number];
  what: string;
}

const advisories: Advisory[] = [
  {
    runtime: 'runc',
    fixedIn: [1, 1, 12],
    what: 'CVE-2024-21626 (a leaked working-directory descriptor lets a container reach the host filesystem)',
  },
];

/**
 * Warnings for `docker info` and the engine log when the OCI runtime is older than a release that
 * fixed a container breakout. `versionOutput` is what `RUNTIME --version` printed.
 */
export function runtimeAdvisories(runtimeName: string, versionOutput: string): string[] {
  const match = /version\s+(\d+)\.(\d+)\.(\d+)/.exec(versionOutput);
  if (match === null) return [];
  const version = [Number(match[1]), Number(match[2]), Number(match[3])] as const;
  const warnings: string[] = [];
  for (const advisory of advisories) {
    if (advisory.runtime !== runtimeName || !isOlder(version, advisory.fixedIn)) continue;
    warnings.push(
      `WARNING: ${runtimeName} ${version.join('.')} is older than ${advisory.fixedIn.join('.')} and exposed to ${advisory.what}; update ${runtimeName}`,
    );
  }
  return warnings;
}

function isOlder(version: readonly number[], fixed: readonly number[]): boolean {
  for (let index = 0; index < fixed.length; index++) {
    const part = version[index] ?? 0;
    const wanted = fixed[index] ?? 0;
    if (part !== wanted) return part < wanted;
  }
  return false;
}
