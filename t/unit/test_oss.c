/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_oss (addressing, request -> actions/ARNs) and the
 * OSS error document of sts_error.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_oss.h"
#include "tap.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}


/* classify METHOD TARGET with HOST under CONF; returns the status */
static int
classify(const sts_oss_conf_t *conf, const char *method, const char *target,
    const char *host, const sts_header_t *h, size_t nh, sts_oss_op_t *op,
    const sts_oss_error_t **err)
{
    int                 rc;
    const char         *q;
    sts_params_t        params;
    sts_http_request_t  r;

    memset(&r, 0, sizeof(r));
    r.method = S(method);
    r.host = S(host);
    q = strchr(target, '?');
    r.raw_path.data = target;
    r.raw_path.len = q ? (size_t) (q - target) : strlen(target);
    r.raw_query = S(q ? q + 1 : "");
    r.headers = h;
    r.num_headers = nh;

    rc = sts_query_parse(A, r.raw_query, &params);
    if (rc != STS_OK) {
        return rc;
    }

    /* memory is left to the process: a short-lived test */
    return sts_oss_classify(A, conf, &r, &params, op, err);
}


static int
grant_is(const sts_oss_op_t *op, size_t i, const char *action,
    const char *resource)
{
    return i < op->num_grants && strcmp(op->grants[i].action, action) == 0
           && op->grants[i].resource.len == strlen(resource)
           && memcmp(op->grants[i].resource.data, resource,
                     strlen(resource)) == 0;
}


static void
test_path(void)
{
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    sts_header_t            h[2];
    const sts_oss_error_t  *err;

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_PATH;
    c.account = S("1234");

    ok(classify(&c, "GET", "/b-1/dir/a%20b.txt", "h", NULL, 0, &op, &err)
       == STS_OK && grant_is(&op, 0, "oss:GetObject",
                             "acs:oss:*:1234:b-1/dir/a b.txt")
       && op.num_grants == 1 && strcmp(op.api, "GetObject") == 0,
       "GET object, key decoded");

    ok(classify(&c, "HEAD", "/b-1/k?versionId=v1", "h", NULL, 0, &op, &err)
       == STS_OK && grant_is(&op, 0, "oss:GetObject", "acs:oss:*:1234:b-1/k")
       && grant_is(&op, 1, "oss:GetObjectVersion", "acs:oss:*:1234:b-1/k"),
       "HEAD with versionId needs the version action too");

    ok(classify(&c, "PUT", "/b-1/k", "h", NULL, 0, &op, &err) == STS_OK
       && grant_is(&op, 0, "oss:PutObject", "acs:oss:*:1234:b-1/k")
       && op.num_grants == 1, "PUT object");

    ok(classify(&c, "DELETE", "/b-1/k", "h", NULL, 0, &op, &err) == STS_OK
       && grant_is(&op, 0, "oss:DeleteObject", "acs:oss:*:1234:b-1/k"),
       "DELETE object");

    ok(classify(&c, "GET", "/b-1/?prefix=a%2F&delimiter=%2F", "h", NULL, 0,
                &op, &err) == STS_OK
       && grant_is(&op, 0, "oss:ListObjects", "acs:oss:*:1234:b-1")
       && strcmp(op.api, "ListObjects") == 0, "list bucket");

    ok(classify(&c, "GET", "/", "h", NULL, 0, &op, &err) == STS_OK
       && grant_is(&op, 0, "oss:ListBuckets", "acs:oss:*:1234:*"),
       "list buckets");

    h[0].name = S("x-oss-copy-source");
    h[0].value = S("/src-b/a%2Fb%20c.txt");
    ok(classify(&c, "PUT", "/b-1/k", "h", h, 1, &op, &err) == STS_OK
       && strcmp(op.api, "CopyObject") == 0
       && grant_is(&op, 0, "oss:PutObject", "acs:oss:*:1234:b-1/k")
       && grant_is(&op, 1, "oss:GetObject", "acs:oss:*:1234:src-b/a/b c.txt"),
       "copy needs GetObject on the decoded source");

    h[0].value = S("/src-b/../x");
    ok(classify(&c, "PUT", "/b-1/k", "h", h, 1, &op, &err) == STS_EINVAL
       && err == &sts_err_invalid_object_name, "copy source dot segment");

    h[0].value = S("/src-b/k?versionId=3");
    ok(classify(&c, "PUT", "/b-1/k", "h", h, 1, &op, &err) == STS_OK
       && grant_is(&op, 2, "oss:GetObjectVersion", "acs:oss:*:1234:src-b/k"),
       "versioned copy source");

    h[0].name = S("x-oss-tagging");
    h[0].value = S("a=b");
    ok(classify(&c, "PUT", "/b-1/k", "h", h, 1, &op, &err) == STS_OK
       && grant_is(&op, 1, "oss:PutObjectTagging", "acs:oss:*:1234:b-1/k"),
       "tagging on upload");

    ok(classify(&c, "PUT", "/b-1/k?frobnicate", "h", NULL, 0, &op, &err)
       == STS_EINVAL && err == &sts_err_unsupported_operation,
       "unknown sub-resource refused, not guessed");
    ok(classify(&c, "GET", "/b-1/k?x-oss-process=style/s1", "h", NULL, 0,
                &op, &err) == STS_EINVAL, "x-oss-process style refused");
    ok(classify(&c, "POST", "/b-1/k", "h", NULL, 0, &op, &err)
       == STS_EINVAL, "POST object refused");
    ok(classify(&c, "PUT", "/b-1/", "h", NULL, 0, &op, &err) == STS_EINVAL,
       "PutBucket refused");

    ok(classify(&c, "GET", "/Bad_b/k", "h", NULL, 0, &op, &err) == STS_EINVAL
       && err == &sts_err_invalid_bucket_name, "bad bucket name");
    ok(classify(&c, "GET", "/b-1/a/./k", "h", NULL, 0, &op, &err)
       == STS_EINVAL && err == &sts_err_invalid_object_name, "dot segment");
    ok(classify(&c, "GET", "/b-1/a/%2e%2e/k", "h", NULL, 0, &op, &err)
       == STS_EINVAL && err == &sts_err_invalid_object_name,
       "encoded dot-dot segment");
    ok(classify(&c, "GET", "/b-1/a..b/.k", "h", NULL, 0, &op, &err)
       == STS_OK, "dots inside a segment are fine");
    ok(classify(&c, "GET", "/b-1/%00", "h", NULL, 0, &op, &err)
       == STS_EINVAL, "NUL in key refused");
    h[0].name = S("Origin");
    h[0].value = S("https://app.example.com");
    h[1].name = S("Access-Control-Request-Method");
    h[1].value = S("PUT");
    ok(classify(&c, "OPTIONS", "/b-1/k", "h", h, 2, &op, &err) == STS_OK
       && op.num_grants == 0, "preflight maps to nothing");
}


