'use strict';

// The embedded default of "make run" (tools/run.sh, conf/demo.conf.in),
// started for a test file on free ports in a scratch runtime folder:
// s3rver as the store, nginx with the module as OSS gateway (sts_backend
// s3), STS endpoint and web server, and the example app server.  What the
// suites test is therefore exactly what "make run" starts.
//
//   const stack = await startStack();
//   stack.ports.gateway, .store, .web, .sts, .stsTls, .app
//   stack.dir         the runtime folder (keys, directory, logs, s3rver/)
//   stack.objectFile(bucket, key)   where s3rver keeps an object's bytes
//   stack.stop()      stops everything by pid and removes the folder

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const build = path.resolve(root, process.env.BUILD || 'build');
const runSh = path.join(root, 'tools', 'run.sh');

const ROLE_ARN = 'acs:ram::1234567890123456:role/demo-app';
const BUCKET = 'demo-bucket';

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

async function freePorts(names) {
  const ports = {};
  const seen = new Set();
  for (const name of names) {
    let p;
    do {
      p = await freePort();
    } while (seen.has(p));
    seen.add(p);
    ports[name] = p;
  }
  return ports;
}

async function startStack() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-e2e-stack-'));
  const ports = await freePorts(['gateway', 'store', 'web', 'sts', 'stsTls',
    'app']);
  const env = {
    ...process.env,
    BUILD: build,
    STS_RUNTIME: dir,
    STS_PORT: String(ports.gateway),
    STS_STORE_PORT: String(ports.store),
    STS_WEB_PORT: String(ports.web),
    STS_ENDPOINT_PORT: String(ports.sts),
    STS_ENDPOINT_TLS_PORT: String(ports.stsTls),
    STS_APP_PORT: String(ports.app),
    STS_NODE_MODULES: path.join(__dirname, '..', 'node_modules'),
  };

  let out;
  try {
    out = execFileSync('sh', [runSh], { env, encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    try {
      execFileSync('sh', [runSh, 'stop'], { env, stdio: 'ignore' });
    } catch (ignored) {
      // nothing more to stop
    }
    throw new Error(`tools/run.sh failed:\n${err.stdout}\n${err.stderr}`);
  }

  return {
    dir,
    env,
    ports,
    out,
    root,
    build,
    roleArn: ROLE_ARN,
    bucket: BUCKET,
    stsctl: path.join(build, 'stsctl'),
    dataDir: path.join(dir, 's3rver'),

    objectFile(bucket, key) {
      return path.join(dir, 's3rver', bucket, `${key}._S3rver_object`);
    },

    appServerKey() {
      return JSON.parse(fs.readFileSync(path.join(dir, 'appserver.json'),
        'utf8'));
    },

    accessLog() {
      return fs.readFileSync(path.join(dir, 'logs', 'access.log'), 'utf8');
    },

    errorLog() {
      return fs.readFileSync(path.join(dir, 'logs', 'error.log'), 'utf8');
    },

    stop() {
      execFileSync('sh', [runSh, 'stop'], { env, stdio: 'ignore' });
      if (!process.env.E2E_KEEP) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { startStack, freePort, ROLE_ARN, BUCKET };
