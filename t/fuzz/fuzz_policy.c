/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_policy: libFuzzer target for the policy compiler and evaluator.
 * The first input byte picks a mode (its value modulo 4; the seed corpus
 * uses the digits '0'..'3'):
 *
 *   0  the rest is an identity policy: compile, evaluate a few requests,
 *      print the normalised form, and check that it compiles again, prints
 *      the same and decides the same
 *   1  the rest is a trust policy: compile, evaluate a few principals,
 *      round-trip as in mode 0
 *   2  "pattern\nsubject": the pattern as an Allow's Resource must match
 *      the subject exactly when a reference matcher, field by field, says
 *      so
 *   3  "action\nresource\nkey=value\n...": a request against a fixed
 *      policy that uses every operator
 *
 * Any disagreement aborts.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_policy.h"


#define FUZZ_MAX_KV       16
#define FUZZ_PAT_MAX      64
#define FUZZ_SUBJ_MAX     256


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  fuzz_fixed_policy[] =
    "{\"Version\":\"1\",\"Statement\":["
    "{\"Effect\":\"Allow\",\"Action\":[\"oss:Get*\",\"oss:?ut*\"],"
    "\"Resource\":[\"acs:oss:*:*:b/*\",\"*x?y*z\"],\"Condition\":{"
    "\"StringEquals\":{\"a\":[\"1\",\"\"]},\"StringNotEquals\":{\"b\":\"2\"},"
    "\"StringEqualsIgnoreCase\":{\"c\":\"X\"},"
    "\"StringNotEqualsIgnoreCase\":{\"d\":\"Y\"},"
    "\"StringLike\":{\"e\":\"*?*\"},\"StringNotLike\":{\"f\":\"a*b?c\"}}},"
    "{\"Effect\":\"Allow\",\"NotAction\":\"oss:Delete*\","
    "\"NotResource\":\"*secret*\",\"Condition\":{"
    "\"NumericEquals\":{\"n\":1},\"NumericNotEquals\":{\"n\":2},"
    "\"NumericLessThan\":{\"n\":10},\"NumericLessThanEquals\":{\"n\":10},"
    "\"NumericGreaterThan\":{\"m\":-1.5},"
    "\"NumericGreaterThanEquals\":{\"m\":\"-1.5\"},"
    "\"DateEquals\":{\"t\":0},\"DateNotEquals\":{\"t\":\"2024-01-01\"},"
    "\"DateLessThan\":{\"u\":\"2030-01-01T00:00:00Z\"},"
    "\"DateLessThanEquals\":{\"u\":\"2030-01-01T08:00:00+08:00\"},"
    "\"DateGreaterThan\":{\"v\":1},\"DateGreaterThanEquals\":{\"v\":2},"
    "\"Bool\":{\"w\":true},\"IpAddress\":{\"ip\":[\"10.0.0.0/8\","
    "\"2001:db8::/32\",\"::ffff:1.2.3.0/120\"]},"
    "\"NotIpAddress\":{\"ip2\":\"0.0.0.0/0\"}}},"
    "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
    "{\"StringLike\":{\"deny\":\"?*\"}}}]}";


static const sts_allocator_t  *A = &sts_malloc_allocator;


static int
fuzz_ref_match(const char *p, size_t m, const char *s, size_t n)
{
    int            r;
    size_t         i, j, k;
    static char    t[FUZZ_PAT_MAX + 1][FUZZ_SUBJ_MAX + 1];

    for (i = m + 1; i > 0; i--) {
        for (j = n + 1; j > 0; j--) {
            if (i - 1 == m) {
                t[i - 1][j - 1] = (j - 1 == n);
                continue;
            }

            if (p[i - 1] == '*') {
                r = t[i][j - 1] || (j - 1 < n && t[i - 1][j]);

            } else if (p[i - 1] == '?') {
                r = 0;
                k = j - 1;

                if (k < n && ((unsigned char) s[k] & 0xc0) != 0x80) {
                    k++;
                    while (k < n && ((unsigned char) s[k] & 0xc0) == 0x80) {
                        k++;
                    }

                    r = t[i][k];
                }

            } else {
                r = j - 1 < n && s[j - 1] == p[i - 1] && t[i][j];
            }

            t[i - 1][j - 1] = (char) r;
        }
    }

    return t[0][0];
}


