import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, readdir, readFile, lstat, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '@berth/common';
import { createSilentLogger } from '../../lib/logger.js';
import { platformSpecialFiles, type SpecialFiles } from '../../platform/special-files.js';
import { buildRawTar, type RawTarEntry } from '../../testing/test-images.js';
import { unpackLayer } from './layer-unpacker.js';

const isRoot = process.getuid?.() === 0;
/** Without root, whiteouts cannot be real devices: record them instead (only the refusal paths matter then). */
const specialFiles: SpecialFiles = isRoot
  ? platformSpecialFiles
  : { makeWhiteout: async () => undefined, makeOpaque: async () => undefined, makeFifo: async () => undefined };

let base: string;
let dest: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-unpack-'));
  dest = join(base, 'dest');
  await mkdir(dest);
  await mkdir(join(base, 'victim'));
  await writeFile(join(base, 'victim', 'secret'), 'secret');
  await mkdir(join(base, 'dest-evil'));
  await writeFile(join(base, 'dest-evil', 'secret'), 'evil');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function unpack(entries: RawTarEntry[], options: { target?: string; lowers?: string[] } = {}) {
  const tar = await buildRawTar(entries);
  return unpackLayer(Readable.from([tar]), {
    target: options.target ?? dest,
    lowers: options.lowers ?? [],
    layerName: 'sha256:testlayer',
    specialFiles,
    logger: createSilentLogger(),
  });
}

const file = (name: string, content = 'x', mode = 0o644): RawTarEntry => ({ header: { name, type: 'file', mode }, content });
const dir = (name: string, mode = 0o755): RawTarEntry => ({ header: { name, type: 'directory', mode } });
const symlink = (name: string, linkname: string): RawTarEntry => ({ header: { name, type: 'symlink', linkname } });
const hardlink = (name: string, linkname: string): RawTarEntry => ({ header: { name, type: 'link', linkname } });

/** The surroundings of the snapshot are exactly as the test set them up. */
async function assertContained(): Promise<void> {
  assert.deepEqual((await readdir(base)).sort(), ['dest', 'dest-evil', 'victim']);
  assert.deepEqual(await readdir(join(base, 'victim')), ['secret']);
  assert.equal(await readFile(join(base, 'victim', 'secret'), 'utf8'), 'secret');
  assert.deepEqual(await readdir(join(base, 'dest-evil')), ['secret']);
}

