/*
 * Copyright (C) nginx-sts authors
 *
 * sts_s3: OSS to S3 request and response mapping, AWS Signature Version 4,
 * S3 error documents and the backend credentials file (sts_s3.h).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/err.h>

#include <jansson.h>

#include "sts_s3.h"
#include "sts_sign.h"


/* OSS APIs forwarded by the s3 connector: same operation, same documents */
static const char  *sts_s3_apis[] = {
    "ListBuckets", "ListObjects", "ListObjectsV2", "ListObjectVersions",
    "ListMultipartUploads", "GetBucketLocation", "PutBucket",
    "DeleteBucket", "GetBucketCors", "PutBucketCors", "DeleteBucketCors",
    "GetBucketVersioning", "PutBucketVersioning", "GetBucketTagging",
    "PutBucketTagging", "DeleteBucketTagging",
    "GetObject", "HeadObject", "GetObjectMeta", "PutObject", "CopyObject",
    "DeleteObject", "DeleteMultipleObjects", "InitiateMultipartUpload",
    "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
    "AbortMultipartUpload", "ListParts", "GetObjectTagging",
    "PutObjectTagging", "DeleteObjectTagging", "PutObjectAcl",
    NULL
};


/* a value in one vocabulary and its twin in the other */
typedef struct {
    const char  *oss;
    const char  *s3;
} sts_s3_pair_t;


static const sts_s3_pair_t  sts_s3_storage_classes[] = {
    { "Standard", "STANDARD" },
    { "IA", "STANDARD_IA" },
    { "Archive", "GLACIER" },
    { "ColdArchive", "DEEP_ARCHIVE" },
    { NULL, NULL }
};


static const sts_s3_pair_t  sts_s3_acls[] = {
    { "private", "private" },
    { "public-read", "public-read" },
    { "public-read-write", "public-read-write" },
    { NULL, NULL }
};


static const sts_s3_pair_t  sts_s3_encryptions[] = {
    { "AES256", "AES256" },
    { "KMS", "aws:kms" },
    { NULL, NULL }
};


static const sts_s3_pair_t  sts_s3_directives[] = {
    { "COPY", "COPY" },
    { "REPLACE", "REPLACE" },
    { NULL, NULL }
};


static const sts_s3_pair_t  sts_s3_payers[] = {
    { "requester", "requester" },
    { NULL, NULL }
};


typedef enum {
    STS_S3_V_SAME = 0,        /* value unchanged */
    STS_S3_V_PAIRS,           /* translated through |pairs| */
    STS_S3_V_COPY_SOURCE,     /* "/bucket/<encoded key>[?versionId=..]" */
    STS_S3_V_FALSE_ONLY       /* "false" is dropped, anything else refused */
} sts_s3_value_e;


typedef struct {
    const char           *oss;      /* lower case */
    const char           *s3;       /* NULL: dropped */
    sts_s3_value_e        value;
    const sts_s3_pair_t  *pairs;
} sts_s3_header_map_t;


/* request headers with a twin, or dropped; other x-oss-* are refused */
static const sts_s3_header_map_t  sts_s3_request_headers[] = {
    { "x-oss-copy-source", "x-amz-copy-source", STS_S3_V_COPY_SOURCE,
      NULL },
    { "x-oss-copy-source-range", "x-amz-copy-source-range", STS_S3_V_SAME,
      NULL },
    { "x-oss-copy-source-if-match", "x-amz-copy-source-if-match",
      STS_S3_V_SAME, NULL },
    { "x-oss-copy-source-if-none-match", "x-amz-copy-source-if-none-match",
      STS_S3_V_SAME, NULL },
    { "x-oss-copy-source-if-unmodified-since",
      "x-amz-copy-source-if-unmodified-since", STS_S3_V_SAME, NULL },
    { "x-oss-copy-source-if-modified-since",
      "x-amz-copy-source-if-modified-since", STS_S3_V_SAME, NULL },
    { "x-oss-metadata-directive", "x-amz-metadata-directive",
      STS_S3_V_PAIRS, sts_s3_directives },
    { "x-oss-tagging-directive", "x-amz-tagging-directive",
      STS_S3_V_PAIRS, sts_s3_directives },
    { "x-oss-object-acl", "x-amz-acl", STS_S3_V_PAIRS, sts_s3_acls },
    { "x-oss-storage-class", "x-amz-storage-class", STS_S3_V_PAIRS,
      sts_s3_storage_classes },
    { "x-oss-server-side-encryption", "x-amz-server-side-encryption",
      STS_S3_V_PAIRS, sts_s3_encryptions },
    { "x-oss-server-side-encryption-key-id",
      "x-amz-server-side-encryption-aws-kms-key-id", STS_S3_V_SAME, NULL },
    { "x-oss-tagging", "x-amz-tagging", STS_S3_V_SAME, NULL },
    { "x-oss-request-payer", "x-amz-request-payer", STS_S3_V_PAIRS,
      sts_s3_payers },
    { "x-oss-forbid-overwrite", NULL, STS_S3_V_FALSE_ONLY, NULL },

    /* the client's signature: checked by the gateway, meaningless beyond */
    { "x-oss-date", NULL, STS_S3_V_SAME, NULL },
    { "x-oss-content-sha256", NULL, STS_S3_V_SAME, NULL },
    { "x-oss-security-token", NULL, STS_S3_V_SAME, NULL },
    { "x-oss-user-agent", NULL, STS_S3_V_SAME, NULL },

    { NULL, NULL, STS_S3_V_SAME, NULL }
};


