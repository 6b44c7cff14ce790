/*
 * Copyright (C) nginx-sts authors
 *
 * test_policy_missing: the missing condition keys sts_policy_evaluate and
 * sts_policy_evaluate_trust collect (only from statements that could have
 * decided, each key once, bounded, with a "more" flag), and the
 * sts_explain helpers that render them: layers, key lists and the
 * redaction of credentials in signature strings.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_policy.h"
#include "sts_explain.h"
#include "tap.h"


#define KV(k, v)  { sts_string(k), sts_string(v) }


static sts_policy_t *
compile(const char *json, int kind)
{
    int            rc;
    char           err[STS_POLICY_ERR_LEN];
    sts_policy_t  *p;

    rc = sts_policy_compile(&sts_malloc_allocator, json, strlen(json), kind,
                            &p, err, sizeof(err));
    if (rc != STS_OK) {
        fprintf(stderr, "# compile: %s\n", err);
        return NULL;
    }

    return p;
}


/* evaluates |role| (and |session|, may be NULL) for GetObject on key */
static int
eval(sts_policy_t *role, sts_policy_t *session, const char *resource,
    const sts_policy_kv_t *kv, size_t num_kv, sts_policy_result_t *r)
{
    sts_str_t         act = sts_string("oss:GetObject");
    sts_str_t         res;
    sts_policy_ctx_t  ctx;

    res.data = resource;
    res.len = strlen(resource);
    ctx.kv = kv;
    ctx.num_kv = num_kv;

    return sts_policy_evaluate((const sts_policy_t *const *) &role, 1,
                               session, act, res, &ctx, r);
}


static const char *
missing(const sts_policy_result_t *r)
{
    static char  buf[512];

    (void) sts_explain_missing(r, buf, sizeof(buf));
    return buf;
}


static void
test_missing_keys(void)
{
    sts_policy_t         *p, *s;
    sts_policy_result_t   r;
    sts_policy_kv_t       ip[] = { KV("acs:SourceIp", "10.0.0.1") };
    sts_policy_kv_t       ref[] = {
        KV("acs:SourceIp", "10.0.0.1"),
        KV("ACS:referer", "https://example.com/")
    };

    p = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
                "\"Action\":\"oss:GetObject\",\"Resource\":\"*\","
                "\"Condition\":{\"StringLike\":{\"acs:Referer\":"
                "\"https://example.com/*\"},\"StringEquals\":"
                "{\"acs:SourceVpc\":\"vpc-1\"}}},"
                "{\"Effect\":\"Allow\",\"Action\":\"oss:PutObject\","
                "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                "{\"acs:UserAgent\":\"x\"}}}]}", STS_POLICY_IDENTITY);
    ok(p != NULL, "policy with Referer and SourceVpc conditions compiles");
    if (p == NULL) {
        return;
    }

    is_int(eval(p, NULL, "acs:oss:*:*:b/k", ip, 1, &r), STS_OK,
           "evaluates");
    is_int(r.decision, STS_POLICY_IMPLICIT_DENY, "implicit deny");
    is_int((long) r.num_missing, 2, "two keys missing");
    is_str(missing(&r), "acs:Referer,acs:SourceVpc",
           "the keys of the matching statement, as written, in order");
    is_int(r.missing_more, 0, "no more");

    /* the PutObject statement cannot decide GetObject: its key is not */
    ok(strstr(missing(&r), "UserAgent") == NULL,
       "a statement whose Action does not match adds nothing");

    is_int(eval(p, NULL, "acs:oss:*:*:b/k", ref, 2, &r), STS_OK,
           "evaluates with a Referer (key case ignored)");
    is_str(missing(&r), "acs:SourceVpc", "only the absent key remains");

    is_int(eval(p, NULL, "acs:oss:*:*:b/k", NULL, 0, &r), STS_OK,
           "evaluates with no context at all");
    is_str(missing(&r), "acs:Referer,acs:SourceVpc",
           "no context: every key is missing");

    /* a session policy that could decide adds its keys; duplicates once */
    s = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                "\"Action\":\"oss:*\",\"Resource\":\"*\",\"Condition\":"
                "{\"StringEquals\":{\"acs:referer\":\"a\","
                "\"oss:Prefix\":\"p/\"}}}}", STS_POLICY_IDENTITY);
    ok(s != NULL, "session policy compiles");

    if (s != NULL) {
        is_int(eval(p, s, "acs:oss:*:*:b/k", ip, 1, &r), STS_OK,
               "evaluates with a session policy");
        is_int(r.policy, STS_POLICY_BY_SESSION, "decided by the session");
        is_str(missing(&r), "acs:Referer,acs:SourceVpc,oss:Prefix",
               "a key met twice is listed once");
        sts_policy_free(&sts_malloc_allocator, s);
    }

    sts_policy_free(&sts_malloc_allocator, p);

    /* an allow without conditions: nothing missing */
    p = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                "\"Action\":\"oss:GetObject\",\"Resource\":\"*\"}}",
                STS_POLICY_IDENTITY);
    if (p != NULL) {
        is_int(eval(p, NULL, "acs:oss:*:*:b/k", NULL, 0, &r), STS_OK,
               "evaluates");
        is_int(r.decision, STS_POLICY_ALLOW, "allowed");
        is_int((long) r.num_missing, 0, "nothing missing");
        is_str(missing(&r), "", "empty list");
        sts_policy_free(&sts_malloc_allocator, p);
    }

    /* a Deny with a negated operator on an absent key fires: it is noted */
    p = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
                "\"Action\":\"oss:*\",\"Resource\":\"*\"},{\"Effect\":"
                "\"Deny\",\"Sid\":\"VpcOnly\",\"Action\":\"oss:*\","
                "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":"
                "{\"acs:SourceVpc\":\"vpc-1\"}}}]}", STS_POLICY_IDENTITY);
    if (p != NULL) {
        is_int(eval(p, NULL, "acs:oss:*:*:b/k", ip, 1, &r), STS_OK,
               "evaluates");
        is_int(r.decision, STS_POLICY_EXPLICIT_DENY, "explicit deny");
        is_int(r.statement, 1, "by statement 1");
        is_str(missing(&r), "acs:SourceVpc",
               "the absent key that made the Deny match");
        sts_policy_free(&sts_malloc_allocator, p);
    }
}


