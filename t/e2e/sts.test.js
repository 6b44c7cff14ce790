'use strict';

// End to end: the official Alibaba Cloud clients, unpatched, obtain
// temporary credentials from nginx's STS endpoint (sts_endpoint), and those
// credentials then read through nginx's OSS gateway (sts_auth) exactly as
// far as the role and the session policy allow.
//
//   @alicloud/sts-sdk 1.0.2   HTTPS only: a self-signed certificate made at
//                             test time, checks relaxed for those calls only
//   @alicloud/pop-core 1.8.0  GET and POST over plain HTTP
//   ali-oss 6.23.0            OSS.STS for AssumeRole, OSS for the gateway
//   stsctl assume-role        the project's own client
//
// Run with t/e2e/run.sh (BUILD=build-xyz selects the build directory).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const StsClient = require('@alicloud/sts-sdk');
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

// from conf/directory.example.json, plus one user added below
const APP = {
  accessKeyId: 'LTAI5tExampleAppServer1',
  accessKeySecret: 'ExampleAppServerSecretReplaceMe00',
};
const AUDITOR = {
  accessKeyId: 'LTAI5tExampleAuditor01',
  accessKeySecret: 'ExampleAuditorSecretReplaceMe000',
};
const READONLY = 'acs:ram::11223344:role/oss-readonly';
const UPLOADER = 'acs:ram::11223344:role/photos-uploader';
const SEEDS_POLICY = JSON.stringify({
  Version: '1',
  Statement: [{
    Effect: 'Allow',
    Action: ['oss:GetObject'],
    Resource: ['acs:oss:*:*:sample-bucket/2015/01/01/*.jpg'],
  }],
});

let dir;
let ports;

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

function directory(mutate) {
  const d = JSON.parse(fs.readFileSync(
    path.join(root, 'conf', 'directory.example.json'), 'utf8'));
  d.Accounts[0].Users.push({
    UserName: 'auditor',
    AccessKeys: [{
      AccessKeyId: AUDITOR.accessKeyId,
      AccessKeySecret: AUDITOR.accessKeySecret,
    }],
    AttachedPolicies: ['AliyunOSSReadOnlyAccess'],
  });
  if (mutate) {
    mutate(d);
  }
  fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(d),
    { mode: 0o600 });
}

function errorLog() {
  return fs.readFileSync(path.join(dir, 'logs', 'error.log'), 'utf8');
}

// sts-sdk refuses plain HTTP; our certificate is self-signed
async function insecureTls(fn) {
  const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  try {
    return await fn();
  } finally {
    if (saved === undefined) {
      delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    } else {
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    }
  }
}

function stsSdk(creds = APP) {
  return new StsClient({ endpoint: `127.0.0.1:${ports.https}`, ...creds });
}

function popCore(creds = APP) {
  return new RPCClient({
    endpoint: `http://127.0.0.1:${ports.http}`,
    apiVersion: '2015-04-01',
    ...creds,
  });
}

function ossClient(c) {
  return new OSS({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    stsToken: c.SecurityToken,
    bucket: 'sample-bucket',
    endpoint: `http://127.0.0.1:${ports.gateway}`,
    timeout: '10s',
  });
}

async function ossRefuses(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.status, 403);
    assert.equal(err.code, code);
    return true;
  });
}

// the seeds' checks: one jpg reads, nothing else does
async function seedsChecks(credentials) {
  const oss = ossClient(credentials);
  const r = await oss.get('2015/01/01/grass.jpg');
  assert.equal(r.content.toString(), 'a jpg, in truth\n');
  await ossRefuses(oss.get('2015/01/01/notes.txt'), 'AccessDenied');
  await ossRefuses(oss.put('2015/01/01/new.jpg', Buffer.from('x')),
    'AccessDenied');
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-'));
  ports = {
    http: await freePort(),
    https: await freePort(),
    gateway: await freePort(),
    store: await freePort(),
  };
  directory();
  execFileSync('sh', [startScript, 'start', dir, String(ports.http),
    String(ports.https), String(ports.gateway), String(ports.store)],
  { env, stdio: 'inherit' });
});

