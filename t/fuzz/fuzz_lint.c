/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_lint: sts_lint on every policy the compiler accepts (libFuzzer).
 *
 * Input: a policy document, linted as an identity and as a trust policy.
 * Checked: linting never fails on an accepted policy; the findings are
 * at most STS_LINT_MAX_FINDINGS, counted by severity, and each has a
 * code L001-L013, a location starting "Statement[", and NUL-terminated,
 * non-empty message and hint without control bytes; everything is freed
 * (LeakSanitizer).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_lint.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_text(const char *s, size_t size)
{
    size_t  i, n;

    n = strnlen(s, size);
    if (n == 0 || n == size) {
        abort();
    }

    for (i = 0; i < n; i++) {
        if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f) {
            abort();
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                        kind;
    char                       err[STS_POLICY_ERR_LEN];
    size_t                     i, e, w;
    sts_lint_t                 l;
    sts_policy_t              *p;
    const sts_lint_finding_t  *f;

    for (kind = STS_POLICY_IDENTITY; kind <= STS_POLICY_TRUST; kind++) {
        if (sts_policy_compile(&sts_malloc_allocator, (const char *) data,
                               size, kind, &p, err, sizeof(err))
            != STS_OK)
        {
            continue;
        }

        sts_lint_init(&l, &sts_malloc_allocator);

        if (sts_lint_policy(&l, p) != STS_OK
            || l.num > STS_LINT_MAX_FINDINGS)
        {
            abort();
        }

        e = 0;
        w = 0;

        for (i = 0; i < l.num; i++) {
            f = &l.items[i];

            if (strlen(f->code) != 4 || f->code[0] != 'L'
                || strcmp(f->code, "L001") < 0
                || strcmp(f->code, "L013") > 0
                || strncmp(f->location, "Statement[", 10) != 0)
            {
                abort();
            }

            fuzz_text(f->location, sizeof(f->location));
            fuzz_text(f->message, sizeof(f->message));
            fuzz_text(f->hint, sizeof(f->hint));

            if (f->severity == STS_LINT_ERROR) {
                e++;

            } else if (f->severity == STS_LINT_WARNING) {
                w++;

            } else {
                abort();
            }
        }

        if (e != l.errors || w != l.warnings) {
            abort();
        }

        sts_lint_free(&l);
        sts_policy_free(&sts_malloc_allocator, p);
    }

    return 0;
}
