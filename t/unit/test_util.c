/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_util: base64, constant-time compare, time parsing,
 * percent-encoding.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_util.h"
#include "tap.h"


static void
test_base64(void)
{
    char           enc[64];
    size_t         n, out_len;
    unsigned char  dec[64];

    n = sts_base64_encode(enc, (const unsigned char *) "foob", 4);
    enc[n] = '\0';
    is_str(enc, "Zm9vYg==", "base64 encode with padding");

    n = sts_base64url_encode(enc, (const unsigned char *) "\xfb\xff", 2);
    enc[n] = '\0';
    is_str(enc, "-_8", "base64url encode without padding");
    is_int(sts_base64url_encoded_len(2), 3, "base64url length of 2 bytes");

    ok(sts_base64_decode(dec, &out_len, "Zm9vYmFy", 8) == STS_OK
       && out_len == 6 && memcmp(dec, "foobar", 6) == 0, "base64 decode");
    ok(sts_base64_decode(dec, &out_len, "Zm9vYg=", 7) == STS_EINVAL,
       "base64 decode refuses bad padding");
    ok(sts_base64_decode(dec, &out_len, "Zm9v Yg==", 9) == STS_EINVAL,
       "base64 decode refuses whitespace");
    ok(sts_base64_decode(dec, &out_len, "Zm9vYh==", 8) == STS_EINVAL,
       "base64 decode refuses non-canonical trailing bits");
    ok(sts_base64url_decode(dec, &out_len, "-_8", 3) == STS_OK
       && out_len == 2 && dec[0] == 0xfb && dec[1] == 0xff,
       "base64url decode");
    ok(sts_base64url_decode(dec, &out_len, "-_8=", 4) == STS_EINVAL,
       "base64url decode refuses padding");
    ok(sts_base64url_decode(dec, &out_len, "A", 1) == STS_EINVAL,
       "base64url decode refuses a single character");
}


static void
test_compare(void)
{
    ok(sts_ct_equal("abc", 3, "abc", 3) == 1, "ct_equal equal");
    ok(sts_ct_equal("abc", 3, "abd", 3) == 0, "ct_equal differs");
    ok(sts_ct_equal("abc", 3, "abcd", 4) == 0, "ct_equal lengths differ");
    ok(sts_ct_equal("", 0, "", 0) == 1, "ct_equal empty");
}


static void
test_time(void)
{
    char     out[64];
    int64_t  t;

    ok(sts_parse_rfc1123("Wed, 15 May 2024 12:30:45 GMT", 29, &t) == STS_OK
       && t == 1715776245, "rfc1123 parse");
    ok(sts_parse_rfc1123("Thu, 15 May 2024 12:30:45 GMT", 29, &t)
       == STS_EINVAL, "rfc1123 wrong weekday refused");
    ok(sts_parse_rfc1123("Wed, 5 May 2024 12:30:45 GMT", 28, &t)
       == STS_EINVAL, "rfc1123 one-digit day refused");
    ok(sts_parse_rfc1123("Wed, 31 Feb 2024 12:30:45 GMT", 29, &t)
       == STS_EINVAL, "rfc1123 impossible date refused");
    ok(sts_parse_rfc1123("Wed, 15 May 2024 12:30:45 UTC", 29, &t)
       == STS_EINVAL, "rfc1123 non-GMT refused");

    sts_format_rfc1123(out, 1715776245);
    is_str(out, "Wed, 15 May 2024 12:30:45 GMT", "rfc1123 format");

    ok(sts_parse_iso8601("2024-05-15T12:30:45Z", 20, &t) == STS_OK
       && t == 1715776245, "iso8601 extended parse");
    ok(sts_parse_iso8601("2024-05-15T12:30:45.123Z", 24, &t) == STS_OK
       && t == 1715776245, "iso8601 with milliseconds");
    ok(sts_parse_iso8601("20240515T123045Z", 16, &t) == STS_OK
       && t == 1715776245, "iso8601 basic parse");
    ok(sts_parse_iso8601("2024-05-15 12:30:45Z", 20, &t) == STS_EINVAL,
       "iso8601 without T refused");
    ok(sts_parse_iso8601("2024-13-15T12:30:45Z", 20, &t) == STS_EINVAL,
       "iso8601 month 13 refused");

    sts_format_iso8601(out, 1715776245);
    is_str(out, "2024-05-15T12:30:45Z", "iso8601 format");
    sts_format_iso8601_basic(out, 1715776245);
    is_str(out, "20240515T123045Z", "iso8601 basic format");

    sts_format_iso8601(out, 951782400);
    is_str(out, "2000-02-29T00:00:00Z", "leap day 2000");
    ok(sts_parse_iso8601("2100-02-29T00:00:00Z", 20, &t) == STS_EINVAL,
       "2100 is not a leap year");
}