static void
fuzz_decide(const sts_policy_t *p, int kind, int out[8])
{
    int                   k;
    char                  desc[12];
    sts_str_t             a, r;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   res;
    static const char    *req[8][2] = {
        { "oss:GetObject", "acs:oss:*:1:b/k" },
        { "oss:PutObject", "acs:oss:*:1:b" },
        { "OSS:DELETEOBJECT", "acs:oss:*:1:b/\xc3\xa9" },
        { "sts:AssumeRole", "acs:ram::1:role/r" },
        { "x", "" },
        { "acs:ram::1:user/a", "ecs.aliyuncs.com" },
        { "acs:ram::2:root", "acs:ram::1:saml-provider/p" },
        { "", "*" }
    };
    static sts_policy_kv_t  kv[] = {
        { sts_string("acs:SourceIp"), sts_string("10.1.2.3") },
        { sts_string("acs:CurrentTime"), sts_string("2024-05-15T12:30:45Z") },
        { sts_string("acs:SecureTransport"), sts_string("true") },
        { sts_string("oss:Prefix"), sts_string("") },
        { sts_string("sts:ExternalId"), sts_string("abc") }
    };

    ctx.kv = kv;
    ctx.num_kv = sizeof(kv) / sizeof(kv[0]);

    for (k = 0; k < 8; k++) {
        a.data = req[k][0];
        a.len = strlen(req[k][0]);
        r.data = req[k][1];
        r.len = strlen(req[k][1]);

        if (kind == STS_POLICY_TRUST) {
            if (sts_policy_evaluate_trust(p, k % 3, a, &ctx, &res)
                != STS_OK)
            {
                abort();
            }

        } else if (sts_policy_evaluate(&p, 1, k % 2 ? p : NULL, a, r, &ctx,
                                       &res)
                   != STS_OK)
        {
            abort();
        }

        /* a short buffer: the text is cut, the length still counted */
        if (sts_policy_result_describe(&res, desc, sizeof(desc))
            < strlen(desc))
        {
            abort();
        }

        out[k] = (int) res.decision * 1000 + res.statement + 1;
    }
}