async function assertRefused(entries: RawTarEntry[], entryName: string, options: { lowers?: string[] } = {}): Promise<void> {
  await assert.rejects(unpack(entries, options), (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${String(error)}`);
    assert.equal(error.kind, 'invalid-argument');
    assert.match(error.message, /sha256:testlayer/);
    assert.ok(error.message.includes(`"${entryName}"`), error.message);
    return true;
  });
  await assertContained();
}

describe('layer unpacker: hostile layers', () => {
  test('1. ".." entry', () => assertRefused([file('..', 'x')], '..'));
  test('2. ../pwned', () => assertRefused([file('../pwned')], '../pwned'));
  test('3. ../../pwned', () => assertRefused([file('../../pwned')], '../../pwned'));
  test('4. absolute path /etc/pwned', () => assertRefused([file('/etc/berth-pwned')], '/etc/berth-pwned'));
  test('5. /../victim/slash-dotdot', () => assertRefused([file('/../victim/slash-dotdot')], '/../victim/slash-dotdot'));
  test('6. inner a/../../victim/x', () => assertRefused([dir('a/'), file('a/../../victim/x')], 'a/../../victim/x'));
  test('7. symlink parent escaping: loophole -> ../victim, then loophole/newfile', () =>
    assertRefused([symlink('loophole', '../victim'), file('loophole/newfile')], 'loophole/newfile'));
  test('8. nested symlink escape: dir/loophole -> ../../victim, then dir/loophole/newdir/newfile', () =>
    assertRefused(
      [dir('dir/'), symlink('dir/loophole', '../../victim'), file('dir/loophole/newdir/newfile')],
      'dir/loophole/newdir/newfile',
    ));
  test('9. two-hop symlink breakout', () =>
    assertRefused(
      [dir('inner/'), symlink('inner/go_up', '..'), symlink('inner/go_up/escape', '../victim'), file('escape/newfile')],
      'escape/newfile',
    ));
  test('10. hard link to /etc/passwd', async () => {
    await assertRefused([hardlink('passwd', '/etc/passwd')], 'passwd');
    assert.notEqual((await stat('/etc/passwd')).nlink, 0);
  });
  test('11. hard link to ../victim/secret', () => assertRefused([hardlink('stolen', '../victim/secret')], 'stolen'));
  test('12. hard link to sibling-prefix ../dest-evil/secret', () =>
    assertRefused([hardlink('stolen', '../dest-evil/secret')], 'stolen'));
  test('13. hard link through an escaping symlink', () =>
    assertRefused([symlink('up', '../victim'), hardlink('stolen', 'up/secret')], 'stolen'));
  test('14. whiteout of ../x', () => assertRefused([file('../.wh.victim', '')], '../.wh.victim'));
  test('15. invalid whiteout names .wh. .wh.. .wh...', async () => {
    for (const name of ['.wh.', 'd/.wh..', '.wh...']) await assertRefused([dir('d/'), file(name, '')], name);
  });
  test('16. symlink loop', () => assertRefused([symlink('a', 'b'), symlink('b', 'a'), file('a/x')], 'a/x'));
  test('17. escaping symlink from a lower layer', async () => {
    const lower = join(base, 'dest', '..', 'lower');
    await mkdir(lower);
    const { symlink: makeSymlink } = await import('node:fs/promises');
    await makeSymlink('../../victim', join(lower, 'x'));
    const upper = join(base, 'dest');
    await assert.rejects(unpack([file('x/file')], { target: upper, lowers: [lower] }), /x\/file/);
    await rm(lower, { recursive: true });
    await assertContained();
  });
  test('18. device nodes are skipped, not created', async () => {
    await unpack([
      { header: { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 } },
      { header: { name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1, mode: 0o660 } },
      file('ok'),
    ]);
    await assert.rejects(lstat(join(dest, 'dev', 'sda')));
    await assert.rejects(lstat(join(dest, 'dev', 'mem')));
    assert.ok((await lstat(join(dest, 'ok'))).isFile());
    await assertContained();
  });
  test('19. a file replacing an escaping symlink does not write through it', async () => {
    await unpack([symlink('x', '../victim/secret'), file('x', 'replaced')]);
    assert.ok((await lstat(join(dest, 'x'))).isFile());
    assert.equal(await readFile(join(dest, 'x'), 'utf8'), 'replaced');
    await assertContained();
  });
  test('20. duplicate entries: later ones win, dir/file conflicts replace', async () => {
    await unpack([
      file('a', 'one'),
      file('a', 'two'),
      file('b'),
      dir('b/'),
      file('b/c', 'c'),
      dir('d/'),
      file('d/inside'),
      file('d', 'now a file'),
    ]);
    assert.equal(await readFile(join(dest, 'a'), 'utf8'), 'two');
    assert.equal(await readFile(join(dest, 'b', 'c'), 'utf8'), 'c');
    assert.equal(await readFile(join(dest, 'd'), 'utf8'), 'now a file');
    await assertContained();
  });
});

describe('layer unpacker: legitimate layers', () => {
  test('lib -> usr/lib resolves inside the snapshot', async () => {
    await unpack([dir('usr/'), dir('usr/lib/'), symlink('lib', 'usr/lib'), file('lib/libc.so', 'libc')]);
    assert.equal(await readFile(join(dest, 'usr', 'lib', 'libc.so'), 'utf8'), 'libc');
    assert.equal(await readlink(join(dest, 'lib')), 'usr/lib');
  });
  test('absolute symlinks resolve against the snapshot root', async () => {
    await unpack([
      dir('etc/'),
      symlink('etc2', '/etc'),
      file('etc2/hosts', 'h'),
      symlink('root-link', '/'),
      file('root-link/etc/x', 'x'),
    ]);
    assert.equal(await readFile(join(dest, 'etc', 'hosts'), 'utf8'), 'h');
    assert.equal(await readFile(join(dest, 'etc', 'x'), 'utf8'), 'x');
    await assertContained();
  });
  test('a lower layer symlink (lib -> /usr/lib) is followed into this layer', async () => {
    const lower = join(base, 'lower');
    await mkdir(join(lower, 'usr', 'lib'), { recursive: true });
    const { symlink: makeSymlink } = await import('node:fs/promises');
    await makeSymlink('/usr/lib', join(lower, 'lib'));
    await unpack([file('lib/systemd/unit', 'u')], { lowers: [lower] });
    assert.equal(await readFile(join(dest, 'usr', 'lib', 'systemd', 'unit'), 'utf8'), 'u');
    await assert.rejects(lstat(join(dest, 'lib')));
    await rm(lower, { recursive: true });
  });
  test('absolute hard link names are root-relative; modes incl. setuid are kept', async () => {
    await unpack([dir('usr/bin/'), file('usr/bin/perl', 'perl', 0o4755), hardlink('usr/bin/perlbug', '/usr/bin/perl')]);
    const a = await stat(join(dest, 'usr', 'bin', 'perl'));
    const b = await stat(join(dest, 'usr', 'bin', 'perlbug'));
    assert.equal(a.ino, b.ino);
    assert.equal(a.mode & 0o7777, 0o4755);
  });
  test('hard link to a symlink links the symlink itself', async () => {
    await unpack([symlink('s', '../victim/secret'), hardlink('h', 's')]);
    assert.ok((await lstat(join(dest, 'h'))).isSymbolicLink());
    await assertContained();
  });
  test('mtime and directory mode are preserved', async () => {
    const mtime = new Date('2020-02-02T00:00:00Z');
    await unpack([
      { header: { name: 'd/', type: 'directory', mode: 0o750, mtime } },
      { header: { name: 'd/f', type: 'file', mode: 0o600, mtime }, content: 'f' },
    ]);
    const d = await stat(join(dest, 'd'));
    assert.equal(d.mode & 0o7777, 0o750);
    assert.equal(d.mtime.getTime(), mtime.getTime());
    assert.equal((await stat(join(dest, 'd', 'f'))).mtime.getTime(), mtime.getTime());
  });
  test('whiteouts become 0/0 char devices (root only)', { skip: !isRoot }, async () => {
    await unpack([dir('etc/'), file('etc/.wh.gone', ''), dir('opq/'), file('opq/.wh..wh..opq', '')]);
    const whiteout = await lstat(join(dest, 'etc', 'gone'));
    assert.ok(whiteout.isCharacterDevice());
    assert.equal(whiteout.rdev, 0);
    const { readXattr } = await import('../../platform/special-files.js');
    assert.equal(await readXattr(join(dest, 'opq'), 'trusted.overlay.opaque'), 'y');
  });
});

describe('layer unpacker: more hostile and odd layers', () => {
  test('21. 200k entries (1,000 files, 199k repeated directory entries) unpack and stay inside', async () => {
    // Repeated directory entries walk the whole per-entry path (resolve, lstat, chmod, chown) without
    // creating 200k inodes, which keeps this test in seconds.
    const entries: RawTarEntry[] = [];
    for (let i = 0; i < 1000; i++) entries.push(file(`d${i % 100}/f${i}`, ''));
    for (let i = 0; entries.length < 200_000; i++) entries.push(dir(`d${i % 100}/`, 0o755));
    await unpack(entries);
    assert.equal((await readdir(dest)).length, 100);
    assert.equal((await readdir(join(dest, 'd7'))).length, 10);
    await assertContained();
  });
  test('22. a 1000-level deep directory chain', async () => {
    const deep = Array.from({ length: 1000 }, () => 'a').join('/');
    await unpack([file(`${deep}/leaf`, 'deep')]);
    assert.equal(await readFile(join(dest, deep, 'leaf'), 'utf8'), 'deep');
    await assertContained();
  });
  test('23. a huge (8 GiB) file header with truncated data is refused, not waited on', async () => {
    const tar = await buildRawTar([file('small', 'x')]);
    const header = Buffer.from(tar.subarray(0, 512));
    // Rewrite the size field (octal, 12 bytes at 124) to 8 GiB and fix the checksum.
    header.write('100000000000\0', 124, 'ascii');
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    await assert.rejects(
      unpackLayer(Readable.from([header, Buffer.alloc(4096)]), {
        target: dest,
        lowers: [],
        layerName: 'sha256:testlayer',
        specialFiles,
        logger: createSilentLogger(),
      }),
      AppError,
    );
    await assertContained();
  });
  test('24. whiteout before the file it names: the later entry wins', async () => {
    await unpack([file('.wh.x', ''), file('x', 'kept')]);
    assert.equal(await readFile(join(dest, 'x'), 'utf8'), 'kept');
    await assertContained();
  });
  test('25. whiteout of a directory, then the directory again with content', async () => {
    await unpack([dir('d/'), file('d/old'), file('.wh.d', ''), dir('d/'), file('d/new', 'new')]);
    assert.equal(await readFile(join(dest, 'd', 'new'), 'utf8'), 'new');
    await assertContained();
  });
  test("26. opaque marker after the directory children keeps this layer's children", async () => {
    await unpack([dir('d/'), file('d/f', 'mine'), file('d/.wh..wh..opq', '')]);
    assert.equal(await readFile(join(dest, 'd', 'f'), 'utf8'), 'mine');
    await assertContained();
  });
  test('27. setuid, setgid and sticky bits are kept', async () => {
    await unpack([file('suid', 'x', 0o4755), file('sgid', 'x', 0o2755), dir('tmp/', 0o1777)]);
    assert.equal((await stat(join(dest, 'suid'))).mode & 0o7777, 0o4755);
    assert.equal((await stat(join(dest, 'sgid'))).mode & 0o7777, 0o2755);
    assert.equal((await stat(join(dest, 'tmp'))).mode & 0o7777, 0o1777);
    await assertContained();
  });
  test('28. hard link to an entry that is not in the layer', () => assertRefused([hardlink('ghost', 'missing')], 'ghost'));
  test('29. symlink to / then a write through it lands inside the snapshot', async () => {
    await unpack([dir('etc/'), symlink('root', '/'), file('root/etc/pwned', 'inside')]);
    assert.equal(await readFile(join(dest, 'etc', 'pwned'), 'utf8'), 'inside');
    await assertContained();
  });
  test('30. a long (pax) name hiding ".." is refused', () => {
    const name = `${'long/'.repeat(30)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../victim/x`;
    return assertRefused([file(name)], name);
  });
  test('31. a 0/0 character device (a smuggled overlay whiteout) is skipped', async () => {
    await unpack([{ header: { name: 'sneaky', type: 'character-device', devmajor: 0, devminor: 0, mode: 0o644 } }, file('ok')]);
    await assert.rejects(lstat(join(dest, 'sneaky')));
    await assertContained();
  });
  test('32. a symlink replaced by a directory of the same name gets a real directory', async () => {
    await unpack([symlink('x', '../victim'), dir('x/'), file('x/f', 'in')]);
    assert.ok((await lstat(join(dest, 'x'))).isDirectory());
    assert.equal(await readFile(join(dest, 'x', 'f'), 'utf8'), 'in');
    await assertContained();
  });
  test('33. hard link chains inside the layer share one inode', async () => {
    await unpack([file('a', 'same'), hardlink('b', 'a'), hardlink('c', 'b')]);
    const [a, c] = await Promise.all([stat(join(dest, 'a')), stat(join(dest, 'c'))]);
    assert.equal(a.ino, c.ino);
    await assertContained();
  });
  test('34. fifos are created as fifos inside the snapshot', { skip: !isRoot }, async () => {
    await unpack([{ header: { name: 'pipe', type: 'fifo', mode: 0o600 } }]);
    assert.ok((await lstat(join(dest, 'pipe'))).isFIFO());
    await assertContained();
  });
});

describe('layer unpacker: small-file and large-file paths', () => {
  test('35. a small file takes the name of an earlier file, directory or escaping symlink', async () => {
    await unpack([
      file('a', 'first'),
      dir('d/'),
      file('d/child', 'gone'),
      symlink('s', '../victim/secret'),
      file('a', 'second'),
      file('d', 'was a directory'),
      file('s', 'was a symlink'),
    ]);
    assert.equal(await readFile(join(dest, 'a'), 'utf8'), 'second');
    assert.equal(await readFile(join(dest, 'd'), 'utf8'), 'was a directory');
    assert.ok((await lstat(join(dest, 's'))).isFile());
    assert.equal(await readFile(join(dest, 's'), 'utf8'), 'was a symlink');
    await assertContained();
  });
  test('36. small and large files keep content, mode (setuid included), owner and mtime', async () => {
    const mtime = new Date('2021-02-03T04:05:06Z');
    const large = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const owned = { uid: 1234, gid: 5678, mtime };
    await unpack([
      { header: { name: 'small', type: 'file', mode: 0o4750, ...owned }, content: 'tiny' },
      { header: { name: 'large', type: 'file', mode: 0o2751, ...owned }, content: large },
    ]);
    for (const [name, mode] of [
      ['small', 0o4750],
      ['large', 0o2751],
    ] as const) {
      const stats = await stat(join(dest, name));
      assert.equal(stats.mode & 0o7777, mode, name);
      assert.equal(stats.mtime.getTime(), mtime.getTime(), name);
      if (isRoot) assert.deepEqual([stats.uid, stats.gid], [1234, 5678], name);
    }
    assert.equal(await readFile(join(dest, 'small'), 'utf8'), 'tiny');
    assert.ok((await readFile(join(dest, 'large'))).equals(large));
  });
  test('37. a long run of small files still lets the event loop run', async () => {
    const entries: RawTarEntry[] = [dir('many/')];
    for (let i = 0; i < 5000; i++) entries.push(file(`many/f${i}`, `file ${i}`));
    // One chunk holding the whole tar: the stream itself never hands control back while it lasts.
    const tar = await buildRawTar(entries);
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      await unpackLayer(Readable.from([tar]), {
        target: dest,
        lowers: [],
        layerName: 'sha256:testlayer',
        specialFiles,
        logger: createSilentLogger(),
      });
    } finally {
      clearInterval(timer);
    }
    assert.equal((await readdir(join(dest, 'many'))).length, 5000);
    assert.ok(turns >= 3, `the event loop ran ${turns} timer turns during the unpack`);
  });
});

test('the layer size counts file bytes and symlink targets, as dockerd sizes a layer', async () => {
  const { size } = await unpack([dir('bin'), file('bin/busybox', '0123456789'), symlink('bin/sh', 'busybox'), dir('etc')]);
  assert.equal(size, 10 + 'busybox'.length);
});
