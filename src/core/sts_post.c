/*
 * Copyright (C) nginx-sts authors
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sts_post.h"
#include "sts_sign.h"


/* parser states */
#define STS_POST_S_FIRST      0   /* the first delimiter, without CR LF */
#define STS_POST_S_AFTER      1   /* after a delimiter: "--" or CR LF */
#define STS_POST_S_CLOSE      2   /* after "-": the second "-" */
#define STS_POST_S_AFTER_LF   3   /* after CR: LF */
#define STS_POST_S_HEADERS    4   /* a part's header block */
#define STS_POST_S_DATA       5   /* a part's content */
#define STS_POST_S_EPILOGUE   6   /* after the closing delimiter */

#define STS_POST_POLICY_MAX   STS_POST_MAX_FIELDS_BYTES


static int sts_post_fail(sts_post_form_t *f, const sts_oss_error_t *e);
static int sts_post_is_bchar(int c);
static int sts_post_is_token(int c);
static int sts_post_filename_ok(sts_str_t name);
static int sts_post_emit(sts_post_form_t *f, const char *p, size_t n);
static int sts_post_part_headers(sts_post_form_t *f);
static int sts_post_disposition(sts_str_t v, sts_str_t *name,
    sts_str_t *filename, int *has_filename);
static int sts_post_end_part(sts_post_form_t *f);
static const sts_str_t *sts_post_value(const sts_post_form_t *f,
    const char *name);
static int sts_post_cond_field(const sts_post_form_t *f, sts_str_t bucket,
    const char *name, sts_str_t *out);
static int sts_post_starts(sts_str_t s, sts_str_t prefix);
static void sts_post_why(sts_buf_t *why, json_t *item);
static int sts_post_feed_header(sts_post_form_t *f, unsigned char c);
static int sts_post_feed_data(sts_post_form_t *f, const unsigned char **pos,
    const unsigned char *end);
static int sts_post_v4_credential(sts_str_t cred, sts_str_t region,
    sts_str_t parts[5]);
static int sts_post_cond_shape(json_t *item);
static int sts_post_cond_holds(const sts_post_form_t *f, sts_str_t bucket,
    sts_str_t key, json_t *item, sts_post_range_t *range);


static int
sts_post_fail(sts_post_form_t *f, const sts_oss_error_t *e)
{
    f->stage = STS_POST_ERROR;
    f->err = e;

    return STS_EINVAL;
}


/* RFC 2046 bchars: DIGIT ALPHA ' ( ) + _ , - . / : = ? and space */

static int
sts_post_is_bchar(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
           || (c >= 'A' && c <= 'Z') || c == '\'' || c == '(' || c == ')'
           || c == '+' || c == '_' || c == ',' || c == '-' || c == '.'
           || c == '/' || c == ':' || c == '=' || c == '?' || c == ' ';
}


/* RFC 2045 token characters: no control, no space, no tspecial */

static int
sts_post_is_token(int c)
{
    return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}


int
sts_post_form_init(sts_post_form_t *f, const sts_allocator_t *a,
    sts_str_t content_type)
{
    size_t       i, n;
    sts_str_t    ct, b, name, v;
    const char  *p, *end;

    memset(f, 0, sizeof(*f));
    f->a = a;
    sts_buf_init(&f->hdr, a, STS_POST_MAX_PART_HEADER);
    sts_buf_init(&f->value, a, 0);

    ct = sts_str_trim(content_type);
    n = sizeof("multipart/form-data") - 1;

    if (ct.len < n || strncasecmp(ct.data, "multipart/form-data", n) != 0
        || (ct.len > n && ct.data[n] != ';' && ct.data[n] != ' '
            && ct.data[n] != '\t'))
    {
        return sts_post_fail(f, &sts_err_post_not_multipart);
    }

    /*
     * The parameters, read strictly: a boundary that some reader could
     * see another way (a second one, an RFC 2231 boundary*, a quoted
     * string with an escape or a ';' a naive reader splits at, a space
     * before '=') would let the store parse another form than this one.
     */

    b.len = 0;
    b.data = NULL;
    p = ct.data + n;
    end = ct.data + ct.len;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end) {
            break;
        }

        if (*p++ != ';') {
            return sts_post_fail(f, &sts_err_post_boundary);
        }

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end || *p == ';') {
            continue;
        }

        name.data = p;

        while (p < end && sts_post_is_token((unsigned char) *p)) {
            p++;
        }

        name.len = (size_t) (p - name.data);

        if (name.len == 0 || p == end || *p != '=') {
            return sts_post_fail(f, &sts_err_post_boundary);
        }

        p++;

        if (p < end && *p == '"') {
            v.data = ++p;

            while (p < end && *p != '"') {
                if (*p == '\\' || *p == ';' || (unsigned char) *p < 0x20
                    || *p == 0x7f)
                {
                    return sts_post_fail(f, &sts_err_post_boundary);
                }

                p++;
            }

            if (p == end) {
                return sts_post_fail(f, &sts_err_post_boundary);
            }

            v.len = (size_t) (p - v.data);
            p++;

        } else {
            v.data = p;

            while (p < end && sts_post_is_token((unsigned char) *p)) {
                p++;
            }

            v.len = (size_t) (p - v.data);
        }

        if (memchr(name.data, '*', name.len) != NULL) {
            /* RFC 2231: boundary*=, boundary*0=, ... */
            return sts_post_fail(f, &sts_err_post_boundary);
        }

        if (!sts_str_caseeq(name, "boundary")) {
            continue;
        }

        if (b.data != NULL) {
            return sts_post_fail(f, &sts_err_post_boundary);
        }

        b = v;
    }

    if (b.data == NULL || b.len == 0 || b.len > STS_POST_MAX_BOUNDARY
        || b.data[b.len - 1] == ' ')
    {
        return sts_post_fail(f, &sts_err_post_boundary);
    }

    for (i = 0; i < b.len; i++) {
        if (!sts_post_is_bchar((unsigned char) b.data[i])) {
            return sts_post_fail(f, &sts_err_post_boundary);
        }
    }

    memcpy(f->delim, "\r\n--", 4);
    memcpy(f->delim + 4, b.data, b.len);
    f->delim_len = 4 + b.len;

    /* the body starts with "--boundary": the delimiter less its CR LF */
    f->state = STS_POST_S_FIRST;
    f->match = 2;

    f->fields = sts_calloc(a, STS_POST_MAX_FIELDS * sizeof(sts_post_field_t));
    if (f->fields == NULL) {
        f->stage = STS_POST_ERROR;
        return STS_ENOMEM;
    }

    return STS_OK;
}


