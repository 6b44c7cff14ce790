/*
 * Copyright (C) nginx-sts authors
 *
 * test_policy: API-level tests of the RAM policy compiler and evaluator:
 * wildcards (against a reference matcher, and hostile patterns under a
 * time budget), every condition operator family, CIDR, dates, evaluation
 * order, trust policies, validation messages, limits, printing and
 * allocation failure.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sts_policy.h"
#include "tap.h"


#define KV(k, v)  { sts_string(k), sts_string(v) }
#define NKV(a)    (sizeof(a) / sizeof((a)[0]))


static char  last_err[STS_POLICY_ERR_LEN];
static int   last_rc;


static sts_policy_t *
compile(const char *json, int kind)
{
    sts_policy_t  *p;

    last_rc = sts_policy_compile(&sts_malloc_allocator, json, strlen(json),
                                 kind, &p, last_err, sizeof(last_err));
    if (last_rc != STS_OK) {
        return NULL;
    }

    return p;
}


/* compile_err returns the compile error message ("" if it compiled) */
static const char *
compile_err(const char *json, int kind)
{
    sts_policy_t  *p;

    p = compile(json, kind);
    if (p != NULL) {
        sts_policy_free(&sts_malloc_allocator, p);
        return "";
    }

    return last_err;
}


/* json_str appends |s| as a JSON string literal to |out| */
static void
json_str(char *out, size_t size, const char *s, size_t len)
{
    size_t         i, o;
    unsigned char  c;

    o = strlen(out);
    out[o++] = '"';

    for (i = 0; i < len && o + 8 < size; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char) c;

        } else if (c < 0x20) {
            o += (size_t) snprintf(out + o, size - o, "\\u%04x", c);

        } else {
            out[o++] = (char) c;
        }
    }

    out[o++] = '"';
    out[o] = '\0';
}


/*
 * decide evaluates one identity policy for (action, resource, ctx) and
 * returns the decision name, or "error: ..." when it does not compile.
 */
static const char *
decide(const char *json, const char *action, const char *resource,
    const sts_policy_kv_t *kv, size_t num_kv)
{
    int                   rc;
    sts_str_t             act, res;
    sts_policy_t         *p;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   r;
    static char           msg[STS_POLICY_ERR_LEN + 16];

    p = compile(json, STS_POLICY_IDENTITY);
    if (p == NULL) {
        snprintf(msg, sizeof(msg), "error: %s", last_err);
        return msg;
    }

    act.data = action;
    act.len = strlen(action);
    res.data = resource;
    res.len = strlen(resource);
    ctx.kv = kv;
    ctx.num_kv = num_kv;

    rc = sts_policy_evaluate((const sts_policy_t *const *) &p, 1, NULL, act,
                             res, &ctx, &r);
    sts_policy_free(&sts_malloc_allocator, p);

    if (rc != STS_OK) {
        return "evaluate failed";
    }

    return sts_policy_decision_name(r.decision);
}


/* cond returns 1 if a statement with this Condition allows, 0 if not */
static int
cond(const char *condition, const sts_policy_kv_t *kv, size_t num_kv)
{
    char         json[4096];
    const char  *d;

    snprintf(json, sizeof(json),
             "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
             "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":%s}]}",
             condition);

    d = decide(json, "oss:GetObject", "acs:oss:*:1:b/k", kv, num_kv);

    if (strcmp(d, "Allow") == 0) {
        return 1;
    }

    if (strcmp(d, "ImplicitDeny") == 0) {
        return 0;
    }

    printf("# unexpected: %s\n", d);
    return -1;
}


/* resource pattern matching through the public API */

static sts_policy_t *
pattern_policy(const char *pattern, size_t plen)
{
    static char  json[8192];

    snprintf(json, sizeof(json),
             "{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
             "\"Action\":\"a:b\",\"Resource\":");
    json_str(json, sizeof(json), pattern, plen);
    strcat(json, "}}");

    return compile(json, STS_POLICY_IDENTITY);
}


static int
pattern_eval(const sts_policy_t *p, const char *s, size_t n)
{
    sts_str_t            act, res;
    sts_policy_result_t  r;

    act.data = "a:b";
    act.len = 3;
    res.data = s;
    res.len = n;

    if (sts_policy_evaluate(&p, 1, NULL, act, res, NULL, &r) != STS_OK) {
        return -1;
    }

    return r.decision == STS_POLICY_ALLOW;
}


static int
wild(const char *pattern, const char *s)
{
    int            m;
    sts_policy_t  *p;

    p = pattern_policy(pattern, strlen(pattern));
    if (p == NULL) {
        printf("# %s: %s\n", pattern, last_err);
        return -1;
    }

    m = pattern_eval(p, s, strlen(s));
    sts_policy_free(&sts_malloc_allocator, p);

    return m;
}


/*
 * ref_match: reference matcher by dynamic programming over (pattern,
 * subject) positions, with the documented semantics of '?'.
 */
