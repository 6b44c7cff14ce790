/*
 * Copyright (C) nginx-sts authors
 *
 * test_replay: the grants and context texts of sts_replay (escaping,
 * invalid UTF-8), reading audit lines back (every outcome), and deciding
 * a read line again under other policies.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_policy.h"
#include "sts_replay.h"
#include "tap.h"


static sts_str_t
str(const char *s)
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

    if (sts_policy_compile(&sts_malloc_allocator, json, strlen(json),
                           STS_POLICY_IDENTITY, &p, err, sizeof(err))
        != STS_OK)
    {
        printf("# %s\n", err);
        return NULL;
    }

    return p;
}


/* a log line as nginx writes it: the texts as JSON strings */
static char *
line(const char *decision, const char *role, const char *grants,
    const char *context)
{
    char       *out;
    sts_buf_t   b;

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    sts_buf_appendf(&b, "{\"decision\":\"%s\",\"role_arn\":\"%s\","
                    "\"api\":\"PutObject\",\"bucket\":\"bk1\",\"grants\":\"",
                    decision, role);

    for (; *grants; grants++) {
        if (*grants == '"' || *grants == '\\') {
            sts_buf_append_char(&b, '\\');
        }

        sts_buf_append_char(&b, *grants);
    }

    sts_buf_append_str(&b, "\",\"context\":\"");

    for (; *context; context++) {
        if (*context == '"' || *context == '\\') {
            sts_buf_append_char(&b, '\\');
        }

        sts_buf_append_char(&b, *context);
    }

    sts_buf_append_str(&b, "\"}");

    out = strdup(b.data);
    sts_buf_free(&b);

    return out;
}


static void
test_texts(void)
{
    sts_buf_t         b;
    sts_oss_grant_t   g[2];
    sts_policy_kv_t   kv[3];

    g[0].action = "oss:PutObject";
    g[0].resource = str("acs:oss:*:1:bk1/a\"b\\c");
    g[1].action = "oss:GetObject";
    g[1].resource = str("acs:oss:*:1:bk1/\xc3\xa9t\xc3\xa9");

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    ok(sts_replay_grants_json(&b, g, 2) == STS_OK, "grants: written");
    is_str(b.data, "[[\"oss:PutObject\",\"acs:oss:*:1:bk1/a\\\"b\\\\c\"],"
           "[\"oss:GetObject\",\"acs:oss:*:1:bk1/\xc3\xa9t\xc3\xa9\"]]",
           "grants: quotes escaped, valid UTF-8 kept");
    sts_buf_free(&b);

    kv[0].key = str("acs:UserAgent");
    kv[0].value = str("a\tb\x7f\xff");
    kv[1].key = str("acs:Referer");
    kv[1].value = str("");
    kv[2].key = str("oss:Prefix");
    kv[2].value = str("p/");

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    ok(sts_replay_context_json(&b, kv, 3) == STS_OK, "context: written");
    is_str(b.data, "[[\"acs:UserAgent\",\"a\\u0009b\\u007f\\u00ff\"],"
           "[\"acs:Referer\",\"\"],[\"oss:Prefix\",\"p/\"]]",
           "context: control bytes and invalid UTF-8 as \\u00XX");
    sts_buf_free(&b);

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    ok(sts_replay_grants_json(&b, g, 0) == STS_OK
       && strcmp(b.data, "[]") == 0, "no grants: []");
    sts_buf_free(&b);

    sts_buf_init(&b, &sts_malloc_allocator, 8);
    ok(sts_replay_grants_json(&b, g, 2) != STS_OK,
       "a text over the buffer's limit fails");
    sts_buf_free(&b);
}


static void
test_parse(void)
{
    char              *l;
    sts_replay_rec_t   rec;

    static const char  ctx[] =
        "[[\"acs:CurrentTime\",\"2026-11-26T15:00:00Z\"],"
        "[\"acs:SourceIp\",\"10.0.0.1\"]]";
    static const char  grants[] =
        "[[\"oss:PutObject\",\"acs:oss:*:1:bk1/c\"],"
        "[\"oss:GetObject\",\"acs:oss:*:1:bk1/a\"]]";

    l = line("allow", "acs:ram::1:role/app", grants, ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_OK,
           "a decided line parses");
    ok(rec.allowed && rec.num_grants == 2 && rec.num_kv == 2
       && strcmp(rec.grants[1].action, "oss:GetObject") == 0
       && sts_str_eq(rec.grants[1].resource, "acs:oss:*:1:bk1/a")
       && sts_str_eq(rec.kv[0].value, "2026-11-26T15:00:00Z")
       && sts_str_eq(rec.role_arn, "acs:ram::1:role/app")
       && sts_str_eq(rec.bucket, "bk1"), "and reads back every field");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("implicit-deny", "r", grants, ctx);
    ok(sts_replay_parse(l, strlen(l), &rec) == STS_REPLAY_OK
       && !rec.allowed, "implicit-deny is a denial");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("deny", "r", grants, ctx);
    ok(sts_replay_parse(l, strlen(l), &rec) == STS_REPLAY_OK
       && !rec.allowed, "deny is a denial");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("skip", "r", grants, ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NOT_DECIDED,
           "skip is not a decision");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("error", "r", grants, ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NOT_DECIDED,
           "error is not a decision");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("", "r", grants, ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NOT_DECIDED,
           "empty is not a decision");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "", grants, ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_ROLE,
           "no role: a root key");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "acs:ram::1:root", grants, ctx);
    l[strlen(l) - 1] = '\0';
    {
        char  *root_line;

        root_line = malloc(strlen(l) + 32);
        if (root_line != NULL) {
            sprintf(root_line, "%s,\"statement\":\"root\"}", l);
            is_int(sts_replay_parse(root_line, strlen(root_line), &rec),
                   STS_REPLAY_NO_ROLE, "a root key's request (statement "
                   "root)");
            sts_replay_rec_free(&rec);
            free(root_line);
        }
    }
    free(l);

    l = line("allow", "r", "", ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_GRANTS,
           "no grants recorded");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "r", "[]", ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_GRANTS,
           "an empty grant list");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "r", "[[\"oss:A\"]]", ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_GRANTS,
           "a grant that is not a pair");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "r", "[[\"oss:A\\u0000x\",\"r\"]]", ctx);
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_GRANTS,
           "an action with a NUL");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "r", grants, "[[1,2]]");
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_GRANTS,
           "a context pair that is not strings");
    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "r", grants, "{not json");
    is_int(sts_replay_parse(l, strlen(l), &rec), STS_REPLAY_NO_GRANTS,
           "a context that is not JSON");
    sts_replay_rec_free(&rec);
    free(l);

    is_int(sts_replay_parse("[1]", 3, &rec), STS_REPLAY_NOT_JSON,
           "an array is not a line");
    sts_replay_rec_free(&rec);
    is_int(sts_replay_parse("{\"a\":", 5, &rec), STS_REPLAY_NOT_JSON,
           "truncated JSON");
    sts_replay_rec_free(&rec);

    is_str(sts_replay_outcome_name(STS_REPLAY_NO_ROLE),
           "no role (an account root key)", "outcome names");
    is_str(sts_replay_outcome_name(99), "unknown", "out of range");
}


