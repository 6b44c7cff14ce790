/*
 * Copyright (C) nginx-sts authors
 *
 * test_sign_v4: OSS V4 header and presigned-URL signatures against the
 * known-answer vectors (t/vectors/oss_v4_header.json, oss_v4_presign.json,
 * the V4 entries of cross_sdk.json), plus tampering, expiry, skew, scope
 * and grammar errors.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tap.h"
#include "sts_sign.h"
#include "vectors.h"


#define REGION    "cn-hangzhou"


/*
 * address: virtual-hosted addressing, the only style of the V4 vectors
 * (bucket = first label of Host, key = decoded path without its '/').
 */

static int
address(req_t *q)
{
    const char  *dot;
    sts_str_t    decoded;

    if (sts_percent_decode(A, q->r.raw_path, 0, &decoded) != STS_OK
        || decoded.len == 0 || decoded.data[0] != '/')
    {
        sts_free(A, (void *) decoded.data);
        return -1;
    }

    dot = memchr(q->r.host.data, '.', q->r.host.len);
    q->bucket = strndup(q->r.host.data,
                        dot ? (size_t) (dot - q->r.host.data) : q->r.host.len);
    q->key = strdup(decoded.data + 1);

    sts_free(A, (void *) decoded.data);

    return (q->bucket && q->key) ? 0 : -1;
}


/* RFC 3986 strict encoding for building test URLs */

static void
enc(char *out, const char *s, int keep_slash)
{
    static const char  hex[] = "0123456789ABCDEF";

    unsigned char  c;

    for ( ; *s; s++) {
        c = (unsigned char) *s;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
            || c == '~' || (c == '/' && keep_slash))
        {
            *out++ = (char) c;

        } else {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 0x0f];
        }
    }

    *out = '\0';
}


static sts_auth_opts_t
opts_at(int64_t now)
{
    sts_auth_opts_t  o;

    o.now = now;
    o.max_skew = 900;
    o.region = S(REGION);

    return o;
}


static void
check_error_opts(req_t *q, sts_auth_opts_t *o, int rc_expect,
    const sts_oss_error_t *err_expect, const char *what)
{
    int                     rc;
    sts_auth_t              auth;
    const sts_oss_error_t  *err;

    rc = sts_auth_parse(A, &auth, &q->r, o, &err);

    if (rc_expect) {
        is_int(rc, rc_expect, "%s: status", what);

    } else {
        ok(rc < 0, "%s: fails", what);
    }

    ok(err == err_expect, "%s: %s (%s)", what,
       err_expect ? err_expect->code : "no error",
       err ? err->message : "none");

    sts_auth_free(A, &auth);
}


static void
check_error(req_t *q, int64_t now, int rc_expect,
    const sts_oss_error_t *err_expect, const char *what)
{
    sts_auth_opts_t  o;

    o = opts_at(now);
    check_error_opts(q, &o, rc_expect, err_expect, what);
}


/*
 * check_vector: parse, canonical request and string to sign byte for
 * byte, verification, and the negative cases every vector gets.  The
 * parsed additional headers are returned in |additional| (static).
 */

static void
check_vector(const char *id, req_t *q, int64_t now, const char *region,
    sts_auth_kind_t kind, const char *ak, const char *token,
    const char *secret, const char *canonical, const char *string_to_sign,
    char *additional, size_t additional_size)
{
    int                     rc;
    char                    sig[65];
    sts_buf_t               b, sts, can;
    sts_auth_t              auth;
    sts_auth_opts_t         o;
    const sts_oss_error_t  *err;

    o = opts_at(now);
    o.region = S(region);

    rc = sts_auth_parse(A, &auth, &q->r, &o, &err);
    is_int(rc, STS_OK, "%s: parse", id);
    if (rc != STS_OK) {
        printf("#   %s\n", err ? err->message : "no error descriptor");
        sts_auth_free(A, &auth);
        return;
    }

    is_int(auth.kind, kind, "%s: kind", id);
    ok(sts_str_eq(auth.access_key_id, ak), "%s: AccessKeyId", id);
    ok(sts_str_eq(auth.security_token, token ? token : ""),
       "%s: security token", id);
    ok(sts_str_eq(auth.region, region), "%s: region", id);
    ok(auth.scope_date.len == 8
       && memcmp(auth.scope_date.data, auth.date.data, 8) == 0,
       "%s: scope date", id);

    if (additional != NULL && auth.additional_headers.len < additional_size) {
        if (auth.additional_headers.len) {
            memcpy(additional, auth.additional_headers.data,
                   auth.additional_headers.len);
        }

        additional[auth.additional_headers.len] = '\0';
    }

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_canonical_request(&b, &q->r, &auth.params,
                                       S(q->bucket), S(q->key),
                                       auth.additional_headers);
    is_int(rc, STS_OK, "%s: canonical request built", id);
    is_str(b.data, canonical, "%s: canonical request", id);
    sts_buf_free(&b);

    sts_buf_init(&sts, A, 0);
    sts_buf_init(&can, A, 0);
    rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                         S(secret), &sts, &can);
    is_int(rc, STS_OK, "%s: signature verifies", id);
    is_str(sts.data, string_to_sign, "%s: string to sign", id);
    is_str(can.data, canonical, "%s: verify returns canonical request", id);
    sts_buf_free(&sts);
    sts_buf_free(&can);

    rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                         S("wrong-secret"), NULL, NULL);
    is_int(rc, STS_EBADSIG, "%s: wrong secret", id);

    if (auth.signature.len == 64) {
        memcpy(sig, auth.signature.data, 64);
        sig[63] = (char) (sig[63] == '0' ? '1' : '0');
        sig[64] = '\0';
        auth.signature.data = sig;
        rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                             S(secret), NULL, NULL);
        is_int(rc, STS_EBADSIG, "%s: one signature byte changed", id);
    }

    /* the key chain binds the region */
    auth.region = S("cn-beijing");
    rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                         S(secret), NULL, NULL);
    is_int(rc, STS_EBADSIG, "%s: other region in the key", id);

    sts_auth_free(A, &auth);
}