static int
ref_match(const char *p, size_t m, const char *s, size_t n)
{
    int            r;
    size_t         i, j, k;
    unsigned char  c;
    static char    t[130][130];

    /* t[i][j]: p[i..] matches s[j..] */
    for (i = m + 1; i > 0; i--) {
        for (j = n + 1; j > 0; j--) {
            if (i - 1 == m) {
                t[i - 1][j - 1] = (j - 1 == n);
                continue;
            }

            c = (unsigned char) p[i - 1];

            if (c == '*') {
                r = t[i][j - 1] || (j - 1 < n && t[i - 1][j]);

            } else if (c == '?') {
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


static unsigned  rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) % n;
}


static size_t
rnd_text(char *out, size_t max_units, int pattern)
{
    size_t       n, i, k, len;
    const char  *u;
    static const char  *units[] = {
        "a", "b", "a", "b", "/", "\xc3\xa9", "\xe4\xb8\xad",
        "\xf0\x9f\x98\x80", "?", "*", "\x80"
    };

    n = rnd((unsigned) max_units + 1);
    len = 0;

    for (i = 0; i < n; i++) {
        /* patterns: valid UTF-8 only; subjects: may hold a stray byte */
        k = rnd(pattern ? 10 : 11);
        if (!pattern && k >= 8 && rnd(4) != 0) {
            k = rnd(8);
        }

        u = units[k];
        memcpy(out + len, u, strlen(u));
        len += strlen(u);
    }

    out[len] = '\0';
    return len;
}


static double
now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


static void
test_wildcards(void)
{
    is_int(wild("*", ""), 1, "* matches the empty string");
    is_int(wild("*", "anything/at:all"), 1, "* matches anything");
    is_int(wild("abc", "abc"), 1, "literal");
    is_int(wild("abc", "abcd"), 0, "literal is anchored at the end");
    is_int(wild("abc", "ab"), 0, "literal needs every byte");
    is_int(wild("abc", "ABC"), 0, "resources are case-sensitive");
    is_int(wild("a*", "a"), 1, "trailing star matches empty");
    is_int(wild("*a", "bba"), 1, "leading star");
    is_int(wild("*a*", "xxaxx"), 1, "star at both ends");
    is_int(wild("*a*", "xxbxx"), 0, "star at both ends, no a");
    is_int(wild("a**b", "ab"), 1, "a run of stars is one star");
    is_int(wild("a*b*c", "abbbbc"), 1, "middle segment");
    is_int(wild("a*b*c", "acb"), 0, "order matters");
    is_int(wild("a*a", "a"), 0, "first and last segments do not overlap");
    is_int(wild("a*a", "aa"), 1, "first and last segments adjacent");
    is_int(wild("?", "a"), 1, "? one ASCII byte");
    is_int(wild("?", ""), 0, "? needs one character");
    is_int(wild("?", "ab"), 0, "? is exactly one character");
    is_int(wild("?", "\xc3\xa9"), 1, "? matches a 2-byte code point");
    is_int(wild("?", "\xf0\x9f\x98\x80"), 1, "? matches a 4-byte emoji");
    is_int(wild("??", "\xc3\xa9"), 0, "? is not a byte");
    is_int(wild("a?c", "a\xe4\xb8\xad" "c"), 1, "? inside a literal");
    is_int(wild("*?", ""), 0, "*? needs one character");
    is_int(wild("*?*", "\xe4\xb8\xad"), 1, "*?* one code point");
    is_int(wild("*?\xc3\xa9?*", "x\xc3\xa9\xc3\xa9\xc3\xa9y"), 1,
           "middle segment with ? and UTF-8");
    is_int(wild("b/*.jpg", "b/2015/01/01/x.jpg"), 1,
           "star crosses slashes");
    is_int(wild("acs:oss:*:*:bucket/*", "acs:oss:*:123:bucket/a/b"), 1,
           "ARN pattern");
    is_int(wild("acs:oss:*:*:bucket/*", "acs:oss:*:123:bucket"), 0,
           "object pattern does not match the bucket");
    is_int(wild("acs:oss:*:*:bucket", "acs:oss:*:123:bucket/k"), 0,
           "bucket pattern does not match objects");
    is_int(wild("\xe7\x85\xa7\xe7\x89\x87/*", "\xe7\x85\xa7\xe7\x89\x87/1"),
           1, "unicode literal prefix");
    is_int(wild("a?b*", "a?b"), 1, "literal ? in the subject");
    is_int(wild("*ab?*", "aaab\xe4\xb8\xad"), 1,
           "bitap segment at the end of the subject");
    is_int(wild("x*?b?*y", "x\xc3\xa9" "b\xc3\xa9y"), 1,
           "bitap with multibyte ? twice");
    is_int(wild("x*aab*y", "xaaaabay"), 1, "KMP restart");
    is_int(wild("x*abab*y", "xabaababy"), 1, "KMP failure link");
    is_int(wild("x*abab*y", "xabaabay"), 0, "KMP no occurrence");
}


static void
test_wildcard_reference(void)
{
    int            bad, got, want, i;
    char           pat[64], subj[64];
    size_t         plen, slen;
    sts_policy_t  *p;

    bad = 0;

    for (i = 0; i < 30000 && bad < 5; i++) {
        plen = rnd_text(pat, 8, 1);
        if (plen == 0) {
            pat[0] = '*';
            pat[1] = '\0';
            plen = 1;
        }

        p = pattern_policy(pat, plen);
        if (p == NULL) {
            printf("# compile %s: %s\n", pat, last_err);
            bad++;
            continue;
        }

        slen = rnd_text(subj, 10, 0);
        got = pattern_eval(p, subj, slen);
        want = ref_match(pat, plen, subj, slen);
        sts_policy_free(&sts_malloc_allocator, p);

        if (got != want) {
            printf("# pattern '%s' subject '%s': got %d want %d\n",
                   pat, subj, got, want);
            bad++;
        }
    }

    is_int(bad, 0, "30000 random patterns agree with the reference");
}


static void
test_hostile_patterns(void)
{
    int            m;
    char          *pat, *subj;
    double         t0, t1;
    size_t         i, n;
    sts_policy_t  *p;

    n = 200000;
    subj = malloc(n + 1);
    pat = malloc(4096);
    if (subj == NULL || pat == NULL) {
        ok(0, "malloc");
        return;
    }

    memset(subj, 'a', n);
    subj[n] = '\0';

    /* a*a*a*...*b: 1000 stars */
    for (i = 0; i < 1000; i++) {
        pat[2 * i] = 'a';
        pat[2 * i + 1] = '*';
    }

    pat[2000] = 'b';
    pat[2001] = '\0';

    p = pattern_policy(pat, 2001);
    ok(p != NULL, "a*a*...*b compiles (%s)", p ? "ok" : last_err);

    t0 = now_ms();
    m = p ? pattern_eval(p, subj, n) : -1;
    t1 = now_ms();
    sts_policy_free(&sts_malloc_allocator, p);

    is_int(m, 0, "a*a*...*b does not match 200000 a's");
    ok(t1 - t0 < 250, "... in %.3f ms", t1 - t0);

    /* *aaaa...ab*: one long middle segment (KMP) */
    pat[0] = '*';
    memset(pat + 1, 'a', 1000);
    pat[1001] = 'b';
    pat[1002] = '*';
    pat[1003] = '\0';

    p = pattern_policy(pat, 1003);
    t0 = now_ms();
    m = p ? pattern_eval(p, subj, n) : -1;
    t1 = now_ms();
    sts_policy_free(&sts_malloc_allocator, p);

    is_int(m, 0, "*a{1000}b* does not match 200000 a's");
    ok(t1 - t0 < 250, "... in %.3f ms", t1 - t0);

    /* *a?a?...?b*: a long middle segment with '?' (Shift-And) */
    pat[0] = '*';
    for (i = 0; i < 500; i++) {
        pat[1 + 2 * i] = 'a';
        pat[2 + 2 * i] = '?';
    }

    pat[1001] = 'b';
    pat[1002] = '*';
    pat[1003] = '\0';

    p = pattern_policy(pat, 1003);
    t0 = now_ms();
    m = p ? pattern_eval(p, subj, n) : -1;
    t1 = now_ms();
    sts_policy_free(&sts_malloc_allocator, p);

    is_int(m, 0, "*(a?){500}b* does not match 200000 a's");
    ok(t1 - t0 < 1000, "... in %.3f ms", t1 - t0);

    /* *?*?*...*?*b against a long subject: stars and '?' alternating */
    for (i = 0; i < 1000; i++) {
        pat[2 * i] = '*';
        pat[2 * i + 1] = '?';
    }

    pat[2000] = 'b';
    pat[2001] = '\0';

    p = pattern_policy(pat, 2001);
    t0 = now_ms();
    m = p ? pattern_eval(p, subj, n) : -1;
    t1 = now_ms();
    sts_policy_free(&sts_malloc_allocator, p);

    is_int(m, 0, "*?*?...*?b does not match 200000 a's");
    ok(t1 - t0 < 250, "... in %.3f ms", t1 - t0);

    subj[n - 1] = 'b';
    p = pattern_policy(pat, 2001);
    m = p ? pattern_eval(p, subj, n) : -1;
    sts_policy_free(&sts_malloc_allocator, p);
    is_int(m, 1, "*?*?...*?b matches a's ending in b");

    free(subj);
    free(pat);
}


static void
test_actions(void)
{
    const char  *pol;

    pol = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":[\"oss:Get*\",\"OSS:LISTOBJECTS\"],"
          "\"Resource\":\"*\"}]}";

    is_str(decide(pol, "oss:GetObject", "r", NULL, 0), "Allow",
           "oss:Get* allows oss:GetObject");
    is_str(decide(pol, "OSS:getobject", "r", NULL, 0), "Allow",
           "actions ignore case (request side)");
    is_str(decide(pol, "oss:ListObjects", "r", NULL, 0), "Allow",
           "actions ignore case (policy side)");
    is_str(decide(pol, "oss:PutObject", "r", NULL, 0), "ImplicitDeny",
           "oss:PutObject is not allowed");
    is_str(decide(pol, "ossx:GetObject", "r", NULL, 0), "ImplicitDeny",
           "service prefix is literal");

    pol = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"NotAction\":\"oss:Delete*\",\"NotResource\":"
          "\"acs:oss:*:*:secret/*\"}]}";

    is_str(decide(pol, "oss:GetObject", "acs:oss:*:1:b/k", NULL, 0), "Allow",
           "NotAction/NotResource allow the rest");
    is_str(decide(pol, "oss:DeleteObject", "acs:oss:*:1:b/k", NULL, 0),
           "ImplicitDeny", "NotAction excludes");
    is_str(decide(pol, "oss:GetObject", "acs:oss:*:1:secret/k", NULL, 0),
           "ImplicitDeny", "NotResource excludes");
}


static void
test_string_ops(void)
{
    sts_policy_kv_t  ua[] = { KV("acs:UserAgent", "aliyun-sdk-js/6.23.0") };
    sts_policy_kv_t  pf[] = { KV("oss:Prefix", "user/alice/") };
    sts_policy_kv_t  em[] = { KV("oss:Prefix", "") };
    sts_policy_kv_t  mv[] = { KV("oss:Prefix", "x/"), KV("OSS:PREFIX", "a/") };
    sts_policy_kv_t  uk[] = { KV("oss:RequestObjectTag/\xe9\xa1\xb9", "v") };

    is_int(cond("{\"StringEquals\":{\"acs:UserAgent\":"
                "\"aliyun-sdk-js/6.23.0\"}}", ua, 1), 1, "StringEquals");
    is_int(cond("{\"StringEquals\":{\"acs:UserAgent\":"
                "\"ALIYUN-sdk-js/6.23.0\"}}", ua, 1), 0,
           "StringEquals is case-sensitive");
    is_int(cond("{\"StringEquals\":{\"ACS:USERAGENT\":"
                "[\"x\",\"aliyun-sdk-js/6.23.0\"]}}", ua, 1), 1,
           "key names ignore case; values OR");
    is_int(cond("{\"StringNotEquals\":{\"acs:UserAgent\":\"x\"}}", ua, 1), 1,
           "StringNotEquals true");
    is_int(cond("{\"StringNotEquals\":{\"acs:UserAgent\":"
                "[\"x\",\"aliyun-sdk-js/6.23.0\"]}}", ua, 1), 0,
           "StringNotEquals false when any value equals");
    is_int(cond("{\"StringEqualsIgnoreCase\":{\"acs:UserAgent\":"
                "\"ALIYUN-SDK-JS/6.23.0\"}}", ua, 1), 1,
           "StringEqualsIgnoreCase");
    is_int(cond("{\"StringNotEqualsIgnoreCase\":{\"acs:UserAgent\":"
                "\"ALIYUN-SDK-JS/6.23.0\"}}", ua, 1), 0,
           "StringNotEqualsIgnoreCase");
    is_int(cond("{\"StringLike\":{\"acs:UserAgent\":\"aliyun-sdk-js/*\"}}",
                ua, 1), 1, "StringLike");
    is_int(cond("{\"StringLike\":{\"acs:UserAgent\":\"ALIYUN*\"}}", ua, 1),
           0, "StringLike is case-sensitive");
    is_int(cond("{\"StringNotLike\":{\"acs:UserAgent\":\"curl/*\"}}", ua, 1),
           1, "StringNotLike");
    is_int(cond("{\"StringLike\":{\"oss:Prefix\":\"user/alice/*\"}}", pf, 1),
           1, "oss:Prefix like");
    is_int(cond("{\"StringEquals\":{\"oss:Prefix\":\"\"}}", em, 1), 1,
           "empty value equals empty string");
    is_int(cond("{\"StringLike\":{\"oss:Prefix\":\"*\"}}", em, 1), 1,
           "* matches an empty value");
    is_int(cond("{\"StringLike\":{\"oss:Prefix\":\"?*\"}}", em, 1), 0,
           "?* does not match an empty value");
    is_int(cond("{\"StringEquals\":{\"oss:Prefix\":\"a/\"}}", mv, 2), 1,
           "multi-valued key: any request value");
    is_int(cond("{\"StringNotEquals\":{\"oss:Prefix\":\"a/\"}}", mv, 2), 0,
           "multi-valued key, negated: no request value may match");
    is_int(cond("{\"StringEquals\":{\"oss:RequestObjectTag/"
                "\xe9\xa1\xb9\":\"v\"}}", uk, 1), 1, "unicode key");

    /* absent keys */
    is_int(cond("{\"StringEquals\":{\"oss:Delimiter\":\"/\"}}", ua, 1), 0,
           "absent key: positive operator false");
    is_int(cond("{\"StringNotEquals\":{\"oss:Delimiter\":\"/\"}}", ua, 1), 1,
           "absent key: negated operator true");
    is_int(cond("{\"StringNotLike\":{\"oss:Delimiter\":\"*\"}}", NULL, 0), 1,
           "absent key with no context: negated true");
    is_int(cond("{\"StringEquals\":{\"acs:Unknown\":\"x\"}}", ua, 1), 0,
           "unknown key evaluates as absent");

    /* AND across operators and keys */
    is_int(cond("{\"StringLike\":{\"acs:UserAgent\":\"aliyun*\"},"
                "\"StringEquals\":{\"oss:Prefix\":\"x\"}}", ua, 1), 0,
           "operators AND");
    is_int(cond("{\"StringLike\":{\"acs:UserAgent\":\"aliyun*\","
                "\"acs:Referer\":\"*\"}}", ua, 1), 0, "keys AND");
}


static void
test_numeric_bool(void)
{
    sts_policy_kv_t  n[] = { KV("oss:MaxKeys", "100") };
    sts_policy_kv_t  f[] = { KV("oss:MaxKeys", "2.5") };
    sts_policy_kv_t  x[] = { KV("oss:MaxKeys", "ten") };
    sts_policy_kv_t  t[] = { KV("acs:SecureTransport", "TRUE") };
    sts_policy_kv_t  b[] = { KV("acs:SecureTransport", "yes") };

    is_int(cond("{\"NumericEquals\":{\"oss:MaxKeys\":100}}", n, 1), 1,
           "NumericEquals JSON number");
    is_int(cond("{\"NumericEquals\":{\"oss:MaxKeys\":\"100.0\"}}", n, 1), 1,
           "NumericEquals string value");
    is_int(cond("{\"NumericNotEquals\":{\"oss:MaxKeys\":[1,2]}}", n, 1), 1,
           "NumericNotEquals");
    is_int(cond("{\"NumericLessThan\":{\"oss:MaxKeys\":101}}", n, 1), 1,
           "NumericLessThan");
    is_int(cond("{\"NumericLessThan\":{\"oss:MaxKeys\":100}}", n, 1), 0,
           "NumericLessThan strict");
    is_int(cond("{\"NumericLessThanEquals\":{\"oss:MaxKeys\":100}}", n, 1),
           1, "NumericLessThanEquals");
    is_int(cond("{\"NumericGreaterThan\":{\"oss:MaxKeys\":99.5}}", n, 1), 1,
           "NumericGreaterThan real");
    is_int(cond("{\"NumericGreaterThanEquals\":{\"oss:MaxKeys\":-1}}", n, 1),
           1, "NumericGreaterThanEquals negative");
    is_int(cond("{\"NumericLessThan\":{\"oss:MaxKeys\":3}}", f, 1), 1,
           "decimal request value");
    is_int(cond("{\"NumericLessThan\":{\"oss:MaxKeys\":3}}", x, 1), 0,
           "non-numeric request value: false");
    is_int(cond("{\"NumericNotEquals\":{\"oss:MaxKeys\":3}}", x, 1), 0,
           "non-numeric request value: negated false too");
    is_int(cond("{\"Bool\":{\"acs:SecureTransport\":true}}", t, 1), 1,
           "Bool JSON true vs TRUE");
    is_int(cond("{\"Bool\":{\"acs:SecureTransport\":\"false\"}}", t, 1), 0,
           "Bool false");
    is_int(cond("{\"Bool\":{\"acs:SecureTransport\":\"True\"}}", t, 1), 1,
           "Bool string any case");
    is_int(cond("{\"Bool\":{\"acs:SecureTransport\":true}}", b, 1), 0,
           "Bool: request value not a boolean");
}


static void
test_ip(void)
{
    sts_policy_kv_t  v4[] = { KV("acs:SourceIp", "10.1.2.3") };
    sts_policy_kv_t  v6[] = { KV("acs:SourceIp", "2001:db8::1") };
    sts_policy_kv_t  mp[] = { KV("acs:SourceIp", "::ffff:10.1.2.3") };
    sts_policy_kv_t  bd[] = { KV("acs:SourceIp", "10.1.2") };

    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}", v4, 1),
           1, "IPv4 in /8");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.1.2.0/25\"}}", v4, 1),
           1, "IPv4 in /25");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.1.2.128/25\"}}", v4,
                1), 0, "IPv4 not in /25");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.1.2.3\"}}", v4, 1), 1,
           "bare IPv4 is /32");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.1.2.4\"}}", v4, 1), 0,
           "bare IPv4 other host");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"0.0.0.0/0\"}}", v4, 1),
           1, "/0 matches every IPv4");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.1.2.77/8\"}}", v4, 1),
           1, "host bits in a CIDR are ignored");
    is_int(cond("{\"NotIpAddress\":{\"acs:SourceIp\":[\"192.168.0.0/16\","
                "\"172.16.0.0/12\"]}}", v4, 1), 1, "NotIpAddress");
    is_int(cond("{\"NotIpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}", v4,
                1), 0, "NotIpAddress inside");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"2001:db8::/32\"}}", v6,
                1), 1, "IPv6 in /32");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"2001:db9::/32\"}}", v6,
                1), 0, "IPv6 not in /32");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"2001:db8::1\"}}", v6, 1),
           1, "bare IPv6 is /128");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"::/0\"}}", v4, 1), 1,
           "::/0 covers IPv4 through its mapped form");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}", v6, 1),
           0, "IPv6 client against an IPv4 block");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}", mp, 1),
           1, "IPv4-mapped client matches an IPv4 block");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"::ffff:10.0.0.0/104\"}}",
                v4, 1), 1, "mapped block matches an IPv4 client");
    is_int(cond("{\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}", bd, 1),
           0, "malformed client address: false");
    is_int(cond("{\"NotIpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}", bd,
                1), 0, "malformed client address: NotIpAddress false too");
}


