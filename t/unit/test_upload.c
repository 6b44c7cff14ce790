/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_upload: the sts:ContentLength, sts:ContentType and
 * sts:ForbidOverwrite keys by API, the size cap found with the evaluator,
 * which policies cap the size, and the stamped header names.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_upload.h"
#include "tap.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}


static sts_policy_t *
compile(const char *json)
{
    char           err[STS_POLICY_ERR_LEN];
    sts_policy_t  *p;

    if (sts_policy_compile(A, json, strlen(json), STS_POLICY_IDENTITY, &p,
                           err, sizeof(err))
        != STS_OK)
    {
        printf("# %s\n", err);
        return NULL;
    }

    return p;
}


/* the value of |key| among the kv, or NULL */
static const char *
value(const sts_policy_kv_t *kv, size_t n, const char *key)
{
    size_t       i;
    static char  buf[64];

    for (i = 0; i < n; i++) {
        if (sts_str_eq(kv[i].key, key)) {
            memcpy(buf, kv[i].value.data, kv[i].value.len);
            buf[kv[i].value.len] = '\0';
            return buf;
        }
    }

    return NULL;
}


static void
describe(sts_upload_t *u, const char *api, int64_t content_length,
    const sts_str_t *content_type, const sts_str_t *forbid,
    const sts_str_t *position)
{
    if (sts_upload_describe(u, api, content_length, content_type, forbid,
                            position)
        != STS_OK)
    {
        printf("# sts_upload_describe(%s) failed\n", api ? api : "NULL");
    }
}


