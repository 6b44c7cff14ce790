/*
 * Copyright (C) nginx-sts authors
 */

#include <string.h>
#include <strings.h>

#include "sts_oss.h"


/*
 * Query parameters that do not change which API a request is: listing
 * parameters, response header overrides, and the parameters of the
 * authentication forms themselves.  Any other parameter names a
 * sub-resource this gateway does not map yet, and the request is refused.
 */
static const char  *sts_oss_plain_params[] = {
    "prefix", "marker", "max-keys", "delimiter", "encoding-type",
    "list-type", "start-after", "continuation-token", "fetch-owner",
    "response-content-type", "response-content-language",
    "response-expires", "response-cache-control",
    "response-content-disposition", "response-content-encoding",
    "versionId",
    "OSSAccessKeyId", "Expires", "Signature", "security-token",
    "x-oss-signature-version", "x-oss-credential", "x-oss-date",
    "x-oss-expires", "x-oss-signature", "x-oss-additional-headers",
    "x-oss-security-token",
    NULL
};


int
sts_oss_is_valid_bucket(sts_str_t b)
{
    size_t  i;
    char    c;

    if (b.len < 3 || b.len > 63) {
        return 0;
    }

    for (i = 0; i < b.len; i++) {
        c = b.data[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }
    }

    return b.data[0] != '-' && b.data[b.len - 1] != '-';
}


int
sts_oss_is_valid_key(sts_str_t k)
{
    size_t       i, start;
    const char  *seg;

    if (k.len < 1 || k.len > 1023 || k.data[0] == '/' || k.data[0] == '\\') {
        return 0;
    }

    /*
     * Stricter than OSS: a "." or ".." path segment is refused, because a
     * backend that normalises paths would serve another object than the
     * one the policy was evaluated for.
     */
    start = 0;
    for (i = 0; i <= k.len; i++) {
        if (i < k.len && k.data[i] != '/') {
            continue;
        }

        seg = k.data + start;
        if ((i - start == 1 && seg[0] == '.')
            || (i - start == 2 && seg[0] == '.' && seg[1] == '.'))
        {
            return 0;
        }

        start = i + 1;
    }

    return 1;
}


static int
sts_oss_split(const sts_allocator_t *a, sts_str_t path, int with_bucket,
    sts_str_t *bucket, sts_str_t *key, const sts_oss_error_t **err)
{
    int         rc;
    const char  *slash;
    sts_str_t    decoded;

    rc = sts_percent_decode(a, path, 0, &decoded);
    if (rc != STS_OK) {
        *err = (rc == STS_ENOMEM) ? NULL : &sts_err_invalid_object_name;
        return rc;
    }

    if (decoded.len == 0 || decoded.data[0] != '/') {
        *err = &sts_err_invalid_object_name;
        return STS_EINVAL;
    }

    decoded.data++;
    decoded.len--;

    if (!with_bucket) {
        *key = decoded;
        return STS_OK;
    }

    slash = memchr(decoded.data, '/', decoded.len);
    if (slash == NULL) {
        bucket->data = decoded.data;
        bucket->len = decoded.len;
        key->data = decoded.data + decoded.len;
        key->len = 0;

    } else {
        bucket->data = decoded.data;
        bucket->len = (size_t) (slash - decoded.data);
        key->data = slash + 1;
        key->len = decoded.len - bucket->len - 1;
    }

    return STS_OK;
}


