import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRegistryAuth } from './registry-auth.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

test('X-Registry-Auth: anonymous, username/password, auth field, tokens', () => {
  assert.equal(decodeRegistryAuth('e30='), undefined);
  assert.equal(decodeRegistryAuth(undefined), undefined);
  assert.deepEqual(decodeRegistryAuth(encode({ username: 'u', password: 'p', serveraddress: 'r' })), {
    username: 'u',
    password: 'p',
  });
  assert.deepEqual(decodeRegistryAuth(encode({ auth: Buffer.from('alice:s3:cret').toString('base64') })), {
    username: 'alice',
    password: 's3:cret',
  });
  assert.deepEqual(decodeRegistryAuth(encode({ identitytoken: 'tok' })), { identityToken: 'tok' });
  assert.throws(() => decodeRegistryAuth('!!!notbase64json'), /invalid X-Registry-Auth/);
});