static void
test_header_vectors(void)
{
    int                 rc;
    char                add[256];
    size_t              i;
    json_t             *root, *vs, *v, *req;
    req_t               q;
    sts_buf_t           b;
    const char         *id;
    sts_sign_creds_t    creds;

    root = load("t/vectors/oss_v4_header.json");
    ok(root != NULL, "oss_v4_header.json loads");
    if (root == NULL) {
        return;
    }

    vs = json_object_get(root, "vectors");
    is_int(json_array_size(vs), 13, "13 V4 header vectors");

    json_array_foreach(vs, i, v) {
        id = jstr(v, "id");
        req = json_object_get(v, "request");

        req_init(&q, jstr(req, "method"), jstr(req, "host_header"),
                 jstr(req, "raw_path"), jstr(req, "raw_query"));
        req_add_json(&q, json_object_get(req, "headers"));

        if (address(&q) != 0) {
            ok(0, "%s: addressing", id);
            req_free(&q);
            continue;
        }

        add[0] = '\0';
        check_vector(id, &q, NOW, jstr(v, "region"), STS_AUTH_V4,
                     jstr(v, "access_key_id"), jstr(v, "security_token"),
                     jstr(v, "access_key_secret"),
                     jstr(v, "canonical_request"),
                     jstr(v, "string_to_sign"), add, sizeof(add));

        creds.access_key_id = S(jstr(v, "access_key_id"));
        creds.secret = S(jstr(v, "access_key_secret"));
        creds.security_token = S(jstr(v, "security_token"));
        creds.region = S(jstr(v, "region"));

        sts_buf_init(&b, A, 0);
        rc = sts_sign_v4_header(&b, &q.r, S(q.bucket), S(q.key), &creds,
                                S(add));
        is_int(rc, STS_OK, "%s: client signs", id);
        is_str(b.data, jstr(v, "authorization"), "%s: client Authorization",
               id);
        sts_buf_free(&b);

        req_free(&q);
    }

    json_decref(root);
}