after(() => {
  if (dir) {
    execFileSync('sh', [startScript, 'stop', dir], { env });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('@alicloud/sts-sdk: AssumeRole over HTTPS, "*" in Policy', async () => {
  const r = await insecureTls(() => stsSdk().assumeRole(READONLY, 'alice',
    SEEDS_POLICY, 900));
  assert.equal(r.Code, undefined, JSON.stringify(r));
  assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
  assert.equal(r.AssumedRoleUser.Arn,
    'acs:ram::11223344:role/oss-readonly/alice');
  assert.match(r.AssumedRoleUser.AssumedRoleId, /^\d+:alice$/);
  assert.match(r.Credentials.AccessKeyId, /^STS\./);
  assert.match(r.Credentials.SecurityToken, /^STS1\./);
  const exp = Date.parse(r.Credentials.Expiration);
  assert.ok(Math.abs(exp - Date.now() - 900e3) < 60e3, 'expires in 900 s');
  // its signature leaves "*" unescaped: accepted in that shape only
  assert.match(errorLog(), new RegExp('sts: AssumeRole for '
    + '"LTAI5tExampleAppServer1".*\\(sts-sdk signature form\\)'));

  await seedsChecks(r.Credentials);
});

test('@alicloud/sts-sdk: GetCallerIdentity', async () => {
  const r = await insecureTls(() => stsSdk().getCallerIdentity());
  assert.equal(r.IdentityType, 'RAMUser');
  assert.equal(r.AccountId, '11223344');
  assert.equal(r.Arn, 'acs:ram::11223344:user/appserver');
});

test('@alicloud/sts-sdk: an error comes back as an object', async () => {
  const r = await insecureTls(() => stsSdk().assumeRole(
    'acs:ram::11223344:role/missing', 'alice'));
  assert.equal(r.Code, 'EntityNotExist.Role');
  assert.equal(r.Message, 'The specified Role not exists .');
  assert.equal(r.HostId, `127.0.0.1:${ports.https}`);
});

test('@alicloud/pop-core: AssumeRole by GET, then the gateway', async () => {
  const r = await popCore().request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'pop-get', Policy: SEEDS_POLICY,
  });
  assert.match(r.Credentials.AccessKeyId, /^STS\./);
  await seedsChecks(r.Credentials);
});

test('@alicloud/pop-core: AssumeRole by POST form, 12-hour role', async () => {
  const r = await popCore().request('AssumeRole', {
    RoleArn: UPLOADER, RoleSessionName: 'pop-post', DurationSeconds: 43200,
  }, { method: 'POST' });
  assert.equal(r.AssumedRoleUser.Arn,
    'acs:ram::11223344:role/photos-uploader/pop-post');
  const exp = Date.parse(r.Credentials.Expiration);
  assert.ok(Math.abs(exp - Date.now() - 43200e3) < 60e3);

  // the role's own policy: photos/ only
  const oss = ossClient(r.Credentials);
  await ossRefuses(oss.get('2015/01/01/grass.jpg'), 'AccessDenied');
});

test('@alicloud/pop-core: GetCallerIdentity, STS credentials', async () => {
  const r = await popCore().request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'who',
  });
  const c = r.Credentials;
  const who = await popCore({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    securityToken: c.SecurityToken,
  }).request('GetCallerIdentity', {});
  assert.equal(who.IdentityType, 'AssumedRoleUser');
  assert.equal(who.Arn, 'acs:ram::11223344:assumed-role/oss-readonly/who');
  assert.match(who.PrincipalId, /^\d+:who$/);
});

test('@alicloud/pop-core: the errors it throws carry STS codes', async () => {
  await assert.rejects(popCore(AUDITOR).request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'x1',
  }), { code: 'NoPermission' });

  await assert.rejects(popCore({
    accessKeyId: APP.accessKeyId, accessKeySecret: 'NotTheSecret000000000',
  }).request('GetCallerIdentity', {}), { code: 'SignatureDoesNotMatch' });

  await assert.rejects(popCore({
    accessKeyId: 'LTAI5tExampleRootKey01',
    accessKeySecret: 'ExampleRootSecretReplaceMe0000000',
  }).request('GetCallerIdentity', {}),
  { code: 'InvalidAccessKeyId.Inactive' });

  await assert.rejects(popCore().request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'x1', DurationSeconds: 7200,
  }), { code: 'InvalidParameter.DurationSeconds' });
});