/* response headers with a twin; other x-amz-* are dropped */
static const sts_s3_header_map_t  sts_s3_response_headers[] = {
    { "x-oss-request-id", "x-amz-request-id", STS_S3_V_SAME, NULL },
    { "x-oss-version-id", "x-amz-version-id", STS_S3_V_SAME, NULL },
    { "x-oss-delete-marker", "x-amz-delete-marker", STS_S3_V_SAME, NULL },
    { "x-oss-storage-class", "x-amz-storage-class", STS_S3_V_PAIRS,
      sts_s3_storage_classes },
    { "x-oss-server-side-encryption", "x-amz-server-side-encryption",
      STS_S3_V_PAIRS, sts_s3_encryptions },
    { "x-oss-server-side-encryption-key-id",
      "x-amz-server-side-encryption-aws-kms-key-id", STS_S3_V_SAME, NULL },
    { "x-oss-tagging-count", "x-amz-tagging-count", STS_S3_V_SAME, NULL },
    { "x-oss-expiration", "x-amz-expiration", STS_S3_V_SAME, NULL },
    { "x-oss-restore", "x-amz-restore", STS_S3_V_SAME, NULL },
    { "x-oss-copy-source-version-id", "x-amz-copy-source-version-id",
      STS_S3_V_SAME, NULL },
    { NULL, NULL, STS_S3_V_SAME, NULL }
};


/* error codes whose OSS name differs */
static const sts_s3_pair_t  sts_s3_error_codes[] = {
    { "InvalidArgument", "InvalidRequest" },
    { "BucketAlreadyExists", "BucketAlreadyOwnedByYou" },
    { "InvalidObjectName", "KeyTooLongError" },
    { "InvalidArgument", "InvalidStorageClass" },
    { "InvalidArgument", "AuthorizationQueryParametersError" },
    { "NoSuchTagSet", "NoSuchTagSetError" },
    { NULL, NULL }
};


/* the store refused the gateway itself: never the client's fault */
static const char  *sts_s3_backend_auth_codes[] = {
    "SignatureDoesNotMatch", "InvalidAccessKeyId",
    "AuthorizationHeaderMalformed", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "RequestTimeTooSkewed", "MissingSecurityHeader",
    "InvalidSecurity", "AccountProblem", "InvalidClientTokenId",
    "IncompleteSignature", "XAmzContentSHA256Mismatch",
    NULL
};


/* elements of an S3 error the client must not see or gets anew */
static const char  *sts_s3_error_hidden[] = {
    "RequestId", "HostId", "AWSAccessKeyId", "StringToSign",
    "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes",
    "SignatureProvided",
    NULL
};


static const sts_oss_error_t  sts_s3_err_backend = {
    502, "InternalError", "The storage backend refused the gateway's "
    "credentials."
};

static const sts_oss_error_t  sts_s3_err_404 = {
    404, "NoSuchKey", "The specified key does not exist."
};

static const sts_oss_error_t  sts_s3_err_403 = {
    403, "AccessDenied", "Access denied by the storage backend."
};

static const sts_oss_error_t  sts_s3_err_412 = {
    412, "PreconditionFailed", "At least one of the pre-conditions you "
    "specified did not hold."
};

static const sts_oss_error_t  sts_s3_err_416 = {
    416, "InvalidRange", "The requested range cannot be satisfied."
};

static const sts_oss_error_t  sts_s3_err_400 = {
    400, "InvalidArgument", "The storage backend refused the request."
};

static const sts_oss_error_t  sts_s3_err_500 = {
    500, "InternalError", "We encountered an internal error. Please try "
    "again."
};


static int sts_s3_in_list(sts_str_t s, const char **list);
static const char *sts_s3_pair_find(const sts_s3_pair_t *pairs,
    sts_str_t v, int to_s3);
static int sts_s3_has_prefix(sts_str_t s, const char *prefix);
static int sts_s3_prefixed(const sts_allocator_t *a, const char *prefix,
    sts_str_t rest, sts_str_t *out);
static int sts_s3_copy_source(const sts_allocator_t *a, sts_str_t v,
    sts_str_t *out);
static int sts_s3_str_cmp(sts_str_t x, sts_str_t y);
static int sts_s3_param_cmp(const void *x, const void *y);
static int sts_s3_header_cmp(const void *x, const void *y);
static int sts_s3_hmac(unsigned char out[32], const void *key,
    size_t key_len, const void *data, size_t len);
static int sts_s3_error_read(const sts_allocator_t *a, const char *body,
    size_t len, sts_s3_error_t *out);
static int sts_s3_error_child(const char *p, const char *end,
    sts_str_t *name, sts_str_t *value, const char **next);
static int sts_s3_error_keep(const sts_allocator_t *a, sts_s3_error_t *out,
    sts_str_t name, sts_str_t raw);
static int sts_s3_xml_text(sts_buf_t *out, const char *p, size_t len);
static const char *sts_s3_skip_ws(const char *p, const char *end);
static int sts_s3_creds_string(const sts_allocator_t *a, json_t *obj,
    const char *name, int required, sts_str_t *out, char *err,
    size_t err_len);


int
sts_s3_api_supported(const char *api, sts_str_t method)
{
    sts_str_t  s;

    if (api == NULL) {
        return 0;
    }

    s.data = api;
    s.len = strlen(api);

    if (sts_str_eq(s, "GetObjectMeta")) {
        /* HEAD on the object is its twin; a GET would return the body */
        return sts_str_eq(method, "HEAD");
    }

    return sts_s3_in_list(s, sts_s3_apis);
}


