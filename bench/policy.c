/*
 * Copyright (C) nginx-sts authors
 *
 * bench/policy: policy evaluation and compilation speed, measured in
 * process with clock_gettime(CLOCK_MONOTONIC).  Prints evaluations per
 * second and ns per evaluation for 1-, 5-, 20- and 200-statement sets,
 * and the compile time of each, next to two baselines measured in the
 * same run: an empty loop and a strcmp of the request's resource against
 * one ARN.  The goal is under 100 ns for the typical 5-statement set.
 *
 *   build/bench/policy [seconds per measurement, default 0.3]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sts_policy.h"


#define BENCH_MAX_POLICIES  8
#define BENCH_JSON_MAX      32768


typedef struct {
    const char            *name;
    size_t                 num_statements;
    size_t                 num_policies;
    char                  *json[BENCH_MAX_POLICIES];
    sts_policy_t          *pol[BENCH_MAX_POLICIES];
    sts_policy_t          *session;
    const char            *action;
    const char            *resource;
} bench_set_t;


static volatile unsigned long  sink;
static double                  budget = 0.3;


static double
now_ns(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec * 1e9 + ts.tv_nsec;
}


static const char  typical5[] =
    "{\"Version\":\"1\",\"Statement\":["
    "{\"Sid\":\"ReadApp\",\"Effect\":\"Allow\","
    "\"Action\":[\"oss:GetObject\",\"oss:ListObjects\"],"
    "\"Resource\":[\"acs:oss:*:*:app\",\"acs:oss:*:*:app/*\"]},"
    "{\"Sid\":\"WriteOwn\",\"Effect\":\"Allow\","
    "\"Action\":[\"oss:PutObject\",\"oss:AbortMultipartUpload\","
    "\"oss:ListParts\"],\"Resource\":\"acs:oss:*:*:app/user/42/*\"},"
    "{\"Sid\":\"ListOwn\",\"Effect\":\"Allow\",\"Action\":\"oss:ListObjects\","
    "\"Resource\":\"acs:oss:*:*:app\",\"Condition\":{\"StringLike\":"
    "{\"oss:Prefix\":\"user/42/*\"}}},"
    "{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"oss:Delete*\","
    "\"Resource\":\"*\"},"
    "{\"Sid\":\"OfficeOnly\",\"Effect\":\"Deny\",\"Action\":\"*\","
    "\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":{\"acs:SourceIp\":"
    "[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}}]}";

static const char  readonly1[] =
    "{\"Statement\":[{\"Action\":[\"oss:Get*\",\"oss:List*\"],"
    "\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"1\"}";

static const char  session1[] =
    "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":\"oss:GetObject\",\"Resource\":"
    "\"acs:oss:*:*:app/user/42/*.jpg\"}]}";


/*
 * gen_policy writes a policy of |n| statements: Allow statements on
 * buckets "b<first>".."b<first+n-1>" with a few actions and a condition
 * every fifth statement, and one Deny every tenth.
 */
static char *
gen_policy(size_t first, size_t n)
{
    char    *s;
    size_t   i, len, b;

    s = malloc(BENCH_JSON_MAX);
    if (s == NULL) {
        return NULL;
    }

    len = (size_t) snprintf(s, BENCH_JSON_MAX,
                            "{\"Version\":\"1\",\"Statement\":[");

    for (i = 0; i < n && len < BENCH_JSON_MAX - 400; i++) {
        b = first + i;

        if (i % 10 == 9) {
            len += (size_t) snprintf(s + len, BENCH_JSON_MAX - len,
                "%s{\"Effect\":\"Deny\",\"Action\":\"oss:Delete*\","
                "\"Resource\":\"acs:oss:*:*:b%zu/locked/*\"}",
                i ? "," : "", b);
            continue;
        }

        len += (size_t) snprintf(s + len, BENCH_JSON_MAX - len,
            "%s{\"Sid\":\"S%zu\",\"Effect\":\"Allow\",\"Action\":"
            "[\"oss:Get*\",\"oss:PutObject\"],\"Resource\":"
            "[\"acs:oss:*:*:b%zu/*\"]%s}",
            i ? "," : "", b, b,
            i % 5 == 4 ? ",\"Condition\":{\"Bool\":"
                         "{\"acs:SecureTransport\":true}}" : "");
    }

    snprintf(s + len, BENCH_JSON_MAX - len, "]}");

    return s;
}