static void
test_dates(void)
{
    sts_policy_kv_t  now[] = { KV("acs:CurrentTime", "2024-05-15T12:30:45Z") };
    sts_policy_kv_t  ms[] = {
        KV("acs:CurrentTime", "2024-05-15T12:30:45.999Z")
    };
    sts_policy_kv_t  ep[] = { KV("acs:CurrentTime", "1715776245") };
    sts_policy_kv_t  bd[] = { KV("acs:CurrentTime", "yesterday") };

    is_int(cond("{\"DateLessThan\":{\"acs:CurrentTime\":"
                "\"2024-05-15T12:30:46Z\"}}", now, 1), 1, "DateLessThan");
    is_int(cond("{\"DateLessThan\":{\"acs:CurrentTime\":"
                "\"2024-05-15T12:30:45Z\"}}", now, 1), 0,
           "DateLessThan strict");
    is_int(cond("{\"DateLessThanEquals\":{\"acs:CurrentTime\":"
                "\"2024-05-15T12:30:45Z\"}}", now, 1), 1,
           "DateLessThanEquals");
    is_int(cond("{\"DateGreaterThan\":{\"acs:CurrentTime\":"
                "\"2024-05-15\"}}", now, 1), 1, "date-only value");
    is_int(cond("{\"DateGreaterThanEquals\":{\"acs:CurrentTime\":"
                "\"2024-05-15T20:30:45+08:00\"}}", now, 1), 1,
           "offset +08:00 is the same instant");
    is_int(cond("{\"DateEquals\":{\"acs:CurrentTime\":"
                "\"2024-05-15T04:30:45-08:00\"}}", now, 1), 1,
           "offset -08:00");
    is_int(cond("{\"DateEquals\":{\"acs:CurrentTime\":1715776245}}", now, 1),
           1, "epoch JSON integer equals ISO request");
    is_int(cond("{\"DateEquals\":{\"acs:CurrentTime\":"
                "\"2024-05-15T12:30:45Z\"}}", ep, 1), 1,
           "epoch request equals ISO value");
    is_int(cond("{\"DateEquals\":{\"acs:CurrentTime\":\"1715776245\"}}", ms,
                1), 1, "fraction truncated to the second");
    is_int(cond("{\"DateNotEquals\":{\"acs:CurrentTime\":"
                "\"2024-01-01T00:00:00Z\"}}", now, 1), 1, "DateNotEquals");
    is_int(cond("{\"DateGreaterThan\":{\"acs:CurrentTime\":"
                "\"2000-01-01T00:00:00Z\"}}", bd, 1), 0,
           "unparsable request date: false");
    is_int(cond("{\"DateLessThan\":{\"acs:CurrentTime\":"
                "\"2030-01-01T00:00:00Z\"}}", NULL, 0), 0,
           "absent acs:CurrentTime: false");
}