int
sts_s3_map_request_header(const sts_allocator_t *a, sts_str_t name,
    sts_str_t value, sts_str_t *out_name, sts_str_t *out_value)
{
    int                         rc;
    const char                 *v;
    sts_str_t                   rest;
    const sts_s3_header_map_t  *m;

    if (sts_s3_has_prefix(name, "x-amz-")) {
        /* never from an OSS client: the gateway did not authorise it */
        return STS_S3_DROP;
    }

    if (!sts_s3_has_prefix(name, "x-oss-")) {
        return STS_S3_KEEP;
    }

    if (sts_s3_has_prefix(name, "x-oss-meta-")) {
        rest.data = name.data + sizeof("x-oss-meta-") - 1;
        rest.len = name.len - (sizeof("x-oss-meta-") - 1);

        if (rest.len == 0) {
            return STS_S3_REFUSE;
        }

        if (sts_s3_prefixed(a, "x-amz-meta-", rest, out_name) != STS_OK) {
            return STS_ENOMEM;
        }

        *out_value = value;
        return STS_S3_MAP;
    }

    for (m = sts_s3_request_headers; m->oss; m++) {
        if (sts_str_caseeq(name, m->oss)) {
            break;
        }
    }

    if (m->oss == NULL) {
        return STS_S3_REFUSE;
    }

    value = sts_str_trim(value);

    if (m->value == STS_S3_V_FALSE_ONLY) {
        return sts_str_caseeq(value, "false") ? STS_S3_DROP : STS_S3_REFUSE;
    }

    if (m->s3 == NULL) {
        return STS_S3_DROP;
    }

    out_name->data = m->s3;
    out_name->len = strlen(m->s3);

    switch (m->value) {

    case STS_S3_V_PAIRS:
        if (m->pairs == sts_s3_acls && sts_str_eq(value, "default")) {
            /* the bucket's ACL: what the store does without a header */
            return STS_S3_DROP;
        }

        v = sts_s3_pair_find(m->pairs, value, 1);
        if (v == NULL) {
            return STS_S3_REFUSE;
        }

        out_value->data = v;
        out_value->len = strlen(v);
        return STS_S3_MAP;

    case STS_S3_V_COPY_SOURCE:
        rc = sts_s3_copy_source(a, value, out_value);
        if (rc == STS_ENOMEM) {
            return STS_ENOMEM;
        }

        return rc == STS_OK ? STS_S3_MAP : STS_S3_REFUSE;

    default:
        *out_value = value;
        return STS_S3_MAP;
    }
}


sts_s3_action_e
sts_s3_map_query_param(const char *api, sts_str_t name)
{
    /* the client's credentials and the gateway's own parameters */
    if (sts_auth_is_param(name)) {
        return STS_S3_DROP;
    }

    if (sts_str_eq(name, "objectMeta")
        && api != NULL && strcmp(api, "GetObjectMeta") == 0)
    {
        return STS_S3_DROP;
    }

    if (sts_s3_has_prefix(name, "x-oss-")) {
        return STS_S3_REFUSE;
    }

    return STS_S3_KEEP;
}


int
sts_s3_map_response_header(const sts_allocator_t *a, sts_str_t name,
    sts_str_t value, sts_str_t *out_name, sts_str_t *out_value)
{
    const char                 *v;
    sts_str_t                   rest;
    const sts_s3_header_map_t  *m;

    if (!sts_s3_has_prefix(name, "x-amz-")) {
        return STS_S3_KEEP;
    }

    if (sts_s3_has_prefix(name, "x-amz-meta-")) {
        rest.data = name.data + sizeof("x-amz-meta-") - 1;
        rest.len = name.len - (sizeof("x-amz-meta-") - 1);

        if (rest.len == 0) {
            return STS_S3_DROP;
        }

        if (sts_s3_prefixed(a, "x-oss-meta-", rest, out_name) != STS_OK) {
            return STS_ENOMEM;
        }

        *out_value = value;
        return STS_S3_MAP;
    }

    for (m = sts_s3_response_headers; m->oss; m++) {
        if (sts_str_caseeq(name, m->s3)) {
            break;
        }
    }

    if (m->oss == NULL) {
        return STS_S3_DROP;
    }

    out_name->data = m->oss;
    out_name->len = strlen(m->oss);
    *out_value = value;

    if (m->value == STS_S3_V_PAIRS) {
        /* an S3 value without an OSS twin is passed as it is */
        v = sts_s3_pair_find(m->pairs, sts_str_trim(value), 0);
        if (v != NULL) {
            out_value->data = v;
            out_value->len = strlen(v);
        }
    }

    return STS_S3_MAP;
}