void
sts_post_form_free(sts_post_form_t *f)
{
    size_t  i;

    if (f == NULL || f->a == NULL) {
        return;
    }

    if (f->fields != NULL) {
        for (i = 0; i < f->num_fields; i++) {
            sts_free(f->a, (void *) f->fields[i].name.data);
            sts_free(f->a, (void *) f->fields[i].value.data);
        }

        sts_free(f->a, f->fields);
        f->fields = NULL;
    }

    sts_free(f->a, (void *) f->part_name.data);
    sts_free(f->a, (void *) f->filename.data);
    f->part_name.data = NULL;
    f->filename.data = NULL;

    sts_buf_free(&f->hdr);
    sts_buf_wipe_free(&f->value);
    f->num_fields = 0;
}


/* content of the current part: a field's value grows, a file is counted */

static int
sts_post_emit(sts_post_form_t *f, const char *p, size_t n)
{
    if (f->in_file) {
        f->file_size += n;
        return STS_OK;
    }

    if (n > STS_POST_MAX_FIELDS_BYTES - f->total) {
        return sts_post_fail(f, &sts_err_post_field_too_long);
    }

    f->total += n;

    if (sts_buf_append(&f->value, p, n) != STS_OK) {
        f->stage = STS_POST_ERROR;
        f->err = NULL;
        return STS_ENOMEM;
    }

    return STS_OK;
}


/*
 * Content-Disposition: form-data; name="..."[; filename="..."].  Quoted
 * strings end at the next '"' and may not hold a backslash, CR or LF:
 * escaping rules differ between parsers, and the names seen here must be
 * the names the store sees.
 */
static int
sts_post_disposition(sts_str_t v, sts_str_t *name, sts_str_t *filename,
    int *has_filename)
{
    int          is_name;
    size_t       n;
    sts_str_t    pn, pv;
    const char  *p, *end;

    name->data = NULL;
    name->len = 0;
    *has_filename = 0;

    p = v.data;
    end = v.data + v.len;
    n = sizeof("form-data") - 1;

    if (v.len < n || strncasecmp(p, "form-data", n) != 0) {
        return STS_EINVAL;
    }

    p += n;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end) {
            break;
        }

        if (*p++ != ';') {
            return STS_EINVAL;
        }

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        pn.data = p;

        while (p < end && *p != '=' && *p != ';' && *p != ' ') {
            p++;
        }

        pn.len = (size_t) (p - pn.data);

        if (p == end || *p != '=') {
            return STS_EINVAL;
        }

        p++;

        if (p < end && *p == '"') {
            pv.data = ++p;

            while (p < end && *p != '"') {
                if (*p == '\\' || *p == '\r' || *p == '\n') {
                    return STS_EINVAL;
                }

                p++;
            }

            if (p == end) {
                return STS_EINVAL;
            }

            pv.len = (size_t) (p - pv.data);
            p++;

        } else {
            pv.data = p;

            while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
                if (*p == '"' || *p == '\\') {
                    return STS_EINVAL;
                }

                p++;
            }

            pv.len = (size_t) (p - pv.data);

            if (pv.len == 0) {
                return STS_EINVAL;
            }
        }

        is_name = sts_str_caseeq(pn, "name");

        if (is_name ? name->data != NULL : *has_filename) {
            return STS_EINVAL;
        }

        if (is_name) {
            *name = pv;

        } else if (sts_str_caseeq(pn, "filename")) {
            *filename = pv;
            *has_filename = 1;

        } else {
            /* filename*= and the like: refused, not guessed */
            return STS_EINVAL;
        }
    }

    return name->data != NULL && name->len ? STS_OK : STS_EINVAL;
}


