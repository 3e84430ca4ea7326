import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { runTool } from './test-registry.js';

export interface TestTokenIssuer {
  /** `http://127.0.0.1:PORT/token`: the registry's `auth.token.realm`. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the self-signed certificate the registry trusts. */
  rootCertBundle: string;
  /** Every token request seen (query string and whether Basic credentials came with it). */
  requests: { scopes: string[]; account: string | null; user: string | undefined }[];
  stop(): Promise<void>;
}

/**
 * A minimal Docker token server for tests: checks Basic credentials, grants the requested actions
 * to the known user (nothing to anyone else), and signs RS256 JWTs whose `x5c` header carries a
 * self-signed certificate (made with openssl) that docker-registry trusts via `rootcertbundle`.
 */
export async function startTestTokenIssuer(options: {
  dir: string;
  username: string;
  password: string;
}): Promise<TestTokenIssuer> {
  const keyPath = join(options.dir, 'token.key');
  const certPath = join(options.dir, 'token.crt');
  await runTool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    '/CN=berth-test-token-issuer',
  ]);
  const key: KeyObject = createPrivateKey(await readFile(keyPath));
  const certDer = pemToDer(await readFile(certPath, 'utf8'));
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: TestTokenIssuer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization = req.headers.authorization ?? '';
    const basic = /^Basic (.+)$/i.exec(authorization)?.[1];
    const [user, password] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(/:(.*)/s) : [];
    const scopes = url.searchParams.getAll('scope');
    requests.push({ scopes, account: url.searchParams.get('account'), user });
    if (basic !== undefined && (user !== options.username || password !== options.password)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const authenticated = user === options.username;
    const access = scopes
      .flatMap((scope) => scope.split(' '))
      .map((scope) => scope.split(':'))
      .filter((parts) => parts.length === 3 && parts[0] === 'repository')
      .map(([type, name, actions]) => ({ type, name, actions: authenticated ? (actions ?? '').split(',') : [] }));
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('RSA-SHA256', Buffer.from(unsigned), key);
    const token = `${unsigned}.${base64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const bundlePath = join(options.dir, 'root.crt');
  await writeFile(bundlePath, await readFile(certPath));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: bundlePath,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function pemToDer(pem: string): Buffer {
  const body = pem.replace(/-----BEGIN CERTIFICATE-----|-----END CERTIFICATE-----|\s+/g, '');
  return Buffer.from(body, 'base64');
}
