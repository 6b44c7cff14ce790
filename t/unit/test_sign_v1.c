/*
 * Copyright (C) nginx-sts authors
 *
 * test_sign_v1: OSS V1 header and presigned-URL signatures against the
 * known-answer vectors (t/vectors/oss_v1_header.json, oss_v1_presign.json,
 * the V1 entries of cross_sdk.json), plus tampering, expiry, skew and
 * grammar errors.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tap.h"
#include "sts_sign.h"
#include "vectors.h"


/*
 * address: bucket and key as the addressing module would find them (the
 * test's own small version): CNAME uses the configured bucket, path style
 * the first path segment, virtual host the first label of Host.
 */

static int
address(req_t *q, json_t *client_options)
{
    int         cname, sld;
    char       *path;
    const char  *dot, *slash, *bucket;
    sts_str_t    decoded;

    cname = json_is_true(json_object_get(client_options, "cname"));
    sld = json_is_true(json_object_get(client_options, "sldEnable"));

    if (sts_percent_decode(A, q->r.raw_path, 0, &decoded) != STS_OK
        || decoded.len == 0 || decoded.data[0] != '/')
    {
        sts_free(A, (void *) decoded.data);
        return -1;
    }

    path = (char *) decoded.data;

    if (cname) {
        bucket = jstr(client_options, "bucket");
        q->bucket = strdup(bucket ? bucket : "");
        q->key = strdup(path + 1);

    } else if (sld) {
        slash = strchr(path + 1, '/');
        if (slash == NULL) {
            q->bucket = strdup(path + 1);
            q->key = strdup("");

        } else {
            q->bucket = strndup(path + 1, (size_t) (slash - path - 1));
            q->key = strdup(slash + 1);
        }

    } else {
        dot = memchr(q->r.host.data, '.', q->r.host.len);
        q->bucket = strndup(q->r.host.data,
                            dot ? (size_t) (dot - q->r.host.data)
                                : q->r.host.len);
        q->key = strdup(path + 1);
    }

    sts_free(A, path);

    return (q->bucket && q->key) ? 0 : -1;
}


static sts_auth_opts_t
opts_at(int64_t now)
{
    sts_auth_opts_t  o;

    o.now = now;
    o.max_skew = 900;
    o.region.data = NULL;
    o.region.len = 0;

    return o;
}


/*
 * check_error: parse |q| and expect failure |rc_expect| with |err_expect|
 * (rc_expect 0 means "any negative status").
 */

static void
check_error(req_t *q, int64_t now, int rc_expect,
    const sts_oss_error_t *err_expect, const char *what)
{
    int                     rc;
    sts_auth_t              auth;
    sts_auth_opts_t         o;
    const sts_oss_error_t  *err;

    o = opts_at(now);
    rc = sts_auth_parse(A, &auth, &q->r, &o, &err);

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


/*
 * check_vector: the full server path on one request: parse, build the
 * StringToSign byte for byte, verify with the secret, and the two
 * negative cases every vector gets (wrong secret, one signature byte).
 */

static void
check_vector(const char *id, req_t *q, int64_t now, sts_auth_kind_t kind,
    const char *ak, const char *token, const char *secret,
    const char *string_to_sign)
{
    int                     rc;
    char                    bad[64], *sig;
    sts_buf_t               b, sts;
    sts_auth_t              auth;
    sts_auth_opts_t         o;
    const sts_oss_error_t  *err;

    o = opts_at(now);
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

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_string_to_sign(&b, &q->r, &auth.params, S(q->bucket),
                                    S(q->key), auth.date);
    is_int(rc, STS_OK, "%s: string to sign built", id);
    is_str(b.data, string_to_sign, "%s: string to sign", id);
    sts_buf_free(&b);

    sts_buf_init(&sts, A, 0);
    rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                         S(secret), &sts, NULL);
    is_int(rc, STS_OK, "%s: signature verifies", id);
    is_str(sts.data, string_to_sign, "%s: verify returns string to sign", id);
    sts_buf_free(&sts);

    rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                         S("Gk8pQ2vXh3sR7tYw9zBn4mLc6dFa1jEv"), NULL, NULL);
    is_int(rc, STS_EBADSIG, "%s: wrong secret", id);

    /* one byte of the signature changed (auth points into the request) */
    sig = bad;
    if (auth.signature.len < sizeof(bad)) {
        memcpy(sig, auth.signature.data, auth.signature.len);
        sig[0] = (char) (sig[0] == 'A' ? 'B' : 'A');
        auth.signature.data = sig;
        rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                             S(secret), NULL, NULL);
        is_int(rc, STS_EBADSIG, "%s: one signature byte changed", id);
    }

    auth.signature.len = 0;
    rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                         S(secret), NULL, NULL);
    is_int(rc, STS_EBADSIG, "%s: empty signature", id);

    sts_auth_free(A, &auth);
}


