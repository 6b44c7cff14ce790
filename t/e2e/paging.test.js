'use strict';

// Paged listings through the gateway of "make run": the unmodified ali-oss
// client lists a folder one key at a time, ListObjectsV2 following
// NextContinuationToken and ListObjects (V1) following NextMarker, signed
// with V1 and with V4, until the listing is no longer truncated; every key
// must come back exactly once, in order.  s3rver seals its continuation
// tokens with DES, which OpenSSL 3 only offers in its legacy provider:
// without it every truncated V2 listing is a 500 InternalError.
// Run with t/e2e/run.sh.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const OSS = require('ali-oss');
const RPCClient = require('@alicloud/pop-core');

const { startStack } = require('./lib/stack');

let stack;
let demo;          // credentials of the role (demo-bucket)

function client(c, options = {}) {
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
    ...options,
  });
}

before(async () => {
  stack = await startStack();
  const k = stack.appServerKey();
  const pop = new RPCClient({
    endpoint: `http://127.0.0.1:${stack.ports.sts}`,
    apiVersion: '2015-04-01',
    accessKeyId: k.AccessKeyId,
    accessKeySecret: k.AccessKeySecret,
  });
  const r = await pop.request('AssumeRole', {
    RoleArn: stack.roleArn, RoleSessionName: 'e2e-paging',
    DurationSeconds: 3600,
  });
  demo = r.Credentials;
});

after(() => {
  if (stack) {
    stack.stop();
  }
});

// putAll(oss, prefix, names): the objects, each holding its own key
async function putAll(oss, prefix, names) {
  const keys = names.map((n) => `${prefix}${n}`);
  for (const k of keys) {
    await oss.put(k, Buffer.from(k));
  }
  return keys;
}

// seenOnce(pages): the keys of every page, each asserted to appear once
function seenOnce(pages) {
  const seen = [];
  for (const p of pages) {
    for (const o of p.objects) {
      assert.ok(!seen.includes(o.name), `${o.name} listed twice`);
      seen.push(o.name);
    }
  }
  return seen;
}

for (const v4 of [false, true]) {
  const sig = v4 ? 'V4' : 'V1';
  const prefix = `paging-${sig.toLowerCase()}/`;
  // more keys than pages a broken token loop could hide, names that need
  // encoding in a token or a marker, and one key in a sub-folder
  const names = ['a.txt', 'b c.txt', 'd+e.txt', 'f%g.txt', 'sub/h.txt'];

  test(`${sig}: listV2, max-keys=1, continuation tokens to the end`,
    async () => {
      const oss = client(demo, { authorizationV4: v4 });
      const keys = await putAll(oss, prefix, names);

      const pages = [];
      let token = null;
      for (;;) {
        assert.ok(pages.length <= keys.length, 'the listing ends');
        const query = { prefix, 'max-keys': 1 };
        if (token) {
          query['continuation-token'] = token;
        }
        const r = await oss.listV2(query);
        assert.equal(r.res.status, 200);
        pages.push(r);
        assert.equal(r.objects.length, 1, 'one key a page');
        assert.equal(r.keyCount, 1);
        assert.equal(r.continuationToken, token);
        if (!r.isTruncated) {
          assert.equal(r.nextContinuationToken, null);
          break;
        }
        assert.ok(r.nextContinuationToken, 'a truncated page has a token');
        token = r.nextContinuationToken;
      }

      assert.equal(pages.length, keys.length, 'one page a key');
      assert.deepEqual(seenOnce(pages), [...keys].sort());
    });

  test(`${sig}: list (V1), max-keys=1, markers to the end`, async () => {
    const oss = client(demo, { authorizationV4: v4 });
    const keys = await putAll(oss, `${prefix}v1/`, names);
    const flat = keys.filter((k) => !k.endsWith('/sub/h.txt'));

    // with a delimiter, as the folder views do: NextMarker on every
    // truncated page, the sub-folder as a common prefix
    const pages = [];
    const prefixes = new Set();
    let marker = null;
    for (;;) {
      assert.ok(pages.length <= keys.length, 'the listing ends');
      const query = { prefix: `${prefix}v1/`, delimiter: '/',
        'max-keys': 1 };
      if (marker) {
        query.marker = marker;
      }
      const r = await oss.list(query);
      assert.equal(r.res.status, 200);
      pages.push(r);
      assert.equal(r.objects.length, 1, 'one key a page');
      for (const p of r.prefixes || []) {
        prefixes.add(p);
      }
      if (!r.isTruncated) {
        break;
      }
      assert.equal(r.nextMarker, r.objects[0].name,
        'a truncated page names the next marker');
      marker = r.nextMarker;
    }

    assert.equal(pages.length, flat.length, 'one page a key');
    assert.deepEqual(seenOnce(pages), [...flat].sort());
    assert.deepEqual([...prefixes], [`${prefix}v1/sub/`]);
  });
}
