/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for the comparison of secrets: sts_ct_equal behaves as its
 * header says, and it, and every verification of a MAC or signature
 * (OSS V1 and V4 headers, presigned URLs, PostObject, the POP signature
 * of the STS API, Content-MD5), goes through OpenSSL's constant-time
 * CRYPTO_memcmp.
 *
 * How: this program defines CRYPTO_memcmp itself (a constant-time one
 * that counts its calls).  The core is linked statically into it, so the
 * core's calls bind to this definition; a verification that compared with
 * memcmp, strcmp or a loop of its own would leave the count unchanged.
 * t/lint/constant-time.t (make lint) is the source-level half of the
 * same check.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sts_oss.h"
#include "sts_pop.h"
#include "sts_post.h"
#include "sts_sign.h"
#include "tap.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;

static unsigned long  ct_calls;


/* OpenSSL's contract: zero iff equal, time independent of the contents */
int
CRYPTO_memcmp(const void *in_a, const void *in_b, size_t len)
{
    size_t                i;
    unsigned char         x;
    const unsigned char  *a = in_a, *b = in_b;

    ct_calls++;

    x = 0;
    for (i = 0; i < len; i++) {
        x |= a[i] ^ b[i];
    }

    return x;
}


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static void
test_ct_equal(void)
{
    unsigned long  before;

    ok(sts_ct_equal("abc", 3, "abc", 3) == 1, "equal strings");
    ok(sts_ct_equal("abc", 3, "abd", 3) == 0, "last byte differs");
    ok(sts_ct_equal("xbc", 3, "abc", 3) == 0, "first byte differs");
    ok(sts_ct_equal("abc", 3, "abcd", 4) == 0, "a prefix is not equal");
    ok(sts_ct_equal("abcd", 4, "abc", 3) == 0, "nor a longer string");
    ok(sts_ct_equal("", 0, "", 0) == 1, "two empty strings are equal");
    ok(sts_ct_equal(NULL, 0, NULL, 0) == 1, "NULL with length 0");
    ok(sts_ct_equal("", 0, "a", 1) == 0, "empty and not empty");
    ok(sts_ct_equal("a\0b", 3, "a\0c", 3) == 0, "compares past a NUL");
    ok(sts_ct_equal("\x80", 1, "\x00", 1) == 0, "high bit counts");

    before = ct_calls;
    (void) !sts_ct_equal("abcdef", 6, "abcdeg", 6);
    (void) !sts_ct_equal("abcdef", 6, "abcdef", 6);
    is_int(ct_calls - before, 2, "sts_ct_equal uses CRYPTO_memcmp");

    before = ct_calls;
    (void) !sts_ct_equal("abc", 3, "abcd", 4);
    is_int(ct_calls - before, 0,
           "different lengths: refused on the lengths alone");
}


/* a request signed with |creds| as an SDK signs it, then verified */
static void
test_oss_header(int v4)
{
    int                     rc;
    char                    sig_bad[512];
    size_t                  n;
    sts_buf_t               b;
    sts_auth_t              auth;
    sts_header_t            h[4];
    unsigned long           before;
    sts_auth_opts_t         o;
    sts_sign_creds_t        creds;
    sts_http_request_t      r;
    const sts_oss_error_t  *err;
    const char             *what = v4 ? "V4" : "V1";

    memset(&r, 0, sizeof(r));
    r.method = S("GET");
    r.host = S("localhost");
    r.raw_path = S("/demo-bucket/a.txt");
    r.raw_query = S("");
    r.now = 1715776245;

    h[0].name = S(v4 ? "x-oss-date" : "Date");
    h[0].value = S(v4 ? "20240515T123045Z"
                      : "Wed, 15 May 2024 12:30:45 GMT");
    h[1].name = S("x-oss-security-token");
    h[1].value = S("STS1.token");
    r.headers = h;
    r.num_headers = 2;

    creds.access_key_id = S("STS.TestAccessKeyId0000000000000");
    creds.secret = S("TestSecret0123456789abcdefghijklmnopqrstu");
    creds.security_token = S("STS1.token");
    creds.region = S("cn-hangzhou");

    sts_buf_init(&b, A, 0);
    rc = v4 ? sts_sign_v4_header(&b, &r, S("demo-bucket"), S("a.txt"),
                                 &creds, S(""))
            : sts_sign_v1_header(&b, &r, S("demo-bucket"), S("a.txt"),
                                 &creds);
    ok(rc == STS_OK && b.len < sizeof(sig_bad), "%s: signed", what);

    if (rc != STS_OK || b.len >= sizeof(sig_bad)) {
        sts_buf_free(&b);
        return;
    }

    /* the same Authorization with the last signature character changed */
    memcpy(sig_bad, b.data, b.len);
    sig_bad[b.len] = '\0';
    n = b.len - (v4 ? 1 : 2);
    sig_bad[n] = sig_bad[n] == '0' ? '1' : '0';

    h[2].name = S("Authorization");
    h[2].value.data = b.data;
    h[2].value.len = b.len;
    r.num_headers = 3;

    memset(&o, 0, sizeof(o));
    o.now = r.now;
    o.max_skew = 900;
    o.region = S("");

    rc = sts_auth_parse(A, &auth, &r, &o, &err);
    ok(rc == STS_OK, "%s: parsed", what);

    before = ct_calls;
    rc = sts_auth_verify(A, &auth, &r, S("demo-bucket"), S("a.txt"),
                         creds.secret, NULL, NULL);
    ok(rc == STS_OK, "%s: verifies", what);
    ok(ct_calls > before, "%s: the match went through CRYPTO_memcmp", what);
    sts_auth_free(A, &auth);

    h[2].value = S(sig_bad);
    rc = sts_auth_parse(A, &auth, &r, &o, &err);

    before = ct_calls;
    rc = sts_auth_verify(A, &auth, &r, S("demo-bucket"), S("a.txt"),
                         creds.secret, NULL, NULL);
    ok(rc == STS_EBADSIG, "%s: one character changed does not verify",
       what);
    ok(ct_calls > before, "%s: the mismatch went through CRYPTO_memcmp",
       what);
    sts_auth_free(A, &auth);

    sts_buf_free(&b);
}