int
sts_oss_locate(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_http_request_t *r, sts_str_t *bucket, sts_str_t *key,
    const sts_oss_error_t **err)
{
    int          rc;
    size_t       n;
    sts_str_t    host;
    const char  *colon;

    *err = NULL;
    bucket->len = 0;
    bucket->data = "";
    key->len = 0;
    key->data = "";

    switch (conf->mode) {

    case STS_ADDR_PATH:
        rc = sts_oss_split(a, r->raw_path, 1, bucket, key, err);
        break;

    case STS_ADDR_BUCKET:
        *bucket = conf->bucket;
        rc = sts_oss_split(a, r->raw_path, 0, bucket, key, err);
        break;

    default: /* STS_ADDR_VHOST */
        host = r->host;
        colon = memchr(host.data, ':', host.len);
        if (colon != NULL) {
            host.len = (size_t) (colon - host.data);
        }

        n = conf->domain.len;

        if (host.len == n && n
            && strncasecmp(host.data, conf->domain.data, n) == 0)
        {
            /* the service host itself: no bucket */
            rc = sts_oss_split(a, r->raw_path, 0, bucket, key, err);
            if (rc == STS_OK && key->len) {
                *err = &sts_err_no_such_bucket;
                return STS_EINVAL;
            }

            return rc;
        }

        if (host.len <= n + 1 || host.data[host.len - n - 1] != '.'
            || strncasecmp(host.data + host.len - n, conf->domain.data, n)
               != 0)
        {
            *err = &sts_err_no_such_bucket;
            return STS_EINVAL;
        }

        bucket->data = host.data;
        bucket->len = host.len - n - 1;
        rc = sts_oss_split(a, r->raw_path, 0, bucket, key, err);
        break;
    }

    if (rc != STS_OK) {
        return rc;
    }

    if (bucket->len && !sts_oss_is_valid_bucket(*bucket)) {
        *err = &sts_err_invalid_bucket_name;
        return STS_EINVAL;
    }

    if (bucket->len == 0 && key->len) {
        *err = &sts_err_invalid_bucket_name;
        return STS_EINVAL;
    }

    if (key->len && !sts_oss_is_valid_key(*key)) {
        *err = &sts_err_invalid_object_name;
        return STS_EINVAL;
    }

    return STS_OK;
}


int
sts_oss_arn(const sts_allocator_t *a, sts_str_t account, sts_str_t bucket,
    sts_str_t key, sts_str_t *out)
{
    sts_buf_t  b;

    sts_buf_init(&b, a, 0);
    sts_buf_append_str(&b, "acs:oss:*:");

    if (account.len) {
        sts_buf_append(&b, account.data, account.len);
    } else {
        sts_buf_append_char(&b, '*');
    }

    sts_buf_append_char(&b, ':');

    if (bucket.len == 0) {
        sts_buf_append_char(&b, '*');

    } else {
        sts_buf_append(&b, bucket.data, bucket.len);
        if (key.len) {
            sts_buf_append_char(&b, '/');
            sts_buf_append(&b, key.data, key.len);
        }
    }

    if (sts_buf_ok(&b) != STS_OK) {
        sts_buf_free(&b);
        return STS_ENOMEM;
    }

    out->data = b.data;
    out->len = b.len;

    return STS_OK;
}


static int
sts_oss_grant(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, const char *action, sts_str_t bucket, sts_str_t key)
{
    sts_oss_grant_t  *g;

    if (op->num_grants == STS_OSS_MAX_GRANTS) {
        return STS_ETOOBIG;
    }

    g = &op->grants[op->num_grants];
    g->action = action;

    if (sts_oss_arn(a, conf->account, bucket, key, &g->resource) != STS_OK) {
        return STS_ENOMEM;
    }

    op->num_grants++;

    return STS_OK;
}


/*
 * x-oss-copy-source: "/" bucket "/" urlencoded-key ["?versionId=" v].
 * The source is decoded once and validated like a request path.
 */
static int
sts_oss_copy_source(const sts_allocator_t *a, sts_str_t v, sts_str_t *bucket,
    sts_str_t *key, int *versioned, const sts_oss_error_t **err)
{
    int         rc;
    const char  *q;
    sts_str_t    path;

    *versioned = 0;
    path = v;

    q = memchr(v.data, '?', v.len);
    if (q != NULL) {
        path.len = (size_t) (q - v.data);
        if (v.len - path.len <= sizeof("?versionId=") - 1
            || strncmp(q, "?versionId=", sizeof("?versionId=") - 1) != 0)
        {
            *err = &sts_err_invalid_argument_query;
            return STS_EINVAL;
        }

        *versioned = 1;
    }

    rc = sts_oss_split(a, path, 1, bucket, key, err);
    if (rc != STS_OK) {
        return rc;
    }

    if (!sts_oss_is_valid_bucket(*bucket)) {
        *err = &sts_err_invalid_bucket_name;
        return STS_EINVAL;
    }

    if (!sts_oss_is_valid_key(*key)) {
        *err = &sts_err_invalid_object_name;
        return STS_EINVAL;
    }

    return STS_OK;
}