/*
 * The statements' filters (a bit per literal action, per resource bucket)
 * never change a decision: random policies of Allow and Deny statements,
 * Action or NotAction, Resource or NotResource, with literal and wildcard
 * actions and resources, evaluated against a reference built on
 * ref_match and ref_fields, for resources whose key holds ":<bucket>/"
 * too.
 */
/*
 * ref_fields: an ARN pattern matched field by field, the reference of
 * sts_arn_match: the pattern's text before each of its first four ':'
 * against the subject's text before its next ':', the pattern's rest
 * against the subject's rest.
 */
static int
ref_fields(const char *p, const char *s)
{
    int          k;
    const char  *pc, *sc;

    for (k = 0; k < 4; k++) {
        pc = strchr(p, ':');
        if (pc == NULL) {
            break;
        }

        sc = strchr(s, ':');
        if (sc == NULL
            || !ref_match(p, (size_t) (pc - p), s, (size_t) (sc - s)))
        {
            return 0;
        }

        p = pc + 1;
        s = sc + 1;
    }

    return ref_match(p, strlen(p), s, strlen(s));
}


static int
ref_list(const char *const *pats, size_t n, const char *s, int icase,
    int fields)
{
    size_t  i, j;
    char    p[64], t[128];

    for (i = 0; i < n; i++) {
        snprintf(p, sizeof(p), "%s", pats[i]);
        snprintf(t, sizeof(t), "%s", s);

        if (icase) {
            for (j = 0; p[j]; j++) {
                p[j] = (char) ((p[j] >= 'A' && p[j] <= 'Z') ? p[j] + 32 : p[j]);
            }
            for (j = 0; t[j]; j++) {
                t[j] = (char) ((t[j] >= 'A' && t[j] <= 'Z') ? t[j] + 32 : t[j]);
            }
        }

        if (fields ? ref_fields(p, t) : ref_match(p, strlen(p), t, strlen(t)))
        {
            return 1;
        }
    }

    return 0;
}


