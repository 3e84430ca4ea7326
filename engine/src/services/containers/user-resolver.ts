import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument } from '@berth/common';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/**
 * Resolves Docker's `--user` (`name`, `uid`, `name:group`, `uid:gid`) against the image's
 * /etc/passwd and /etc/group, as dockerd does. The files are read only when they are regular
 * files inside the root filesystem: a symlink there could point at the host's files.
 */
export async function resolveUser(rootfs: string, user: string | undefined): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = (user ?? '').split(':', 2);
  const passwd =
    userPart === '' || (/^\d+$/.test(userPart) && (groupPart === undefined || /^\d+$/.test(groupPart)))
      ? undefined
      : await readDatabase(rootfs, 'passwd');
  let uid = 0;
  let gid = 0;
  if (userPart !== '') {
    const entry =
      passwd?.find((fields) => fields[0] === userPart) ??
      (await readDatabase(rootfs, 'passwd')).find((fields) => fields[2] === userPart);
    if (entry !== undefined) {
      uid = Number(entry[2]);
      gid = Number(entry[3]);
    } else if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
    } else {
      throw invalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const group = (await readDatabase(rootfs, 'group')).find((fields) => fields[0] === groupPart);
      if (group === undefined) throw invalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = Number(group[2]);
    }
  }
  const userName = passwd?.find((fields) => Number(fields[2]) === uid)?.[0];
  // Supplementary groups come only with the implicit form (`-u name`), as in moby's GetExecUser.
  const explicitGroup = groupPart !== undefined && groupPart !== '';
  const additionalGids =
    userName === undefined || explicitGroup
      ? []
      : (await readDatabase(rootfs, 'group'))
          .filter((fields) => (fields[3] ?? '').split(',').includes(userName))
          .map((fields) => Number(fields[2]))
          .filter((id) => Number.isInteger(id) && id !== gid);
  return { uid, gid, additionalGids };
}

async function readDatabase(rootfs: string, name: 'passwd' | 'group'): Promise<string[][]> {
  const etc = join(rootfs, 'etc');
  const file = join(etc, name);
  try {
    if (!(await lstat(etc)).isDirectory() || !(await lstat(file)).isFile()) return [];
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}
