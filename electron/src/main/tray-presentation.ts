import type { EngineStatus } from '@berth/common/contract';

/** Which of the tray icons (electron/assets/tray-*.png) shows the engine's state. */
export type TrayIconName = 'running' | 'connecting' | 'unreachable';

export interface TrayPresentation {
  icon: TrayIconName;
  /** The tray icon's tooltip. */
  tooltip: string;
  /** The first (disabled) line of the tray menu. */
  statusLine: string;
}

/** The tray as the engine's state dictates: kept free of Electron so it is tested as plain code. */
export function trayPresentation(status: EngineStatus): TrayPresentation {
  switch (status.state) {
    case 'running':
      return {
        icon: 'running',
        tooltip: `Berth: engine running (${status.host})`,
        statusLine: status.apiVersion !== undefined ? `Engine running · API ${status.apiVersion}` : 'Engine running',
      };
    case 'connecting':
      return { icon: 'connecting', tooltip: `Berth: connecting to ${status.host}…`, statusLine: 'Connecting to the engine…' };
    case 'unreachable':
      return {
        icon: 'unreachable',
        tooltip: `Berth: engine unreachable (${status.host})`,
        statusLine: `Engine unreachable${status.message !== undefined ? `: ${truncate(status.message, 60)}` : ''}`,
      };
  }
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
