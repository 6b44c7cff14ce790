/*
 * Copyright (C) nginx-sts authors
 *
 * test_http: percent-decoding, query parsing and header lookup
 * (doc/protocol.md 0.4).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "sts_http.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


/* decode |in| and compare with |expect| (NULL: expect |rc_expect|) */

static void
decode_is(const char *in, int plus, const char *expect, int rc_expect)
{
    int        rc;
    sts_str_t  out;

    rc = sts_percent_decode(A, S(in), plus, &out);

    if (expect == NULL) {
        is_int(rc, rc_expect, "decode '%s' plus=%d fails with %d", in, plus,
               rc_expect);
        ok(out.data == NULL && out.len == 0, "decode '%s': no output", in);
        return;
    }

    is_int(rc, STS_OK, "decode '%s' plus=%d", in, plus);
    if (rc == STS_OK) {
        is_str(out.data, expect, "decode '%s' plus=%d value", in, plus);
        is_int(out.len, strlen(expect), "decode '%s' length", in);
    }

    sts_free(A, (void *) out.data);
}


static void
test_decode(void)
{
    decode_is("", 0, "", 0);
    decode_is("plain", 0, "plain", 0);
    decode_is("a%20b", 0, "a b", 0);
    decode_is("a+b", 0, "a+b", 0);
    decode_is("a+b", 1, "a b", 0);
    decode_is("%2B", 0, "+", 0);
    decode_is("%2B", 1, "+", 0);
    decode_is("%2b%2f", 1, "+/", 0);
    decode_is("%41%5a%61", 0, "AZa", 0);
    decode_is("%E4%B8%AD%E6%96%87", 0, "\xe4\xb8\xad\xe6\x96\x87", 0);
    decode_is("\xe4\xb8\xad", 0, "\xe4\xb8\xad", 0);
    decode_is("%F0%9F%98%80", 0, "\xf0\x9f\x98\x80", 0);
    decode_is("%C2%80", 0, "\xc2\x80", 0);
    decode_is("%EF%BF%BF", 0, "\xef\xbf\xbf", 0);
    decode_is("%F4%8F%BF%BF", 0, "\xf4\x8f\xbf\xbf", 0);
    decode_is("100%25", 0, "100%", 0);

    /* escapes */
    decode_is("%", 0, NULL, STS_EINVAL);
    decode_is("a%", 0, NULL, STS_EINVAL);
    decode_is("%4", 0, NULL, STS_EINVAL);
    decode_is("ab%4", 0, NULL, STS_EINVAL);
    decode_is("%4g", 0, NULL, STS_EINVAL);
    decode_is("%g4", 0, NULL, STS_EINVAL);
    decode_is("% 4", 0, NULL, STS_EINVAL);

    /* NUL */
    decode_is("%00", 0, NULL, STS_EINVAL);
    decode_is("a%00b", 1, NULL, STS_EINVAL);

    /* UTF-8 */
    decode_is("%FF", 0, NULL, STS_EINVAL);
    decode_is("%80", 0, NULL, STS_EINVAL);
    decode_is("%C3", 0, NULL, STS_EINVAL);
    decode_is("%C3%28", 0, NULL, STS_EINVAL);
    decode_is("%C0%AF", 0, NULL, STS_EINVAL);          /* overlong '/' */
    decode_is("%C1%BF", 0, NULL, STS_EINVAL);
    decode_is("%E0%80%AF", 0, NULL, STS_EINVAL);       /* overlong */
    decode_is("%F0%80%80%AF", 0, NULL, STS_EINVAL);    /* overlong */
    decode_is("%ED%A0%80", 0, NULL, STS_EINVAL);       /* surrogate */
    decode_is("%ED%BF%BF", 0, NULL, STS_EINVAL);
    decode_is("%F4%90%80%80", 0, NULL, STS_EINVAL);    /* > U+10FFFF */
    decode_is("%F8%88%80%80%80", 0, NULL, STS_EINVAL); /* 5 bytes */
    decode_is("%E4%B8", 0, NULL, STS_EINVAL);          /* truncated */
    decode_is("\xff", 0, NULL, STS_EINVAL);            /* raw byte */
    decode_is("ok\xe4\xb8", 0, NULL, STS_EINVAL);
}