static void
test_presign_vectors(void)
{
    int                 rc;
    char                add[256], *user;
    size_t              i;
    int64_t             expires;
    json_t             *root, *vs, *v, *call, *hdrs;
    req_t               q;
    sts_buf_t           b;
    const char         *id, *p;
    sts_sign_creds_t    creds;
    static const char  *drop[] = {
        "x-oss-additional-headers", "x-oss-credential", "x-oss-date",
        "x-oss-expires", "x-oss-signature-version", "x-oss-security-token",
        "x-oss-signature", NULL
    };

    root = load("t/vectors/oss_v4_presign.json");
    ok(root != NULL, "oss_v4_presign.json loads");
    if (root == NULL) {
        return;
    }

    vs = json_object_get(root, "vectors");
    is_int(json_array_size(vs), 4, "4 V4 presign vectors");

    json_array_foreach(vs, i, v) {
        id = jstr(v, "id");
        call = json_object_get(v, "call");

        req_init(&q, jstr(call, "method"), jstr(v, "url_host"),
                 jstr(v, "raw_path"), jstr(v, "raw_query"));

        /* headers the presigner signed must be sent by the client */
        hdrs = json_object_get(json_object_get(call, "request"), "headers");
        if (hdrs != NULL) {
            req_add_json(&q, hdrs);
        }

        if (address(&q) != 0) {
            ok(0, "%s: addressing", id);
            req_free(&q);
            continue;
        }

        add[0] = '\0';
        check_vector(id, &q, NOW, jstr(v, "region"), STS_AUTH_V4_PRESIGN,
                     jstr(v, "access_key_id"), jstr(v, "security_token"),
                     jstr(v, "access_key_secret"),
                     jstr(v, "canonical_request"),
                     jstr(v, "string_to_sign"), add, sizeof(add));

        p = strstr(jstr(v, "raw_query"), "x-oss-expires=");
        expires = p ? strtoll(p + 14, NULL, 10) : 0;

        is_int(verify_rc(&q, NOW + expires, jstr(v, "access_key_secret")),
               STS_OK, "%s: valid at x-oss-date + x-oss-expires", id);
        check_error(&q, NOW + expires + 1, STS_EEXPIRED,
                    &sts_err_request_expired, "V4 presign one second late");
        is_int(verify_rc(&q, NOW - 900, jstr(v, "access_key_secret")),
               STS_OK, "%s: signed 15 minutes in the future", id);
        check_error(&q, NOW - 901, STS_EINVAL, &sts_err_time_skewed,
                    "V4 presign signed 15 min 1 s in the future");

        /* the client signer reproduces the whole query string */
        user = strip_params(jstr(v, "raw_query"), drop);
        q.r.raw_query = S(user);

        creds.access_key_id = S(jstr(v, "access_key_id"));
        creds.secret = S(jstr(v, "access_key_secret"));
        creds.security_token = S(jstr(v, "security_token"));
        creds.region = S(jstr(v, "region"));

        sts_buf_init(&b, A, 0);
        rc = sts_sign_v4_presign(&b, &q.r, S(q.bucket), S(q.key), &creds,
                                 NOW, expires, S(add));
        is_int(rc, STS_OK, "%s: client presigns", id);
        is_str(b.data, jstr(v, "raw_query"), "%s: client query string", id);
        sts_buf_free(&b);

        free(user);
        req_free(&q);
    }

    json_decref(root);
}


/*
 * The Go SDK v2 entries of cross_sdk.json give bucket, object, headers
 * and query as data: the request line is rebuilt from them (path and
 * query RFC 3986 encoded, a null query value written without '=').
 */

static void
test_cross_sdk(void)
{
    int          presign;
    char         path[512], query[2048], *w, *ah;
    size_t       i;
    int64_t      t;
    json_t      *root, *vs, *v, *val, *list;
    req_t        q;
    const char  *id, *name, *date;

    root = load("t/vectors/cross_sdk.json");
    ok(root != NULL, "cross_sdk.json loads");
    if (root == NULL) {
        return;
    }

    vs = json_object_get(root, "vectors");

    json_array_foreach(vs, i, v) {
        id = jstr(v, "id");

        if (strncmp(id, "go-sdk-v2-TestV4", 16) != 0) {
            continue;
        }

        presign = strcmp(id, "go-sdk-v2-TestV4AuthQuery") == 0;

        path[0] = '/';
        enc(path + 1, jstr(v, "object"), 1);

        w = query;
        *w = '\0';

        json_object_foreach(json_object_get(v, "query"), name, val) {
            if (w != query) {
                *w++ = '&';
            }

            enc(w, name, 0);
            w += strlen(w);

            if (json_is_string(val)) {
                *w++ = '=';
                enc(w, json_string_value(val), 0);
                w += strlen(w);
            }
        }

        if (presign) {
            w += sprintf(w, "&x-oss-signature=%s", jstr(v, "signature"));
        }

        req_init(&q, jstr(v, "method"),
                 "bucket.oss-cn-hangzhou.aliyuncs.com", path, query);
        req_add_json(&q, json_object_get(v, "headers"));

        ah = NULL;
        if (!presign) {
            req_add(&q, "Authorization",
                    jstr(v, "expected_authorization_from_go_test"));

            /* the request's AdditionalHeaders are the vector's list */
            list = json_object_get(v, "additional_headers");
            ok(json_array_size(list) == 0
               || strstr(jstr(v, "expected_authorization_from_go_test"),
                         "AdditionalHeaders=abc;zabc,") != NULL,
               "%s: additional headers in the Authorization", id);
        }

        date = presign ? jstr(v, "query.x-oss-date")
                       : jstr(v, "headers.x-oss-date");

        if (address(&q) != 0 || date == NULL
            || sts_parse_iso8601(date, strlen(date), &t) != STS_OK)
        {
            ok(0, "%s: setup", id);
            req_free(&q);
            continue;
        }

        ok(strcmp(q.bucket, jstr(v, "bucket")) == 0
           && strcmp(q.key, jstr(v, "object")) == 0,
           "%s: bucket and object round-trip", id);

        check_vector(id, &q, t, jstr(v, "region"),
                     presign ? STS_AUTH_V4_PRESIGN : STS_AUTH_V4,
                     jstr(v, "access_key_id"), NULL,
                     jstr(v, "access_key_secret"),
                     jstr(v, "canonical_request"),
                     jstr(v, "string_to_sign"), ah, 0);

        req_free(&q);
    }

    json_decref(root);
}