static void
test_missing_bound(void)
{
    int                   i;
    char                  json[2048], *w;
    sts_policy_t         *p;
    sts_policy_result_t   r;

    /* twelve keys: eight kept, then "more" */
    w = json;
    w += sprintf(w, "{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                 "\"Action\":\"oss:*\",\"Resource\":\"*\",\"Condition\":"
                 "{\"StringEquals\":{");
    for (i = 0; i < 12; i++) {
        w += sprintf(w, "%s\"k:%02d\":\"v\"", i ? "," : "", i);
    }
    sprintf(w, "}}}}");

    p = compile(json, STS_POLICY_IDENTITY);
    ok(p != NULL, "twelve condition keys compile");
    if (p == NULL) {
        return;
    }

    is_int(eval(p, NULL, "acs:oss:*:*:b/k", NULL, 0, &r), STS_OK,
           "evaluates");
    is_int((long) r.num_missing, STS_POLICY_MAX_MISSING,
           "the result keeps STS_POLICY_MAX_MISSING keys");
    is_int(r.missing_more, 1, "and says there were more");
    is_str(missing(&r), "k:00,k:01,k:02,k:03,k:04,k:05,k:06,k:07,...",
           "rendered with a trailing ,...");

    {
        char    small[10];
        size_t  need;

        need = sts_explain_missing(&r, small, sizeof(small));
        is_int((long) need, (long) strlen(missing(&r)),
               "the needed length is returned");
        is_int((long) strlen(small), (long) sizeof(small) - 1,
               "a short buffer is filled and terminated");
    }

    sts_policy_free(&sts_malloc_allocator, p);
}


