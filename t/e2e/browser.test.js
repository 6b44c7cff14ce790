'use strict';

// Direct upload from a browser, end to end: headless Chromium (Debian's
// chromium, driven with playwright-core) opens the example page that
// "make run" serves (examples/browser), the page gets credentials from the
// example app server (which got them from nginx-sts's STS endpoint with a
// session policy for users/<id>/), and ali-oss's browser build uploads
// the chosen file to the gateway, which is another origin: every request
// is preflighted (CORS).  The test clicks, waits, checks the bytes in
// s3rver's data folder, finds the preflights in the gateway's access log,
// and saves a screenshot under t/e2e/output/.
//
// CHROMIUM selects the browser (default /usr/bin/chromium); without one
// the test is skipped (tools/deps.sh installs it).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startStack } = require('./lib/stack');

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const haveChromium = fs.existsSync(chromiumPath);
const output = path.join(__dirname, 'output');

// Debian's chromium as root in a container: no sandbox, no GPU; the rest
// keep it off the network (playwright adds --headless and the DevTools
// pipe)
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let stack;
let context;
let profile;

function bytes(n) {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    out[i] = (i * 31 + (i >> 8)) & 0xff;
  }
  return out;
}

before(async () => {
  if (!haveChromium) {
    return;
  }

  const { chromium } = require('playwright-core');

  stack = await startStack();
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: FLAGS,
    viewport: { width: 900, height: 760 },
  });
});

after(async () => {
  if (context) {
    await context.close();
  }
  if (stack) {
    stack.stop();
  }
  if (profile) {
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('browser: pick a file, click Upload, the object is in the store',
  { skip: !haveChromium && `no browser at ${chromiumPath}` }, async () => {
    const page = await context.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));

    await page.goto(`http://127.0.0.1:${stack.ports.web}/`);
    assert.equal(await page.evaluate(() => typeof window.OSS), 'function',
      'ali-oss browser build loaded');

    // above 100 KiB the page uploads in parts: the ETag of each part must
    // be readable across origins
    const body = bytes(250 * 1024);
    await page.fill('#user', 'carol');
    await page.setInputFiles('#file', {
      name: 'holiday photo.bin',
      mimeType: 'application/octet-stream',
      buffer: body,
    });
    await page.click('#upload');

    const status = page.locator('#status');
    await status.filter({ hasText: /^(uploaded|failed)/ })
      .waitFor({ timeout: 30000 });
    const text = await status.textContent();

    fs.mkdirSync(output, { recursive: true });
    await page.locator('#objects tr').first()
      .waitFor({ timeout: 10000 }).catch(() => {});
    await page.screenshot({ path: path.join(output, 'browser-upload.png'),
      fullPage: true });

    assert.match(text, /^uploaded users\/carol\/holiday photo\.bin /,
      `${text}\n${logs.join('\n')}`);
    assert.match(text, /request id [0-9A-F]{24}$/);

    // the bytes, in s3rver's data folder
    const stored = fs.readFileSync(stack.objectFile('demo-bucket',
      'users/carol/holiday photo.bin'));
    assert.ok(stored.equals(body), 'stored byte for byte');

    // the page listed the folder (ListObjectsV2 through the gateway)
    assert.equal(await page.locator('#objects td').first().textContent(),
      'users/carol/holiday photo.bin');

    // preflights went through the gateway to the store, unauthenticated
    const log = stack.accessLog();
    assert.match(log, /"OPTIONS \/demo-bucket\/users\/carol\/holiday%20photo\.bin\?uploads=? HTTP\/1\.1" 200 /);
    assert.match(log, /"OPTIONS \/demo-bucket\/users\/carol\/holiday%20photo\.bin\?partNumber=1&uploadId=\w+ HTTP\/1\.1" 200 /);
    assert.match(log, /"PUT \/demo-bucket\/users\/carol\/holiday%20photo\.bin\?partNumber=3&uploadId=\w+ HTTP\/1\.1" 200 /);
    await page.close();
  });

test('browser: outside the folder, the page shows AccessDeniedError',
  { skip: !haveChromium && `no browser at ${chromiumPath}` }, async () => {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${stack.ports.web}/`);

    // the page's own client, credentials for dave, a key of erin's
    const result = await page.evaluate(async () => {
      const c = await (await fetch('/api/sts?user=dave')).json();
      const oss = new window.OSS({
        accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret,
        stsToken: c.SecurityToken, bucket: c.Bucket, endpoint: c.Endpoint,
        region: c.Region, sldEnable: true,
      });
      try {
        await oss.put('users/erin/x.txt', new Blob(['nope']));
        return 'uploaded';
      } catch (err) {
        return `${err.name} ${err.status} ${err.requestId}`;
      }
    });

    // the gateway's own refusal, readable across origins
    assert.match(result, /^AccessDeniedError 403 [0-9A-F]{24}$/);
    assert.ok(!fs.existsSync(stack.objectFile('demo-bucket',
      'users/erin/x.txt')));
    await page.close();
  });

test('browser: a folder of more than 100 keys is listed whole, page by page',
  { skip: !haveChromium && `no browser at ${chromiumPath}` }, async () => {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${stack.ports.web}/`);

    // 105 objects in frank's folder, with the page's own client: more
    // than the page's 100 keys a listing page
    const filled = await page.evaluate(async () => {
      const c = await (await fetch('/api/sts?user=frank')).json();
      const oss = new window.OSS({
        accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret,
        stsToken: c.SecurityToken, bucket: c.Bucket, endpoint: c.Endpoint,
        region: c.Region, sldEnable: true,
      });
      const names = [];
      for (let i = 0; i < 105; i++) {
        names.push(`${c.Prefix}k${String(i).padStart(3, '0')}.txt`);
      }
      for (let i = 0; i < names.length; i += 15) {
        await Promise.all(names.slice(i, i + 15).map((n) =>
          oss.put(n, new Blob([n]))));
      }
      return names.length;
    });
    assert.equal(filled, 105);

    await page.fill('#user', 'frank');
    await page.setInputFiles('#file', {
      name: 'z-last.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('the 106th\n'),
    });
    await page.click('#upload');
    const status = page.locator('#status');
    await status.filter({ hasText: /^(uploaded|failed)/ })
      .waitFor({ timeout: 30000 });
    // the page lists the folder after it shows "uploaded"; a failed
    // listing shows "failed" instead
    await page.locator('#objects tr').nth(105)
      .waitFor({ timeout: 10000 }).catch(() => {});
    assert.match(await status.textContent(),
      /^uploaded users\/frank\/z-last\.txt /);

    // every key once, in order, the upload last
    const listed = await page.locator('#objects tr td:first-child')
      .allTextContents();
    const want = [];
    for (let i = 0; i < 105; i++) {
      want.push(`users/frank/k${String(i).padStart(3, '0')}.txt`);
    }
    want.push('users/frank/z-last.txt');
    assert.deepEqual(listed, want);
    await page.close();
  });

