/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_revoke: the sts_revoked list parser and lookup on hostile input
 * (libFuzzer).
 *
 * Input: the text of a revocation list.  Checked: a refusal says which
 * line and builds nothing; an accepted list holds no more rules than the
 * text has lines; a few sessions (among them ones named by the list's own
 * first values) are looked up, and a match names a line of the text and
 * describes itself as printable text; everything is freed
 * (LeakSanitizer).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_revoke.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_check(const sts_revoked_t *rv, const sts_session_t *s, size_t lines)
{
    int                 rc;
    char                buf[512];
    size_t              i, n;
    sts_revoke_match_t  m;

    rc = sts_revoked_check(rv, s, &m);

    if (rc == STS_OK) {
        if (m.kind != STS_REVOKE_NONE) {
            abort();
        }

        return;
    }

    if (rc != STS_EDENIED || m.kind == STS_REVOKE_NONE || m.line == 0
        || m.line > lines)
    {
        abort();
    }

    n = sts_revoke_describe(&m, s, buf, sizeof(buf));
    if (n != strlen(buf)) {
        abort();
    }

    for (i = 0; i < n; i++) {
        if ((unsigned char) buf[i] < 0x20 || (unsigned char) buf[i] > 0x7e) {
            abort();
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             rc;
    char           *text, *v1, *v2, *p;
    char            err[256];
    size_t          i, lines;
    sts_session_t   s;
    sts_revoked_t  *rv;

    /* an exact-size copy, so reads past the end are caught */
    text = malloc(size ? size : 1);
    if (text == NULL) {
        return 0;
    }

    if (size) {
        memcpy(text, data, size);
    }

    lines = 1;
    for (i = 0; i < size; i++) {
        if (data[i] == '\n') {
            lines++;
        }
    }

    err[0] = '\0';
    rv = NULL;
    rc = sts_revoked_parse(&sts_malloc_allocator, text, size, &rv, err,
                           sizeof(err));

    if (rc != STS_OK) {
        if (rv != NULL || strncmp(err, "line ", 5) != 0) {
            abort();
        }

        free(text);
        return 0;
    }

    if (rv == NULL || sts_revoked_count(rv) > lines) {
        abort();
    }

    memset(&s, 0, sizeof(s));
    s.access_key_id = "STS.FuzzAccessKeyId00000000000000";
    s.access_key_secret = "fuzz-secret";
    s.role_arn = "acs:ram::1234567890123456:role/app";
    s.session_name = "alice";
    s.issued_at = 1715776245;
    s.expiration = 1715776245 + 3600;

    fuzz_check(rv, &s, lines);

    s.issued_at = INT64_MIN;
    fuzz_check(rv, &s, lines);

    s.issued_at = INT64_MAX;
    s.role_arn = NULL;
    s.session_name = NULL;
    fuzz_check(rv, &s, lines);

    /* a session named by the first line's own values */
    v1 = NULL;
    v2 = NULL;

    p = malloc(size + 1);
    if (p != NULL) {
        memcpy(p, data, size);
        p[size] = '\0';

        v1 = strtok(p, " \t\r\n");
        v1 = v1 ? strtok(NULL, " \t\r\n") : NULL;
        v2 = v1 ? strtok(NULL, " \t\r\n") : NULL;

        s.access_key_id = v1 ? v1 : "STS.x";
        s.role_arn = v1 ? v1 : "";
        s.session_name = v2 ? v2 : "";
        s.issued_at = 0;
        fuzz_check(rv, &s, lines);

        free(p);
    }

    sts_revoked_free(&sts_malloc_allocator, rv);
    free(text);

    return 0;
}
