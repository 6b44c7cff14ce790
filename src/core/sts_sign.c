/*
 * Copyright (C) nginx-sts authors
 *
 * sts_sign: OSS V1 and V4 request signatures, header and presigned URL
 * forms (doc/protocol.md sections 1-3): parsing, canonicalisation, HMAC,
 * constant-time verification and client-side signing.
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sts_sign.h"


#define STS_V1_MAC_LEN      20      /* SHA-1 */
#define STS_V1_SIG_LEN      28      /* base64 of 20 bytes */
#define STS_V4_SIG_LEN      64      /* hex of 32 bytes */
#define STS_V4_KEY_PREFIX   "aliyun_v4"


typedef struct {
    const sts_header_t  *h;
    size_t               idx;
} sts_hdr_ref_t;

typedef struct {
    const char  *name;
    size_t       name_len;
    const char  *value;
    size_t       value_len;
} sts_enc_param_t;


static int sts_lower(int c);
static int sts_str_same(sts_str_t a, sts_str_t b);
static int sts_str_casesame(sts_str_t a, sts_str_t b);
static int sts_name_casecmp(sts_str_t a, sts_str_t b);
static int sts_has_prefix(sts_str_t s, const char *prefix, int icase);
static sts_str_t sts_cstr(const char *s);
static sts_str_t sts_param_value(const sts_params_t *p, const char *name,
    int *found);
static int sts_list_next(sts_str_t *list, sts_str_t *item);
static int sts_list_has(sts_str_t list, sts_str_t name);
static int sts_hdr_ref_cmp(const void *a, const void *b);
static int sts_param_ptr_cmp(const void *a, const void *b);
static int sts_enc_param_cmp(const void *a, const void *b);
static int sts_append_header_joined(sts_buf_t *b,
    const sts_http_request_t *r, const char *name);
static int sts_canonical_headers(sts_buf_t *out,
    const sts_http_request_t *r, int v4, sts_str_t additional);
static int sts_v1_signature(char out[STS_V1_SIG_LEN + 1], sts_str_t secret,
    sts_sign_keys_t *keys, sts_str_t sts);
static int sts_v4_signature(char out[STS_V4_SIG_LEN + 1], sts_str_t secret,
    sts_sign_keys_t *keys, sts_str_t date, sts_str_t region, sts_str_t sts);
static int sts_v4_compute(sts_buf_t *canonical, sts_buf_t *sts,
    char sig[STS_V4_SIG_LEN + 1], const sts_http_request_t *r,
    const sts_params_t *params, sts_str_t bucket, sts_str_t key,
    sts_str_t additional, sts_str_t date, sts_str_t scope,
    sts_str_t scope_date, sts_str_t region, sts_str_t secret,
    sts_sign_keys_t *keys);
static int sts_auth_verify_with(const sts_allocator_t *a,
    const sts_auth_t *auth, const sts_http_request_t *r, sts_str_t bucket,
    sts_str_t key, sts_str_t secret, sts_sign_keys_t *keys,
    sts_buf_t *out_sts, sts_buf_t *out_canonical, int out_always);
static int sts_is_lower_hex(sts_str_t s, size_t len);
static int sts_has_space(sts_str_t s);
static int sts_v4_parse_credential(sts_auth_t *out, sts_str_t cred);
static int sts_v4_additional_present(const sts_http_request_t *r,
    sts_str_t list);
static int sts_check_skew(const sts_auth_opts_t *opts, int64_t t);
static int sts_parse_v1_header(sts_auth_t *out, const sts_http_request_t *r,
    const sts_auth_opts_t *opts, sts_str_t value,
    const sts_oss_error_t **out_err);
static int sts_parse_v4_header(sts_auth_t *out, const sts_http_request_t *r,
    const sts_auth_opts_t *opts, sts_str_t value,
    const sts_oss_error_t **out_err);
static int sts_parse_v1_presign(sts_auth_t *out, const sts_auth_opts_t *opts,
    const sts_oss_error_t **out_err);
static int sts_parse_v4_presign(sts_auth_t *out, const sts_http_request_t *r,
    const sts_auth_opts_t *opts, const sts_oss_error_t **out_err);
static int sts_creds_valid(const sts_sign_creds_t *creds, int v4);


/* doc/protocol.md 1.6: signed sub-resources besides the "x-oss-" prefix */

static const char  *sts_v1_subresources[] = {
    "acl", "uploads", "location", "cors", "logging", "website", "referer",
    "lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId",
    "partNumber", "security-token", "position", "img", "style", "styleName",
    "replication", "replicationProgress", "replicationLocation", "cname",
    "bucketInfo", "comp", "qos", "live", "status", "vod", "startTime",
    "endTime", "symlink", "x-oss-process", "response-content-type",
    "response-content-language", "response-expires",
    "response-cache-control", "response-content-disposition",
    "response-content-encoding",

    "restore", "callback", "callback-var", "qosInfo", "policy", "stat",
    "encryption", "versions", "versioning", "versionId", "requestPayment",
    "sequential", "inventory", "inventoryId", "continuation-token",
    "asyncFetch", "worm", "wormId", "wormExtend", "withHashContext",
    "transferAcceleration", "regionList", "cloudboxes", "metaQuery",
    "resourceGroup", "rtc", "responseHeader", "udf", "udfName", "udfImage",
    "udfId", "udfImageDesc", "udfApplication", "udfApplicationLog",
    NULL
};


/* query parameters that make a request presigned */

static const char  *sts_v1_presign_params[] = {
    "OSSAccessKeyId", "Expires", "Signature", NULL
};

static const char  *sts_v4_presign_params[] = {
    "x-oss-signature-version", "x-oss-credential", "x-oss-signature",
    "x-oss-expires", NULL
};


/* small string helpers */

static int
sts_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}


static int
sts_str_same(sts_str_t a, sts_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}


static int
sts_str_casesame(sts_str_t a, sts_str_t b)
{
    size_t  i;

    if (a.len != b.len) {
        return 0;
    }

    for (i = 0; i < a.len; i++) {
        if (sts_lower((unsigned char) a.data[i])
            != sts_lower((unsigned char) b.data[i]))
        {
            return 0;
        }
    }

    return 1;
}


/* bytewise order of the lower-cased names */

static int
sts_name_casecmp(sts_str_t a, sts_str_t b)
{
    int     ca, cb;
    size_t  i, n;

    n = a.len < b.len ? a.len : b.len;

    for (i = 0; i < n; i++) {
        ca = sts_lower((unsigned char) a.data[i]);
        cb = sts_lower((unsigned char) b.data[i]);

        if (ca != cb) {
            return ca - cb;
        }
    }

    return (a.len > b.len) - (a.len < b.len);
}


static int
sts_has_prefix(sts_str_t s, const char *prefix, int icase)
{
    size_t  i, n;

    n = strlen(prefix);

    if (s.len < n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (icase) {
            if (sts_lower((unsigned char) s.data[i]) != prefix[i]) {
                return 0;
            }

        } else if (s.data[i] != prefix[i]) {
            return 0;
        }
    }

    return 1;
}


