'use strict';

// The app server of the mobile-app and browser flows: it holds a long-term
// AccessKey (a RAM user allowed to call AssumeRole), and for each of its
// signed-in users asks nginx-sts's STS endpoint for temporary credentials
// of one role, narrowed by a session policy to that user's own folder:
//
//     <bucket>/users/<id>/*
//
// The app or page then talks to the OSS gateway directly with ali-oss; the
// app server never sees the bytes.  It uses the unmodified
// @alicloud/sts-sdk, exactly as against Alibaba Cloud STS.
//
//   GET /api/sts?user=<id>   200 {StatusCode, AccessKeyId, AccessKeySecret,
//                            SecurityToken, Expiration, Bucket, Endpoint,
//                            Region, Prefix}
//   GET /api/health          200 "ok"
//
// Settings (environment; "make run" sets them all):
//   APPSERVER_CREDENTIALS  JSON file {AccessKeyId, AccessKeySecret}, mode 600
//   STS_ENDPOINT           host:port of the STS endpoint (HTTPS)
//   ROLE_ARN               the role to assume
//   BUCKET                 the bucket the users' folders live in
//   GATEWAY                the OSS gateway's URL as clients reach it
//   HOST, PORT             where to listen (default 127.0.0.1:8084)
//   DURATION               session length in seconds (default 900)
//   NODE_EXTRA_CA_CERTS    the endpoint's certificate, if self-signed
//
// Who the user is would come from the app's own sign-in (a session
// cookie, a bearer token); this example takes the id from the query and
// only checks its shape.  Do not expose it as it is.

const http = require('node:http');
const fs = require('node:fs');
const StsClient = require('@alicloud/sts-sdk');

const config = {
  credentials: process.env.APPSERVER_CREDENTIALS || 'appserver.json',
  endpoint: process.env.STS_ENDPOINT || '127.0.0.1:8443',
  roleArn: process.env.ROLE_ARN
    || 'acs:ram::1234567890123456:role/demo-app',
  bucket: process.env.BUCKET || 'demo-bucket',
  gateway: process.env.GATEWAY || 'http://localhost:8080',
  host: process.env.HOST || '127.0.0.1',
  port: Number(process.env.PORT || 8084),
  duration: Number(process.env.DURATION || 900),
};

function loadKey(file) {
  const st = fs.statSync(file);
  if (st.mode & 0o077) {
    throw new Error(`${file} is readable by others; run "chmod 600 ${file}"`);
  }
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const c = j.Credentials || j;
  if (!c.AccessKeyId || !c.AccessKeySecret) {
    throw new Error(`${file}: AccessKeyId and AccessKeySecret are required`);
  }
  return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret };
}

// what one user may do: their own folder, and list it
function sessionPolicy(user) {
  const folder = `users/${user}/`;
  return JSON.stringify({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['oss:PutObject', 'oss:GetObject', 'oss:DeleteObject',
          'oss:AbortMultipartUpload', 'oss:ListParts'],
        Resource: [`acs:oss:*:*:${config.bucket}/${folder}*`],
      },
      {
        Effect: 'Allow',
        Action: ['oss:ListObjects'],
        Resource: [`acs:oss:*:*:${config.bucket}`],
        Condition: { StringLike: { 'oss:Prefix': [`${folder}*`] } },
      },
    ],
  });
}

const sts = new StsClient({ endpoint: config.endpoint,
  ...loadKey(config.credentials) });

async function credentialsFor(user) {
  const r = await sts.assumeRole(config.roleArn, `user-${user}`,
    sessionPolicy(user), config.duration);
  if (!r || !r.Credentials) {
    // sts-sdk returns STS errors as objects: {Code, Message, RequestId}
    const err = new Error(r && r.Message ? r.Message : 'AssumeRole failed');
    err.code = r && r.Code;
    throw err;
  }
  return {
    StatusCode: 200,
    AccessKeyId: r.Credentials.AccessKeyId,
    AccessKeySecret: r.Credentials.AccessKeySecret,
    SecurityToken: r.Credentials.SecurityToken,
    Expiration: r.Credentials.Expiration,
    Bucket: config.bucket,
    Endpoint: config.gateway,
    Region: 'oss-cn-hangzhou',
    Prefix: `users/${user}/`,
  };
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://app');

  if (req.method === 'GET' && url.pathname === '/api/health') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }

  if (req.method !== 'GET' || url.pathname !== '/api/sts') {
    reply(res, 404, { StatusCode: 404, ErrorCode: 'NotFound' });
    return;
  }

  const user = url.searchParams.get('user') || '';
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(user)) {
    reply(res, 400, { StatusCode: 400, ErrorCode: 'InvalidUser',
      ErrorMessage: 'user: 1 to 32 of a-z 0-9 _ -' });
    return;
  }

  try {
    reply(res, 200, await credentialsFor(user));
  } catch (err) {
    console.error(`AssumeRole for ${user}: ${err.code || ''} ${err.message}`);
    reply(res, 500, { StatusCode: 500, ErrorCode: err.code || 'Error',
      ErrorMessage: err.message });
  }
});

server.listen(config.port, config.host, () => {
  console.log(`app server on http://${config.host}:${config.port}, `
    + `STS endpoint https://${config.endpoint}, role ${config.roleArn}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