int
sts_s3_target(const sts_allocator_t *a, const char *api, sts_str_t bucket,
    sts_str_t key, const sts_params_t *q, sts_s3_target_t *out,
    sts_str_t *refused)
{
    int                 rc;
    size_t              i, n, num;
    sts_buf_t           uri, path, cq, enc;
    sts_str_t          *pairs;
    sts_s3_action_e     act;
    const sts_param_t  *p;

    rc = STS_ENOMEM;
    pairs = NULL;
    n = 0;
    num = (q != NULL) ? q->num : 0;

    sts_buf_init(&uri, a, 0);
    sts_buf_init(&path, a, 0);
    sts_buf_init(&cq, a, 0);
    sts_buf_init(&enc, a, 0);

    sts_buf_append_char(&uri, '/');
    sts_buf_append_char(&path, '/');

    if (bucket.len) {
        sts_buf_append(&uri, bucket.data, bucket.len);
        sts_buf_append_char(&uri, '/');
        (void) sts_uri_encode(&uri, key.data, key.len, STS_URI_KEEP_SLASH);

        sts_buf_append(&path, bucket.data, bucket.len);
        sts_buf_append_char(&path, '/');
        sts_buf_append(&path, key.data, key.len);
    }

    if (sts_buf_ok(&uri) != STS_OK || sts_buf_ok(&path) != STS_OK) {
        goto failed;
    }

    /* the canonical URI is the path as sent: already strictly encoded */
    out->canonical_uri.len = uri.len;

    if (num) {
        /* encoded (name, value) pairs, for the canonical query */
        pairs = sts_calloc(a, 2 * num * sizeof(sts_str_t));
        if (pairs == NULL) {
            goto failed;
        }
    }

    for (i = 0; i < num; i++) {
        p = &q->items[i];
        act = sts_s3_map_query_param(api, p->name);

        if (act == STS_S3_DROP) {
            continue;
        }

        if (act == STS_S3_REFUSE) {
            *refused = p->name;
            rc = STS_EINVAL;
            goto failed;
        }

        sts_buf_append_char(&uri, n ? '&' : '?');
        (void) sts_uri_encode(&uri, p->name.data, p->name.len, 0);

        if (p->has_eq || p->value.len) {
            sts_buf_append_char(&uri, '=');
            (void) sts_uri_encode(&uri, p->value.data, p->value.len, 0);
        }

        enc.len = 0;
        sts_buf_append(&enc, "", 0);
        (void) sts_uri_encode(&enc, p->name.data, p->name.len, 0);
        sts_buf_append_char(&enc, '=');
        (void) sts_uri_encode(&enc, p->value.data, p->value.len, 0);

        if (sts_buf_ok(&enc) != STS_OK) {
            goto failed;
        }

        /* pairs[2n]: "name=value"; pairs[2n + 1]: the name part */
        pairs[2 * n].data = sts_strndup(a, enc.data, enc.len);
        if (pairs[2 * n].data == NULL) {
            goto failed;
        }

        pairs[2 * n].len = enc.len;
        pairs[2 * n + 1].data = pairs[2 * n].data;
        pairs[2 * n + 1].len = (const char *) memchr(enc.data, '=', enc.len)
                               - enc.data;
        n++;
    }

    if (n) {
        qsort(pairs, n, 2 * sizeof(sts_str_t), sts_s3_param_cmp);
    }

    sts_buf_append(&cq, "", 0);

    for (i = 0; i < n; i++) {
        if (i) {
            sts_buf_append_char(&cq, '&');
        }

        sts_buf_append(&cq, pairs[2 * i].data, pairs[2 * i].len);
    }

    if (sts_buf_ok(&uri) != STS_OK || sts_buf_ok(&cq) != STS_OK) {
        goto failed;
    }

    out->uri.data = uri.data;
    out->uri.len = uri.len;
    out->canonical_uri.data = uri.data;
    out->path.data = path.data;
    out->path.len = path.len;
    out->canonical_query.data = cq.data;
    out->canonical_query.len = cq.len;

    rc = STS_OK;
    goto done;

failed:

    sts_buf_free(&uri);
    sts_buf_free(&path);
    sts_buf_free(&cq);

done:

    for (i = 0; i < n; i++) {
        sts_free(a, (void *) pairs[2 * i].data);
    }

    sts_free(a, pairs);
    sts_buf_free(&enc);

    return rc;
}


int
sts_s3_canonical_request(sts_buf_t *out, sts_str_t method,
    sts_str_t canonical_uri, sts_str_t canonical_query,
    const sts_header_t *h, size_t num, sts_str_t payload_hash,
    sts_buf_t *signed_headers)
{
    int            space;
    char           c;
    size_t         i, j, k;
    sts_buf_t      names;
    sts_str_t      v;
    sts_header_t  *sorted;

    if (num == 0) {
        return STS_EINVAL;
    }

    sorted = sts_alloc(out->a, num * sizeof(sts_header_t));
    if (sorted == NULL) {
        return STS_ENOMEM;
    }

    memcpy(sorted, h, num * sizeof(sts_header_t));
    qsort(sorted, num, sizeof(sts_header_t), sts_s3_header_cmp);

    sts_buf_init(&names, out->a, 0);

    sts_buf_append(out, method.data, method.len);
    sts_buf_append_char(out, '\n');
    sts_buf_append(out, canonical_uri.data, canonical_uri.len);
    sts_buf_append_char(out, '\n');
    sts_buf_append(out, canonical_query.data, canonical_query.len);
    sts_buf_append_char(out, '\n');

    for (i = 0; i < num; i = j) {
        /* one line per name; repeats joined with ',' */
        for (k = 0; k < sorted[i].name.len; k++) {
            c = sorted[i].name.data[k];
            c = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
            sts_buf_append_char(out, c);
            sts_buf_append_char(&names, c);
        }

        sts_buf_append_char(out, ':');

        for (j = i; j < num && sts_s3_header_cmp(&sorted[i], &sorted[j]) == 0;
             j++)
        {
            if (j > i) {
                sts_buf_append_char(out, ',');
            }

            v = sts_str_trim(sorted[j].value);
            space = 0;

            for (k = 0; k < v.len; k++) {
                if (v.data[k] == ' ' || v.data[k] == '\t') {
                    space = 1;
                    continue;
                }

                if (space) {
                    sts_buf_append_char(out, ' ');
                    space = 0;
                }

                sts_buf_append_char(out, v.data[k]);
            }
        }

        sts_buf_append_char(out, '\n');

        if (j < num) {
            sts_buf_append_char(&names, ';');
        }
    }

    sts_buf_append_char(out, '\n');
    sts_buf_append(out, names.data, names.len);
    sts_buf_append_char(out, '\n');
    sts_buf_append(out, payload_hash.data, payload_hash.len);

    if (signed_headers != NULL) {
        sts_buf_append(signed_headers, names.data, names.len);
    }

    sts_free(out->a, sorted);
    sts_buf_free(&names);

    if (signed_headers != NULL && sts_buf_ok(signed_headers) != STS_OK) {
        return sts_buf_ok(signed_headers);
    }

    return sts_buf_ok(out);
}


int
sts_s3_signing_key(unsigned char out[STS_S3_KEY_LEN], sts_str_t secret,
    sts_str_t date, sts_str_t region, sts_str_t service)
{
    int            rc;
    size_t         n;
    unsigned char  k[STS_S3_KEY_LEN];
    char           seed[4 + 1024];

    if (secret.len == 0 || secret.len > 1024) {
        return STS_EINVAL;
    }

    n = 4 + secret.len;
    memcpy(seed, "AWS4", 4);
    memcpy(seed + 4, secret.data, secret.len);

    rc = sts_s3_hmac(k, seed, n, date.data, date.len);
    if (rc == STS_OK) {
        rc = sts_s3_hmac(k, k, sizeof(k), region.data, region.len);
    }

    if (rc == STS_OK) {
        rc = sts_s3_hmac(k, k, sizeof(k), service.data, service.len);
    }

    if (rc == STS_OK) {
        rc = sts_s3_hmac(out, k, sizeof(k), STS_S3_TERMINATOR,
                         sizeof(STS_S3_TERMINATOR) - 1);
    }

    sts_wipe(seed, n);
    sts_wipe(k, sizeof(k));

    return rc;
}