/*
 * Decoding and UTF-8 checks that go eight bytes at a time: a '%', a '+', a
 * NUL or a non-ASCII byte at every position of texts of 1 to 24 bytes
 * (within, across and after whole words).
 */
static void
test_decode_words(void)
{
    int        rc, bad;
    char       in[32], expect[32];
    size_t     len, pos;
    sts_str_t  out, raw;

    bad = 0;

    for (len = 1; len <= 24; len++) {
        for (pos = 0; pos < len; pos++) {
            /* "%41" at pos: one byte shorter each side of the escape */
            if (pos + 3 <= len) {
                memset(in, 'x', len);
                memcpy(in + pos, "%41", 3);
                in[len] = '\0';
                memset(expect, 'x', len - 2);
                expect[pos] = 'A';
                expect[len - 2] = '\0';

                rc = sts_percent_decode(A, S(in), 1, &out);
                bad += rc != STS_OK || out.len != len - 2
                       || memcmp(out.data, expect, len - 2) != 0;
                sts_free(A, (void *) out.data);
            }

            /* '+': a space, or itself */
            memset(in, 'y', len);
            in[pos] = '+';
            in[len] = '\0';
            memcpy(expect, in, len + 1);
            rc = sts_percent_decode(A, S(in), 0, &out);
            bad += rc != STS_OK || out.len != len
                   || memcmp(out.data, expect, len) != 0;
            sts_free(A, (void *) out.data);
            expect[pos] = ' ';
            rc = sts_percent_decode(A, S(in), 1, &out);
            bad += rc != STS_OK || out.len != len
                   || memcmp(out.data, expect, len) != 0;
            sts_free(A, (void *) out.data);

            /* a NUL byte, raw: refused */
            memset(in, 'z', len);
            in[pos] = '\0';
            raw.data = in;
            raw.len = len;
            rc = sts_percent_decode(A, raw, 1, &out);
            bad += rc == STS_OK;
            sts_free(A, (void *) out.data);

            /* a lone continuation byte is not UTF-8; a 2-byte one is */
            memset(in, 'w', len);
            in[pos] = (char) 0x80;
            bad += sts_utf8_valid((const unsigned char *) in, len) != 0;
            if (pos + 2 <= len) {
                in[pos] = (char) 0xc3;
                in[pos + 1] = (char) 0xa9;
                bad += sts_utf8_valid((const unsigned char *) in, len) != 1;
            }
        }
    }

    is_int(bad, 0, "decoding and UTF-8 at every position of 1..24 bytes");
}


static void
test_query_basic(void)
{
    int           rc;
    sts_params_t  p;

    rc = sts_query_parse(A, S(""), &p);
    is_int(rc, STS_OK, "empty query");
    is_int(p.num, 0, "empty query: no parameters");
    ok(p.items == NULL, "empty query: no allocation");

    rc = sts_query_parse(A, S("&&&"), &p);
    is_int(rc, STS_OK, "only separators");
    is_int(p.num, 0, "only separators: no parameters");

    rc = sts_query_parse(A, S("a=1&b=two&c"), &p);
    is_int(rc, STS_OK, "three parameters");
    is_int(p.num, 3, "three parameters: count");
    if (rc == STS_OK && p.num == 3) {
        is_str(p.items[0].name.data, "a", "first name");
        is_str(p.items[0].value.data, "1", "first value");
        is_int(p.items[0].has_eq, 1, "first has '='");
        is_str(p.items[1].name.data, "b", "second name (arrival order)");
        is_str(p.items[1].value.data, "two", "second value");
        is_str(p.items[2].name.data, "c", "third name");
        is_int(p.items[2].value.len, 0, "third value empty");
        is_int(p.items[2].has_eq, 0, "third has no '='");
    }
    sts_free(A, p.items);

    /* "k" and "k=" both mean key k, empty value */
    rc = sts_query_parse(A, S("acl="), &p);
    is_int(rc, STS_OK, "k=");
    if (rc == STS_OK) {
        is_str(p.items[0].name.data, "acl", "k=: name");
        is_str(p.items[0].value.data, "", "k=: value empty");
        is_int(p.items[0].has_eq, 1, "k=: has_eq 1");
        ok(sts_params_get(&p, "acl") != NULL, "k=: found by name");
    }
    sts_free(A, p.items);

    rc = sts_query_parse(A, S("acl"), &p);
    is_int(rc, STS_OK, "k");
    if (rc == STS_OK) {
        is_str(p.items[0].value.data, "", "k: value empty");
        is_int(p.items[0].has_eq, 0, "k: has_eq 0");
    }
    sts_free(A, p.items);

    /* empty items are skipped */
    rc = sts_query_parse(A, S("&a=1&&b&"), &p);
    is_int(rc, STS_OK, "empty items");
    is_int(p.num, 2, "empty items skipped");
    if (rc == STS_OK && p.num == 2) {
        is_str(p.items[1].name.data, "b", "after empty items");
    }
    sts_free(A, p.items);

    /* the first '=' splits */
    rc = sts_query_parse(A, S("a=b=c&d=="), &p);
    is_int(rc, STS_OK, "value with '='");
    if (rc == STS_OK) {
        is_str(p.items[0].value.data, "b=c", "a=b=c value");
        is_str(p.items[1].value.data, "=", "d== value");
    }
    sts_free(A, p.items);
}