static sts_str_t
sts_cstr(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static sts_str_t
sts_param_value(const sts_params_t *p, const char *name, int *found)
{
    sts_str_t           v = sts_null_string;
    const sts_param_t  *param;

    param = sts_params_get(p, name);

    if (found != NULL) {
        *found = param != NULL;
    }

    if (param != NULL) {
        v = param->value;
    }

    return v;
}


/*
 * sts_list_next takes the next ';'-separated element off |list|; 0 when
 * the list is exhausted.
 */

static int
sts_list_next(sts_str_t *list, sts_str_t *item)
{
    const char  *semi;

    if (list->data == NULL || list->len == 0) {
        return 0;
    }

    semi = memchr(list->data, ';', list->len);

    item->data = list->data;

    if (semi == NULL) {
        item->len = list->len;
        list->data += list->len;
        list->len = 0;

    } else {
        item->len = (size_t) (semi - list->data);
        list->len -= item->len + 1;
        list->data = semi + 1;
    }

    return 1;
}


static int
sts_list_has(sts_str_t list, sts_str_t name)
{
    sts_str_t  item;

    while (sts_list_next(&list, &item)) {
        if (sts_str_casesame(item, name)) {
            return 1;
        }
    }

    return 0;
}


static int
sts_hdr_ref_cmp(const void *a, const void *b)
{
    int                   rc;
    const sts_hdr_ref_t  *ra, *rb;

    ra = a;
    rb = b;

    rc = sts_name_casecmp(ra->h->name, rb->h->name);
    if (rc != 0) {
        return rc;
    }

    /* repeated names keep their arrival order */
    return (ra->idx > rb->idx) - (ra->idx < rb->idx);
}


static int
sts_param_ptr_cmp(const void *a, const void *b)
{
    const sts_param_t  *pa, *pb;

    pa = *(const sts_param_t * const *) a;
    pb = *(const sts_param_t * const *) b;

    return strcmp(pa->name.data, pb->name.data);
}


static int
sts_enc_param_cmp(const void *a, const void *b)
{
    int                     rc;
    size_t                  n;
    const sts_enc_param_t  *pa, *pb;

    pa = a;
    pb = b;

    n = pa->name_len < pb->name_len ? pa->name_len : pb->name_len;

    rc = n ? memcmp(pa->name, pb->name, n) : 0;
    if (rc != 0) {
        return rc;
    }

    return (pa->name_len > pb->name_len) - (pa->name_len < pb->name_len);
}


/*
 * sts_append_header_joined appends the trimmed values of every header
 * named |name|, joined with ',' (nothing when there is none).
 */

static int
sts_append_header_joined(sts_buf_t *b, const sts_http_request_t *r,
    const char *name)
{
    size_t     i, n;
    sts_str_t  v;

    n = 0;

    for (i = 0; i < r->num_headers; i++) {
        if (!sts_str_caseeq(r->headers[i].name, name)) {
            continue;
        }

        if (n++) {
            (void) sts_buf_append_char(b, ',');
        }

        v = sts_str_trim(r->headers[i].value);
        (void) sts_buf_append(b, v.data, v.len);
    }

    return sts_buf_ok(b);
}


/*
 * sts_canonical_headers appends "name:value\n" for each signed header,
 * lower-case names sorted bytewise, values trimmed, repeats joined with
 * ','.  V1 signs the x-oss-* headers; V4 adds content-type, content-md5
 * and the |additional| list (each of which must be present).
 */

static int
sts_canonical_headers(sts_buf_t *out, const sts_http_request_t *r, int v4,
    sts_str_t additional)
{
    int             rc, found;
    size_t          i, j, k, n;
    sts_str_t       v, name;
    sts_header_t    host;
    sts_hdr_ref_t  *refs;

    n = 0;

    /* every listed header must be there ("host" may be r->host) */
    if (v4 && !sts_v4_additional_present(r, additional)) {
        return STS_EINVAL;
    }

    refs = sts_alloc(out->a, (r->num_headers + 1) * sizeof(sts_hdr_ref_t));
    if (refs == NULL) {
        return STS_ENOMEM;
    }

    found = 0;

    for (i = 0; i < r->num_headers; i++) {
        name = r->headers[i].name;

        if (sts_str_caseeq(name, "host")) {
            found = 1;
        }

        if (!sts_has_prefix(name, "x-oss-", 1)
            && !(v4 && (sts_str_caseeq(name, "content-type")
                        || sts_str_caseeq(name, "content-md5")
                        || sts_list_has(additional, name))))
        {
            continue;
        }

        refs[n].h = &r->headers[i];
        refs[n].idx = i;
        n++;
    }

    host.name.data = "host";
    host.name.len = 4;
    host.value = r->host;

    if (v4 && !found && sts_list_has(additional, host.name)) {
        refs[n].h = &host;
        refs[n].idx = r->num_headers;
        n++;
    }

    if (n > 1) {
        qsort(refs, n, sizeof(sts_hdr_ref_t), sts_hdr_ref_cmp);
    }

    for (i = 0; i < n; i = j) {
        name = refs[i].h->name;

        for (k = 0; k < name.len; k++) {
            (void) sts_buf_append_char(out,
                                       (char) sts_lower((unsigned char)
                                                        name.data[k]));
        }

        (void) sts_buf_append_char(out, ':');

        for (j = i; j < n; j++) {
            if (j > i) {
                if (sts_name_casecmp(refs[j].h->name, name) != 0) {
                    break;
                }

                (void) sts_buf_append_char(out, ',');
            }

            v = sts_str_trim(refs[j].h->value);
            (void) sts_buf_append(out, v.data, v.len);
        }

        (void) sts_buf_append_char(out, '\n');
    }

    sts_free(out->a, refs);

    rc = sts_buf_ok(out);

    return rc;
}


/* crypto */




static int
sts_v1_signature(char out[STS_V1_SIG_LEN + 1], sts_str_t secret,
    sts_sign_keys_t *keys, sts_str_t sts)
{
    int            rc;
    size_t         n;
    unsigned char  mac[STS_V1_MAC_LEN];

    if (secret.len == 0 || secret.len > STS_SECRET_MAX) {
        return STS_EINVAL;
    }

    if (keys != NULL && !keys->v1_ready) {
        rc = sts_hmac_key_init(&keys->v1, STS_HASH_SHA1, secret.data,
                               secret.len);
        if (rc != STS_OK) {
            return rc;
        }

        keys->v1_ready = 1;
    }

    if (keys != NULL) {
        rc = sts_hmac_keyed(&keys->v1, sts.data, sts.len, mac);

    } else {
        rc = sts_hmac(STS_HASH_SHA1, secret.data, secret.len, sts.data,
                      sts.len, mac);
    }

    if (rc != STS_OK) {
        return rc;
    }

    n = sts_base64_encode(out, mac, sizeof(mac));
    out[n] = '\0';

    OPENSSL_cleanse(mac, sizeof(mac));

    return STS_OK;
}


int
sts_sign_v4_signing_key(unsigned char out[STS_V4_KEY_LEN], sts_str_t secret,
    sts_str_t date, sts_str_t region)
{
    int            rc;
    size_t         prefix;
    unsigned char  k[STS_V4_KEY_LEN];
    unsigned char  seed[sizeof(STS_V4_KEY_PREFIX) - 1 + STS_SECRET_MAX];

    if (secret.len == 0 || secret.len > STS_SECRET_MAX) {
        return STS_EINVAL;
    }

    prefix = sizeof(STS_V4_KEY_PREFIX) - 1;
    memcpy(seed, STS_V4_KEY_PREFIX, prefix);
    memcpy(seed + prefix, secret.data, secret.len);

    rc = sts_hmac(STS_HASH_SHA256, seed, prefix + secret.len, date.data,
                  date.len, k);
    if (rc != STS_OK) {
        goto done;
    }

    rc = sts_hmac(STS_HASH_SHA256, k, sizeof(k), region.data, region.len,
                  out);
    if (rc != STS_OK) {
        goto done;
    }

    rc = sts_hmac(STS_HASH_SHA256, out, STS_V4_KEY_LEN, STS_V4_PRODUCT,
                  sizeof(STS_V4_PRODUCT) - 1, k);
    if (rc != STS_OK) {
        goto done;
    }

    rc = sts_hmac(STS_HASH_SHA256, k, sizeof(k), STS_V4_TERMINATOR,
                  sizeof(STS_V4_TERMINATOR) - 1, out);

done:

    if (rc != STS_OK) {
        OPENSSL_cleanse(out, STS_V4_KEY_LEN);
    }

    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(seed, sizeof(seed));

    return rc;
}


static int
sts_v4_signature(char out[STS_V4_SIG_LEN + 1], sts_str_t secret,
    sts_sign_keys_t *keys, sts_str_t date, sts_str_t region, sts_str_t sts)
{
    int            rc;
    unsigned char  key[STS_V4_KEY_LEN], mac[STS_V4_KEY_LEN];

    if (keys != NULL
        && (date.len != STS_SIGN_KEYS_DATE_LEN
            || region.len > STS_SIGN_KEYS_REGION_MAX))
    {
        /* not kept: derived for this request alone */
        keys = NULL;
    }

    if (keys != NULL
        && !(keys->v4_ready
             && memcmp(keys->v4_date, date.data, date.len) == 0
             && keys->v4_region_len == region.len
             && memcmp(keys->v4_region, region.data, region.len) == 0))
    {
        /* another day or region: the signing key of this one, kept */
        sts_hmac_key_wipe(&keys->v4);
        keys->v4_ready = 0;

        rc = sts_sign_v4_signing_key(key, secret, date, region);

        if (rc == STS_OK) {
            rc = sts_hmac_key_init(&keys->v4, STS_HASH_SHA256, key,
                                   sizeof(key));
        }

        OPENSSL_cleanse(key, sizeof(key));

        if (rc != STS_OK) {
            return rc;
        }

        memcpy(keys->v4_date, date.data, date.len);
        memcpy(keys->v4_region, region.data, region.len);
        keys->v4_region_len = region.len;
        keys->v4_ready = 1;
    }

    if (keys != NULL) {
        rc = sts_hmac_keyed(&keys->v4, sts.data, sts.len, mac);

    } else {
        rc = sts_sign_v4_signing_key(key, secret, date, region);

        if (rc == STS_OK) {
            rc = sts_hmac(STS_HASH_SHA256, key, sizeof(key), sts.data,
                          sts.len, mac);
        }

        OPENSSL_cleanse(key, sizeof(key));
    }

    if (rc == STS_OK) {
        sts_hex_encode(out, mac, sizeof(mac));
        out[STS_V4_SIG_LEN] = '\0';
    }

    OPENSSL_cleanse(mac, sizeof(mac));

    return rc;
}


void
sts_sign_keys_wipe(sts_sign_keys_t *k)
{
    sts_wipe(k, sizeof(sts_sign_keys_t));
}


/* V1 */

int
sts_sign_v1_is_subresource(sts_str_t name)
{
    size_t  i;

    if (sts_has_prefix(name, "x-oss-", 0)) {
        return 1;
    }

    if (name.len == 0) {
        return 0;
    }

    /* the first byte rules out most before a comparison */
    for (i = 0; sts_v1_subresources[i] != NULL; i++) {
        if (sts_v1_subresources[i][0] == name.data[0]
            && sts_str_eq(name, sts_v1_subresources[i]))
        {
            return 1;
        }
    }

    return 0;
}


int
sts_sign_v1_string_to_sign(sts_buf_t *out, const sts_http_request_t *r,
    const sts_params_t *params, sts_str_t bucket, sts_str_t key,
    sts_str_t date_line)
{
    int                  rc;
    size_t               i, n;
    const sts_param_t  **sub;

    (void) sts_buf_append(out, r->method.data, r->method.len);
    (void) sts_buf_append_char(out, '\n');
    (void) sts_append_header_joined(out, r, "content-md5");
    (void) sts_buf_append_char(out, '\n');
    (void) sts_append_header_joined(out, r, "content-type");
    (void) sts_buf_append_char(out, '\n');
    (void) sts_buf_append(out, date_line.data, date_line.len);
    (void) sts_buf_append_char(out, '\n');

    rc = sts_canonical_headers(out, r, 0, (sts_str_t) sts_null_string);
    if (rc != STS_OK) {
        return rc;
    }

    /* CanonicalizedResource */

    (void) sts_buf_append_char(out, '/');

    if (bucket.len) {
        (void) sts_buf_append(out, bucket.data, bucket.len);
        (void) sts_buf_append_char(out, '/');
        (void) sts_buf_append(out, key.data, key.len);
    }

    if (params == NULL || params->num == 0) {
        return sts_buf_ok(out);
    }

    sub = sts_alloc(out->a, params->num * sizeof(sts_param_t *));
    if (sub == NULL) {
        return STS_ENOMEM;
    }

    n = 0;

    for (i = 0; i < params->num; i++) {
        if (sts_sign_v1_is_subresource(params->items[i].name)) {
            sub[n++] = &params->items[i];
        }
    }

    if (n > 1) {
        qsort(sub, n, sizeof(sts_param_t *), sts_param_ptr_cmp);
    }

    for (i = 0; i < n; i++) {
        (void) sts_buf_append_char(out, i ? '&' : '?');
        (void) sts_buf_append(out, sub[i]->name.data, sub[i]->name.len);

        if (sub[i]->value.len) {
            (void) sts_buf_append_char(out, '=');
            (void) sts_buf_append(out, sub[i]->value.data,
                                  sub[i]->value.len);
        }
    }

    sts_free(out->a, sub);

    return sts_buf_ok(out);
}


/* V4 */

int
sts_sign_v4_additional_headers_valid(sts_str_t list)
{
    size_t     i;
    sts_str_t  item, prev;
    char       c;

    if (list.len == 0) {
        return 0;
    }

    prev.data = NULL;
    prev.len = 0;

    /* a trailing ';' leaves an empty last element */
    if (list.data[list.len - 1] == ';') {
        return 0;
    }

    while (sts_list_next(&list, &item)) {
        if (item.len == 0) {
            return 0;
        }

        for (i = 0; i < item.len; i++) {
            c = item.data[i];

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '-' || c == '_'))
            {
                return 0;
            }
        }

        if (prev.data != NULL && sts_name_casecmp(prev, item) >= 0) {
            return 0;
        }

        prev = item;
    }

    return 1;
}


