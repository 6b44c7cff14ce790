/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_formstamp and the form reader's file_part: where the
 * stamps go in a PostObject form, what they look like, which values are
 * left out, and that the stamped form reads back with each stamp once and
 * the same file.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_formstamp.h"
#include "tap.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;

#define CT  "multipart/form-data; boundary=XyZ"

static const char  FORM[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"key\"\r\n\r\n"
    "photos/a.txt\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"x-oss-meta-owner\"\r\n\r\n"
    "app\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
    "\r\n"
    "line one\r\n--Xy\r\n\r\nend\r\n"
    "\r\n--XyZ--\r\n";

static const char  FILE_CONTENT[] = "line one\r\n--Xy\r\n\r\nend\r\n";


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}


/* reads |len| bytes of |body| in pieces of |step| (0: at once) */
static int
feed(sts_post_form_t *f, const char *body, size_t len, size_t step)
{
    size_t  off, n;

    if (sts_post_form_init(f, A, S(CT)) != STS_OK) {
        return -1;
    }

    for (off = 0; off < len; off += n) {
        n = step ? step : len - off;
        if (n > len - off) {
            n = len - off;
        }

        if (sts_post_form_feed(f, body + off, n) != STS_OK) {
            return -1;
        }
    }

    return 0;
}


static const sts_formstamp_t  STAMPS[] = {
    { "x-oss-meta-sts-session-name", { 9, "alice-web" } },
    { "x-oss-meta-sts-role-arn", { 19, "acs:ram::1:role/app" } },
    { "x-oss-meta-sts-token-id", { 7, "STS.abc" } },
    { "x-oss-meta-sts-source-ip", { 9, "192.0.2.7" } },
};


static void
test_file_part(void)
{
    size_t           step, expect;
    sts_post_form_t  f;
    static const size_t  steps[] = { 0, 1, 2, 3, 7, 64 };

    expect = (size_t) (strstr(FORM, "\r\n--XyZ\r\nContent-Disposition: "
                                    "form-data; name=\"file\"") - FORM);

    for (step = 0; step < sizeof(steps) / sizeof(steps[0]); step++) {
        memset(&f, 0, sizeof(f));
        ok(feed(&f, FORM, sizeof(FORM) - 1, steps[step]) == 0,
           "form read in pieces of %zu", steps[step]);
        is_int(f.stage, STS_POST_END, "read to its end");
        is_int(f.file_part, expect,
               "file_part is the CR LF before the file's delimiter (%zu)",
               steps[step]);
        is_int(f.file_size, strlen(FILE_CONTENT), "file size");
        sts_post_form_free(&f);
    }
}