static void
test_post(void)
{
    char             b64[64];
    unsigned char    mac[STS_SHA1_LEN];
    unsigned long    before;
    sts_post_auth_t  auth;

    static const char  policy[] =
        "eyJleHBpcmF0aW9uIjoiMjAyNC0wNS0xNVQxMzozMDo0NS4wMDBaIn0=";
    static const char  secret[] = "TestSecret0123456789abcdefghijklmnopqrstu";

    if (sts_hmac(STS_HASH_SHA1, secret, strlen(secret), policy,
                 strlen(policy), mac) != STS_OK)
    {
        ok(0, "hmac");
        return;
    }

    b64[sts_base64_encode(b64, mac, sizeof(mac))] = '\0';

    memset(&auth, 0, sizeof(auth));
    auth.kind = STS_POST_AUTH_V1;
    auth.access_key_id = S("STS.TestAccessKeyId0000000000000");
    auth.policy = S(policy);
    auth.signature = S(b64);

    before = ct_calls;
    ok(sts_post_auth_verify(&auth, S(secret)) == STS_OK,
       "PostObject V1: verifies");
    ok(ct_calls > before, "PostObject: the match went through "
       "CRYPTO_memcmp");

    b64[3] = b64[3] == 'A' ? 'B' : 'A';
    before = ct_calls;
    ok(sts_post_auth_verify(&auth, S(secret)) == STS_EBADSIG,
       "PostObject V1: a changed signature does not verify");
    ok(ct_calls > before, "PostObject: the mismatch went through "
       "CRYPTO_memcmp");
}


static void
test_pop(void)
{
    sts_buf_t       b;
    sts_str_t       q;
    sts_param_t     items[4];
    sts_params_t    in, parsed;
    unsigned long   before;

    static const char  secret[] = "BadInputSecret0123456789ab";

    items[0].name = S("AccessKeyId");
    items[0].value = S("LTAI5tUnitTest0001");
    items[1].name = S("Action");
    items[1].value = S("GetCallerIdentity");
    items[2].name = S("SignatureNonce");
    items[2].value = S("n-1");
    items[3].name = S("Version");
    items[3].value = S("2015-04-01");
    in.items = items;
    in.num = 4;

    sts_buf_init(&b, A, 0);
    if (sts_pop_sign_request(&b, S("GET"), &in, S(secret)) != STS_OK) {
        ok(0, "POP: signed");
        sts_buf_free(&b);
        return;
    }

    q.data = b.data;
    q.len = b.len;

    if (sts_query_parse(A, q, &parsed) != STS_OK) {
        ok(0, "POP: parsed");
        sts_buf_free(&b);
        return;
    }

    before = ct_calls;
    ok(sts_pop_verify(NULL, S("GET"), &parsed, S(secret), 0, NULL)
       == STS_OK, "POP: verifies");
    ok(ct_calls > before, "POP: the match went through CRYPTO_memcmp");

    before = ct_calls;
    ok(sts_pop_verify(NULL, S("GET"), &parsed, S("AnotherSecret00000000"),
                      0, NULL)
       == STS_EBADSIG, "POP: another secret does not verify");
    ok(ct_calls > before, "POP: the mismatch went through CRYPTO_memcmp");

    sts_free(A, parsed.items);
    sts_buf_free(&b);
}


static void
test_content_md5(void)
{
    unsigned long  before;

    /* MD5("hello") */
    before = ct_calls;
    ok(sts_oss_content_md5_ok(S("XUFAKrxLKna5cZ2REBfFkg=="), "hello", 5),
       "Content-MD5 matches");
    ok(!sts_oss_content_md5_ok(S("fXkwN6B2AYZXSwKC8vQ15w=="), "hello", 5),
       "another Content-MD5 does not");
    is_int(ct_calls - before, 2, "Content-MD5 compared with CRYPTO_memcmp");
}


int
main(void)
{
    test_ct_equal();
    test_oss_header(0);
    test_oss_header(1);
    test_post();
    test_pop();
    test_content_md5();

    return tap_done();
}