static int
sts_post_part_headers(sts_post_form_t *f)
{
    int          has_cd, has_filename;
    size_t       i;
    sts_str_t    line, hname, hvalue, name, filename;
    const char  *p, *end, *eol, *colon;

    p = f->hdr.data;
    end = f->hdr.data + f->hdr.len - 2;      /* the final empty line */
    has_cd = 0;
    has_filename = 0;
    name.len = 0;
    name.data = NULL;
    filename.len = 0;
    filename.data = "";

    while (p < end) {
        eol = p;

        while (eol + 1 < end + 2 && !(eol[0] == '\r' && eol[1] == '\n')) {
            eol++;
        }

        line.data = p;
        line.len = (size_t) (eol - p);
        p = eol + 2;

        if (line.len == 0 || line.data[0] == ' ' || line.data[0] == '\t'
            || memchr(line.data, '\r', line.len) != NULL
            || memchr(line.data, '\n', line.len) != NULL
            || memchr(line.data, '\0', line.len) != NULL)
        {
            return sts_post_fail(f, &sts_err_post_malformed);
        }

        colon = memchr(line.data, ':', line.len);
        if (colon == NULL || colon == line.data) {
            return sts_post_fail(f, &sts_err_post_malformed);
        }

        hname.data = line.data;
        hname.len = (size_t) (colon - line.data);
        hvalue.data = colon + 1;
        hvalue.len = line.len - hname.len - 1;
        hvalue = sts_str_trim(hvalue);

        if (sts_str_caseeq(hname, "Content-Disposition")) {
            if (has_cd++
                || sts_post_disposition(hvalue, &name, &filename,
                                        &has_filename) != STS_OK)
            {
                return sts_post_fail(f, &sts_err_post_malformed);
            }

        } else if (sts_str_caseeq(hname, "Content-Transfer-Encoding")) {
            if (!sts_str_caseeq(hvalue, "binary")
                && !sts_str_caseeq(hvalue, "8bit")
                && !sts_str_caseeq(hvalue, "7bit"))
            {
                return sts_post_fail(f, &sts_err_post_malformed);
            }
        }
    }

    if (!has_cd) {
        return sts_post_fail(f, &sts_err_post_malformed);
    }

    if (sts_str_caseeq(name, "file")) {
        /* the file: everything that matters precedes it */
        f->filename.data = sts_strndup(f->a, filename.data, filename.len);
        if (f->filename.data == NULL) {
            f->stage = STS_POST_ERROR;
            return STS_ENOMEM;
        }

        f->filename.len = filename.len;
        f->in_file = 1;
        f->stage = STS_POST_FILE;
        f->file_offset = f->consumed;
        f->file_part = f->part_start;

        return STS_OK;
    }

    if (has_filename) {
        /* a second file, under another name */
        return sts_post_fail(f, &sts_err_post_no_file);
    }

    for (i = 0; i < f->num_fields; i++) {
        if (sts_str_caseeq(name, f->fields[i].name.data)) {
            return sts_post_fail(f, &sts_err_post_malformed);
        }
    }

    if (f->num_fields == STS_POST_MAX_FIELDS) {
        return sts_post_fail(f, &sts_err_post_malformed);
    }

    f->part_name.data = sts_strndup(f->a, name.data, name.len);
    if (f->part_name.data == NULL) {
        f->stage = STS_POST_ERROR;
        return STS_ENOMEM;
    }

    f->part_name.len = name.len;

    return STS_OK;
}


static int
sts_post_end_part(sts_post_form_t *f)
{
    char              *v;
    sts_post_field_t  *fld;

    if (f->in_file) {
        return STS_OK;
    }

    if (f->value.len && memchr(f->value.data, '\0', f->value.len) != NULL) {
        return sts_post_fail(f, &sts_err_post_malformed);
    }

    v = sts_strndup(f->a, f->value.len ? f->value.data : "", f->value.len);
    if (v == NULL) {
        f->stage = STS_POST_ERROR;
        return STS_ENOMEM;
    }

    fld = &f->fields[f->num_fields++];
    fld->name = f->part_name;
    fld->value.data = v;
    fld->value.len = f->value.len;
    fld->part_offset = f->part_offset;
    fld->value_offset = f->value_offset;

    f->part_name.data = NULL;
    f->part_name.len = 0;
    f->value.len = 0;

    return STS_OK;
}


/*
 * One byte of a part's headers: they are collected up to the blank line
 * that ends them, then parsed, and the part's content follows.
 */