#define TOKEN                                                                 \
    "CAIS8wF1q6Ft5B2yfSjIr5bkKN7WlLZT0aSsNkrXjUUBe+l0rq3ghDz2IHtIe3lvAuEfsf42" \
    "lGtW7/YalrJ6SoVCRl/fYdN8vY9p6l+8BJLFstv9w+cS3tSYe2kX2eU2Ra5AvaRnv8pjxZKq" \
    "QM2pYGJ3h0w="
#define SECRET  "Gk8pQ2vXh3sR7tYw9zBn4mLc6dFa1jEu"
#define CRED                                                                  \
    "Credential=STS.NUgYrLnoC37mZZCNnAbez2Dmd/20240515/cn-hangzhou"          \
    "/oss/aliyun_v4_request"
#define SIG                                                                   \
    "59df64c2abd74228253f0e861e20a2d9534453939b189819beef4e45291c739b"
#define AUTH    "OSS4-HMAC-SHA256 " CRED ",Signature=" SIG


/* v4-put-simple, rebuilt so each case starts from a valid request */

static void
simple(req_t *q)
{
    req_init(q, "PUT", "examplebucket.oss-cn-hangzhou.aliyuncs.com",
             "/dir/hello.txt", "");
    req_add(q, "x-oss-date", "20240515T123045Z");
    req_add(q, "x-oss-content-sha256", "UNSIGNED-PAYLOAD");
    req_add(q, "x-oss-security-token", TOKEN);
    req_add(q, "Content-Type", "text/plain");
    req_add(q, "Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==");
    req_add(q, "Content-Length", "11");
    req_add(q, "authorization", AUTH);

    if (address(q) != 0) {
        printf("# addressing failed\n");
    }
}


static void
test_tamper(void)
{
    req_t  q;

    simple(&q);
    is_int(verify_rc(&q, NOW, SECRET), STS_OK, "untouched verifies");

    free(q.key);
    q.key = strdup("dir/hello.txt2");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "tampered key");
    req_free(&q);

    simple(&q);
    free(q.bucket);
    q.bucket = strdup("otherbucket");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "tampered bucket");
    req_free(&q);

    simple(&q);
    q.r.method = S("POST");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "tampered method");
    req_free(&q);

    /* V4 signs every query parameter, list parameters included */
    simple(&q);
    q.r.raw_query = S("max-keys=5");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "added query parameter");
    q.r.raw_query = S("acl");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "added acl");
    req_free(&q);

    simple(&q);
    req_set(&q, "Content-Type", "text/html");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "tampered Content-Type");
    req_free(&q);

    simple(&q);
    req_del(&q, "Content-MD5");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "removed Content-MD5");
    req_free(&q);

    simple(&q);
    req_add(&q, "x-oss-meta-evil", "1");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "added x-oss-meta");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-content-sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "tampered x-oss-content-sha256");
    req_free(&q);

    simple(&q);
    req_del(&q, "x-oss-content-sha256");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "removed x-oss-content-sha256 (its canonical line is gone)");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-date", "20240515T123046Z");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "date one second later");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-security-token", "other");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG, "tampered token");
    req_free(&q);

    /* unsigned headers may change, names are case-insensitive */
    simple(&q);
    req_set(&q, "Content-Length", "12");
    req_add(&q, "Cache-Control", "no-cache");
    req_del(&q, "Content-Type");
    req_add(&q, "CONTENT-TYPE", " text/plain ");
    is_int(verify_rc(&q, NOW, SECRET), STS_OK,
           "unsigned headers, name case and blanks");
    req_free(&q);

    /* optional spaces after the commas (OSS document form) */
    simple(&q);
    req_set(&q, "authorization",
            "OSS4-HMAC-SHA256 " CRED ",  Signature=" SIG);
    is_int(verify_rc(&q, NOW, SECRET), STS_OK, "spaces after comma");
    req_set(&q, "authorization",
            "OSS4-HMAC-SHA256 Signature=" SIG ", " CRED);
    is_int(verify_rc(&q, NOW, SECRET), STS_OK, "items in any order");
    req_free(&q);
}


