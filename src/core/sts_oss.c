/*
 * Copyright (C) nginx-sts authors
 */

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "sts_oss.h"
#include "sts_sign.h"


#define STS_OSS_SERVICE      0
#define STS_OSS_BUCKET       1
#define STS_OSS_OBJECT       2

/* row flags */
#define STS_OSS_F_TAG        0x0001  /* x-oss-tagging: + PutObjectTagging */
#define STS_OSS_F_COPY       0x0002  /* x-oss-copy-source: + read the source */
#define STS_OSS_F_SYMLINK    0x0004  /* x-oss-symlink-target: + read it */
#define STS_OSS_F_PROCESS    0x0008  /* x-oss-process on a read */
#define STS_OSS_F_LIST       0x0010  /* a listing: oss:Prefix applies */
#define STS_OSS_F_CONFIG_R   0x0020  /* bucket configuration, read */
#define STS_OSS_F_CONFIG_W   0x0040  /* bucket configuration, write */
#define STS_OSS_F_SELECT     0x0080  /* POST ?x-oss-process */

#define STS_OSS_MAX_GRANTS   (2 * STS_OSS_DELETE_MAX_KEYS + 64)


/*
 * One row of the action table (doc/protocol.md 7).  A request matches a row
 * when the method and level agree, every name of |sub| is in the query,
 * and every other sub-resource of the query is in |opt|.  Query
 * parameters that never change the API (sts_oss_plain_params) and
 * versionId are not sub-resources.
 */
typedef struct {
    const char      *method;
    int              level;
    const char      *sub[2];
    const char      *opt[2];
    const char      *api;
    const char      *action;       /* NULL: the body supplies the grants */
    const char      *ver_action;   /* NULL: versionId is refused */
    unsigned         flags;
    sts_oss_body_e   body;
} sts_oss_row_t;


#define S0               { NULL, NULL }
#define S1(a)            { a, NULL }
#define S2(a, b)         { a, b }

#define SVC              STS_OSS_SERVICE
#define BKT              STS_OSS_BUCKET
#define OBJ              STS_OSS_OBJECT
#define NOBODY           STS_OSS_BODY_NONE

#define CFG_R            STS_OSS_F_CONFIG_R
#define CFG_W            STS_OSS_F_CONFIG_W

#define sts_oss_config3(n, N)                                               \
    { "GET", BKT, S1(n), S0, "GetBucket" N, "oss:GetBucket" N, NULL,        \
      CFG_R, NOBODY },                                                      \
    { "PUT", BKT, S1(n), S0, "PutBucket" N, "oss:PutBucket" N, NULL,        \
      CFG_W, NOBODY },                                                      \
    { "DELETE", BKT, S1(n), S0, "DeleteBucket" N, "oss:DeleteBucket" N,     \
      NULL, CFG_W, NOBODY }

#define sts_oss_config2(n, N)                                               \
    { "GET", BKT, S1(n), S0, "GetBucket" N, "oss:GetBucket" N, NULL,        \
      CFG_R, NOBODY },                                                      \
    { "PUT", BKT, S1(n), S0, "PutBucket" N, "oss:PutBucket" N, NULL,        \
      CFG_W, NOBODY }


static const sts_oss_row_t  sts_oss_rows[] = {

    /* 1: service level */

    { "GET", SVC, S0, S0, "ListBuckets", "oss:ListBuckets", NULL, 0,
      NOBODY },

    /* 2-6, 8, 9: bucket level */

    { "GET", BKT, S0, S0, "ListObjects", "oss:ListObjects", NULL,
      STS_OSS_F_LIST, NOBODY },
    { "GET", BKT, S1("versions"), S0, "ListObjectVersions",
      "oss:ListObjectVersions", NULL, STS_OSS_F_LIST, NOBODY },
    { "GET", BKT, S1("uploads"), S0, "ListMultipartUploads",
      "oss:ListMultipartUploads", NULL, STS_OSS_F_LIST, NOBODY },
    { "GET", BKT, S1("bucketInfo"), S0, "GetBucketInfo",
      "oss:GetBucketInfo", NULL, 0, NOBODY },
    { "GET", BKT, S1("location"), S0, "GetBucketLocation",
      "oss:GetBucketLocation", NULL, 0, NOBODY },
    { "GET", BKT, S1("stat"), S0, "GetBucketStat", "oss:GetBucketStat",
      NULL, 0, NOBODY },
    { "POST", BKT, S1("delete"), S0, "DeleteMultipleObjects", NULL, NULL,
      0, STS_OSS_BODY_DELETE },
    { "POST", BKT, S0, S0, "PostObject", NULL, NULL, 0,
      STS_OSS_BODY_POST },

    /* 7: bucket configuration (sts_bucket_config) */

    { "PUT", BKT, S0, S0, "PutBucket", "oss:PutBucket", NULL, CFG_W,
      NOBODY },
    { "DELETE", BKT, S0, S0, "DeleteBucket", "oss:DeleteBucket", NULL,
      CFG_W, NOBODY },
    sts_oss_config2("acl", "Acl"),
    sts_oss_config3("cors", "Cors"),
    sts_oss_config3("lifecycle", "Lifecycle"),
    sts_oss_config3("logging", "Logging"),
    sts_oss_config3("website", "Website"),
    sts_oss_config2("referer", "Referer"),
    sts_oss_config3("policy", "Policy"),
    sts_oss_config3("tagging", "Tagging"),
    sts_oss_config3("encryption", "Encryption"),
    sts_oss_config2("versioning", "Versioning"),
    sts_oss_config2("requestPayment", "RequestPayment"),
    sts_oss_config2("transferAcceleration", "TransferAcceleration"),
    { "GET", BKT, S1("worm"), S0, "GetBucketWorm", "oss:GetBucketWorm",
      NULL, CFG_R, NOBODY },
    { "POST", BKT, S1("worm"), S0, "InitiateBucketWorm",
      "oss:InitiateBucketWorm", NULL, CFG_W, NOBODY },
    { "DELETE", BKT, S1("worm"), S0, "AbortBucketWorm",
      "oss:AbortBucketWorm", NULL, CFG_W, NOBODY },
    { "POST", BKT, S1("wormId"), S0, "CompleteBucketWorm",
      "oss:CompleteBucketWorm", NULL, CFG_W, NOBODY },
    { "POST", BKT, S2("wormExtend", "wormId"), S0, "ExtendBucketWorm",
      "oss:ExtendBucketWorm", NULL, CFG_W, NOBODY },
    { "GET", BKT, S2("inventory", "inventoryId"), S0, "GetBucketInventory",
      "oss:GetBucketInventory", NULL, CFG_R, NOBODY },
    { "GET", BKT, S1("inventory"), S0, "ListBucketInventory",
      "oss:ListBucketInventory", NULL, CFG_R, NOBODY },
    { "PUT", BKT, S2("inventory", "inventoryId"), S0, "PutBucketInventory",
      "oss:PutBucketInventory", NULL, CFG_W, NOBODY },
    { "DELETE", BKT, S2("inventory", "inventoryId"), S0,
      "DeleteBucketInventory", "oss:DeleteBucketInventory", NULL, CFG_W,
      NOBODY },

    /* 10-28: object level */

    { "GET", OBJ, S0, S1("x-oss-process"), "GetObject", "oss:GetObject",
      "oss:GetObjectVersion", STS_OSS_F_PROCESS, NOBODY },
    { "HEAD", OBJ, S0, S0, "HeadObject", "oss:GetObject",
      "oss:GetObjectVersion", 0, NOBODY },
    { "HEAD", OBJ, S1("objectMeta"), S0, "GetObjectMeta", "oss:GetObject",
      "oss:GetObjectVersion", 0, NOBODY },
    { "GET", OBJ, S1("objectMeta"), S0, "GetObjectMeta", "oss:GetObject",
      "oss:GetObjectVersion", 0, NOBODY },
    { "PUT", OBJ, S0, S0, "PutObject", "oss:PutObject", NULL,
      STS_OSS_F_TAG | STS_OSS_F_COPY, NOBODY },
    { "POST", OBJ, S2("append", "position"), S0, "AppendObject",
      "oss:PutObject", NULL, STS_OSS_F_TAG, NOBODY },
    { "DELETE", OBJ, S0, S0, "DeleteObject", "oss:DeleteObject",
      "oss:DeleteObjectVersion", 0, NOBODY },
    { "POST", OBJ, S1("uploads"), S0, "InitiateMultipartUpload",
      "oss:PutObject", NULL, STS_OSS_F_TAG, NOBODY },
    { "PUT", OBJ, S2("partNumber", "uploadId"), S0, "UploadPart",
      "oss:PutObject", NULL, STS_OSS_F_COPY, NOBODY },
    { "POST", OBJ, S1("uploadId"), S0, "CompleteMultipartUpload",
      "oss:PutObject", NULL, STS_OSS_F_TAG, NOBODY },
    { "DELETE", OBJ, S1("uploadId"), S0, "AbortMultipartUpload",
      "oss:AbortMultipartUpload", NULL, 0, NOBODY },
    { "GET", OBJ, S1("uploadId"), S0, "ListParts", "oss:ListParts", NULL,
      0, NOBODY },
    { "GET", OBJ, S1("acl"), S0, "GetObjectAcl", "oss:GetObjectAcl",
      "oss:GetObjectVersionAcl", 0, NOBODY },
    { "PUT", OBJ, S1("acl"), S0, "PutObjectAcl", "oss:PutObjectAcl",
      "oss:PutObjectVersionAcl", 0, NOBODY },
    { "GET", OBJ, S1("symlink"), S0, "GetSymlink", "oss:GetObject",
      "oss:GetObjectVersion", 0, NOBODY },
    { "PUT", OBJ, S1("symlink"), S0, "PutSymlink", "oss:PutObject", NULL,
      STS_OSS_F_TAG | STS_OSS_F_SYMLINK, NOBODY },
    { "GET", OBJ, S1("tagging"), S0, "GetObjectTagging",
      "oss:GetObjectTagging", "oss:GetObjectVersionTagging", 0, NOBODY },
    { "PUT", OBJ, S1("tagging"), S0, "PutObjectTagging",
      "oss:PutObjectTagging", "oss:PutObjectVersionTagging", 0, NOBODY },
    { "DELETE", OBJ, S1("tagging"), S0, "DeleteObjectTagging",
      "oss:DeleteObjectTagging", "oss:DeleteObjectVersionTagging", 0,
      NOBODY },
    { "POST", OBJ, S1("restore"), S0, "RestoreObject", "oss:RestoreObject",
      "oss:RestoreObjectVersion", 0, NOBODY },
    { "POST", OBJ, S1("x-oss-process"), S0, "SelectObject",
      "oss:GetObject", NULL, STS_OSS_F_SELECT, NOBODY },

    { NULL, 0, S0, S0, NULL, NULL, NULL, 0, NOBODY }
};