static int
sts_post_feed_header(sts_post_form_t *f, unsigned char c)
{
    int  rc;

    if (f->total == STS_POST_MAX_FIELDS_BYTES) {
        return sts_post_fail(f, &sts_err_post_field_too_long);
    }

    f->total++;

    rc = sts_buf_append_char(&f->hdr, (char) c);
    if (rc == STS_ETOOBIG) {
        return sts_post_fail(f, &sts_err_post_field_too_long);
    }

    if (rc != STS_OK) {
        f->stage = STS_POST_ERROR;
        return rc;
    }

    if (c != '\n' || f->hdr.len < 2
        || f->hdr.data[f->hdr.len - 2] != '\r'
        || (f->hdr.len != 2
            && (f->hdr.len < 4
                || memcmp(f->hdr.data + f->hdr.len - 4, "\r\n\r\n",
                          4) != 0)))
    {
        return STS_OK;
    }

    rc = sts_post_part_headers(f);
    if (rc != STS_OK) {
        return rc;
    }

    f->value_offset = f->consumed;
    f->match = 0;
    f->state = STS_POST_S_DATA;

    return STS_OK;
}


/*
 * Part content from *pos: bytes that cannot begin the delimiter go out
 * as they come, a possible delimiter is held back byte by byte until it
 * matches whole (the part ends) or not (what was held back is content).
 * *pos moves past what was taken.
 */

static int
sts_post_feed_data(sts_post_form_t *f, const unsigned char **pos,
    const unsigned char *end)
{
    int                   rc;
    size_t                n;
    const unsigned char  *p, *cr;

    p = *pos;

    if (f->match == 0) {
        cr = memchr(p, '\r', (size_t) (end - p));
        n = (size_t) ((cr ? cr : end) - p);

        if (n) {
            rc = sts_post_emit(f, (const char *) p, n);
            if (rc != STS_OK) {
                return rc;
            }

            *pos = p + n;
            f->consumed += n;
            return STS_OK;
        }

        f->match = 1;
        *pos = p + 1;
        f->consumed++;
        return STS_OK;
    }

    if (*p == (unsigned char) f->delim[f->match]) {
        *pos = p + 1;
        f->consumed++;

        if (++f->match == f->delim_len) {
            f->part_start = f->consumed - f->delim_len;
            rc = sts_post_end_part(f);
            if (rc != STS_OK) {
                return rc;
            }

            f->match = 0;
            f->state = STS_POST_S_AFTER;
        }

        return STS_OK;
    }

    /*
     * Not the delimiter: what was held back is content.  The delimiter
     * has its only CR first, so a new match can only start at this byte.
     */
    rc = sts_post_emit(f, f->delim, f->match);
    if (rc != STS_OK) {
        return rc;
    }

    f->match = 0;

    return STS_OK;
}


int
sts_post_form_feed(sts_post_form_t *f, const void *data, size_t len)
{
    int                   rc;
    size_t                n;
    const unsigned char  *p, *end;
    unsigned char         c;

    if (f->stage == STS_POST_ERROR) {
        return f->err ? STS_EINVAL : STS_ENOMEM;
    }

    p = data;
    end = p + len;

    while (p < end) {

        switch (f->state) {

        case STS_POST_S_FIRST:
            if (*p != (unsigned char) f->delim[f->match]) {
                return sts_post_fail(f, &sts_err_post_malformed);
            }

            p++;
            f->consumed++;

            if (++f->match == f->delim_len) {
                f->match = 0;
                f->part_start = 0;
                f->state = STS_POST_S_AFTER;
            }

            break;

        case STS_POST_S_AFTER:
            c = *p++;
            f->consumed++;

            if (c == '-') {
                f->state = STS_POST_S_CLOSE;

            } else if (c == '\r') {
                f->state = STS_POST_S_AFTER_LF;

            } else {
                return sts_post_fail(f, &sts_err_post_malformed);
            }

            break;

        case STS_POST_S_CLOSE:
            c = *p++;
            f->consumed++;

            if (c != '-') {
                return sts_post_fail(f, &sts_err_post_malformed);
            }

            if (!f->in_file) {
                /* the form ended without a file */
                return sts_post_fail(f, &sts_err_post_no_file);
            }

            f->stage = STS_POST_END;
            f->state = STS_POST_S_EPILOGUE;
            break;

        case STS_POST_S_AFTER_LF:
            c = *p++;
            f->consumed++;

            if (c != '\n') {
                return sts_post_fail(f, &sts_err_post_malformed);
            }

            if (f->in_file) {
                /* the file must be the last part */
                return sts_post_fail(f, &sts_err_post_malformed);
            }

            f->hdr.len = 0;
            f->part_offset = f->consumed;
            f->state = STS_POST_S_HEADERS;
            break;

        case STS_POST_S_HEADERS:
            c = *p++;
            f->consumed++;

            rc = sts_post_feed_header(f, c);
            if (rc != STS_OK) {
                return rc;
            }

            break;

        case STS_POST_S_DATA:
            rc = sts_post_feed_data(f, &p, end);
            if (rc != STS_OK) {
                return rc;
            }

            break;

        default: /* STS_POST_S_EPILOGUE */
            n = (size_t) (end - p);
            p = end;
            f->consumed += n;
            f->epilogue += n;

            if (f->epilogue > STS_POST_MAX_EPILOGUE) {
                return sts_post_fail(f, &sts_err_post_malformed);
            }

            break;
        }
    }

    return STS_OK;
}


