/**
 * Electron Forge configuration (packaging is not run in this environment: no Electron binary).
 * Fuses are flipped on the packaged binary BEFORE signing, as the FusesPlugin does; we call
 * @electron/fuses directly from the packageAfterCopy hook to avoid pulling forge's native toolchain.
 * Read them back with `npx @electron/fuses read --app <bundle>`.
 */
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';
import { join } from 'node:path';

export const fuses = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const;

function electronBinary(buildPath: string, platform: string): string {
  // buildPath is <out>/<App>.app/Contents/Resources/app (darwin) or <out>/resources/app.
  switch (platform) {
    case 'darwin':
    case 'mas':
      return join(buildPath, '../../MacOS/Berth');
    case 'win32':
      return join(buildPath, '../../Berth.exe');
    default:
      return join(buildPath, '../../berth');
  }
}

const config = {
  packagerConfig: {
    name: 'Berth',
    executableName: 'berth',
    asar: true,
    ignore: [/^\/(engine|e2e|app-host\/src|renderer\/src|electron\/src)\//],
  },
  hooks: {
    packageAfterCopy: async (_config: unknown, buildPath: string, _electronVersion: string, platform: string): Promise<void> => {
      await flipFuses(electronBinary(buildPath, platform), { ...fuses, resetAdHocDarwinSignature: platform === 'darwin' });
    },
  },
  makers: [],
};

export default config;