int
sts_s3_sign_v4(sts_buf_t *out, sts_str_t method, sts_str_t canonical_uri,
    sts_str_t canonical_query, const sts_header_t *h, size_t num,
    sts_str_t payload_hash, sts_str_t amz_date, const sts_s3_creds_t *creds,
    sts_buf_t *out_canonical, sts_buf_t *out_sts)
{
    int            rc;
    sts_buf_t      cr, sts, signed_headers;
    sts_str_t      date;
    unsigned int   md_len;
    unsigned char  md[EVP_MAX_MD_SIZE], key[STS_S3_KEY_LEN], sig[32];
    char           hex[2 * EVP_MAX_MD_SIZE + 1];

    if (amz_date.len != STS_ISO8601_BASIC_LEN || amz_date.data[8] != 'T') {
        return STS_EINVAL;
    }

    date.data = amz_date.data;
    date.len = 8;

    sts_buf_init(&cr, out->a, 0);
    sts_buf_init(&sts, out->a, 0);
    sts_buf_init(&signed_headers, out->a, 0);

    rc = sts_s3_canonical_request(&cr, method, canonical_uri,
                                  canonical_query, h, num, payload_hash,
                                  &signed_headers);
    if (rc != STS_OK) {
        goto done;
    }

    if (EVP_Digest(cr.data, cr.len, md, &md_len, EVP_sha256(), NULL) != 1) {
        ERR_clear_error();
        rc = STS_ECRYPTO;
        goto done;
    }

    sts_hex_encode(hex, md, md_len);

    sts_buf_appendf(&sts, "%s\n%.*s\n%.*s/%.*s/%.*s/%s\n%.*s",
                    STS_S3_ALGORITHM, (int) amz_date.len, amz_date.data,
                    (int) date.len, date.data,
                    (int) creds->region.len, creds->region.data,
                    (int) creds->service.len, creds->service.data,
                    STS_S3_TERMINATOR, (int) (2 * md_len), hex);

    rc = sts_buf_ok(&sts);
    if (rc != STS_OK) {
        goto done;
    }

    rc = sts_s3_signing_key(key, creds->secret, date, creds->region,
                            creds->service);
    if (rc != STS_OK) {
        goto done;
    }

    rc = sts_s3_hmac(sig, key, sizeof(key), sts.data, sts.len);
    sts_wipe(key, sizeof(key));

    if (rc != STS_OK) {
        goto done;
    }

    sts_hex_encode(hex, sig, sizeof(sig));
    sts_wipe(sig, sizeof(sig));

    sts_buf_appendf(out, "%s Credential=%.*s/%.*s/%.*s/%.*s/%s,"
                    "SignedHeaders=%.*s,Signature=%.*s",
                    STS_S3_ALGORITHM,
                    (int) creds->access_key_id.len, creds->access_key_id.data,
                    (int) date.len, date.data,
                    (int) creds->region.len, creds->region.data,
                    (int) creds->service.len, creds->service.data,
                    STS_S3_TERMINATOR,
                    (int) signed_headers.len, signed_headers.data,
                    64, hex);

    sts_wipe(hex, sizeof(hex));

    if (out_canonical != NULL) {
        sts_buf_append(out_canonical, cr.data, cr.len);
    }

    if (out_sts != NULL) {
        sts_buf_append(out_sts, sts.data, sts.len);
    }

    rc = sts_buf_ok(out);

done:

    sts_buf_free(&cr);
    sts_buf_free(&sts);
    sts_buf_free(&signed_headers);

    return rc;
}


int
sts_s3_error_parse(const sts_allocator_t *a, const char *body, size_t len,
    sts_s3_error_t *out)
{
    int  rc;

    rc = sts_s3_error_read(a, body, len, out);
    if (rc != STS_OK) {
        sts_s3_error_free(a, out);
    }

    return rc;
}


void
sts_s3_error_free(const sts_allocator_t *a, sts_s3_error_t *e)
{
    size_t  i;

    if (e == NULL) {
        return;
    }

    sts_free(a, (void *) e->code.data);
    sts_free(a, (void *) e->message.data);

    for (i = 0; i < e->num_fields; i++) {
        sts_free(a, (void *) e->fields[i].name.data);
        sts_free(a, (void *) e->fields[i].value.data);
    }

    memset(e, 0, sizeof(sts_s3_error_t));
}


static int
sts_s3_error_read(const sts_allocator_t *a, const char *body, size_t len,
    sts_s3_error_t *out)
{
    int          rc;
    sts_str_t    name, value;
    const char  *p, *end, *q;

    memset(out, 0, sizeof(sts_s3_error_t));

    if (len > STS_S3_ERROR_MAX_BODY) {
        return STS_ETOOBIG;
    }

    p = body;
    end = body + len;

    p = sts_s3_skip_ws(p, end);

    if (end - p >= 5 && memcmp(p, "<?xml", 5) == 0) {
        q = p + 5;
        while (q + 1 < end && !(q[0] == '?' && q[1] == '>')) {
            q++;
        }

        if (q + 1 >= end) {
            return STS_EINVAL;
        }

        p = sts_s3_skip_ws(q + 2, end);
    }

    /* <Error> or <Error ...attributes> */
    if (end - p < 7 || memcmp(p, "<Error", 6) != 0
        || (p[6] != '>' && p[6] != ' '))
    {
        return STS_EINVAL;
    }

    p = memchr(p, '>', end - p);
    if (p == NULL || p[-1] == '/') {
        return STS_EINVAL;
    }

    p++;

    for ( ;; ) {
        p = sts_s3_skip_ws(p, end);

        if (p >= end || *p != '<') {
            return STS_EINVAL;
        }

        if (end - p >= 8 && memcmp(p, "</Error>", 8) == 0) {
            p = sts_s3_skip_ws(p + 8, end);
            break;
        }

        rc = sts_s3_error_child(p, end, &name, &value, &p);
        if (rc != STS_OK) {
            return rc;
        }

        rc = sts_s3_error_keep(a, out, name, value);
        if (rc != STS_OK) {
            return rc;
        }
    }

    if (p != end || out->code.len == 0) {
        return STS_EINVAL;
    }

    return STS_OK;
}


