/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_auth: request authentication parsing, canonicalisation and
 * verification on hostile input (libFuzzer), and the strip of the
 * authentication parameters from the query: nothing of them is left, and
 * nothing is added.
 *
 * Input, split on '\n':
 *   line 1     Authorization value (no header when the line is empty)
 *   line 2     raw query
 *   line 3     raw path
 *   line 4     method
 *   then       "Name: value" headers (at most 16)
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_sign.h"


#define FUZZ_NOW       1715776245       /* 2024-05-15T12:30:45Z */
#define FUZZ_MAX_HDRS  17


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_strip(sts_str_t raw);


static sts_str_t
fuzz_str(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static void
fuzz_client_signers(const sts_http_request_t *r, sts_str_t bucket,
    sts_str_t key, sts_str_t additional)
{
    int               rc;
    sts_buf_t         b;
    sts_sign_creds_t  creds;

    creds.access_key_id = fuzz_str("STS.fuzz");
    creds.secret = fuzz_str("fuzz-secret");
    creds.security_token = fuzz_str("tok+/=");
    creds.region = fuzz_str("cn-hangzhou");

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    rc = sts_sign_v1_header(&b, r, bucket, key, &creds);
    (void) rc;
    sts_buf_free(&b);

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    rc = sts_sign_v1_presign(&b, r, bucket, key, &creds, FUZZ_NOW + 60);
    sts_buf_free(&b);

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    rc = sts_sign_v4_header(&b, r, bucket, key, &creds, additional);
    sts_buf_free(&b);

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    rc = sts_sign_v4_presign(&b, r, bucket, key, &creds, FUZZ_NOW, 60,
                             additional);
    sts_buf_free(&b);
}


static void
fuzz_strip(sts_str_t raw)
{
    size_t        i;
    sts_str_t     out;
    sts_params_t  params;

    if (sts_auth_strip_query(&sts_malloc_allocator, raw, &out) != STS_OK) {
        return;
    }

    if (out.len > raw.len) {
        abort();
    }

    if (out.data == raw.data) {
        return;
    }

    /* what is left parses, and names no authentication parameter */
    if (sts_query_parse(&sts_malloc_allocator, out, &params) == STS_OK) {
        for (i = 0; i < params.num; i++) {
            if (sts_auth_is_param(params.items[i].name)) {
                abort();
            }
        }

        sts_free(&sts_malloc_allocator, params.items);
    }

    if (out.len) {
        sts_free(&sts_malloc_allocator, (void *) out.data);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                     rc;
    char                   *copy, *p, *end, *nl, *colon;
    size_t                  line;
    sts_str_t               field[4], bucket, key, decoded;
    sts_buf_t               sts, canonical;
    sts_auth_t              auth;
    sts_header_t            h[FUZZ_MAX_HDRS];
    sts_auth_opts_t         opts;
    sts_http_request_t      r;
    const sts_oss_error_t  *err;

    /* an exact-size copy, so reads past the end are caught */
    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }

    if (size) {
        memcpy(copy, data, size);
    }

    memset(&r, 0, sizeof(r));
    memset(field, 0, sizeof(field));

    p = copy;
    end = copy + size;

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

    if (field[0].len) {
        h[r.num_headers].name = fuzz_str("Authorization");
        h[r.num_headers].value = field[0];
        r.num_headers++;
    }

    r.raw_query = field[1];
    r.raw_path = field[2];
    r.method = field[3].len ? field[3] : fuzz_str("GET");
    r.host = fuzz_str("bucket.oss-cn-hangzhou.aliyuncs.com");
    r.headers = h;
    r.now = FUZZ_NOW;

    /* bucket and key: virtual-hosted addressing on the decoded path */
    bucket = fuzz_str("bucket");
    key = fuzz_str("");
    decoded.data = NULL;

    if (sts_percent_decode(&sts_malloc_allocator, r.raw_path, 0, &decoded)
        == STS_OK)
    {
        key = decoded;
        if (key.len && key.data[0] == '/') {
            key.data++;
            key.len--;
        }
    }

    opts.now = FUZZ_NOW;
    opts.max_skew = 900;
    opts.region = fuzz_str(size && (data[0] & 1) ? "cn-hangzhou" : "");

    rc = sts_auth_parse(&sts_malloc_allocator, &auth, &r, &opts, &err);

    if (rc == STS_OK && auth.kind != STS_AUTH_NONE) {
        sts_buf_init(&sts, &sts_malloc_allocator, 0);
        sts_buf_init(&canonical, &sts_malloc_allocator, 0);

        rc = sts_auth_verify(&sts_malloc_allocator, &auth, &r, bucket, key,
                             fuzz_str("fuzz-secret"), &sts, &canonical);

        /* a random input that verifies would be a forgery */
        if (rc == STS_OK) {
            abort();
        }

        sts_buf_free(&sts);
        sts_buf_free(&canonical);
    }

    if (rc != STS_ENOMEM && auth.params.items != NULL) {
        sts_buf_init(&sts, &sts_malloc_allocator, 0);
        rc = sts_sign_v1_string_to_sign(&sts, &r, &auth.params, bucket, key,
                                        auth.date);
        sts_buf_free(&sts);

        sts_buf_init(&sts, &sts_malloc_allocator, 0);
        rc = sts_sign_v4_canonical_request(&sts, &r, &auth.params, bucket,
                                           key, auth.additional_headers);
        sts_buf_free(&sts);
    }

    fuzz_strip(r.raw_query);

    fuzz_client_signers(&r, bucket, key,
                        sts_sign_v4_additional_headers_valid(
                            auth.additional_headers)
                        ? auth.additional_headers : fuzz_str(""));

    sts_auth_free(&sts_malloc_allocator, &auth);
    sts_free(&sts_malloc_allocator, (void *) decoded.data);
    free(copy);

    return 0;
}
