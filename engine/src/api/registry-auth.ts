import { invalidArgument } from '@berth/common';
import type { RegistryCredentials } from '../core/images/image-service.js';

/**
 * Decodes `X-Registry-Auth`: base64url (padding optional) of Docker's AuthConfig JSON.
 * `e30=` (`{}`) means anonymous.
 */
export function decodeRegistryAuth(header: string | undefined): RegistryCredentials | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  let parsed: Record<string, unknown>;
  try {
    const json = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    parsed = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw invalidArgument('invalid X-Registry-Auth header: expected base64-encoded JSON');
  }
  const text = (key: string): string | undefined => {
    const value = parsed[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  let username = text('username');
  let password = text('password');
  const auth = text('auth');
  if (username === undefined && auth !== undefined) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  const credentials: RegistryCredentials = {};
  if (username !== undefined) credentials.username = username;
  if (password !== undefined) credentials.password = password;
  const identityToken = text('identitytoken');
  if (identityToken !== undefined) credentials.identityToken = identityToken;
  const registryToken = text('registrytoken');
  if (registryToken !== undefined) credentials.registryToken = registryToken;
  return Object.keys(credentials).length === 0 ? undefined : credentials;
}