// reads what s3rver keeps beside an object: its metadata
function storedMeta(key) {
  const f = stack.objectFile('demo-bucket', key)
    .replace(/\._S3rver_object$/, '._S3rver_metadata.json');
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

async function formUpload(page, user, name, body, max) {
  await page.goto(`http://127.0.0.1:${stack.ports.web}/`);
  await page.fill('#user', user);
  await page.selectOption('#mode', 'form');
  if (max !== undefined) {
    await page.fill('#maxsize', String(max));
  }
  await page.setInputFiles('#file', {
    name, mimeType: 'image/png', buffer: body,
  });
  await page.click('#upload');
  const status = page.locator('#status');
  await status.filter({ hasText: /^(uploaded|failed)/ })
    .waitFor({ timeout: 30000 });
  return status.textContent();
}

test('browser: an HTML form (PostObject) to s3rver: the key checked, the stamps set',
  { skip: !haveChromium && `no browser at ${chromiumPath}` }, async () => {
    const page = await context.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));

    // the form's key is users/gina/${filename}: the gateway checks, and
    // the store writes, the key with the file's name in it
    const body = bytes(300 * 1024);
    const text = await formUpload(page, 'gina', 'form photo.png', body);
    fs.mkdirSync(output, { recursive: true });
    await page.screenshot({ path: path.join(output, 'browser-form.png'),
      fullPage: true });

    assert.match(text,
      /^uploaded users\/gina\/form photo\.png \(307200 bytes\) by form, request id [0-9A-F]{24}$/,
      `${text}\n${logs.join('\n')}`);
    const stored = fs.readFileSync(stack.objectFile('demo-bucket',
      'users/gina/form photo.png'));
    assert.ok(stored.equals(body), 'the file part, byte for byte');
    assert.ok(!fs.existsSync(stack.objectFile('demo-bucket',
      'users/gina/${filename}')), 'no object under the literal key');

    // the form's Content-Type, and the stamps (conf/demo.conf.in stamps
    // POST /demo-bucket/), as s3rver keeps them
    const meta = storedMeta('users/gina/form photo.png');
    assert.equal(meta['content-type'], 'image/png');
    assert.equal(meta['x-amz-meta-sts-session-name'], 'user-gina');
    assert.equal(meta['x-amz-meta-sts-role-arn'], stack.roleArn);
    assert.match(meta['x-amz-meta-sts-token-id'], /^STS\./);
    assert.equal(meta['x-amz-meta-sts-source-ip'], '127.0.0.1');

    // the decision was on the expanded key, and s3rver got a PUT of it
    const log = stack.accessLog();
    assert.match(log, /"POST \/demo-bucket\/ HTTP\/1\.1" 201 /);
    assert.match(fs.readFileSync(path.join(stack.dir, 'logs', 'audit.log'),
      'utf8'), /users\/gina\/form photo\.png/);

    // the page listed the folder with the new object
    await page.locator('#objects tr').first()
      .waitFor({ timeout: 10000 }).catch(() => {});
    assert.equal(await page.locator('#objects td').first().textContent(),
      'users/gina/form photo.png');
    await page.close();
  });

test('browser: a form over its content-length-range: EntityTooLarge, no object',
  { skip: !haveChromium && `no browser at ${chromiumPath}` }, async () => {
    const page = await context.newPage();
    const text = await formUpload(page, 'hank', 'big.png', bytes(5000), 1000);

    assert.match(text, /^failed: EntityTooLargeError \(EntityTooLarge\): /);
    assert.ok(!fs.existsSync(stack.objectFile('demo-bucket',
      'users/hank/big.png')), 'nothing stored');

    // within the range, the same form stores the file
    const ok = await formUpload(page, 'hank', 'small.png', bytes(900), 1000);
    assert.match(ok, /^uploaded users\/hank\/small\.png \(900 bytes\)/);
    await page.close();
  });
