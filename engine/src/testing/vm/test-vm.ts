import { spawn } from 'node:child_process';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A throwaway Linux VM for tests that need a host unlike this one (a pure cgroup v2 hierarchy):
 * Debian's kernel (scripts/vm/fetch-test-kernel.sh) boots under QEMU with this machine's root
 * filesystem shared read-only over 9p beneath a tmpfs overlay, so the VM runs the same node, runc,
 * crun, conmon and checkout as the host, with none of its changes reaching the host. One command
 * runs as root inside; its stdout, stderr and exit code come back through a second, writable share.
 */
export interface TestVmOptions {
  /** Shell command line run from `cwd` inside the VM (after the cgroup and tmpfs set-up). */
  command: string;
  cwd: string;
  /** `2`: /sys/fs/cgroup is cgroup2 with the usual controllers delegated, as on a systemd v2 host. */
  cgroupVersion: 2;
  /** Files the command reads, put into the share it sees at /vm-out. */
  files?: Record<string, Buffer | string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TestVmResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** The serial console (kernel messages, init failures): for diagnosing a VM that did not run. */
  console: string;
}

export const testKernelDir = process.env['BERTH_TEST_KERNEL_DIR'] ?? '/var/cache/berth/test-kernel';
const qemuBinary = process.env['BERTH_QEMU'] ?? '/usr/bin/qemu-system-x86_64';
const busybox = '/bin/busybox';
/** An emulated boot reaches the second stage in ~5 s; one that has not after this is hung. */
const bootTimeoutMs = 120_000;
/** The modules the first stage needs to reach the shared root; the rest load on demand later. */
const bootModules = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/** Why the VM cannot run here, or undefined when it can. */
export async function testVmUnavailable(): Promise<string | undefined> {
  if (process.arch !== 'x64') return 'the test VM boots an amd64 kernel';
  for (const [path, what] of [
    [join(testKernelDir, 'vmlinuz'), 'the test kernel (scripts/vm/fetch-test-kernel.sh)'],
    [qemuBinary, 'qemu-system-x86'],
    [busybox, 'busybox-static'],
  ] as const) {
    try {
      await access(path);
    } catch {
      return `${what} is not installed (${path})`;
    }
  }
  return undefined;
}

