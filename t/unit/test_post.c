/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_post (PostObject): the streaming multipart reader
 * fed in pieces of every size, the V1 and V4 signatures against the
 * known answers of t/vectors/postobject.json, the policy document and its
 * conditions, and ${filename}.
 */

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_post.h"
#include "sts_oss.h"
#include "tap.h"


#define VECTOR_NOW  1715776245      /* 2024-05-15T12:30:45Z */


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}


/*
 * A form: |fields| is "name=value\n..." (a value may not hold '\n'), the
 * file part comes last unless |file| is NULL.
 */
static void
build(sts_buf_t *b, const char *boundary, const char *fields,
    const char *filename, const char *file, size_t file_len)
{
    char        *copy, *p, *nl, *eq;

    sts_buf_init(b, A, 0);
    copy = strdup(fields);

    for (p = copy; p != NULL && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }

        eq = strchr(p, '=');
        *eq = '\0';
        sts_buf_appendf(b, "--%s\r\nContent-Disposition: form-data; "
                        "name=\"%s\"\r\n\r\n%s\r\n", boundary, p, eq + 1);
    }

    if (file != NULL) {
        sts_buf_appendf(b, "--%s\r\nContent-Disposition: form-data; "
                        "name=\"file\"; filename=\"%s\"\r\nContent-Type: "
                        "application/octet-stream\r\n\r\n", boundary,
                        filename);
        sts_buf_append(b, file, file_len);
        sts_buf_appendf(b, "\r\n--%s--\r\n", boundary);

    } else {
        sts_buf_appendf(b, "--%s--\r\n", boundary);
    }

    free(copy);
}


/* feeds |body| in pieces of |step| bytes (0: at once) */
static int
feed(sts_post_form_t *f, const char *ctype, const char *body, size_t len,
    size_t step)
{
    int     rc;
    size_t  off, n;

    rc = sts_post_form_init(f, A, S(ctype));
    if (rc != STS_OK) {
        return rc;
    }

    for (off = 0; off < len; off += n) {
        n = step ? step : len;
        if (n > len - off) {
            n = len - off;
        }

        rc = sts_post_form_feed(f, body + off, n);
        if (rc != STS_OK) {
            return rc;
        }
    }

    return sts_post_form_end(f);
}