static void
test_filters(void)
{
    int                   deny[12], nact[12], nres[12], want, want_st, bad;
    char                  json[8192], res[128];
    size_t                i, k, n, na[12], nr[12], len, iter;
    sts_str_t             a, r;
    sts_policy_t         *p;
    const char           *act, *ap[12][2], *rp[12][2];
    sts_policy_result_t   out;
    static const char    *acts[] = {
        "oss:GetObject", "OSS:getobject", "oss:Get*", "oss:PutObject", "*",
        "oss:?etObject", "oss:DeleteObject"
    };
    static const char    *reqs[] = {
        "oss:GetObject", "oss:getOBJECT", "oss:PutObject", "oss:DeleteObject"
    };
    static const char    *rpats[] = {
        "acs:oss:*:*:b1/*", "acs:oss:*:*:b1", "acs:oss:*:*:b2/*",
        "acs:oss:*:1:b1/k*", "acs:oss:*:*:b?/*", "acs:oss:*:*:*",
        "acs:oss:*:*:b1*", "*", "acs:oss:*:1?:b2", "acs:oss:*:*:b1:x/*",
        "acs:oss:*:*:/*", "acs:oss:*:*:b2/a:b1/*", "acs:oss:*", "b1/*",
        "acs:oss:1:2:3:b1/*"
    };
    static const char    *buckets[] = { "b1", "b2", "b3", "", "b1:x" };
    static const char    *keys[] = {
        "", "/k", "/k1", "/a:b1/x", "/x:b2", "/:b1/", "/a:b1", "/b1"
    };
    static const char    *accts[] = { "1", "12", "", "1:2" };

    bad = 0;

    for (iter = 0; iter < 20000; iter++) {
        /* enough statements for the filters to be used (8 or more) */
        n = 1 + rnd(12);

        len = (size_t) snprintf(json, sizeof(json),
                                "{\"Version\":\"1\",\"Statement\":[");

        for (i = 0; i < n; i++) {
            deny[i] = rnd(3) == 0;
            nact[i] = rnd(6) == 0;
            nres[i] = rnd(6) == 0;
            na[i] = 1 + rnd(2);
            nr[i] = 1 + rnd(2);

            len += (size_t) snprintf(json + len, sizeof(json) - len,
                                     "%s{\"Effect\":\"%s\",\"%s\":[",
                                     i ? "," : "", deny[i] ? "Deny" : "Allow",
                                     nact[i] ? "NotAction" : "Action");
            for (k = 0; k < na[i]; k++) {
                ap[i][k] = acts[rnd(7)];
                len += (size_t) snprintf(json + len, sizeof(json) - len,
                                         "%s\"%s\"", k ? "," : "", ap[i][k]);
            }

            len += (size_t) snprintf(json + len, sizeof(json) - len,
                                     "],\"%s\":[",
                                     nres[i] ? "NotResource" : "Resource");
            for (k = 0; k < nr[i]; k++) {
                rp[i][k] = rpats[rnd(15)];
                len += (size_t) snprintf(json + len, sizeof(json) - len,
                                         "%s\"%s\"", k ? "," : "", rp[i][k]);
            }

            len += (size_t) snprintf(json + len, sizeof(json) - len, "]}");
        }

        snprintf(json + len, sizeof(json) - len, "]}");

        p = compile(json, STS_POLICY_IDENTITY);
        if (p == NULL) {
            printf("# %s: %s\n", json, last_err);
            bad++;
            continue;
        }

        act = reqs[rnd(4)];
        snprintf(res, sizeof(res), "acs:oss:*:%s:%s%s", accts[rnd(4)],
                 buckets[rnd(5)], keys[rnd(8)]);

        /* the reference: the first matching Deny, else Allow */
        want = STS_POLICY_IMPLICIT_DENY;
        want_st = -1;

        for (i = 0; i < n; i++) {
            /* fields where they make the statement apply to less */
            if (ref_list(ap[i], na[i], act, 1, 0) == nact[i]
                || ref_list(rp[i], nr[i], res, 0, deny[i] == nres[i])
                   == nres[i])
            {
                continue;
            }

            if (deny[i]) {
                want = STS_POLICY_EXPLICIT_DENY;
                want_st = (int) i;
                break;
            }

            if (want_st < 0) {
                want = STS_POLICY_ALLOW;
                want_st = (int) i;
            }
        }

        a.data = act;
        a.len = strlen(act);
        r.data = res;
        r.len = strlen(res);

        if (sts_policy_evaluate((const sts_policy_t *const *) &p, 1, NULL,
                                a, r, NULL, &out) != STS_OK
            || (int) out.decision != want
            || (want_st >= 0 && out.statement != want_st))
        {
            if (bad++ < 5) {
                printf("# %s %s on %s: %d/%d, want %d/%d\n", json, act, res,
                       (int) out.decision, out.statement, want, want_st);
            }
        }

        sts_policy_free(&sts_malloc_allocator, p);
    }

    is_int(bad, 0, "filtered evaluation = reference, 20000 random policies");
}