static void
test_buf(void)
{
    sts_buf_t  b;

    sts_buf_init(&b, &sts_malloc_allocator, 8);
    ok(sts_buf_append_str(&b, "abcd") == STS_OK, "buf append");
    ok(sts_buf_appendf(&b, "%d", 1234) == STS_OK && b.len == 8
       && strcmp(b.data, "abcd1234") == 0, "buf appendf");
    ok(sts_buf_append_char(&b, 'x') == STS_ETOOBIG, "buf over max fails");
    ok(sts_buf_ok(&b) == STS_ETOOBIG, "buf failure is sticky");
    sts_buf_wipe_free(&b);

    {
        uint64_t  v;

        ok(sts_parse_uint64("18446744073709551615", 20, &v) == STS_OK
           && v == UINT64_MAX, "uint64 max");
        ok(sts_parse_uint64("18446744073709551616", 20, &v) == STS_EINVAL,
           "uint64 overflow refused");
        ok(sts_parse_uint64("-1", 2, &v) == STS_EINVAL, "negative refused");
        ok(sts_parse_uint64("", 0, &v) == STS_EINVAL, "empty refused");
    }
}


static void
test_hmac(void)
{
    char           hex[65];
    unsigned char  key[131], out[32];

    /* RFC 2202 test case 1, RFC 4231 test cases 1 and 6 */
    memset(key, 0x0b, 20);
    ok(sts_hmac(STS_HASH_SHA1, key, 20, "Hi There", 8, out) == STS_OK,
       "hmac-sha1");
    sts_hex_encode(hex, out, 20);
    hex[40] = '\0';
    is_str(hex, "b617318655057264e28bc0b6fb378c8ef146be00",
           "RFC 2202 case 1");

    ok(sts_hmac(STS_HASH_SHA256, key, 20, "Hi There", 8, out) == STS_OK,
       "hmac-sha256");
    sts_hex_encode(hex, out, 32);
    hex[64] = '\0';
    is_str(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e"
           "32cff7", "RFC 4231 case 1");

    memset(key, 0xaa, sizeof(key));
    ok(sts_hmac(STS_HASH_SHA256, key, sizeof(key),
                "Test Using Larger Than Block-Size Key - Hash Key First", 54,
                out) == STS_OK, "hmac-sha256 with a long key");
    sts_hex_encode(hex, out, 32);
    is_str(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0e"
           "e37f54", "RFC 4231 case 6 (key longer than a block)");

    ok(sts_digest(STS_HASH_SHA256, "abc", 3, out) == STS_OK, "sha256");
    sts_hex_encode(hex, out, 32);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
           "0015ad", "SHA-256 of abc");

    ok(sts_hmac(STS_HASH_SHA1, "", 0, "", 0, out) == STS_OK,
       "empty key and data");
    sts_hex_encode(hex, out, 20);
    hex[40] = '\0';
    is_str(hex, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d",
           "HMAC-SHA1 of nothing");
}


/* a keyed state gives sts_hmac's MAC, for every message, and is wiped */
static void
test_hmac_keyed(void)
{
    size_t          i, zero;
    unsigned char   key[131], a[32], b[32];
    sts_hmac_key_t  k;
    const char     *msg[] = { "", "Hi There", "what do ya want for nothing?",
                              "Test Using Larger Than Block-Size Key - "
                              "Hash Key First, and a message longer than one "
                              "block of the hash, to cross into a second" };

    memset(key, 0xaa, sizeof(key));

    for (i = 0; i < 4; i++) {
        size_t  klen = (i == 3) ? sizeof(key) : 20 + i;
        size_t  j;

        ok(sts_hmac_key_init(&k, STS_HASH_SHA1, key, klen) == STS_OK,
           "sha1 key ready");
        for (j = 0; j < 4; j++) {
            ok(sts_hmac_keyed(&k, msg[j], strlen(msg[j]), a) == STS_OK
               && sts_hmac(STS_HASH_SHA1, key, klen, msg[j], strlen(msg[j]),
                           b) == STS_OK
               && memcmp(a, b, 20) == 0, "keyed sha1 = one-shot");
        }
        sts_hmac_key_wipe(&k);

        ok(sts_hmac_key_init(&k, STS_HASH_SHA256, key, klen) == STS_OK,
           "sha256 key ready");
        for (j = 0; j < 4; j++) {
            ok(sts_hmac_keyed(&k, msg[j], strlen(msg[j]), a) == STS_OK
               && sts_hmac(STS_HASH_SHA256, key, klen, msg[j],
                           strlen(msg[j]), b) == STS_OK
               && memcmp(a, b, 32) == 0, "keyed sha256 = one-shot");
        }
        sts_hmac_key_wipe(&k);
    }

    zero = 0;
    for (i = 0; i < sizeof(k); i++) {
        zero += ((unsigned char *) &k)[i] == 0;
    }
    ok(zero == sizeof(k), "a wiped key holds nothing");
}


