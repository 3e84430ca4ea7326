import { invalidArgument } from '@berth/common';

export const maxApiVersion = '1.41';
export const minApiVersion = '1.12';

function compare(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor;
}

/**
 * Splits `/v1.41/containers/json` into the version and the route path. Unversioned paths use the
 * maximum version, as dockerd does.
 */
export function splitVersionedPath(pathname: string): { version: string; path: string } {
  const match = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
  if (match === null) return { version: maxApiVersion, path: pathname };
  const version = match[1] ?? maxApiVersion;
  if (compare(version, maxApiVersion) > 0)
    throw invalidArgument(`client version ${version} is too new. Maximum supported API version is ${maxApiVersion}`);
  if (compare(version, minApiVersion) < 0)
    throw invalidArgument(
      `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`,
    );
  return { version, path: match[2] ?? '/' };
}

export function isVersionAtLeast(version: string, atLeast: string): boolean {
  return compare(version, atLeast) >= 0;
}