static void
test_header_vectors(void)
{
    int                 rc;
    size_t              i;
    json_t             *root, *vs, *v, *req;
    req_t               q;
    sts_buf_t           b;
    const char         *id;
    sts_sign_creds_t    creds;

    root = load("t/vectors/oss_v1_header.json");
    ok(root != NULL, "oss_v1_header.json loads");
    if (root == NULL) {
        return;
    }

    vs = json_object_get(root, "vectors");
    is_int(json_array_size(vs), 33, "33 V1 header vectors");

    json_array_foreach(vs, i, v) {
        id = jstr(v, "id");
        req = json_object_get(v, "request");

        req_init(&q, jstr(req, "method"), jstr(req, "host_header"),
                 jstr(req, "raw_path"), jstr(req, "raw_query"));
        req_add_json(&q, json_object_get(req, "headers"));

        if (address(&q, json_object_get(v, "client_options")) != 0) {
            ok(0, "%s: addressing", id);
            req_free(&q);
            continue;
        }

        check_vector(id, &q, NOW, STS_AUTH_V1, jstr(v, "access_key_id"),
                     jstr(v, "security_token"), jstr(v, "access_key_secret"),
                     jstr(v, "string_to_sign"));

        /* the client signer gives the same Authorization */
        creds.access_key_id = S(jstr(v, "access_key_id"));
        creds.secret = S(jstr(v, "access_key_secret"));
        creds.security_token = S(jstr(v, "security_token"));
        creds.region = S(NULL);

        sts_buf_init(&b, A, 0);
        rc = sts_sign_v1_header(&b, &q.r, S(q.bucket), S(q.key), &creds);
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
    char               *user;
    size_t              i;
    int64_t             now, expires;
    json_t             *root, *vs, *v, *opt;
    req_t               q;
    sts_buf_t           b;
    const char         *id, *ct, *exp;
    sts_sign_creds_t    creds;
    static const char  *drop[] = {
        "OSSAccessKeyId", "Expires", "Signature", "security-token", NULL
    };

    root = load("t/vectors/oss_v1_presign.json");
    ok(root != NULL, "oss_v1_presign.json loads");
    if (root == NULL) {
        return;
    }

    vs = json_object_get(root, "vectors");
    is_int(json_array_size(vs), 6, "6 V1 presign vectors");

    json_array_foreach(vs, i, v) {
        id = jstr(v, "id");
        opt = json_object_get(json_object_get(v, "call"), "options");
        now = json_integer_value(json_object_get(v, "now_unix"));

        req_init(&q, jstr(opt, "method"), jstr(v, "url_host"),
                 jstr(v, "raw_path"), jstr(v, "raw_query"));

        /* the presigner signed a Content-Type: the request must send it */
        ct = jstr(opt, "Content-Type");
        if (ct != NULL) {
            req_add(&q, "Content-Type", ct);
        }

        if (address(&q, NULL) != 0) {
            ok(0, "%s: addressing", id);
            req_free(&q);
            continue;
        }

        check_vector(id, &q, now, STS_AUTH_V1_PRESIGN,
                     jstr(v, "access_key_id"), jstr(v, "security_token"),
                     jstr(v, "access_key_secret"),
                     jstr(v, "string_to_sign"));

        /* expiry: valid up to and including Expires, not one second more */
        exp = strstr(jstr(v, "raw_query"), "Expires=") + 8;
        expires = strtoll(exp, NULL, 10);
        is_int(verify_rc(&q, expires, jstr(v, "access_key_secret")), STS_OK,
               "%s: valid at Expires", id);
        check_error(&q, expires + 1, STS_EEXPIRED, &sts_err_request_expired,
                    "presign one second after Expires");

        /* the client signer reproduces the whole query string */
        user = strip_params(jstr(v, "raw_query"), drop);
        q.r.raw_query = S(user);

        creds.access_key_id = S(jstr(v, "access_key_id"));
        creds.secret = S(jstr(v, "access_key_secret"));
        creds.security_token = S(jstr(v, "security_token"));
        creds.region = S(NULL);

        sts_buf_init(&b, A, 0);
        rc = sts_sign_v1_presign(&b, &q.r, S(q.bucket), S(q.key), &creds,
                                 expires);
        is_int(rc, STS_OK, "%s: client presigns", id);
        is_str(b.data, jstr(v, "raw_query"), "%s: client query string", id);
        sts_buf_free(&b);

        free(user);
        req_free(&q);
    }

    json_decref(root);
}


/*
 * The V1 entries of cross_sdk.json carry only the string to sign (and a
 * URL for the presigned one): the requests below are rebuilt from the
 * string to sign, and the rebuilt request must give it back byte for
 * byte before its signature is checked.
 */

static void
test_cross_sdk(void)
{
    size_t       i;
    json_t      *root, *vs, *v;
    req_t        q;
    const char  *id;
    int64_t      t;

    root = load("t/vectors/cross_sdk.json");
    ok(root != NULL, "cross_sdk.json loads");
    if (root == NULL) {
        return;
    }

    vs = json_object_get(root, "vectors");

    json_array_foreach(vs, i, v) {
        id = jstr(v, "id");

        if (strcmp(id, "go-sdk-v2-TestV1AuthHeader-case1") == 0) {
            req_init(&q, "PUT", "examplebucket.oss-cn-hangzhou.aliyuncs.com",
                     "/nelson", "");
            req_add(&q, "Content-MD5", "eB5eJF1ptWaXm4bijSPyxw==");
            req_add(&q, "Content-Type", "text/html");
            req_add(&q, "x-oss-meta-author", "alice");
            req_add(&q, "X-Oss-Meta-Magic", "abracadabra");
            req_add(&q, "x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT");
            req_add(&q, "Authorization",
                    jstr(v, "expected_authorization_from_go_test"));

            if (address(&q, NULL) != 0
                || sts_parse_rfc1123("Wed, 28 Dec 2022 10:27:41 GMT", 29,
                                     &t) != STS_OK)
            {
                ok(0, "%s: setup", id);
                req_free(&q);
                continue;
            }

            check_vector(id, &q, t, STS_AUTH_V1, "ak", NULL, "sk",
                         jstr(v, "string_to_sign"));
            req_free(&q);

        } else if (strcmp(id, "oss-doc-v1-header-example") == 0) {
            req_init(&q, "PUT", "oss-example.oss-cn-hangzhou.aliyuncs.com",
                     "/nelson", "");
            req_add(&q, "Content-Md5",
                    "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=");
            req_add(&q, "Content-Type", "text/html");
            req_add(&q, "Date", "Thu, 17 Nov 2005 18:49:58 GMT");
            req_add(&q, "X-OSS-Meta-Author", "foo@bar.com");
            req_add(&q, "X-OSS-Magic", "abracadabra");
            req_add(&q, "Authorization",
                    "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");

            if (address(&q, NULL) != 0
                || sts_parse_rfc1123("Thu, 17 Nov 2005 18:49:58 GMT", 29,
                                     &t) != STS_OK)
            {
                ok(0, "%s: setup", id);
                req_free(&q);
                continue;
            }

            check_vector(id, &q, t, STS_AUTH_V1, "44CF9590006BF252F707",
                         NULL, jstr(v, "access_key_secret"),
                         jstr(v, "string_to_sign"));
            req_free(&q);

        } else if (strcmp(id, "go-sdk-v2-TestV1AuthQuery-case2") == 0) {
            /* from expected_url_from_go_test */
            req_init(&q, "GET", "bucket.oss-cn-hangzhou.aliyuncs.com",
                     "/key%2B123",
                     "Expires=1699808204&OSSAccessKeyId=ak"
                     "&Signature=jzKYRrM5y6Br0dRFPaTGOsbrDhY%3D"
                     "&security-token=token&versionId=versionId");
            ok(strstr(jstr(v, "expected_url_from_go_test"),
                      "/key%2B123?Expires=1699808204&OSSAccessKeyId=ak"
                      "&Signature=jzKYRrM5y6Br0dRFPaTGOsbrDhY%3D"
                      "&security-token=token&versionId=versionId") != NULL,
               "%s: rebuilt from the published URL", id);

            if (address(&q, NULL) != 0) {
                ok(0, "%s: setup", id);
                req_free(&q);
                continue;
            }

            check_vector(id, &q, 1699808204 - 60, STS_AUTH_V1_PRESIGN, "ak",
                         "token", "sk", jstr(v, "string_to_sign"));
            req_free(&q);
        }
    }

    json_decref(root);
}


/*
 * Tampering with a signed request: v1-put-simple, rebuilt here so each
 * case starts from a request that verifies.
 */

#define SIMPLE_TOKEN                                                          \
    "CAIS8wF1q6Ft5B2yfSjIr5bkKN7WlLZT0aSsNkrXjUUBe+l0rq3ghDz2IHtIe3lvAuEfsf42" \
    "lGtW7/YalrJ6SoVCRl/fYdN8vY9p6l+8BJLFstv9w+cS3tSYe2kX2eU2Ra5AvaRnv8pjxZKq" \
    "QM2pYGJ3h0w="
#define SIMPLE_SECRET  "Gk8pQ2vXh3sR7tYw9zBn4mLc6dFa1jEu"
#define SIMPLE_AUTH                                                           \
    "OSS STS.NUgYrLnoC37mZZCNnAbez2Dmd:ek7HsWxIAUOdQD2pAs5N4m7hHOY="
#define SIMPLE_DATE  "Wed, 15 May 2024 12:30:45 GMT"


static void
simple(req_t *q)
{
    req_init(q, "PUT", "examplebucket.oss-cn-hangzhou.aliyuncs.com",
             "/dir/hello.txt", "");
    req_add(q, "x-oss-date", SIMPLE_DATE);
    req_add(q, "x-oss-security-token", SIMPLE_TOKEN);
    req_add(q, "Content-Type", "text/plain");
    req_add(q, "Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==");
    req_add(q, "Content-Length", "11");
    req_add(q, "authorization", SIMPLE_AUTH);

    if (address(q, NULL) != 0) {
        printf("# addressing failed\n");
    }
}


static void
test_tamper(void)
{
    req_t  q;

    simple(&q);
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_OK, "untouched verifies");

    free(q.key);
    q.key = strdup("dir/hello.txt2");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG, "tampered key");
    req_free(&q);

    simple(&q);
    free(q.bucket);
    q.bucket = strdup("otherbucket");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG, "tampered bucket");
    req_free(&q);

    simple(&q);
    q.r.method = S("DELETE");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG, "tampered method");
    req_free(&q);

    simple(&q);
    q.r.raw_query = S("acl");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "added sub-resource acl");
    req_free(&q);

    simple(&q);
    q.r.raw_query = S("x-oss-process=image%2Fresize");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "added x-oss-* query parameter");
    req_free(&q);

    /* V1 signs sub-resources only: list parameters are not covered */
    simple(&q);
    q.r.raw_query = S("max-keys=5");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_OK,
           "non-sub-resource parameter is not signed in V1");
    req_free(&q);

    simple(&q);
    req_set(&q, "Content-Type", "text/html");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "tampered Content-Type");
    req_free(&q);

    simple(&q);
    req_add(&q, "Content-Type", "text/html");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "second Content-Type");
    req_free(&q);

    simple(&q);
    req_del(&q, "Content-MD5");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "removed Content-MD5");
    req_free(&q);

    simple(&q);
    req_add(&q, "x-oss-meta-evil", "1");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "added x-oss-meta header");
    req_free(&q);

    simple(&q);
    req_add(&q, "x-oss-object-acl", "public-read");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "added x-oss-object-acl header");
    req_free(&q);

    /* unsigned headers may change */
    simple(&q);
    req_set(&q, "Content-Length", "12");
    req_add(&q, "User-Agent", "x");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_OK,
           "headers outside the string to sign may change");
    req_free(&q);

    /* header name case and surrounding blanks do not matter */
    simple(&q);
    req_del(&q, "x-oss-date");
    req_add(&q, "X-OSS-DATE", "  " SIMPLE_DATE "\t");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_OK,
           "x-oss-date name case and blanks");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-date", "Wed, 15 May 2024 12:30:46 GMT");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "date one second later");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-security-token", SIMPLE_TOKEN "x");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "tampered security token");
    req_free(&q);

    /* a Date header is ignored when x-oss-date is present */
    simple(&q);
    req_add(&q, "Date", "Thu, 16 May 2024 12:30:45 GMT");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_OK,
           "x-oss-date wins over Date");
    req_free(&q);
}


