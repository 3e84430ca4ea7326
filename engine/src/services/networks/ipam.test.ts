import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateAddress, assertStaticAddress, assertSubnetFree, parseSubnet, pickFreeSubnet, formatSubnet } from './ipam.js';

test('subnets parse strictly and overlaps are refused with Docker’s message', () => {
  assert.deepEqual(formatSubnet(parseSubnet('10.1.0.0/16')), '10.1.0.0/16');
  assert.throws(() => parseSubnet('10.1.0.1/16'), /should be 10\.1\.0\.0\/16/);
  assert.throws(() => parseSubnet('10.1.0.0/33'), /invalid CIDR/);
  assert.throws(() => assertSubnetFree(parseSubnet('10.1.2.0/24'), [parseSubnet('10.1.0.0/16')]), /Pool overlaps/);
  assert.doesNotThrow(() => assertSubnetFree(parseSubnet('10.2.0.0/24'), [parseSubnet('10.1.0.0/16')]));
});

test('free pools skip routed and used subnets, then fall back to 192.168/20s', () => {
  const taken = [parseSubnet('172.17.0.0/16'), parseSubnet('172.16.0.0/12')];
  assert.equal(formatSubnet(pickFreeSubnet([parseSubnet('172.17.0.0/16')]) ?? parseSubnet('0.0.0.0/0')), '172.18.0.0/16');
  assert.equal(formatSubnet(pickFreeSubnet(taken) ?? parseSubnet('0.0.0.0/0')), '192.168.0.0/20');
});

test('addresses: lowest free, gateway and broadcast skipped, ip-range honoured, static checked', () => {
  const subnet = parseSubnet('10.9.0.0/29');
  assert.equal(allocateAddress(subnet, new Set(['10.9.0.1'])), '10.9.0.2');
  assert.equal(allocateAddress(subnet, new Set(['10.9.0.1']), parseSubnet('10.9.0.4/30')), '10.9.0.4');
  assert.throws(
    () => allocateAddress(subnet, new Set(['10.9.0.1', '10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6'])),
    /no available IPv4/,
  );
  assert.throws(() => assertStaticAddress(subnet, '10.9.0.7', new Set()), /no configured subnet/);
  assert.throws(() => assertStaticAddress(subnet, '10.9.0.3', new Set(['10.9.0.3'])), /Address already in use/);
});
