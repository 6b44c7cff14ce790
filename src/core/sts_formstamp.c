/*
 * Copyright (C) nginx-sts authors
 *
 * sts_formstamp: identity stamps for a PostObject form (see the header).
 */

#include <string.h>

#include "sts_formstamp.h"
#include "sts_upload.h"


int
sts_formstamp_parts(const sts_post_form_t *f, const sts_formstamp_t *st,
    size_t n, sts_buf_t *out, size_t *stamped)
{
    int        rc;
    size_t     i;
    sts_str_t  name;

    *stamped = 0;

    if (f->stage != STS_POST_FILE && f->stage != STS_POST_END) {
        return STS_EINVAL;
    }

    /*
     * the first part starts without CR LF: a form whose file comes first
     * has no field before it, no signature, and is never allowed
     */
    if (f->file_part == 0 || f->delim_len <= 4) {
        return STS_EINVAL;
    }

    for (i = 0; i < n; i++) {
        name.data = st[i].name;
        name.len = strlen(st[i].name);

        if (!sts_upload_stamp_header(name)) {
            return STS_EINVAL;
        }

        if (!sts_upload_stamp_value_ok(st[i].value)) {
            continue;
        }

        /* f->delim is CR LF "--" boundary */
        rc = sts_buf_append(out, f->delim, f->delim_len);
        if (rc == STS_OK) {
            rc = sts_buf_appendf(out, "\r\nContent-Disposition: form-data; "
                                 "name=\"%s\"\r\n\r\n", st[i].name);
        }

        if (rc == STS_OK) {
            rc = sts_buf_append(out, st[i].value.data, st[i].value.len);
        }

        if (rc != STS_OK) {
            return rc;
        }

        (*stamped)++;
    }

    return STS_OK;
}


int
sts_formstamp_key(const sts_post_form_t *f, sts_str_t key, sts_buf_t *out,
    uint64_t *at, size_t *len)
{
    size_t                   region, least, pad;
    const sts_post_field_t  *fld;

    static const char  cd[] = "Content-Disposition: ";
    static const char  rest[] = "form-data; name=\"key\"\r\n\r\n";

    *at = 0;
    *len = 0;

    if (f->stage != STS_POST_FILE && f->stage != STS_POST_END) {
        return STS_EINVAL;
    }

    fld = sts_post_form_field(f, "key");

    if (fld == NULL || memchr(key.data, '\r', key.len) != NULL
        || memchr(key.data, '\n', key.len) != NULL)
    {
        return STS_EINVAL;
    }

    if (fld->value.len == key.len
        && memcmp(fld->value.data, key.data, key.len) == 0)
    {
        return STS_OK;
    }

    region = (size_t) (fld->value_offset + fld->value.len
                       - fld->part_offset);
    least = sizeof(cd) - 1 + sizeof(rest) - 1 + key.len;
    pad = region > least ? region - least : 0;

    sts_buf_append(out, cd, sizeof(cd) - 1);

    while (pad--) {
        sts_buf_append_char(out, ' ');
    }

    sts_buf_append(out, rest, sizeof(rest) - 1);
    sts_buf_append(out, key.data, key.len);

    *at = fld->part_offset;
    *len = region;

    return sts_buf_ok(out);
}