static void
test_errors(void)
{
    req_t  q;

    /* no credentials */
    simple(&q);
    req_del(&q, "authorization");
    {
        int                     rc;
        sts_auth_t              auth;
        sts_auth_opts_t         o;
        const sts_oss_error_t  *err;

        o = opts_at(NOW);
        rc = sts_auth_parse(A, &auth, &q.r, &o, &err);
        is_int(rc, STS_OK, "anonymous request parses");
        is_int(auth.kind, STS_AUTH_NONE, "anonymous: kind NONE");
        ok(err == NULL, "anonymous: no error");
        rc = sts_auth_verify(A, &auth, &q.r, S(q.bucket), S(q.key),
                             S(SIMPLE_SECRET), NULL, NULL);
        is_int(rc, STS_EINVAL, "anonymous: nothing to verify");
        sts_auth_free(A, &auth);
    }
    req_free(&q);

    /* malformed Authorization */
    {
        static const char  *bad[] = {
            "OSS", "OSS ", "OSS ak", "OSS :sig", "OSS ak:", "OSS  ak:sig",
            "OSS ak:si g", "OSS ak:sig:x", "oss ak:sig", "OSS2 ak:sig",
            "AWS ak:sig", "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request",
            "Bearer x", "", "OSSak:sig", NULL
        };
        size_t  i;

        for (i = 0; bad[i] != NULL; i++) {
            simple(&q);
            req_set(&q, "authorization", bad[i]);
            check_error(&q, NOW, 0, &sts_err_invalid_argument_auth, bad[i]);
            req_free(&q);
        }
    }

    simple(&q);
    req_add(&q, "Authorization", SIMPLE_AUTH);
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_auth,
                "two Authorization headers");
    req_free(&q);

    /* duplicates of the headers that must be unique */
    simple(&q);
    req_add(&q, "X-Oss-Date", SIMPLE_DATE);
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_auth,
                "two x-oss-date headers");
    req_free(&q);

    simple(&q);
    req_add(&q, "x-oss-security-token", SIMPLE_TOKEN);
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_auth,
                "two x-oss-security-token headers");
    req_free(&q);

    simple(&q);
    req_add(&q, "x-oss-content-sha256", "UNSIGNED-PAYLOAD");
    req_add(&q, "x-oss-content-sha256", "UNSIGNED-PAYLOAD");
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_auth,
                "two x-oss-content-sha256 headers");
    req_free(&q);

    /* conflicting tokens in header and query */
    simple(&q);
    q.r.raw_query = S("security-token=other");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_auth,
                "header and query tokens differ");
    req_free(&q);

    /* date */
    simple(&q);
    req_del(&q, "x-oss-date");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date, "no date");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-date", "20240515T123045Z");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "ISO date in V1");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-date", "Wed, 15 May 2024 12:30:45 UTC");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "not GMT");
    req_free(&q);

    simple(&q);
    req_set(&q, "x-oss-date", "Thu, 15 May 2024 12:30:45 GMT");
    check_error(&q, NOW, STS_EINVAL, &sts_err_missing_date,
                "wrong weekday");
    req_free(&q);

    simple(&q);
    req_del(&q, "x-oss-date");
    req_add(&q, "Date", SIMPLE_DATE);
    {
        /* Date alone is used as the Date line; x-oss-date still signed */
        int                     rc;
        sts_auth_t              auth;
        sts_auth_opts_t         o;
        const sts_oss_error_t  *err;

        o = opts_at(NOW);
        rc = sts_auth_parse(A, &auth, &q.r, &o, &err);
        is_int(rc, STS_OK, "Date header alone parses");
        ok(sts_str_eq(auth.date, SIMPLE_DATE), "Date header is the line");
        rc = sts_auth_verify(A, &auth, &q.r, S(q.bucket), S(q.key),
                             S(SIMPLE_SECRET), NULL, NULL);
        is_int(rc, STS_EBADSIG,
               "x-oss-date removed: its canonical line is missing");
        sts_auth_free(A, &auth);
    }
    req_free(&q);

    /* skew */
    simple(&q);
    is_int(verify_rc(&q, NOW + 900, SIMPLE_SECRET), STS_OK,
           "skew of exactly 15 minutes accepted");
    is_int(verify_rc(&q, NOW - 900, SIMPLE_SECRET), STS_OK,
           "skew of -15 minutes accepted");
    check_error(&q, NOW + 901, STS_EINVAL, &sts_err_time_skewed,
                "request 15 min 1 s old");
    check_error(&q, NOW - 901, STS_EINVAL, &sts_err_time_skewed,
                "request 15 min 1 s in the future");
    req_free(&q);

    /* mixed header and query authentication */
    simple(&q);
    q.r.raw_query = S("OSSAccessKeyId=ak");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "Authorization and OSSAccessKeyId");
    q.r.raw_query = S("Signature=x");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "Authorization and Signature");
    q.r.raw_query = S("x-oss-credential=x");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "Authorization and x-oss-credential");
    req_free(&q);

    /* query errors */
    simple(&q);
    q.r.raw_query = S("acl&acl");
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_query,
                "repeated query parameter");
    q.r.raw_query = S("a=%00");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_query,
                "query with %00");
    req_free(&q);
}