int
sts_sign_v4_canonical_request(sts_buf_t *out, const sts_http_request_t *r,
    const sts_params_t *params, sts_str_t bucket, sts_str_t key,
    sts_str_t additional_headers)
{
    int                   rc;
    size_t                i, n, num;
    sts_buf_t             tmp;
    const char           *base;
    sts_str_t             payload;
    sts_enc_param_t      *enc;
    const sts_header_t   *h;
    const sts_param_t    *p;

    enc = NULL;
    sts_buf_init(&tmp, out->a, 0);

    (void) sts_buf_append(out, r->method.data, r->method.len);
    (void) sts_buf_append_char(out, '\n');

    /* canonical URI */

    (void) sts_buf_append_char(out, '/');

    if (bucket.len) {
        (void) sts_uri_encode(out, bucket.data, bucket.len, 0);
        (void) sts_buf_append_char(out, '/');
        (void) sts_uri_encode(out, key.data, key.len, STS_URI_KEEP_SLASH);
    }

    (void) sts_buf_append_char(out, '\n');

    /* canonical query: encode, sort by encoded name, join */

    num = params ? params->num : 0;
    n = 0;

    if (num) {
        enc = sts_alloc(out->a, num * sizeof(sts_enc_param_t));
        if (enc == NULL) {
            rc = STS_ENOMEM;
            goto done;
        }

        for (i = 0; i < num; i++) {
            p = &params->items[i];

            if (sts_str_eq(p->name, "x-oss-signature")) {
                continue;
            }

            /* offsets now, pointers once tmp stops moving */
            enc[n].name_len = tmp.len;
            (void) sts_uri_encode(&tmp, p->name.data, p->name.len, 0);
            enc[n].value_len = tmp.len;
            (void) sts_uri_encode(&tmp, p->value.data, p->value.len, 0);
            n++;
        }

        rc = sts_buf_ok(&tmp);
        if (rc != STS_OK) {
            goto done;
        }

        /*
         * Each name is followed directly by its value in tmp, and the
         * next name by the end of that value: offsets become lengths.
         */

        base = tmp.data ? tmp.data : "";

        for (i = 0; i < n; i++) {
            enc[i].name = base + enc[i].name_len;
            enc[i].name_len = enc[i].value_len - enc[i].name_len;
            enc[i].value = base + enc[i].value_len;
            enc[i].value_len = (i + 1 < n ? enc[i + 1].name_len : tmp.len)
                               - enc[i].value_len;
        }

        if (n > 1) {
            qsort(enc, n, sizeof(sts_enc_param_t), sts_enc_param_cmp);
        }
    }

    for (i = 0; i < n; i++) {
        if (i) {
            (void) sts_buf_append_char(out, '&');
        }

        (void) sts_buf_append(out, enc[i].name, enc[i].name_len);

        if (enc[i].value_len) {
            (void) sts_buf_append_char(out, '=');
            (void) sts_buf_append(out, enc[i].value, enc[i].value_len);
        }
    }

    (void) sts_buf_append_char(out, '\n');

    /* canonical headers, additional headers, payload */

    rc = sts_canonical_headers(out, r, 1, additional_headers);
    if (rc != STS_OK) {
        goto done;
    }

    (void) sts_buf_append_char(out, '\n');
    (void) sts_buf_append(out, additional_headers.data,
                          additional_headers.len);
    (void) sts_buf_append_char(out, '\n');

    h = sts_http_header(r, "x-oss-content-sha256", NULL);

    if (h != NULL) {
        payload = sts_str_trim(h->value);

    } else {
        payload = sts_cstr(STS_UNSIGNED_PAYLOAD);
    }

    (void) sts_buf_append(out, payload.data, payload.len);

    rc = sts_buf_ok(out);

done:

    sts_free(out->a, enc);
    sts_buf_free(&tmp);

    return rc;
}


