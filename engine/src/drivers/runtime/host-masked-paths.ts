import { readdir } from 'node:fs/promises';

/**
 * Docker also masks each CPU's thermal_throttle directory (GHSA-6fw5-f8r9-fgfm: a side channel).
 * The list depends on the host, so it is read here and passed to the spec builder as
 * `extraMaskedPaths`.
 */
export async function listThermalThrottlePaths(cpuRoot = '/sys/devices/system/cpu'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(cpuRoot);
  } catch {
    return [];
  }
  const paths: string[] = [];
  for (const name of names.filter((entry) => /^cpu\d+$/.test(entry)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))) {
    const candidate = `${cpuRoot}/${name}/thermal_throttle`;
    try {
      await readdir(candidate);
      paths.push(candidate);
    } catch {
      // no thermal_throttle on this CPU (most VMs)
    }
  }
  return paths;
}
