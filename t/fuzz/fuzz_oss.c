/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_oss: request mapping and path normalisation on hostile input
 * (libFuzzer): sts_query_parse, sts_oss_classify (which locates the
 * bucket and key under each addressing mode) and sts_oss_backend_uri.
 *
 * Input: one flags byte (bits 0-1 addressing: path, virtual-host
 * "oss.example.com", bucket "demo-bucket"; bits 2-3 sts_bucket_config),
 * then lines: method, Host, raw path, raw query, and "Name: value"
 * headers (at most 16).
 *
 * Checked, for every request the mapping accepts:
 *   - a request that is not a preflight and needs no body has at least
 *     one grant: nothing is allowed without being authorised;
 *   - every grant is an "oss:" action on a resource of the configured
 *     account; the bucket and key pass the name rules;
 *   - the target the backend receives decodes to exactly the bucket and
 *     key that were authorised, and located again (path style) gives the
 *     same bucket and key: one canonical key;
 *   - its query holds every non-authentication parameter, in order, with
 *     the same decoded name and value, and no authentication parameter;
 *   - the raw target holds no '#' (nginx and stores end a target there);
 *   - no request with a method override header, preflights included, is
 *     accepted.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_oss.h"


#define FUZZ_MAX_HDRS  17


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/*
 * A malloc allocator that remembers its blocks, so everything the mapping
 * allocates (it has no free function of its own) is freed per input while
 * each block keeps its own ASan red zones.
 */
typedef struct fuzz_block_s  fuzz_block_t;

struct fuzz_block_s {
    fuzz_block_t  *prev;
    fuzz_block_t  *next;
};

static fuzz_block_t  fuzz_blocks = { &fuzz_blocks, &fuzz_blocks };


static void *
fuzz_alloc(void *ctx, size_t size)
{
    fuzz_block_t  *b;

    b = malloc(sizeof(fuzz_block_t) + 16 + size);
    if (b == NULL) {
        return NULL;
    }

    b->next = fuzz_blocks.next;
    b->prev = &fuzz_blocks;
    b->next->prev = b;
    fuzz_blocks.next = b;

    return (char *) b + sizeof(fuzz_block_t) + 16;
}


static void
fuzz_release(void *ctx, void *p)
{
    fuzz_block_t  *b;

    if (p == NULL) {
        return;
    }

    b = (fuzz_block_t *) ((char *) p - sizeof(fuzz_block_t) - 16);
    b->prev->next = b->next;
    b->next->prev = b->prev;
    free(b);
}


static void
fuzz_release_all(void)
{
    fuzz_block_t  *b, *next;

    for (b = fuzz_blocks.next; b != &fuzz_blocks; b = next) {
        next = b->next;
        free(b);
    }

    fuzz_blocks.next = &fuzz_blocks;
    fuzz_blocks.prev = &fuzz_blocks;
}


static const sts_allocator_t  fuzz_allocator = {
    fuzz_alloc, fuzz_release, NULL
};


