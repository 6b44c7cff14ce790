/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_s3post: what a PostObject sent to an S3 store as a PUT takes from
 * its form (sts_s3post.h), all of it chosen by the client (libFuzzer).
 *
 * Input: a field name, a NUL byte, then its value.  Checked: a field
 * forwarded as a header has a token for a name and no control character
 * but HTAB in its value, and is one of the object attributes or an
 * x-oss- field, never the form's credentials; the answer status is 200,
 * 201 or 204; a redirect accepted as it is starts with http:// or
 * https:// and holds only printable ASCII without blanks, and the
 * Location built from it (the value also as bucket, key and etag) is
 * printable ASCII without blanks too; the PostResponse document holds
 * no '<' or '>' but its tags' and every '&' starts an entity.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sts_s3post.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_field(sts_str_t name, sts_str_t value)
{
    int            rc;
    size_t         i;
    unsigned char  c;

    rc = sts_s3post_field(name, value);

    if (rc == STS_S3POST_SKIP || rc == STS_EINVAL) {
        return;
    }

    if (rc != STS_S3POST_HEADER || name.len == 0) {
        abort();
    }

    if (!(name.len >= 6 && strncasecmp(name.data, "x-oss-", 6) == 0)
        && !(name.len == 12
             && strncasecmp(name.data, "Content-Type", 12) == 0)
        && !(name.len == 13
             && strncasecmp(name.data, "Cache-Control", 13) == 0)
        && !(name.len == 19
             && strncasecmp(name.data, "Content-Disposition", 19) == 0)
        && !(name.len == 16
             && strncasecmp(name.data, "Content-Encoding", 16) == 0)
        && !(name.len == 7 && strncasecmp(name.data, "Expires", 7) == 0))
    {
        abort();
    }

    if ((name.len == 20
         && strncasecmp(name.data, "x-oss-security-token", 20) == 0)
        || (name.len == 15
            && strncasecmp(name.data, "x-oss-signature", 15) == 0)
        || (name.len == 16
            && strncasecmp(name.data, "x-oss-credential", 16) == 0))
    {
        abort();
    }

    for (i = 0; i < name.len; i++) {
        c = (unsigned char) name.data[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c)) {
            abort();
        }
    }

    for (i = 0; i < value.len; i++) {
        c = (unsigned char) value.data[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            abort();
        }
    }
}


static void
fuzz_printable(const char *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if ((unsigned char) p[i] <= 0x20 || (unsigned char) p[i] >= 0x7f) {
            abort();
        }
    }
}


static void
fuzz_answer(sts_str_t v)
{
    int              status;
    char            *p, *end;
    sts_buf_t        out;

    status = sts_s3post_status(&v);
    if (status != 200 && status != 201 && status != 204) {
        abort();
    }

    if (sts_s3post_redirect_ok(v)) {
        if (!(v.len > 7 && strncasecmp(v.data, "http://", 7) == 0)
            && !(v.len > 8 && strncasecmp(v.data, "https://", 8) == 0))
        {
            abort();
        }

        fuzz_printable(v.data, v.len);

        sts_buf_init(&out, &sts_malloc_allocator, 0);
        if (sts_s3post_location(&out, v, v, v, v) != STS_OK) {
            abort();
        }
        fuzz_printable(out.data, out.len);
        sts_buf_free(&out);
    }

    sts_buf_init(&out, &sts_malloc_allocator, 0);
    if (sts_s3post_response(&out, v, v, v, v) != STS_OK) {
        abort();
    }

    /* outside the tags, no '<' or '>'; every '&' an entity */
    p = out.data;
    end = out.data + out.len;

    for ( /* void */ ; p < end; p++) {
        if (*p == '<') {
            while (p < end && *p != '>') {
                p++;
                if (p < end && (*p == '<' || *p == '&')) {
                    abort();
                }
            }
            continue;
        }

        if (*p == '>') {
            abort();
        }

        if (*p == '&'
            && !(end - p >= 5 && memcmp(p, "&amp;", 5) == 0)
            && !(end - p >= 4 && memcmp(p, "&lt;", 4) == 0)
            && !(end - p >= 4 && memcmp(p, "&gt;", 4) == 0)
            && !(end - p >= 6 && memcmp(p, "&quot;", 6) == 0)
            && !(end - p >= 6 && memcmp(p, "&apos;", 6) == 0))
        {
            abort();
        }
    }

    sts_buf_free(&out);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t  *nul;
    sts_str_t       name, value;

    nul = memchr(data, '\0', size);
    if (nul == NULL) {
        return 0;
    }

    name.data = (const char *) data;
    name.len = nul - data;
    value.data = (const char *) nul + 1;
    value.len = size - name.len - 1;

    fuzz_field(name, value);
    fuzz_answer(value);

    return 0;
}