int
sts_post_form_end(sts_post_form_t *f)
{
    if (f->stage == STS_POST_END) {
        return STS_OK;
    }

    if (f->stage == STS_POST_ERROR) {
        return f->err ? STS_EINVAL : STS_ENOMEM;
    }

    return sts_post_fail(f, f->stage == STS_POST_FIELDS
                            ? &sts_err_post_no_file
                            : &sts_err_post_malformed);
}


void
sts_post_file_size_bounds(const sts_post_form_t *f, uint64_t body_len,
    uint64_t *min, uint64_t *max)
{
    uint64_t  rest, least, most;

    /* the closing delimiter: CR LF "--" boundary "--" */
    least = f->delim_len + 2;
    most = least + 2 + STS_POST_MAX_EPILOGUE;

    rest = body_len > f->file_offset ? body_len - f->file_offset : 0;

    *max = rest > least ? rest - least : 0;
    *min = rest > most ? rest - most : 0;
}


const sts_post_field_t *
sts_post_form_field(const sts_post_form_t *f, const char *name)
{
    size_t  i;

    for (i = 0; i < f->num_fields; i++) {
        if (sts_str_caseeq(f->fields[i].name, name)) {
            return &f->fields[i];
        }
    }

    return NULL;
}


static const sts_str_t *
sts_post_value(const sts_post_form_t *f, const char *name)
{
    const sts_post_field_t  *fld;

    fld = sts_post_form_field(f, name);

    return fld ? &fld->value : NULL;
}


/*
 * x-oss-credential is <ak>/<date>/<region>/oss/aliyun_v4_request, split
 * from the right into |parts|; the date is 8 digits and the region, when
 * one is configured, is that one.  1 when it is well formed.
 */

static int
sts_post_v4_credential(sts_str_t cred, sts_str_t region, sts_str_t parts[5])
{
    size_t  i, j, n;

    n = cred.len;

    for (i = 4; i > 0; i--) {
        j = n;

        while (j > 0 && cred.data[j - 1] != '/') {
            j--;
        }

        if (j == 0) {
            return 0;
        }

        parts[i].data = cred.data + j;
        parts[i].len = n - j;
        n = j - 1;
    }

    parts[0].data = cred.data;
    parts[0].len = n;

    if (parts[0].len == 0
        || parts[1].len != STS_V4_DATE_LEN || parts[2].len == 0
        || !sts_str_eq(parts[3], STS_V4_PRODUCT)
        || !sts_str_eq(parts[4], STS_V4_TERMINATOR))
    {
        return 0;
    }

    for (i = 0; i < STS_V4_DATE_LEN; i++) {
        if (parts[1].data[i] < '0' || parts[1].data[i] > '9') {
            return 0;
        }
    }

    if (region.len && !(region.len == parts[2].len
                        && memcmp(region.data, parts[2].data, region.len)
                           == 0))
    {
        return 0;
    }

    return 1;
}


/* signature fields */

