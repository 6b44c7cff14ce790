/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_formstamp: identity stamps inserted into hostile PostObject forms
 * (libFuzzer).
 *
 * Input: byte 0 chooses the size of the pieces the stamped form is read
 * back in (1..256, 0: at once); bytes 1..4 the lengths (mod 64) of the
 * four stamp values, taken from the bytes that follow; the rest is the
 * body of a form with the boundary "B".  When the form reaches its file
 * part, the stamps are inserted at f.file_part, and the stamped body must
 * read back as the same form: at the same stage, with the same file (size
 * and bytes), the client's fields unchanged and each stamp whose value
 * could be stamped present once with that value; the others absent.
 *
 * The same form's key is then rewritten to the one it authorises
 * (${filename} expanded, sts_formstamp_key) as the gateway does it, the
 * region overwritten and the rest inserted: the result must read back as
 * the same form with that key, no ${filename} of the key left.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_formstamp.h"
#include "sts_upload.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  *names[4] = {
    "x-oss-meta-sts-session-name", "x-oss-meta-sts-role-arn",
    "x-oss-meta-sts-token-id", "x-oss-meta-sts-source-ip"
};


static int
fuzz_feed(sts_post_form_t *f, const uint8_t *body, size_t len, size_t step)
{
    int        rc;
    size_t     off, n;
    sts_str_t  ct;

    ct.data = "multipart/form-data; boundary=B";
    ct.len = strlen(ct.data);

    if (sts_post_form_init(f, &sts_malloc_allocator, ct) != STS_OK) {
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
    }

    return STS_OK;
}


