/**
 * Electron main: app lifecycle and wiring only. Container logic lives in the engine (reached over its
 * UNIX socket by @berth/app-host); this process validates and forwards.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, net, protocol, session, shell, Tray } from 'electron';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { contract, type EngineStatus } from '@berth/common/contract';
import { ContractDispatcher, createAppHandlers, defaultDockerHost, DockerClient, parseDockerHost } from '@berth/app-host';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_ORIGIN,
  APP_SCHEME,
  createWebPreferences,
  decideWindowOpen,
  isAllowedNavigation,
  permissionRequestDecision,
  resolveAppAsset,
  trustedOrigins,
} from '../security/policy.js';
import { serveContract } from './ipc-server.js';
import { trayPresentation, type TrayIconName } from './tray-presentation.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = process.env['BERTH_RENDERER_DIR'] ?? join(here, '../../../renderer/dist');
const preloadPath = join(here, '../preload/preload.cjs');
const assetsDir = join(here, '../../assets');
const devServerUrl = app.isPackaged ? undefined : process.env['BERTH_DEV_SERVER_URL'];
const origins = trustedOrigins(devServerUrl);

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, origins)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, origins)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternal !== undefined) void shell.openExternal(decision.openExternal);
    if (decision.confirmExternal !== undefined) void confirmOpenExternal(decision.confirmExternal);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionRequestDecision(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => permissionRequestDecision(permission));

  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(request.url, rendererDir);
    if (file === undefined) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', APP_CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });

  const dockerHost =
    process.env['BERTH_DOCKER_HOST'] !== undefined ? parseDockerHost(process.env['BERTH_DOCKER_HOST']) : defaultDockerHost();
  const host = createAppHandlers(new DockerClient(dockerHost));
  const stopServing = serveContract(ipcMain, contract, new ContractDispatcher(contract, host.handlers), origins);

  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Berth',
    webPreferences: createWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  const stopTray = showTray(host.hub, () => {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => {
    stopTray();
    stopServing();
    void host.close().finally(() => app.quit());
  });
});

/** An https link leaves the app only once the user agreed, naming where it goes. */
async function confirmOpenExternal(url: string): Promise<void> {
  const { response } = await dialog.showMessageBox({
    type: 'question',
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Open this link in your browser?',
    detail: url,
  });
  if (response === 0) await shell.openExternal(url);
}

/** The tray icon follows the engine's state (from the app host's event hub); its menu opens the window or quits. */
function showTray(hub: { onStatus(listener: (status: EngineStatus) => void): () => void }, open: () => void): () => void {
  const icons = new Map<TrayIconName, Electron.NativeImage>();
  const icon = (name: TrayIconName): Electron.NativeImage => {
    let image = icons.get(name);
    if (image === undefined) {
      image = nativeImage.createFromPath(join(assetsDir, `tray-${name}.png`));
      icons.set(name, image);
    }
    return image;
  };
  const tray = new Tray(icon('connecting'));
  tray.on('click', open);
  const unsubscribe = hub.onStatus((status) => {
    const shown = trayPresentation(status);
    tray.setImage(icon(shown.icon));
    tray.setToolTip(shown.tooltip);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: shown.statusLine, enabled: false },
        { type: 'separator' },
        { label: 'Open Berth', click: open },
        { label: 'Quit', role: 'quit' },
      ]),
    );
  });
  return () => {
    unsubscribe();
    tray.destroy();
  };
}