#define P_QUERY_TAIL                                                          \
    "&security-token=CAIS8wF1q6Ft5B2yfSjIr5bkKN7WlLZT0aSsNkrXjUUBe%2Bl0rq3gh" \
    "Dz2IHtIe3lvAuEfsf42lGtW7%2FYalrJ6SoVCRl%2FfYdN8vY9p6l%2B8BJLFstv9w%2BcS" \
    "3tSYe2kX2eU2Ra5AvaRnv8pjxZKqQM2pYGJ3h0w%3D"
#define P_QUERY                                                               \
    "OSSAccessKeyId=STS.NUgYrLnoC37mZZCNnAbez2Dmd&Expires=1715779845"         \
    "&Signature=EzaJSJfG%2FHoz06ny7rYXVEwCdtQ%3D" P_QUERY_TAIL


static void
presign(req_t *q, const char *query)
{
    req_init(q, "GET", "examplebucket.oss-cn-hangzhou.aliyuncs.com",
             "/dir/hello.txt", query);

    if (address(q, NULL) != 0) {
        printf("# addressing failed\n");
    }
}


static void
test_presign_errors(void)
{
    req_t  q;

    presign(&q, P_QUERY);
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_OK, "presign verifies");
    req_free(&q);

    presign(&q, P_QUERY "&acl");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: added sub-resource");
    req_free(&q);

    presign(&q, P_QUERY "&response-content-type=text%2Fhtml");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: added response override");
    req_free(&q);

    presign(&q, P_QUERY);
    q.r.method = S("PUT");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: other method");
    req_free(&q);

    presign(&q, P_QUERY);
    req_add(&q, "Content-Type", "text/html");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: Content-Type added");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.NUgYrLnoC37mZZCNnAbez2Dmd"
                "&Expires=1715779846"
                "&Signature=EzaJSJfG%2FHoz06ny7rYXVEwCdtQ%3D" P_QUERY_TAIL);
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: Expires extended by one second");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.NUgYrLnoC37mZZCNnAbez2Dmd"
                "&Expires=1715779845"
                "&Signature=EzaJSJfG%2FHoz06ny7rYXVEwCdtQ%3D");
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: token removed");
    req_free(&q);

    /* missing parameters */
    presign(&q, "OSSAccessKeyId=STS.x&Expires=1715779845");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_params,
                "presign without Signature");
    req_free(&q);

    presign(&q, "Signature=abc&Expires=1715779845");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_params,
                "presign without OSSAccessKeyId");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.x&Signature=abc");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_params,
                "presign without Expires");
    req_free(&q);

    presign(&q, "Expires=1715779845");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_params,
                "Expires alone");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=&Expires=1715779845&Signature=abc");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_params,
                "presign with empty OSSAccessKeyId");
    req_free(&q);

    /* Expires */
    presign(&q, "OSSAccessKeyId=STS.x&Expires=soon&Signature=abc");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_expires_nan,
                "Expires not a number");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.x&Expires=-5&Signature=abc");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_expires_nan,
                "Expires negative");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.x&Expires=1e9&Signature=abc");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_expires_nan,
                "Expires with exponent");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.x&Expires=99999999999999999999"
                "&Signature=abc");
    check_error(&q, NOW, STS_EINVAL, &sts_err_presign_expires_nan,
                "Expires beyond 64 bits");
    req_free(&q);

    presign(&q, "OSSAccessKeyId=STS.x&Expires=1715776244&Signature=abc");
    check_error(&q, NOW, STS_EEXPIRED, &sts_err_request_expired,
                "Expires in the past");
    req_free(&q);

    /* repeated presign parameter */
    presign(&q, P_QUERY "&Expires=1715779845");
    check_error(&q, NOW, STS_EDUP, &sts_err_invalid_argument_query,
                "repeated Expires");
    req_free(&q);

    /* V1 and V4 presign parameters together */
    presign(&q, P_QUERY "&x-oss-signature=00");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "V1 and V4 presign together");
    req_free(&q);

    /* presign plus Authorization header */
    presign(&q, P_QUERY);
    req_add(&q, "Authorization", SIMPLE_AUTH);
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_mixed,
                "presign with Authorization header");
    req_free(&q);

    /* the same token as header and query is fine; another is not */
    presign(&q, P_QUERY);
    req_add(&q, "x-oss-security-token", SIMPLE_TOKEN);
    is_int(verify_rc(&q, NOW, SIMPLE_SECRET), STS_EBADSIG,
           "presign: token header added (signed as x-oss-*)");
    req_set(&q, "x-oss-security-token", "other");
    check_error(&q, NOW, STS_EINVAL, &sts_err_invalid_argument_auth,
                "presign: query and header tokens differ");
    req_free(&q);
}


