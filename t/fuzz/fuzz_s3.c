/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_s3: the s3 connector's parser of the store's error documents,
 * sts_s3_error_parse, and the mapping of what it finds to an OSS error
 * (libFuzzer).  The store is trusted less than it seems: whatever it
 * answers reaches the client rewritten.
 *
 * Input: the first byte picks the HTTP status of the answer, the rest is
 * the body.  Checked: an accepted document has a non-empty Code, every
 * string is NUL-terminated at its length (Message may be absent: NULL),
 * at most STS_S3_ERROR_MAX_FIELDS other fields, none of them one the
 * parser must leave out (the request ids and what describes the gateway's
 * own signature); the mapping gives an OSS error with a Code and a 4xx or
 * 5xx status, 502 when it blames the gateway; a refusal leaves nothing
 * allocated (LeakSanitizer), and an over-long body is STS_ETOOBIG.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_s3.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  *fuzz_left_out[] = {
    "RequestId", "HostId", "AWSAccessKeyId", "StringToSign",
    "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes",
    "SignatureProvided", NULL
};


static void
fuzz_terminated(sts_str_t s)
{
    if (s.data == NULL || s.data[s.len] != '\0') {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int              rc, status, backend;
    char            *body;
    size_t           i, k, len;
    sts_s3_error_t   e;
    sts_oss_error_t  oe;

    if (size == 0) {
        return 0;
    }

    status = 400 + data[0] % 200;       /* 400..599 */
    len = size - 1;

    /* an exact-size copy, so reads past the end are caught */
    body = malloc(len ? len : 1);
    if (body == NULL) {
        return 0;
    }

    memcpy(body, data + 1, len);

    memset(&e, 0x5a, sizeof(e));
    rc = sts_s3_error_parse(&sts_malloc_allocator, body, len, &e);

    if (rc != STS_OK) {
        if (rc != STS_EINVAL && rc != STS_ETOOBIG && rc != STS_ENOMEM) {
            abort();
        }

        if (rc == STS_ETOOBIG && len <= STS_S3_ERROR_MAX_BODY) {
            abort();
        }

        free(body);
        return 0;
    }

    if (len > STS_S3_ERROR_MAX_BODY || e.code.len == 0
        || e.num_fields > STS_S3_ERROR_MAX_FIELDS)
    {
        abort();
    }

    fuzz_terminated(e.code);

    /* no Message element: no message at all */
    if (e.message.data != NULL || e.message.len != 0) {
        fuzz_terminated(e.message);
    }

    for (i = 0; i < e.num_fields; i++) {
        fuzz_terminated(e.fields[i].name);
        fuzz_terminated(e.fields[i].value);

        if (e.fields[i].name.len == 0) {
            abort();
        }

        for (k = 0; fuzz_left_out[k] != NULL; k++) {
            if (sts_str_eq(e.fields[i].name, fuzz_left_out[k])) {
                abort();
            }
        }
    }

    backend = sts_s3_error_map(e.code, status, e.message, &oe);

    if (oe.code == NULL || oe.code[0] == '\0' || oe.message == NULL
        || oe.http_status < 400 || oe.http_status > 599
        || (backend && oe.http_status != 502))
    {
        abort();
    }

    sts_s3_error_free(&sts_malloc_allocator, &e);
    free(body);

    return 0;
}