static void
test_errors(void)
{
    size_t           i;
    req_t            q;
    sts_auth_opts_t  o;

    static const char  *bad[] = {
        "OSS4-HMAC-SHA256",
        "OSS4-HMAC-SHA256 ",
        "OSS4-HMAC-SHA256" CRED ",Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED,
        "OSS4-HMAC-SHA256 Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",Signature=" SIG ",",
        "OSS4-HMAC-SHA256 " CRED ",,Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED " ,Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",Signature=" SIG ",Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",Signature=" SIG ",Foo=bar",
        "OSS4-HMAC-SHA256 " CRED ",signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",Signature",
        "OSS4-HMAC-SHA256 " CRED ",Signature=" SIG "0",
        "OSS4-HMAC-SHA256 " CRED ",Signature=59DF64C2ABD74228253F0E861E20A2D9"
        "534453939B189819BEEF4E45291C739B",
        "OSS4-HMAC-SHA256 " CRED ",Signature=59df64c2abd74228253f0e861e20a2d9"
        "534453939b189819beef4e45291c739g",
        "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=,Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=host;,Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=;host,Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=Host,Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=host;cache-control"
        ",Signature=" SIG,
        "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=host;host,Signature="
        SIG,
        "OSS4-HMAC-SHA256 Credential=,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=/20240515/cn-hangzhou/oss/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/20240515/cn-hangzhou/s3/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/20240515/cn-hangzhou/oss/"
        "aws4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/2024051/cn-hangzhou/oss/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/2024051x/cn-hangzhou/oss/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/20240515//oss/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=20240515/cn-hangzhou/oss/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/20240515/cn hangzhou/oss/"
        "aliyun_v4_request,Signature=" SIG,
        "OSS4-HMAC-SHA256 Credential=ak/20240514/cn-hangzhou/oss/"
        "aliyun_v4_request,Signature=" SIG,
        NULL
    };

    for (i = 0; bad[i] != NULL; i++) {
        simple(&q);
        req_set(&q, "authorization", bad[i]);
        check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                    bad[i]);
        req_free(&q);
    }

    simple(&q);
    req_set(&q, "authorization", "OSS4-HMAC-SHA256X " CRED);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "algorithm with a suffix");
    req_set(&q, "authorization", "OSS4-HMAC-SHA1 " CRED);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_auth,
                "other algorithm");
    req_free(&q);

    /* the AccessKeyId may contain '/' (split from the right) */
    simple(&q);
    req_set(&q, "authorization",
            "OSS4-HMAC-SHA256 Credential=a/b/20240515/cn-hangzhou/oss/"
            "aliyun_v4_request,Signature=" SIG);
    {
        int                     rc;
        sts_auth_t              auth;
        const sts_oss_error_t  *err;

        o = opts_at(NOW);
        rc = sts_auth_parse(A, &auth, &q.r, &o, &err);
        is_int(rc, STS_OK, "AccessKeyId with '/' parses");
        ok(sts_str_eq(auth.access_key_id, "a/b"), "AccessKeyId a/b");
        ok(sts_str_eq(auth.scope,
                      "20240515/cn-hangzhou/oss/aliyun_v4_request"),
           "scope");
        sts_auth_free(A, &auth);
    }
    req_free(&q);

    /* region */
    simple(&q);
    o = opts_at(NOW);
    o.region = S("cn-beijing");
    check_error_opts(&q, &o, STS_EINVAL, &sts_err_invalid_argument_v4,
                     "credential region is not the configured one");
    o.region = S("");
    {
        int                     rc;
        sts_auth_t              auth;
        const sts_oss_error_t  *err;

        rc = sts_auth_parse(A, &auth, &q.r, &o, &err);
        is_int(rc, STS_OK, "no configured region: credential's accepted");
        sts_auth_free(A, &auth);
    }
    req_free(&q);

    /* additional headers must be present */
    simple(&q);
    req_set(&q, "authorization",
            "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=cache-control"
            ",Signature=" SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "additional header missing");
    req_add(&q, "Cache-Control", "no-cache");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "additional header present, signed without it");
    req_free(&q);

    /* host comes from the request view when not among the headers */
    simple(&q);
    req_set(&q, "authorization",
            "OSS4-HMAC-SHA256 " CRED ",AdditionalHeaders=host,Signature="
            SIG);
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "AdditionalHeaders=host uses r->host");
    q.r.host = S("");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "AdditionalHeaders=host without any host");
    req_free(&q);

    /* x-oss-date */
    simple(&q);
    req_del(&q, "x-oss-date");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "V4 without x-oss-date");
    req_add(&q, "Date", "Wed, 15 May 2024 12:30:45 GMT");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "V4 with Date only");
    req_set(&q, "x-oss-date", "Wed, 15 May 2024 12:30:45 GMT");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "V4 with an RFC 1123 x-oss-date");
    req_set(&q, "x-oss-date", "2024-05-15T12:30:45Z");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "V4 with an extended ISO x-oss-date");
    req_set(&q, "x-oss-date", "20240532T123045Z");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "V4 with an impossible x-oss-date");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-date", "20240516T001500Z");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "x-oss-date on another day than the scope");
    req_free(&q);

    simple(&q);
    check_error(&q, NOW + 901, STS_EINVAL, &sts_err_time_skewed,
                "V4 request 15 min 1 s old");
    check_error(&q, NOW - 901, STS_EINVAL, &sts_err_time_skewed,
                "V4 request 15 min 1 s ahead");
    is_int(verify_rc(&q, NOW + 900, SECRET), STS_OK, "V4 skew 15 min");
    o = opts_at(NOW + 86400);
    o.max_skew = -1;
    {
        int                     rc;
        sts_auth_t              auth;
        const sts_oss_error_t  *err;

        rc = sts_auth_parse(A, &auth, &q.r, &o, &err);
        is_int(rc, STS_OK, "negative max_skew disables the skew check");
        sts_auth_free(A, &auth);
    }
    req_free(&q);

    /* duplicates */
    simple(&q);
    req_add(&q, "X-OSS-Content-Sha256", "UNSIGNED-PAYLOAD");
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_auth,
                "two x-oss-content-sha256");
    req_free(&q);

    simple(&q);
    req_add(&q, "x-oss-date", "20240515T123045Z");
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_auth,
                "two x-oss-date");
    req_free(&q);

    /* mixed */
    simple(&q);
    q.r.raw_query = S("x-oss-signature=" SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "V4 header and x-oss-signature");
    q.r.raw_query = S("x-oss-expires=60");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "V4 header and x-oss-expires");
    q.r.raw_query = S("x-oss-signature-version=OSS4-HMAC-SHA256");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "V4 header and x-oss-signature-version");
    req_free(&q);
}


