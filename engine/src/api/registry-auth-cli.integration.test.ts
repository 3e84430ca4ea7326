// docker login, push and pull with credentials against real docker-registry instances configured
// with htpasswd (Basic) and with token auth (a test token issuer, Bearer).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { startTestTokenIssuer, type TestTokenIssuer } from '../testing/test-token-issuer.js';
import { buildTestImage, pushTestImage, type TestImage } from '../testing/test-images.js';

const username = 'berth-user';
const password = 's3cret-pass';

let engine: EngineProcess;
let open: TestRegistry;
let basic: TestRegistry;
let tokenRegistry: TestRegistry;
let issuer: TestTokenIssuer;
let workDir: string;
let image: TestImage;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'berth-auth-test-'));
  issuer = await startTestTokenIssuer({ dir: workDir, username, password });
  [open, basic, tokenRegistry] = await Promise.all([
    startTestRegistry(),
    startTestRegistry({ htpasswd: { username, password } }),
    startTestRegistry({ token: issuer }),
  ]);
  image = await buildTestImage();
  await pushTestImage(open.host, 'busybox', 'latest', image);
  engine = await startEngineProcess();
  const pulled = await docker(engine.socketPath, ['pull', `${open.host}/busybox`]);
  assert.equal(pulled.exitCode, 0, pulled.stderr);
});

after(async () => {
  await engine?.stop();
  await Promise.all([open?.stop(), basic?.stop(), tokenRegistry?.stop(), issuer?.stop()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Each scenario gets its own CLI config dir, so saved credentials never leak between tests. */
async function cli(configDir: string, args: string[], input?: string) {
  return docker(engine.socketPath, args, { env: { DOCKER_CONFIG: configDir }, ...(input !== undefined ? { input } : {}) });
}

for (const kind of ['htpasswd', 'token'] as const) {
  describe(`a registry with ${kind} auth`, () => {
    const registry = () => (kind === 'htpasswd' ? basic : tokenRegistry);

    test('docker login refuses a wrong password and accepts the right one', async () => {
      const config = await mkdtemp(join(workDir, 'cli-'));
      const wrong = await cli(config, ['login', registry().host, '-u', username, '--password-stdin'], 'nope\n');
      assert.notEqual(wrong.exitCode, 0);
      assert.match(wrong.stderr, /unauthorized|401/i);
      const right = await cli(config, ['login', registry().host, '-u', username, '--password-stdin'], `${password}\n`);
      assert.equal(right.exitCode, 0, right.stderr);
      assert.match(right.stdout, /Login Succeeded/);
    });

    test('push and pull need the credentials; with them both work', async () => {
      const target = `${registry().host}/private/box:v1`;
      const anonymous = await mkdtemp(join(workDir, 'cli-'));
      assert.equal((await cli(anonymous, ['tag', `${open.host}/busybox`, target])).exitCode, 0);
      const refused = await cli(anonymous, ['push', target]);
      assert.notEqual(refused.exitCode, 0);
      assert.match(refused.stderr + refused.stdout, /no basic auth credentials|unauthorized|denied/);

      const config = await mkdtemp(join(workDir, 'cli-'));
      const login = await cli(config, ['login', registry().host, '-u', username, '--password-stdin'], `${password}\n`);
      assert.equal(login.exitCode, 0, login.stderr);
      const pushed = await cli(config, ['push', target]);
      assert.equal(pushed.exitCode, 0, pushed.stderr);
      assert.match(pushed.stdout, new RegExp(`v1: digest: ${image.manifestDigest}`));

      assert.equal((await cli(config, ['rmi', target])).exitCode, 0);
      const deniedPull = await cli(anonymous, ['pull', target]);
      assert.notEqual(deniedPull.exitCode, 0);
      const pulled = await cli(config, ['pull', target]);
      assert.equal(pulled.exitCode, 0, pulled.stderr);
      assert.match(pulled.stdout, /Image is up to date|Downloaded newer image/);
      if (kind === 'token') {
        assert.ok(issuer.requests.some((request) => request.scopes.includes('repository:private/box:pull,push')));
        assert.ok(issuer.requests.some((request) => request.account === username));
      }
    });
  });
}

test('POST /auth answers the registry without auth with success, and a malformed body with 400', async () => {
  const ok = await apiRequest(engine.socketPath, 'POST', '/v1.41/auth', JSON.stringify({ serveraddress: open.host }));
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { Status: 'Login Succeeded', IdentityToken: '' });
  const bad = await apiRequest(engine.socketPath, 'POST', '/v1.41/auth', '{"username":');
  assert.equal(bad.status, 400);
});