/*
 * sts_uri_encode against the encodings it replaced: object keys in a path
 * (OSS, S3 and V1/V4 canonical URIs keep '/'), query names and values
 * (nothing but the unreserved set kept), and the POP RPC strict and
 * JavaScript flavours (the latter keeps ! ' ( ) *).
 */
static void
test_uri_encode(void)
{
    static const struct {
        const char  *in;
        size_t       len;
        unsigned     flags;
        const char  *out;
    } cases[] = {
        { "", 0, 0, "" },
        { "", 0, STS_URI_KEEP_SLASH, "" },
        { "AZaz09-_.~", 10, 0, "AZaz09-_.~" },
        { "a b", 3, 0, "a%20b" },
        { "a+b", 3, 0, "a%2Bb" },
        { "a/b/c", 5, 0, "a%2Fb%2Fc" },
        { "a/b/c", 5, STS_URI_KEEP_SLASH, "a/b/c" },
        { "/dir/my file~1.txt", 18, STS_URI_KEEP_SLASH,
          "/dir/my%20file~1.txt" },
        { "100%", 4, 0, "100%25" },
        { "%2F", 3, STS_URI_KEEP_SLASH, "%252F" },
        { "\xc3\xa9t\xc3\xa9", 5, 0, "%C3%A9t%C3%A9" },
        { "\xff\x80\x7f", 3, 0, "%FF%80%7F" },
        { "a\0b", 3, 0, "a%00b" },
        { "\n\t\r", 3, 0, "%0A%09%0D" },
        { "!'()*", 5, 0, "%21%27%28%29%2A" },
        { "!'()*", 5, STS_URI_KEEP_SLASH, "%21%27%28%29%2A" },
        { "!'()*", 5, STS_URI_KEEP_MARKS, "!'()*" },
        { "a/b!", 4, STS_URI_KEEP_MARKS, "a%2Fb!" },
        { "a/b!", 4, STS_URI_KEEP_SLASH|STS_URI_KEEP_MARKS, "a/b!" },
        { "k=v&x;y,z:@$", 12, 0, "k%3Dv%26x%3By%2Cz%3A%40%24" },
        { "Action=AssumeRole&Format=JSON", 29, 0,
          "Action%3DAssumeRole%26Format%3DJSON" },
        { "\"#<>?[]\\^`{|}", 13, STS_URI_KEEP_MARKS,
          "%22%23%3C%3E%3F%5B%5D%5C%5E%60%7B%7C%7D" },
    };

    static const unsigned  all[] = {
        0, STS_URI_KEEP_SLASH, STS_URI_KEEP_MARKS,
        STS_URI_KEEP_SLASH|STS_URI_KEEP_MARKS
    };

    static const char  hex[] = "0123456789ABCDEF";
    static const char  unreserved[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "abcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_.~";

    int        bad;
    char       want[4], c;
    size_t     i, k;
    unsigned   f;
    sts_buf_t  b;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sts_buf_init(&b, &sts_malloc_allocator, 0);
        ok(sts_uri_encode(&b, cases[i].in, cases[i].len, cases[i].flags)
           == STS_OK, "uri encode %zu status", i);
        is_str(b.data ? b.data : "", cases[i].out, "uri encode %zu", i);
        ok(b.len == strlen(cases[i].out), "uri encode %zu length", i);

        if (cases[i].len == 0) {
            ok(b.data == NULL, "uri encode of nothing appends nothing");
        }

        sts_buf_free(&b);
    }

    /* every byte under every flag set: kept as it is, or upper-case %XY */

    for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
        f = all[k];
        bad = 0;

        for (i = 0; i < 256; i++) {
            c = (char) i;

            if ((i != 0 && strchr(unreserved, (int) i) != NULL)
                || (c == '/' && (f & STS_URI_KEEP_SLASH))
                || (i != 0 && strchr("!'()*", (int) i) != NULL
                    && (f & STS_URI_KEEP_MARKS)))
            {
                want[0] = c;
                want[1] = '\0';

            } else {
                want[0] = '%';
                want[1] = hex[i >> 4];
                want[2] = hex[i & 0x0f];
                want[3] = '\0';
            }

            sts_buf_init(&b, &sts_malloc_allocator, 0);

            if (sts_uri_encode(&b, &c, 1, f) != STS_OK
                || b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
            {
                bad++;
            }

            sts_buf_free(&b);
        }

        ok(bad == 0, "uri encode: all 256 bytes with flags %u", f);
    }

    /* a buffer over its limit reports it */

    sts_buf_init(&b, &sts_malloc_allocator, 4);
    ok(sts_uri_encode(&b, "a b c", 5, 0) == STS_ETOOBIG,
       "uri encode over the buffer limit fails");
    sts_buf_free(&b);
}


int
main(void)
{
    test_hmac();
    test_hmac_keyed();
    test_base64();
    test_compare();
    test_time();
    test_buf();
    test_uri_encode();

    return tap_done();
}