#define PQ_CRED                                                               \
    "x-oss-credential=STS.NUgYrLnoC37mZZCNnAbez2Dmd%2F20240515%2Fcn-hangzhou" \
    "%2Foss%2Faliyun_v4_request"
#define PQ_TOKEN                                                              \
    "&x-oss-security-token=CAIS8wF1q6Ft5B2yfSjIr5bkKN7WlLZT0aSsNkrXjUUBe%2Bl0" \
    "rq3ghDz2IHtIe3lvAuEfsf42lGtW7%2FYalrJ6SoVCRl%2FfYdN8vY9p6l%2B8BJLFstv9w" \
    "%2BcS3tSYe2kX2eU2Ra5AvaRnv8pjxZKqQM2pYGJ3h0w%3D"
#define PQ_SIG                                                                \
    "&x-oss-signature=2ffceead9e88026c26ddd32332c234f0622f2951bcba245383ece0" \
    "c2f26713a5"
#define PQ_VER    "&x-oss-signature-version=OSS4-HMAC-SHA256"
#define PQ_DATE   "&x-oss-date=20240515T123045Z"
#define PQ_EXP    "&x-oss-expires=3600"
#define PQ        PQ_CRED PQ_DATE PQ_EXP PQ_VER PQ_TOKEN PQ_SIG


static void
presign(req_t *q, const char *query)
{
    req_init(q, "GET", "examplebucket.oss-cn-hangzhou.aliyuncs.com",
             "/dir/hello.txt", query);

    if (address(q) != 0) {
        printf("# addressing failed\n");
    }
}