int
sts_sign_v4_string_to_sign(sts_buf_t *out, sts_str_t date, sts_str_t scope,
    sts_str_t canonical)
{
    char           hex[2 * STS_SHA256_LEN];
    unsigned char  md[STS_SHA256_LEN];

    if (sts_digest(STS_HASH_SHA256, canonical.data, canonical.len, md)
        != STS_OK)
    {
        return STS_ECRYPTO;
    }

    sts_hex_encode(hex, md, STS_SHA256_LEN);

    (void) sts_buf_append_str(out, STS_V4_ALGORITHM "\n");
    (void) sts_buf_append(out, date.data, date.len);
    (void) sts_buf_append_char(out, '\n');
    (void) sts_buf_append(out, scope.data, scope.len);
    (void) sts_buf_append_char(out, '\n');
    (void) sts_buf_append(out, hex, sizeof(hex));

    return sts_buf_ok(out);
}


/*
 * sts_v4_compute builds the canonical request and the string to sign into
 * the two (initialised, empty) buffers and the hex signature into |sig|.
 */

static int
sts_v4_compute(sts_buf_t *canonical, sts_buf_t *sts,
    char sig[STS_V4_SIG_LEN + 1], const sts_http_request_t *r,
    const sts_params_t *params, sts_str_t bucket, sts_str_t key,
    sts_str_t additional, sts_str_t date, sts_str_t scope,
    sts_str_t scope_date, sts_str_t region, sts_str_t secret,
    sts_sign_keys_t *keys)
{
    int        rc;
    sts_str_t  s;

    rc = sts_sign_v4_canonical_request(canonical, r, params, bucket, key,
                                       additional);
    if (rc != STS_OK) {
        return rc;
    }

    s.data = canonical->data;
    s.len = canonical->len;

    rc = sts_sign_v4_string_to_sign(sts, date, scope, s);
    if (rc != STS_OK) {
        return rc;
    }

    s.data = sts->data;
    s.len = sts->len;

    return sts_v4_signature(sig, secret, keys, scope_date, region, s);
}


/* parsing */