static void
test_missing_trust(void)
{
    sts_str_t             who = sts_string("acs:ram::123:user/alice");
    sts_policy_t         *t;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   r;
    char                  layer[64];

    t = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                "\"Action\":\"sts:AssumeRole\",\"Principal\":{\"RAM\":"
                "\"acs:ram::123:root\"},\"Condition\":{\"StringEquals\":"
                "{\"sts:ExternalId\":\"x-1\"}}}}", STS_POLICY_TRUST);
    ok(t != NULL, "trust policy compiles");
    if (t == NULL) {
        return;
    }

    ctx.kv = NULL;
    ctx.num_kv = 0;

    is_int(sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, &ctx, &r),
           STS_OK, "trust evaluates");
    is_int(r.decision, STS_POLICY_IMPLICIT_DENY, "no ExternalId: denied");
    is_str(missing(&r), "sts:ExternalId", "sts:ExternalId is missing");

    (void) sts_explain_layer(&r, 1, NULL, 0, layer, sizeof(layer));
    is_str(layer, "trust-policy", "layer of a trust decision");

    who.data = "acs:ram::999:user/bob";
    who.len = strlen(who.data);
    is_int(sts_policy_evaluate_trust(t, STS_PRINCIPAL_RAM, who, &ctx, &r),
           STS_OK, "trust evaluates for another account");
    is_int((long) r.num_missing, 0,
           "a statement whose Principal does not match adds nothing");

    sts_policy_free(&sts_malloc_allocator, t);
}


static void
test_layer(void)
{
    char                  buf[64];
    size_t                n;
    const char           *names[] = { "Base", NULL, "Bad(name) x" };
    sts_policy_result_t   r;

    memset(&r, 0, sizeof(r));

    r.policy = 0;
    (void) sts_explain_layer(&r, 0, names, 3, buf, sizeof(buf));
    is_str(buf, "role-policy[0](Base)", "role policy with its name");

    r.policy = 1;
    (void) sts_explain_layer(&r, 0, names, 3, buf, sizeof(buf));
    is_str(buf, "role-policy[1]", "a NULL name: index only");

    r.policy = 2;
    (void) sts_explain_layer(&r, 0, names, 3, buf, sizeof(buf));
    is_str(buf, "role-policy[2](Bad?name??x)", "name bytes made safe");

    r.policy = 3;
    (void) sts_explain_layer(&r, 0, names, 3, buf, sizeof(buf));
    is_str(buf, "role-policy[3]", "an index past the names: index only");

    (void) sts_explain_layer(&r, 0, NULL, 0, buf, sizeof(buf));
    is_str(buf, "role-policy[3]", "no names");

    r.policy = STS_POLICY_BY_SESSION;
    (void) sts_explain_layer(&r, 0, names, 3, buf, sizeof(buf));
    is_str(buf, "session-policy", "session policy");

    r.policy = STS_POLICY_BY_TRUST;
    (void) sts_explain_layer(&r, 0, NULL, 0, buf, sizeof(buf));
    is_str(buf, "trust-policy", "trust policy");

    r.policy = STS_POLICY_BY_NONE;
    n = sts_explain_layer(&r, 0, NULL, 0, buf, 5);
    is_str(buf, "role", "truncated and terminated");
    is_int((long) n, (long) strlen("role-policies"), "needed length");
}


static const char *
redact(const char *in)
{
    static char  out[1024];
    sts_buf_t    b;
    sts_str_t    s;

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    s.data = in;
    s.len = strlen(in);

    if (sts_explain_redact(&b, s) != STS_OK) {
        sts_buf_free(&b);
        return "failed";
    }

    snprintf(out, sizeof(out), "%.*s", (int) b.len, b.data ? b.data : "");
    sts_buf_free(&b);

    return out;
}


