import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicAddress, parseIPv6 } from './address.js';

const NOT_PUBLIC = [
  '0.0.0.0',
  '0.1.2.3',
  '10.0.0.1',
  '100.64.0.1',
  '100.127.255.255',
  '127.0.0.1',
  '127.255.255.254',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.0.0.8',
  '192.0.2.1',
  '192.168.1.1',
  '198.18.0.1',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  '::ffff:127.0.0.1',
  '::ffff:8.8.8.8',
  '::ffff:7f00:1',
  '::127.0.0.1',
  '64:ff9b::127.0.0.1',
  '64:ff9b::a9fe:a9fe',
  '2002:7f00:1::',
  '2001::1',
  '2001:db8::1',
  'fc00::1',
  'fd12:3456::1',
  'fe80::1',
  'fe80::1%eth0',
  'fec0::1',
  'ff02::1',
  '100::1',
  // Not addresses at all: fail closed.
  '',
  'localhost',
  '127.1',
  '0x7f.0.0.1',
  '017.0.0.1',
  '1.2.3.256',
  '1:2:3',
  '1::2::3',
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.215.14',
  '172.32.0.1',
  '100.128.0.1',
  '2606:4700:4700::1111',
  '2a00:1450::1',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

for (const ip of NOT_PUBLIC) test(`address ${JSON.stringify(ip)} is not public`, () => assert.equal(isPublicAddress(ip), false));
for (const ip of PUBLIC) test(`address ${ip} is public`, () => assert.equal(isPublicAddress(ip), true));

test('IPv6 parsing: compressed, full and dotted forms agree', () => {
  assert.deepEqual(parseIPv6('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  assert.deepEqual(parseIPv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(parseIPv6('1::8'), [1, 0, 0, 0, 0, 0, 0, 8]);
  assert.deepEqual(parseIPv6('[::1]'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), undefined);
});