test('@alicloud/pop-core: over an issuance limit, Throttling.User', async () => {
  const limited = (p) => new RPCClient({
    endpoint: `http://127.0.0.1:${ports.http}/${p}`,
    apiVersion: '2015-04-01',
    ...APP,
  });
  const assume = () => limited('limited').request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'limited',
  });

  // per AccessKey: burst=1, so two calls pass and the third is refused
  for (let i = 0; i < 2; i++) {
    const r = await assume();
    assert.match(r.Credentials.AccessKeyId, /^STS\./);
  }
  await assert.rejects(assume(), (err) => {
    assert.equal(err.code, 'Throttling.User');
    assert.equal(err.name, 'Throttling.UserError');
    assert.match(err.message, /Request was denied due to user flow control/);
    return true;
  });

  // the same key elsewhere is not limited
  await popCore().request('AssumeRole', {
    RoleArn: READONLY, RoleSessionName: 'limited',
  });

  // per client address: limit_req, answered by sts_endpoint_error
  const who = () => limited('limited-ip').request('GetCallerIdentity', {});
  await who();
  await who();
  await assert.rejects(who(), { code: 'Throttling.User' });
});

test('ali-oss OSS.STS: AssumeRole, then OSS through the gateway', async () => {
  const sts = new OSS.STS({
    ...APP,
    endpoint: `http://127.0.0.1:${ports.http}/`,
  });
  const r = await sts.assumeRole(READONLY, SEEDS_POLICY, 900, 'web-user');
  assert.match(r.credentials.AccessKeyId, /^STS\./);
  await seedsChecks(r.credentials);

  await assert.rejects(sts.assumeRole('acs:ram::11223344:role/missing'),
    { status: 404, code: 'EntityNotExist.Role' });
});

test('stsctl assume-role signs as the SDKs do', () => {
  const secret = path.join(dir, 'app-secret');
  fs.writeFileSync(secret, APP.accessKeySecret, { mode: 0o600 });
  const out = execFileSync(env.STS_STSCTL, ['assume-role',
    '--endpoint', `http://127.0.0.1:${ports.http}/`,
    '--access-key-id', APP.accessKeyId, '--secret-file', secret,
    '--role-arn', READONLY, '--session-name', 'cli'], { env });
  const r = JSON.parse(out);
  assert.equal(r.AssumedRoleUser.Arn,
    'acs:ram::11223344:role/oss-readonly/cli');

  fs.writeFileSync(path.join(dir, 'creds.json'), out, { mode: 0o600 });
  const who = JSON.parse(execFileSync(env.STS_STSCTL, ['caller-identity',
    '--endpoint', `http://127.0.0.1:${ports.http}`,
    '--credentials', path.join(dir, 'creds.json'), '--method', 'GET'],
  { env }));
  assert.equal(who.IdentityType, 'AssumedRoleUser');
});

// a signed GET, by hand, to send twice
function signedQuery(params, secret) {
  const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canon = Object.keys(params).sort()
    .map((k) => `${enc(k)}=${enc(params[k])}`).join('&');
  const sig = crypto.createHmac('sha1', `${secret}&`)
    .update(`GET&%2F&${enc(canon)}`).digest('base64');
  return `${canon}&Signature=${enc(sig)}`;
}

function get(pathAndQuery) {
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: '127.0.0.1', port: ports.http, path: pathAndQuery,
      agent: false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

test('a replayed request is refused, on any worker', async () => {
  const q = signedQuery({
    Action: 'GetCallerIdentity', Format: 'JSON', Version: '2015-04-01',
    AccessKeyId: APP.accessKeyId, SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0', SignatureNonce: crypto.randomUUID(),
    Timestamp: new Date().toISOString(),
  }, APP.accessKeySecret);

  const first = await get(`/?${q}`);
  assert.equal(first.status, 200, first.body);

  for (let i = 0; i < 4; i++) {
    const again = await get(`/?${q}`);
    assert.equal(again.status, 400);
    assert.equal(JSON.parse(again.body).Code, 'SignatureNonceUsed');
  }
});

test('nginx -s reload takes a changed directory', async () => {
  directory((d) => {
    d.Accounts[0].Users[0].AccessKeys[0].Status = 'Inactive';
  });
  execFileSync('sh', [startScript, 'reload', dir], { env });

  let code;
  for (let i = 0; i < 50; i++) {
    try {
      await popCore().request('GetCallerIdentity', {});
      code = 'still active';
    } catch (err) {
      code = err.code;
      if (code === 'InvalidAccessKeyId.Inactive') {
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(code, 'InvalidAccessKeyId.Inactive');
});