static void
fuzz_key(const sts_post_form_t *f, const uint8_t *data, size_t size,
    size_t step)
{
    int                      rc;
    size_t                   i, region, n;
    uint64_t                 at;
    sts_buf_t                d, body;
    sts_str_t                key;
    sts_post_form_t          g;
    const sts_post_field_t  *fld, *fk;
    const sts_oss_error_t   *err;

    if (sts_post_object_key(&sts_malloc_allocator, f, &key, &err) != STS_OK) {
        return;
    }

    sts_buf_init(&d, &sts_malloc_allocator, 0);
    rc = sts_formstamp_key(f, key, &d, &at, &region);

    if (memchr(key.data, '\r', key.len) || memchr(key.data, '\n', key.len)) {
        if (rc != STS_EINVAL) {
            abort();
        }

        goto done;
    }

    fk = sts_post_form_field(f, "key");

    if (rc != STS_OK || fk == NULL) {
        abort();
    }

    if (d.len == 0) {
        /* nothing to rewrite: the key as sent */
        if (fk->value.len != key.len
            || memcmp(fk->value.data, key.data, key.len) != 0)
        {
            abort();
        }

        goto done;
    }

    /* the rewritten form must stay within the reader's limits to be read */
    if (region > d.len + STS_POST_MAX_PART_HEADER / 2
        || (d.len > region
            && f->file_offset + d.len - region > STS_POST_MAX_FIELDS_BYTES))
    {
        goto done;
    }

    n = d.len < region ? d.len : region;

    sts_buf_init(&body, &sts_malloc_allocator, 0);
    sts_buf_append(&body, data, (size_t) at);
    sts_buf_append(&body, d.data, n);
    sts_buf_append(&body, data + at + n, region - n);
    sts_buf_append(&body, d.data + n, d.len - n);
    sts_buf_append(&body, data + at + region, size - (size_t) at - region);

    if (sts_buf_ok(&body) != STS_OK) {
        abort();
    }

    memset(&g, 0, sizeof(g));
    rc = fuzz_feed(&g, (const uint8_t *) body.data, body.len, step);

    if (rc != STS_OK || g.stage != f->stage
        || g.num_fields != f->num_fields
        || (f->stage == STS_POST_END && g.file_size != f->file_size))
    {
        abort();
    }

    fld = sts_post_form_field(&g, "key");

    if (fld == NULL || fld->value.len != key.len
        || memcmp(fld->value.data, key.data, key.len) != 0)
    {
        abort();
    }

    for (i = 0; i < f->num_fields; i++) {
        if (&f->fields[i] == fk) {
            continue;
        }

        fld = sts_post_form_field(&g, f->fields[i].name.data);

        if (fld == NULL || fld->value.len != f->fields[i].value.len
            || memcmp(fld->value.data, f->fields[i].value.data,
                      fld->value.len) != 0)
        {
            abort();
        }
    }

    sts_post_form_free(&g);
    sts_buf_free(&body);

done:

    sts_buf_free(&d);
    sts_free(&sts_malloc_allocator, (void *) key.data);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                      rc;
    size_t                   i, step, n, want, len;
    sts_buf_t                out, body;
    sts_post_form_t          f, g;
    sts_formstamp_t          st[4];
    const sts_post_field_t  *fld;

    if (size < 5) {
        return 0;
    }

    step = data[0];

    for (i = 0; i < 4; i++) {
        st[i].name = names[i];
        st[i].value.len = data[1 + i] % 64;
    }

    data += 5;
    size -= 5;

    for (i = 0; i < 4; i++) {
        len = st[i].value.len < size ? st[i].value.len : size;
        st[i].value.data = (const char *) data;
        st[i].value.len = len;
        data += len;
        size -= len;
    }

    memset(&f, 0, sizeof(f));
    (void) fuzz_feed(&f, data, size, 0);

    if ((f.stage != STS_POST_FILE && f.stage != STS_POST_END)
        || f.file_part == 0)
    {
        sts_post_form_free(&f);
        return 0;
    }

    fuzz_key(&f, data, size, step);

    /* the gateway refuses a form with a field of a stamped name */
    for (i = 0; i < f.num_fields; i++) {
        if (sts_upload_stamp_header(f.fields[i].name)) {
            sts_post_form_free(&f);
            return 0;
        }
    }

    want = 0;
    for (i = 0; i < 4; i++) {
        want += sts_upload_stamp_value_ok(st[i].value);
    }

    sts_buf_init(&out, &sts_malloc_allocator, 0);

    rc = sts_formstamp_parts(&f, st, 4, &out, &n);
    if (rc != STS_OK || n != want) {
        abort();
    }

    /* the stamped form must stay within the reader's limits to be read */
    if (f.num_fields + n > STS_POST_MAX_FIELDS
        || f.file_offset + out.len > STS_POST_MAX_FIELDS_BYTES)
    {
        sts_buf_free(&out);
        sts_post_form_free(&f);
        return 0;
    }

    sts_buf_init(&body, &sts_malloc_allocator, 0);

    if (sts_buf_append(&body, data, (size_t) f.file_part) != STS_OK
        || sts_buf_append(&body, out.data ? out.data : "", out.len) != STS_OK
        || sts_buf_append(&body, data + f.file_part,
                          size - (size_t) f.file_part) != STS_OK)
    {
        abort();
    }

    memset(&g, 0, sizeof(g));
    rc = fuzz_feed(&g, (const uint8_t *) body.data, body.len, step);

    if (rc != STS_OK || g.stage != f.stage
        || g.num_fields != f.num_fields + n
        || g.file_offset != f.file_offset + out.len
        || g.file_part != f.file_part + out.len
        || (f.stage == STS_POST_END && g.file_size != f.file_size)
        || memcmp(body.data + g.file_offset, data + f.file_offset,
                  size - (size_t) f.file_offset) != 0)
    {
        abort();
    }

    for (i = 0; i < f.num_fields; i++) {
        fld = sts_post_form_field(&g, f.fields[i].name.data);

        if (fld == NULL || fld->value.len != f.fields[i].value.len
            || memcmp(fld->value.data, f.fields[i].value.data,
                      fld->value.len) != 0)
        {
            abort();
        }
    }

    for (i = 0; i < 4; i++) {
        fld = sts_post_form_field(&g, names[i]);

        if (!sts_upload_stamp_value_ok(st[i].value)) {
            if (fld != NULL) {
                abort();
            }

            continue;
        }

        if (fld == NULL || fld->value.len != st[i].value.len
            || memcmp(fld->value.data, st[i].value.data,
                      fld->value.len) != 0)
        {
            abort();
        }
    }

    sts_buf_free(&body);
    sts_buf_free(&out);
    sts_post_form_free(&g);
    sts_post_form_free(&f);

    return 0;
}