static void
test_parser(void)
{
    int                      rc, all;
    char                     file[300];
    size_t                   i, step, flen;
    sts_buf_t                b;
    sts_post_form_t          f;
    const sts_post_field_t  *fld;

    /* a file full of near-delimiters, fed in every piece size */

    strcpy(file, "\r\n--xy\r\r\n-\r\n--x\r\n--xY\r\n--xy\r\n-\r-");
    flen = strlen(file);
    for (i = 0; i < 200; i++) {
        file[flen++] = (char) (i * 37);
    }

    memcpy(file + flen, "\r\n--xy", 6);
    flen += 6;

    build(&b, "xyz", "key=user/a b.txt\nx-oss-meta-a=1\r2\nempty=",
          "a.bin", file, flen);

    all = 1;

    for (step = 0; step <= b.len; step++) {
        rc = feed(&f, "multipart/form-data; boundary=xyz", b.data, b.len,
                  step);

        if (rc != STS_OK || f.stage != STS_POST_END || f.file_size != flen
            || f.num_fields != 3
            || strcmp(f.fields[0].value.data, "user/a b.txt") != 0
            || strcmp(f.fields[1].value.data, "1\r2") != 0
            || f.fields[2].value.len != 0
            || strcmp(f.filename.data, "a.bin") != 0
            || f.consumed != b.len
            || f.file_offset != b.len - flen - sizeof("\r\n--xyz--\r\n") + 1)
        {
            all = 0;
            ok(0, "pieces of %zu bytes: rc %d stage %d size %llu", step, rc,
               (int) f.stage, (unsigned long long) f.file_size);
            sts_post_form_free(&f);
            break;
        }

        sts_post_form_free(&f);
    }

    ok(all, "the same form in pieces of 1..%zu bytes", b.len);

    rc = feed(&f, "multipart/form-data; boundary=xyz", b.data, b.len, 0);
    fld = sts_post_form_field(&f, "X-OSS-META-A");
    ok(rc == STS_OK && fld != NULL && strcmp(fld->name.data, "x-oss-meta-a")
       == 0, "field names are case-insensitive");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* stops being interesting at the file: the fields are ready there */

    build(&b, "B", "key=k\npolicy=p", "f", "0123456789", 10);
    ok(sts_post_form_init(&f, A, S("multipart/form-data; boundary=B"))
       == STS_OK, "init");
    ok(sts_post_form_feed(&f, b.data, b.len - 12) == STS_OK
       && f.stage == STS_POST_FILE && f.num_fields == 2,
       "the fields are complete at the file part");
    ok(sts_post_form_end(&f) == STS_EINVAL && f.err == &sts_err_post_malformed,
       "a body that ends inside the file");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* content types */

    ok(sts_post_form_init(&f, A, S("multipart/form-data; boundary=\"a:b\""))
       == STS_OK, "quoted boundary");
    sts_post_form_free(&f);
    ok(sts_post_form_init(&f, A, S("multipart/form-data;charset=utf-8;"
                                   "boundary=abc")) == STS_OK,
       "boundary after another parameter");
    sts_post_form_free(&f);

    {
        static const char  *good[] = {
            "multipart/form-data; charset=UTF-8; BOUNDARY=\"a b\"",
            "Multipart/Form-Data;boundary=a'b+c;",
            "multipart/form-data ; boundary=\"a:b=c?d/(e),f\" ;; x=\"y z\"",
            NULL
        };

        static const char  *not_form[] = {
            "text/plain", "multipart/mixed; boundary=a",
            "multipart/form-dataX; boundary=a", NULL
        };

        static const char  *bad[] = {
            "multipart/form-data", "multipart/form-data; x=1",
            "multipart/form-data; boundary=", "multipart/form-data; "
            "boundary=a;boundary=b", "multipart/form-data; boundary=\"a",
            "multipart/form-data; boundary=a\"b", "multipart/form-data; "
            "boundary=0123456789"
            "0123456789012345678901234567890123456789012345678901234567890",
            "multipart/form-data; boundary*=utf-8''a",
            "multipart/form-data; boundary*=utf-8''a; boundary=b",
            "multipart/form-data; boundary=b; boundary*0=a",
            "multipart/form-data; boundary=b; BOUNDARY*0*=a",
            "multipart/form-data; boundary=b; charset*=utf-8''x",
            "multipart/form-data; boundary=b; boundary =a",
            "multipart/form-data; boundary= b",
            "multipart/form-data; boundary=\"b\"; Boundary=b",
            "multipart/form-data; x=\"a; boundary=c\"; boundary=b",
            "multipart/form-data; boundary=\"a\\\"b\"",
            "multipart/form-data; boundary=a=b",
            "multipart/form-data; boundary=a b",
            "multipart/form-data; boundary=\"ab \"",
            "multipart/form-data; boundary=a!b",
            "multipart/form-data; boundary=\"a\tb\"",
            "multipart/form-data; =b",
            "multipart/form-data boundary=b",
            NULL
        };

        for (i = 0; good[i] != NULL; i++) {
            ok(sts_post_form_init(&f, A, S(good[i])) == STS_OK,
               "content type accepted: %s", good[i]);
            sts_post_form_free(&f);
        }

        for (i = 0; not_form[i] != NULL; i++) {
            ok(sts_post_form_init(&f, A, S(not_form[i])) == STS_EINVAL
               && f.err == &sts_err_post_not_multipart,
               "not a form: %s", not_form[i]);
            sts_post_form_free(&f);
        }

        for (i = 0; bad[i] != NULL; i++) {
            ok(sts_post_form_init(&f, A, S(bad[i])) == STS_EINVAL
               && f.err == &sts_err_post_boundary,
               "content type refused: %s", bad[i]);
            sts_post_form_free(&f);
        }
    }

    ok(sts_post_form_init(&f, A, S("multipart/form-data; x=y; "
                                   "boundary=\"a b\"")) == STS_OK
       && f.delim_len == 7 && memcmp(f.delim, "\r\n--a b", 7) == 0,
       "the quoted boundary, without its quotes");
    sts_post_form_free(&f);

    /* malformed forms */

    {
        static const struct {
            const char             *body;
            const sts_oss_error_t  *err;
        } cases[] = {
            { "preamble\r\n--B\r\nContent-Disposition: form-data; "
              "name=\"file\"\r\n\r\nx\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n"
              "k\r\n--B--\r\n", &sts_err_post_no_file },
            { "--B--\r\n", &sts_err_post_no_file },
            { "--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
              "x\r\n--B\r\nContent-Disposition: form-data; name=\"key\"\r\n"
              "\r\nk\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
              "--B\r\nContent-Disposition: form-data; name=\"A\"\r\n\r\n2\r\n"
              "--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
              "\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"; "
              "filename=\"x\"\r\n\r\n1\r\n--B--", &sts_err_post_no_file },
            { "--B\r\nContent-Type: text/plain\r\n\r\n1\r\n--B--",
              &sts_err_post_malformed },
            { "--B\r\n\r\n1\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1"
              "\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n\r\n"
              "1\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"; "
              "filename*=UTF-8''x\r\n\r\n1\r\n--B--",
              &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\""
              "\r\n\r\n1\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n"
              "--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n"
              " folded\r\n\r\n1\r\n--B--", &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\nMQ==\r\n--B--",
              &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
              "1\r\n--Bx", &sts_err_post_malformed },
            { "--B\nContent-Disposition: form-data; name=\"a\"\n\n1\n--B--",
              &sts_err_post_malformed },
            { "--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
              "x\r\n--B-- and then a very long epilogue"
              "................................................", NULL },
            { NULL, NULL }
        };

        for (i = 0; cases[i].body != NULL; i++) {
            rc = feed(&f, "multipart/form-data; boundary=B", cases[i].body,
                      strlen(cases[i].body), 0);

            if (cases[i].err == NULL) {
                ok(rc == STS_OK, "form #%zu: a short epilogue is fine", i);

            } else {
                ok(rc == STS_EINVAL && f.err == cases[i].err,
                   "form #%zu refused: %s", i, cases[i].err->code);
            }

            sts_post_form_free(&f);
        }
    }

    /* limits */

    sts_buf_init(&b, A, 0);
    sts_buf_append_str(&b, "--B\r\nContent-Disposition: form-data; "
                       "name=\"big\"\r\n\r\n");
    for (i = 0; i < STS_POST_MAX_FIELDS_BYTES; i++) {
        sts_buf_append_char(&b, 'v');
    }

    rc = feed(&f, "multipart/form-data; boundary=B", b.data, b.len, 1000);
    ok(rc == STS_EINVAL && f.err == &sts_err_post_field_too_long,
       "64 KiB of fields: FieldItemTooLong");
    ok(sts_post_form_feed(&f, "x", 1) == STS_EINVAL,
       "an error sticks");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    for (i = 0; i < STS_POST_MAX_FIELDS + 1; i++) {
        sts_buf_appendf(&b, "--B\r\nContent-Disposition: form-data; "
                        "name=\"f%zu\"\r\n\r\nv\r\n", i);
    }

    rc = feed(&f, "multipart/form-data; boundary=B", b.data, b.len, 0);
    ok(rc == STS_EINVAL && f.err == &sts_err_post_malformed,
       "65 fields are too many");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    sts_buf_append_str(&b, "--B\r\nContent-Disposition: form-data; "
                       "name=\"file\"\r\n\r\nx\r\n--B--\r\n");
    for (i = 0; i < STS_POST_MAX_EPILOGUE; i++) {
        sts_buf_append_char(&b, '.');
    }

    rc = feed(&f, "multipart/form-data; boundary=B", b.data, b.len, 0);
    ok(rc == STS_EINVAL && f.err == &sts_err_post_malformed,
       "an epilogue over 1 KiB");
    sts_post_form_free(&f);
    sts_buf_free(&b);
}