static void
test_redact(void)
{
    is_str(redact("GET\n\n\nThu, 26 Nov 2026 10:00:00 GMT\n"
                  "x-oss-date:x\nx-oss-security-token:STS1.SECRETTOKEN\n"
                  "/b/k"),
           "GET\n\n\nThu, 26 Nov 2026 10:00:00 GMT\n"
           "x-oss-date:x\nx-oss-security-token:<redacted>\n/b/k",
           "V1 StringToSign: the token header value");

    is_str(redact("X-OSS-Security-Token:abc"), "X-OSS-Security-Token:"
           "<redacted>", "header name case ignored, last line");

    is_str(redact("GET\n/b/k\nx-oss-credential=STS.a%2F2026&x-oss-date=1&"
                  "x-oss-expires=60&x-oss-security-token=TOK%2B1&"
                  "x-oss-signature-version=OSS4-HMAC-SHA256\n"
                  "host:h\nx-oss-security-token:TOK+1\n\nhost\n"
                  "UNSIGNED-PAYLOAD"),
           "GET\n/b/k\nx-oss-credential=STS.a%2F2026&x-oss-date=1&"
           "x-oss-expires=60&x-oss-security-token=<redacted>&"
           "x-oss-signature-version=OSS4-HMAC-SHA256\n"
           "host:h\nx-oss-security-token:<redacted>\n\nhost\n"
           "UNSIGNED-PAYLOAD",
           "V4 canonical request: query and header");

    is_str(redact("GET\n\n\n1800000000\n/b/k?acl&security-token=T1"),
           "GET\n\n\n1800000000\n/b/k?acl&security-token=<redacted>",
           "V1 sub-resource security-token");

    is_str(redact("a=1&Signature=abc&x-oss-signature=def&b=2"),
           "a=1&Signature=<redacted>&x-oss-signature=<redacted>&b=2",
           "signatures in a query");

    is_str(redact("x-oss-signature-version=OSS4&security-tokenx=1"),
           "x-oss-signature-version=OSS4&security-tokenx=1",
           "names that only start like a credential are kept");

    is_str(redact("security-token&acl"), "security-token&acl",
           "a name without a value is kept");

    is_str(redact(""), "", "empty text");
    is_str(redact("\n\n"), "\n\n", "empty lines kept");
    is_str(redact("authorization:OSS a:b"), "authorization:<redacted>",
           "an Authorization line");
}


static const char *
escape(const char *s, int utf8)
{
    size_t       n;
    static char  buf[512];

    n = sts_explain_escape(buf, s, strlen(s), utf8);
    buf[n] = '\0';

    return buf;
}


static void
test_escape(void)
{
    char         out[3 * 7 + 1], layer[64];
    const char  *name;

    /* 文件 (U+6587 U+4EF6), é (U+00E9), 😀 (U+1F600) */
    is_str(escape("b/\xe6\x96\x87\xe4\xbb\xb6.txt", 1),
           "b/\xe6\x96\x87\xe4\xbb\xb6.txt", "log: UTF-8 kept");
    is_str(escape("\xc3\xa9 \xf0\x9f\x98\x80", 1),
           "\xc3\xa9 \xf0\x9f\x98\x80", "log: 2 and 4 byte sequences kept");
    is_str(escape("b/\xe6\x96\x87.txt", 0), "b/%E6%96%87.txt",
           "header: UTF-8 as %XX");
    is_str(escape("a\r\nb\x7f\"=", 1), "a%0D%0Ab%7F\"=",
           "control bytes and DEL as %XX, '\"' and '=' kept");
    is_str(escape("100%", 1), "100%25", "'%' itself as %25");

    /* ill-formed: each byte that is not part of a whole sequence */
    is_str(escape("\xff\xfe", 1), "%FF%FE", "bytes never in UTF-8");
    is_str(escape("\xc0\xaf", 1), "%C0%AF", "an overlong '/'");
    is_str(escape("\xe0\x80\xaf", 1), "%E0%80%AF", "an overlong 3 bytes");
    is_str(escape("\xed\xa0\x80", 1), "%ED%A0%80", "a surrogate");
    is_str(escape("\xf4\x90\x80\x80", 1), "%F4%90%80%80",
           "above U+10FFFF");
    is_str(escape("a\xe6\x96", 1), "a%E6%96", "a truncated sequence");
    is_str(escape("\xe6\x96" "a", 1), "%E6%96a", "a sequence cut short");
    is_str(escape("\x96\xe6\x96\x87", 1), "%96\xe6\x96\x87",
           "a stray continuation byte, then a whole sequence");

    /* the room the header says is enough */
    is_int((long) sts_explain_escape(out, "\x01\x02\x03\x04\x05\x06\x07", 7,
                                     0), 21, "3 bytes per byte at most");

    /* layers and missing keys keep UTF-8 too */
    name = "\xe7\xad\x96\xe7\x95\xa5\xff";
    (void) sts_explain_layer(&(sts_policy_result_t) { .policy = 0 }, 0,
                             &name, 1, layer, sizeof(layer));
    is_str(layer, "role-policy[0](\xe7\xad\x96\xe7\x95\xa5?)",
           "a layer's UTF-8 name kept, an ill-formed byte '?'");
}


int
main(void)
{
    test_missing_keys();
    test_missing_bound();
    test_missing_trust();
    test_layer();
    test_redact();
    test_escape();

    return tap_done();
}