static void
test_evaluation(void)
{
    int                   rc;
    char                  d[128];
    sts_str_t             act, res;
    sts_policy_t         *r[2], *s;
    sts_policy_result_t   out;

    r[0] = compile("{\"Version\":\"1\",\"Statement\":["
                   "{\"Sid\":\"Read\",\"Effect\":\"Allow\","
                   "\"Action\":\"oss:Get*\",\"Resource\":\"*\"},"
                   "{\"Effect\":\"Deny\",\"Action\":\"oss:GetObject\","
                   "\"Resource\":\"acs:oss:*:*:b/private/*\"}]}",
                   STS_POLICY_IDENTITY);
    r[1] = compile("{\"Version\":\"1\",\"Statement\":{\"Sid\":\"Write\","
                   "\"Effect\":\"Allow\",\"Action\":\"oss:PutObject\","
                   "\"Resource\":\"acs:oss:*:*:b/*\"}}",
                   STS_POLICY_IDENTITY);
    s = compile("{\"Version\":\"1\",\"Statement\":["
                "{\"Effect\":\"Deny\",\"Action\":\"oss:PutObject\","
                "\"Resource\":\"acs:oss:*:*:b/ro/*\"},"
                "{\"Sid\":\"S\",\"Effect\":\"Allow\",\"Action\":\"oss:*\","
                "\"Resource\":\"acs:oss:*:*:b/*\"}]}", STS_POLICY_IDENTITY);

    ok(r[0] != NULL && r[1] != NULL && s != NULL, "policies compile");
    if (r[0] == NULL || r[1] == NULL || s == NULL) {
        return;
    }

    act.data = "oss:GetObject";
    act.len = 13;
    res.data = "acs:oss:*:1:b/x";
    res.len = strlen(res.data);

    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, NULL, act,
                             res, NULL, &out);
    is_int(rc, STS_OK, "evaluate ok");
    is_int(out.decision, STS_POLICY_ALLOW, "role allows");
    sts_policy_result_describe(&out, d, sizeof(d));
    is_str(d, "role[0].Statement[0](Read)", "describe: role statement");
    is_int(sts_policy_result_describe(&out, d, 5), 26,
           "describe returns the full length");
    is_str(d, "role", "describe cuts and terminates");

    res.data = "acs:oss:*:1:b/private/x";
    res.len = strlen(res.data);
    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, NULL, act,
                             res, NULL, &out);
    is_int(out.decision, STS_POLICY_EXPLICIT_DENY, "Deny wins over Allow");
    sts_policy_result_describe(&out, d, sizeof(d));
    is_str(d, "role[0].Statement[1]", "describe: deny statement, no Sid");

    res.data = "acs:oss:*:1:b/private/x";
    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, s, act,
                             res, NULL, &out);
    is_int(out.decision, STS_POLICY_EXPLICIT_DENY,
           "role Deny wins with a session policy too");

    act.data = "oss:PutObject";
    res.data = "acs:oss:*:1:b/x";
    res.len = strlen(res.data);
    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, s, act,
                             res, NULL, &out);
    is_int(out.decision, STS_POLICY_ALLOW, "role and session allow");
    sts_policy_result_describe(&out, d, sizeof(d));
    is_str(d, "role[1].Statement[0](Write) session.Statement[1](S)",
           "describe: single-object Statement is index 0, plus session");

    res.data = "acs:oss:*:1:b/ro/x";
    res.len = strlen(res.data);
    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, s, act,
                             res, NULL, &out);
    is_int(out.decision, STS_POLICY_EXPLICIT_DENY, "session Deny");
    is_int(out.policy, STS_POLICY_BY_SESSION, "... by the session policy");

    act.data = "oss:DeleteObject";
    act.len = 16;
    res.data = "acs:oss:*:1:b/x";
    res.len = strlen(res.data);
    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, s, act,
                             res, NULL, &out);
    is_int(out.decision, STS_POLICY_IMPLICIT_DENY,
           "session allows but the role does not: implicit deny");
    is_int(out.policy, STS_POLICY_BY_NONE, "... by none");
    sts_policy_result_describe(&out, d, sizeof(d));
    is_str(d, "none", "describe: none");

    act.data = "oss:GetObject";
    act.len = 13;
    res.data = "acs:oss:*:1:other/x";
    res.len = strlen(res.data);
    rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, s, act,
                             res, NULL, &out);
    is_int(out.decision, STS_POLICY_IMPLICIT_DENY,
           "role allows but the session does not: implicit deny");
    is_int(out.policy, STS_POLICY_BY_SESSION, "... by the session");
    sts_policy_result_describe(&out, d, sizeof(d));
    is_str(d, "session", "describe: session");

    rc = sts_policy_evaluate(NULL, 0, NULL, act, res, NULL, &out);
    is_int(out.decision, STS_POLICY_IMPLICIT_DENY, "no policy: deny");

    act.len = STS_POLICY_MAX_ACTION_LEN + 1;
    act.data = malloc(act.len);
    if (act.data != NULL) {
        memset((char *) act.data, 'a', act.len);
        rc = sts_policy_evaluate((const sts_policy_t *const *) r, 2, NULL,
                                 act, res, NULL, &out);
        is_int(rc, STS_EINVAL, "too long an action is refused");
        is_int(out.decision, STS_POLICY_IMPLICIT_DENY, "... as a deny");
        free((char *) act.data);
    }

    sts_policy_free(&sts_malloc_allocator, r[0]);
    sts_policy_free(&sts_malloc_allocator, r[1]);
    sts_policy_free(&sts_malloc_allocator, s);
    sts_policy_free(&sts_malloc_allocator, NULL);
}


static void
test_trust(void)
{
    int                   rc;
    char                  d[64];
    sts_str_t             who;
    sts_policy_t         *t, *id;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   out;
    sts_policy_kv_t       ext[] = { KV("sts:ExternalId", "abc") };

    t = compile("{\"Statement\":[{\"Action\":\"sts:AssumeRole\","
                "\"Effect\":\"Allow\",\"Principal\":{\"RAM\":"
                "[\"acs:ram::11223344:root\"]}},"
                "{\"Sid\":\"Partner\",\"Action\":\"sts:AssumeRole\","
                "\"Effect\":\"Allow\",\"Principal\":{\"RAM\":"
                "\"acs:ram::55:user/bob\",\"Service\":\"ECS.aliyuncs.com\","
                "\"Federated\":\"acs:ram::55:saml-provider/idp\"},"
                "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":"
                "\"abc\"}}},"
                "{\"Effect\":\"Deny\",\"Action\":\"sts:*\",\"Principal\":"
                "{\"RAM\":\"acs:ram::11223344:user/mallory\"}}],"
                "\"Version\":\"1\"}", STS_POLICY_TRUST);
    ok(t != NULL, "trust policy compiles (%s)", t ? "ok" : last_err);
    if (t == NULL) {
        return;
    }

    ctx.kv = ext;
    ctx.num_kv = 1;

    who.data = "acs:ram::11223344:user/alice";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, NULL, &out);
    is_int(rc, STS_OK, "trust evaluate ok");
    is_int(out.decision, STS_POLICY_ALLOW, "root trusts a user of the account");
    sts_policy_result_describe(&out, d, sizeof(d));
    is_str(d, "trust.Statement[0]", "describe: trust statement");

    who.data = "acs:ram::11223344:role/app";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, NULL, &out);
    is_int(out.decision, STS_POLICY_ALLOW, "root trusts a role too");

    who.data = "acs:ram::112233445:user/alice";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, NULL, &out);
    is_int(out.decision, STS_POLICY_IMPLICIT_DENY,
           "another account with the same prefix is not trusted");

    who.data = "acs:ram::11223344:user/mallory";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, NULL, &out);
    is_int(out.decision, STS_POLICY_EXPLICIT_DENY, "Deny in trust wins");

    who.data = "acs:ram::55:user/bob";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, NULL, &out);
    is_int(out.decision, STS_POLICY_IMPLICIT_DENY,
           "condition on sts:ExternalId: absent");
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, &ctx, &out);
    is_int(out.decision, STS_POLICY_ALLOW, "condition on sts:ExternalId");
    is_str(out.sid.data, "Partner", "Sid of the trust statement");

    who.data = "ecs.aliyuncs.com";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_SERVICE, who, &ctx,
                                   &out);
    is_int(out.decision, STS_POLICY_ALLOW, "Service principal, any case");
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, &ctx, &out);
    is_int(out.decision, STS_POLICY_IMPLICIT_DENY,
           "a service name is not a RAM principal");

    who.data = "acs:ram::55:saml-provider/idp";
    who.len = strlen(who.data);
    rc = sts_policy_evaluate_trust(t, STS_PRINCIPAL_FEDERATED, who, &ctx,
                                   &out);
    is_int(out.decision, STS_POLICY_ALLOW, "Federated principal");

    id = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
                 "\"Action\":\"*\",\"Resource\":\"*\"}]}",
                 STS_POLICY_IDENTITY);
    rc = sts_policy_evaluate_trust(id, STS_PRINCIPAL_RAM, who, NULL, &out);
    is_int(rc, STS_EINVAL, "identity policy refused as a trust policy");
    rc = sts_policy_evaluate((const sts_policy_t *const *) &t, 1, NULL,
                             who, who, NULL, &out);
    is_int(rc, STS_EINVAL, "trust policy refused as an identity policy");

    sts_policy_free(&sts_malloc_allocator, id);
    sts_policy_free(&sts_malloc_allocator, t);
}