/*
 * One child element of <Error>, <Name>text</Name> or <Name/>, at |p|: its
 * name and its raw text; *next is just past it.
 */

static int
sts_s3_error_child(const char *p, const char *end, sts_str_t *name,
    sts_str_t *value, const char **next)
{
    const char  *q, *close;

    /* <Name> or <Name/> */
    q = p + 1;
    while (q < end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')
                       || (*q >= '0' && *q <= '9') || *q == '-'
                       || *q == '_' || *q == '.'))
    {
        q++;
    }

    if (q == p + 1 || q >= end) {
        return STS_EINVAL;
    }

    name->data = p + 1;
    name->len = q - p - 1;

    if (*q == '/' && q + 1 < end && q[1] == '>') {
        value->data = "";
        value->len = 0;
        *next = q + 2;

    } else if (*q == '>') {
        q++;
        close = q;

        while (close < end && *close != '<') {
            close++;
        }

        if (end - close < (ptrdiff_t) (name->len + 3)
            || close[1] != '/'
            || memcmp(close + 2, name->data, name->len) != 0
            || close[2 + name->len] != '>')
        {
            return STS_EINVAL;
        }

        value->data = q;
        value->len = close - q;
        *next = close + 3 + name->len;

    } else {
        return STS_EINVAL;
    }

    return STS_OK;
}


/*
 * Decodes the raw text of child |name| and keeps it: the first Code and
 * Message, then other fields up to STS_S3_ERROR_MAX_FIELDS, never the
 * hidden ones.
 */

static int
sts_s3_error_keep(const sts_allocator_t *a, sts_s3_error_t *out,
    sts_str_t name, sts_str_t raw)
{
    int        rc;
    size_t     n;
    sts_buf_t  text;
    sts_str_t  value;

    sts_buf_init(&text, a, STS_S3_ERROR_MAX_BODY);
    rc = sts_s3_xml_text(&text, raw.data, raw.len);
    if (rc == STS_OK) {
        rc = sts_buf_append(&text, "", 0);
    }

    if (rc != STS_OK) {
        sts_buf_free(&text);
        return rc;
    }

    value.data = text.data;
    value.len = text.len;

    if (name.len == 4 && memcmp(name.data, "Code", 4) == 0
        && out->code.data == NULL)
    {
        out->code = value;
        return STS_OK;
    }

    if (name.len == 7 && memcmp(name.data, "Message", 7) == 0
        && out->message.data == NULL)
    {
        out->message = value;
        return STS_OK;
    }

    if (sts_s3_in_list(name, sts_s3_error_hidden)
        || out->num_fields == STS_S3_ERROR_MAX_FIELDS)
    {
        sts_buf_free(&text);
        return STS_OK;
    }

    n = out->num_fields++;
    out->fields[n].value = value;
    out->fields[n].name.data = sts_strndup(a, name.data, name.len);
    out->fields[n].name.len = name.len;

    if (out->fields[n].name.data == NULL) {
        return STS_ENOMEM;
    }

    return STS_OK;
}


int
sts_s3_error_map(sts_str_t code, int status, sts_str_t message,
    sts_oss_error_t *out)
{
    const sts_s3_pair_t  *p;

    if (sts_s3_in_list(code, sts_s3_backend_auth_codes)) {
        *out = sts_s3_err_backend;
        return 1;
    }

    out->http_status = status;
    out->code = code.data;
    out->message = message.len ? message.data : "";

    for (p = sts_s3_error_codes; p->oss; p++) {
        if (sts_str_eq(code, p->s3)) {
            out->code = p->oss;
            break;
        }
    }

    return 0;
}


const sts_oss_error_t *
sts_s3_status_error(int status)
{
    switch (status) {

    case 400:
        return &sts_s3_err_400;

    case 403:
        return &sts_s3_err_403;

    case 404:
        return &sts_s3_err_404;

    case 412:
        return &sts_s3_err_412;

    case 416:
        return &sts_s3_err_416;

    default:
        if (status >= 500) {
            return &sts_s3_err_500;
        }

        return status >= 400 ? &sts_s3_err_400 : NULL;
    }
}


int
sts_backend_creds_parse(const sts_allocator_t *a, const char *json,
    size_t len, sts_s3_creds_t *out, char *err, size_t err_len)
{
    int            rc;
    json_t        *root, *obj;
    json_error_t   jerr;

    memset(out, 0, sizeof(sts_s3_creds_t));

    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        /* jansson's text names a position, never the file's content */
        snprintf(err, err_len, "not JSON (line %d, column %d)", jerr.line,
                 jerr.column);
        return STS_EINVAL;
    }

    obj = root;

    if (json_is_object(root) && json_object_get(root, "Credentials")) {
        obj = json_object_get(root, "Credentials");
    }

    if (!json_is_object(obj)) {
        snprintf(err, err_len, "not a JSON object");
        json_decref(root);
        return STS_EINVAL;
    }

    rc = sts_s3_creds_string(a, obj, "AccessKeyId", 1, &out->access_key_id,
                             err, err_len);
    if (rc == STS_OK) {
        rc = sts_s3_creds_string(a, obj, "AccessKeySecret", 1, &out->secret,
                                 err, err_len);
    }

    if (rc == STS_OK) {
        rc = sts_s3_creds_string(a, obj, "SecurityToken", 0,
                                 &out->security_token, err, err_len);
    }

    json_decref(root);

    if (rc != STS_OK) {
        sts_backend_creds_free(a, out);
    }

    return rc;
}