static void
test_parts(void)
{
    int                      rc;
    size_t                   n;
    sts_buf_t                out, body;
    sts_post_form_t          f, g;
    sts_formstamp_t          st[4];
    const sts_post_field_t  *fld;

    memset(&f, 0, sizeof(f));
    ok(feed(&f, FORM, sizeof(FORM) - 1, 0) == 0, "form read");

    sts_buf_init(&out, A, 0);
    rc = sts_formstamp_parts(&f, STAMPS, 4, &out, &n);
    is_int(rc, STS_OK, "four stamps built");
    is_int(n, 4, "four parts");
    is_str(out.data,
           "\r\n--XyZ\r\nContent-Disposition: form-data; "
           "name=\"x-oss-meta-sts-session-name\"\r\n\r\nalice-web"
           "\r\n--XyZ\r\nContent-Disposition: form-data; "
           "name=\"x-oss-meta-sts-role-arn\"\r\n\r\nacs:ram::1:role/app"
           "\r\n--XyZ\r\nContent-Disposition: form-data; "
           "name=\"x-oss-meta-sts-token-id\"\r\n\r\nSTS.abc"
           "\r\n--XyZ\r\nContent-Disposition: form-data; "
           "name=\"x-oss-meta-sts-source-ip\"\r\n\r\n192.0.2.7",
           "the parts, exactly");

    /* the stamped form, read again */
    sts_buf_init(&body, A, 0);
    ok(sts_buf_append(&body, FORM, (size_t) f.file_part) == STS_OK
       && sts_buf_append(&body, out.data, out.len) == STS_OK
       && sts_buf_append(&body, FORM + f.file_part,
                         sizeof(FORM) - 1 - (size_t) f.file_part)
          == STS_OK, "stamped form assembled");

    memset(&g, 0, sizeof(g));
    ok(feed(&g, body.data, body.len, 5) == 0, "stamped form reads");
    ok(sts_post_form_end(&g) == STS_OK, "and ends");
    is_int(g.num_fields, 6, "two fields of the client, four stamps");
    is_int(g.file_size, f.file_size, "the file is the same size");
    ok(memcmp(body.data + g.file_offset, FILE_CONTENT,
              strlen(FILE_CONTENT)) == 0, "and the same bytes");
    is_int(g.file_part, f.file_part + out.len, "the file part moved");

    fld = sts_post_form_field(&g, "x-oss-meta-sts-session-name");
    is_str(fld ? fld->value.data : NULL, "alice-web", "session name");
    fld = sts_post_form_field(&g, "x-oss-meta-sts-role-arn");
    is_str(fld ? fld->value.data : NULL, "acs:ram::1:role/app", "role");
    fld = sts_post_form_field(&g, "x-oss-meta-sts-token-id");
    is_str(fld ? fld->value.data : NULL, "STS.abc", "token id");
    fld = sts_post_form_field(&g, "x-oss-meta-sts-source-ip");
    is_str(fld ? fld->value.data : NULL, "192.0.2.7", "source ip");
    fld = sts_post_form_field(&g, "x-oss-meta-owner");
    is_str(fld ? fld->value.data : NULL, "app", "the client's own field");

    sts_post_form_free(&g);
    sts_buf_free(&body);

    /* values a part cannot carry as they are: left out */
    memcpy(st, STAMPS, sizeof(st));
    st[0].value = S("alice\r\n--XyZ\r\nContent-Disposition: form-data; "
                    "name=\"key\"\r\n\r\nsecret/x");
    st[1].value = S("");
    st[2].value = S("STS.\x01");
    out.len = 0;
    rc = sts_formstamp_parts(&f, st, 4, &out, &n);
    is_int(rc, STS_OK, "built without the bad values");
    is_int(n, 1, "only the good one");
    ok(strstr(out.data, "secret") == NULL && strchr(out.data, '\x01') == NULL,
       "no CR LF injection, no control byte");
    ok(strstr(out.data, "name=\"x-oss-meta-sts-source-ip\"") != NULL,
       "the source ip is there");

    /* a name that is not a stamp */
    st[3].name = "x-oss-meta-other";
    out.len = 0;
    is_int(sts_formstamp_parts(&f, st, 4, &out, &n), STS_EINVAL,
           "only stamped names");

    sts_buf_free(&out);
    sts_post_form_free(&f);
}


static void
test_refused(void)
{
    size_t           n;
    sts_buf_t        out;
    sts_post_form_t  f;

    static const char  fields_only[] =
        "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk";
    static const char  file_first[] =
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"a\"\r\n\r\nx\r\n--XyZ--";

    sts_buf_init(&out, A, 0);

    memset(&f, 0, sizeof(f));
    ok(feed(&f, fields_only, sizeof(fields_only) - 1, 0) == 0, "fields");
    is_int(sts_formstamp_parts(&f, STAMPS, 4, &out, &n), STS_EINVAL,
           "not at the file part yet");
    is_int(out.len, 0, "nothing written");
    sts_post_form_free(&f);

    memset(&f, 0, sizeof(f));
    ok(feed(&f, file_first, sizeof(file_first) - 1, 0) == 0, "file first");
    is_int(f.file_part, 0, "file part at 0");
    is_int(sts_formstamp_parts(&f, STAMPS, 4, &out, &n), STS_EINVAL,
           "a file first is not stamped");
    sts_post_form_free(&f);

    /* a bounded buffer: its limit is reported */
    memset(&f, 0, sizeof(f));
    ok(feed(&f, FORM, sizeof(FORM) - 1, 0) == 0, "form");
    sts_buf_init(&out, A, 16);
    is_int(sts_formstamp_parts(&f, STAMPS, 4, &out, &n), STS_ETOOBIG,
           "over the buffer's limit");
    sts_post_form_free(&f);
    sts_buf_free(&out);
}