static json_t *
vector(json_t *root, const char *id)
{
    size_t   i;
    json_t  *vs, *v;

    vs = json_object_get(root, "vectors");

    for (i = 0; i < json_array_size(vs); i++) {
        v = json_array_get(vs, i);
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0) {
            return v;
        }
    }

    return NULL;
}


static const char *
vs(json_t *v, const char *path)
{
    const char  *dot;
    char         head[64];

    dot = strchr(path, '.');
    if (dot != NULL) {
        memcpy(head, path, (size_t) (dot - path));
        head[dot - path] = '\0';
        return vs(json_object_get(v, head), dot + 1);
    }

    return json_string_value(json_object_get(v, path));
}


/* the vector's suggested form, the file last, plus |extra| fields */
static void
vector_form(json_t *v, const char *extra, const char *file, sts_buf_t *b)
{
    const char  *k;
    json_t      *val;
    sts_buf_t    fields;

    sts_buf_init(&fields, A, 0);

    json_object_foreach(json_object_get(v, "form_fields"), k, val) {
        if (strcmp(k, "file") != 0) {
            sts_buf_appendf(&fields, "%s=%s\n", k, json_string_value(val));
        }
    }

    sts_buf_append_str(&fields, extra);
    build(b, "----WebKitFormBoundaryW0DET1iaBMeAOBg3", fields.data, "me.jpg",
          file, strlen(file));
    sts_buf_free(&fields);
}


