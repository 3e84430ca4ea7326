/**
 * Security policy of the Electron shell as pure functions (no `electron` import at runtime), so
 * the settings are unit-tested here even though the Electron binary is not available in CI.
 * Checklist: reliability-notes §2.1 (electronjs.org/docs/tutorial/security).
 */
import type { WebPreferences } from 'electron';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** The renderer is served from a custom privileged scheme, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'berth';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function createWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: process.env['BERTH_DEVTOOLS'] === '1',
  };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Origins the app's own frames may have (the dev server only when explicitly configured). */
export function trustedOrigins(devServerUrl?: string): string[] {
  const origins = [APP_ORIGIN];
  const dev = devServerUrl === undefined ? undefined : parse(devServerUrl);
  if (dev !== undefined && (dev.hostname === 'localhost' || dev.hostname === '127.0.0.1')) origins.push(dev.origin);
  return origins;
}

/** Compare origins with a URL parser, never with startsWith (app://berth.evil would pass). */
export function isTrustedUrl(url: string | undefined, origins: readonly string[]): boolean {
  if (url === undefined) return false;
  const parsed = parse(url);
  if (parsed === undefined) return false;
  const origin = parsed.protocol === `${APP_SCHEME}:` ? `${parsed.protocol}//${parsed.host}` : parsed.origin;
  return origins.includes(origin);
}

/** will-navigate: in-app navigations only (hash routes stay on the same document anyway). */
export function isAllowedNavigation(url: string, origins: readonly string[]): boolean {
  return isTrustedUrl(url, origins);
}

/** IPC sender check: the top frame of our window, on our origin. */
export function isTrustedSender(
  frame: { readonly url: string; readonly parent: unknown } | null | undefined,
  origins: readonly string[],
): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isTrustedUrl(frame.url, origins);
}

/**
 * What to do with a window.open / target=_blank link: never an Electron window. `openExternal`
 * goes to the system browser at once; `confirmExternal` only after the user said yes.
 */
export type WindowOpenDecision = { action: 'deny'; openExternal?: string; confirmExternal?: string };

/**
 * setWindowOpenHandler: never open Electron windows. Published-port links to the local machine
 * (http://localhost:PORT/, http://127.0.0.1:PORT/) go to the system browser; https links (docs,
 * registries) after a confirmation; everything else (file:, custom schemes, plain http) is dropped.
 */
export function decideWindowOpen(url: string): WindowOpenDecision {
  const parsed = parse(url);
  if (parsed === undefined || parsed.username !== '' || parsed.password !== '') return { action: 'deny' };
  const loopback = parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1';
  if (parsed.protocol === 'http:' && loopback && parsed.port !== '') return { action: 'deny', openExternal: parsed.href };
  if (parsed.protocol === 'https:' && parsed.hostname !== '') return { action: 'deny', confirmExternal: parsed.href };
  return { action: 'deny' };
}

/** Permission requests and checks: deny everything (camera, mic, notifications, clipboard-read…). */
export const permissionRequestDecision = (_permission: string): boolean => false;

/**
 * Maps an app:// request to a file under the renderer directory, or undefined when it escapes it
 * (path traversal) or targets another host.
 */
export function resolveAppAsset(requestUrl: string, rendererDir: string): string | undefined {
  const parsed = parse(requestUrl);
  if (parsed === undefined || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0')) return undefined;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  const rel = relative(root, file);
  if (rel.startsWith('..') || isAbsolute(rel) || (rel !== '' && file !== root && !file.startsWith(root + sep))) return undefined;
  return file;
}

/** CSP for the app:// renderer (the web mode sends the equivalent from app-host). */
export const APP_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";
