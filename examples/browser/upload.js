'use strict';

// Direct upload from the browser: credentials from the app server, bytes
// to the OSS gateway with ali-oss's browser build (window.OSS), or as a
// PostObject form (mode "form").  Every
// request ali-oss makes here is cross-origin (the gateway is another
// origin than this page), so each is preceded by a CORS preflight.

(function () {
  const $ = (id) => document.getElementById(id);

  function show(text, kind) {
    const s = $('status');
    s.textContent = text;
    s.className = kind || '';
  }

  async function credentials(user) {
    const r = await fetch(`/api/sts?user=${encodeURIComponent(user)}`);
    const body = await r.json();
    if (!r.ok) {
      throw new Error(`app server: ${body.ErrorCode} ${body.ErrorMessage}`);
    }
    return body;
  }

  function client(c) {
    return new OSS({
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      stsToken: c.SecurityToken,
      bucket: c.Bucket,
      endpoint: c.Endpoint,
      region: c.Region,
      sldEnable: true,         // path style: /<bucket>/<key>
      secure: c.Endpoint.startsWith('https:'),
    });
  }

  // the whole folder, 100 keys a page, each page asked for with the
  // previous one's continuation token
  async function refresh(oss, prefix) {
    const objects = [];
    let token = null;
    do {
      const query = { prefix, 'max-keys': 100 };
      if (token) {
        query['continuation-token'] = token;
      }
      const r = await oss.listV2(query);
      objects.push(...(r.objects || []));
      token = r.isTruncated ? r.nextContinuationToken : null;
    } while (token);
    const rows = objects.map((o) => {
      const tr = document.createElement('tr');
      for (const v of [o.name, String(o.size), o.etag]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    });
    $('objects').replaceChildren(...rows);
  }

  const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

  // the V1 form signature: base64 HMAC-SHA1 of the base64 policy, with
  // the temporary secret (WebCrypto: the page must be a secure context,
  // https or localhost)
  async function signPolicy(secret, policy) {
    const enc = new TextEncoder();
    const k = await crypto.subtle.importKey('raw', enc.encode(secret),
      { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    return b64(await crypto.subtle.sign('HMAC', k, enc.encode(policy)));
  }

  // PostObject: a multipart/form-data POST to the bucket, the file last.
  // The key ends in ${filename}: the gateway puts the file's name there
  // and checks the key that results against the credentials.
  async function postForm(c, file, max) {
    const policy = btoa(JSON.stringify({
      expiration: new Date(Date.now() + 10 * 60 * 1000).toISOString(),
      conditions: [
        { bucket: c.Bucket },
        ['starts-with', '$key', c.Prefix],
        ['content-length-range', 0, max],
      ],
    }));
    const form = new FormData();
    form.append('key', `${c.Prefix}\${filename}`);
    form.append('OSSAccessKeyId', c.AccessKeyId);
    form.append('policy', policy);
    form.append('Signature', await signPolicy(c.AccessKeySecret, policy));
    form.append('x-oss-security-token', c.SecurityToken);
    form.append('success_action_status', '201');
    form.append('Content-Type', file.type || 'application/octet-stream');
    form.append('file', file, file.name);

    const r = await fetch(`${c.Endpoint}/${c.Bucket}/`,
      { method: 'POST', body: form });
    const xml = new DOMParser().parseFromString(await r.text(),
      'application/xml');
    const text = (tag) => {
      const e = xml.getElementsByTagName(tag)[0];
      return e ? e.textContent : '';
    };
    if (r.status !== 201) {
      const err = new Error(text('Message') || `HTTP ${r.status}`);
      err.name = `${text('Code') || 'Unknown'}Error`;
      err.code = text('Code');
      throw err;
    }
    return { key: text('Key'), etag: text('ETag'),
      requestId: r.headers.get('x-oss-request-id') };
  }

  async function upload() {
    const file = $('file').files[0];
    const user = $('user').value.trim();
    if (!file) {
      show('Choose a file first.', 'error');
      return;
    }

    $('upload').disabled = true;
    $('progress').value = 0;

    try {
      show('Asking the app server for credentials...');
      const c = await credentials(user);
      const oss = client(c);
      const key = c.Prefix + file.name;

      show(`Uploading ${file.name} (${file.size} bytes) to ${key}...`);

      let r;
      if ($('mode').value === 'form') {
        const max = Number($('maxsize').value);
        const f = await postForm(c, file, max);
        $('progress').value = 1;
        show(`uploaded ${f.key} (${file.size} bytes) by form, request id `
          + `${f.requestId || '?'}`, 'ok');
        await refresh(oss, c.Prefix);
        return;
      }

      if (file.size > 100 * 1024) {
        // parts of 100 KiB: needs ETag among the exposed headers
        r = await oss.multipartUpload(key, file, {
          partSize: 100 * 1024,
          progress: (p) => { $('progress').value = p; },
        });
      } else {
        r = await oss.put(key, file);
        $('progress').value = 1;
      }

      show(`uploaded ${key} (${file.size} bytes), request id `
        + `${r.res.headers['x-oss-request-id'] || '?'}`, 'ok');
      await refresh(oss, c.Prefix);
    } catch (err) {
      // OSS errors arrive as <Code>Error: AccessDeniedError, ...
      show(`failed: ${err.name}${err.code ? ` (${err.code})` : ''}: `
        + `${err.message}`, 'error');
    } finally {
      $('upload').disabled = false;
    }
  }

  $('upload').addEventListener('click', upload);
}());
