'use strict';

// The audit log replayed: the unmodified ali-oss client, with temporary
// credentials from the STS endpoint, makes over a thousand requests
// through the gateway of "make run" (puts, gets, listings with a prefix,
// deletes, and refused requests to a bucket the role may not touch);
// the gateway writes one JSON line per decision to logs/audit.log
// (conf/audit-log.conf, with $sts_grants and $sts_context).  Then
// `stsctl policy replay` decides every logged request again under policy
// changes whose effect is known exactly, and the counts it prints are
// checked against what the client did.  Run with t/e2e/run.sh.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const OSS = require('ali-oss');
const RPCClient = require('@alicloud/pop-core');

const { startStack } = require('./lib/stack');

const PUTS = 300;         // replay/k<i>.txt
const TMP_PUTS = 100;     // replay/tmp/t<i>.txt
const GETS = 200;         // replay/k<i>.txt, i < GETS
const TMP_GETS = 100;     // replay/tmp/t<i>.txt
const LISTS = 100;        // prefix replay/
const DELETES = 150;      // replay/k<i>.txt, i < DELETES
const DENIED = 60;        // gets and puts on other-bucket

let stack;
let scratch;
let basePolicy;           // the role's policy document (demo-bucket-objects)
let lines;                // the audit log, parsed

function client(c, bucket) {
  return new OSS({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    stsToken: c.SecurityToken,
    bucket,
    endpoint: `http://localhost:${stack.ports.gateway}`,
    region: 'oss-cn-hangzhou',
    sldEnable: true,
    timeout: '20s',
    refreshSTSToken: async () => ({ accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken }),
  });
}

async function assumeRole(sessionName) {
  const k = stack.appServerKey();
  const pop = new RPCClient({
    endpoint: `http://127.0.0.1:${stack.ports.sts}`,
    apiVersion: '2015-04-01',
    accessKeyId: k.AccessKeyId,
    accessKeySecret: k.AccessKeySecret,
  });
  const r = await pop.request('AssumeRole', {
    RoleArn: stack.roleArn, RoleSessionName: sessionName,
    DurationSeconds: 3600,
  });
  return r.Credentials;
}

// runs fn(i) for i < n, ten at a time
async function batch(n, fn) {
  for (let i = 0; i < n; i += 10) {
    const jobs = [];
    for (let j = i; j < Math.min(n, i + 10); j++) {
      jobs.push(fn(j));
    }
    await Promise.all(jobs);
  }
}