static int
set_compile(bench_set_t *set)
{
    int     rc;
    char    err[STS_POLICY_ERR_LEN];
    size_t  i;

    for (i = 0; i < set->num_policies; i++) {
        rc = sts_policy_compile(&sts_malloc_allocator, set->json[i],
                                strlen(set->json[i]), STS_POLICY_IDENTITY,
                                &set->pol[i], err, sizeof(err));
        if (rc != STS_OK) {
            fprintf(stderr, "%s: policy %zu: %s\n", set->name, i, err);
            return -1;
        }
    }

    return 0;
}


static double
bench_eval(bench_set_t *set, const sts_policy_ctx_t *ctx, int *decision)
{
    int                   rc;
    double                t0, t, iters;
    unsigned long         i, n, acc;
    sts_str_t             act, res;
    sts_policy_result_t   r;

    act.data = set->action;
    act.len = strlen(set->action);
    res.data = set->resource;
    res.len = strlen(set->resource);

    rc = sts_policy_evaluate((const sts_policy_t *const *) set->pol,
                             set->num_policies, set->session, act, res, ctx,
                             &r);
    if (rc != STS_OK) {
        return -1;
    }

    *decision = r.decision;

    n = 1000;
    acc = 0;

    for ( ;; ) {
        t0 = now_ns();

        for (i = 0; i < n; i++) {
            rc = sts_policy_evaluate((const sts_policy_t *const *) set->pol,
                                     set->num_policies, set->session, act,
                                     res, ctx, &r);
            acc += (unsigned long) r.decision + (unsigned long) rc;
        }

        t = now_ns() - t0;

        if (t > budget * 1e9 || n > 4000000000UL / 2) {
            break;
        }

        iters = t > 1e6 ? (double) n * budget * 1e9 / t : (double) n * 10;
        n = (unsigned long) iters + 1;
    }

    sink += acc;

    return t / (double) n;
}


static double
bench_compile(bench_set_t *set)
{
    int            rc;
    char           err[STS_POLICY_ERR_LEN];
    double         t0, t;
    size_t         k;
    unsigned long  i, n;
    sts_policy_t  *p;

    n = 10;

    for ( ;; ) {
        t0 = now_ns();

        for (i = 0; i < n; i++) {
            for (k = 0; k < set->num_policies; k++) {
                rc = sts_policy_compile(&sts_malloc_allocator, set->json[k],
                                        strlen(set->json[k]),
                                        STS_POLICY_IDENTITY, &p, err,
                                        sizeof(err));
                if (rc != STS_OK) {
                    return -1;
                }

                sts_policy_free(&sts_malloc_allocator, p);
            }
        }

        t = now_ns() - t0;

        if (t > budget * 1e9 / 2) {
            break;
        }

        n *= 4;
    }

    return t / (double) n;
}


static double
bench_empty(void)
{
    double                  t0, t;
    unsigned long           i, n;
    volatile unsigned long  c;

    n = 100000000UL;
    c = 0;

    t0 = now_ns();

    for (i = 0; i < n; i++) {
        c = c + 1;
    }

    t = now_ns() - t0;
    sink += c;

    return t / (double) n;
}


static double
bench_strcmp(const char *resource)
{
    char           *a, *b;
    double          t0, t;
    unsigned long   i, n, acc;
    char *volatile  va, *volatile vb;

    /* same length, differs in the last byte: a full comparison */
    a = strdup(resource);
    b = strdup(resource);
    if (a == NULL || b == NULL) {
        return -1;
    }

    b[strlen(b) - 1] ^= 1;
    va = a;
    vb = b;

    n = 20000000UL;
    acc = 0;

    t0 = now_ns();

    for (i = 0; i < n; i++) {
        acc += strcmp(va, vb) != 0;
    }

    t = now_ns() - t0;
    sink += acc;

    free(a);
    free(b);

    return t / (double) n;
}


