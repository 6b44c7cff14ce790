'use strict';

// End to end, the product as "make run" starts it: the unmodified ali-oss
// client, with temporary credentials from nginx-sts's STS endpoint, talks
// to the gateway, and the bytes really land in s3rver (sts_backend s3)
// and come back from it, checked byte for byte in s3rver's data folder.
//
//   credentials    @alicloud/pop-core AssumeRole over HTTP (the role's own
//                  policy: all of demo-bucket), and the example app server
//                  (@alicloud/sts-sdk over HTTPS, a session policy for
//                  users/<id>/ only)
//   operations     put, get, head, delete, deleteMulti, list, listV2,
//                  copy, putMeta / user metadata, multipartUpload,
//                  signatureUrl (V1) and signatureUrlV4, each signed with
//                  V1 and with V4 (authorizationV4)
//   refusals       the ali-oss error names clients see
//
// E2E_WITHOUT_GATEWAY=1 points the clients straight at s3rver instead:
// then the suite must fail (the store does not speak OSS), which proves
// the gateway is in the path.  Run with t/e2e/run.sh.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const OSS = require('ali-oss');
const RPCClient = require('@alicloud/pop-core');

const { startStack } = require('./lib/stack');

let stack;
let demo;          // credentials of the role (demo-bucket)
let alice;         // the app server's credentials for user alice
let scratch;

const direct = !!process.env.E2E_WITHOUT_GATEWAY;

function endpoint() {
  // a name, not an IP: ali-oss refuses signatureUrl for IP endpoints
  return `http://localhost:${direct ? stack.ports.store : stack.ports.gateway}`;
}

function client(c, options = {}) {
  return new OSS({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    stsToken: c.SecurityToken,
    bucket: 'demo-bucket',
    endpoint: endpoint(),
    region: 'oss-cn-hangzhou',
    sldEnable: true,
    timeout: '20s',
    // the same credentials again: keeps ali-oss from warning each time
    refreshSTSToken: async () => ({ accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken }),
    ...options,
  });
}

async function assumeRole(sessionName) {
  const pop = new RPCClient({
    endpoint: `http://127.0.0.1:${stack.ports.sts}`,
    apiVersion: '2015-04-01',
    ...(() => {
      const k = stack.appServerKey();
      return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    })(),
  });
  const r = await pop.request('AssumeRole', {
    RoleArn: stack.roleArn, RoleSessionName: sessionName,
    DurationSeconds: 3600,
  });
  return r.Credentials;
}

async function appServer(user) {
  const r = await fetch(`http://127.0.0.1:${stack.ports.web}/api/sts`
    + `?user=${user}`);
  assert.equal(r.status, 200);
  return r.json();
}

function stored(key) {
  return fs.readFileSync(stack.objectFile('demo-bucket', key));
}

function storedExists(key) {
  return fs.existsSync(stack.objectFile('demo-bucket', key));
}

async function refused(promise, name, status = 403) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    assert.equal(err.status, status);
    assert.match(err.requestId || '', /^[0-9A-F]{24}$/);
    return true;
  });
}

function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

before(async () => {
  stack = await startStack();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-files-'));
  demo = await assumeRole('e2e-demo');
  alice = await appServer('alice');
});

