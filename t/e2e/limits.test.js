'use strict';

// End to end: upload limits carried by the credential and identity
// stamping, with the unmodified ali-oss client against "make run"'s stack
// (the gateway in front of s3rver through the s3 connector).
//
//   limits     a session policy from AssumeRole (@alicloud/pop-core) caps
//              sts:ContentLength at 10 KiB and sts:ContentType to images
//              under the user's own prefix: an upload over the cap fails
//              with EntityTooLarge (declared and chunked by a stream) and
//              leaves nothing in s3rver's data folder
//   stamping   under stamped/ (sts_stamp_identity on in conf/demo.conf.in)
//              the stamps read back with client.head(), forged ones
//              replaced

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { Readable } = require('node:stream');

const OSS = require('ali-oss');
const RPCClient = require('@alicloud/pop-core');

const { startStack } = require('./lib/stack');

const LIMIT = 10 * 1024;

let stack;
let limited;       // a session capped at LIMIT bytes of images in users/eve/
let plain;         // the role's own credentials (all of demo-bucket)

function client(c) {
  return new OSS({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    stsToken: c.SecurityToken,
    bucket: 'demo-bucket',
    endpoint: `http://localhost:${stack.ports.gateway}`,
    region: 'oss-cn-hangzhou',
    sldEnable: true,
    timeout: '20s',
    refreshSTSToken: async () => ({ accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken }),
  });
}

async function assumeRole(sessionName, policy) {
  const k = stack.appServerKey();
  const pop = new RPCClient({
    endpoint: `http://127.0.0.1:${stack.ports.sts}`,
    apiVersion: '2015-04-01',
    accessKeyId: k.AccessKeyId,
    accessKeySecret: k.AccessKeySecret,
  });
  const params = { RoleArn: stack.roleArn, RoleSessionName: sessionName,
    DurationSeconds: 3600 };
  if (policy) {
    params.Policy = JSON.stringify(policy);
  }
  const r = await pop.request('AssumeRole', params);
  return r.Credentials;
}

function storedExists(key) {
  return fs.existsSync(stack.objectFile('demo-bucket', key));
}

async function tooLarge(promise) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, 'EntityTooLargeError', `${err.name}: ${err.message}`);
    assert.equal(err.code, 'EntityTooLarge');
    assert.equal(err.status, 400);
    return true;
  });
}

before(async () => {
  stack = await startStack();
  limited = await assumeRole('eve-phone', {
    Version: '1',
    Statement: [{
      Effect: 'Allow',
      Action: ['oss:PutObject'],
      Resource: ['acs:oss:*:*:demo-bucket/users/eve/*'],
      Condition: {
        NumericLessThanEquals: { 'sts:ContentLength': String(LIMIT) },
        StringLike: { 'sts:ContentType': ['image/*'] },
      },
    }, {
      Effect: 'Allow',
      Action: ['oss:GetObject'],
      Resource: ['acs:oss:*:*:demo-bucket/users/eve/*'],
    }],
  });
  plain = await assumeRole('stamp-user');
});

after(() => {
  if (stack) {
    stack.stop();
  }
});

test('an image within the cap is stored', async () => {
  const oss = client(limited);
  const body = Buffer.alloc(LIMIT, 7);
  await oss.put('users/eve/ok.png', body, { mime: 'image/png' });
  assert.ok(storedExists('users/eve/ok.png'));
  const r = await oss.get('users/eve/ok.png');
  assert.ok(Buffer.compare(r.content, body) === 0);
});

test('one byte over the cap: EntityTooLarge, nothing stored', async () => {
  const oss = client(limited);
  await tooLarge(oss.put('users/eve/big.png', Buffer.alloc(LIMIT + 1, 1),
    { mime: 'image/png' }));
  assert.equal(storedExists('users/eve/big.png'), false);
});

test('a chunked stream over the cap is cut: nothing stored', async () => {
  const oss = client(limited);
  const chunks = [];
  for (let i = 0; i < 8; i++) {
    chunks.push(Buffer.alloc(4096, i));
  }
  await tooLarge(oss.putStream('users/eve/stream.png', Readable.from(chunks),
    { mime: 'image/png' }));
  assert.equal(storedExists('users/eve/stream.png'), false);
});

test('not an image, or outside the prefix: AccessDenied', async () => {
  const oss = client(limited);
  await assert.rejects(oss.put('users/eve/a.txt', Buffer.from('x'),
    { mime: 'text/plain' }), { name: 'AccessDeniedError' });
  await assert.rejects(oss.put('users/bob/a.png', Buffer.from('x'),
    { mime: 'image/png' }), { name: 'AccessDeniedError' });
  assert.equal(storedExists('users/eve/a.txt'), false);
});

test('stamped metadata reads back with head(), forged stamps replaced',
  async () => {
    const oss = client(plain);
    await oss.put('stamped/report.pdf', Buffer.from('%PDF-1.4 report'), {
      meta: { author: 'Alice', 'sts-session-name': 'mallory',
        'sts-role-arn': 'acs:ram::1:role/admin' },
    });
    const h = await oss.head('stamped/report.pdf');
    assert.equal(h.meta.author, 'Alice');
    assert.equal(h.meta['sts-session-name'], 'stamp-user');
    assert.equal(h.meta['sts-role-arn'], stack.roleArn);
    assert.equal(h.meta['sts-token-id'], plain.AccessKeyId);
    assert.equal(h.meta['sts-source-ip'], '127.0.0.1');

    // outside stamped/ nothing is added
    await oss.put('plain/report.pdf', Buffer.from('%PDF-1.4 report'));
    const p = await oss.head('plain/report.pdf');
    assert.equal((p.meta || {})['sts-session-name'], undefined);
  });
