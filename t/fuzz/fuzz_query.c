/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_query: sts_query_parse and sts_percent_decode on hostile input
 * (libFuzzer), with the invariants their header promises checked.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_http.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_check_decoded(sts_str_t s)
{
    /* NUL-terminated, no NUL inside */
    if (s.data == NULL || s.data[s.len] != '\0' || strlen(s.data) != s.len) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 rc, plus;
    char               *copy;
    size_t              i;
    sts_str_t           in, out;
    sts_params_t        params;
    const sts_param_t  *p;

    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }

    if (size) {
        memcpy(copy, data, size);
    }

    in.data = copy;
    in.len = size;

    for (plus = 0; plus < 2; plus++) {
        rc = sts_percent_decode(&sts_malloc_allocator, in, plus, &out);

        if (rc == STS_OK) {
            fuzz_check_decoded(out);

            if (out.len > size) {
                abort();
            }

        } else if (out.data != NULL) {
            abort();
        }

        sts_free(&sts_malloc_allocator, (void *) out.data);
    }

    rc = sts_query_parse(&sts_malloc_allocator, in, &params);

    if (rc == STS_OK) {
        if (params.num > 1000) {
            abort();
        }

        for (i = 0; i < params.num; i++) {
            fuzz_check_decoded(params.items[i].name);
            fuzz_check_decoded(params.items[i].value);

            if (params.items[i].name.len == 0) {
                abort();
            }

            /* names are unique: lookup finds this very item */
            p = sts_params_get(&params, params.items[i].name.data);
            if (p != &params.items[i]) {
                abort();
            }
        }

    } else if (params.items != NULL || params.num != 0) {
        abort();
    }

    sts_free(&sts_malloc_allocator, params.items);
    free(copy);

    return 0;
}