static void
test_query_decoding(void)
{
    int           rc;
    sts_params_t  p;

    /* '+' is space, %2B is plus */
    rc = sts_query_parse(A, S("x=%2B+y&n+a%2Bme=1"), &p);
    is_int(rc, STS_OK, "plus and %%2B");
    if (rc == STS_OK) {
        is_str(p.items[0].value.data, "+ y", "%%2B+y -> '+ y'");
        is_str(p.items[1].name.data, "n a+me", "name decoded");
    }
    sts_free(A, p.items);

    rc = sts_query_parse(A, S("a%3Db=c%26d"), &p);
    is_int(rc, STS_OK, "encoded = and &");
    if (rc == STS_OK) {
        is_int(p.num, 1, "encoded '&' does not split");
        is_str(p.items[0].name.data, "a=b", "encoded '=' in name");
        is_str(p.items[0].value.data, "c&d", "encoded '&' in value");
    }
    sts_free(A, p.items);

    rc = sts_query_parse(A,
            S("response-content-disposition=attachment%3B%20filename%3D"
              "%22%E6%8A%A5%E5%91%8A%202024.pdf%22"), &p);
    is_int(rc, STS_OK, "unicode value");
    if (rc == STS_OK) {
        is_str(p.items[0].value.data,
               "attachment; filename=\"\xe6\x8a\xa5\xe5\x91\x8a 2024.pdf\"",
               "unicode value decoded");
    }
    sts_free(A, p.items);

    rc = sts_query_parse(A, S("a=%00"), &p);
    is_int(rc, STS_EINVAL, "%%00 in a value rejected");
    ok(p.items == NULL && p.num == 0, "failure leaves no parameters");

    rc = sts_query_parse(A, S("a%00b=1"), &p);
    is_int(rc, STS_EINVAL, "%%00 in a name rejected");

    rc = sts_query_parse(A, S("a=%E4%B8"), &p);
    is_int(rc, STS_EINVAL, "invalid UTF-8 value rejected");

    rc = sts_query_parse(A, S("%C0%AF=1"), &p);
    is_int(rc, STS_EINVAL, "overlong UTF-8 name rejected");

    rc = sts_query_parse(A, S("a=1&b=%4"), &p);
    is_int(rc, STS_EINVAL, "truncated escape rejected");

    rc = sts_query_parse(A, S("a=%"), &p);
    is_int(rc, STS_EINVAL, "lone '%%' rejected");

    rc = sts_query_parse(A, S("a=%zz"), &p);
    is_int(rc, STS_EINVAL, "non-hex escape rejected");

    rc = sts_query_parse(A, S("=v"), &p);
    is_int(rc, STS_EINVAL, "value without a name rejected");

    rc = sts_query_parse(A, S("a=1&="), &p);
    is_int(rc, STS_EINVAL, "bare '=' rejected");
}