static void
test_describe(void)
{
    char             num[24];
    size_t           n, li;
    sts_str_t        png, yes, yes_uc, zero, five;
    sts_upload_t     u;
    sts_policy_kv_t  kv[STS_UPLOAD_MAX_KV];

    png = S("image/png");
    yes = S("true");
    yes_uc = S(" TRUE ");
    zero = S("0");
    five = S("5");

    describe(&u, "PutObject", 42, &png, &yes, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_int(n, 3, "PutObject: three keys");
    is_str(value(kv, n, "sts:ContentLength"), "42", "declared length");
    is_int(li, 0, "the length's index");
    is_str(value(kv, n, "sts:ContentType"), "image/png", "content type");
    is_str(value(kv, n, "sts:ForbidOverwrite"), "true", "forbid overwrite");
    ok(u.stamp && !u.form, "PutObject is stamped");

    describe(&u, "PutObject", -1, NULL, &yes_uc, NULL);
    is_int(u.length, STS_UPLOAD_LEN_STREAMED, "no length: streamed");
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ContentLength"), "0",
           "streamed, capped policies: evaluated at 0");
    ok(value(kv, n, "sts:ContentType") == NULL, "no type: key absent");
    is_str(value(kv, n, "sts:ForbidOverwrite"), "true", "TRUE in any case");

    n = sts_upload_kv(&u, 0, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(value(kv, n, "sts:ContentLength") == NULL
       && li == (size_t) -1, "streamed, other policies: key absent");

    describe(&u, "PutObject", 1, NULL, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ForbidOverwrite"), "false",
           "no header: false");

    describe(&u, "CopyObject", 0, &png, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(value(kv, n, "sts:ContentLength") == NULL,
       "CopyObject: no length (the store copies)");
    is_str(value(kv, n, "sts:ContentType"), "image/png", "CopyObject type");
    ok(u.stamp, "CopyObject is stamped");

    describe(&u, "PostObject", 1000, &png, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ContentLength"), "0",
           "PostObject: the file part, streamed");
    ok(u.form && !u.stamp, "PostObject: a form, not stamped by headers");

    describe(&u, "UploadPart", 7, &png, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ContentLength"), "7", "UploadPart length");
    ok(value(kv, n, "sts:ContentType") == NULL, "UploadPart: no type");
    is_str(value(kv, n, "sts:ForbidOverwrite"), "true",
           "a part replaces no object");
    ok(!u.stamp, "UploadPart is not stamped");

    describe(&u, "AppendObject", 3, NULL, NULL, &zero);
    ok(u.stamp, "AppendObject at 0 is stamped");
    describe(&u, "AppendObject", 3, NULL, NULL, &five);
    ok(!u.stamp, "AppendObject at 5 is not");

    describe(&u, "InitiateMultipartUpload", 0, &png, &yes, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(u.stamp && value(kv, n, "sts:ContentLength") == NULL,
       "InitiateMultipartUpload: stamped, no length");

    describe(&u, "GetObject", 10, &png, &yes, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(!u.write && n == 0 && !u.stamp, "GetObject: no keys");

    describe(&u, NULL, 10, NULL, NULL, NULL);
    ok(!u.write, "no API: nothing");

    n = sts_upload_kv(&u, 1, num, kv, 2, &li);
    is_int(n, 0, "no room: nothing added");
}


static void
test_cap(void)
{
    char                 num[24];
    size_t               n, li;
    sts_upload_t         u;
    sts_policy_t        *role, *sess, *deny, *eq, *str, *neg;
    sts_oss_grant_t      g;
    sts_policy_kv_t      kv[4];
    sts_upload_eval_t    e;
    const sts_policy_t  *roles[2];

    role = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                   "\"Action\":\"oss:*\",\"Resource\":\"*\"}}");
    sess = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
                   "\"Action\":\"oss:PutObject\",\"Resource\":\"*\","
                   "\"Condition\":{\"NumericLessThanEquals\":"
                   "{\"STS:contentlength\":\"10485760\"}}},"
                   "{\"Effect\":\"Allow\",\"Action\":\"oss:PutObject\","
                   "\"Resource\":\"acs:oss:*:*:b/big/*\","
                   "\"Condition\":{\"NumericLessThan\":"
                   "{\"sts:ContentLength\":[\"1000\",\"20971520\"]}}}]}");
    deny = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Deny\","
                   "\"Action\":\"oss:*\",\"Resource\":\"*\","
                   "\"Condition\":{\"NumericGreaterThanEquals\":"
                   "{\"sts:ContentLength\":\"500\"}}}}");
    eq = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                 "\"Action\":\"oss:*\",\"Resource\":\"*\","
                 "\"Condition\":{\"NumericEquals\":"
                 "{\"sts:ContentLength\":\"5\"}}}}");
    str = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                  "\"Action\":\"oss:*\",\"Resource\":\"*\","
                  "\"Condition\":{\"StringLike\":"
                  "{\"sts:ContentLength\":\"1*\"}}}}");
    neg = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Deny\","
                  "\"Action\":\"oss:*\",\"Resource\":\"*\","
                  "\"Condition\":{\"NumericLessThan\":"
                  "{\"sts:ContentLength\":\"5\"}}}}");

    if (!ok(role && sess && deny && eq && str && neg, "policies compile")) {
        return;
    }

    ok(sts_policy_key_shrinks(sess, S("sts:contentlength")),
       "Allow with NumericLessThan(Equals) caps");
    ok(sts_policy_key_shrinks(deny, S("sts:ContentLength")),
       "Deny with NumericGreaterThanEquals caps");
    ok(!sts_policy_key_shrinks(eq, S("sts:ContentLength")),
       "NumericEquals does not");
    ok(!sts_policy_key_shrinks(str, S("sts:ContentLength")),
       "a string operator does not");
    ok(!sts_policy_key_shrinks(neg, S("sts:ContentLength")),
       "a Deny below a value does not");
    ok(sts_policy_key_shrinks(role, S("sts:ContentLength"))
       && sts_policy_key_shrinks(NULL, S("sts:ContentLength")),
       "no condition on the key, or no policy: caps nothing");

    roles[0] = role;
    roles[1] = NULL;
    ok(sts_upload_shrinks(roles, 2, sess), "role and session shrink");
    ok(!sts_upload_shrinks(roles, 1, eq), "one that does not: 0");

    g.action = "oss:PutObject";
    g.resource = S("acs:oss:*:*:b/photo.jpg");

    describe(&u, "PutObject", 10485761, NULL, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, 4, &li);

    e.role = roles;
    e.num_role = 1;
    e.session = sess;
    e.grants = &g;
    e.num_grants = 1;
    e.kv = kv;
    e.num_kv = n;
    e.length_index = li;

    ok(!sts_upload_allowed(&e, 10485761), "one byte over 10 MiB: denied");
    ok(sts_upload_allowed(&e, 10485760), "10 MiB: allowed");
    ok(sts_upload_allowed(&e, 0), "0: allowed");
    is_str(kv[li].value.data, "10485761", "the request's value restored");
    ok(sts_upload_cap(&e) == 10485760, "the cap: 10 MiB");

    g.resource = S("acs:oss:*:*:b/big/x");
    ok(sts_upload_cap(&e) == 20971519,
       "the widest of several allowing values");

    roles[1] = deny;
    e.num_role = 2;
    e.session = NULL;
    ok(sts_upload_cap(&e) == 499, "a Deny at 500 and over: cap 499");

    e.num_role = 1;
    ok(sts_upload_cap(&e) == STS_UPLOAD_NO_CAP, "no condition: no cap");

    e.session = sess;
    e.length_index = n;
    ok(!sts_upload_allowed(&e, 0), "no length key: never allowed");

    sts_policy_free(A, role);
    sts_policy_free(A, sess);
    sts_policy_free(A, deny);
    sts_policy_free(A, eq);
    sts_policy_free(A, str);
    sts_policy_free(A, neg);
}