int
sts_backend_creds_load(const sts_allocator_t *a, const char *path,
    sts_s3_creds_t *out, char *err, size_t err_len)
{
    int      rc;
    char    *buf;
    char     why[160];
    size_t   len;

    memset(out, 0, sizeof(sts_s3_creds_t));

    rc = sts_read_private_file_plural(a, path, "backend credentials",
                                      STS_S3_CREDS_FILE_MAX, &buf, &len, err,
                                      err_len);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_backend_creds_parse(a, buf, len, out, why, sizeof(why));
    if (rc != STS_OK) {
        snprintf(err, err_len, "backend credentials \"%s\": %s", path, why);
    }

    sts_wipe(buf, len + 1);
    sts_free(a, buf);

    return rc;
}


void
sts_backend_creds_free(const sts_allocator_t *a, sts_s3_creds_t *c)
{
    if (c == NULL) {
        return;
    }

    if (c->secret.data != NULL) {
        sts_wipe((void *) c->secret.data, c->secret.len);
        sts_free(a, (void *) c->secret.data);
    }

    if (c->security_token.data != NULL) {
        sts_wipe((void *) c->security_token.data, c->security_token.len);
        sts_free(a, (void *) c->security_token.data);
    }

    sts_free(a, (void *) c->access_key_id.data);

    c->access_key_id.data = NULL;
    c->access_key_id.len = 0;
    c->secret.data = NULL;
    c->secret.len = 0;
    c->security_token.data = NULL;
    c->security_token.len = 0;
}


static int
sts_s3_creds_string(const sts_allocator_t *a, json_t *obj, const char *name,
    int required, sts_str_t *out, char *err, size_t err_len)
{
    json_t  *v;

    v = json_object_get(obj, name);

    if (v == NULL && !required) {
        out->data = NULL;
        out->len = 0;
        return STS_OK;
    }

    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > 4096
        || memchr(json_string_value(v), '\0', json_string_length(v)))
    {
        snprintf(err, err_len, "\"%s\" must be a non-empty string", name);
        return STS_EINVAL;
    }

    out->data = sts_strndup(a, json_string_value(v), json_string_length(v));
    if (out->data == NULL) {
        return STS_ENOMEM;
    }

    out->len = json_string_length(v);

    return STS_OK;
}


static int
sts_s3_in_list(sts_str_t s, const char **list)
{
    for ( /* void */ ; *list; list++) {
        if (sts_str_eq(s, *list)) {
            return 1;
        }
    }

    return 0;
}


static const char *
sts_s3_pair_find(const sts_s3_pair_t *pairs, sts_str_t v, int to_s3)
{
    for ( /* void */ ; pairs->oss; pairs++) {
        if (sts_str_caseeq(v, to_s3 ? pairs->oss : pairs->s3)) {
            return to_s3 ? pairs->s3 : pairs->oss;
        }
    }

    return NULL;
}


static int
sts_s3_has_prefix(sts_str_t s, const char *prefix)
{
    sts_str_t  head;
    size_t     n;

    n = strlen(prefix);

    if (s.len < n) {
        return 0;
    }

    head.data = s.data;
    head.len = n;

    return sts_str_caseeq(head, prefix);
}


static int
sts_s3_prefixed(const sts_allocator_t *a, const char *prefix, sts_str_t rest,
    sts_str_t *out)
{
    char    *p;
    size_t   i, n;

    n = strlen(prefix);

    p = sts_alloc(a, n + rest.len + 1);
    if (p == NULL) {
        return STS_ENOMEM;
    }

    memcpy(p, prefix, n);

    for (i = 0; i < rest.len; i++) {
        p[n + i] = (rest.data[i] >= 'A' && rest.data[i] <= 'Z')
                   ? (char) (rest.data[i] + 32) : rest.data[i];
    }

    p[n + rest.len] = '\0';

    out->data = p;
    out->len = n + rest.len;

    return STS_OK;
}


/*
 * x-oss-copy-source is "/<bucket>/<key, percent-encoded>" with an optional
 * "?versionId=<id>"; the S3 twin takes the same shape.  The key is decoded
 * once, as the gateway did when it authorised it, and encoded again with
 * only '/' and the unreserved bytes left as they are.
 */
static int
sts_s3_copy_source(const sts_allocator_t *a, sts_str_t v, sts_str_t *out)
{
    int          rc;
    sts_buf_t    b;
    sts_str_t    raw, key, version;
    const char  *slash, *qm;

    if (v.len < 4 || v.data[0] != '/') {
        return STS_EINVAL;
    }

    slash = memchr(v.data + 1, '/', v.len - 1);
    if (slash == NULL || slash == v.data + 1) {
        return STS_EINVAL;
    }

    qm = memchr(slash, '?', v.data + v.len - slash);

    raw.data = slash + 1;
    raw.len = (qm ? qm : v.data + v.len) - raw.data;

    version.data = qm;
    version.len = qm ? (size_t) (v.data + v.len - qm) : 0;

    if (raw.len == 0) {
        return STS_EINVAL;
    }

    if (version.len
        && (version.len <= sizeof("?versionId=") - 1
            || memcmp(version.data, "?versionId=",
                      sizeof("?versionId=") - 1) != 0))
    {
        return STS_EINVAL;
    }

    rc = sts_percent_decode(a, raw, 0, &key);
    if (rc != STS_OK) {
        return rc;
    }

    sts_buf_init(&b, a, 0);
    sts_buf_append(&b, v.data, slash + 1 - v.data);
    (void) sts_uri_encode(&b, key.data, key.len, STS_URI_KEEP_SLASH);
    sts_buf_append(&b, version.data, version.len);

    sts_free(a, (void *) key.data);

    rc = sts_buf_ok(&b);
    if (rc != STS_OK) {
        sts_buf_free(&b);
        return rc;
    }

    out->data = b.data;
    out->len = b.len;

    return STS_OK;
}


