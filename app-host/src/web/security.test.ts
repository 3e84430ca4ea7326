import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequest, createSecurityPolicy, generateToken, tokensEqual, type RequestFacts } from './security.js';

const token = generateToken();
const policy = createSecurityPolicy(token, '127.0.0.1', 7000);
const cookie = `${policy.cookieName}=${token}`;
const origin = 'http://127.0.0.1:7000';
const facts = (headers: RequestFacts['headers'], url = '/api/containers.list', method = 'POST'): RequestFacts => ({
  method,
  url,
  headers,
});
const apiHeaders = { host: '127.0.0.1:7000', origin, cookie, 'content-type': 'application/json' };

describe('web mode security', () => {
  it('generates 256-bit tokens and compares them exactly', () => {
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.notEqual(generateToken(), token);
    assert.ok(tokensEqual(token, token));
    assert.ok(!tokensEqual(`${token}x`, token));
    assert.ok(!tokensEqual('', token));
  });

  it('allows a same-origin API call with the session cookie', () => {
    assert.deepEqual(checkRequest(facts(apiHeaders), 'api', policy), { action: 'allow', via: 'cookie' });
    assert.equal(
      checkRequest(facts({ ...apiHeaders, host: 'localhost:7000', origin: 'http://localhost:7000' }), 'api', policy).action,
      'allow',
    );
  });

  it('refuses DNS rebinding (foreign Host), even with a valid token', () => {
    for (const host of ['evil.example:7000', '127.0.0.1:7001', '127.0.0.1', 'attacker.127.0.0.1.nip.io:7000', undefined]) {
      const decision = checkRequest(facts({ ...apiHeaders, host }), 'api', policy);
      assert.equal(decision.action, 'deny', String(host));
      assert.equal(decision.action === 'deny' && decision.status, 403);
    }
  });

  it('refuses cross-origin requests and upgrades (CSRF, cross-site WebSocket hijacking)', () => {
    for (const bad of ['http://evil.example', 'http://localhost:3000', 'http://127.0.0.1:7000.evil.example', 'null']) {
      assert.equal(checkRequest(facts({ ...apiHeaders, origin: bad }), 'api', policy).action, 'deny', bad);
      assert.equal(
        checkRequest(facts({ host: '127.0.0.1:7000', origin: bad, cookie }, '/api/ws', 'GET'), 'upgrade', policy).action,
        'deny',
        bad,
      );
    }
    assert.equal(checkRequest(facts({ ...apiHeaders, 'sec-fetch-site': 'cross-site' }), 'api', policy).action, 'deny');
  });

  it('requires Origin on cookie-authenticated API calls and upgrades', () => {
    const { origin: _o, ...noOrigin } = apiHeaders;
    assert.equal(checkRequest(facts(noOrigin), 'api', policy).action, 'deny');
    assert.equal(checkRequest(facts({ host: '127.0.0.1:7000', cookie }, '/api/ws', 'GET'), 'upgrade', policy).action, 'deny');
    // A bearer client (scripts, tests) may omit Origin.
    const bearer = checkRequest(
      facts({ host: '127.0.0.1:7000', authorization: `Bearer ${token}` }, '/api/ws', 'GET'),
      'upgrade',
      policy,
    );
    assert.deepEqual(bearer, { action: 'allow', via: 'bearer' });
  });

  it('requires the token', () => {
    const { cookie: _c, ...noCookie } = apiHeaders;
    assert.deepEqual(checkRequest(facts(noCookie), 'api', policy), {
      action: 'deny',
      status: 401,
      reason: 'missing or invalid token',
    });
    assert.equal(checkRequest(facts({ ...apiHeaders, cookie: `${policy.cookieName}=nope` }), 'api', policy).action, 'deny');
    assert.equal(checkRequest(facts({ ...apiHeaders, cookie: `berth_token_7001=${token}` }), 'api', policy).action, 'deny');
    assert.equal(checkRequest(facts({ host: '127.0.0.1:7000' }, '/', 'GET'), 'document', policy).action, 'deny');
  });

  it('exchanges a valid URL token for an HttpOnly SameSite=Strict cookie and strips it from the URL', () => {
    const decision = checkRequest(facts({ host: '127.0.0.1:7000' }, `/?token=${token}`, 'GET'), 'document', policy);
    assert.equal(decision.action, 'exchange');
    if (decision.action !== 'exchange') return;
    assert.equal(decision.location, '/');
    assert.match(decision.setCookie, /HttpOnly/);
    assert.match(decision.setCookie, /SameSite=Strict/);
    assert.equal(checkRequest(facts({ host: '127.0.0.1:7000' }, '/?token=wrong', 'GET'), 'document', policy).action, 'deny');
    assert.equal(checkRequest(facts({ ...apiHeaders }, `/api/x.y?token=${token}`), 'api', policy).action, 'deny');
  });

  it('accepts only JSON bodies on the API (no cross-site simple requests)', () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', undefined]) {
      const decision = checkRequest(facts({ ...apiHeaders, 'content-type': type }), 'api', policy);
      assert.equal(decision.action === 'deny' && decision.status, 415, String(type));
    }
    assert.equal(checkRequest(facts(apiHeaders, '/api/containers.list', 'GET'), 'api', policy).action, 'deny');
  });
});