static void
test_stamp(void)
{
    char  big[STS_UPLOAD_STAMP_MAX + 2];

    ok(sts_upload_stamp_header(S("x-oss-meta-sts-session-name"))
       && sts_upload_stamp_header(S("X-OSS-META-STS-ROLE-ARN"))
       && sts_upload_stamp_header(S("x-Oss-Meta-Sts-Token-Id"))
       && sts_upload_stamp_header(S("x-oss-meta-sts-source-ip")),
       "the four stamped names, in any case");
    ok(!sts_upload_stamp_header(S("x-oss-meta-sts-session"))
       && !sts_upload_stamp_header(S("x-oss-meta-sts-session-name2"))
       && !sts_upload_stamp_header(S("x-oss-meta-author"))
       && !sts_upload_stamp_header(S("")),
       "other names are not");

    ok(sts_upload_stamp_value_ok(S("acs:ram::1:role/app")),
       "an ARN can be stamped");
    ok(!sts_upload_stamp_value_ok(S("")), "empty: not stamped");
    ok(!sts_upload_stamp_value_ok(S("a\r\nX-Evil: 1")), "CR LF: refused");
    ok(!sts_upload_stamp_value_ok(S("caf\xc3\xa9")), "non-ASCII: refused");

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ok(!sts_upload_stamp_value_ok(S(big)), "over the maximum: refused");
    big[STS_UPLOAD_STAMP_MAX] = '\0';
    ok(sts_upload_stamp_value_ok(S(big)), "at the maximum: stamped");
}


