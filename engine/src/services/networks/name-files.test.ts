import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResolvConf, extraHostsEntries } from './name-files.js';

test('resolv.conf: loopback servers dropped, name service first, --dns/--dns-search replace the host values', () => {
  const host = 'search corp.test\nnameserver 127.0.0.53\nnameserver 10.0.0.2\noptions edns0\n';
  assert.equal(
    buildResolvConf(host, { dns: [], search: [], options: [] }),
    'search corp.test\nnameserver 10.0.0.2\noptions edns0\n',
  );
  assert.equal(
    buildResolvConf(host, { dns: ['1.1.1.1'], search: ['a.test'], options: [], nameServiceAddress: '10.5.0.1' }),
    'search a.test\nnameserver 10.5.0.1\nnameserver 1.1.1.1\noptions edns0\n',
  );
  assert.equal(
    buildResolvConf('nameserver 127.0.0.1\n', { dns: [], search: [], options: [] }),
    'nameserver 8.8.8.8\nnameserver 8.8.4.4\n',
  );
});

test('--add-host entries, host-gateway', () => {
  assert.deepEqual(extraHostsEntries(['a:1.2.3.4', 'gw:host-gateway', 'v6:[::1]'], '10.0.0.1'), [
    '1.2.3.4\ta',
    '10.0.0.1\tgw',
    '::1\tv6',
  ]);
  assert.throws(() => extraHostsEntries(['nohost'], '10.0.0.1'), /bad format/);
});