static void
test_validation(void)
{
    size_t       i;
    const char  *e;
    static const struct {
        int          kind;
        const char  *json;
        const char  *err;
    } cases[] = {
        { STS_POLICY_IDENTITY, "[]", "policy must be a JSON object" },
        { STS_POLICY_IDENTITY, "{\"Version\":\"1\",\"Statement\":[],",
          "JSON: string or '}' expected near end of file (line 1, column 30)" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Version\":\"1\",\"Statement\":[]}",
          "JSON: duplicate object key near '\"Version\"' "
          "(line 1, column 24)" },
        { STS_POLICY_IDENTITY, "{\"Statement\":[]}", "Version: missing" },
        { STS_POLICY_IDENTITY, "{\"Version\":1,\"Statement\":[]}",
          "Version: must be \"1\"" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"2\",\"Statement\":[]}", "Version: must be \"1\"" },
        { STS_POLICY_IDENTITY, "{\"Version\":\"1\"}", "Statement: missing" },
        { STS_POLICY_IDENTITY, "{\"Version\":\"1\",\"Statement\":\"x\"}",
          "Statement: must be an array or an object" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[],\"Id\":\"x\"}",
          "unknown member \"Id\"" },
        { STS_POLICY_IDENTITY, "{\"Version\":\"1\",\"Statement\":[1]}",
          "Statement[0]: must be an object" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Action\":\"*\","
          "\"Resource\":\"*\"}]}", "Statement[0].Effect: missing" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"allow\","
          "\"Action\":\"*\",\"Resource\":\"*\"}]}",
          "Statement[0].Effect: \"allow\" is not \"Allow\" or \"Deny\"" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
          "\"Resource\":\"*\"}}",
          "Statement: Action or NotAction is required" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"NotAction\":\"x\",\"Resource\":\"*\"}]}",
          "Statement[0]: both Action and NotAction" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\"}]}",
          "Statement[0]: Resource or NotResource is required" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":[],\"Resource\":\"*\"}]}",
          "Statement[0].Action: empty list" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":[\"a\",7],\"Resource\":\"*\"}]}",
          "Statement[0].Action[1]: must be a string" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"\"}]}",
          "Statement[0].Resource: empty string" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":{}}]}",
          "Statement[0].Resource: must be a string or a list of strings" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Principal\":{}}]}",
          "Statement[0].Principal: only allowed in a trust policy" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Actions\":\"*\",\"Resource\":\"*\"}]}",
          "Statement[0]: unknown member \"Actions\"" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Sid\":5}]}",
          "Statement[0].Sid: must be a string" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{},{},{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
          "{\"acs:SourceIp\":\"10.0.0.300/8\"}}}]}",
          "Statement[0].Effect: missing" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Deny\","
          "\"Action\":\"*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
          "{\"acs:SourceIp\":\"10.0.0.300/8\"}}}]}",
          "Statement[2].Condition.IpAddress: \"10.0.0.300/8\" is not a CIDR" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
          "{\"acs:SourceIp\":\"10.0.0.0/33\"}}}]}",
          "Statement[0].Condition.IpAddress: \"10.0.0.0/33\" is not a CIDR" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
          "{\"acs:SourceIp\":\"010.0.0.1\"}}}]}",
          "Statement[0].Condition.IpAddress: \"010.0.0.1\" is not a CIDR" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":"
          "{\"acs:SourceIp\":\"2001:db8::/129\"}}}]}",
          "Statement[0].Condition.NotIpAddress: \"2001:db8::/129\" is not "
          "a CIDR" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"NumericLessThan\":{\"k\":\"1e3\"}}}]}",
          "Statement[0].Condition.NumericLessThan: \"1e3\" is not a number" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"DateLessThan\":{\"acs:CurrentTime\":\"2024-02-30T00:00:00Z\"}}}"
          "]}",
          "Statement[0].Condition.DateLessThan: \"2024-02-30T00:00:00Z\" is "
          "not a date" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"Bool\":{\"acs:SecureTransport\":\"yes\"}}}]}",
          "Statement[0].Condition.Bool: \"yes\" is not a boolean" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"StringEqualz\":{\"k\":\"v\"}}}]}",
          "Statement[0].Condition: unknown condition operator "
          "\"StringEqualz\"" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"ForAnyValue:StringEquals\":{\"k\":\"v\"}}}]}",
          "Statement[0].Condition: \"ForAnyValue:StringEquals\": set "
          "qualifiers are not supported" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"StringEqualsIfExists\":{\"k\":\"v\"}}}]}",
          "Statement[0].Condition: \"StringEqualsIfExists\": IfExists "
          "operators are not supported" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"StringEquals\":{\"k\":null}}}]}",
          "Statement[0].Condition.StringEquals: \"k\": must be a string, "
          "number, boolean or a list of them" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"StringEquals\":{\"k\":[]}}}]}",
          "Statement[0].Condition.StringEquals: \"k\": empty list" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
          "\"StringEquals\":{}}}]}",
          "Statement[0].Condition.StringEquals: no condition keys" },
        { STS_POLICY_IDENTITY,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":[]}]}",
          "Statement[0].Condition: must be an object" },
        { STS_POLICY_TRUST,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"sts:AssumeRole\"}]}",
          "Statement[0].Principal: missing" },
        { STS_POLICY_TRUST,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\","
          "\"Principal\":{\"RAM\":\"1\"}}]}",
          "Statement[0].Resource: not allowed in a trust policy" },
        { STS_POLICY_TRUST,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"sts:AssumeRole\",\"Principal\":{\"AWS\":\"1\"}}]}",
          "Statement[0].Principal: unknown principal type \"AWS\"" },
        { STS_POLICY_TRUST,
          "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":\"sts:AssumeRole\",\"Principal\":{\"RAM\":"
          "[\"acs:ram::1:root\",\"acs:ram::*:root\"]}}]}",
          "Statement[0].Principal.RAM[1]: \"acs:ram::*:root\" is not a RAM "
          "principal (acs:ram::<account>:root, :user/<name> or "
          ":role/<name>)" },
        { STS_POLICY_IDENTITY, "", "policy is empty" },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        e = compile_err(cases[i].json, cases[i].kind);
        is_str(e, cases[i].err, "error: %s", cases[i].err);
    }

    /* the return codes */
    compile_err("{\"Version\":\"1\"}", STS_POLICY_IDENTITY);
    is_int(last_rc, STS_EINVAL, "grammar error is STS_EINVAL");
}


static void
test_limits(void)
{
    char    *json;
    size_t   i, n, cap;

    cap = 200000;
    json = malloc(cap);
    if (json == NULL) {
        ok(0, "malloc");
        return;
    }

    /* too deep */
    n = 0;
    n += (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":");
    for (i = 0; i < 20; i++) {
        json[n++] = '[';
    }

    for (i = 0; i < 20; i++) {
        json[n++] = ']';
    }

    json[n++] = '}';
    json[n] = '\0';

    is_str(compile_err(json, STS_POLICY_IDENTITY),
           "JSON nests deeper than 8 levels", "depth limit");
    is_int(last_rc, STS_ETOOBIG, "depth limit is STS_ETOOBIG");

    /* too big */
    n = (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":[],"
                               "\"x\":\"");
    memset(json + n, 'x', 40000);
    n += 40000;
    strcpy(json + n, "\"}");

    is_str(compile_err(json, STS_POLICY_IDENTITY),
           "policy is 40037 bytes, more than the limit of 32768",
           "size limit");
    is_int(last_rc, STS_ETOOBIG, "size limit is STS_ETOOBIG");

    /* too many statements */
    n = (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":[");
    for (i = 0; i < 257; i++) {
        n += (size_t) sprintf(json + n, "%s{\"Effect\":\"Allow\","
                              "\"Action\":\"a\",\"Resource\":\"r\"}",
                              i ? "," : "");
    }

    strcpy(json + n, "]}");
    is_str(compile_err(json, STS_POLICY_IDENTITY),
           "Statement: more than 256 statements", "statement limit");

    /* 256 statements are fine */
    n = (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":[");
    for (i = 0; i < 256; i++) {
        n += (size_t) sprintf(json + n, "%s{\"Effect\":\"Allow\","
                              "\"Action\":\"a\",\"Resource\":\"r\"}",
                              i ? "," : "");
    }

    strcpy(json + n, "]}");
    is_str(compile_err(json, STS_POLICY_IDENTITY), "", "256 statements");

    /* too long a pattern */
    n = (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":[{"
                               "\"Effect\":\"Allow\",\"Action\":\"a\","
                               "\"Resource\":\"");
    memset(json + n, 'r', 2049);
    n += 2049;
    strcpy(json + n, "\"}]}");
    is_str(compile_err(json, STS_POLICY_IDENTITY),
           "Statement[0].Resource: longer than 2048 bytes", "string limit");

    /* too many values */
    n = (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":[{"
                               "\"Effect\":\"Allow\",\"Action\":\"a\","
                               "\"Resource\":[");
    for (i = 0; i < 257; i++) {
        n += (size_t) sprintf(json + n, "%s\"r%zu\"", i ? "," : "", i);
    }

    strcpy(json + n, "]}]}");
    is_str(compile_err(json, STS_POLICY_IDENTITY),
           "Statement[0].Resource: more than 256 values", "value limit");

    /* too many condition keys */
    n = (size_t) sprintf(json, "{\"Version\":\"1\",\"Statement\":[{"
                               "\"Effect\":\"Allow\",\"Action\":\"a\","
                               "\"Resource\":\"r\",\"Condition\":{"
                               "\"StringEquals\":{");
    for (i = 0; i < 65; i++) {
        n += (size_t) sprintf(json + n, "%s\"k%zu\":\"v\"", i ? "," : "", i);
    }

    strcpy(json + n, "}}}]}");
    is_str(compile_err(json, STS_POLICY_IDENTITY),
           "Statement[0].Condition: more than 64 condition keys",
           "condition limit");

    free(json);
}


static void
test_print(void)
{
    int            rc;
    sts_buf_t      b;
    sts_policy_t  *p, *q;

    p = compile("{\"Statement\":{\"Resource\":\"acs:oss:*:*:b/*\","
                "\"Condition\":{\"Bool\":{\"acs:SecureTransport\":true},"
                "\"NumericLessThan\":{\"n\":[1,2.5]},\"IpAddress\":"
                "{\"acs:SourceIp\":\"10.0.0.0/8\"}},"
                "\"Action\":\"oss:GetObject\",\"Effect\":\"Allow\","
                "\"Sid\":\"S\\\"1\"},\"Version\":\"1\"}",
                STS_POLICY_IDENTITY);
    ok(p != NULL, "policy for printing compiles");
    if (p == NULL) {
        return;
    }

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    rc = sts_policy_to_json(p, 0, &b);
    is_int(rc, STS_OK, "to_json ok");
    is_str(b.data,
           "{\"Version\":\"1\",\"Statement\":[{\"Sid\":\"S\\\"1\","
           "\"Effect\":\"Allow\",\"Action\":[\"oss:GetObject\"],"
           "\"Resource\":[\"acs:oss:*:*:b/*\"],\"Condition\":{\"Bool\":"
           "{\"acs:SecureTransport\":[true]},\"NumericLessThan\":{\"n\":"
           "[1,2.5]},\"IpAddress\":{\"acs:SourceIp\":[\"10.0.0.0/8\"]}}}]}",
           "normalised compact form");

    /* the normalised form compiles to the same normalised form */
    q = compile(b.data, STS_POLICY_IDENTITY);
    ok(q != NULL, "normalised form compiles");
    sts_buf_free(&b);

    if (q != NULL) {
        sts_buf_init(&b, &sts_malloc_allocator, 0);
        rc = sts_policy_to_json(q, 1, &b);
        ok(rc == STS_OK && strstr(b.data, "\n  \"Statement\": [") != NULL,
           "pretty form is indented");
        sts_buf_free(&b);
        sts_policy_free(&sts_malloc_allocator, q);
    }

    is_int(sts_policy_num_statements(p), 1, "num_statements");
    is_int(sts_policy_kind(p), STS_POLICY_IDENTITY, "kind");

    sts_policy_free(&sts_malloc_allocator, p);
}


/* allocation accounting and failure injection */

static long  live_allocs;
static long  fail_after;

static void *
test_alloc(void *ctx, size_t size)
{
    if (fail_after == 0) {
        return NULL;
    }

    if (fail_after > 0) {
        fail_after--;
    }

    live_allocs++;
    return malloc(size);
}


static void
test_free(void *ctx, void *p)
{
    live_allocs--;
    free(p);
}


static void
test_allocation(void)
{
    int                    rc, nomem, okc;
    long                   i;
    char                   err[STS_POLICY_ERR_LEN];
    sts_policy_t          *p;
    static const char     *big;
    sts_allocator_t        a;

    a.alloc = test_alloc;
    a.free = test_free;
    a.ctx = NULL;

    big = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
          "\"Action\":[\"oss:Get*\",\"oss:List*\"],\"Resource\":["
          "\"acs:oss:*:*:b/*a?b*c*\",\"acs:oss:*:*:b\"],\"Condition\":{"
          "\"StringLike\":{\"oss:Prefix\":[\"a/*\",\"*?*\"]},\"IpAddress\":"
          "{\"acs:SourceIp\":[\"10.0.0.0/8\",\"::1\"]}}},{\"Effect\":\"Deny\","
          "\"NotAction\":\"oss:*\",\"NotResource\":\"x*y*z\"}]}";

    nomem = 0;
    okc = 0;

    for (i = 0; i < 40; i++) {
        fail_after = i;
        live_allocs = 0;

        rc = sts_policy_compile(&a, big, strlen(big), STS_POLICY_IDENTITY,
                                &p, err, sizeof(err));
        if (rc == STS_ENOMEM) {
            nomem++;
            if (p != NULL || live_allocs != 0
                || strcmp(err, "out of memory") != 0)
            {
                break;
            }

        } else if (rc == STS_OK) {
            okc++;
            sts_policy_free(&a, p);
            if (live_allocs != 0) {
                break;
            }
        }
    }

    is_int(i, 40, "every allocation failure is clean (no leak, message)");
    ok(nomem > 0 && okc > 0, "some runs failed (%d), some compiled (%d)",
       nomem, okc);
    fail_after = -1;
}


int
main(void)
{
    test_wildcards();
    test_wildcard_reference();
    test_hostile_patterns();
    test_actions();
    test_string_ops();
    test_numeric_bool();
    test_ip();
    test_dates();
    test_filters();
    test_evaluation();
    test_trust();
    test_validation();
    test_limits();
    test_print();
    test_allocation();

    return tap_done();
}