int
sts_post_auth_parse(const sts_post_form_t *f, sts_str_t region, int64_t now,
    int64_t max_skew, sts_post_auth_t *out, const sts_oss_error_t **err)
{
    size_t            i;
    sts_str_t         parts[5];
    const sts_str_t  *ak, *policy, *sig, *ver, *credv, *date, *sig4, *tok;

    memset(out, 0, sizeof(*out));
    *err = NULL;

    ak = sts_post_value(f, "OSSAccessKeyId");
    policy = sts_post_value(f, "policy");
    sig = sts_post_value(f, "Signature");
    ver = sts_post_value(f, "x-oss-signature-version");
    credv = sts_post_value(f, "x-oss-credential");
    date = sts_post_value(f, "x-oss-date");
    sig4 = sts_post_value(f, "x-oss-signature");
    tok = sts_post_value(f, "x-oss-security-token");

    if (tok != NULL) {
        out->security_token = *tok;
    }

    if (ak == NULL && sig == NULL && ver == NULL && credv == NULL
        && date == NULL && sig4 == NULL)
    {
        if (policy != NULL) {
            *err = &sts_err_post_fields;
            return STS_EINVAL;
        }

        out->kind = STS_POST_AUTH_NONE;
        return STS_OK;
    }

    if (ak != NULL || sig != NULL) {
        /* V1: all three, and nothing of V4 */
        if (ak == NULL || sig == NULL || policy == NULL || ak->len == 0
            || sig->len == 0 || policy->len == 0 || ver != NULL
            || credv != NULL || sig4 != NULL)
        {
            *err = &sts_err_post_fields;
            return STS_EINVAL;
        }

        out->kind = STS_POST_AUTH_V1;
        out->access_key_id = *ak;
        out->policy = *policy;
        out->signature = *sig;

        return STS_OK;
    }

    if (ver == NULL || credv == NULL || date == NULL || sig4 == NULL
        || policy == NULL || policy->len == 0)
    {
        *err = &sts_err_post_fields;
        return STS_EINVAL;
    }

    if (!sts_str_eq(*ver, STS_V4_ALGORITHM) || sig4->len != 64) {
        *err = &sts_err_invalid_argument_v4;
        return STS_EINVAL;
    }

    for (i = 0; i < sig4->len; i++) {
        if (!((sig4->data[i] >= '0' && sig4->data[i] <= '9')
              || (sig4->data[i] >= 'a' && sig4->data[i] <= 'f')))
        {
            *err = &sts_err_invalid_argument_v4;
            return STS_EINVAL;
        }
    }

    if (!sts_post_v4_credential(*credv, region, parts)) {
        *err = &sts_err_invalid_argument_v4;
        return STS_EINVAL;
    }

    if (date->len != STS_ISO8601_BASIC_LEN
        || sts_parse_iso8601(date->data, date->len, &out->time) != STS_OK
        || memcmp(date->data, parts[1].data, STS_V4_DATE_LEN) != 0)
    {
        *err = &sts_err_invalid_argument_v4;
        return STS_EINVAL;
    }

    if (max_skew >= 0 && out->time - now > max_skew) {
        *err = &sts_err_time_skewed;
        return STS_EINVAL;
    }

    if (now - out->time > STS_POST_V4_MAX_AGE) {
        *err = &sts_err_request_expired;
        return STS_EINVAL;
    }

    out->kind = STS_POST_AUTH_V4;
    out->access_key_id = parts[0];
    out->scope_date = parts[1];
    out->region = parts[2];
    out->date = *date;
    out->policy = *policy;
    out->signature = *sig4;

    return STS_OK;
}


int
sts_post_auth_verify(const sts_post_auth_t *auth, sts_str_t secret)
{
    int            ok;
    char           b64[64], hex[2 * EVP_MAX_MD_SIZE];
    size_t         n;
    unsigned int   mac_len;
    unsigned char  key[STS_V4_KEY_LEN], mac[EVP_MAX_MD_SIZE];

    if (auth->kind == STS_POST_AUTH_NONE || secret.len == 0
        || secret.len > STS_SECRET_MAX)
    {
        return STS_EINVAL;
    }

    ok = 0;
    mac_len = 0;

    if (auth->kind == STS_POST_AUTH_V1) {
        if (sts_hmac(STS_HASH_SHA1, secret.data, secret.len,
                     auth->policy.data, auth->policy.len, mac)
            != STS_OK)
        {
            sts_wipe(mac, sizeof(mac));
            return STS_ECRYPTO;
        }

        mac_len = STS_SHA1_LEN;

        n = sts_base64_encode(b64, mac, mac_len);
        ok = sts_ct_equal(b64, n, auth->signature.data,
                          auth->signature.len);

        sts_wipe(b64, sizeof(b64));

    } else {
        if (sts_sign_v4_signing_key(key, secret, auth->scope_date,
                                    auth->region) != STS_OK)
        {
            sts_wipe(key, sizeof(key));
            return STS_ECRYPTO;
        }

        if (sts_hmac(STS_HASH_SHA256, key, sizeof(key), auth->policy.data,
                     auth->policy.len, mac)
            != STS_OK)
        {
            sts_wipe(key, sizeof(key));
            sts_wipe(mac, sizeof(mac));
            return STS_ECRYPTO;
        }

        mac_len = STS_SHA256_LEN;

        sts_hex_encode(hex, mac, mac_len);
        ok = sts_ct_equal(hex, 2 * (size_t) mac_len, auth->signature.data,
                          auth->signature.len);

        sts_wipe(key, sizeof(key));
        sts_wipe(hex, sizeof(hex));
    }

    sts_wipe(mac, sizeof(mac));

    return ok ? STS_OK : STS_EBADSIG;
}


/* policy document */

static int
sts_post_cond_field(const sts_post_form_t *f, sts_str_t bucket,
    const char *name, sts_str_t *out)
{
    const sts_str_t  *v;

    if (strcasecmp(name, "bucket") == 0) {
        *out = bucket;
        return STS_OK;
    }

    v = sts_post_value(f, name);

    if (v == NULL) {
        out->data = "";
        out->len = 0;

    } else {
        *out = *v;
    }

    return STS_OK;
}


static int
sts_post_starts(sts_str_t s, sts_str_t prefix)
{
    return s.len >= prefix.len
           && memcmp(s.data, prefix.data, prefix.len) == 0;
}