static void
test_vectors(void)
{
    json_t                 *root, *v;
    sts_buf_t               b, why;
    sts_str_t               key, secret;
    json_error_t            jerr;
    sts_post_form_t         f;
    sts_post_auth_t         auth;
    sts_post_range_t        range;
    const sts_oss_error_t  *err;

    static const char  ct[] = "multipart/form-data; "
                              "boundary=----WebKitFormBoundaryW0DET1iaBMeAOBg3";

    root = json_load_file("t/vectors/postobject.json", 0, &jerr);
    if (!ok(root != NULL, "t/vectors/postobject.json loads")) {
        return;
    }

    is_int(json_array_size(json_object_get(root, "vectors")), 3,
           "3 PostObject vectors");

    /* V1 with STS credentials */

    v = vector(root, "post-v1-sts");
    vector_form(v, "", "hello", &b);
    ok(feed(&f, ct, b.data, b.len, 3) == STS_OK && f.file_size == 5,
       "post-v1-sts: the form parses, file of 5 bytes");
    ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err) == STS_OK
       && auth.kind == STS_POST_AUTH_V1, "post-v1-sts: V1 fields");
    is_str(auth.access_key_id.data, vs(v, "access_key_id"),
           "post-v1-sts: AccessKeyId");
    ok(sts_str_eq(auth.security_token, vs(v, "security_token")),
       "post-v1-sts: the token comes from the form");

    secret = S(vs(v, "access_key_secret"));
    ok(sts_post_auth_verify(&auth, secret) == STS_OK,
       "post-v1-sts: signature %s", vs(v, "signature"));
    ok(sts_post_auth_verify(&auth, S("Gk8pQ2vXh3sR7tYw9zBn4mLc6dFa1jEv"))
       == STS_EBADSIG, "post-v1-sts: another secret does not verify");

    ok(sts_post_object_key(A, &f, &key, &err) == STS_OK
       && strcmp(key.data, "user/eric/photo 1.jpg") == 0, "post-v1-sts: key");
    ok(sts_post_policy_check(A, &f, &auth, S("examplebucket"), key,
                             VECTOR_NOW, &range, NULL, &err) == STS_OK
       && range.set && range.min == 1 && range.max == 10485760,
       "post-v1-sts: every condition holds, content-length-range 1..10M");

    sts_buf_init(&why, A, 0);
    ok(sts_post_policy_check(A, &f, &auth, S("otherbucket"), key, VECTOR_NOW,
                             &range, &why, &err) == STS_EINVAL
       && err == &sts_err_post_condition
       && strcmp(why.data, "{\"bucket\":\"examplebucket\"}") == 0,
       "post-v1-sts: another bucket fails {\"bucket\": ...}");
    sts_buf_free(&why);

    ok(sts_post_policy_check(A, &f, &auth, S("examplebucket"), key,
                             VECTOR_NOW + 3600, &range, NULL, &err)
       == STS_EINVAL && err == &sts_err_post_policy_expired,
       "post-v1-sts: an hour later the policy has expired");

    /* the signature binds the policy text, byte for byte */
    auth.policy.len--;
    ok(sts_post_auth_verify(&auth, secret) == STS_EBADSIG,
       "post-v1-sts: a shortened policy does not verify");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* a form whose fields differ from the policy */

    vector_form(v, "", "hello", &b);
    {
        char  *p;

        p = strstr(b.data, "\r\n201\r\n");
        p[4] = '0';
    }

    sts_buf_init(&why, A, 0);
    ok(feed(&f, ct, b.data, b.len, 0) == STS_OK
       && sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err)
          == STS_OK
       && sts_post_object_key(A, &f, &key, &err) == STS_OK
       && sts_post_policy_check(A, &f, &auth, S("examplebucket"), key,
                                VECTOR_NOW, &range, &why, &err) == STS_EINVAL
       && err == &sts_err_post_condition
       && strcmp(why.data, "[\"eq\",\"$success_action_status\",\"201\"]")
          == 0, "success_action_status 200 fails [\"eq\", ...]: %s",
       why.data ? why.data : "");
    sts_buf_free(&why);
    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* V1, long-term key, policy with in/not-in */

    v = vector(root, "post-v1-longterm-string-policy");
    sts_buf_init(&b, A, 0);
    sts_buf_appendf(&b, "key=any\nOSSAccessKeyId=%s\npolicy=%s\n"
                    "Signature=%s\nContent-Type=image/png\n",
                    vs(v, "access_key_id"), vs(v, "policy_base64"),
                    vs(v, "signature"));
    {
        sts_buf_t  body;

        build(&body, "b0", b.data, "x", "", 0);
        ok(feed(&f, "multipart/form-data; boundary=b0", body.data, body.len,
                0) == STS_OK && f.file_size == 0, "an empty file");
        sts_buf_free(&body);
    }

    ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err) == STS_OK
       && sts_post_auth_verify(&auth, S(vs(v, "access_key_secret")))
          == STS_OK, "post-v1-longterm-string-policy: signature %s",
       vs(v, "signature"));
    ok(sts_post_policy_check(A, &f, &auth, S("examplebucket"), S("any"),
                             VECTOR_NOW, &range, NULL, &err) == STS_OK
       && range.min == 0 && range.max == 1048576,
       "post-v1-longterm-string-policy: in / not-in hold");
    sts_post_form_free(&f);

    sts_buf_append_str(&b, "Cache-Control=no-cache\n");
    {
        sts_buf_t  body;

        build(&body, "b0", b.data, "x", "", 0);
        ok(feed(&f, "multipart/form-data; boundary=b0", body.data, body.len,
                0) == STS_OK
           && sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err)
              == STS_OK
           && sts_post_policy_check(A, &f, &auth, S("examplebucket"),
                                    S("any"), VECTOR_NOW, &range, NULL, &err)
              == STS_EINVAL && err == &sts_err_post_condition,
           "not-in: Cache-Control no-cache fails");
        sts_buf_free(&body);
    }

    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* V4 */

    v = vector(root, "post-v4-sts");
    vector_form(v, "Content-Type=text/plain\n", "0123456789", &b);
    ok(feed(&f, ct, b.data, b.len, 64) == STS_OK && f.file_size == 10,
       "post-v4-sts: the form parses");
    ok(sts_post_auth_parse(&f, S("cn-hangzhou"), VECTOR_NOW, 900, &auth, &err)
       == STS_OK && auth.kind == STS_POST_AUTH_V4
       && sts_str_eq(auth.access_key_id, vs(v, "access_key_id"))
       && sts_str_eq(auth.region, "cn-hangzhou")
       && sts_str_eq(auth.scope_date, "20240515"), "post-v4-sts: V4 fields");
    ok(sts_post_auth_verify(&auth, S(vs(v, "access_key_secret"))) == STS_OK,
       "post-v4-sts: signature %.16s...", vs(v, "signature"));
    ok(sts_post_auth_verify(&auth, S("x")) == STS_EBADSIG,
       "post-v4-sts: another secret does not verify");
    ok(sts_post_object_key(A, &f, &key, &err) == STS_OK
       && sts_post_policy_check(A, &f, &auth, S("examplebucket"), key,
                                VECTOR_NOW, &range, NULL, &err) == STS_OK
       && range.min == 1 && range.max == 10,
       "post-v4-sts: every condition holds");

    ok(sts_post_auth_parse(&f, S("cn-beijing"), VECTOR_NOW, 900, &auth, &err)
       == STS_EINVAL && err == &sts_err_invalid_argument_v4,
       "post-v4-sts: another region than the gateway's");
    ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW - 901, 900, &auth, &err)
       == STS_EINVAL && err == &sts_err_time_skewed,
       "post-v4-sts: x-oss-date 15 minutes ahead");
    ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW + 604801, 900, &auth, &err)
       == STS_EINVAL && err == &sts_err_request_expired,
       "post-v4-sts: x-oss-date over 7 days old");
    ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW + 3000, 900, &auth, &err)
       == STS_OK && sts_post_policy_check(A, &f, &auth, S("examplebucket"),
                                          key, VECTOR_NOW + 3600, &range,
                                          NULL, &err) == STS_EINVAL
       && err == &sts_err_post_policy_expired,
       "post-v4-sts: the policy expiration still applies");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* the x-oss-date field must equal the policy's */
    vector_form(v, "Content-Type=text/plain\n", "0", &b);
    {
        char  *p;

        p = strstr(b.data, "\r\n20240515T123045Z\r\n");
        p[16] = '6';
    }

    ok(feed(&f, ct, b.data, b.len, 0) == STS_OK
       && sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err)
          == STS_OK
       && sts_post_policy_check(A, &f, &auth, S("examplebucket"),
                                S("user/a.txt"), VECTOR_NOW, &range, NULL,
                                &err) == STS_EINVAL
       && err == &sts_err_post_condition,
       "post-v4-sts: a form x-oss-date other than the policy's");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    json_decref(root);
}