/* a client-signed request verifies on the server side */

static void
test_roundtrip(void)
{
    int                     rc;
    req_t                   q;
    sts_buf_t               b;
    sts_sign_creds_t        creds;

    creds.access_key_id = S("STS.test");
    creds.secret = S("secret-for-test");
    creds.security_token = S("tok+en/=");
    creds.region = S(NULL);

    /* service level, bucket level, and a key with reserved characters */
    req_init(&q, "GET", "oss-cn-hangzhou.aliyuncs.com", "/", "");
    req_add(&q, "x-oss-date", SIMPLE_DATE);
    q.bucket = strdup("");
    q.key = strdup("");

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_header(&b, &q.r, S(""), S(""), &creds);
    is_int(rc, STS_OK, "sign service-level request");
    req_add(&q, "Authorization", b.data);
    is_int(verify_rc(&q, NOW, "secret-for-test"), STS_OK,
           "service-level request verifies");
    {
        sts_buf_t               sts;
        sts_auth_t              auth;
        sts_auth_opts_t         o;
        const sts_oss_error_t  *err;

        o = opts_at(NOW);
        rc = sts_auth_parse(A, &auth, &q.r, &o, &err);
        sts_buf_init(&sts, A, 0);
        rc = sts_sign_v1_string_to_sign(&sts, &q.r, &auth.params, S(""),
                                        S(""), auth.date);
        is_str(sts.data, "GET\n\n\n" SIMPLE_DATE "\nx-oss-date:"
               SIMPLE_DATE "\n/", "service-level resource is /");
        sts_buf_free(&sts);
        sts_auth_free(A, &auth);
    }
    sts_buf_free(&b);
    req_free(&q);

    req_init(&q, "GET", "b.example.com", "/", "uploads&prefix=a%2F");
    req_add(&q, "x-oss-date", SIMPLE_DATE);
    q.bucket = strdup("b");
    q.key = strdup("");
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_header(&b, &q.r, S("b"), S(""), &creds);
    is_int(rc, STS_OK, "sign bucket-level request");
    req_add(&q, "Authorization", b.data);
    is_int(verify_rc(&q, NOW, "secret-for-test"), STS_OK,
           "bucket-level request verifies");
    sts_buf_free(&b);
    req_free(&q);

    /* presign with a query and a token: the token is signed */
    req_init(&q, "GET", "b.example.com", "/a%20b%2Bc", "versionId=v%2B1");
    q.bucket = strdup("b");
    q.key = strdup("a b+c");
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_presign(&b, &q.r, S("b"), S("a b+c"), &creds,
                             NOW + 60);
    is_int(rc, STS_OK, "presign with query and token");
    q.r.raw_query = S(b.data);
    is_int(verify_rc(&q, NOW, "secret-for-test"), STS_OK,
           "client presigned URL verifies");
    ok(strstr(b.data, "&security-token=tok%2Ben%2F%3D") != NULL,
       "token encoded in the URL");
    sts_buf_free(&b);

    /* presign refuses a query that already carries a presign parameter */
    q.r.raw_query = S("Expires=5");
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_presign(&b, &q.r, S("b"), S("a b+c"), &creds,
                             NOW + 60);
    is_int(rc, STS_EINVAL, "presign of a presigned query refused");
    sts_buf_free(&b);

    /* header signing needs a date */
    q.r.raw_query = S("");
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_header(&b, &q.r, S("b"), S("a b+c"), &creds);
    is_int(rc, STS_EINVAL, "header signing without a date refused");
    sts_buf_free(&b);

    creds.secret = S("");
    req_add(&q, "Date", SIMPLE_DATE);
    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_header(&b, &q.r, S("b"), S("a b+c"), &creds);
    is_int(rc, STS_EINVAL, "empty secret refused");
    sts_buf_free(&b);
    req_free(&q);
}


