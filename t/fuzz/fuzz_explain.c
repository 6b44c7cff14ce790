/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_explain: sts_explain_redact on hostile input (libFuzzer), with its
 * promises checked: a second pass changes nothing (every credential value
 * is already gone), text without ':' or '=' is copied unchanged, and the
 * header sanitiser leaves only printable ASCII.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_explain.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t     i;
    sts_buf_t  once, twice;
    sts_str_t  in, mid;

    in.data = (const char *) data;
    in.len = size;

    sts_buf_init(&once, &sts_malloc_allocator, 0);
    sts_buf_init(&twice, &sts_malloc_allocator, 0);

    if (sts_explain_redact(&once, in) != STS_OK) {
        abort();
    }

    mid.data = once.data ? once.data : "";
    mid.len = once.len;

    if (sts_explain_redact(&twice, mid) != STS_OK
        || twice.len != once.len
        || (once.len && memcmp(twice.data, once.data, once.len) != 0))
    {
        abort();
    }

    if (memchr(data, ':', size) == NULL && memchr(data, '=', size) == NULL
        && (once.len != size || (size && memcmp(once.data, data, size))))
    {
        abort();
    }

    if (once.len) {
        sts_explain_header_safe(once.data, once.len);

        for (i = 0; i < once.len; i++) {
            if ((unsigned char) once.data[i] < 0x20
                || (unsigned char) once.data[i] > 0x7e)
            {
                abort();
            }
        }
    }

    sts_buf_free(&once);
    sts_buf_free(&twice);

    return 0;
}