/* a V1 form with a policy written here (signature not checked) */
static int
policy_case(const char *policy_json, const char *fields, const char *key,
    int64_t now, sts_post_range_t *range, const sts_oss_error_t **err)
{
    int              rc;
    char            *b64;
    sts_buf_t        b, all;
    sts_post_form_t  f;
    sts_post_auth_t  auth;

    b64 = malloc(sts_base64_encoded_len(strlen(policy_json)) + 1);
    b64[sts_base64_encode(b64, (const unsigned char *) policy_json,
                          strlen(policy_json))] = '\0';

    sts_buf_init(&all, A, 0);
    sts_buf_appendf(&all, "OSSAccessKeyId=STS.x\nSignature=s\npolicy=%s\n%s",
                    b64, fields);
    build(&b, "q", all.data, "x.jpg", "12345", 5);

    rc = feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0);
    if (rc == STS_OK) {
        rc = sts_post_auth_parse(&f, S(""), now, 900, &auth, err);
    }

    if (rc == STS_OK) {
        rc = sts_post_policy_check(A, &f, &auth, S("b-1"), S(key), now,
                                   range, NULL, err);
    }

    sts_post_form_free(&f);
    sts_buf_free(&b);
    sts_buf_free(&all);
    free(b64);

    return rc;
}