after(() => {
  if (stack) {
    stack.stop();
  }
  if (scratch) {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

test('make run printed how to get credentials and upload', () => {
  assert.match(stack.out, /OSS gateway +http:\/\/127\.0\.0\.1:\d+/);
  assert.match(stack.out, /assume-role --endpoint/);
  assert.match(stack.out, /tools\/oss-curl PUT \/demo-bucket\/note\.txt/);
  // the first object went through the gateway into the store
  assert.equal(stored('hello.txt').toString(), 'Hello from nginx-sts!\n');
});

test('credentials come from the STS endpoint', () => {
  assert.match(demo.AccessKeyId, /^STS\./);
  assert.match(demo.SecurityToken, /^STS1\./);
  assert.match(alice.AccessKeyId, /^STS\./);
  assert.equal(alice.Prefix, 'users/alice/');
});

for (const v4 of [false, true]) {
  const sig = v4 ? 'V4' : 'V1';
  const dirKey = `e2e-${sig.toLowerCase()}`;

  test(`${sig}: put, get, head, user metadata round trip`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const body = bytes(3000, 7);
    const key = `${dirKey}/data file.bin`;

    const put = await oss.put(key, body, {
      mime: 'application/octet-stream',
      meta: { author: 'Alice', note: 'second value' },
    });
    assert.equal(put.res.status, 200);
    assert.match(put.res.headers['x-oss-request-id'], /^[0-9A-F]{24}$/);
    assert.ok(stored(key).equals(body), 'the bytes are in s3rver');

    const got = await oss.get(key);
    assert.ok(Buffer.from(got.content).equals(body), 'read back intact');

    const head = await oss.head(key);
    assert.equal(head.status, 200);
    assert.deepEqual(head.meta, { author: 'Alice', note: 'second value' });
    assert.equal(head.res.headers['content-length'], '3000');
    assert.equal(head.res.headers['x-amz-meta-author'], undefined);
  });

  test(`${sig}: list and listV2 with a prefix`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const names = ['a.txt', 'b.txt', 'sub/c.txt'].map((n) =>
      `${dirKey}/list/${n}`);
    for (const n of names) {
      await oss.put(n, Buffer.from(n));
    }

    const v1 = await oss.list({ prefix: `${dirKey}/list/`, 'max-keys': 100 });
    assert.deepEqual(v1.objects.map((o) => o.name).sort(), names);
    assert.equal(v1.objects[0].size, names[0].length);

    const v2 = await oss.listV2({ prefix: `${dirKey}/list/`,
      delimiter: '/' });
    assert.deepEqual(v2.objects.map((o) => o.name).sort(), names.slice(0, 2));
    assert.deepEqual(v2.prefixes, [`${dirKey}/list/sub/`]);
  });

  test(`${sig}: copy, and putMeta replaces the metadata`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const body = bytes(1000, 11);
    await oss.put(`${dirKey}/src.bin`, body, { meta: { author: 'Alice' } });

    const copy = await oss.copy(`${dirKey}/copy.bin`, `${dirKey}/src.bin`);
    assert.equal(copy.res.status, 200);
    assert.ok(stored(`${dirKey}/copy.bin`).equals(body));

    await oss.putMeta(`${dirKey}/copy.bin`, { color: 'red' });
    const head = await oss.head(`${dirKey}/copy.bin`);
    assert.deepEqual(head.meta, { color: 'red' });
    assert.ok(stored(`${dirKey}/copy.bin`).equals(body), 'bytes unchanged');
  });

  test(`${sig}: multipartUpload of a five-part file`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const body = bytes(450 * 1024, 13);
    const file = path.join(scratch, `${sig}.bin`);
    fs.writeFileSync(file, body);
    const parts = [];

    const r = await oss.multipartUpload(`${dirKey}/big.bin`, file, {
      partSize: 100 * 1024,
      progress: (p, cpt) => {
        if (cpt && cpt.doneParts) {
          parts.push(cpt.doneParts.length);
        }
      },
    });
    assert.equal(r.res.status, 200);
    assert.equal(Math.max(...parts), 5, 'five parts');
    assert.ok(stored(`${dirKey}/big.bin`).equals(body), 'assembled intact');

    const got = await oss.get(`${dirKey}/big.bin`);
    assert.equal(crypto.createHash('sha256').update(got.content)
      .digest('hex'), crypto.createHash('sha256').update(body)
      .digest('hex'));
  });

  test(`${sig}: signatureUrl and signatureUrlV4 downloads`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const body = bytes(2048, 17);
    await oss.put(`${dirKey}/shared.bin`, body);

    const u1 = oss.signatureUrl(`${dirKey}/shared.bin`, { expires: 300 });
    assert.match(u1, /[?&]Signature=/);
    let r = await fetch(u1);
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(body));

    const u4 = await oss.signatureUrlV4('GET', 300, undefined,
      `${dirKey}/shared.bin`);
    assert.match(u4, /x-oss-signature=/);
    r = await fetch(u4);
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(body));
  });

  test(`${sig}: delete and deleteMulti remove from the store`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const keys = ['x.txt', 'y.txt', 'z.txt'].map((n) => `${dirKey}/del/${n}`);
    // s3rver 3.7.1 removes emptied folders without locking: deleting
    // several keys that empty one folder can race (ENOENT, a 500).  An
    // object that stays keeps the folder.
    await oss.put(`${dirKey}/del/keep.txt`, Buffer.from('stays'));
    for (const k of keys) {
      await oss.put(k, Buffer.from(k));
      assert.ok(storedExists(k));
    }

    const d = await oss.delete(keys[0]);
    assert.equal(d.res.status, 204);
    assert.ok(!storedExists(keys[0]));

    const m = await oss.deleteMulti(keys.slice(1));
    assert.deepEqual(m.deleted.map((x) => x.Key).sort(), keys.slice(1));
    assert.ok(!storedExists(keys[1]) && !storedExists(keys[2]));

    await refused(oss.get(keys[1]), 'NoSuchKeyError', 404);
  });
}