static void
test_query_duplicates(void)
{
    int           rc;
    sts_params_t  p;

    rc = sts_query_parse(A, S("a=1&a=2"), &p);
    is_int(rc, STS_EDUP, "a=1&a=2 is a duplicate");
    ok(p.items == NULL, "duplicate leaves no parameters");

    rc = sts_query_parse(A, S("acl&acl="), &p);
    is_int(rc, STS_EDUP, "k and k= are the same name");

    rc = sts_query_parse(A, S("a+b=1&a%20b=2"), &p);
    is_int(rc, STS_EDUP, "duplicates compared after decoding");

    rc = sts_query_parse(A, S("x=1&b=2&c=3&d=4&x"), &p);
    is_int(rc, STS_EDUP, "duplicate far apart");

    rc = sts_query_parse(A, S("a=1&A=2&a%2B=3"), &p);
    is_int(rc, STS_OK, "names are case-sensitive");
    is_int(p.num, 3, "three distinct names");
    ok(sts_params_get(&p, "A") != NULL, "get A");
    ok(sts_params_get(&p, "a+") != NULL, "get a+");
    ok(sts_params_get(&p, "b") == NULL, "get missing name");
    sts_free(A, p.items);
}


static void
test_query_limits(void)
{
    int           rc;
    char         *q, *w;
    size_t        i;
    sts_params_t  p;

    q = malloc(1001 * 8 + 1);
    if (q == NULL) {
        ok(0, "malloc");
        return;
    }

    w = q;
    for (i = 0; i < 1000; i++) {
        w += sprintf(w, "%sp%zu", i ? "&" : "", i);
    }

    rc = sts_query_parse(A, S(q), &p);
    is_int(rc, STS_OK, "1000 parameters accepted");
    is_int(p.num, 1000, "1000 parameters parsed");
    if (rc == STS_OK) {
        is_str(p.items[999].name.data, "p999", "last of 1000");
    }
    sts_free(A, p.items);

    sprintf(w, "&p1000");
    rc = sts_query_parse(A, S(q), &p);
    is_int(rc, STS_ETOOBIG, "1001 parameters refused");

    /* empty items do not count */
    strcpy(w, "&&&&");
    rc = sts_query_parse(A, S(q), &p);
    is_int(rc, STS_OK, "1000 parameters and empty items");
    sts_free(A, p.items);

    free(q);
}


static void
test_headers(void)
{
    size_t               n;
    sts_header_t         h[4];
    sts_http_request_t   r;
    const sts_header_t  *f;

    memset(&r, 0, sizeof(r));

    h[0].name = S("Content-Type");
    h[0].value = S("text/plain");
    h[1].name = S("X-OSS-Meta-A");
    h[1].value = S("1");
    h[2].name = S("x-oss-meta-a");
    h[2].value = S("2");
    h[3].name = S("x-oss-meta-ab");
    h[3].value = S("3");

    r.headers = h;
    r.num_headers = 4;

    f = sts_http_header(&r, "content-type", &n);
    ok(f == &h[0], "header lookup ignores case");
    is_int(n, 1, "one content-type");

    f = sts_http_header(&r, "x-oss-meta-a", &n);
    ok(f == &h[1], "first of repeated headers");
    is_int(n, 2, "repeated header counted");

    f = sts_http_header(&r, "x-oss-meta", &n);
    ok(f == NULL, "prefix does not match");
    is_int(n, 0, "missing header count 0");

    f = sts_http_header(&r, "X-OSS-META-AB", NULL);
    ok(f == &h[3], "count may be NULL");

    r.num_headers = 0;
    f = sts_http_header(&r, "content-type", &n);
    ok(f == NULL && n == 0, "no headers");
}


static void
test_target(void)
{
    size_t              i;
    sts_http_request_t  r;

    static const struct {
        const char  *path;
        const char  *query;
        int          valid;
    } cases[] = {
        { "/b/k.jpg", "", 1 },
        { "/b/k%23.jpg", "prefix=%23&uploadId=U1", 1 },
        { "/b/secret.txt#.jpg", "", 0 },
        { "/b/k#", "", 0 },
        { "#", "", 0 },
        { "/b/k", "prefix=#&uploadId=U1", 0 },
        { "/b/k", "uploadId=U1#", 0 },
        { "/b/k", "#", 0 },
        { "", "", 1 },
    };

    memset(&r, 0, sizeof(r));

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r.raw_path.data = cases[i].path;
        r.raw_path.len = strlen(cases[i].path);
        r.raw_query.data = cases[i].query;
        r.raw_query.len = strlen(cases[i].query);

        is_int(sts_http_target_valid(&r), cases[i].valid,
               "target \"%s?%s\"", cases[i].path, cases[i].query);
    }
}


int
main(void)
{
    test_decode();
    test_decode_words();
    test_query_basic();
    test_query_decoding();
    test_query_duplicates();
    test_query_limits();
    test_headers();
    test_target();

    return tap_done();
}