function writePolicy(name, doc) {
  const file = path.join(scratch, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

function replay(...args) {
  const r = spawnSync(stack.stsctl, ['policy', 'replay', '--log',
    path.join(stack.dir, 'logs', 'audit.log'), '--role', stack.roleArn,
    ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function replayJson(...args) {
  const r = replay('--format', 'json', ...args);
  assert.ok(r.status === 0 || r.status === 3, `exit ${r.status}: ${r.err}`);
  return { status: r.status, j: JSON.parse(r.out) };
}

function count(pred) {
  return lines.filter(pred).length;
}

before(async () => {
  stack = await startStack();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-replay-'));

  const dir = JSON.parse(fs.readFileSync(path.join(stack.root, 'tools',
    'demo', 'directory.json'), 'utf8'));
  basePolicy = dir.Accounts[0].Policies.find(
    (p) => p.PolicyName === 'demo-bucket-objects').PolicyDocument;

  const creds = await assumeRole('e2e-replay');
  const demo = client(creds, 'demo-bucket');
  const other = client(creds, 'other-bucket');

  await batch(PUTS, (i) => demo.put(`replay/k${i}.txt`,
    Buffer.from(`object ${i}\n`)));
  await batch(TMP_PUTS, (i) => demo.put(`replay/tmp/t${i}.txt`,
    Buffer.from(`scratch ${i}\n`)));
  await batch(GETS, async (i) => {
    const r = await demo.get(`replay/k${i}.txt`);
    assert.equal(r.content.toString(), `object ${i}\n`);
  });
  await batch(TMP_GETS, async (i) => {
    const r = await demo.get(`replay/tmp/t${i}.txt`);
    assert.equal(r.content.toString(), `scratch ${i}\n`);
  });
  await batch(LISTS, async () => {
    const r = await demo.list({ prefix: 'replay/', 'max-keys': 5 });
    assert.equal(r.objects.length, 5);
  });
  await batch(DELETES, (i) => demo.delete(`replay/k${i}.txt`));
  await batch(DENIED, async (i) => {
    const p = i % 2 ? other.get(`x${i}.txt`)
      : other.put(`x${i}.txt`, Buffer.from('no\n'));
    await assert.rejects(p, (err) => err.status === 403
      && err.name === 'AccessDeniedError');
  });

  // the log is written when each request ends: all of them have ended
  const text = fs.readFileSync(path.join(stack.dir, 'logs', 'audit.log'),
    'utf8');
  lines = text.split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
});

after(() => {
  if (stack) {
    stack.stop();
  }
  if (scratch) {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

const MINE = PUTS + TMP_PUTS + GETS + TMP_GETS + LISTS + DELETES + DENIED;

test('the audit log holds a decision per request, with grants and context',
  () => {
    assert.ok(MINE >= 1000);
    const replayLines = lines.filter((l) => l.session_name === 'e2e-replay');
    assert.equal(replayLines.length, MINE);
    for (const l of replayLines) {
      const grants = JSON.parse(l.grants);
      const context = Object.fromEntries(JSON.parse(l.context));
      assert.ok(grants.length >= 1);
      assert.match(context['acs:CurrentTime'],
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(context['acs:AccessId'], l.access_key_id);
    }
    const list = replayLines.find((l) => l.api === 'ListObjects');
    assert.equal(Object.fromEntries(JSON.parse(list.context))['oss:Prefix'],
      'replay/');
    assert.equal(count((l) => l.session_name === 'e2e-replay'
      && l.decision === 'implicit-deny'), DENIED);
  });

test('the same policy: every request decided as logged', () => {
  const file = writePolicy('same', basePolicy);
  const { status, j } = replayJson('--policy', file);
  // make run's own readiness probe is unauthenticated: not a decision
  const decided = count((l) => ['allow', 'deny', 'implicit-deny']
    .includes(l.decision));
  assert.ok(decided >= MINE);
  assert.equal(status, 0);
  assert.equal(j.read, lines.length);
  assert.equal(j.skipped, lines.length - decided);
  assert.equal(j.skipped_by_reason['not a decision'], lines.length - decided);
  assert.equal(j.evaluated, decided);
  assert.equal(j.unchanged, decided);
  assert.equal(j.changed, 0);

  const text = replay('--policy', file);
  assert.equal(text.status, 0);
  assert.match(text.out, new RegExp(`^requests read: ${lines.length}$`, 'm'));
  assert.match(text.out, /^changed: 0 \(allow->deny 0, deny->allow 0\)$/m);
});

test('without oss:DeleteObject: exactly the deletes turn allow->deny', () => {
  const doc = JSON.parse(JSON.stringify(basePolicy));
  doc.Statement[0].Action = doc.Statement[0].Action.filter(
    (a) => a !== 'oss:DeleteObject');
  const { status, j } = replayJson('--policy', writePolicy('no-delete', doc));
  assert.equal(status, 3);
  assert.equal(count((l) => l.api === 'DeleteObject'
    && l.decision === 'allow'), DELETES);
  assert.equal(j.allow_to_deny, DELETES);
  assert.equal(j.deny_to_allow, 0);
  assert.deepEqual(j.by_action, {
    'oss:DeleteObject': { allow_to_deny: DELETES, deny_to_allow: 0 } });
  assert.deepEqual(j.by_bucket, {
    'demo-bucket': { allow_to_deny: DELETES, deny_to_allow: 0 } });
  assert.equal(j.requests.length, DELETES);
  assert.ok(j.requests.every((r) => r.api === 'DeleteObject'
    && /^replay\/k\d+\.txt$/.test(r.object)));

  const text = replay('--policy', writePolicy('no-delete', doc));
  assert.equal(text.status, 3);
  assert.match(text.out, new RegExp(
    `^by action: oss:DeleteObject allow->deny ${DELETES}, deny->allow 0$`,
    'm'));
  assert.match(text.out, new RegExp(
    `^changed: ${DELETES} \\(allow->deny ${DELETES}, deny->allow 0\\)$`,
    'm'));
});

test('a Deny on replay/tmp/: exactly the requests under it change', () => {
  const doc = JSON.parse(JSON.stringify(basePolicy));
  doc.Statement.push({ Effect: 'Deny', Action: 'oss:*',
    Resource: 'acs:oss:*:*:demo-bucket/replay/tmp/*' });
  const { j } = replayJson('--policy', writePolicy('deny-tmp', doc));
  assert.equal(j.allow_to_deny, TMP_PUTS + TMP_GETS);
  assert.equal(j.deny_to_allow, 0);
  assert.deepEqual(j.by_action, {
    'oss:PutObject': { allow_to_deny: TMP_PUTS, deny_to_allow: 0 },
    'oss:GetObject': { allow_to_deny: TMP_GETS, deny_to_allow: 0 } });
  assert.ok(j.requests.every((r) => r.object.startsWith('replay/tmp/')));
});

test('a listing limited to another prefix: exactly the lists change', () => {
  const doc = JSON.parse(JSON.stringify(basePolicy));
  doc.Statement[1].Condition = {
    StringLike: { 'oss:Prefix': 'elsewhere/*' } };
  const lists = count((l) => l.api === 'ListObjects'
    && l.decision === 'allow');
  assert.equal(lists, LISTS);
  const { j } = replayJson('--policy', writePolicy('list-prefix', doc));
  assert.equal(j.allow_to_deny, LISTS);
  assert.deepEqual(j.by_action, {
    'oss:ListObjects': { allow_to_deny: LISTS, deny_to_allow: 0 } });

  doc.Statement[1].Condition = { StringLike: { 'oss:Prefix': 'replay/*' } };
  const same = replayJson('--policy', writePolicy('list-prefix2', doc));
  assert.equal(same.j.changed, 0);
});

test('granting other-bucket: exactly the refused requests turn allow', () => {
  const doc = JSON.parse(JSON.stringify(basePolicy));
  doc.Statement[0].Resource.push('acs:oss:*:*:other-bucket/*');
  const { j } = replayJson('--policy', writePolicy('other', doc));
  assert.equal(j.deny_to_allow, DENIED);
  assert.equal(j.allow_to_deny, 0);
  assert.deepEqual(j.by_bucket, {
    'other-bucket': { allow_to_deny: 0, deny_to_allow: DENIED } });
});

test('a session policy is evaluated too', () => {
  const session = writePolicy('session', { Version: '1', Statement: [
    { Effect: 'Allow', Action: 'oss:*',
      Resource: 'acs:oss:*:*:demo-bucket/replay/k*' }] });
  const { j } = replayJson('--policy', writePolicy('same2', basePolicy),
    '--session', session);
  // everything allowed but the k-objects: tmp puts and gets, listings,
  // and the first object of make run
  const allowed = count((l) => l.decision === 'allow');
  const kObjects = count((l) => l.decision === 'allow'
    && /^replay\/k\d+\.txt$/.test(l.object));
  assert.equal(kObjects, PUTS + GETS + DELETES);
  assert.equal(j.allow_to_deny, allowed - kObjects);
  assert.equal(j.deny_to_allow, 0);
});
