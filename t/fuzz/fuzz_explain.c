/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_explain: sts_explain_redact on hostile input (libFuzzer), with its
 * promises checked: a second pass changes nothing (every credential value
 * is already gone), text without ':' or '=' is copied unchanged, and
 * sts_explain_escape leaves only printable ASCII for a header, no control
 * byte for the log, and in both cases text whose %XX decode to the input.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_explain.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_escape(const uint8_t *data, size_t size, int utf8);


/* the escaped text decodes to |data|; a header's is printable ASCII */
static void
fuzz_escape(const uint8_t *data, size_t size, int utf8)
{
    char           *out;
    size_t          n, i, k;
    unsigned char   c;

    out = malloc(3 * size + 1);
    if (out == NULL) {
        return;
    }

    n = sts_explain_escape(out, (const char *) data, size, utf8);

    if (n > 3 * size) {
        abort();
    }

    for (i = 0, k = 0; i < n; i++, k++) {
        c = (unsigned char) out[i];

        if (c < 0x20 || c == 0x7f || (!utf8 && c > 0x7e)) {
            abort();
        }

        if (c == '%') {
            if (i + 2 >= n) {
                abort();
            }

            c = (unsigned char) strtoul((char []) { out[i + 1], out[i + 2],
                                                    '\0' }, NULL, 16);
            i += 2;
        }

        if (k >= size || c != data[k]) {
            abort();
        }
    }

    if (k != size) {
        abort();
    }

    free(out);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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

    fuzz_escape(data, size, 0);
    fuzz_escape(data, size, 1);

    sts_buf_free(&once);
    sts_buf_free(&twice);

    return 0;
}