export async function runTestVm(options: TestVmOptions): Promise<TestVmResult> {
  const work = await mkdtemp(join(tmpdir(), 'berth-vm-'));
  try {
    const shared = join(work, 'shared');
    await mkdir(shared);
    for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(shared, name), content);
    await writeFile(join(shared, 'stage2.sh'), stageTwo(options));
    const initrd = join(work, 'initrd.cpio');
    await buildInitramfs(join(work, 'initramfs'), initrd);
    // Emulated boots hang now and then (seen once in a dozen) before the second stage starts:
    // such a boot is given up after bootTimeoutMs and tried once more.
    let consoleOutput = await runQemu(initrd, shared, options);
    if (!(await pathReadable(join(shared, 'booted')))) consoleOutput = await runQemu(initrd, shared, options);
    const read = (name: string): Promise<string> => readFile(join(shared, name), 'utf8').catch(() => '');
    const exitText = (await read('exit-code')).trim();
    return {
      exitCode: exitText === '' ? undefined : Number(exitText),
      stdout: await read('stdout'),
      stderr: await read('stderr'),
      console: consoleOutput,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** busybox, the boot modules with their dependencies, and the first-stage init. */
async function buildInitramfs(dir: string, output: string): Promise<void> {
  const version = await kernelVersion();
  const modulesDir = join(testKernelDir, 'lib/modules', version);
  const dependencies = parseModulesDep(await readFile(join(modulesDir, 'modules.dep'), 'utf8'));
  const wanted = new Set<string>();
  const visit = (path: string): void => {
    if (wanted.has(path)) return;
    wanted.add(path);
    for (const dependency of dependencies.get(path) ?? []) visit(dependency);
  };
  for (const name of bootModules) {
    const path = [...dependencies.keys()].find((candidate) => candidate.endsWith(`/${name}.ko`));
    if (path === undefined) throw new Error(`test kernel ${version} has no module ${name}`);
    visit(path);
  }
  for (const sub of ['bin', 'proc', 'sys', 'dev', 'lower', 'rw', 'newroot']) await mkdir(join(dir, sub), { recursive: true });
  await copyFile(busybox, join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  for (const path of wanted) {
    await mkdir(dirname(join(dir, 'lib/modules', version, path)), { recursive: true });
    await copyFile(join(modulesDir, path), join(dir, 'lib/modules', version, path));
  }
  const dep = [...wanted].map((path) => `${path}: ${(dependencies.get(path) ?? []).join(' ')}`.trimEnd()).join('\n');
  await writeFile(join(dir, 'lib/modules', version, 'modules.dep'), `${dep}\n`);
  await writeFile(join(dir, 'init'), stageOne(), { mode: 0o755 });
  const files = (await readdir(dir, { recursive: true })).map((path) => `./${path}`);
  await new Promise<void>((resolve, reject) => {
    const cpio = spawn(busybox, ['cpio', '-o', '-H', 'newc'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    cpio.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    cpio.on('error', reject);
    cpio.on('close', (code) => {
      if (code !== 0) reject(new Error(`busybox cpio exited with ${String(code)}`));
      else writeFile(output, Buffer.concat(chunks)).then(resolve, reject);
    });
    cpio.stdin.end(`${files.join('\n')}\n`);
  });
}

async function kernelVersion(): Promise<string> {
  const versions = await readdir(join(testKernelDir, 'lib/modules'));
  const version = versions[0];
  if (version === undefined) throw new Error(`no kernel modules in ${testKernelDir}`);
  return version;
}

function parseModulesDep(text: string): Map<string, string[]> {
  const dependencies = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [module, rest] = line.split(':');
    if (module === undefined || module === '' || rest === undefined) continue;
    dependencies.set(module, rest.trim().split(/\s+/).filter(Boolean));
  }
  return dependencies;
}

/**
 * PID 1 in the initramfs: the host's root (9p, read-only) under a tmpfs overlay becomes the root
 * with switch_root, not chroot. A chroot would leave the initramfs as the mount namespace's root,
 * and `runc exec`, which enters a container's mount namespace at that root, would find no /proc.
 */
function stageOne(): string {
  return `#!/bin/busybox sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in ${bootModules.join(' ')}; do modprobe "$module" || echo "berth-vm: modprobe $module failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose hostroot /lower
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
mkdir -p /newroot/vm-out /newroot/lib/modules
mount -t 9p -o trans=virtio,version=9p2000.L vmout /newroot/vm-out
mount --bind /newroot${testKernelDir}/lib/modules /newroot/lib/modules
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh /vm-out/stage2.sh
echo "berth-vm: switch_root failed"
poweroff -f
`;
}

/** The second stage, on the shared root: what a booted host has (cgroups, tmpfs, ptys), then the command. */
function stageTwo(options: TestVmOptions): string {
  return `#!/bin/sh
touch /vm-out/booted
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo '+cpu +cpuset +io +memory +pids' > /sys/fs/cgroup/cgroup.subtree_control
# /run starts empty as on a booted host; /tmp stays the shared one (a checkout may live there),
# writable through the overlay.
mount -t tmpfs tmpfs /run
mkdir -p /var/lib/berth-vm /dev/pts /dev/shm
# Engine data roots: an overlayfs snapshot cannot keep its upper layer on the overlay root.
mount -t tmpfs tmpfs /var/lib/berth-vm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs shm /dev/shm
# Modules the kernel asks for later (bridge, veth, netfilter) come from the same kernel package.
ln -s /bin/busybox /run/modprobe
echo /run/modprobe > /proc/sys/kernel/modprobe
hostname berth-vm
if ! cd ${shellQuote(options.cwd)}; then
  echo "berth-vm: ${options.cwd.replace(/"/g, '')} is not visible in the VM" > /vm-out/stderr
  echo 125 > /vm-out/exit-code
  /bin/busybox poweroff -f
fi
/bin/sh -c ${shellQuote(options.command)} > /vm-out/stdout 2> /vm-out/stderr < /dev/null
echo $? > /vm-out/exit-code
sync
/bin/busybox poweroff -f
`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * TCG, not KVM, unless BERTH_VM_ACCEL says otherwise: this machine's /dev/kvm (nested, PVM) does
 * not run a stock kernel, and TCG boots it in a few seconds.
 */
async function runQemu(initrd: string, shared: string, options: TestVmOptions): Promise<string> {
  const accel = process.env['BERTH_VM_ACCEL'] ?? 'tcg,thread=multi';
  const args = [
    '-accel',
    accel,
    '-cpu',
    accel.startsWith('kvm') ? 'host' : 'max',
    '-m',
    '2048',
    '-smp',
    '2',
    '-nographic',
    '-no-reboot',
    '-nic',
    'none',
    '-kernel',
    join(testKernelDir, 'vmlinuz'),
    '-initrd',
    initrd,
    '-append',
    'console=ttyS0 panic=-1 quiet',
    '-virtfs',
    'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs',
    `local,path=${shared},mount_tag=vmout,security_model=none`,
  ];
  return new Promise((resolve, reject) => {
    const qemu = spawn(qemuBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-200_000);
    };
    qemu.stdout.on('data', collect);
    qemu.stderr.on('data', collect);
    const stop = (): void => {
      qemu.kill('SIGKILL');
    };
    const timer = setTimeout(stop, options.timeoutMs);
    const bootCheck = setTimeout(() => {
      void pathReadable(join(shared, 'booted')).then((booted) => {
        if (!booted) stop();
      });
    }, bootTimeoutMs);
    options.signal?.addEventListener('abort', stop, { once: true });
    qemu.on('error', reject);
    qemu.on('close', () => {
      clearTimeout(timer);
      clearTimeout(bootCheck);
      options.signal?.removeEventListener('abort', stop);
      resolve(output);
    });
  });
}

function pathReadable(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