static void
test_presign_errors(void)
{
    req_t  q;

    presign(&q, PQ);
    is_int(verify_rc(&q, NOW, SECRET), STS_OK, "V4 presign verifies");
    req_free(&q);

    presign(&q, PQ "&versionId=1");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "V4 presign: added parameter");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE "&x-oss-expires=3601" PQ_VER PQ_TOKEN
                PQ_SIG);
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "V4 presign: x-oss-expires extended");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE PQ_EXP PQ_VER PQ_SIG);
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "V4 presign: token removed");
    req_free(&q);

    presign(&q, PQ);
    req_add(&q, "x-oss-meta-a", "1");
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "V4 presign: x-oss-* header added");
    req_free(&q);

    presign(&q, PQ);
    req_add(&q, "Range", "bytes=0-1");
    is_int(verify_rc(&q, NOW, SECRET), STS_OK,
           "V4 presign: unsigned header added");
    req_free(&q);

    /* missing or bad parameters */
    presign(&q, PQ_CRED PQ_DATE PQ_EXP PQ_VER PQ_TOKEN);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign without x-oss-signature");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE PQ_VER PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign without x-oss-expires");
    req_free(&q);

    presign(&q, PQ_CRED PQ_EXP PQ_VER PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign without x-oss-date");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE PQ_EXP PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign without x-oss-signature-version");
    req_free(&q);

    presign(&q, PQ_DATE PQ_EXP PQ_VER PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign without x-oss-credential");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE PQ_EXP
                "&x-oss-signature-version=OSS4-HMAC-SHA1" PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign with another version");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE "&x-oss-expires=0" PQ_VER PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "x-oss-expires 0");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE "&x-oss-expires=604801" PQ_VER PQ_TOKEN
                PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "x-oss-expires over 7 days");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE "&x-oss-expires=604800" PQ_VER PQ_TOKEN
                PQ_SIG);
    is_int(verify_rc(&q, NOW, SECRET), STS_EBADSIG,
           "x-oss-expires of 7 days is in range");
    req_free(&q);

    presign(&q, PQ_CRED PQ_DATE "&x-oss-expires=ten" PQ_VER PQ_TOKEN
                PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "x-oss-expires not a number");
    req_free(&q);

    presign(&q, PQ_CRED "&x-oss-date=20240516T123045Z" PQ_EXP PQ_VER
                PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign date not the scope date");
    req_free(&q);

    presign(&q, PQ_CRED "&x-oss-date=2024-05-15T12%3A30%3A45Z" PQ_EXP
                PQ_VER PQ_TOKEN PQ_SIG);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign date in extended form");
    req_free(&q);

    presign(&q, PQ "&x-oss-additional-headers=host%3B");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign additional headers with empty element");
    req_free(&q);

    presign(&q, PQ "&x-oss-additional-headers=");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign empty additional headers");
    req_free(&q);

    presign(&q, PQ "&x-oss-additional-headers=x-custom");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_v4,
                "V4 presign additional header not sent");
    req_free(&q);

    presign(&q, PQ "&x-oss-signature=" SIG);
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_query,
                "V4 presign repeated x-oss-signature");
    req_free(&q);

    presign(&q, PQ);
    req_add(&q, "Authorization", AUTH);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "V4 presign with an Authorization header");
    req_free(&q);

    presign(&q, PQ "&OSSAccessKeyId=x");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "V4 presign with OSSAccessKeyId");
    req_free(&q);

    presign(&q, PQ);
    check_error(&q, NOW + 3601, STS_EEXPIRED, &sts_err_request_expired,
                "V4 presign expired");
    req_free(&q);
}


