'use strict';

// Direct upload from the browser: credentials from the app server, bytes
// to the OSS gateway with ali-oss's browser build (window.OSS).  Every
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
