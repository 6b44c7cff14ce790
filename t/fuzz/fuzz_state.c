/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_state: the text the N-use and grace tables read (libFuzzer): the
 * UploadId of an InitiateMultipartUpload answer, the x-sts-max-uses
 * value and the zones' max_per_key= parameter.
 *
 * An UploadId found must lie inside the input, between the tags, within
 * the length limit and of the allowed bytes; a limit accepted must be in
 * range and print back as the input, after "max_per_key=" for the
 * parameter.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_state.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             rc;
    char            text[16];
    size_t          i;
    sts_str_t       id, v;
    unsigned long   n;
    unsigned char   key[STS_STATE_KEY_LEN];
    const char     *body;

    body = (const char *) data;

    rc = sts_state_upload_id(body, size, &id);

    if (rc == STS_OK) {
        if (id.data < body || id.data + id.len > body + size
            || id.len == 0 || id.len > STS_STATE_UPLOAD_ID_MAX
            || id.data - body < 10
            || memcmp(id.data - 10, "<UploadId>", 10) != 0
            || (size_t) (id.data + id.len - body) + 11 > size
            || memcmp(id.data + id.len, "</UploadId>", 11) != 0)
        {
            abort();
        }

        for (i = 0; i < id.len; i++) {
            if (id.data[i] <= 0x20 || id.data[i] >= 0x7f
                || strchr("<>&", id.data[i]) != NULL)
            {
                abort();
            }
        }

        if (sts_state_grace_key(key, id, id, id, id) != STS_OK) {
            abort();
        }

    } else if (rc != STS_ENOTFOUND && rc != STS_EINVAL) {
        abort();
    }

    v.data = body;
    v.len = size;

    rc = sts_state_max_uses(v, &n);

    if (rc == STS_OK) {
        if (n < 1 || n > STS_STATE_MAX_USES) {
            abort();
        }

        snprintf(text, sizeof(text), "%lu", n);

        if (strlen(text) != size || memcmp(text, body, size) != 0) {
            abort();
        }

    } else if (rc != STS_EINVAL) {
        abort();
    }

    if (sts_state_uses_key(key, v, v) != STS_OK
        || sts_state_owner_key(key, v) != STS_OK)
    {
        abort();
    }

    rc = sts_state_max_per_key(v, &n);

    if (rc == STS_OK) {
        if (n < 1 || n > STS_STATE_MAX_USES || size < 12) {
            abort();
        }

        snprintf(text, sizeof(text), "%lu", n);

        if (memcmp(body, "max_per_key=", 12) != 0
            || strlen(text) != size - 12
            || memcmp(text, body + 12, size - 12) != 0)
        {
            abort();
        }

    } else if (rc == STS_ENOTFOUND) {
        if (size >= 12 && memcmp(body, "max_per_key=", 12) == 0) {
            abort();
        }

    } else if (rc != STS_EINVAL) {
        abort();
    }

    return 0;
}