/* canonicalisation details (doc/protocol.md 1.4-1.6) */

static void
test_canonical(void)
{
    int           rc;
    req_t         q;
    sts_buf_t     b;
    sts_params_t  p;

    req_init(&q, "POST", "b.example.com", "/k",
             "uploadId=1&partNumber=2&prefix=x&acl=&x-oss-ac-test=1"
             "&X-Oss-Upper=1&response-expires=Thu%2C%2001&position=0");
    req_add(&q, "X-OSS-Meta-B", " two  words ");
    req_add(&q, "x-oss-meta-a", "1");
    req_add(&q, "x-oss-meta-b", "second");
    req_add(&q, "x-oss-meta-empty", "");
    req_add(&q, "Content-Type", "a/b");
    req_add(&q, "content-type", "c/d");

    rc = sts_query_parse(A, q.r.raw_query, &p);
    is_int(rc, STS_OK, "canonical: query parses");

    sts_buf_init(&b, A, 0);
    rc = sts_sign_v1_string_to_sign(&b, &q.r, &p, S("b"), S("k"),
                                    S("DATE"));
    is_int(rc, STS_OK, "canonical: built");
    is_str(b.data,
           "POST\n\na/b,c/d\nDATE\n"
           "x-oss-meta-a:1\n"
           "x-oss-meta-b:two  words,second\n"
           "x-oss-meta-empty:\n"
           "/b/k?acl&partNumber=2&position=0&response-expires=Thu, 01"
           "&uploadId=1&x-oss-ac-test=1",
           "canonical: headers joined, sub-resources filtered and sorted");
    sts_buf_free(&b);
    sts_free(A, p.items);

    ok(sts_sign_v1_is_subresource(S("continuation-token")),
       "continuation-token is a sub-resource");
    ok(sts_sign_v1_is_subresource(S("x-oss-traffic-limit")),
       "x-oss- prefix is a sub-resource");
    ok(!sts_sign_v1_is_subresource(S("X-Oss-Traffic-Limit")),
       "prefix rule is case-sensitive");
    ok(!sts_sign_v1_is_subresource(S("max-keys")), "max-keys is not");
    ok(!sts_sign_v1_is_subresource(S("Signature")), "Signature is not");
    ok(!sts_sign_v1_is_subresource(S("OSSAccessKeyId")),
       "OSSAccessKeyId is not");
    ok(!sts_sign_v1_is_subresource(S("ACL")), "names are case-sensitive");

    req_free(&q);
}