static void
test_policy(void)
{
    size_t                  i;
    sts_post_range_t        range;
    const sts_oss_error_t  *err;

#define EXP  "\"expiration\":\"2030-01-01T00:00:00Z\""

    static const struct {
        const char             *policy;
        const char             *fields;
        const char             *key;     /* after ${filename} */
        const sts_oss_error_t  *err;     /* NULL: holds */
    } cases[] = {
        { "{" EXP ",\"conditions\":[]}", "", "k", NULL },
        { "{" EXP ",\"conditions\":[{\"bucket\":\"b-1\"},"
          "[\"starts-with\",\"$key\",\"up/\"]]}", "key=up/${filename}\n",
          "up/x.jpg", NULL },
        { "{" EXP ",\"conditions\":[[\"starts-with\",\"$key\",\"up/\"]]}",
          "key=${filename}\n", "up/x.jpg", &sts_err_post_condition },
        { "{" EXP ",\"conditions\":[[\"starts-with\",\"$key\",\"up/\"]]}",
          "key=up/${filename}\n", "down/x.jpg", &sts_err_post_condition },
        { "{" EXP ",\"conditions\":[[\"starts-with\",\"$KEY\",\"\"]]}",
          "", "k", NULL },
        { "{" EXP ",\"conditions\":[[\"eq\",\"$x-oss-meta-a\",\"1\"]]}",
          "X-OSS-Meta-A=1\n", "k", NULL },
        { "{" EXP ",\"conditions\":[[\"eq\",\"$x-oss-meta-a\",\"1\"]]}",
          "", "k", &sts_err_post_condition },
        { "{" EXP ",\"conditions\":[{\"x-oss-meta-a\":\"\"}]}", "", "k",
          NULL },
        { "{" EXP ",\"conditions\":[[\"in\",\"$content-type\",[]]]}",
          "Content-Type=a\n", "k", &sts_err_post_condition },
        { "{" EXP ",\"conditions\":[[\"not-in\",\"$content-type\","
          "[\"a\"]]]}", "Content-Type=b\n", "k", NULL },
        { "{" EXP ",\"conditions\":[{\"bucket\":\"b-2\"}]}", "", "k",
          &sts_err_post_condition },
        { "{" EXP ",\"conditions\":[[\"eq\",\"$bucket\",\"b-1\"]]}", "", "k",
          NULL },
        { "{" EXP ",\"conditions\":[[\"eq\",\"$a\",\"\\\\$x\"]]}",
          "a=$x\n", "k", NULL },
        { "{" EXP ",\"conditions\":[[\"content-length-range\",1,9],"
          "[\"content-length-range\",3,20]]}", "", "k", NULL },
        { "{" EXP ",\"conditions\":[[\"content-length-range\",1,2],"
          "[\"content-length-range\",3,20]]}", "", "k",
          &sts_err_post_condition },
        { "{\"expiration\":\"2020-01-01T00:00:00Z\",\"conditions\":[]}", "",
          "k", &sts_err_post_policy_expired },

        /* not a policy */
        { "{" EXP "}", "", "k", &sts_err_post_policy_invalid },
        { "{\"conditions\":[]}", "", "k", &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":{}}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[],\"x\":1}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[]," EXP "}", "", "k",
          &sts_err_post_policy_invalid },
        { "{\"expiration\":\"tomorrow\",\"conditions\":[]}", "", "k",
          &sts_err_post_policy_invalid },
        { "[]", "", "k", &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"matches\",\"$key\",\"a\"]]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"eq\",\"key\",\"a\"]]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"eq\",\"$key\"]]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"eq\",\"$key\",1]]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"in\",\"$key\",[1]]]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"content-length-range\",10,1]]}", "",
          "k", &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"content-length-range\",-1,1]]}", "",
          "k", &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[[\"content-length-range\",\"1\",2]]}",
          "", "k", &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[{\"a\":1}]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[{}]}", "", "k",
          &sts_err_post_policy_invalid },
        { "{" EXP ",\"conditions\":[\"key\"]}", "", "k",
          &sts_err_post_policy_invalid },
        { NULL, NULL, NULL, NULL }
    };

    for (i = 0; cases[i].policy != NULL; i++) {
        err = NULL;

        if (cases[i].err == NULL) {
            ok(policy_case(cases[i].policy, cases[i].fields, cases[i].key,
                           VECTOR_NOW, &range, &err) == STS_OK,
               "policy #%zu holds (%s)", i, err ? err->message : "");

        } else {
            ok(policy_case(cases[i].policy, cases[i].fields, cases[i].key,
                           VECTOR_NOW, &range, &err) == STS_EINVAL
               && err == cases[i].err, "policy #%zu: %s", i,
               cases[i].err->message);
        }
    }

    /* not base64 at all */
    {
        sts_buf_t        b;
        sts_post_form_t  f;
        sts_post_auth_t  auth;

        build(&b, "q", "OSSAccessKeyId=STS.x\nSignature=s\npolicy=%%%\n",
              "x", "1", 1);
        ok(feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0)
           == STS_OK
           && sts_post_auth_parse(&f, S(""), 0, 900, &auth, &err) == STS_OK
           && sts_post_policy_check(A, &f, &auth, S("b-1"), S("k"), 0,
                                    &range, NULL, &err) == STS_EINVAL
           && err == &sts_err_post_policy_invalid, "a policy not in base64");
        sts_post_form_free(&f);
        sts_buf_free(&b);
    }
}


static void
test_auth_fields(void)
{
    size_t                  i;
    sts_buf_t               b;
    sts_post_form_t         f;
    sts_post_auth_t         auth;
    const sts_oss_error_t  *err;

    static const struct {
        const char             *fields;
        int                     kind;
        const sts_oss_error_t  *err;
    } cases[] = {
        { "key=k\n", STS_POST_AUTH_NONE, NULL },
        { "key=k\nOSSAccessKeyId=STS.a\npolicy=e30=\nSignature=s\n",
          STS_POST_AUTH_V1, NULL },
        { "key=k\nOSSAccessKeyId=STS.a\n", 0, &sts_err_post_fields },
        { "key=k\npolicy=e30=\n", 0, &sts_err_post_fields },
        { "key=k\nSignature=s\npolicy=e30=\n", 0, &sts_err_post_fields },
        { "key=k\nOSSAccessKeyId=STS.a\npolicy=e30=\nSignature=\n", 0,
          &sts_err_post_fields },
        { "key=k\nOSSAccessKeyId=STS.a\npolicy=e30=\nSignature=s\n"
          "x-oss-credential=c\n", 0, &sts_err_post_fields },
        { "key=k\nx-oss-signature-version=OSS4-HMAC-SHA256\n"
          "x-oss-credential=STS.a/20240515/cn-hangzhou/oss/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\nx-oss-signature="
          "582a94504c77210a313c5578c72b8d1e7f3b82b722e223a21d89f4890085bda0\n",
          STS_POST_AUTH_V4, NULL },
        { "key=k\nx-oss-signature-version=OSS4-HMAC-SHA256\n"
          "x-oss-credential=STS.a/20240515/cn-hangzhou/oss/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\n", 0,
          &sts_err_post_fields },
        { "key=k\nx-oss-signature-version=OSS2\n"
          "x-oss-credential=STS.a/20240515/cn-hangzhou/oss/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\nx-oss-signature="
          "582a94504c77210a313c5578c72b8d1e7f3b82b722e223a21d89f4890085bda0\n",
          0, &sts_err_invalid_argument_v4 },
        { "key=k\nx-oss-signature-version=OSS4-HMAC-SHA256\n"
          "x-oss-credential=STS.a/20240515/cn-hangzhou/s3/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\nx-oss-signature="
          "582a94504c77210a313c5578c72b8d1e7f3b82b722e223a21d89f4890085bda0\n",
          0, &sts_err_invalid_argument_v4 },
        { "key=k\nx-oss-signature-version=OSS4-HMAC-SHA256\n"
          "x-oss-credential=20240515/cn-hangzhou/oss/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\nx-oss-signature="
          "582a94504c77210a313c5578c72b8d1e7f3b82b722e223a21d89f4890085bda0\n",
          0, &sts_err_invalid_argument_v4 },
        { "key=k\nx-oss-signature-version=OSS4-HMAC-SHA256\n"
          "x-oss-credential=STS.a/20240514/cn-hangzhou/oss/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\nx-oss-signature="
          "582a94504c77210a313c5578c72b8d1e7f3b82b722e223a21d89f4890085bda0\n",
          0, &sts_err_invalid_argument_v4 },
        { "key=k\nx-oss-signature-version=OSS4-HMAC-SHA256\n"
          "x-oss-credential=STS.a/20240515/cn-hangzhou/oss/aliyun_v4_request"
          "\nx-oss-date=20240515T123045Z\npolicy=e30=\nx-oss-signature="
          "582A94504C77210A313C5578C72B8D1E7F3B82B722E223A21D89F4890085BDA0\n",
          0, &sts_err_invalid_argument_v4 },
        { NULL, 0, NULL }
    };

    for (i = 0; cases[i].fields != NULL; i++) {
        build(&b, "q", cases[i].fields, "x", "1", 1);

        if (!ok(feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0)
                == STS_OK, "auth form #%zu parses", i))
        {
            sts_post_form_free(&f);
            sts_buf_free(&b);
            continue;
        }

        if (cases[i].err == NULL) {
            ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err)
               == STS_OK && (int) auth.kind == cases[i].kind,
               "auth form #%zu: kind %d", i, cases[i].kind);

        } else {
            ok(sts_post_auth_parse(&f, S(""), VECTOR_NOW, 900, &auth, &err)
               == STS_EINVAL && err == cases[i].err,
               "auth form #%zu refused: %s", i, cases[i].err->code);
        }

        sts_post_form_free(&f);
        sts_buf_free(&b);
    }

    auth.kind = STS_POST_AUTH_NONE;
    ok(sts_post_auth_verify(&auth, S("s")) == STS_EINVAL,
       "no signature: nothing to verify");
}