/*
 * Query parameters that do not change which API a request is: listing
 * parameters, response header overrides, the traffic limit, and the
 * parameters of the authentication forms themselves.  Any other name is a
 * sub-resource and must be in the row the request matches.
 */
static const char  *sts_oss_plain_params[] = {
    "prefix", "marker", "max-keys", "delimiter", "encoding-type",
    "list-type", "start-after", "continuation-token", "fetch-owner",
    "key-marker", "upload-id-marker", "max-uploads", "max-parts",
    "part-number-marker", "version-id-marker",
    "response-content-type", "response-content-language",
    "response-expires", "response-cache-control",
    "response-content-disposition", "response-content-encoding",
    "x-oss-traffic-limit",
    "OSSAccessKeyId", "Expires", "Signature", "security-token",
    "x-oss-signature-version", "x-oss-credential", "x-oss-date",
    "x-oss-expires", "x-oss-signature", "x-oss-additional-headers",
    "x-oss-security-token",
    "x-sts-max-uses",
    NULL
};


/*
 * Headers that ask an HTTP server to act as if the request had another
 * method (web frameworks, some stores and the proxies in front of them
 * honour one or the other).  The gateway authorises the method of the
 * request line, so a store that honoured one of these would do what was
 * not authorised.  A request that carries one is refused, not forwarded
 * without it: its client meant another operation than the one the
 * gateway would forward, and doing something else than asked, silently,
 * is worse than saying no.
 */
static const char  *sts_oss_method_overrides[] = {
    "x-http-method-override", "x-method-override", "x-http-method",
    NULL
};


/* image processing steps that read nothing but the object itself */
static const char  *sts_oss_image_steps[] = {
    "resize", "crop", "rotate", "circle", "indexcrop", "rounded-crop",
    "auto-orient", "quality", "format", "interlace", "blur", "bright",
    "contrast", "sharpen", "info", "average-hue",
    NULL
};


static int sts_oss_in_list(sts_str_t s, const char **list);
static void sts_oss_add(const char **names, int *levels, size_t max,
    size_t *n, const char *action, int level);
static int sts_oss_split(const sts_allocator_t *a, sts_str_t path,
    int with_bucket, sts_str_t *bucket, sts_str_t *key,
    const sts_oss_error_t **err);
static int sts_oss_grant(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, const char *action, sts_str_t bucket, sts_str_t key);
static int sts_oss_copy_source(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, sts_str_t v,
    const sts_oss_error_t **err);
static int sts_oss_process(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, sts_str_t proc,
    int in_body, const sts_oss_error_t **err);
static int sts_oss_image_step(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, sts_str_t step,
    int nested, const sts_oss_error_t **err);
static int sts_oss_watermark(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, sts_str_t b64,
    const sts_oss_error_t **err);
static int sts_oss_saveas(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, sts_str_t params,
    const sts_oss_error_t **err);
static const sts_oss_row_t *sts_oss_match(sts_str_t method, int level,
    const sts_params_t *q);
static int sts_oss_header_once(const sts_http_request_t *r, const char *name,
    sts_str_t *value, const sts_oss_error_t **err);
static int sts_oss_delete_encoding(const sts_http_request_t *r,
    const sts_params_t *q, sts_oss_op_t *out, const sts_oss_error_t **err);
static int sts_oss_preflight(const sts_http_request_t *r, sts_oss_op_t *out,
    const sts_oss_error_t **err);
static int sts_oss_naming_headers(const sts_http_request_t *r,
    const sts_oss_row_t *row, sts_str_t *copy, sts_str_t *link,
    const sts_oss_error_t **err);
static int sts_oss_post_form(const sts_http_request_t *r,
    const sts_oss_error_t **err);
static int sts_oss_select(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, const sts_params_t *q, sts_oss_op_t *out,
    const sts_oss_error_t **err);
static int sts_oss_symlink(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *out, sts_str_t link,
    const sts_oss_error_t **err);
static int sts_oss_url_key(sts_str_t *k);
static void sts_oss_xml_escape(sts_buf_t *b, sts_str_t s);