int
main(int argc, char **argv)
{
    int               d;
    double            ns, empty, cmp, cns;
    size_t            i, k, json_len;
    sts_policy_ctx_t  ctx;
    bench_set_t       sets[5];
    sts_policy_kv_t   kv[] = {
        { sts_string("acs:SourceIp"), sts_string("10.1.2.3") },
        { sts_string("acs:CurrentTime"), sts_string("2024-05-15T12:30:45Z") },
        { sts_string("acs:SecureTransport"), sts_string("true") },
        { sts_string("acs:UserAgent"), sts_string("aliyun-sdk-js/6.23.0") },
        { sts_string("acs:AccessId"),
          sts_string("STS.NUe5nb1NEmDqbgXjwrUhGjA") }
    };
    static const char  *dname[] = { "ImplicitDeny", "Allow", "ExplicitDeny" };

    if (argc > 1) {
        budget = atof(argv[1]);
        if (budget <= 0) {
            budget = 0.3;
        }
    }

    ctx.kv = kv;
    ctx.num_kv = sizeof(kv) / sizeof(kv[0]);

    memset(sets, 0, sizeof(sets));

    sets[0].name = "1-statement";
    sets[0].num_statements = 1;
    sets[0].num_policies = 1;
    sets[0].json[0] = strdup(readonly1);
    sets[0].action = "oss:GetObject";
    sets[0].resource = "acs:oss:*:1234567890:app/user/42/photos/img_0001.jpg";

    sets[1].name = "5-statement";
    sets[1].num_statements = 5;
    sets[1].num_policies = 1;
    sets[1].json[0] = strdup(typical5);
    sets[1].action = "oss:GetObject";
    sets[1].resource = sets[0].resource;

    sets[2].name = "5+session";
    sets[2].num_statements = 6;
    sets[2].num_policies = 1;
    sets[2].json[0] = strdup(typical5);
    sets[2].action = "oss:GetObject";
    sets[2].resource = sets[0].resource;

    sets[3].name = "20-statement";
    sets[3].num_statements = 20;
    sets[3].num_policies = 1;
    sets[3].json[0] = gen_policy(0, 20);
    sets[3].action = "oss:GetObject";
    sets[3].resource = "acs:oss:*:1234567890:b17/user/42/photos/img.jpg";

    sets[4].name = "200-statement";
    sets[4].num_statements = 200;
    sets[4].num_policies = 4;
    for (k = 0; k < 4; k++) {
        sets[4].json[k] = gen_policy(k * 50, 50);
    }

    sets[4].action = "oss:GetObject";
    sets[4].resource = "acs:oss:*:1234567890:b197/user/42/photos/img.jpg";

    for (i = 0; i < 5; i++) {
        for (k = 0; k < sets[i].num_policies; k++) {
            if (sets[i].json[k] == NULL) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
        }

        if (set_compile(&sets[i]) != 0) {
            return 1;
        }
    }

    if (sts_policy_compile(&sts_malloc_allocator, session1,
                           strlen(session1), STS_POLICY_IDENTITY,
                           &sets[2].session, NULL, 0)
        != STS_OK)
    {
        fprintf(stderr, "session policy does not compile\n");
        return 1;
    }

    empty = bench_empty();
    cmp = bench_strcmp(sets[0].resource);

    printf("policy evaluation (clock_gettime, ~%.1f s per row)\n", budget);
    printf("  baseline: empty loop %.2f ns/iter, strcmp of a %zu-byte "
           "resource %.2f ns/iter\n\n", empty, strlen(sets[0].resource),
           cmp);
    printf("  %-14s %5s  %-12s %10s %14s %10s\n", "set", "stmts",
           "decision", "ns/eval", "evals/s", "x strcmp");

    for (i = 0; i < 5; i++) {
        ns = bench_eval(&sets[i], &ctx, &d);
        if (ns < 0) {
            fprintf(stderr, "%s: evaluate failed\n", sets[i].name);
            return 1;
        }

        printf("  %-14s %5zu  %-12s %10.1f %14.0f %10.1f\n", sets[i].name,
               sets[i].num_statements, dname[d], ns, 1e9 / ns, ns / cmp);
    }

    printf("\npolicy compilation (JSON text to compiled policy, "
           "then free)\n");
    printf("  %-14s %5s %10s %12s\n", "set", "stmts", "JSON bytes",
           "us/compile");

    for (i = 0; i < 5; i++) {
        if (i == 2) {
            continue;
        }

        json_len = 0;
        for (k = 0; k < sets[i].num_policies; k++) {
            json_len += strlen(sets[i].json[k]);
        }

        cns = bench_compile(&sets[i]);
        if (cns < 0) {
            fprintf(stderr, "%s: compile failed\n", sets[i].name);
            return 1;
        }

        printf("  %-14s %5zu %10zu %12.2f\n", sets[i].name,
               sets[i].num_statements, json_len, cns / 1e3);
    }

    for (i = 0; i < 5; i++) {
        for (k = 0; k < sets[i].num_policies; k++) {
            sts_policy_free(&sts_malloc_allocator, sets[i].pol[k]);
            free(sets[i].json[k]);
        }
    }

    sts_policy_free(&sts_malloc_allocator, sets[2].session);

    return 0;
}