/* a method override would make the store act on another operation */
static void
test_method_override(void)
{
    size_t                  i;
    sts_header_t            h[3];
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;

    static const char  *names[] = {
        "X-HTTP-Method-Override", "x-method-override", "X-Http-Method", NULL
    };

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_PATH;

    for (i = 0; names[i] != NULL; i++) {
        h[0].name = S(names[i]);
        h[0].value = S("DELETE");

        err = NULL;
        ok(classify(&c, "GET", "/b-1/k", "h", h, 1, &op, &err) == STS_EINVAL
           && err == &sts_err_method_override, "%s refused", names[i]);

        h[1].name = S("Origin");
        h[1].value = S("https://app.example.com");
        h[2].name = S("Access-Control-Request-Method");
        h[2].value = S("PUT");

        err = NULL;
        ok(classify(&c, "OPTIONS", "/b-1/k", "h", h, 3, &op, &err)
           == STS_EINVAL && err == &sts_err_method_override,
           "%s refused on a preflight", names[i]);
    }

    h[0].name = S("X-HTTP-Method-Overrides");
    h[0].value = S("DELETE");
    ok(classify(&c, "GET", "/b-1/k", "h", h, 1, &op, &err) == STS_OK,
       "a longer name is another header");
}


static void
test_vhost(void)
{
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_VHOST;
    c.domain = S("oss.example.com");

    ok(classify(&c, "GET", "/k/x", "b-1.oss.example.com:8080", NULL, 0, &op,
                &err) == STS_OK
       && grant_is(&op, 0, "oss:GetObject", "acs:oss:*:*:b-1/k/x"),
       "vhost bucket from Host, port ignored, account *");
    ok(classify(&c, "GET", "/", "OSS.example.COM", NULL, 0, &op, &err)
       == STS_OK && strcmp(op.api, "ListBuckets") == 0,
       "service host, case-insensitive");
    ok(classify(&c, "GET", "/k", "b-1.evil.com", NULL, 0, &op, &err)
       == STS_EINVAL && err == &sts_err_no_such_bucket,
       "Host outside the domain");
    ok(classify(&c, "GET", "/k", "a.b.oss.example.com", NULL, 0, &op, &err)
       == STS_EINVAL && err == &sts_err_invalid_bucket_name,
       "dotted bucket label refused");

    /* no Host at all, as { NULL, 0 } (found by fuzz_oss under UBSan) */
    {
        sts_str_t           b, k;
        sts_http_request_t  r;

        memset(&r, 0, sizeof(r));
        r.method = S("GET");
        r.raw_path = S("/k");
        ok(sts_oss_locate(A, &c, &r, &b, &k, &err) == STS_EINVAL
           && err == &sts_err_no_such_bucket, "no Host: NoSuchBucket");
    }

    c.mode = STS_ADDR_BUCKET;
    c.bucket = S("fixed-b");
    ok(classify(&c, "GET", "/p/k", "any", NULL, 0, &op, &err) == STS_OK
       && grant_is(&op, 0, "oss:GetObject", "acs:oss:*:*:fixed-b/p/k"),
       "fixed bucket");
}


static void
test_error_xml(void)
{
    sts_buf_t          b;
    sts_error_field_t  f[1];

    sts_buf_init(&b, A, 0);
    f[0].name = "StringToSign";
    f[0].value = S("GET\n<&>");
    ok(sts_error_xml(&b, &sts_err_signature_mismatch, S("0123"),
                     S("h&1"), f, 1) == STS_OK, "error xml renders");
    ok(strstr(b.data, "<Code>SignatureDoesNotMatch</Code>") != NULL
       && strstr(b.data, "<HostId>h&amp;1</HostId>") != NULL
       && strstr(b.data, "<StringToSign>GET\n&lt;&amp;&gt;</StringToSign>")
          != NULL && strncmp(b.data, "<?xml", 5) == 0,
       "error xml escapes and keeps line feeds");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    ok(sts_error_hex_bytes(&b, S("GE\n")) == STS_OK
       && strcmp(b.data, "47 45 0A ") == 0, "StringToSignBytes form");
    sts_buf_free(&b);

    {
        char  id[STS_REQUEST_ID_LEN + 1], id2[STS_REQUEST_ID_LEN + 1];

        sts_request_id(id);
        sts_request_id(id2);
        ok(strlen(id) == 24 && strspn(id, "0123456789ABCDEF") == 24
           && strcmp(id, id2) != 0, "request ids: 24 upper hex, random");
    }
}


int
main(void)
{
    test_path();
    test_method_override();
    test_vhost();
    test_error_xml();

    return tap_done();
}
