import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Security checks for the localhost web mode (reliability-notes §4): a per-launch token, an exact
 * Host allowlist (DNS rebinding), an exact Origin allowlist on state-changing requests and every
 * WebSocket upgrade (CSRF, cross-site WebSocket hijacking), JSON-only API bodies. Pure functions so
 * they can be unit-tested without a server.
 */

/** 256 bits from the CSPRNG, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokensEqual(candidate: string, expected: string): boolean {
  const a = createHash('sha256').update(candidate).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && candidate.length === expected.length;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** `host:port` forms a browser may send in the Host header for this listener. */
export function allowedHostsFor(listenHost: string, port: number, extraNames: readonly string[] = []): string[] {
  const bare = listenHost.replace(/^\[|\]$/g, '');
  const hostPart = isIP(bare) === 6 ? `[${bare}]` : bare;
  const hosts = new Set<string>([`${hostPart}:${port}`]);
  if (isLoopbackHost(bare)) hosts.add(`localhost:${port}`);
  for (const name of extraNames) hosts.add(`${name}:${port}`);
  return [...hosts].map((h) => h.toLowerCase());
}

export const originsFor = (hosts: readonly string[]): string[] => hosts.map((host) => `http://${host}`);

export const cookieNameFor = (port: number): string => `berth_token_${port}`;

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface SecurityPolicy {
  readonly token: string;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly cookieName: string;
}

export function createSecurityPolicy(
  token: string,
  listenHost: string,
  port: number,
  extraNames: readonly string[] = [],
): SecurityPolicy {
  const allowedHosts = allowedHostsFor(listenHost, port, extraNames);
  return { token, allowedHosts, allowedOrigins: originsFor(allowedHosts), cookieName: cookieNameFor(port) };
}

/** What kind of request is being checked. */
export type RequestKind = 'document' | 'api' | 'upgrade';

export interface RequestFacts {
  readonly method: string;
  /** Path plus query, as in `req.url`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type Decision =
  | { readonly action: 'allow'; readonly via: 'cookie' | 'bearer' }
  | { readonly action: 'deny'; readonly status: 400 | 401 | 403 | 415; readonly reason: string }
  /** A valid `?token=` on a page load: set the cookie and redirect to the same URL without it. */
  | { readonly action: 'exchange'; readonly setCookie: string; readonly location: string };

const header = (facts: RequestFacts, name: string): string | undefined => {
  const value = facts.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function sessionCookie(policy: SecurityPolicy): string {
  return `${policy.cookieName}=${policy.token}; Path=/; HttpOnly; SameSite=Strict`;
}

export function checkRequest(facts: RequestFacts, kind: RequestKind, policy: SecurityPolicy): Decision {
  // 1. Exact Host: a rebound attacker domain arrives with its own name in Host.
  const host = header(facts, 'host')?.toLowerCase();
  if (host === undefined || !policy.allowedHosts.includes(host)) {
    return { action: 'deny', status: 403, reason: 'invalid Host header' };
  }

  // 2. Origin: when present it must be ours, always (no foreign page may drive us).
  const origin = header(facts, 'origin');
  if (origin !== undefined && !policy.allowedOrigins.includes(origin)) {
    return { action: 'deny', status: 403, reason: 'cross-origin request refused' };
  }
  if (header(facts, 'sec-fetch-site') === 'cross-site') {
    return { action: 'deny', status: 403, reason: 'cross-site request refused' };
  }

  let url: URL;
  try {
    url = new URL(facts.url, 'http://placeholder');
  } catch {
    return { action: 'deny', status: 400, reason: 'bad request URL' };
  }

  // 3. Token handover: only on a page GET, exchanged for a cookie, then dropped from the URL.
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null) {
    if (kind !== 'document' || facts.method !== 'GET') return { action: 'deny', status: 400, reason: 'token not accepted here' };
    if (!tokensEqual(queryToken, policy.token)) return { action: 'deny', status: 401, reason: 'invalid token' };
    url.searchParams.delete('token');
    const search = url.searchParams.toString();
    return {
      action: 'exchange',
      setCookie: sessionCookie(policy),
      location: `${url.pathname}${search === '' ? '' : `?${search}`}`,
    };
  }

  // 4. The token itself: cookie (browser) or bearer (scripts, tests).
  const authorization = header(facts, 'authorization');
  const bearer = authorization?.startsWith('Bearer ') === true ? authorization.slice('Bearer '.length) : undefined;
  const cookie = parseCookies(header(facts, 'cookie')).get(policy.cookieName);
  let via: 'cookie' | 'bearer';
  if (bearer !== undefined && tokensEqual(bearer, policy.token)) via = 'bearer';
  else if (cookie !== undefined && tokensEqual(cookie, policy.token)) via = 'cookie';
  else return { action: 'deny', status: 401, reason: 'missing or invalid token' };

  // 5. State changes and upgrades from a browser must carry our Origin (a cookie alone is not enough:
  //    cookies are shared across ports of one host). Only bearer clients may omit it.
  if ((kind === 'api' || kind === 'upgrade') && origin === undefined && via === 'cookie') {
    return { action: 'deny', status: 403, reason: 'missing Origin header' };
  }

  // 6. API bodies are JSON only, so no cross-site "simple" request can reach a handler.
  if (kind === 'api') {
    if (facts.method !== 'POST') return { action: 'deny', status: 400, reason: 'API calls use POST' };
    const contentType = header(facts, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json')
      return { action: 'deny', status: 415, reason: 'API calls need Content-Type: application/json' };
  }
  return { action: 'allow', via };
}

/** Strict CSP for the renderer; WebSocket origins are listed explicitly for older engines of 'self'. */
export function contentSecurityPolicy(allowedHosts: readonly string[]): string {
  const ws = allowedHosts.map((host) => `ws://${host}`).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(policy: SecurityPolicy): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(policy.allowedHosts),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), clipboard-read=()',
  };
}