/*
 * applies the rewrite of sts_formstamp_key to |body| as the gateway does
 * (overwrite the region, insert the rest after it) into |res|
 */
static void
apply_key(const char *body, size_t len, const sts_buf_t *d, uint64_t at,
    size_t region, sts_buf_t *res)
{
    size_t  n;

    n = d->len < region ? d->len : region;

    sts_buf_append(res, body, (size_t) at);
    sts_buf_append(res, d->data, n);
    sts_buf_append(res, body + at + n, region - n);
    sts_buf_append(res, d->data + n, d->len - n);
    sts_buf_append(res, body + at + region, len - (size_t) at - region);
}


static void
test_key(void)
{
    size_t                   i, region;
    uint64_t                 at;
    sts_buf_t                d, res;
    sts_post_form_t          f, g;
    const sts_post_field_t  *fld;

    static const char  *keys[] = {
        "photos/b.png", "p", "photos/a-much-longer-key-than-the-one-sent.txt",
        "photos/a.tx", NULL
    };

    static const char  form[] =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"x-oss-meta-a\"\r\n\r\n"
        "1\r\n"
        "--XyZ\r\n"
        "content-disposition: form-data; name=\"Key\"\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "photos/${filename}\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"b.png\""
        "\r\n\r\nPNG\r\n--XyZ--\r\n";

    memset(&f, 0, sizeof(f));
    ok(feed(&f, form, sizeof(form) - 1, 3) == 0 && f.stage == STS_POST_END,
       "form with a key field");

    fld = sts_post_form_field(&f, "key");
    ok(fld != NULL && fld->value_offset == 144 && fld->part_offset == 72,
       "the key field's offsets");

    /* the key as sent: nothing to do */
    sts_buf_init(&d, A, 0);
    is_int(sts_formstamp_key(&f, S("photos/${filename}"), &d, &at, &region),
           STS_OK, "key as sent");
    ok(d.len == 0 && region == 0, "nothing rewritten");

    for (i = 0; keys[i] != NULL; i++) {
        sts_buf_init(&d, A, 0);
        sts_buf_init(&res, A, 0);

        is_int(sts_formstamp_key(&f, S(keys[i]), &d, &at, &region), STS_OK,
               "rewrite to %s", keys[i]);
        ok(at == 72 && region == 90, "the region: headers and value");

        apply_key(form, sizeof(form) - 1, &d, at, region, &res);

        memset(&g, 0, sizeof(g));
        ok(feed(&g, res.data, res.len, 1) == 0 && g.stage == STS_POST_END
           && g.num_fields == f.num_fields && g.file_size == 3,
           "%s: the form reads back", keys[i]);

        fld = sts_post_form_field(&g, "key");
        ok(fld != NULL && strcmp(fld->value.data, keys[i]) == 0,
           "%s: the key is the one authorised", keys[i]);
        ok(strstr(res.data, "${filename}") == NULL,
           "%s: no ${filename} left", keys[i]);
        fld = sts_post_form_field(&g, "x-oss-meta-a");
        ok(fld != NULL && strcmp(fld->value.data, "1") == 0,
           "%s: the other fields unchanged", keys[i]);
        ok(res.len == sizeof(form) - 1
                      + (d.len > region ? d.len - region : 0),
           "%s: no byte dropped", keys[i]);

        sts_post_form_free(&g);
        sts_buf_free(&res);
        sts_buf_free(&d);
    }

    sts_buf_init(&d, A, 0);
    is_int(sts_formstamp_key(&f, S("a\r\nb"), &d, &at, &region), STS_EINVAL,
           "a key that could end its part");
    sts_post_form_free(&f);

    memset(&f, 0, sizeof(f));
    ok(feed(&f, FORM, 20, 0) == 0, "a form not at its file part");
    is_int(sts_formstamp_key(&f, S("k"), &d, &at, &region), STS_EINVAL,
           "refused before the file part");
    sts_post_form_free(&f);
    sts_buf_free(&d);
}


int
main(void)
{
    test_file_part();
    test_parts();
    test_refused();
    test_key();

    return tap_done();
}
