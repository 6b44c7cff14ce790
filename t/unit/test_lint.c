/*
 * Copyright (C) nginx-sts authors
 *
 * test_lint: every finding code of sts_lint on a policy that has it, with
 * its location and severity; clean policies have none; the wildcard
 * match and cover helpers; the statement views of sts_policy.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_policy.h"
#include "sts_lint.h"
#include "tap.h"


#define ACCT  "1234567890123456"
#define HEAD  "{\"Version\":\"1\",\"Statement\":["
#define TAIL  "]}"


static sts_lint_t  lint;


/* compiles and lints; returns the number of findings, -1 on failure */
static int
run(const char *json, int kind)
{
    int            rc;
    char           err[STS_POLICY_ERR_LEN];
    sts_policy_t  *p;

    sts_lint_free(&lint);
    sts_lint_init(&lint, &sts_malloc_allocator);

    rc = sts_policy_compile(&sts_malloc_allocator, json, strlen(json), kind,
                            &p, err, sizeof(err));
    if (rc != STS_OK) {
        printf("# compile: %s\n", err);
        return -1;
    }

    rc = sts_lint_policy(&lint, p);
    sts_policy_free(&sts_malloc_allocator, p);

    return rc == STS_OK ? (int) lint.num : -1;
}


/* the finding with |code| at |loc|, or NULL */
static const sts_lint_finding_t *
find(const char *code, const char *loc)
{
    size_t  i;

    for (i = 0; i < lint.num; i++) {
        if (strcmp(lint.items[i].code, code) == 0
            && strcmp(lint.items[i].location, loc) == 0)
        {
            return &lint.items[i];
        }
    }

    return NULL;
}


static void
dump(void)
{
    size_t  i;

    for (i = 0; i < lint.num; i++) {
        printf("#   %s %s %s: %s\n", lint.items[i].code,
               sts_lint_severity_name(lint.items[i].severity),
               lint.items[i].location, lint.items[i].message);
    }
}


/* exactly one finding: |code| at |loc| with |severity| */
static void
only(const char *json, int kind, const char *code, const char *loc,
    int severity, const char *name)
{
    int                        n;
    const sts_lint_finding_t  *f;

    n = run(json, kind);
    f = find(code, loc);

    if (!ok(n == 1 && f != NULL && f->severity == severity
            && f->hint[0] != '\0' && f->message[0] != '\0',
            "%s: %s at %s", name, code, loc))
    {
        dump();
    }
}


static void
test_clean(void)
{
    is_int(run(HEAD
               "{\"Effect\":\"Allow\",\"Action\":[\"oss:GetObject\","
               "\"oss:PutObject\"],\"Resource\":\"acs:oss:*:" ACCT
               ":photos/users/alice/*\"},"
               "{\"Effect\":\"Allow\",\"Action\":\"oss:ListObjects\","
               "\"Resource\":\"acs:oss:*:" ACCT ":photos\",\"Condition\":"
               "{\"StringLike\":{\"oss:Prefix\":\"users/alice/*\"},"
               "\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"}}},"
               "{\"Effect\":\"Deny\",\"Action\":\"oss:DeleteObject\","
               "\"Resource\":\"*\"}"
               TAIL, STS_POLICY_IDENTITY), 0,
           "a per-user prefix policy with a listing condition is clean");

    is_int(run(HEAD
               "{\"Effect\":\"Allow\",\"Action\":[\"oss:*\"],"
               "\"Resource\":[\"acs:oss:*:" ACCT ":bk1\",\"acs:oss:*:" ACCT
               ":bk1/*\"]},"
               "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
               "\"Resource\":\"acs:ram::" ACCT ":role/x\"}"
               TAIL, STS_POLICY_IDENTITY), 0,
           "oss:* on a bucket and its objects, and sts:AssumeRole, clean");

    is_int(run(HEAD
               "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
               "\"Principal\":{\"RAM\":\"acs:ram::" ACCT ":root\"},"
               "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x\"}}}"
               TAIL, STS_POLICY_TRUST), 0,
           "a trust policy with sts:ExternalId is clean");

    is_int(run(HEAD
               "{\"Effect\":\"Allow\",\"Action\":\"oss:PutObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/up/*\",\"Condition\":"
               "{\"NumericLessThanEquals\":{\"sts:ContentLength\":\"100\"},"
               "\"StringLike\":{\"sts:ContentType\":\"image/*\"},"
               "\"Bool\":{\"sts:ForbidOverwrite\":\"true\"}}}"
               TAIL, STS_POLICY_IDENTITY), 0,
           "the sts: upload keys are known");
}