test('a session policy keeps a user in their folder', async () => {
  const oss = client(alice);
  const body = Buffer.from('alice was here\n');

  await oss.put('users/alice/note.txt', body);
  assert.ok(stored('users/alice/note.txt').equals(body));

  const mine = await oss.listV2({ prefix: 'users/alice/' });
  assert.deepEqual(mine.objects.map((o) => o.name), ['users/alice/note.txt']);

  await refused(oss.put('users/bob/note.txt', body), 'AccessDeniedError');
  assert.ok(!storedExists('users/bob/note.txt'), 'nothing reached s3rver');
  await refused(oss.get('hello.txt'), 'AccessDeniedError');
  await refused(oss.listV2({ prefix: 'users/' }), 'AccessDeniedError');
});

test('a refusal is explained in the audit log, found by err.requestId',
  async () => {
    const oss = client(alice);
    let requestId;
    await assert.rejects(oss.get('users/bob/secret.txt'), (err) => {
      assert.equal(err.name, 'AccessDeniedError');
      assert.equal(err.code, 'AccessDenied');
      requestId = err.requestId;
      return true;
    });

    const log = path.join(stack.dir, 'logs', 'audit.log');
    const line = fs.readFileSync(log, 'utf8').split('\n')
      .filter((l) => l.includes(`"oss_request_id":"${requestId}"`));
    assert.equal(line.length, 1, `one audit line for ${requestId}`);
    const entry = JSON.parse(line[0]);
    assert.equal(entry.decision, 'implicit-deny');
    assert.equal(entry.layer, 'session-policy');
    assert.equal(entry.resource,
      'acs:oss:*:1234567890123456:demo-bucket/users/bob/secret.txt');
    assert.match(entry.explain, /^decision=implicit-deny code=AccessDenied /);
    assert.ok(!line[0].includes(alice.SecurityToken), 'no token logged');
    assert.ok(!line[0].includes(alice.AccessKeySecret), 'no secret logged');

    // an allowed answer from the store tells how long the token has left
    const got = await oss.get('users/alice/note.txt');
    const left = Number(got.res.headers['x-sts-token-expires-in']);
    assert.ok(left > 0 && left <= 3600, `expires in ${left}`);
  });

test('refusals surface as the ali-oss error names', async () => {
  const expired = JSON.parse(execFileSync(stack.stsctl, ['issue',
    '--keys', path.join(stack.dir, 'keys'), '--role-arn', stack.roleArn,
    '--role-policy', path.join(stack.root, 't', 'data', 'policies',
      'read-write-bucket.json'),
    '--duration', '900',
    '--issued-at', String(Math.floor(Date.now() / 1000) - 3600)],
  { encoding: 'utf8' })).Credentials;
  await refused(client(expired).get('hello.txt'),
    'SecurityTokenExpiredError');

  // one character changed (never to itself: 'A' stays 'A' otherwise)
  const flip = demo.SecurityToken[40] === 'A' ? 'B' : 'A';
  const forged = { ...demo, SecurityToken:
    `${demo.SecurityToken.slice(0, 40)}${flip}${demo.SecurityToken.slice(41)}` };
  await refused(client(forged).get('hello.txt'), 'InvalidSecurityTokenError');

  await refused(client({ ...demo, AccessKeySecret: 'not-the-secret' })
    .get('hello.txt'), 'SignatureDoesNotMatchError');

  await refused(client({ ...demo, AccessKeyId: alice.AccessKeyId })
    .get('hello.txt'), 'AccessKeyIdAndSecurityTokenNotMatchError');

  const skewed = client(demo);
  skewed.options.amendTimeSkewed = -3600 * 1000;
  await refused(skewed.get('hello.txt'), 'RequestTimeTooSkewedError');

  await refused(client(demo).get('e2e-none/missing.txt'), 'NoSuchKeyError',
    404);
  await refused(client(demo, { authorizationV4: true })
    .head('e2e-none/missing.txt'), 'NoSuchKeyError', 404);
});

test('operations without an S3 twin answer NotImplemented', async () => {
  await refused(client(demo).append('e2e-none/log.txt', Buffer.from('x')),
    'NotImplementedError', 400);
  assert.ok(!storedExists('e2e-none/log.txt'));
});
