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

    sts_upload_describe(&u, "PutObject", 42, &png, &yes, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_int(n, 3, "PutObject: three keys");
    is_str(value(kv, n, "sts:ContentLength"), "42", "declared length");
    is_int(li, 0, "the length's index");
    is_str(value(kv, n, "sts:ContentType"), "image/png", "content type");
    is_str(value(kv, n, "sts:ForbidOverwrite"), "true", "forbid overwrite");
    ok(u.stamp && !u.form, "PutObject is stamped");

    sts_upload_describe(&u, "PutObject", -1, NULL, &yes_uc, NULL);
    is_int(u.length, STS_UPLOAD_LEN_STREAMED, "no length: streamed");
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ContentLength"), "0",
           "streamed, capped policies: evaluated at 0");
    ok(value(kv, n, "sts:ContentType") == NULL, "no type: key absent");
    is_str(value(kv, n, "sts:ForbidOverwrite"), "true", "TRUE in any case");

    n = sts_upload_kv(&u, 0, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(value(kv, n, "sts:ContentLength") == NULL
       && li == (size_t) -1, "streamed, other policies: key absent");

    sts_upload_describe(&u, "PutObject", 1, NULL, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ForbidOverwrite"), "false",
           "no header: false");

    sts_upload_describe(&u, "CopyObject", 0, &png, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(value(kv, n, "sts:ContentLength") == NULL,
       "CopyObject: no length (the store copies)");
    is_str(value(kv, n, "sts:ContentType"), "image/png", "CopyObject type");
    ok(u.stamp, "CopyObject is stamped");

    sts_upload_describe(&u, "PostObject", 1000, &png, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ContentLength"), "0",
           "PostObject: the file part, streamed");
    ok(u.form && !u.stamp, "PostObject: a form, not stamped by headers");

    sts_upload_describe(&u, "UploadPart", 7, &png, NULL, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    is_str(value(kv, n, "sts:ContentLength"), "7", "UploadPart length");
    ok(value(kv, n, "sts:ContentType") == NULL, "UploadPart: no type");
    is_str(value(kv, n, "sts:ForbidOverwrite"), "true",
           "a part replaces no object");
    ok(!u.stamp, "UploadPart is not stamped");

    sts_upload_describe(&u, "AppendObject", 3, NULL, NULL, &zero);
    ok(u.stamp, "AppendObject at 0 is stamped");
    sts_upload_describe(&u, "AppendObject", 3, NULL, NULL, &five);
    ok(!u.stamp, "AppendObject at 5 is not");

    sts_upload_describe(&u, "InitiateMultipartUpload", 0, &png, &yes, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(u.stamp && value(kv, n, "sts:ContentLength") == NULL,
       "InitiateMultipartUpload: stamped, no length");

    sts_upload_describe(&u, "GetObject", 10, &png, &yes, NULL);
    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    ok(!u.write && n == 0 && !u.stamp, "GetObject: no keys");

    sts_upload_describe(&u, NULL, 10, NULL, NULL, NULL);
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

    sts_upload_describe(&u, "PutObject", 10485761, NULL, NULL, NULL);
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


int
main(void)
{
    test_describe();
    test_cap();
    test_stamp();

    return tap_done();
}