static sts_str_t
fuzz_str(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static int
fuzz_eq(sts_str_t x, sts_str_t y)
{
    return x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
}


static int
fuzz_starts(sts_str_t s, const char *prefix, size_t n)
{
    return s.len >= n && memcmp(s.data, prefix, n) == 0;
}


static int
fuzz_is_auth_param(sts_str_t name)
{
    size_t  i;

    static const char  *auth[] = {
        "OSSAccessKeyId", "Expires", "Signature", "security-token",
        "x-oss-signature-version", "x-oss-credential", "x-oss-date",
        "x-oss-expires", "x-oss-signature", "x-oss-additional-headers",
        "x-oss-security-token",
        "x-sts-max-uses"            /* the gateway's own, never forwarded */
    };

    for (i = 0; i < sizeof(auth) / sizeof(auth[0]); i++) {
        if (sts_str_eq(name, auth[i])) {
            return 1;
        }
    }

    return 0;
}


/* the op's grants and names follow the rules */
static void
fuzz_check_op(const sts_oss_conf_t *conf, const sts_oss_op_t *op)
{
    size_t     i;
    sts_str_t  account, arn;
    char       prefix[128];
    size_t     prefix_len;

    if (op->api == NULL) {
        abort();
    }

    if (op->preflight) {
        return;
    }

    if (op->body == STS_OSS_BODY_NONE && op->num_grants == 0) {
        abort();
    }

    if (op->bucket.len && !sts_oss_is_valid_bucket(op->bucket)) {
        abort();
    }

    if (op->key.len && (op->bucket.len == 0 || !sts_oss_is_valid_key(op->key)))
    {
        abort();
    }

    account = conf->account.len ? conf->account : fuzz_str("*");
    prefix_len = (size_t) snprintf(prefix, sizeof(prefix), "acs:oss:*:%.*s:",
                                   (int) account.len, account.data);

    for (i = 0; i < op->num_grants; i++) {
        if (op->grants[i].action == NULL
            || strncmp(op->grants[i].action, "oss:", 4) != 0
            || !fuzz_starts(op->grants[i].resource, prefix, prefix_len))
        {
            abort();
        }
    }

    /* the grant on the request's own object names exactly that object */
    if (op->body == STS_OSS_BODY_NONE && op->key.len
        && sts_oss_arn(&fuzz_allocator, account, op->bucket, op->key, &arn)
           == STS_OK)
    {
        for (i = 0; i < op->num_grants; i++) {
            if (fuzz_eq(op->grants[i].resource, arn)) {
                break;
            }
        }

        if (i == op->num_grants) {
            abort();
        }
    }
}


/* the backend target decodes to what was authorised, and nothing else */
static void
fuzz_check_backend(const sts_oss_op_t *op, const sts_params_t *q)
{
    int                  rc;
    char                *qm;
    size_t               i, j, path_len;
    sts_str_t            uri, path, query, dec, bucket, key;
    sts_params_t         bq;
    sts_oss_conf_t       pconf;
    sts_http_request_t   r;
    const sts_oss_error_t  *err;

    if (sts_oss_backend_uri(&fuzz_allocator, op, q, &uri) != STS_OK) {
        return;
    }

    qm = memchr(uri.data, '?', uri.len);
    path_len = qm ? (size_t) (qm - uri.data) : uri.len;
    path.data = uri.data;
    path.len = path_len;
    query.data = qm ? qm + 1 : "";
    query.len = qm ? uri.len - path_len - 1 : 0;

    /* the path decodes to "/" or "/<bucket>/<key>" */
    if (sts_percent_decode(&fuzz_allocator, path, 0, &dec) != STS_OK) {
        abort();
    }

    if (op->bucket.len == 0) {
        if (!sts_str_eq(dec, "/")) {
            abort();
        }

    } else if (dec.len != op->bucket.len + op->key.len + 2
               || dec.data[0] != '/'
               || memcmp(dec.data + 1, op->bucket.data, op->bucket.len) != 0
               || dec.data[op->bucket.len + 1] != '/'
               || (op->key.len
                   && memcmp(dec.data + op->bucket.len + 2, op->key.data,
                             op->key.len) != 0))
    {
        abort();
    }

    /* located again, path style, it is the same bucket and key */
    if (op->bucket.len) {
        memset(&pconf, 0, sizeof(pconf));
        pconf.mode = STS_ADDR_PATH;
        memset(&r, 0, sizeof(r));
        r.method = fuzz_str("GET");
        r.host = fuzz_str("backend");
        r.raw_path = path;

        rc = sts_oss_locate(&fuzz_allocator, &pconf, &r, &bucket, &key, &err);
        if (rc != STS_ENOMEM
            && (rc != STS_OK || !fuzz_eq(bucket, op->bucket)
                || !fuzz_eq(key, op->key)))
        {
            abort();
        }
    }

    /* the query: every parameter but the authentication ones, in order */
    rc = sts_query_parse(&fuzz_allocator, query, &bq);
    if (rc == STS_ENOMEM) {
        return;
    }

    if (rc != STS_OK) {
        abort();
    }

    j = 0;
    for (i = 0; q != NULL && i < q->num; i++) {
        if (fuzz_is_auth_param(q->items[i].name)) {
            continue;
        }

        /* an empty name cannot be sent; the parser has none */
        if (j >= bq.num || !fuzz_eq(bq.items[j].name, q->items[i].name)
            || !fuzz_eq(bq.items[j].value, q->items[i].value))
        {
            abort();
        }

        j++;
    }

    if (j != bq.num) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                     rc;
    char                   *copy, *p, *end, *nl, *colon;
    size_t                  line;
    sts_str_t               field[4];
    sts_params_t            q;
    sts_oss_op_t            op;
    sts_header_t            h[FUZZ_MAX_HDRS];
    sts_oss_conf_t          conf;
    sts_http_request_t      r;
    const sts_oss_error_t  *err;

    if (size < 1) {
        return 0;
    }

    /* an exact-size copy, so reads past the end are caught */
    copy = malloc(size - 1 ? size - 1 : 1);
    if (copy == NULL) {
        return 0;
    }

    memcpy(copy, data + 1, size - 1);

    memset(&r, 0, sizeof(r));
    memset(&conf, 0, sizeof(conf));
    memset(field, 0, sizeof(field));

    switch (data[0] & 3) {
    case 1:
        conf.mode = STS_ADDR_VHOST;
        break;
    case 2:
        conf.mode = STS_ADDR_BUCKET;
        break;
    default:
        conf.mode = STS_ADDR_PATH;
    }

    conf.domain = fuzz_str("oss.example.com");
    conf.bucket = fuzz_str("demo-bucket");
    conf.account = (data[0] & 0x10) ? fuzz_str("1234567890123456")
                                    : fuzz_str("");
    conf.bucket_config = (sts_oss_bucket_config_e) ((data[0] >> 2) % 3);

    p = copy;
    end = copy + size - 1;

    for (line = 0; /* void */; line++) {
        nl = memchr(p, '\n', (size_t) (end - p));
        if (nl == NULL) {
            nl = end;
        }

        if (line < 4) {
            field[line].data = p;
            field[line].len = (size_t) (nl - p);

        } else if (r.num_headers < FUZZ_MAX_HDRS - 1) {
            colon = memchr(p, ':', (size_t) (nl - p));

            h[r.num_headers].name.data = p;
            h[r.num_headers].name.len = colon ? (size_t) (colon - p)
                                              : (size_t) (nl - p);
            h[r.num_headers].value.data = colon ? colon + 1 : nl;
            h[r.num_headers].value.len = colon ? (size_t) (nl - colon - 1)
                                               : 0;
            r.num_headers++;
        }

        if (nl == end) {
            break;
        }

        p = nl + 1;
    }

    r.method = field[0].len ? field[0] : fuzz_str("GET");
    r.host = field[1];
    r.raw_path = field[2].len ? field[2] : fuzz_str("/");
    r.raw_query = field[3];
    r.headers = h;
    r.now = 1715776245;

    memset(&q, 0, sizeof(q));
    rc = sts_query_parse(&fuzz_allocator, r.raw_query, &q);

    if (rc == STS_OK) {
        rc = sts_oss_classify(&fuzz_allocator, &conf, &r, &q, &op, &err);

        if (rc == STS_OK) {
            /* a target that nginx or a store could end at a '#' */
            if (!sts_http_target_valid(&r)) {
                abort();
            }

            if (sts_http_header(&r, "x-http-method-override", NULL)
                || sts_http_header(&r, "x-method-override", NULL)
                || sts_http_header(&r, "x-http-method", NULL))
            {
                abort();
            }

            fuzz_check_op(&conf, &op);
            fuzz_check_backend(&op, &q);

        } else if (rc != STS_ENOMEM && err == NULL) {
            /* every refusal carries its OSS error */
            abort();
        }
    }

    fuzz_release_all();
    free(copy);

    return 0;
}
