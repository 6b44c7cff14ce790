/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_post: the PostObject form reader, signature fields, policy
 * document and ${filename} on hostile input (libFuzzer).
 *
 * Input: byte 0 chooses the size of the pieces the body is fed in
 * (1..256, 0: at once); the rest is the body of a form with the boundary
 * "B".  The same body fed at once and in pieces must give the same
 * result: the reader's answer may not depend on how the network splits
 * the upload.  The input's first line is also read as a Content-Type:
 * accepted only with one boundary of RFC 2046 bchars, refused with one of
 * the two errors otherwise.  A key that substitutes ${filename} is only
 * built from a filename without a separator, "..", or a control byte.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_post.h"
#include "sts_oss.h"


#define FUZZ_NOW  1715776245            /* 2024-05-15T12:30:45Z */


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sts_str_t
fuzz_str(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static int
fuzz_feed(sts_post_form_t *f, const uint8_t *body, size_t len, size_t step)
{
    int     rc;
    size_t  off, n;

    if (sts_post_form_init(f, &sts_malloc_allocator,
                           fuzz_str("multipart/form-data; boundary=B"))
        != STS_OK)
    {
        abort();
    }

    for (off = 0; off < len; off += n) {
        n = step ? step : len - off;
        if (n > len - off) {
            n = len - off;
        }

        rc = sts_post_form_feed(f, body + off, n);
        if (rc != STS_OK) {
            return rc;
        }

        if (f->consumed != off + n) {
            abort();
        }
    }

    return sts_post_form_end(f);
}


static void
fuzz_check(const sts_post_form_t *f)
{
    size_t  i, j;

    if (f->num_fields > STS_POST_MAX_FIELDS) {
        abort();
    }

    for (i = 0; i < f->num_fields; i++) {
        if (f->fields[i].name.len == 0
            || f->fields[i].name.data[f->fields[i].name.len] != '\0'
            || f->fields[i].value.data[f->fields[i].value.len] != '\0'
            || memchr(f->fields[i].value.data, '\0', f->fields[i].value.len)
               != NULL)
        {
            abort();
        }

        for (j = 0; j < i; j++) {
            if (sts_str_caseeq(f->fields[i].name, f->fields[j].name.data)) {
                abort();
            }
        }
    }

    if (f->stage == STS_POST_END
        && f->file_offset + f->file_size > f->consumed)
    {
        abort();
    }
}


static void
fuzz_content_type(const uint8_t *data, size_t size)
{
    int              rc;
    size_t           i;
    sts_str_t        ct;
    sts_post_form_t  f;
    const uint8_t   *nl;

    nl = memchr(data, '\n', size);
    ct.data = (const char *) data;
    ct.len = nl ? (size_t) (nl - data) : size;

    rc = sts_post_form_init(&f, &sts_malloc_allocator, ct);

    if (rc == STS_OK) {
        if (f.delim_len < 5 || f.delim_len > 4 + STS_POST_MAX_BOUNDARY
            || memcmp(f.delim, "\r\n--", 4) != 0
            || f.delim[f.delim_len - 1] == ' ')
        {
            abort();
        }

        for (i = 4; i < f.delim_len; i++) {
            if (f.delim[i] == '"' || f.delim[i] == ';' || f.delim[i] == '\\'
                || (unsigned char) f.delim[i] < 0x20)
            {
                abort();
            }
        }

    } else if (rc != STS_EINVAL
               || (f.err != &sts_err_post_not_multipart
                   && f.err != &sts_err_post_boundary))
    {
        abort();
    }

    sts_post_form_free(&f);
}


/* a key that used ${filename} was built from a harmless filename */
static void
fuzz_filename_key(const sts_post_form_t *f, sts_str_t key)
{
    size_t                   i;
    const sts_post_field_t  *fld;

    fld = sts_post_form_field(f, "key");

    if (fld == NULL || strstr(fld->value.data, "${filename}") == NULL) {
        return;
    }

    if (f->filename.len == 0) {
        abort();
    }

    for (i = 0; i < f->filename.len; i++) {
        if ((unsigned char) f->filename.data[i] < 0x20
            || f->filename.data[i] == 0x7f || f->filename.data[i] == '/'
            || f->filename.data[i] == '\\'
            || (f->filename.data[i] == '.' && i + 1 < f->filename.len
                && f->filename.data[i + 1] == '.'))
        {
            abort();
        }
    }

    (void) key;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                     rc1, rc2;
    size_t                  step;
    sts_buf_t               why;
    sts_str_t               key;
    sts_post_form_t         f1, f2;
    sts_post_auth_t         auth;
    sts_post_range_t        range;
    const sts_oss_error_t  *err;

    if (size == 0) {
        return 0;
    }

    fuzz_content_type(data, size);

    step = data[0];
    data++;
    size--;

    rc1 = fuzz_feed(&f1, data, size, 0);
    rc2 = fuzz_feed(&f2, data, size, step);

    if (rc1 != rc2 || f1.stage != f2.stage || f1.err != f2.err
        || f1.num_fields != f2.num_fields
        || (f1.stage == STS_POST_END && f1.file_size != f2.file_size)
        || (f1.stage >= STS_POST_FILE && f1.stage != STS_POST_ERROR
            && f1.file_offset != f2.file_offset))
    {
        abort();
    }

    fuzz_check(&f1);

    if (rc1 == STS_OK) {
        if (sts_post_auth_parse(&f1, fuzz_str(""), FUZZ_NOW, 900, &auth,
                                &err) == STS_OK
            && auth.kind != STS_POST_AUTH_NONE)
        {
            /* a signed form verifies or not; never an invalid call */
            rc2 = sts_post_auth_verify(&auth, fuzz_str("fuzz-secret"));

            if (rc2 != STS_OK && rc2 != STS_EBADSIG && rc2 != STS_ECRYPTO) {
                abort();
            }

            if (sts_post_object_key(&sts_malloc_allocator, &f1, &key, &err)
                == STS_OK)
            {
                fuzz_filename_key(&f1, key);

                sts_buf_init(&why, &sts_malloc_allocator, 0);

                if (sts_post_policy_check(&sts_malloc_allocator, &f1, &auth,
                                          fuzz_str("b-1"), key, FUZZ_NOW,
                                          &range, &why, &err) == STS_OK
                    && range.set && range.min > range.max)
                {
                    abort();
                }

                sts_buf_free(&why);
                (void) sts_oss_is_valid_key(key);
                sts_free(&sts_malloc_allocator, (void *) key.data);
            }
        }
    }

    sts_post_form_free(&f1);
    sts_post_form_free(&f2);

    return 0;
}