static int
sts_is_lower_hex(sts_str_t s, size_t len)
{
    size_t  i;

    if (s.len != len) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((s.data[i] >= '0' && s.data[i] <= '9')
              || (s.data[i] >= 'a' && s.data[i] <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


static int
sts_has_space(sts_str_t s)
{
    size_t  i;

    for (i = 0; i < s.len; i++) {
        if ((unsigned char) s.data[i] <= ' ' || s.data[i] == 0x7f) {
            return 1;
        }
    }

    return 0;
}


/*
 * "<AccessKeyId>/<YYYYMMDD>/<region>/oss/aliyun_v4_request", split from the
 * right so that the AccessKeyId may itself contain '/'.
 */

static int
sts_v4_parse_credential(sts_auth_t *out, sts_str_t cred)
{
    size_t       i, k;
    sts_str_t    part[4];
    const char  *end, *p;

    if (cred.len == 0 || sts_has_space(cred)) {
        return STS_EINVAL;
    }

    end = cred.data + cred.len;

    for (k = 4; k > 0; k--) {
        p = end;

        while (p > cred.data && p[-1] != '/') {
            p--;
        }

        if (p == cred.data) {
            return STS_EINVAL;
        }

        part[k - 1].data = p;
        part[k - 1].len = (size_t) (end - p);
        end = p - 1;
    }

    out->access_key_id.data = cred.data;
    out->access_key_id.len = (size_t) (end - cred.data);

    if (out->access_key_id.len == 0
        || part[0].len != STS_V4_DATE_LEN
        || part[1].len == 0
        || !sts_str_eq(part[2], STS_V4_PRODUCT)
        || !sts_str_eq(part[3], STS_V4_TERMINATOR))
    {
        return STS_EINVAL;
    }

    for (i = 0; i < STS_V4_DATE_LEN; i++) {
        if (part[0].data[i] < '0' || part[0].data[i] > '9') {
            return STS_EINVAL;
        }
    }

    for (i = 0; i < part[1].len; i++) {
        if (!((part[1].data[i] >= 'a' && part[1].data[i] <= 'z')
              || (part[1].data[i] >= 'A' && part[1].data[i] <= 'Z')
              || (part[1].data[i] >= '0' && part[1].data[i] <= '9')
              || part[1].data[i] == '-' || part[1].data[i] == '_'))
        {
            return STS_EINVAL;
        }
    }

    out->scope_date = part[0];
    out->region = part[1];
    out->scope.data = part[0].data;
    out->scope.len = (size_t) (cred.data + cred.len - part[0].data);

    return STS_OK;
}


static int
sts_v4_additional_present(const sts_http_request_t *r, sts_str_t list)
{
    size_t     i;
    sts_str_t  item;
    int        found;

    while (sts_list_next(&list, &item)) {
        found = 0;

        for (i = 0; i < r->num_headers; i++) {
            if (sts_str_casesame(r->headers[i].name, item)) {
                found = 1;
                break;
            }
        }

        if (!found && !(sts_str_caseeq(item, "host") && r->host.len)) {
            return 0;
        }
    }

    return 1;
}


static int
sts_check_skew(const sts_auth_opts_t *opts, int64_t t)
{
    int64_t  d;

    if (opts->max_skew < 0) {
        return STS_OK;
    }

    /* t is parsed (4-digit years), now is a clock: no overflow */
    d = t - opts->now;

    if (d > opts->max_skew || -d > opts->max_skew) {
        return STS_EINVAL;
    }

    return STS_OK;
}


static int
sts_parse_v1_header(sts_auth_t *out, const sts_http_request_t *r,
    const sts_auth_opts_t *opts, sts_str_t value,
    const sts_oss_error_t **out_err)
{
    sts_str_t            rest;
    const char          *colon;
    const sts_header_t  *h;

    out->kind = STS_AUTH_V1;

    rest.data = value.data + 4;
    rest.len = value.len - 4;

    colon = rest.len ? memchr(rest.data, ':', rest.len) : NULL;

    if (colon == NULL) {
        *out_err = &sts_err_invalid_argument_auth;
        return STS_EINVAL;
    }

    out->access_key_id.data = rest.data;
    out->access_key_id.len = (size_t) (colon - rest.data);
    out->signature.data = colon + 1;
    out->signature.len = rest.len - out->access_key_id.len - 1;

    if (out->access_key_id.len == 0 || out->signature.len == 0
        || sts_has_space(out->access_key_id) || sts_has_space(out->signature)
        || memchr(out->signature.data, ':', out->signature.len) != NULL)
    {
        *out_err = &sts_err_invalid_argument_auth;
        return STS_EINVAL;
    }

    /* x-oss-date wins over Date */

    h = sts_http_header(r, "x-oss-date", NULL);
    if (h == NULL) {
        h = sts_http_header(r, "date", NULL);
    }

    if (h == NULL) {
        *out_err = &sts_err_missing_date;
        return STS_EINVAL;
    }

    out->date = sts_str_trim(h->value);

    if (sts_parse_rfc1123(out->date.data, out->date.len, &out->time)
        != STS_OK)
    {
        *out_err = &sts_err_missing_date;
        return STS_EINVAL;
    }

    if (sts_check_skew(opts, out->time) != STS_OK) {
        *out_err = &sts_err_time_skewed;
        return STS_EINVAL;
    }

    return STS_OK;
}


static int
sts_parse_v4_header(sts_auth_t *out, const sts_http_request_t *r,
    const sts_auth_opts_t *opts, sts_str_t value,
    const sts_oss_error_t **out_err)
{
    int                  have_cred, have_sig, have_add;
    size_t               alg;
    sts_str_t            k, v, cred;
    const char          *p, *end, *comma, *eq;
    const sts_header_t  *h;

    out->kind = STS_AUTH_V4;
    *out_err = &sts_err_invalid_argument_v4;

    alg = sizeof(STS_V4_ALGORITHM) - 1;
    p = value.data + alg;
    end = value.data + value.len;

    if (p == end || *p != ' ') {
        return STS_EINVAL;
    }

    while (p < end && *p == ' ') {
        p++;
    }

    have_cred = 0;
    have_sig = 0;
    have_add = 0;
    cred.data = NULL;
    cred.len = 0;

    for ( ;; ) {
        comma = memchr(p, ',', (size_t) (end - p));
        if (comma == NULL) {
            comma = end;
        }

        eq = memchr(p, '=', (size_t) (comma - p));
        if (eq == NULL) {
            return STS_EINVAL;
        }

        k.data = p;
        k.len = (size_t) (eq - p);
        v.data = eq + 1;
        v.len = (size_t) (comma - eq - 1);

        if (sts_has_space(v)) {
            return STS_EINVAL;
        }

        if (sts_str_eq(k, "Credential") && !have_cred) {
            have_cred = 1;
            cred = v;

        } else if (sts_str_eq(k, "Signature") && !have_sig) {
            have_sig = 1;
            out->signature = v;

        } else if (sts_str_eq(k, "AdditionalHeaders") && !have_add) {
            have_add = 1;
            out->additional_headers = v;

        } else {
            return STS_EINVAL;
        }

        if (comma == end) {
            break;
        }

        /* optional spaces after a comma, then another item */
        p = comma + 1;

        while (p < end && *p == ' ') {
            p++;
        }

        if (p == end) {
            return STS_EINVAL;
        }
    }

    if (!have_cred || !have_sig
        || !sts_is_lower_hex(out->signature, STS_V4_SIG_LEN)
        || (have_add
            && !sts_sign_v4_additional_headers_valid(
                   out->additional_headers))
        || sts_v4_parse_credential(out, cred) != STS_OK)
    {
        return STS_EINVAL;
    }

    if (opts->region.len && !sts_str_same(opts->region, out->region)) {
        return STS_EINVAL;
    }

    if (!sts_v4_additional_present(r, out->additional_headers)) {
        return STS_EINVAL;
    }

    h = sts_http_header(r, "x-oss-date", NULL);

    if (h == NULL) {
        *out_err = &sts_err_missing_date;
        return STS_EINVAL;
    }

    out->date = sts_str_trim(h->value);

    if (out->date.len != STS_ISO8601_BASIC_LEN
        || sts_parse_iso8601(out->date.data, out->date.len, &out->time)
           != STS_OK)
    {
        *out_err = &sts_err_missing_date;
        return STS_EINVAL;
    }

    if (memcmp(out->date.data, out->scope_date.data, STS_V4_DATE_LEN) != 0) {
        return STS_EINVAL;
    }

    if (sts_check_skew(opts, out->time) != STS_OK) {
        *out_err = &sts_err_time_skewed;
        return STS_EINVAL;
    }

    *out_err = NULL;

    return STS_OK;
}


static int
sts_parse_v1_presign(sts_auth_t *out, const sts_auth_opts_t *opts,
    const sts_oss_error_t **out_err)
{
    uint64_t   exp;
    sts_str_t  expires;

    out->kind = STS_AUTH_V1_PRESIGN;

    out->access_key_id = sts_param_value(&out->params, "OSSAccessKeyId",
                                         NULL);
    out->signature = sts_param_value(&out->params, "Signature", NULL);
    expires = sts_param_value(&out->params, "Expires", NULL);

    if (out->access_key_id.len == 0 || out->signature.len == 0
        || expires.len == 0)
    {
        *out_err = &sts_err_presign_params;
        return STS_EINVAL;
    }

    if (sts_parse_uint64(expires.data, expires.len, &exp) != STS_OK
        || exp > (uint64_t) INT64_MAX)
    {
        *out_err = &sts_err_presign_expires_nan;
        return STS_EINVAL;
    }

    out->date = expires;
    out->expires = (int64_t) exp;

    if (opts->now > out->expires) {
        *out_err = &sts_err_request_expired;
        return STS_EEXPIRED;
    }

    return STS_OK;
}


static int
sts_parse_v4_presign(sts_auth_t *out, const sts_http_request_t *r,
    const sts_auth_opts_t *opts, const sts_oss_error_t **out_err)
{
    int        found;
    uint64_t   exp;
    sts_str_t  version, cred, expires;

    out->kind = STS_AUTH_V4_PRESIGN;
    *out_err = &sts_err_invalid_argument_v4;

    version = sts_param_value(&out->params, "x-oss-signature-version", NULL);
    cred = sts_param_value(&out->params, "x-oss-credential", NULL);
    out->date = sts_param_value(&out->params, "x-oss-date", NULL);
    expires = sts_param_value(&out->params, "x-oss-expires", NULL);
    out->signature = sts_param_value(&out->params, "x-oss-signature", NULL);
    out->additional_headers = sts_param_value(&out->params,
                                              "x-oss-additional-headers",
                                              &found);

    if (!sts_str_eq(version, STS_V4_ALGORITHM)
        || !sts_is_lower_hex(out->signature, STS_V4_SIG_LEN)
        || sts_v4_parse_credential(out, cred) != STS_OK
        || (found
            && !sts_sign_v4_additional_headers_valid(
                   out->additional_headers)))
    {
        return STS_EINVAL;
    }

    if (opts->region.len && !sts_str_same(opts->region, out->region)) {
        return STS_EINVAL;
    }

    if (!sts_v4_additional_present(r, out->additional_headers)) {
        return STS_EINVAL;
    }

    if (out->date.len != STS_ISO8601_BASIC_LEN
        || sts_parse_iso8601(out->date.data, out->date.len, &out->time)
           != STS_OK
        || memcmp(out->date.data, out->scope_date.data, STS_V4_DATE_LEN) != 0)
    {
        return STS_EINVAL;
    }

    if (sts_parse_uint64(expires.data, expires.len, &exp) != STS_OK
        || exp < 1 || exp > STS_V4_MAX_EXPIRES)
    {
        return STS_EINVAL;
    }

    out->expires = out->time + (int64_t) exp;

    if (opts->now > out->expires) {
        *out_err = &sts_err_request_expired;
        return STS_EEXPIRED;
    }

    /* signed in the future: the skew bound applies (doc/protocol.md 11.6) */
    if (opts->max_skew >= 0 && out->time - opts->now > opts->max_skew) {
        *out_err = &sts_err_time_skewed;
        return STS_EINVAL;
    }

    *out_err = NULL;

    return STS_OK;
}


int
sts_auth_parse(const sts_allocator_t *a, sts_auth_t *out,
    const sts_http_request_t *r, const sts_auth_opts_t *opts,
    const sts_oss_error_t **out_err)
{
    int                  rc, v1q, v4q;
    size_t               i, n;
    sts_str_t            value, tok[3];
    const sts_header_t  *authz, *h;

    static const char  *unique[] = {
        "x-oss-date", "x-oss-security-token", "x-oss-content-sha256",
        "date", NULL
    };

    memset(out, 0, sizeof(sts_auth_t));
    *out_err = NULL;

    rc = sts_query_parse(a, r->raw_query, &out->params);

    if (rc == STS_ENOMEM) {
        return rc;
    }

    if (rc != STS_OK) {
        *out_err = &sts_err_invalid_argument_query;
        return rc;
    }

    authz = sts_http_header(r, "authorization", &n);

    v1q = 0;
    for (i = 0; sts_v1_presign_params[i] != NULL; i++) {
        if (sts_params_get(&out->params, sts_v1_presign_params[i])) {
            v1q = 1;
        }
    }

    v4q = 0;
    for (i = 0; sts_v4_presign_params[i] != NULL; i++) {
        if (sts_params_get(&out->params, sts_v4_presign_params[i])) {
            v4q = 1;
        }
    }

    if (authz == NULL && !v1q && !v4q) {
        out->kind = STS_AUTH_NONE;
        return STS_OK;
    }

    if (n > 1) {
        *out_err = &sts_err_invalid_argument_auth;
        return STS_EDUP;
    }

    if ((authz != NULL && (v1q || v4q)) || (v1q && v4q)) {
        *out_err = &sts_err_invalid_argument_mixed;
        return STS_EINVAL;
    }

    for (i = 0; unique[i] != NULL; i++) {
        (void) sts_http_header(r, unique[i], &n);

        if (n > 1) {
            *out_err = &sts_err_invalid_argument_auth;
            return STS_EDUP;
        }
    }

    /*
     * The token: header x-oss-security-token, query security-token (V1
     * presign) or x-oss-security-token (V4 presign).  Each is signed in
     * every form; several that differ are refused rather than chosen.
     */

    h = sts_http_header(r, "x-oss-security-token", NULL);
    tok[0] = h ? sts_str_trim(h->value) : (sts_str_t) sts_null_string;
    tok[1] = sts_param_value(&out->params, "security-token", NULL);
    tok[2] = sts_param_value(&out->params, "x-oss-security-token", NULL);

    for (i = 0; i < 3; i++) {
        if (tok[i].len == 0) {
            continue;
        }

        if (out->security_token.len
            && !sts_str_same(out->security_token, tok[i]))
        {
            *out_err = &sts_err_invalid_argument_auth;
            return STS_EINVAL;
        }

        out->security_token = tok[i];
    }

    if (authz != NULL) {
        value = sts_str_trim(authz->value);

        if (sts_has_prefix(value, "OSS ", 0)) {
            return sts_parse_v1_header(out, r, opts, value, out_err);
        }

        if (sts_has_prefix(value, STS_V4_ALGORITHM, 0)) {
            return sts_parse_v4_header(out, r, opts, value, out_err);
        }

        *out_err = &sts_err_invalid_argument_auth;
        return STS_EINVAL;
    }

    if (v1q) {
        return sts_parse_v1_presign(out, opts, out_err);
    }

    return sts_parse_v4_presign(out, r, opts, out_err);
}


void
sts_auth_free(const sts_allocator_t *a, sts_auth_t *auth)
{
    if (auth == NULL) {
        return;
    }

    /* the parameters and their strings are one block (sts_http.c) */
    sts_free(a, auth->params.items);
    auth->params.items = NULL;
    auth->params.num = 0;
}


/* verification */

int
sts_auth_verify(const sts_allocator_t *a, const sts_auth_t *auth,
    const sts_http_request_t *r, sts_str_t bucket, sts_str_t key,
    sts_str_t secret, sts_buf_t *out_sts, sts_buf_t *out_canonical)
{
    return sts_auth_verify_with(a, auth, r, bucket, key, secret, NULL,
                                out_sts, out_canonical, 1);
}


int
sts_auth_verify_keyed(const sts_allocator_t *a, const sts_auth_t *auth,
    const sts_http_request_t *r, sts_str_t bucket, sts_str_t key,
    sts_str_t secret, sts_sign_keys_t *keys, sts_buf_t *out_sts,
    sts_buf_t *out_canonical)
{
    return sts_auth_verify_with(a, auth, r, bucket, key, secret, keys,
                                out_sts, out_canonical, 0);
}


static int
sts_auth_verify_with(const sts_allocator_t *a, const sts_auth_t *auth,
    const sts_http_request_t *r, sts_str_t bucket, sts_str_t key,
    sts_str_t secret, sts_sign_keys_t *keys, sts_buf_t *out_sts,
    sts_buf_t *out_canonical, int out_always)
{
    int        rc, equal;
    char       v1[STS_V1_SIG_LEN + 1], v4[STS_V4_SIG_LEN + 1];
    sts_buf_t  sts, canonical;
    sts_str_t  s;

    sts_buf_init(&sts, a, 0);
    sts_buf_init(&canonical, a, 0);
    equal = 0;

    switch (auth->kind) {

    case STS_AUTH_V1:
    case STS_AUTH_V1_PRESIGN:
        rc = sts_sign_v1_string_to_sign(&sts, r, &auth->params, bucket, key,
                                        auth->date);
        if (rc != STS_OK) {
            goto done;
        }

        s.data = sts.data;
        s.len = sts.len;

        rc = sts_v1_signature(v1, secret, keys, s);
        if (rc != STS_OK) {
            goto done;
        }

        equal = sts_ct_equal(v1, STS_V1_SIG_LEN, auth->signature.data,
                             auth->signature.len);
        break;

    case STS_AUTH_V4:
    case STS_AUTH_V4_PRESIGN:
        rc = sts_v4_compute(&canonical, &sts, v4, r, &auth->params, bucket,
                            key, auth->additional_headers, auth->date,
                            auth->scope, auth->scope_date, auth->region,
                            secret, keys);
        if (rc != STS_OK) {
            goto done;
        }

        equal = sts_ct_equal(v4, STS_V4_SIG_LEN, auth->signature.data,
                             auth->signature.len);
        break;

    default:
        rc = STS_EINVAL;
        goto done;
    }

    if (equal && !out_always) {
        /* the strings are only wanted to explain a mismatch */
        out_sts = NULL;
        out_canonical = NULL;
    }

    if (out_sts != NULL) {
        (void) sts_buf_append(out_sts, sts.data, sts.len);
        rc = sts_buf_ok(out_sts);
        if (rc != STS_OK) {
            goto done;
        }
    }

    if (out_canonical != NULL) {
        (void) sts_buf_append(out_canonical, canonical.data, canonical.len);
        rc = sts_buf_ok(out_canonical);
        if (rc != STS_OK) {
            goto done;
        }
    }

    rc = equal ? STS_OK : STS_EBADSIG;

done:

    OPENSSL_cleanse(v1, sizeof(v1));
    OPENSSL_cleanse(v4, sizeof(v4));
    sts_buf_free(&sts);
    sts_buf_free(&canonical);

    return rc;
}


/* client-side signing */

static int
sts_creds_valid(const sts_sign_creds_t *creds, int v4)
{
    if (creds->access_key_id.len == 0 || sts_has_space(creds->access_key_id)
        || creds->secret.len == 0 || creds->secret.len > STS_SECRET_MAX)
    {
        return 0;
    }

    if (v4) {
        if (creds->region.len == 0 || sts_has_space(creds->region)
            || memchr(creds->region.data, '/', creds->region.len) != NULL)
        {
            return 0;
        }
    }

    return 1;
}


int
sts_sign_v1_header(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds)
{
    int                  rc;
    char                 sig[STS_V1_SIG_LEN + 1];
    sts_buf_t            sts;
    sts_str_t            s, date;
    sts_params_t         params;
    const sts_header_t  *h;

    if (!sts_creds_valid(creds, 0)) {
        return STS_EINVAL;
    }

    h = sts_http_header(r, "x-oss-date", NULL);
    if (h == NULL) {
        h = sts_http_header(r, "date", NULL);
    }

    if (h == NULL) {
        return STS_EINVAL;
    }

    date = sts_str_trim(h->value);

    rc = sts_query_parse(out->a, r->raw_query, &params);
    if (rc != STS_OK) {
        return rc == STS_ENOMEM ? rc : STS_EINVAL;
    }

    sts_buf_init(&sts, out->a, 0);
    sig[0] = '\0';

    rc = sts_sign_v1_string_to_sign(&sts, r, &params, bucket, key, date);
    if (rc != STS_OK) {
        goto done;
    }

    s.data = sts.data;
    s.len = sts.len;

    rc = sts_v1_signature(sig, creds->secret, NULL, s);
    if (rc != STS_OK) {
        goto done;
    }

    (void) sts_buf_append_str(out, "OSS ");
    (void) sts_buf_append(out, creds->access_key_id.data,
                          creds->access_key_id.len);
    (void) sts_buf_append_char(out, ':');
    (void) sts_buf_append(out, sig, STS_V1_SIG_LEN);

    rc = sts_buf_ok(out);

done:

    OPENSSL_cleanse(sig, sizeof(sig));
    sts_buf_free(&sts);
    sts_free(out->a, params.items);

    return rc;
}


int
sts_sign_v1_presign(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds,
    int64_t expires)
{
    int           rc;
    char          sig[STS_V1_SIG_LEN + 1];
    size_t        head_len;
    sts_buf_t     q, sts;
    sts_str_t     s, date;
    sts_params_t  params;

    if (!sts_creds_valid(creds, 0) || expires < 0) {
        return STS_EINVAL;
    }

    params.items = NULL;
    params.num = 0;
    sig[0] = '\0';
    sts_buf_init(&q, out->a, 0);
    sts_buf_init(&sts, out->a, 0);

    /* the query without Signature: "head" + "tail" */

    (void) sts_buf_append_str(&q, "OSSAccessKeyId=");
    (void) sts_uri_encode(&q, creds->access_key_id.data,
                          creds->access_key_id.len, 0);
    (void) sts_buf_appendf(&q, "&Expires=%lld", (long long) expires);
    head_len = q.len;

    if (r->raw_query.len) {
        (void) sts_buf_append_char(&q, '&');
        (void) sts_buf_append(&q, r->raw_query.data, r->raw_query.len);
    }

    if (creds->security_token.len) {
        (void) sts_buf_append_str(&q, "&security-token=");
        (void) sts_uri_encode(&q, creds->security_token.data,
                              creds->security_token.len, 0);
    }

    rc = sts_buf_ok(&q);
    if (rc != STS_OK) {
        goto done;
    }

    s.data = q.data;
    s.len = q.len;

    rc = sts_query_parse(out->a, s, &params);
    if (rc != STS_OK) {
        rc = rc == STS_ENOMEM ? rc : STS_EINVAL;
        goto done;
    }

    if (sts_params_get(&params, "Signature") != NULL) {
        rc = STS_EINVAL;
        goto done;
    }

    date = sts_param_value(&params, "Expires", NULL);

    rc = sts_sign_v1_string_to_sign(&sts, r, &params, bucket, key, date);
    if (rc != STS_OK) {
        goto done;
    }

    s.data = sts.data;
    s.len = sts.len;

    rc = sts_v1_signature(sig, creds->secret, NULL, s);
    if (rc != STS_OK) {
        goto done;
    }

    (void) sts_buf_append(out, q.data, head_len);
    (void) sts_buf_append_str(out, "&Signature=");
    (void) sts_uri_encode(out, sig, STS_V1_SIG_LEN, 0);
    (void) sts_buf_append(out, q.data + head_len, q.len - head_len);

    rc = sts_buf_ok(out);

done:

    OPENSSL_cleanse(sig, sizeof(sig));
    sts_buf_free(&q);
    sts_buf_free(&sts);
    sts_free(out->a, params.items);

    return rc;
}


int
sts_sign_v4_header(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds,
    sts_str_t additional_headers)
{
    int                  rc;
    char                 sig[STS_V4_SIG_LEN + 1];
    int64_t              t;
    sts_buf_t            scope, canonical, sts;
    sts_str_t            date, scope_str, scope_date;
    sts_params_t         params;
    const sts_header_t  *h;

    if (!sts_creds_valid(creds, 1)
        || (additional_headers.len
            && !sts_sign_v4_additional_headers_valid(additional_headers)))
    {
        return STS_EINVAL;
    }

    h = sts_http_header(r, "x-oss-date", NULL);
    if (h == NULL) {
        return STS_EINVAL;
    }

    date = sts_str_trim(h->value);

    if (date.len != STS_ISO8601_BASIC_LEN
        || sts_parse_iso8601(date.data, date.len, &t) != STS_OK)
    {
        return STS_EINVAL;
    }

    rc = sts_query_parse(out->a, r->raw_query, &params);
    if (rc != STS_OK) {
        return rc == STS_ENOMEM ? rc : STS_EINVAL;
    }

    sig[0] = '\0';
    sts_buf_init(&scope, out->a, 0);
    sts_buf_init(&canonical, out->a, 0);
    sts_buf_init(&sts, out->a, 0);

    (void) sts_buf_append(&scope, date.data, STS_V4_DATE_LEN);
    (void) sts_buf_append_char(&scope, '/');
    (void) sts_buf_append(&scope, creds->region.data, creds->region.len);
    (void) sts_buf_append_str(&scope,
                              "/" STS_V4_PRODUCT "/" STS_V4_TERMINATOR);

    rc = sts_buf_ok(&scope);
    if (rc != STS_OK) {
        goto done;
    }

    scope_str.data = scope.data;
    scope_str.len = scope.len;
    scope_date.data = date.data;
    scope_date.len = STS_V4_DATE_LEN;

    rc = sts_v4_compute(&canonical, &sts, sig, r, &params, bucket, key,
                        additional_headers, date, scope_str, scope_date,
                        creds->region, creds->secret, NULL);
    if (rc != STS_OK) {
        goto done;
    }

    (void) sts_buf_append_str(out, STS_V4_ALGORITHM " Credential=");
    (void) sts_buf_append(out, creds->access_key_id.data,
                          creds->access_key_id.len);
    (void) sts_buf_append_char(out, '/');
    (void) sts_buf_append(out, scope.data, scope.len);

    if (additional_headers.len) {
        (void) sts_buf_append_str(out, ",AdditionalHeaders=");
        (void) sts_buf_append(out, additional_headers.data,
                              additional_headers.len);
    }

    (void) sts_buf_append_str(out, ",Signature=");
    (void) sts_buf_append(out, sig, STS_V4_SIG_LEN);

    rc = sts_buf_ok(out);

done:

    OPENSSL_cleanse(sig, sizeof(sig));
    sts_buf_free(&scope);
    sts_buf_free(&canonical);
    sts_buf_free(&sts);
    sts_free(out->a, params.items);

    return rc;
}


int
sts_sign_v4_presign(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds,
    int64_t now, int64_t expires_in, sts_str_t additional_headers)
{
    int           rc;
    char          sig[STS_V4_SIG_LEN + 1];
    char          date[STS_ISO8601_BASIC_LEN + 1];
    size_t        scope_off;
    sts_buf_t     q, scope, canonical, sts;
    sts_str_t     s, d, scope_str, scope_date;
    sts_params_t  params;

    if (!sts_creds_valid(creds, 1) || now < 0
        || expires_in < 1 || expires_in > STS_V4_MAX_EXPIRES
        || (additional_headers.len
            && !sts_sign_v4_additional_headers_valid(additional_headers)))
    {
        return STS_EINVAL;
    }

    sts_format_iso8601_basic(date, now);

    params.items = NULL;
    params.num = 0;
    sig[0] = '\0';
    sts_buf_init(&q, out->a, 0);
    sts_buf_init(&scope, out->a, 0);
    sts_buf_init(&canonical, out->a, 0);
    sts_buf_init(&sts, out->a, 0);

    (void) sts_buf_append(&scope, creds->access_key_id.data,
                          creds->access_key_id.len);
    (void) sts_buf_append_char(&scope, '/');
    scope_off = scope.len;
    (void) sts_buf_append(&scope, date, STS_V4_DATE_LEN);
    (void) sts_buf_append_char(&scope, '/');
    (void) sts_buf_append(&scope, creds->region.data, creds->region.len);
    (void) sts_buf_append_str(&scope,
                              "/" STS_V4_PRODUCT "/" STS_V4_TERMINATOR);

    if (r->raw_query.len) {
        (void) sts_buf_append(&q, r->raw_query.data, r->raw_query.len);
        (void) sts_buf_append_char(&q, '&');
    }

    if (additional_headers.len) {
        (void) sts_buf_append_str(&q, "x-oss-additional-headers=");
        (void) sts_uri_encode(&q, additional_headers.data,
                              additional_headers.len, 0);
        (void) sts_buf_append_char(&q, '&');
    }

    (void) sts_buf_append_str(&q, "x-oss-credential=");
    (void) sts_uri_encode(&q, scope.data, scope.len, 0);
    (void) sts_buf_appendf(&q, "&x-oss-date=%s&x-oss-expires=%lld"
                           "&x-oss-signature-version=" STS_V4_ALGORITHM,
                           date, (long long) expires_in);

    if (creds->security_token.len) {
        (void) sts_buf_append_str(&q, "&x-oss-security-token=");
        (void) sts_uri_encode(&q, creds->security_token.data,
                              creds->security_token.len, 0);
    }

    rc = sts_buf_ok(&q);
    if (rc == STS_OK) {
        rc = sts_buf_ok(&scope);
    }

    if (rc != STS_OK) {
        goto done;
    }

    s.data = q.data;
    s.len = q.len;

    rc = sts_query_parse(out->a, s, &params);
    if (rc != STS_OK) {
        rc = rc == STS_ENOMEM ? rc : STS_EINVAL;
        goto done;
    }

    if (sts_params_get(&params, "x-oss-signature") != NULL) {
        rc = STS_EINVAL;
        goto done;
    }

    d.data = date;
    d.len = STS_ISO8601_BASIC_LEN;
    scope_str.data = scope.data + scope_off;
    scope_str.len = scope.len - scope_off;
    scope_date.data = date;
    scope_date.len = STS_V4_DATE_LEN;

    rc = sts_v4_compute(&canonical, &sts, sig, r, &params, bucket, key,
                        additional_headers, d, scope_str, scope_date,
                        creds->region, creds->secret, NULL);
    if (rc != STS_OK) {
        goto done;
    }

    (void) sts_buf_append(out, q.data, q.len);
    (void) sts_buf_append_str(out, "&x-oss-signature=");
    (void) sts_buf_append(out, sig, STS_V4_SIG_LEN);

    rc = sts_buf_ok(out);

done:

    OPENSSL_cleanse(sig, sizeof(sig));
    sts_buf_free(&q);
    sts_buf_free(&scope);
    sts_buf_free(&canonical);
    sts_buf_free(&sts);
    sts_free(out->a, params.items);

    return rc;
}


/*
 * The query parameters of both presigned forms, and the gateway's own:
 * whatever form a request was signed in, a token or signature may sit in
 * its query (a header-signed request may carry its token as a
 * sub-resource), so every one of them is the client's, never the store's.
 */

static const char  *sts_auth_params[] = {
    "OSSAccessKeyId", "Expires", "Signature", "security-token",
    "x-oss-signature-version", "x-oss-credential", "x-oss-date",
    "x-oss-expires", "x-oss-signature", "x-oss-additional-headers",
    "x-oss-security-token",
    "x-sts-max-uses",           /* the gateway's own: N-use URLs */
    NULL
};


int
sts_auth_is_param(sts_str_t name)
{
    size_t  i;

    for (i = 0; sts_auth_params[i] != NULL; i++) {
        if (sts_str_eq(name, sts_auth_params[i])) {
            return 1;
        }
    }

    return 0;
}


int
sts_auth_strip_query(const sts_allocator_t *a, sts_str_t raw_query,
    sts_str_t *out)
{
    int           rc, removed;
    sts_buf_t     b;
    sts_str_t     item, name;
    const char   *p, *end, *amp, *eq;

    *out = raw_query;

    if (raw_query.len == 0) {
        /* nothing to strip (and raw_query.data may be NULL) */
        return STS_OK;
    }

    sts_buf_init(&b, a, 0);
    removed = 0;

    p = raw_query.data;
    end = p + raw_query.len;

    while (p < end) {
        amp = memchr(p, '&', (size_t) (end - p));
        if (amp == NULL) {
            amp = end;
        }

        item.data = p;
        item.len = (size_t) (amp - p);
        p = amp + 1;

        if (item.len == 0) {
            continue;
        }

        eq = memchr(item.data, '=', item.len);
        name.data = item.data;
        name.len = eq ? (size_t) (eq - item.data) : item.len;

        /* names are compared decoded, as the parser saw them */
        rc = sts_percent_decode(a, name, 1, &name);
        if (rc != STS_OK) {
            sts_buf_free(&b);
            return rc == STS_ENOMEM ? STS_ENOMEM : STS_EINVAL;
        }

        if (sts_auth_is_param(name)) {
            sts_free(a, (void *) name.data);
            removed = 1;
            continue;
        }

        sts_free(a, (void *) name.data);

        if (b.len) {
            sts_buf_append_char(&b, '&');
        }

        sts_buf_append(&b, item.data, item.len);
    }

    if (sts_buf_ok(&b) != STS_OK) {
        sts_buf_free(&b);
        return STS_ENOMEM;
    }

    if (!removed) {
        /* nothing to remove: the query stays exactly as sent */
        sts_buf_free(&b);
        return STS_OK;
    }

    out->data = b.data ? b.data : "";
    out->len = b.len;

    return STS_OK;
}