static void
fuzz_roundtrip(const char *json, size_t len, int kind)
{
    int            d1[8], d2[8];
    char           err[STS_POLICY_ERR_LEN];
    sts_buf_t      b1, b2;
    sts_policy_t  *p, *q;

    if (sts_policy_compile(A, json, len, kind, &p, err, sizeof(err))
        != STS_OK)
    {
        if (p != NULL || err[0] == '\0') {
            abort();
        }

        return;
    }

    fuzz_decide(p, kind, d1);

    sts_buf_init(&b1, A, 0);
    sts_buf_init(&b2, A, 0);

    if (sts_policy_to_json(p, 0, &b1) != STS_OK) {
        abort();
    }

    /* the normalised form may exceed the size limit; then stop here */
    if (sts_policy_compile(A, b1.data, b1.len, kind, &q, err, sizeof(err))
        == STS_OK)
    {
        if (sts_policy_to_json(q, 0, &b2) != STS_OK
            || b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
        {
            abort();
        }

        fuzz_decide(q, kind, d2);

        if (memcmp(d1, d2, sizeof(d1)) != 0) {
            abort();
        }

        sts_policy_free(A, q);

    } else if (b1.len <= STS_POLICY_MAX_JSON_LEN) {
        abort();
    }

    sts_buf_free(&b1);
    sts_buf_free(&b2);
    sts_policy_free(A, p);
}


/*
 * An Allow's Resource matches field by field (doc/protocol.md 6.2): the
 * pattern's text before each of its first four ':' against the
 * subject's text before its next ':', the rest against the rest.
 */
static int
fuzz_ref_fields(const char *p, size_t m, const char *s, size_t n)
{
    int          k;
    const char  *pc, *sc;

    for (k = 0; k < 4; k++) {
        pc = memchr(p, ':', m);
        if (pc == NULL) {
            break;
        }

        sc = memchr(s, ':', n);
        if (sc == NULL
            || !fuzz_ref_match(p, (size_t) (pc - p), s, (size_t) (sc - s)))
        {
            return 0;
        }

        m -= (size_t) (pc - p) + 1;
        n -= (size_t) (sc - s) + 1;
        p = pc + 1;
        s = sc + 1;
    }

    return fuzz_ref_match(p, m, s, n);
}


static void
fuzz_pattern(const char *in, size_t len)
{
    int                   want;
    char                  json[FUZZ_PAT_MAX * 6 + 128];
    size_t                i, o, plen, slen;
    sts_str_t             a, r;
    const char           *nl, *subj;
    sts_policy_t         *p;
    sts_policy_result_t   res;

    nl = memchr(in, '\n', len);
    if (nl == NULL) {
        return;
    }

    plen = (size_t) (nl - in);
    subj = nl + 1;
    slen = len - plen - 1;

    if (plen == 0 || plen > FUZZ_PAT_MAX || slen > FUZZ_SUBJ_MAX) {
        return;
    }

    o = (size_t) snprintf(json, sizeof(json),
                          "{\"Version\":\"1\",\"Statement\":{\"Effect\":"
                          "\"Allow\",\"Action\":\"a\",\"Resource\":\"");

    for (i = 0; i < plen; i++) {
        if ((unsigned char) in[i] < 0x20 || in[i] == '"' || in[i] == '\\') {
            o += (size_t) snprintf(json + o, sizeof(json) - o, "\\u%04x",
                                   (unsigned char) in[i]);

        } else {
            json[o++] = in[i];
        }
    }

    o += (size_t) snprintf(json + o, sizeof(json) - o, "\"}}");

    if (sts_policy_compile(A, json, o, STS_POLICY_IDENTITY, &p, NULL, 0)
        != STS_OK)
    {
        /* invalid UTF-8 in the pattern, or a NUL */
        return;
    }

    a.data = "a";
    a.len = 1;
    r.data = subj;
    r.len = slen;

    if (sts_policy_evaluate((const sts_policy_t *const *) &p, 1, NULL, a, r,
                            NULL, &res)
        != STS_OK)
    {
        abort();
    }

    want = fuzz_ref_fields(in, plen, subj, slen);

    if ((res.decision == STS_POLICY_ALLOW) != want) {
        abort();
    }

    sts_policy_free(A, p);
}


static void
fuzz_request(const char *in, size_t len)
{
    size_t                   i, n, start;
    sts_str_t                field[2 + FUZZ_MAX_KV];
    const char              *eq;
    sts_policy_kv_t          kv[FUZZ_MAX_KV];
    sts_policy_ctx_t         ctx;
    sts_policy_result_t      res;
    static sts_policy_t     *fixed;

    if (fixed == NULL
        && sts_policy_compile(A, fuzz_fixed_policy,
                              sizeof(fuzz_fixed_policy) - 1,
                              STS_POLICY_IDENTITY, &fixed, NULL, 0)
           != STS_OK)
    {
        abort();
    }

    n = 0;
    start = 0;

    for (i = 0; i <= len && n < 2 + FUZZ_MAX_KV; i++) {
        if (i == len || in[i] == '\n') {
            field[n].data = in + start;
            field[n].len = i - start;
            n++;
            start = i + 1;
        }
    }

    while (n < 2) {
        field[n].data = "";
        field[n++].len = 0;
    }

    ctx.kv = kv;
    ctx.num_kv = 0;

    for (i = 2; i < n; i++) {
        eq = memchr(field[i].data, '=', field[i].len);
        if (eq == NULL) {
            continue;
        }

        kv[ctx.num_kv].key.data = field[i].data;
        kv[ctx.num_kv].key.len = (size_t) (eq - field[i].data);
        kv[ctx.num_kv].value.data = eq + 1;
        kv[ctx.num_kv].value.len = field[i].len - (size_t) (eq + 1
                                                  - field[i].data);
        ctx.num_kv++;
    }

    if (sts_policy_evaluate((const sts_policy_t *const *) &fixed, 1, fixed,
                            field[0], field[1], &ctx, &res)
        != STS_OK && field[0].len <= STS_POLICY_MAX_ACTION_LEN)
    {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char  *in;

    if (size == 0) {
        return 0;
    }

    in = (const char *) data + 1;
    size--;

    switch (data[0] % 4) {

    case 0:
        fuzz_roundtrip(in, size, STS_POLICY_IDENTITY);
        break;

    case 1:
        fuzz_roundtrip(in, size, STS_POLICY_TRUST);
        break;

    case 2:
        fuzz_pattern(in, size);
        break;

    default:
        fuzz_request(in, size);
        break;
    }

    return 0;
}