static void
test_filename(void)
{
    size_t                  i;
    sts_buf_t               b;
    sts_str_t               key;
    sts_post_form_t         f;
    const sts_oss_error_t  *err;

    static const struct {
        const char  *key;
        const char  *filename;
        const char  *expect;
    } cases[] = {
        { "user/${filename}", "photo 1.jpg", "user/photo 1.jpg" },
        { "u/${filename}/${filename}", "x.y", "u/x.y/x.y" },
        { "u/${file}", "a", "u/${file}" },
        { "plain", "a", "plain" },
        { "plain", "../x", "plain" },
        { NULL, NULL, NULL }
    };

    /* what a store could read as a path: refused where substituted */
    static const char  *refused[] = {
        "C:/Users/a/b.png", "../x", "", "a/b", "..", "a..b", "x\t.png",
        "\x7f", NULL
    };

    for (i = 0; cases[i].key != NULL; i++) {
        sts_buf_t  fields;

        sts_buf_init(&fields, A, 0);
        sts_buf_appendf(&fields, "key=%s\n", cases[i].key);
        build(&b, "q", fields.data, cases[i].filename, "1", 1);

        ok(feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0)
           == STS_OK && sts_post_object_key(A, &f, &key, &err) == STS_OK,
           "key %s", cases[i].key);
        is_str(key.data, cases[i].expect, "%s with filename \"%s\"",
               cases[i].key, cases[i].filename);

        sts_post_form_free(&f);
        sts_buf_free(&b);
        sts_buf_free(&fields);
    }

    for (i = 0; refused[i] != NULL; i++) {
        build(&b, "q", "key=u/${filename}\n", refused[i], "1", 1);

        ok(feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0)
           == STS_OK && sts_post_object_key(A, &f, &key, &err) == STS_EINVAL
           && err == &sts_err_post_filename,
           "${filename} refused for filename \"%s\"", refused[i]);

        sts_post_form_free(&f);
        sts_buf_free(&b);
    }

    build(&b, "q", "key=${filename}\n", "C:\\a\\b.png", "1", 1);
    ok(feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0)
       == STS_EINVAL && f.err == &sts_err_post_malformed,
       "a backslash in a quoted filename is refused, not interpreted");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    build(&b, "q", "a=1\n", "x", "1", 1);
    ok(feed(&f, "multipart/form-data; boundary=q", b.data, b.len, 0)
       == STS_OK && sts_post_object_key(A, &f, &key, &err) == STS_EINVAL
       && err == &sts_err_post_no_file, "no key field");
    sts_post_form_free(&f);
    sts_buf_free(&b);

    /* the key the gateway then authorises is checked like any other */
    ok(!sts_oss_is_valid_key(S("u/..")), "a filename of \"..\" is refused");
}


int
main(void)
{
    test_parser();
    test_vectors();
    test_policy();
    test_auth_fields();
    test_filename();

    return tap_done();
}