static void
sts_post_why(sts_buf_t *why, json_t *item)
{
    char  *s;

    if (why == NULL) {
        return;
    }

    s = json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL) {
        return;
    }

    (void) sts_buf_append_str(why, s);
    free(s);
}


/* a condition value: "\$" at the start stands for a literal "$" */
static sts_str_t
sts_post_literal(json_t *v)
{
    sts_str_t  s;

    s.data = json_string_value(v);
    s.len = json_string_length(v);

    if (s.len >= 2 && s.data[0] == '\\' && s.data[1] == '$') {
        s.data++;
        s.len--;
    }

    return s;
}


static int
sts_post_eq(sts_str_t a, sts_str_t b)
{
    return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}


/*
 * The shape of one condition: {"field": "value", ...} with string values,
 * ["content-length-range", lo, hi] with 0 <= lo <= hi, ["eq" or
 * "starts-with", "$field", "value"] or ["in" or "not-in", "$field",
 * ["value", ...]].  1 when it has one of them.
 */

static int
sts_post_cond_shape(json_t *item)
{
    size_t       j;
    json_t      *fld, *val, *v;
    sts_str_t    opname;
    const char  *k;

    if (json_is_object(item)) {
        if (json_object_size(item) == 0) {
            return 0;
        }

        json_object_foreach(item, k, v) {
            if (!json_is_string(v) || k[0] == '\0') {
                return 0;
            }
        }

        return 1;
    }

    if (!json_is_array(item) || json_array_size(item) != 3
        || !json_is_string(json_array_get(item, 0)))
    {
        return 0;
    }

    opname.data = json_string_value(json_array_get(item, 0));
    opname.len = json_string_length(json_array_get(item, 0));
    fld = json_array_get(item, 1);
    val = json_array_get(item, 2);

    if (sts_str_caseeq(opname, "content-length-range")) {
        if (!json_is_integer(fld) || !json_is_integer(val)
            || json_integer_value(fld) < 0
            || json_integer_value(val) < json_integer_value(fld))
        {
            return 0;
        }

        return 1;
    }

    if (!json_is_string(fld) || json_string_length(fld) < 2
        || json_string_value(fld)[0] != '$')
    {
        return 0;
    }

    if (sts_str_caseeq(opname, "eq")
        || sts_str_caseeq(opname, "starts-with"))
    {
        return json_is_string(val);
    }

    if (sts_str_caseeq(opname, "in") || sts_str_caseeq(opname, "not-in")) {
        if (!json_is_array(val)) {
            return 0;
        }

        for (j = 0; j < json_array_size(val); j++) {
            if (!json_is_string(json_array_get(val, j))) {
                return 0;
            }
        }

        return 1;
    }

    return 0;
}


/*
 * Whether one condition, of a shape sts_post_cond_shape accepted, holds
 * for the form, the bucket and the key.  A content-length-range holds
 * here and narrows |range|, which the file is checked against later.
 */

static int
sts_post_cond_holds(const sts_post_form_t *f, sts_str_t bucket,
    sts_str_t key, json_t *item, sts_post_range_t *range)
{
    int          ok, is_key;
    size_t       j;
    json_t      *op, *fld, *val, *v;
    json_int_t   lo, hi;
    sts_str_t    field, opname, lit;
    const char  *k;

    if (json_is_object(item)) {
        json_object_foreach(item, k, v) {
            (void) sts_post_cond_field(f, bucket, k, &field);
            lit = sts_post_literal(v);

            if (!sts_post_eq(field, lit)) {
                return 0;
            }
        }

        return 1;
    }

    op = json_array_get(item, 0);
    fld = json_array_get(item, 1);
    val = json_array_get(item, 2);
    opname.data = json_string_value(op);
    opname.len = json_string_length(op);

    if (sts_str_caseeq(opname, "content-length-range")) {
        lo = json_integer_value(fld);
        hi = json_integer_value(val);

        if (!range->set || (uint64_t) lo > range->min) {
            range->min = (uint64_t) lo;
        }

        if (!range->set || (uint64_t) hi < range->max) {
            range->max = (uint64_t) hi;
        }

        range->set = 1;
        return 1;
    }

    k = json_string_value(fld) + 1;
    (void) sts_post_cond_field(f, bucket, k, &field);
    is_key = strcasecmp(k, "key") == 0;

    if (sts_str_caseeq(opname, "eq")) {
        ok = sts_post_eq(field, sts_post_literal(val));

    } else if (sts_str_caseeq(opname, "starts-with")) {
        lit = sts_post_literal(val);
        ok = sts_post_starts(field, lit)
             && (!is_key || sts_post_starts(key, lit));

    } else {
        ok = 0;

        for (j = 0; j < json_array_size(val); j++) {
            if (sts_post_eq(field, sts_post_literal(json_array_get(val, j)))) {
                ok = 1;
                break;
            }
        }

        if (sts_str_caseeq(opname, "not-in")) {
            ok = !ok;
        }
    }

    return ok;
}