static void
test_canonical(void)
{
    int                 rc;
    char                sig[200], *signed_query;
    req_t               q;
    sts_buf_t           b;
    sts_params_t        p;
    sts_sign_creds_t    creds;
    unsigned char       key[STS_V4_KEY_LEN];

    /* service level, empty values, encoded-name order, joined headers */
    req_init(&q, "GET", "oss-cn-hangzhou.aliyuncs.com", "/",
             "b=2&a%20b=1&~x&A=3&empty=");
    req_add(&q, "x-oss-meta-z", "1");
    req_add(&q, "X-OSS-META-Z", " 2 ");
    req_add(&q, "x-oss-date", "20240515T123045Z");

    rc = sts_query_parse(A, q.r.raw_query, &p);
    is_int(rc, STS_OK, "canonical: query parses");

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_canonical_request(&b, &q.r, &p, S(""), S(""), S(""));
    is_int(rc, STS_OK, "canonical: service level built");
    is_str(b.data,
           "GET\n/\nA=3&a%20b=1&b=2&empty&~x\n"
           "x-oss-date:20240515T123045Z\nx-oss-meta-z:1,2\n\n\n"
           "UNSIGNED-PAYLOAD",
           "canonical: service level");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_canonical_request(&b, &q.r, NULL, S("bk"), S(""),
                                       S(""));
    is_int(rc, STS_OK, "canonical: bucket level built");
    ok(strncmp(b.data, "GET\n/bk/\n\n", 10) == 0,
       "canonical: bucket level URI /bk/ and empty query");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_canonical_request(&b, &q.r, NULL, S("bk"),
                                       S("a b/c+d/\xe4\xb8\xad~!*'()"),
                                       S(""));
    is_int(rc, STS_OK, "canonical: key built");
    ok(strncmp(b.data, "GET\n/bk/a%20b/c%2Bd/%E4%B8%AD~%21%2A%27%28%29\n",
               45) == 0, "canonical: key strictly encoded, '/' kept");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_canonical_request(&b, &q.r, NULL, S("bk"), S("k"),
                                       S("x-missing"));
    is_int(rc, STS_EINVAL, "canonical: missing additional header");
    sts_buf_free(&b);
    sts_free(A, p.items);
    req_free(&q);

    ok(sts_sign_v4_additional_headers_valid(S("abc;host;zabc")),
       "additional headers valid");
    ok(!sts_sign_v4_additional_headers_valid(S("")), "empty list");
    ok(!sts_sign_v4_additional_headers_valid(S("zabc;abc")), "unsorted");
    ok(!sts_sign_v4_additional_headers_valid(S("abc;abc")), "repeated");
    ok(!sts_sign_v4_additional_headers_valid(S("a;;b")), "empty element");
    ok(!sts_sign_v4_additional_headers_valid(S("a b")), "space");

    /* the key chain of doc/protocol.md 10.2 steps, only the length checked */
    rc = sts_sign_v4_signing_key(key, S(SECRET), S("20240515"),
                                 S("cn-hangzhou"));
    is_int(rc, STS_OK, "signing key derived");
    rc = sts_sign_v4_signing_key(key, S(""), S("20240515"),
                                 S("cn-hangzhou"));
    is_int(rc, STS_EINVAL, "empty secret refused");

    /* client round trip with additional headers and a query */
    req_init(&q, "PUT", "bk.example.com", "/a%20b", "tagging");
    req_add(&q, "x-oss-date", "20240515T123045Z");
    req_add(&q, "Cache-Control", "no-store");
    q.bucket = strdup("bk");
    q.key = strdup("a b");

    creds.access_key_id = S("ak");
    creds.secret = S("sk");
    creds.security_token = S("");
    creds.region = S(REGION);

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_header(&b, &q.r, S("bk"), S("a b"), &creds,
                            S("cache-control;host"));
    is_int(rc, STS_OK, "client V4 header with additional headers");
    if (rc == STS_OK && b.len < sizeof(sig)) {
        memcpy(sig, b.data, b.len + 1);
        req_add(&q, "Authorization", sig);
        is_int(verify_rc(&q, NOW, "sk"), STS_OK,
               "client V4 header verifies");
        req_set(&q, "Cache-Control", "no-cache");
        is_int(verify_rc(&q, NOW, "sk"), STS_EBADSIG,
               "additional header tampered");
        q.r.host = S("other.example.com");
        req_set(&q, "Cache-Control", "no-store");
        is_int(verify_rc(&q, NOW, "sk"), STS_EBADSIG,
               "host tampered");
    }
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_header(&b, &q.r, S("bk"), S("a b"), &creds,
                            S("host;cache-control"));
    is_int(rc, STS_EINVAL, "client refuses unsorted additional headers");
    sts_buf_free(&b);
    req_free(&q);

    req_init(&q, "GET", "bk.example.com", "/k", "x-oss-process=a%2Fb");
    q.bucket = strdup("bk");
    q.key = strdup("k");
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_presign(&b, &q.r, S("bk"), S("k"), &creds, NOW, 60,
                             S(""));
    is_int(rc, STS_OK, "client V4 presign");
    signed_query = strdup(b.data ? b.data : "");
    sts_buf_free(&b);
    q.r.raw_query = S(signed_query);
    is_int(verify_rc(&q, NOW + 60, "sk"), STS_OK,
           "client V4 presigned URL verifies");

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_presign(&b, &q.r, S("bk"), S("k"), &creds, NOW, 60,
                             S(""));
    is_int(rc, STS_EINVAL, "client refuses to presign a presigned query");
    sts_buf_free(&b);
    free(signed_query);

    q.r.raw_query = S("");
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_presign(&b, &q.r, S("bk"), S("k"), &creds, NOW, 0,
                             S(""));
    is_int(rc, STS_EINVAL, "client refuses x-oss-expires 0");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v4_header(&b, &q.r, S("bk"), S("k"), &creds, S(""));
    is_int(rc, STS_EINVAL, "client V4 header needs x-oss-date");
    sts_buf_free(&b);
    req_free(&q);
}


int
main(void)
{
    test_header_vectors();
    test_presign_vectors();
    test_cross_sdk();
    test_tamper();
    test_errors();
    test_presign_errors();
    test_canonical();

    return tap_done();
}