static void
test_position(void)
{
    size_t           i;
    uint64_t         v;
    sts_str_t        pos;
    sts_upload_t     u;
    char             num[24];
    size_t           n, li;
    sts_policy_kv_t  kv[STS_UPLOAD_MAX_KV];

    static const char  *bad[] = {
        "", "+0", "-1", " 0", "0 ", "0x1", "1e3", "1.0", "١",
        "9007199254740993", "99999999999999999999999", NULL
    };

    ok(sts_upload_position(S("0"), &v) == STS_OK && v == 0, "0");
    ok(sts_upload_position(S("00"), &v) == STS_OK && v == 0, "00 is 0");
    ok(sts_upload_position(S("0000000000000000000000000"), &v) == STS_OK
       && v == 0, "any number of zeros is 0");
    ok(sts_upload_position(S("0150"), &v) == STS_OK && v == 150, "0150");
    ok(sts_upload_position(S("9007199254740992"), &v) == STS_OK
       && v == STS_UPLOAD_MAX_LEN, "2^53: the largest");

    for (i = 0; bad[i] != NULL; i++) {
        v = 7;
        ok(sts_upload_position(S(bad[i]), &v) == STS_EINVAL && v == 7,
           "position \"%s\": refused", bad[i]);
    }

    pos = S("+0");
    ok(sts_upload_describe(&u, "AppendObject", 3, NULL, NULL, &pos)
       == STS_EINVAL && !u.write && !u.stamp,
       "AppendObject: a bad position is refused");
    ok(sts_upload_describe(&u, "AppendObject", 3, NULL, NULL, NULL)
       == STS_EINVAL, "AppendObject: no position is refused");

    pos = S("00");
    ok(sts_upload_describe(&u, "AppendObject", 3, NULL, NULL, &pos)
       == STS_OK && u.stamp && u.declared == 3,
       "AppendObject at 00: the first append, stamped");

    pos = S("150");
    describe(&u, "AppendObject", 50, NULL, NULL, &pos);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(!u.stamp && u.length == STS_UPLOAD_LEN_DECLARED, "at 150: declared");
    is_str(value(kv, n, "sts:ContentLength"), "200",
           "AppendObject: the object's size, position + length");

    describe(&u, "AppendObject", -1, NULL, NULL, &pos);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(u.length == STS_UPLOAD_LEN_STREAMED && u.base == 150,
       "streamed append: counted from the position");
    is_str(value(kv, n, "sts:ContentLength"), "150",
           "evaluated at the position, the least it can be");
    n = sts_upload_kv(&u, 0, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(value(kv, n, "sts:ContentLength") == NULL && li == (size_t) -1,
       "not a cap from above: left out");

    pos = S("5");
    ok(sts_upload_describe(&u, "PutObject", 3, NULL, NULL, &pos) == STS_OK
       && u.base == 0 && u.declared == 3,
       "a position means nothing to PutObject");
}


static void
test_unbounded(void)
{
    size_t           i, n, li;
    char             num[24];
    sts_str_t        png;
    sts_upload_t     u;
    sts_policy_kv_t  kv[STS_UPLOAD_MAX_KV];

    static const char  *apis[] = {
        "CopyObject", "UploadPartCopy", "InitiateMultipartUpload",
        "CompleteMultipartUpload", "PutSymlink", "ProcessObject", NULL
    };

    png = S("image/png");

    for (i = 0; apis[i] != NULL; i++) {
        describe(&u, apis[i], 100, &png, NULL, NULL);
        n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
        ok(u.write && u.length == STS_UPLOAD_LEN_UNBOUNDED
           && value(kv, n, "sts:ContentLength") == NULL
           && li == (size_t) -1,
           "%s: size unbounded, no length key", apis[i]);
    }

    describe(&u, "PutSymlink", 0, NULL, NULL, NULL);
    ok(u.stamp, "PutSymlink is stamped");
    describe(&u, "ProcessObject", 0, NULL, NULL, NULL);
    ok(!u.stamp, "ProcessObject is not (sys/saveas is refused)");
    describe(&u, "UploadPartCopy", 0, NULL, NULL, NULL);
    ok(!u.stamp, "UploadPartCopy is not (a part)");
}


static void
test_capped(void)
{
    sts_policy_t        *allow, *deny, *other, *notact;
    sts_oss_grant_t      g[2];
    sts_upload_eval_t    e;
    const sts_policy_t  *roles[2];
    sts_str_t            key = S("sts:ContentLength");

    allow = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                    "\"Action\":\"oss:*\",\"Resource\":\"*\"}}");
    deny = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Deny\","
                   "\"Action\":\"oss:PutObject\","
                   "\"Resource\":\"acs:oss:*:*:b/up/*\","
                   "\"Condition\":{\"NumericGreaterThan\":"
                   "{\"STS:CONTENTLENGTH\":\"50\"},"
                   "\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}}}");
    other = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Allow\","
                    "\"Action\":\"oss:PutObject\",\"Resource\":\"*\","
                    "\"Condition\":{\"StringLike\":"
                    "{\"sts:ContentType\":\"image/*\"}}}}");
    notact = compile("{\"Version\":\"1\",\"Statement\":{\"Effect\":\"Deny\","
                     "\"NotAction\":\"oss:GetObject\","
                     "\"NotResource\":\"acs:oss:*:*:b/free/*\","
                     "\"Condition\":{\"NumericEquals\":"
                     "{\"sts:ContentLength\":\"0\"}}}}");

    if (!ok(allow && deny && other && notact, "policies compile")) {
        return;
    }

    roles[0] = allow;
    roles[1] = deny;

    /* sts_policy_uses_key */

    ok(sts_policy_uses_key(roles, 2, NULL, S("oss:PutObject"),
                           S("acs:oss:*:*:b/up/x"), key),
       "a Deny on the key applies, whatever its other conditions");
    ok(sts_policy_uses_key(roles, 2, NULL, S("OSS:putobject"),
                           S("acs:oss:*:*:b/up/x"), S("sts:contentlength")),
       "action and key ignoring case");
    ok(!sts_policy_uses_key(roles, 2, NULL, S("oss:PutObject"),
                            S("acs:oss:*:*:b/other/x"), key),
       "another resource: not under the key");
    ok(!sts_policy_uses_key(roles, 2, NULL, S("oss:GetObject"),
                            S("acs:oss:*:*:b/up/x"), key),
       "another action: not under the key");
    ok(!sts_policy_uses_key(roles, 1, other, S("oss:PutObject"),
                            S("acs:oss:*:*:b/up/x"), key),
       "conditions on other keys only: not under it");
    ok(sts_policy_uses_key(roles, 1, deny, S("oss:PutObject"),
                           S("acs:oss:*:*:b/up/x"), key),
       "a session policy counts too");
    ok(sts_policy_uses_key(NULL, 0, notact, S("oss:PutObject"),
                           S("acs:oss:*:*:b/x"), key)
       && !sts_policy_uses_key(NULL, 0, notact, S("oss:GetObject"),
                               S("acs:oss:*:*:b/x"), key)
       && !sts_policy_uses_key(NULL, 0, notact, S("oss:PutObject"),
                               S("acs:oss:*:*:b/free/x"), key),
       "NotAction and NotResource as the evaluator reads them");
    ok(!sts_policy_uses_key(NULL, 0, NULL, S("oss:PutObject"),
                            S("acs:oss:*:*:b/x"), key),
       "no policies: nothing");

    roles[1] = NULL;
    ok(!sts_policy_uses_key(roles, 2, NULL, S("oss:PutObject"),
                            S("acs:oss:*:*:b/up/x"), key),
       "NULL role policies are skipped");

    {
        char  longact[STS_POLICY_MAX_ACTION_LEN + 2];

        memset(longact, 'a', sizeof(longact) - 1);
        longact[sizeof(longact) - 1] = '\0';
        ok(sts_policy_uses_key(roles, 1, NULL, S(longact),
                               S("acs:oss:*:*:b/x"), key),
           "an action too long to evaluate: as if under the key");
    }

    /* sts_upload_capped: any grant */

    roles[1] = deny;
    g[0].action = "oss:GetObject";
    g[0].resource = S("acs:oss:*:*:b/src");
    g[1].action = "oss:PutObject";
    g[1].resource = S("acs:oss:*:*:b/up/copy");

    memset(&e, 0, sizeof(e));
    e.role = roles;
    e.num_role = 2;
    e.grants = g;
    e.num_grants = 2;
    e.length_index = (size_t) -1;

    ok(sts_upload_capped(&e), "a copy into a capped prefix is capped");

    g[1].resource = S("acs:oss:*:*:b/down/copy");
    ok(!sts_upload_capped(&e), "elsewhere it is not");

    e.num_grants = 0;
    ok(!sts_upload_capped(&e), "no grants: not capped");

    sts_policy_free(A, allow);
    sts_policy_free(A, deny);
    sts_policy_free(A, other);
    sts_policy_free(A, notact);
}


int
main(void)
{
    test_describe();
    test_cap();
    test_stamp();
    test_position();
    test_unbounded();
    test_capped();

    return tap_done();
}