int
sts_post_policy_check(const sts_allocator_t *a, const sts_post_form_t *f,
    const sts_post_auth_t *auth, sts_str_t bucket, sts_str_t key,
    int64_t now, sts_post_range_t *range, sts_buf_t *why,
    const sts_oss_error_t **err)
{
    int                  rc;
    char                *doc;
    size_t               i, n, doc_len;
    int64_t              expires;
    json_t              *root, *exp, *conds, *item;
    json_error_t         jerr;

    memset(range, 0, sizeof(*range));
    *err = NULL;

    if (auth->policy.len > STS_POST_POLICY_MAX) {
        *err = &sts_err_post_policy_invalid;
        return STS_EINVAL;
    }

    doc = sts_alloc(a, sts_base64_decoded_max(auth->policy.len) + 1);
    if (doc == NULL) {
        return STS_ENOMEM;
    }

    if (sts_base64_decode((unsigned char *) doc, &doc_len, auth->policy.data,
                          auth->policy.len) != STS_OK)
    {
        sts_free(a, doc);
        *err = &sts_err_post_policy_invalid;
        return STS_EINVAL;
    }

    root = json_loadb(doc, doc_len, JSON_REJECT_DUPLICATES, &jerr);
    sts_free(a, doc);

    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        *err = &sts_err_post_policy_invalid;
        return STS_EINVAL;
    }

    rc = STS_EINVAL;
    *err = &sts_err_post_policy_invalid;

    exp = json_object_get(root, "expiration");
    conds = json_object_get(root, "conditions");

    if (json_object_size(root) != 2 || !json_is_string(exp)
        || !json_is_array(conds)
        || sts_parse_iso8601(json_string_value(exp), json_string_length(exp),
                             &expires) != STS_OK)
    {
        goto done;
    }

    /* the whole document is checked for shape before anything else */

    n = json_array_size(conds);

    for (i = 0; i < n; i++) {
        if (!sts_post_cond_shape(json_array_get(conds, i))) {
            goto done;
        }
    }

    if (now >= expires) {
        *err = &sts_err_post_policy_expired;
        goto done;
    }

    /* every condition must hold */

    *err = &sts_err_post_condition;

    for (i = 0; i < n; i++) {
        item = json_array_get(conds, i);

        if (!sts_post_cond_holds(f, bucket, key, item, range)) {
            sts_post_why(why, item);
            goto done;
        }
    }

    if (range->set && range->min > range->max) {
        /* two ranges that do not meet: no file can satisfy both */
        *err = &sts_err_post_condition;
        goto done;
    }

    rc = STS_OK;
    *err = NULL;

done:

    json_decref(root);

    return rc;
}


/*
 * A filename that may stand for ${filename}: one path component, seen
 * the same by every store (no separator, no "..", no control byte).
 */
static int
sts_post_filename_ok(sts_str_t name)
{
    size_t         i;
    unsigned char  c;

    if (name.len == 0) {
        return 0;
    }

    for (i = 0; i < name.len; i++) {
        c = (unsigned char) name.data[i];

        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\'
            || (c == '.' && i + 1 < name.len && name.data[i + 1] == '.'))
        {
            return 0;
        }
    }

    return 1;
}


int
sts_post_object_key(const sts_allocator_t *a, const sts_post_form_t *f,
    sts_str_t *out, const sts_oss_error_t **err)
{
    sts_buf_t         b;
    sts_str_t         name;
    const sts_str_t  *key;
    const char       *p, *end;

    static const char  var[] = "${filename}";

    *err = NULL;
    out->data = NULL;
    out->len = 0;

    key = sts_post_value(f, "key");
    if (key == NULL) {
        *err = &sts_err_post_no_file;
        return STS_EINVAL;
    }

    name = f->filename;
    end = key->data + key->len;

    for (p = key->data; (size_t) (end - p) >= sizeof(var) - 1; p++) {
        if (memcmp(p, var, sizeof(var) - 1) == 0) {
            if (!sts_post_filename_ok(name)) {
                *err = &sts_err_post_filename;
                return STS_EINVAL;
            }

            break;
        }
    }

    sts_buf_init(&b, a, 0);

    p = key->data;
    end = key->data + key->len;

    while (p < end) {
        if ((size_t) (end - p) >= sizeof(var) - 1
            && memcmp(p, var, sizeof(var) - 1) == 0)
        {
            sts_buf_append(&b, name.data, name.len);
            p += sizeof(var) - 1;
            continue;
        }

        sts_buf_append_char(&b, *p++);
    }

    if (b.len == 0) {
        sts_buf_append_str(&b, "");
    }

    if (sts_buf_ok(&b) != STS_OK) {
        sts_buf_free(&b);
        return STS_ENOMEM;
    }

    out->data = b.data;
    out->len = b.len;

    return STS_OK;
}