/* the authentication parameters leave the query, whatever the form */
static void
test_strip_query(void)
{
    size_t      i;
    sts_str_t   raw, out;

    static const struct {
        const char  *in;
        const char  *out;      /* NULL: the input itself, untouched */
    } cases[] = {
        { "", NULL },
        { "max-keys=1&&prefix=a%2Fb", NULL },
        { "acl", NULL },
        { "OSSAccessKeyId=STS.a&Expires=1&Signature=s%2B&security-token=t",
          "" },
        { "uploads&security-token=t", "uploads" },
        { "x-oss-security-token=t&partNumber=1&uploadId=u",
          "partNumber=1&uploadId=u" },
        { "x-oss-credential=c&x-oss-date=d&x-oss-expires=60"
          "&x-oss-signature-version=OSS4-HMAC-SHA256"
          "&x-oss-additional-headers=host&x-oss-signature=s"
          "&response-content-type=a%2Fb",
          "response-content-type=a%2Fb" },
        { "x-sts-max-uses=2&a=1", "a=1" },
        { "a=1&&x-sts-max-uses=2&&b", "a=1&b" },
        { "Sign%61ture=s&b=%41", "b=%41" },
        { "security%2Dtoken=t&c", "c" },
        { "signature=s&Security-Token=t", NULL },
        { "x-oss-signaturex=1", NULL },
        { NULL, NULL }
    };

    for (i = 0; cases[i].in != NULL; i++) {
        raw.data = cases[i].in;
        raw.len = strlen(cases[i].in);

        if (sts_auth_strip_query(&sts_malloc_allocator, raw, &out)
            != STS_OK)
        {
            ok(0, "strip \"%s\"", cases[i].in);
            continue;
        }

        if (cases[i].out == NULL) {
            ok(out.data == raw.data && out.len == raw.len,
               "strip \"%s\": untouched", cases[i].in);
            continue;
        }

        ok(out.len == strlen(cases[i].out)
           && memcmp(out.data, cases[i].out, out.len) == 0,
           "strip \"%s\" -> \"%s\" (got \"%.*s\")", cases[i].in,
           cases[i].out, (int) out.len, out.data);

        if (out.len) {
            sts_free(&sts_malloc_allocator, (void *) out.data);
        }
    }

    raw.data = "a=1&%zz=2&Signature=s";
    raw.len = strlen(raw.data);
    ok(sts_auth_strip_query(&sts_malloc_allocator, raw, &out) == STS_EINVAL,
       "a bad escape in a name is refused");

    raw.data = "x-sts-max-uses";
    raw.len = strlen(raw.data);
    ok(sts_auth_is_param(raw), "x-sts-max-uses is the gateway's own");
    raw.data = "OSSAccessKeyID";
    raw.len = strlen(raw.data);
    ok(!sts_auth_is_param(raw), "names are case-sensitive");
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
    test_roundtrip();
    test_canonical();
    test_strip_query();

    return tap_done();
}