static void
test_codes(void)
{
    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:ListObjects\","
         "\"Resource\":\"acs:oss:*:" ACCT ":photos/users/alice/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L001", "Statement[0].Action[0]",
         STS_LINT_ERROR, "ListObjects on an object ARN");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":[\"oss:ListObjects\","
         "\"oss:GetObject\"],\"Resource\":\"acs:oss:*:" ACCT ":photos\"}"
         TAIL, STS_POLICY_IDENTITY, "L001", "Statement[0].Action[1]",
         STS_LINT_ERROR, "GetObject on a bucket ARN");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:ListBuckets\","
         "\"Resource\":\"acs:oss:*:" ACCT ":photos/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L001", "Statement[0].Action[0]",
         STS_LINT_ERROR, "ListBuckets on object ARNs");

    is_int(run(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:List*\","
               "\"Resource\":\"acs:oss:*:" ACCT ":photos/*\"}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "oss:List* on objects: ListParts is an object action, no L001");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":photos/users/alice/*\"},"
         "{\"Effect\":\"Allow\",\"Action\":\"oss:ListObjects\","
         "\"Resource\":\"acs:oss:*:" ACCT ":photos\"}" TAIL,
         STS_POLICY_IDENTITY, "L002", "Statement[1].Resource[0]",
         STS_LINT_WARNING, "ListObjects without oss:Prefix");
    ok(lint.num == 1 && strstr(lint.items[0].hint, "users/alice/*") != NULL,
       "L002: the hint names the prefix");

    is_int(run(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
               "\"Resource\":[\"acs:oss:*:" ACCT ":photos/users/alice/*\","
               "\"acs:oss:*:" ACCT ":photos/*\"]},"
               "{\"Effect\":\"Allow\",\"Action\":\"oss:ListObjects\","
               "\"Resource\":\"acs:oss:*:" ACCT ":photos\"}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "L002 not when every object of the bucket is granted");

    is_int(run(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":photos/users/alice/*\"},"
               "{\"Effect\":\"Allow\",\"Action\":\"oss:ListObjects\","
               "\"Resource\":\"acs:oss:*:" ACCT ":other\"}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "L002 not for a listing of another bucket");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"StringLike\":{\"acs:Referer\":\"https://a.example/*\"}}}" TAIL,
         STS_POLICY_IDENTITY, "L003",
         "Statement[0].Condition.StringLike.acs:Referer", STS_LINT_WARNING,
         "an Allow on acs:Referer");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"StringEquals\":{\"acs:UserAgent\":\"app/1\"}}}" TAIL,
         STS_POLICY_IDENTITY, "L003",
         "Statement[0].Condition.StringEquals.acs:UserAgent",
         STS_LINT_WARNING, "an Allow on acs:UserAgent");

    is_int(run(HEAD "{\"Effect\":\"Deny\",\"Action\":\"oss:GetObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
               "{\"StringNotLike\":{\"acs:Referer\":\"https://a/*\"}}}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "L003 not for a Deny on acs:Referer");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObjekt\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L004", "Statement[0].Action[0]",
         STS_LINT_ERROR, "a misspelt action");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":[\"oss:Get*\","
         "\"oss:Fetch*\"],\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L004", "Statement[0].Action[1]",
         STS_LINT_ERROR, "a wildcard that matches no action");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L004", "Statement[0].Action[0]",
         STS_LINT_ERROR, "an action without a service");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"ram:ListUsers\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L005", "Statement[0].Action[0]",
         STS_LINT_WARNING, "a ram: action");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"sts:GetCallerIdentity\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L005", "Statement[0].Action[0]",
         STS_LINT_WARNING, "an sts: action other than AssumeRole");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L005", "Statement[0].Action[0]",
         STS_LINT_WARNING, "an action of another service");

    only(HEAD "{\"Effect\":\"Allow\",\"NotAction\":\"*\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L006", "Statement[0].NotAction[0]",
         STS_LINT_ERROR, "NotAction *");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"NotResource\":\"*\"}" TAIL,
         STS_POLICY_IDENTITY, "L006", "Statement[0].NotResource[0]",
         STS_LINT_ERROR, "NotResource *");

    run(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
        "\"Principal\":{\"RAM\":\"acs:ram::" ACCT ":root\"}}" TAIL,
        STS_POLICY_TRUST);
    ok(find("L006", "Statement[0]") != NULL
       && find("L005", "Statement[0].Action[0]") != NULL && lint.num == 2,
       "a trust statement without sts:AssumeRole: L006 and L005");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"StringEquals\":{\"acs:AccessId\":[\"STS.a\"]},"
         "\"StringNotEquals\":{\"acs:accessid\":[\"STS.b\",\"STS.a\"]}}}"
         TAIL, STS_POLICY_IDENTITY, "L006",
         "Statement[0].Condition.StringNotEquals.acs:accessid",
         STS_LINT_ERROR, "StringEquals a and StringNotEquals a");

    is_int(run(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
               "{\"StringEquals\":{\"acs:AccessId\":[\"STS.a\",\"STS.c\"]},"
               "\"StringNotEquals\":{\"acs:AccessId\":\"STS.a\"}}}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "StringEquals a, c and StringNotEquals a: c remains");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"DateGreaterThan\":{\"acs:CurrentTime\":"
         "\"2026-12-01T00:00:00Z\"},\"DateLessThan\":{\"acs:CurrentTime\":"
         "\"2026-11-01T00:00:00Z\"}}}" TAIL, STS_POLICY_IDENTITY, "L006",
         "Statement[0].Condition.DateLessThan.acs:CurrentTime",
         STS_LINT_ERROR, "after December and before November");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:PutObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"NumericGreaterThan\":{\"sts:ContentLength\":[100,50]},"
         "\"NumericLessThan\":{\"sts:ContentLength\":50}}}" TAIL,
         STS_POLICY_IDENTITY, "L006",
         "Statement[0].Condition.NumericLessThan.sts:ContentLength",
         STS_LINT_ERROR, "> 50 and < 50");

    is_int(run(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:PutObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
               "{\"NumericGreaterThanEquals\":{\"sts:ContentLength\":50},"
               "\"NumericLessThanEquals\":{\"sts:ContentLength\":50}}}"
               TAIL, STS_POLICY_IDENTITY), 0,
           ">= 50 and <= 50: 50 remains");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"StringLike\":{\"oss:Prefix\":\"a/*\"}}}" TAIL,
         STS_POLICY_IDENTITY, "L007",
         "Statement[0].Condition.StringLike.oss:Prefix", STS_LINT_WARNING,
         "oss:Prefix without a listing");

    only(HEAD "{\"Effect\":\"Deny\",\"Action\":\"oss:Delete*\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"},"
         "{\"Effect\":\"Allow\",\"Action\":\"oss:DeleteObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/tmp/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L008", "Statement[1]", STS_LINT_WARNING,
         "an Allow under an unconditional Deny");

    is_int(run(HEAD "{\"Effect\":\"Deny\",\"Action\":\"oss:Delete*\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/tmp/*\"},"
               "{\"Effect\":\"Allow\",\"Action\":\"oss:DeleteObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "L008 not when the Deny covers part of the Allow");

    is_int(run(HEAD "{\"Effect\":\"Deny\",\"Action\":\"oss:Delete*\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
               "{\"Bool\":{\"acs:SecureTransport\":\"false\"}}},"
               "{\"Effect\":\"Allow\",\"Action\":\"oss:DeleteObject\","
               "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\"}" TAIL,
               STS_POLICY_IDENTITY), 0,
           "L008 not for a conditional Deny");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:*:bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L009", "Statement[0].Resource[0]",
         STS_LINT_WARNING, "any account");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"StringEquals\":{\"acs:SourceIP\":\"x\",\"oss:Prefx\":\"a\"}}}"
         TAIL, STS_POLICY_IDENTITY, "L010",
         "Statement[0].Condition.StringEquals.oss:Prefx", STS_LINT_WARNING,
         "an unknown key (acs:SourceIP is known: keys ignore case)");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":bk1/*\",\"Condition\":"
         "{\"StringEquals\":{\"oss:ExistingObjectTag/team\":\"x\"}}}"
         TAIL, STS_POLICY_IDENTITY, "L010",
         "Statement[0].Condition.StringEquals.oss:ExistingObjectTag/team",
         STS_LINT_WARNING, "a documented key the gateway never supplies");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L011", "Statement[0].Resource[0]",
         STS_LINT_ERROR, "a resource that is not an ARN");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:s3:::bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L012", "Statement[0].Resource[0]",
         STS_LINT_ERROR, "a resource of another service");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:cn-hangzhou:" ACCT ":bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L013", "Statement[0].Resource[0]",
         STS_LINT_ERROR, "a region other than *");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:" ACCT ":B_1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L013", "Statement[0].Resource[0]",
         STS_LINT_ERROR, "an invalid bucket name");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:" ACCT ":bk1/x\"}" TAIL,
         STS_POLICY_IDENTITY, "L013", "Statement[0].Resource[0]",
         STS_LINT_ERROR, "four fields and no wildcard");

    only(HEAD "{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\","
         "\"Resource\":\"acs:oss:*:me:bk1/*\"}" TAIL,
         STS_POLICY_IDENTITY, "L013", "Statement[0].Resource[0]",
         STS_LINT_ERROR, "an account that is not digits");
}


static void
test_many(void)
{
    int     n;
    char   *json;
    size_t  i, len;

    /* 256 statements of 3 findings each stay bounded and ordered */
    json = malloc(256 * 128 + 64);
    if (json == NULL) {
        return;
    }

    len = (size_t) sprintf(json, HEAD);

    for (i = 0; i < 256; i++) {
        len += (size_t) sprintf(json + len, "%s{\"Effect\":\"Allow\","
                                "\"Action\":\"oss:Nope%zu\",\"Resource\":"
                                "[\"x%zu\",\"acs:oss:*:*:bk1/*\"]}",
                                i ? "," : "", i, i);
    }

    sprintf(json + len, TAIL);

    n = run(json, STS_POLICY_IDENTITY);
    is_int(n, 768, "256 statements, three findings each");
    is_int((int) lint.errors, 512, "512 errors");
    is_int((int) lint.warnings, 256, "256 warnings");
    ok(n > 0 && strcmp(lint.items[n - 1].location,
                       "Statement[255].Resource[1]") == 0,
       "in document order");

    free(json);
}


static void
test_match(void)
{
    ok(sts_lint_match("oss:Get*", "oss:GetObject", 13, 1), "prefix star");
    ok(sts_lint_match("OSS:get*", "oss:GetObject", 13, 1), "ignoring case");
    ok(!sts_lint_match("OSS:get*", "oss:GetObject", 13, 0), "or not");
    ok(sts_lint_match("a?c", "a\xc3\xa9" "c", 4, 0), "? is one character");
    ok(!sts_lint_match("a?c", "abbc", 4, 0), "? is one only");
    ok(sts_lint_match("*a*b*c*", "xxaxxbxxc", 9, 0), "several stars");
    ok(!sts_lint_match("*a*b*c*", "xxaxxcxxb", 9, 0), "in order");

    ok(sts_lint_covers("oss:*", "oss:Get*", 1), "oss:* covers oss:Get*");
    ok(sts_lint_covers("oss:Get*", "oss:GetObject", 1), "a literal");
    ok(!sts_lint_covers("oss:GetObject", "oss:Get*", 1),
       "a literal does not cover a star");
    ok(!sts_lint_covers("oss:Get?bject*", "oss:Get*", 1),
       "? does not cover a star");
    ok(sts_lint_covers("b/*", "b/tmp/*", 0), "a prefix covers a longer one");
    ok(!sts_lint_covers("b/tmp/*", "b/*", 0), "not the other way round");
}


static void
test_views(void)
{
    char                     err[STS_POLICY_ERR_LEN];
    const char              *op, *json;
    size_t                   nv;
    sts_str_t                key, v;
    sts_policy_t            *p;
    sts_policy_stmt_view_t   view;

    json = HEAD "{\"Sid\":\"s1\",\"Effect\":\"Deny\",\"NotAction\":"
           "[\"oss:A\",\"oss:B\"],\"Resource\":\"r1\",\"Condition\":"
           "{\"NumericEquals\":{\"k1\":[1,2.5]}}}" TAIL;

    if (!ok(sts_policy_compile(&sts_malloc_allocator, json, strlen(json),
                               STS_POLICY_IDENTITY, &p, err, sizeof(err))
            == STS_OK, "views: compiles"))
    {
        return;
    }

    ok(sts_policy_stmt_view(p, 0, &view) == STS_OK && view.deny
       && view.not_action && !view.not_resource && view.has_resource
       && view.num_actions == 2 && view.num_resources == 1
       && view.num_conds == 1 && sts_str_eq(view.sid, "s1"),
       "views: the statement");
    ok(sts_policy_stmt_view(p, 1, &view) == STS_EINVAL,
       "views: out of range");
    is_str(sts_policy_stmt_action(p, 0, 1), "oss:B", "views: an action");
    ok(sts_policy_stmt_action(p, 0, 2) == NULL, "views: action range");
    is_str(sts_policy_stmt_resource(p, 0, 0), "r1", "views: a resource");
    ok(sts_policy_stmt_cond(p, 0, 0, &op, &key, &nv) == STS_OK
       && strcmp(op, "NumericEquals") == 0 && sts_str_eq(key, "k1")
       && nv == 2, "views: a condition");
    ok(sts_policy_stmt_cond_value(p, 0, 0, 1, &v) == STS_OK
       && sts_str_eq(v, "2.5"), "views: a condition value");
    ok(sts_policy_stmt_cond_value(p, 0, 0, 2, &v) == STS_EINVAL,
       "views: value range");

    sts_policy_free(&sts_malloc_allocator, p);
}


int
main(void)
{
    sts_lint_init(&lint, &sts_malloc_allocator);

    test_clean();
    test_codes();
    test_many();
    test_match();
    test_views();

    sts_lint_free(&lint);

    return tap_done();
}