static void
test_evaluate(void)
{
    int                allowed;
    char              *l;
    size_t             first;
    sts_policy_t      *all, *noget, *old, *session;
    sts_replay_rec_t   rec;

    all = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
                  "\"Action\":\"oss:*\",\"Resource\":\"*\"}]}");
    noget = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":"
                    "\"Allow\",\"Action\":\"oss:PutObject\","
                    "\"Resource\":\"*\"}]}");
    old = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
                  "\"Action\":\"oss:*\",\"Resource\":\"*\",\"Condition\":"
                  "{\"DateLessThan\":{\"acs:CurrentTime\":"
                  "\"2026-11-26T16:00:00Z\"},\"IpAddress\":"
                  "{\"acs:SourceIp\":\"10.0.0.0/8\"}}}]}");
    session = compile("{\"Version\":\"1\",\"Statement\":[{\"Effect\":"
                      "\"Deny\",\"Action\":\"oss:GetObject\","
                      "\"Resource\":\"acs:oss:*:1:bk1/a\"},"
                      "{\"Effect\":\"Allow\",\"Action\":\"oss:*\","
                      "\"Resource\":\"*\"}]}");

    if (!ok(all && noget && old && session, "policies compile")) {
        return;
    }

    l = line("allow", "r",
             "[[\"oss:PutObject\",\"acs:oss:*:1:bk1/c\"],"
             "[\"oss:GetObject\",\"acs:oss:*:1:bk1/a\"]]",
             "[[\"acs:CurrentTime\",\"2026-11-26T15:00:00Z\"],"
             "[\"acs:SourceIp\",\"10.0.0.1\"]]");

    if (!ok(sts_replay_parse(l, strlen(l), &rec) == STS_REPLAY_OK,
            "the line parses"))
    {
        free(l);
        return;
    }

    ok(sts_replay_evaluate((const sts_policy_t *const *) &all, 1, NULL,
                           &rec, &allowed, &first) == STS_OK
       && allowed && first == 2, "allowed under oss:*");

    ok(sts_replay_evaluate((const sts_policy_t *const *) &noget, 1, NULL,
                           &rec, &allowed, &first) == STS_OK
       && !allowed && first == 1,
       "the second pair (the copy source) decides a CopyObject");

    ok(sts_replay_evaluate((const sts_policy_t *const *) &old, 1, NULL,
                           &rec, &allowed, &first) == STS_OK && allowed,
       "the logged time and address are the ones conditions see");

    ok(sts_replay_evaluate((const sts_policy_t *const *) &all, 1, session,
                           &rec, &allowed, &first) == STS_OK
       && !allowed && first == 1, "a session policy's Deny applies");

    sts_replay_rec_free(&rec);
    free(l);

    l = line("allow", "r", "[[\"oss:PutObject\",\"acs:oss:*:1:bk1/c\"]]",
             "[[\"acs:CurrentTime\",\"2026-11-26T17:00:00Z\"],"
             "[\"acs:SourceIp\",\"10.0.0.1\"]]");

    ok(sts_replay_parse(l, strlen(l), &rec) == STS_REPLAY_OK
       && sts_replay_evaluate((const sts_policy_t *const *) &old, 1, NULL,
                              &rec, &allowed, &first) == STS_OK
       && !allowed && first == 0, "a later logged time: denied");

    sts_replay_rec_free(&rec);
    free(l);

    sts_policy_free(&sts_malloc_allocator, all);
    sts_policy_free(&sts_malloc_allocator, noget);
    sts_policy_free(&sts_malloc_allocator, old);
    sts_policy_free(&sts_malloc_allocator, session);
}


int
main(void)
{
    test_texts();
    test_parse();
    test_evaluate();

    return tap_done();
}