static int
sts_oss_in_list(sts_str_t s, const char **list)
{
    size_t  i;

    for (i = 0; list[i] != NULL; i++) {
        if (sts_str_eq(s, list[i])) {
            return 1;
        }
    }

    return 0;
}


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
    size_t          i, start, n;
    unsigned char   c;
    const char     *seg;

    if (k.len < 1 || k.len > STS_OSS_MAX_KEY_LEN
        || k.data[0] == '/' || k.data[0] == '\\')
    {
        return 0;
    }

    if (!sts_utf8_valid((const unsigned char *) k.data, k.len)) {
        return 0;
    }

    /*
     * Stricter than OSS: no control bytes, no "." or ".." segment, no
     * empty segment.  A backend that normalises paths would otherwise
     * serve another object than the one the policy was evaluated for.
     */

    start = 0;

    for (i = 0; i <= k.len; i++) {
        if (i < k.len) {
            c = (unsigned char) k.data[i];

            if (c < 0x20 || c == 0x7f) {
                return 0;
            }

            if (c != '/' && c != '\\') {
                continue;
            }
        }

        seg = k.data + start;
        n = i - start;

        if ((n == 1 && seg[0] == '.')
            || (n == 2 && seg[0] == '.' && seg[1] == '.'))
        {
            return 0;
        }

        /* "a//b": an empty segment; "dir/" (the last one) is fine */
        if (n == 0 && i < k.len && k.data[i] == '/' && start > 0
            && k.data[start - 1] == '/')
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
    int          rc;
    const char  *slash;
    sts_str_t    decoded;

    rc = sts_percent_decode(a, path, 0, &decoded);
    if (rc != STS_OK) {
        *err = (rc == STS_ENOMEM) ? NULL : &sts_err_invalid_object_name;
        return rc;
    }

    if (decoded.len == 0 || decoded.data[0] != '/') {
        sts_free(a, (void *) decoded.data);
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

    if (!sts_http_target_valid(r)) {
        *err = &sts_err_invalid_uri;
        return STS_EINVAL;
    }

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
        colon = host.len ? memchr(host.data, ':', host.len) : NULL;
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
    size_t            cap;
    sts_oss_grant_t  *g;

    if (op->num_grants == op->cap_grants) {
        if (op->num_grants >= STS_OSS_MAX_GRANTS) {
            return STS_ETOOBIG;
        }

        cap = op->cap_grants ? 2 * op->cap_grants : 8;

        g = sts_alloc(a, cap * sizeof(sts_oss_grant_t));
        if (g == NULL) {
            return STS_ENOMEM;
        }

        if (op->num_grants) {
            memcpy(g, op->grants, op->num_grants * sizeof(sts_oss_grant_t));
        }

        sts_free(a, op->grants);
        op->grants = g;
        op->cap_grants = cap;
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
 * The source is decoded once and validated like a request path; reading
 * it needs oss:GetObject, and oss:GetObjectVersion for a version.
 */
static int
sts_oss_copy_source(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, sts_str_t v, const sts_oss_error_t **err)
{
    int          rc, versioned;
    const char  *q;
    sts_str_t    path, bucket, key;

    versioned = 0;
    path = v;

    /*
     * the header is an encoded path: a raw '#' would end it for a store
     * that reads it as a URL, which would copy another object
     */
    if (memchr(v.data, '#', v.len) != NULL) {
        *err = &sts_err_invalid_argument_header;
        return STS_EINVAL;
    }

    q = memchr(v.data, '?', v.len);
    if (q != NULL) {
        path.len = (size_t) (q - v.data);
        if (v.len - path.len <= sizeof("?versionId=") - 1
            || strncmp(q, "?versionId=", sizeof("?versionId=") - 1) != 0)
        {
            *err = &sts_err_invalid_argument_header;
            return STS_EINVAL;
        }

        versioned = 1;
    }

    rc = sts_oss_split(a, path, 1, &bucket, &key, err);
    if (rc != STS_OK) {
        return rc;
    }

    if (!sts_oss_is_valid_bucket(bucket)) {
        *err = &sts_err_invalid_bucket_name;
        rc = STS_EINVAL;

    } else if (!sts_oss_is_valid_key(key)) {
        *err = &sts_err_invalid_object_name;
        rc = STS_EINVAL;

    } else {
        rc = sts_oss_grant(a, conf, op, "oss:GetObject", bucket, key);

        if (rc == STS_OK && versioned) {
            rc = sts_oss_grant(a, conf, op, "oss:GetObjectVersion", bucket,
                               key);
        }
    }

    /* the decoded path starts with the '/' before the bucket */
    sts_free(a, (void *) (bucket.data - 1));

    return rc;
}


int
sts_oss_base64url_text(const sts_allocator_t *a, sts_str_t in, sts_str_t *out)
{
    int             rc;
    char           *p;
    size_t          n;

    out->data = NULL;
    out->len = 0;

    /* OSS leaves the padding off, some clients keep it */
    while (in.len && in.data[in.len - 1] == '=') {
        in.len--;
    }

    if (in.len == 0) {
        return STS_EINVAL;
    }

    p = sts_alloc(a, sts_base64_decoded_max(in.len) + 1);
    if (p == NULL) {
        return STS_ENOMEM;
    }

    rc = sts_base64url_decode((unsigned char *) p, &n, in.data, in.len);
    if (rc != STS_OK || memchr(p, '\0', n) != NULL) {
        sts_free(a, p);
        return STS_EINVAL;
    }

    p[n] = '\0';
    out->data = p;
    out->len = n;

    return STS_OK;
}


/*
 * A watermark names another object of the same bucket:
 * image_<base64url(key[?x-oss-process=image/...])>.  The key needs
 * oss:GetObject; a processing of the watermark itself may only use the
 * steps that read nothing else.
 */
static int
sts_oss_watermark(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, sts_str_t b64, const sts_oss_error_t **err)
{
    int          rc;
    sts_str_t    text, key, proc, step;
    const char  *q, *p, *end, *slash;

    if (sts_oss_base64url_text(a, b64, &text) != STS_OK) {
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    key = text;
    q = memchr(text.data, '?', text.len);

    if (q != NULL) {
        key.len = (size_t) (q - text.data);
        proc.data = q + 1;
        proc.len = text.len - key.len - 1;

        if (proc.len <= sizeof("x-oss-process=image/") - 1
            || strncmp(proc.data, "x-oss-process=image/",
                       sizeof("x-oss-process=image/") - 1) != 0)
        {
            sts_free(a, (void *) text.data);
            *err = &sts_err_unchecked_object;
            return STS_EINVAL;
        }

        p = proc.data + sizeof("x-oss-process=image/") - 1;
        end = proc.data + proc.len;

        while (p < end) {
            slash = memchr(p, '/', (size_t) (end - p));
            step.data = p;
            step.len = (size_t) ((slash ? slash : end) - p);

            rc = sts_oss_image_step(a, conf, op, step, 1, err);
            if (rc != STS_OK) {
                sts_free(a, (void *) text.data);
                return rc;
            }

            p = slash ? slash + 1 : end;
        }
    }

    if (!sts_oss_is_valid_key(key)) {
        sts_free(a, (void *) text.data);
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    rc = sts_oss_grant(a, conf, op, "oss:GetObject", op->bucket, key);

    /* the resource is a copy */
    sts_free(a, (void *) text.data);

    return rc;
}


/* one step of the image family: "resize,w_100" or "watermark,..." */
static int
sts_oss_image_step(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, sts_str_t step, int nested,
    const sts_oss_error_t **err)
{
    int          rc;
    sts_str_t    name, param;
    const char  *comma, *p, *end;

    end = step.data + step.len;
    comma = memchr(step.data, ',', step.len);
    name.data = step.data;
    name.len = (size_t) ((comma ? comma : end) - step.data);

    if (sts_oss_in_list(name, sts_oss_image_steps)) {
        return STS_OK;
    }

    if (nested || !sts_str_eq(name, "watermark")) {
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    p = comma ? comma + 1 : end;

    while (p < end) {
        comma = memchr(p, ',', (size_t) (end - p));
        param.data = p;
        param.len = (size_t) ((comma ? comma : end) - p);
        p = comma ? comma + 1 : end;

        if (param.len > 6 && memcmp(param.data, "image_", 6) == 0) {
            param.data += 6;
            param.len -= 6;

            rc = sts_oss_watermark(a, conf, op, param, err);
            if (rc != STS_OK) {
                return rc;
            }
        }
    }

    return STS_OK;
}


/*
 * sys/saveas,o_<base64url key>[,b_<base64url bucket>]: the result is
 * written there, which needs oss:PutObject on it.
 */
static int
sts_oss_saveas(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, sts_str_t params, const sts_oss_error_t **err)
{
    int          rc;
    sts_str_t    param, bucket, key, *dst;
    const char  *comma, *p, *end;

    bucket = op->bucket;
    key.len = 0;
    key.data = NULL;
    rc = STS_EINVAL;
    *err = &sts_err_unchecked_object;

    p = params.data;
    end = params.data + params.len;

    while (p < end) {
        comma = memchr(p, ',', (size_t) (end - p));
        param.data = p;
        param.len = (size_t) ((comma ? comma : end) - p);
        p = comma ? comma + 1 : end;

        if (param.len > 2 && memcmp(param.data, "o_", 2) == 0
            && key.data == NULL)
        {
            dst = &key;

        } else if (param.len > 2 && memcmp(param.data, "b_", 2) == 0
                   && bucket.data == op->bucket.data)
        {
            dst = &bucket;

        } else {
            goto done;
        }

        param.data += 2;
        param.len -= 2;

        if (sts_oss_base64url_text(a, param, dst) != STS_OK) {
            goto done;
        }
    }

    if (key.data == NULL || !sts_oss_is_valid_key(key)) {
        goto done;
    }

    if (!sts_oss_is_valid_bucket(bucket)) {
        *err = &sts_err_invalid_bucket_name;
        goto done;
    }

    *err = NULL;
    rc = sts_oss_grant(a, conf, op, "oss:PutObject", bucket, key);

done:

    /* the decoded names: the resource is a copy */
    sts_free(a, (void *) key.data);

    if (bucket.data != op->bucket.data) {
        sts_free(a, (void *) bucket.data);
    }

    return rc;
}


/*
 * An x-oss-process value.  In a GET query: "image/<step>[/<step>...]" or
 * "video/snapshot,...".  In a ProcessObject body also stages joined by
 * '|', among them "sys/saveas,...".  Styles are refused: their steps live
 * in the bucket's configuration, where the gateway cannot see what they
 * read or write.
 */
static int
sts_oss_process(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, sts_str_t proc, int in_body,
    const sts_oss_error_t **err)
{
    int          rc;
    sts_str_t    stage, family, steps, step, name;
    const char  *p, *end, *bar, *slash, *s, *send, *comma;

    p = proc.data;
    end = proc.data + proc.len;

    if (proc.len == 0) {
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    while (p < end) {
        bar = memchr(p, '|', (size_t) (end - p));
        stage.data = p;
        stage.len = (size_t) ((bar ? bar : end) - p);
        p = bar ? bar + 1 : end;

        if (bar != NULL && !in_body) {
            *err = &sts_err_unchecked_object;
            return STS_EINVAL;
        }

        slash = memchr(stage.data, '/', stage.len);
        if (slash == NULL || slash + 1 == stage.data + stage.len) {
            *err = &sts_err_unchecked_object;
            return STS_EINVAL;
        }

        family.data = stage.data;
        family.len = (size_t) (slash - stage.data);
        steps.data = slash + 1;
        steps.len = stage.len - family.len - 1;

        if (sts_str_eq(family, "image")) {
            s = steps.data;
            send = steps.data + steps.len;

            while (s < send) {
                slash = memchr(s, '/', (size_t) (send - s));
                step.data = s;
                step.len = (size_t) ((slash ? slash : send) - s);
                s = slash ? slash + 1 : send;

                rc = sts_oss_image_step(a, conf, op, step, 0, err);
                if (rc != STS_OK) {
                    return rc;
                }
            }

            continue;
        }

        comma = memchr(steps.data, ',', steps.len);
        name.data = steps.data;
        name.len = (size_t) ((comma ? comma : steps.data + steps.len)
                             - steps.data);

        if (sts_str_eq(family, "video") && sts_str_eq(name, "snapshot")
            && memchr(steps.data, '/', steps.len) == NULL)
        {
            continue;
        }

        if (in_body && sts_str_eq(family, "sys")
            && sts_str_eq(name, "saveas") && comma != NULL
            && memchr(steps.data, '/', steps.len) == NULL)
        {
            steps.len -= (size_t) (comma + 1 - steps.data);
            steps.data = comma + 1;

            rc = sts_oss_saveas(a, conf, op, steps, err);
            if (rc != STS_OK) {
                return rc;
            }

            continue;
        }

        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    return STS_OK;
}


static const sts_oss_row_t *
sts_oss_match(sts_str_t method, int level, const sts_params_t *q)
{
    size_t               i, k;
    sts_str_t            name;
    const sts_oss_row_t  *row;

    for (row = sts_oss_rows; row->method != NULL; row++) {
        if (row->level != level || !sts_str_eq(method, row->method)) {
            continue;
        }

        for (k = 0; k < 2; k++) {
            if (row->sub[k] != NULL && sts_params_get(q, row->sub[k]) == NULL)
            {
                break;
            }
        }

        if (k < 2) {
            continue;
        }

        for (i = 0; i < q->num; i++) {
            name = q->items[i].name;

            if (sts_str_eq(name, "versionId")
                || sts_oss_in_list(name, sts_oss_plain_params))
            {
                continue;
            }

            for (k = 0; k < 2; k++) {
                if ((row->sub[k] != NULL && sts_str_eq(name, row->sub[k]))
                    || (row->opt[k] != NULL && sts_str_eq(name, row->opt[k])))
                {
                    break;
                }
            }

            if (k == 2) {
                break;
            }
        }

        if (i == q->num) {
            return row;
        }
    }

    return NULL;
}


/* the value of a header that may appear at most once; empty if absent */
static int
sts_oss_header_once(const sts_http_request_t *r, const char *name,
    sts_str_t *value, const sts_oss_error_t **err)
{
    size_t               count;
    const sts_header_t  *h;

    value->data = "";
    value->len = 0;

    h = sts_http_header(r, name, &count);
    if (h == NULL) {
        return STS_OK;
    }

    if (count > 1) {
        *err = &sts_err_invalid_argument_header;
        return STS_EINVAL;
    }

    *value = sts_str_trim(h->value);

    return STS_OK;
}


/*
 * DeleteMultipleObjects: encoding-type, as a query parameter or (as OSS
 * documents it) a header, says the keys of the body are URL-encoded.
 * "url" is the only encoding; anything else could be read another way.
 */
static int
sts_oss_delete_encoding(const sts_http_request_t *r, const sts_params_t *q,
    sts_oss_op_t *out, const sts_oss_error_t **err)
{
    sts_str_t           h;
    const sts_param_t  *p;

    if (sts_oss_header_once(r, "Encoding-type", &h, err) != STS_OK) {
        return STS_EINVAL;
    }

    if (sts_http_header(r, "Encoding-type", NULL) != NULL) {
        if (!sts_str_eq(h, "url")) {
            *err = &sts_err_encoding_type;
            return STS_EINVAL;
        }

        out->url_keys = 1;
    }

    p = sts_params_get(q, "encoding-type");

    if (p != NULL) {
        if (!sts_str_eq(p->value, "url")) {
            *err = &sts_err_encoding_type;
            return STS_EINVAL;
        }

        out->url_keys = 1;
    }

    return STS_OK;
}


/* OPTIONS needs Origin and Access-Control-Request-Method, non-empty */

static int
sts_oss_preflight(const sts_http_request_t *r, sts_oss_op_t *out,
    const sts_oss_error_t **err)
{
    sts_str_t  origin, acrm;

    /* a CORS preflight carries no credentials (doc/protocol.md 9) */
    if (sts_oss_header_once(r, "Origin", &origin, err) != STS_OK
        || sts_oss_header_once(r, "Access-Control-Request-Method",
                               &acrm, err) != STS_OK
        || origin.len == 0 || acrm.len == 0)
    {
        *err = &sts_err_cors_forbidden;
        return STS_EINVAL;
    }

    out->api = "Options";
    out->preflight = 1;
    return STS_OK;
}


/*
 * The headers that name another object (or tag this one) appear at most
 * once, and only on the operations that take them.  |copy| and |link| get
 * their values.
 */

static int
sts_oss_naming_headers(const sts_http_request_t *r, const sts_oss_row_t *row,
    sts_str_t *copy, sts_str_t *link, const sts_oss_error_t **err)
{
    sts_str_t  tagging;

    if (sts_oss_header_once(r, "x-oss-copy-source", copy, err) != STS_OK
        || sts_oss_header_once(r, "x-oss-symlink-target", link, err)
           != STS_OK
        || sts_oss_header_once(r, "x-oss-tagging", &tagging, err) != STS_OK)
    {
        return STS_EINVAL;
    }

    if ((sts_http_header(r, "x-oss-copy-source", NULL) != NULL
         && !(row->flags & STS_OSS_F_COPY))
        || (sts_http_header(r, "x-oss-symlink-target", NULL) != NULL
            && !(row->flags & STS_OSS_F_SYMLINK)))
    {
        /* a header that names another object where none is expected */
        *err = &sts_err_invalid_argument_header;
        return STS_EINVAL;
    }

    return STS_OK;
}


/* a PostObject body is a multipart form */

static int
sts_oss_post_form(const sts_http_request_t *r, const sts_oss_error_t **err)
{
    sts_str_t  ctype;

    if (sts_oss_header_once(r, "Content-Type", &ctype, err) != STS_OK) {
        return STS_EINVAL;
    }

    if (ctype.len < sizeof("multipart/form-data") - 1
        || strncasecmp(ctype.data, "multipart/form-data",
                       sizeof("multipart/form-data") - 1) != 0)
    {
        *err = &sts_err_post_not_multipart;
        return STS_EINVAL;
    }

    return STS_OK;
}


/*
 * x-oss-process on a POST: empty is ProcessObject (its body says what it
 * writes), otherwise only the select and meta forms are known
 */

static int
sts_oss_select(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_params_t *q, sts_oss_op_t *out, const sts_oss_error_t **err)
{
    const sts_param_t  *p;

    p = sts_params_get(q, "x-oss-process");

    if (p->value.len == 0) {
        /* ProcessObject: what it writes is in the body */
        out->api = "ProcessObject";
        out->body = STS_OSS_BODY_PROCESS;

        return sts_oss_grant(a, conf, out, "oss:PostProcessTask",
                             out->bucket, out->key);
    }

    if (!sts_str_eq(p->value, "csv/select")
        && !sts_str_eq(p->value, "json/select")
        && !sts_str_eq(p->value, "csv/meta")
        && !sts_str_eq(p->value, "json/meta"))
    {
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    return STS_OK;
}


/*
 * PutSymlink: a later GetObject of the link returns the target's bytes,
 * so whoever links must be able to read the target
 */

static int
sts_oss_symlink(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *out, sts_str_t link, const sts_oss_error_t **err)
{
    int        rc;
    sts_str_t  sk;

    if (link.len == 0 || memchr(link.data, '#', link.len) != NULL) {
        /* an encoded key: a raw '#' would end it for some stores */
        *err = &sts_err_invalid_argument_header;
        return STS_EINVAL;
    }

    rc = sts_percent_decode(a, link, 0, &sk);
    if (rc != STS_OK) {
        *err = (rc == STS_ENOMEM) ? NULL : &sts_err_invalid_object_name;
        return rc;
    }

    if (!sts_oss_is_valid_key(sk)) {
        sts_free(a, (void *) sk.data);
        *err = &sts_err_invalid_object_name;
        return STS_EINVAL;
    }

    rc = sts_oss_grant(a, conf, out, "oss:GetObject", out->bucket, sk);
    sts_free(a, (void *) sk.data);

    return rc;
}


int
sts_oss_classify(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_http_request_t *r, const sts_params_t *q, sts_oss_op_t *out,
    const sts_oss_error_t **err)
{
    int                  rc, level, versioned;
    size_t               i;
    sts_str_t            m, copy, link;
    const sts_param_t   *p;
    const sts_oss_row_t  *row;

    memset(out, 0, sizeof(*out));
    *err = NULL;

    rc = sts_oss_locate(a, conf, r, &out->bucket, &out->key, err);
    if (rc != STS_OK) {
        return rc;
    }

    for (i = 0; sts_oss_method_overrides[i] != NULL; i++) {
        if (sts_http_header(r, sts_oss_method_overrides[i], NULL) != NULL) {
            *err = &sts_err_method_override;
            return STS_EINVAL;
        }
    }

    m = r->method;

    if (sts_str_eq(m, "OPTIONS")) {
        return sts_oss_preflight(r, out, err);
    }

    level = out->bucket.len == 0 ? STS_OSS_SERVICE
            : out->key.len == 0 ? STS_OSS_BUCKET : STS_OSS_OBJECT;

    row = sts_oss_match(m, level, q);
    if (row == NULL) {
        *err = &sts_err_unsupported_operation;
        return STS_EINVAL;
    }

    if (((row->flags & STS_OSS_F_CONFIG_R)
         && conf->bucket_config == STS_OSS_BUCKET_CONFIG_OFF)
        || ((row->flags & STS_OSS_F_CONFIG_W)
            && conf->bucket_config != STS_OSS_BUCKET_CONFIG_ON))
    {
        out->api = row->api;
        *err = &sts_err_bucket_config;
        return STS_EINVAL;
    }

    versioned = sts_params_get(q, "versionId") != NULL;

    if (versioned && row->ver_action == NULL) {
        *err = &sts_err_unsupported_operation;
        return STS_EINVAL;
    }

    if (sts_oss_naming_headers(r, row, &copy, &link, err) != STS_OK) {
        return STS_EINVAL;
    }

    out->api = row->api;
    out->body = row->body;
    out->list = (row->flags & STS_OSS_F_LIST) ? 1 : 0;

    if (row->body == STS_OSS_BODY_DELETE
        && sts_oss_delete_encoding(r, q, out, err) != STS_OK)
    {
        return STS_EINVAL;
    }

    if (row->body == STS_OSS_BODY_POST) {
        return sts_oss_post_form(r, err);
    }

    if (row->flags & STS_OSS_F_LIST) {
        p = sts_params_get(q, "list-type");
        if (level == STS_OSS_BUCKET && row->sub[0] == NULL && p != NULL) {
            if (!sts_str_eq(p->value, "2")) {
                *err = &sts_err_invalid_argument_query;
                return STS_EINVAL;
            }

            out->api = "ListObjectsV2";
        }
    }

    if (row->flags & STS_OSS_F_SELECT) {
        rc = sts_oss_select(a, conf, q, out, err);
        if (rc != STS_OK) {
            return rc;
        }
    }

    if (row->action == NULL) {
        /* the body names the objects */
        return STS_OK;
    }

    rc = sts_oss_grant(a, conf, out, row->action, out->bucket, out->key);

    if (rc == STS_OK && versioned) {
        rc = sts_oss_grant(a, conf, out, row->ver_action, out->bucket,
                           out->key);
    }

    if (rc == STS_OK && (row->flags & STS_OSS_F_TAG)
        && sts_http_header(r, "x-oss-tagging", NULL) != NULL)
    {
        rc = sts_oss_grant(a, conf, out, "oss:PutObjectTagging", out->bucket,
                           out->key);
    }

    if (rc != STS_OK) {
        return rc;
    }

    if ((row->flags & STS_OSS_F_COPY)
        && sts_http_header(r, "x-oss-copy-source", NULL) != NULL)
    {
        /* CopyObject, UploadPartCopy: the source is read, too */
        out->api = (row->sub[0] == NULL) ? "CopyObject" : "UploadPartCopy";

        return sts_oss_copy_source(a, conf, out, copy, err);
    }

    if (row->flags & STS_OSS_F_SYMLINK) {
        return sts_oss_symlink(a, conf, out, link, err);
    }

    if (row->flags & STS_OSS_F_PROCESS) {
        p = sts_params_get(q, "x-oss-process");
        if (p != NULL) {
            return sts_oss_process(a, conf, out, p->value, 0, err);
        }
    }

    return STS_OK;
}


int
sts_oss_add_process_body(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, const char *body,
    size_t len, const sts_oss_error_t **err)
{
    int                 rc;
    sts_str_t           raw;
    sts_params_t        params;
    const sts_param_t  *p;

    *err = NULL;

    if (len > STS_OSS_PROCESS_MAX_BODY) {
        *err = &sts_err_entity_too_large;
        return STS_ETOOBIG;
    }

    raw.data = body;
    raw.len = len;

    rc = sts_query_parse(a, raw, &params);
    if (rc == STS_ENOMEM) {
        return rc;
    }

    if (rc != STS_OK) {
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    p = sts_params_get(&params, "x-oss-process");

    if (params.num != 1 || p == NULL) {
        sts_free(a, params.items);
        *err = &sts_err_unchecked_object;
        return STS_EINVAL;
    }

    rc = sts_oss_process(a, conf, op, p->value, 1, err);

    /* the grants copied what they need */
    sts_free(a, params.items);

    return rc;
}


int
sts_oss_add_post_object(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, sts_str_t key, int tagging, const sts_oss_error_t **err)
{
    int  rc;

    *err = NULL;

    if (!sts_oss_is_valid_key(key)) {
        *err = &sts_err_invalid_object_name;
        return STS_EINVAL;
    }

    op->key = key;

    rc = sts_oss_grant(a, conf, op, "oss:PutObject", op->bucket, key);

    if (rc == STS_OK && tagging) {
        rc = sts_oss_grant(a, conf, op, "oss:PutObjectTagging", op->bucket,
                           key);
    }

    return rc;
}


/* DeleteMultipleObjects: a small XML reader for exactly one schema */

typedef struct {
    const char  *p;
    const char  *end;
    char        *arena;       /* decoded text goes here */
} sts_oss_xml_t;


static void
sts_oss_xml_ws(sts_oss_xml_t *x)
{
    while (x->p < x->end
           && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n'
               || *x->p == '\r'))
    {
        x->p++;
    }
}


static int
sts_oss_xml_lit(sts_oss_xml_t *x, const char *s)
{
    size_t  n;

    n = strlen(s);

    if ((size_t) (x->end - x->p) < n || memcmp(x->p, s, n) != 0) {
        return 0;
    }

    x->p += n;

    return 1;
}


static size_t
sts_oss_utf8_put(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char) c;
        return 1;
    }

    if (c < 0x800) {
        out[0] = (char) (0xc0 | (c >> 6));
        out[1] = (char) (0x80 | (c & 0x3f));
        return 2;
    }

    if (c < 0x10000) {
        out[0] = (char) (0xe0 | (c >> 12));
        out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
        out[2] = (char) (0x80 | (c & 0x3f));
        return 3;
    }

    out[0] = (char) (0xf0 | (c >> 18));
    out[1] = (char) (0x80 | ((c >> 12) & 0x3f));
    out[2] = (char) (0x80 | ((c >> 6) & 0x3f));
    out[3] = (char) (0x80 | (c & 0x3f));
    return 4;
}


/*
 * Character data up to the next '<', decoded into the arena (never longer
 * than its source), NUL-terminated.  A raw CR is refused: XML parsers
 * turn CR LF into LF, and the key seen here must be the key seen there.
 */
static int
sts_oss_xml_text(sts_oss_xml_t *x, sts_str_t *out)
{
    int          base, d;
    char        *o;
    uint32_t     c;
    const char  *semi;

    o = x->arena;

    while (x->p < x->end && *x->p != '<') {

        if (*x->p == '\r') {
            return STS_EINVAL;
        }

        if (*x->p != '&') {
            *o++ = *x->p++;
            continue;
        }

        semi = memchr(x->p, ';', (size_t) (x->end - x->p));
        if (semi == NULL || semi - x->p > 12) {
            return STS_EINVAL;
        }

        if (sts_oss_xml_lit(x, "&amp;")) {
            *o++ = '&';

        } else if (sts_oss_xml_lit(x, "&lt;")) {
            *o++ = '<';

        } else if (sts_oss_xml_lit(x, "&gt;")) {
            *o++ = '>';

        } else if (sts_oss_xml_lit(x, "&quot;")) {
            *o++ = '"';

        } else if (sts_oss_xml_lit(x, "&apos;")) {
            *o++ = '\'';

        } else if (x->p[1] == '#') {
            x->p += 2;
            base = 10;

            if (*x->p == 'x') {
                base = 16;
                x->p++;
            }

            if (x->p == semi) {
                return STS_EINVAL;
            }

            c = 0;

            for ( /* void */ ; x->p < semi; x->p++) {
                if (*x->p >= '0' && *x->p <= '9') {
                    d = *x->p - '0';

                } else if (base == 16 && *x->p >= 'a' && *x->p <= 'f') {
                    d = *x->p - 'a' + 10;

                } else if (base == 16 && *x->p >= 'A' && *x->p <= 'F') {
                    d = *x->p - 'A' + 10;

                } else {
                    return STS_EINVAL;
                }

                c = c * (uint32_t) base + (uint32_t) d;

                if (c > 0x10ffff) {
                    return STS_EINVAL;
                }
            }

            x->p++;

            /* XML 1.0 Char, without the C0 controls but TAB and LF */
            if ((c < 0x20 && c != '\t' && c != '\n')
                || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe
                || c == 0xffff)
            {
                return STS_EINVAL;
            }

            /* "&#59;" is at least as long as its UTF-8 */
            o += sts_oss_utf8_put(o, c);

        } else {
            return STS_EINVAL;
        }
    }

    *o = '\0';
    out->data = x->arena;
    out->len = (size_t) (o - x->arena);
    x->arena = o + 1;

    return STS_OK;
}


/* <Name>text</Name>, the opening tag already read */
static int
sts_oss_xml_leaf(sts_oss_xml_t *x, const char *close, sts_str_t *out)
{
    if (sts_oss_xml_text(x, out) != STS_OK || !sts_oss_xml_lit(x, close)) {
        return STS_EINVAL;
    }

    return STS_OK;
}


static int
sts_oss_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c = (char) (c | 0x20);

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/*
 * A key of a delete list under encoding-type url, percent-decoded in
 * place (its text is in the parser's arena).  A '+' is a space to form
 * decoders and a plus to others; a decoded '%' or '+' would read as
 * another key to a store that decodes once more: all are refused, so the
 * decoded key reads the same to every store, decoding or not.
 */
static int
sts_oss_url_key(sts_str_t *k)
{
    int            hi, lo;
    char          *o;
    size_t         i;
    unsigned char  c;

    o = (char *) k->data;

    for (i = 0; i < k->len; i++) {
        c = (unsigned char) k->data[i];

        if (c == '+') {
            return STS_EINVAL;
        }

        if (c == '%') {
            if (k->len - i < 3) {
                return STS_EINVAL;
            }

            hi = sts_oss_hex_digit(k->data[i + 1]);
            lo = sts_oss_hex_digit(k->data[i + 2]);

            if (hi < 0 || lo < 0) {
                return STS_EINVAL;
            }

            c = (unsigned char) (hi << 4 | lo);
            i += 2;

            if (c == '%' || c == '+') {
                return STS_EINVAL;
            }
        }

        *o++ = (char) c;
    }

    *o = '\0';
    k->len = (size_t) (o - k->data);

    return STS_OK;
}


/*
 * The document up to the end of the <Delete> start tag: an optional XML
 * declaration, then <Delete and its attributes.  STS_EINVAL when it is
 * not well formed.
 */

static int
sts_oss_xml_delete_open(sts_oss_xml_t *x)
{
    char  q;

    sts_oss_xml_ws(x);

    if (sts_oss_xml_lit(x, "<?xml ")) {
        while (x->p + 1 < x->end && !(x->p[0] == '?' && x->p[1] == '>')) {
            if (*x->p == '<') {
                return STS_EINVAL;
            }

            x->p++;
        }

        if (!sts_oss_xml_lit(x, "?>")) {
            return STS_EINVAL;
        }

        sts_oss_xml_ws(x);
    }

    if (!sts_oss_xml_lit(x, "<Delete")) {
        return STS_EINVAL;
    }

    /* attributes of <Delete>, e.g. xmlns="..." (no prefixes) */

    for ( ;; ) {
        sts_oss_xml_ws(x);

        if (sts_oss_xml_lit(x, ">")) {
            break;
        }

        if (x->p == x->end || !((*x->p >= 'a' && *x->p <= 'z')
                                || (*x->p >= 'A' && *x->p <= 'Z')))
        {
            return STS_EINVAL;
        }

        while (x->p < x->end && ((*x->p >= 'a' && *x->p <= 'z')
                                 || (*x->p >= 'A' && *x->p <= 'Z')
                                 || (*x->p >= '0' && *x->p <= '9')
                                 || *x->p == '-' || *x->p == '_'))
        {
            x->p++;
        }

        sts_oss_xml_ws(x);

        if (!sts_oss_xml_lit(x, "=")) {
            return STS_EINVAL;
        }

        sts_oss_xml_ws(x);

        if (x->p == x->end || (*x->p != '"' && *x->p != '\'')) {
            return STS_EINVAL;
        }

        q = *x->p++;

        while (x->p < x->end && *x->p != q) {
            if (*x->p == '<' || *x->p == '&') {
                return STS_EINVAL;
            }

            x->p++;
        }

        if (x->p == x->end) {
            return STS_EINVAL;
        }

        x->p++;
    }

    return STS_OK;
}


/* a Delete document that is not well formed */

static int
sts_oss_xml_malformed(const sts_oss_error_t **err)
{
    *err = &sts_err_malformed_xml;
    return STS_EINVAL;
}


/*
 * One <Object> of a Delete document, after its start tag: exactly one
 * <Key>, at most one <VersionId>, then </Object>.  The key is decoded when
 * the request asked for url encoding and must be a valid object name.
 * STS_EINVAL with *err set otherwise.
 */

static int
sts_oss_xml_delete_object(sts_oss_xml_t *x, sts_oss_delete_key_t *k, int url,
    const sts_oss_error_t **err)
{
    int  have_key, have_version;

    have_key = 0;
    have_version = 0;

    for ( ;; ) {
        sts_oss_xml_ws(x);

        if (sts_oss_xml_lit(x, "</Object>")) {
            break;
        }

        if (sts_oss_xml_lit(x, "<Key>")) {
            if (have_key++
                || sts_oss_xml_leaf(x, "</Key>", &k->key) != STS_OK)
            {
                return sts_oss_xml_malformed(err);
            }

        } else if (sts_oss_xml_lit(x, "<VersionId>")) {
            if (have_version++
                || sts_oss_xml_leaf(x, "</VersionId>", &k->version_id)
                   != STS_OK)
            {
                return sts_oss_xml_malformed(err);
            }

        } else {
            return sts_oss_xml_malformed(err);
        }
    }

    if (!have_key) {
        return sts_oss_xml_malformed(err);
    }

    if (!have_version) {
        k->version_id.data = "";
        k->version_id.len = 0;
    }

    k->has_version = have_version;

    if (url && sts_oss_url_key(&k->key) != STS_OK) {
        *err = &sts_err_encoded_key;
        return STS_EINVAL;
    }

    if (!sts_oss_is_valid_key(k->key)) {
        *err = &sts_err_invalid_object_name;
        return STS_EINVAL;
    }

    if (!sts_utf8_valid((const unsigned char *) k->version_id.data,
                            k->version_id.len))
    {
        return sts_oss_xml_malformed(err);
    }

    return STS_OK;
}


int
sts_oss_parse_delete_xml(const sts_allocator_t *a, const char *body,
    size_t len, int url, sts_oss_delete_key_t **out, size_t *num,
    int *quiet_out, const sts_oss_error_t **err)
{
    int                    quiet, qv;
    size_t                 n;
    sts_str_t              s;
    sts_oss_xml_t          x;
    sts_oss_delete_key_t  *keys;

    *out = NULL;
    *num = 0;
    *err = NULL;
    qv = -1;

    if (len > STS_OSS_DELETE_MAX_BODY) {
        *err = &sts_err_entity_too_large;
        return STS_ETOOBIG;
    }

    /* one block: the keys, then an arena for their decoded text */
    keys = sts_alloc(a, STS_OSS_DELETE_MAX_KEYS * sizeof(sts_oss_delete_key_t)
                        + len + 2 * STS_OSS_DELETE_MAX_KEYS + 1);
    if (keys == NULL) {
        return STS_ENOMEM;
    }

    x.p = body;
    x.end = body + len;
    x.arena = (char *) (keys + STS_OSS_DELETE_MAX_KEYS);

    n = 0;
    quiet = 0;

    if (sts_oss_xml_delete_open(&x) != STS_OK) {
        goto malformed;
    }

    for ( ;; ) {
        sts_oss_xml_ws(&x);

        if (sts_oss_xml_lit(&x, "</Delete>")) {
            break;
        }

        if (sts_oss_xml_lit(&x, "<Quiet>")) {
            if (quiet++ || sts_oss_xml_leaf(&x, "</Quiet>", &s) != STS_OK
                || !(sts_str_eq(s, "true") || sts_str_eq(s, "false")))
            {
                goto malformed;
            }

            qv = sts_str_eq(s, "true");
            continue;
        }

        if (!sts_oss_xml_lit(&x, "<Object>")
            || n == STS_OSS_DELETE_MAX_KEYS)
        {
            goto malformed;
        }

        if (sts_oss_xml_delete_object(&x, &keys[n], url, err) != STS_OK) {
            sts_free(a, keys);
            return STS_EINVAL;
        }

        n++;
    }

    sts_oss_xml_ws(&x);

    if (x.p != x.end || n == 0) {
        goto malformed;
    }

    *out = keys;
    *num = n;

    if (quiet_out != NULL) {
        *quiet_out = qv;
    }

    return STS_OK;

malformed:

    sts_free(a, keys);
    *err = &sts_err_malformed_xml;

    return STS_EINVAL;
}


static void
sts_oss_xml_escape(sts_buf_t *b, sts_str_t s)
{
    size_t       i, run;
    const char  *ref;

    run = 0;

    for (i = 0; i < s.len; i++) {
        switch (s.data[i]) {

        case '&':
            ref = "&amp;";
            break;

        case '<':
            ref = "&lt;";
            break;

        case '>':
            ref = "&gt;";
            break;

        case '\t':
            ref = "&#9;";
            break;

        case '\n':
            ref = "&#10;";
            break;

        case '\r':
            ref = "&#13;";
            break;

        default:
            continue;
        }

        sts_buf_append(b, s.data + run, i - run);
        sts_buf_append_str(b, ref);
        run = i + 1;
    }

    sts_buf_append(b, s.data + run, s.len - run);
}


void
sts_oss_delete_xml(sts_buf_t *out, const sts_oss_delete_key_t *keys,
    size_t n, int quiet)
{
    size_t  i;

    sts_buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<Delete>");

    if (quiet == 0 || quiet == 1) {
        sts_buf_append_str(out, quiet ? "<Quiet>true</Quiet>"
                                      : "<Quiet>false</Quiet>");
    }

    for (i = 0; i < n; i++) {
        sts_buf_append_str(out, "<Object><Key>");
        sts_oss_xml_escape(out, keys[i].key);
        sts_buf_append_str(out, "</Key>");

        if (keys[i].has_version) {
            sts_buf_append_str(out, "<VersionId>");
            sts_oss_xml_escape(out, keys[i].version_id);
            sts_buf_append_str(out, "</VersionId>");
        }

        sts_buf_append_str(out, "</Object>");
    }

    sts_buf_append_str(out, "</Delete>");
}


int
sts_oss_add_delete_body(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    sts_oss_op_t *op, const char *body, size_t len, sts_buf_t *fwd,
    const sts_oss_error_t **err)
{
    int                    rc, quiet;
    size_t                 i, n;
    sts_oss_delete_key_t  *keys;

    rc = sts_oss_parse_delete_xml(a, body, len, op->url_keys, &keys, &n,
                                  &quiet, err);
    if (rc != STS_OK) {
        return rc;
    }

    for (i = 0; i < n && rc == STS_OK; i++) {
        rc = sts_oss_grant(a, conf, op, "oss:DeleteObject", op->bucket,
                           keys[i].key);

        if (rc == STS_OK && keys[i].has_version) {
            rc = sts_oss_grant(a, conf, op, "oss:DeleteObjectVersion",
                               op->bucket, keys[i].key);
        }
    }

    if (rc == STS_OK && op->url_keys && fwd != NULL) {
        /* the keys as authorised, in a body every store reads alike */
        sts_oss_delete_xml(fwd, keys, n, quiet);
        rc = sts_buf_ok(fwd);

        if (rc == STS_OK && fwd->len > STS_OSS_DELETE_MAX_BODY) {
            *err = &sts_err_entity_too_large;
            rc = STS_ETOOBIG;
        }

        if (rc != STS_OK) {
            fwd->len = 0;
        }
    }

    /* the resources are copies: the parsed keys can go */
    sts_free(a, keys);

    return rc;
}


int
sts_oss_backend_uri(const sts_allocator_t *a, const sts_oss_op_t *op,
    const sts_params_t *q, sts_str_t *out)
{
    int        first;
    size_t     i;
    sts_buf_t  b;

    sts_buf_init(&b, a, 0);
    sts_buf_append_char(&b, '/');

    if (op->bucket.len) {
        sts_buf_append(&b, op->bucket.data, op->bucket.len);
        sts_buf_append_char(&b, '/');
        (void) sts_uri_encode(&b, op->key.data, op->key.len,
                              STS_URI_KEEP_SLASH);
    }

    first = 1;

    for (i = 0; q != NULL && i < q->num; i++) {
        if (sts_auth_is_param(q->items[i].name)) {
            continue;
        }

        sts_buf_append_char(&b, first ? '?' : '&');
        first = 0;

        (void) sts_uri_encode(&b, q->items[i].name.data,
                              q->items[i].name.len, 0);

        if (q->items[i].has_eq || q->items[i].value.len) {
            sts_buf_append_char(&b, '=');
            (void) sts_uri_encode(&b, q->items[i].value.data,
                                  q->items[i].value.len, 0);
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


int
sts_oss_content_md5_ok(sts_str_t b64, const char *body, size_t len)
{
    size_t         n;
    unsigned int   md_len;
    unsigned char  want[32], md[EVP_MAX_MD_SIZE];

    b64 = sts_str_trim(b64);

    if (b64.len != 24
        || sts_base64_decode(want, &n, b64.data, b64.len) != STS_OK
        || n != 16)
    {
        return 0;
    }

    if (EVP_Digest(body, len, md, &md_len, EVP_md5(), NULL) != 1
        || md_len != 16)
    {
        return 0;
    }

    return sts_ct_equal(md, 16, want, 16);
}


int
sts_oss_content_md5(const char *body, size_t len, char out[25])
{
    unsigned int   md_len;
    unsigned char  md[EVP_MAX_MD_SIZE];

    if (EVP_Digest(body, len, md, &md_len, EVP_md5(), NULL) != 1
        || md_len != 16)
    {
        return STS_ECRYPTO;
    }

    out[sts_base64_encode(out, md, 16)] = '\0';

    return STS_OK;
}


/* the action table, read-only, for tools (sts_oss.h) */

static void
sts_oss_add(const char **names, int *levels, size_t max, size_t *n,
    const char *action, int level)
{
    if (*n < max) {
        names[*n] = action;
        levels[*n] = level;
    }

    (*n)++;
}


size_t
sts_oss_actions(const char **names, int *levels, size_t max)
{
    size_t               n, k;
    const sts_oss_row_t  *row;

    /* actions only the body parsers add */
    static const char  *extra[] = { "oss:DeleteObject",
                                    "oss:DeleteObjectVersion",
                                    "oss:PutObject", "oss:GetObject",
                                    "oss:PostProcessTask",
                                    "oss:PutObjectTagging", NULL };

    n = 0;

    for (row = sts_oss_rows; row->method != NULL; row++) {
        if (row->action != NULL) {
            sts_oss_add(names, levels, max, &n, row->action, row->level);
        }

        if (row->ver_action != NULL) {
            sts_oss_add(names, levels, max, &n, row->ver_action,
                        row->level);
        }
    }

    for (k = 0; extra[k] != NULL; k++) {
        sts_oss_add(names, levels, max, &n, extra[k],
                    STS_OSS_LEVEL_OBJECT);
    }

    return n;
}
