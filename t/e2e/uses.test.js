'use strict';

// End to end: single-use presigned URLs (sts_presign_max_uses 1) with
// ali-oss, unmodified.  Temporary credentials come from the gateway's own
// STS endpoint (@alicloud/pop-core); ali-oss's signatureUrl (V1) and
// signatureUrlV4 make the URLs; a URL reads the object once, and the
// second fetch gets the OSS error for a used URL.  Starts its own nginx
// with t/e2e/start-nginx.sh (location /once/).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const RPCClient = require('@alicloud/pop-core');
const OSS = require('ali-oss');

const root = path.resolve(__dirname, '..', '..');
const build = path.resolve(root, process.env.BUILD || 'build');
const env = {
  ...process.env,
  STS_MODULE: process.env.STS_MODULE
    || path.join(build, 'ngx_http_sts_module.so'),
  STS_STSCTL: process.env.STS_STSCTL || path.join(build, 'stsctl'),
};
const startScript = path.join(__dirname, 'start-nginx.sh');

const APP = {
  accessKeyId: 'LTAI5tExampleAppServer1',
  accessKeySecret: 'ExampleAppServerSecretReplaceMe00',
};
const READONLY = 'acs:ram::11223344:role/oss-readonly';

let dir;
let ports;
let creds;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function ossClient(c) {
  // a name, not an IP: ali-oss refuses signatureUrl for IP endpoints;
  // cname: the gateway serves one bucket at the root (sts_addressing)
  return new OSS({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    stsToken: c.SecurityToken,
    bucket: 'sample-bucket',
    endpoint: `http://localhost:${ports.gateway}`,
    cname: true,
    region: 'oss-cn-hangzhou',
    timeout: '10s',
    // the same credentials again: keeps ali-oss from warning each time
    refreshSTSToken: async () => ({ accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken }),
  });
}

async function usedUp(url) {
  const r = await fetch(url);
  assert.equal(r.status, 403);
  const body = await r.text();
  assert.match(body, /<Code>AccessDenied<\/Code>/);
  assert.match(body, /<Message>The presigned URL has already been used the maximum number of times\.<\/Message>/);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-uses-'));
  ports = {
    http: await freePort(),
    https: await freePort(),
    gateway: await freePort(),
    store: await freePort(),
  };
  execFileSync('sh', [startScript, 'start', dir, String(ports.http),
    String(ports.https), String(ports.gateway), String(ports.store)],
  { env, stdio: 'inherit' });

  const pop = new RPCClient({
    endpoint: `http://127.0.0.1:${ports.http}`,
    apiVersion: '2015-04-01',
    ...APP,
  });
  const r = await pop.request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'single-use',
  });
  creds = r.Credentials;
});

after(() => {
  if (dir) {
    execFileSync('sh', [startScript, 'stop', dir], { env });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ali-oss signatureUrl (V1): a single-use URL works once', async () => {
  const oss = ossClient(creds);
  const url = oss.signatureUrl('once/secret.txt', { expires: 300 });
  assert.match(url, /[?&]Signature=/);

  let r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'read me once\n');

  await usedUp(url);
  await usedUp(url);

  // the client's ordinary signed requests are not counted
  for (let i = 0; i < 3; i++) {
    const g = await oss.get('once/secret.txt');
    assert.equal(g.content.toString(), 'read me once\n');
  }

  // a new URL (another expiry, so another signature) is a new use
  const again = oss.signatureUrl('once/secret.txt', { expires: 301 });
  r = await fetch(again);
  assert.equal(r.status, 200);
  await usedUp(again);
});

test('ali-oss signatureUrlV4: a single-use URL works once', async () => {
  const oss = ossClient(creds);
  const url = await oss.signatureUrlV4('GET', 300, undefined,
    'once/secret.txt');
  assert.match(url, /x-oss-signature=/);

  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'read me once\n');

  await usedUp(url);
});

test('outside /once/ presigned URLs stay reusable', async () => {
  const oss = ossClient(creds);
  const url = oss.signatureUrl('2015/01/01/grass.jpg', { expires: 300 });
  for (let i = 0; i < 3; i++) {
    const r = await fetch(url);
    assert.equal(r.status, 200);
  }
});