int
sts_oss_classify(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_http_request_t *r, const sts_params_t *q, sts_oss_op_t *out,
    const sts_oss_error_t **err)
{
    int                  rc, versioned, src_versioned;
    size_t               i, j, count;
    sts_str_t            m, sb, sk;
    const sts_header_t  *h;

    memset(out, 0, sizeof(*out));
    *err = NULL;

    rc = sts_oss_locate(a, conf, r, &out->bucket, &out->key, err);
    if (rc != STS_OK) {
        return rc;
    }

    for (i = 0; i < q->num; i++) {
        for (j = 0; sts_oss_plain_params[j] != NULL; j++) {
            if (sts_str_eq(q->items[i].name, sts_oss_plain_params[j])) {
                break;
            }
        }

        if (sts_oss_plain_params[j] == NULL) {
            *err = &sts_err_unsupported_operation;
            return STS_EINVAL;
        }
    }

    versioned = sts_params_get(q, "versionId") != NULL;
    m = r->method;

    if (sts_str_eq(m, "OPTIONS")) {
        out->api = "Options";
        return STS_OK;
    }

    if (out->bucket.len == 0) {
        if (sts_str_eq(m, "GET")) {
            out->api = "ListBuckets";
            return sts_oss_grant(a, conf, out, "oss:ListBuckets",
                                 out->bucket, out->key);
        }

        *err = &sts_err_unsupported_operation;
        return STS_EINVAL;
    }

    if (out->key.len == 0) {
        if (sts_str_eq(m, "GET") && !versioned) {
            out->api = "ListObjects";
            return sts_oss_grant(a, conf, out, "oss:ListObjects",
                                 out->bucket, out->key);
        }

        *err = &sts_err_unsupported_operation;
        return STS_EINVAL;
    }

    if (sts_str_eq(m, "GET") || sts_str_eq(m, "HEAD")) {
        out->api = sts_str_eq(m, "GET") ? "GetObject" : "HeadObject";
        rc = sts_oss_grant(a, conf, out, "oss:GetObject", out->bucket,
                           out->key);
        if (rc == STS_OK && versioned) {
            rc = sts_oss_grant(a, conf, out, "oss:GetObjectVersion",
                               out->bucket, out->key);
        }

        return rc;
    }

    if (sts_str_eq(m, "DELETE")) {
        out->api = "DeleteObject";
        rc = sts_oss_grant(a, conf, out, "oss:DeleteObject", out->bucket,
                           out->key);
        if (rc == STS_OK && versioned) {
            rc = sts_oss_grant(a, conf, out, "oss:DeleteObjectVersion",
                               out->bucket, out->key);
        }

        return rc;
    }

    if (sts_str_eq(m, "PUT") && !versioned) {
        out->api = "PutObject";
        rc = sts_oss_grant(a, conf, out, "oss:PutObject", out->bucket,
                           out->key);

        if (rc == STS_OK && sts_http_header(r, "x-oss-tagging", NULL)) {
            rc = sts_oss_grant(a, conf, out, "oss:PutObjectTagging",
                               out->bucket, out->key);
        }

        h = sts_http_header(r, "x-oss-copy-source", &count);
        if (rc != STS_OK || h == NULL) {
            return rc;
        }

        if (count > 1) {
            *err = &sts_err_invalid_argument_query;
            return STS_EINVAL;
        }

        /* CopyObject: the source is read, and must be readable too */
        out->api = "CopyObject";
        rc = sts_oss_copy_source(a, sts_str_trim(h->value), &sb, &sk,
                                 &src_versioned, err);
        if (rc != STS_OK) {
            return rc;
        }

        rc = sts_oss_grant(a, conf, out, "oss:GetObject", sb, sk);
        if (rc == STS_OK && src_versioned) {
            rc = sts_oss_grant(a, conf, out, "oss:GetObjectVersion", sb, sk);
        }

        return rc;
    }

    *err = &sts_err_unsupported_operation;

    return STS_EINVAL;
}