static int
sts_s3_str_cmp(sts_str_t x, sts_str_t y)
{
    int     c;
    size_t  n;

    n = x.len < y.len ? x.len : y.len;
    c = n ? memcmp(x.data, y.data, n) : 0;

    if (c != 0) {
        return c;
    }

    return (x.len > y.len) - (x.len < y.len);
}


static int
sts_s3_param_cmp(const void *x, const void *y)
{
    int               c;
    const sts_str_t  *a = x, *b = y;

    /* by encoded name, then by the whole "name=value" */
    c = sts_s3_str_cmp(a[1], b[1]);

    return c ? c : sts_s3_str_cmp(a[0], b[0]);
}


static int
sts_s3_header_cmp(const void *x, const void *y)
{
    size_t               i, n;
    unsigned char        c, d;
    const sts_header_t  *a = x, *b = y;

    n = a->name.len < b->name.len ? a->name.len : b->name.len;

    for (i = 0; i < n; i++) {
        c = (unsigned char) a->name.data[i];
        d = (unsigned char) b->name.data[i];
        c = (c >= 'A' && c <= 'Z') ? (unsigned char) (c + 32) : c;
        d = (d >= 'A' && d <= 'Z') ? (unsigned char) (d + 32) : d;

        if (c != d) {
            return c < d ? -1 : 1;
        }
    }

    return (a->name.len > b->name.len) - (a->name.len < b->name.len);
}


static int
sts_s3_hmac(unsigned char out[32], const void *key, size_t key_len,
    const void *data, size_t len)
{
    unsigned int   n;
    unsigned char  md[EVP_MAX_MD_SIZE];

    if (HMAC(EVP_sha256(), key, (int) key_len, data, len, md, &n) == NULL
        || n != 32)
    {
        ERR_clear_error();
        return STS_ECRYPTO;
    }

    memcpy(out, md, 32);
    sts_wipe(md, sizeof(md));

    return STS_OK;
}


/*
 * XML character data: the five entities and &#N; / &#xN; decoded.  The
 * control characters XML does not allow (all below 0x20 but tab, line
 * feed and carriage return), raw or as references, are refused: a NUL
 * would cut the C strings the text becomes.
 */
#define sts_s3_xml_control(c)                                               \
    ((c) < 0x20 && (c) != '\t' && (c) != '\n' && (c) != '\r')

static int
sts_s3_xml_text(sts_buf_t *out, const char *p, size_t len)
{
    size_t         i, j;
    unsigned long  c;
    char          *endp, num[16];
    unsigned char  u[4];

    for (i = 0; i < len; i++) {
        if (sts_s3_xml_control((unsigned char) p[i])) {
            return STS_EINVAL;
        }

        if (p[i] != '&') {
            sts_buf_append_char(out, p[i]);
            continue;
        }

        for (j = i + 1; j < len && j - i < 12 && p[j] != ';'; j++) {
            /* void */
        }

        if (j >= len || p[j] != ';') {
            return STS_EINVAL;
        }

        if (j - i == 3 && memcmp(p + i, "&lt;", 4) == 0) {
            sts_buf_append_char(out, '<');

        } else if (j - i == 3 && memcmp(p + i, "&gt;", 4) == 0) {
            sts_buf_append_char(out, '>');

        } else if (j - i == 4 && memcmp(p + i, "&amp;", 5) == 0) {
            sts_buf_append_char(out, '&');

        } else if (j - i == 5 && memcmp(p + i, "&quot;", 6) == 0) {
            sts_buf_append_char(out, '"');

        } else if (j - i == 5 && memcmp(p + i, "&apos;", 6) == 0) {
            sts_buf_append_char(out, '\'');

        } else if (j - i >= 3 && p[i + 1] == '#') {
            memcpy(num, p + i + 2, j - i - 2);
            num[j - i - 2] = '\0';

            errno = 0;
            if (num[0] == 'x' || num[0] == 'X') {
                c = strtoul(num + 1, &endp, 16);
                if (endp == num + 1) {
                    return STS_EINVAL;
                }

            } else {
                c = strtoul(num, &endp, 10);
                if (endp == num) {
                    return STS_EINVAL;
                }
            }

            if (*endp != '\0' || errno != 0 || sts_s3_xml_control(c)
                || c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            {
                return STS_EINVAL;
            }

            if (c < 0x80) {
                u[0] = (unsigned char) c;
                sts_buf_append(out, u, 1);

            } else if (c < 0x800) {
                u[0] = (unsigned char) (0xc0 | (c >> 6));
                u[1] = (unsigned char) (0x80 | (c & 0x3f));
                sts_buf_append(out, u, 2);

            } else if (c < 0x10000) {
                u[0] = (unsigned char) (0xe0 | (c >> 12));
                u[1] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
                u[2] = (unsigned char) (0x80 | (c & 0x3f));
                sts_buf_append(out, u, 3);

            } else {
                u[0] = (unsigned char) (0xf0 | (c >> 18));
                u[1] = (unsigned char) (0x80 | ((c >> 12) & 0x3f));
                u[2] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
                u[3] = (unsigned char) (0x80 | (c & 0x3f));
                sts_buf_append(out, u, 4);
            }

        } else {
            return STS_EINVAL;
        }

        i = j;
    }

    return sts_buf_ok(out);
}


static const char *
sts_s3_skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
    }

    return p;
}
