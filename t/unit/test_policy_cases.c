/*
 * Copyright (C) nginx-sts authors
 *
 * test_policy_cases: runs the data-driven policy suite in t/policy/ (see
 * t/policy/README): one TAP assertion per case directory, comparing the
 * first line of its "expect" file with what the compiler and evaluator
 * say.  Run from the repository root (or a directory below it); the
 * environment variable STS_POLICY_CASES may name the suite directory.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sts_policy.h"
#include "tap.h"


#define MAX_FILES     16
#define MAX_CTX       32
#define MAX_NAMES     1024
#define LINE_MAX_LEN  4096


typedef struct {
    char              action[LINE_MAX_LEN];
    char              resource[LINE_MAX_LEN];
    char              principal[LINE_MAX_LEN];
    int               principal_type;
    int               has_resource;
    char             *ctx_buf[MAX_CTX];
    sts_policy_kv_t   kv[MAX_CTX];
    size_t            num_kv;
} request_t;


static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


/* read_file reads a whole file; the caller frees it.  NULL if absent. */
static char *
read_file(const char *path, size_t *len)
{
    FILE    *f;
    char    *buf;
    size_t   cap, n;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    cap = 1 << 20;
    buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }

    n = fread(buf, 1, cap, f);
    fclose(f);

    buf[n] = '\0';
    *len = n;

    return buf;
}


/* list_dir returns the sorted names in |dir| that pass |want| */
static size_t
list_dir(const char *dir, char **names, size_t max,
    int (*want)(const char *dir, const char *name))
{
    DIR            *d;
    size_t          n;
    struct dirent  *e;

    d = opendir(dir);
    if (d == NULL) {
        return 0;
    }

    n = 0;

    while ((e = readdir(d)) != NULL && n < max) {
        if (e->d_name[0] == '.' || !want(dir, e->d_name)) {
            continue;
        }

        names[n] = strdup(e->d_name);
        if (names[n] != NULL) {
            n++;
        }
    }

    closedir(d);
    qsort(names, n, sizeof(char *), cmp_names);

    return n;
}


static int
want_dir(const char *dir, const char *name)
{
    char         path[1024];
    struct stat  st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}


static int
want_role(const char *dir, const char *name)
{
    size_t  len;

    len = strlen(name);

    return len >= 9 && strncmp(name, "role", 4) == 0
           && strcmp(name + len - 5, ".json") == 0;
}


static void
request_free(request_t *rq)
{
    size_t  i;

    for (i = 0; i < rq->num_kv; i++) {
        free(rq->ctx_buf[i]);
    }

    rq->num_kv = 0;
}


/*
 * parse_request reads "action A", "resource R", "context key=value",
 * "principal P" and "principal-type ram|service|federated" lines.
 */
static int
parse_request(char *text, request_t *rq, char *why, size_t why_len)
{
    char    *line, *next, *val, *eq, *copy;
    size_t   len;

    memset(rq, 0, sizeof(request_t));
    rq->principal_type = STS_PRINCIPAL_RAM;

    for (line = text; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }

        len = strlen(line);
        if (len > 0 && line[len - 1] == '\r') {
            line[--len] = '\0';
        }

        if (len == 0 || line[0] == '#') {
            continue;
        }

        val = strchr(line, ' ');
        if (val == NULL) {
            val = line + len;

        } else {
            *val++ = '\0';
        }

        if (strcmp(line, "action") == 0) {
            snprintf(rq->action, sizeof(rq->action), "%s", val);

        } else if (strcmp(line, "resource") == 0) {
            snprintf(rq->resource, sizeof(rq->resource), "%s", val);
            rq->has_resource = 1;

        } else if (strcmp(line, "principal") == 0) {
            snprintf(rq->principal, sizeof(rq->principal), "%s", val);

        } else if (strcmp(line, "principal-type") == 0) {
            if (strcmp(val, "ram") == 0) {
                rq->principal_type = STS_PRINCIPAL_RAM;

            } else if (strcmp(val, "service") == 0) {
                rq->principal_type = STS_PRINCIPAL_SERVICE;

            } else if (strcmp(val, "federated") == 0) {
                rq->principal_type = STS_PRINCIPAL_FEDERATED;

            } else {
                snprintf(why, why_len, "bad principal-type %s", val);
                return -1;
            }

        } else if (strcmp(line, "context") == 0) {
            eq = strchr(val, '=');
            if (eq == NULL || rq->num_kv == MAX_CTX) {
                snprintf(why, why_len, "bad context line %s", val);
                return -1;
            }

            copy = strdup(val);
            if (copy == NULL) {
                snprintf(why, why_len, "no memory");
                return -1;
            }

            eq = copy + (eq - val);
            rq->ctx_buf[rq->num_kv] = copy;
            rq->kv[rq->num_kv].key.data = copy;
            rq->kv[rq->num_kv].key.len = (size_t) (eq - copy);
            rq->kv[rq->num_kv].value.data = eq + 1;
            rq->kv[rq->num_kv].value.len = strlen(eq + 1);
            rq->num_kv++;

        } else {
            snprintf(why, why_len, "unknown request line %s", line);
            return -1;
        }
    }

    return 0;
}


/*
 * compile_file compiles |dir|/|name|.  On failure writes
 * "error <name>: <message>" to |got| and returns NULL.
 */
static sts_policy_t *
compile_file(const char *dir, const char *name, int kind, char *got,
    size_t got_len)
{
    int            rc;
    char           path[1100], err[STS_POLICY_ERR_LEN];
    char          *json;
    size_t         len;
    sts_policy_t  *p;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    json = read_file(path, &len);
    if (json == NULL) {
        snprintf(got, got_len, "error %s: cannot read", name);
        return NULL;
    }

    rc = sts_policy_compile(&sts_malloc_allocator, json, len, kind, &p, err,
                            sizeof(err));
    free(json);

    if (rc != STS_OK) {
        snprintf(got, got_len, "error %s: %s", name, err);
        return NULL;
    }

    return p;
}


/* run_case fills |got| with the outcome of one case */
static void
run_case(const char *dir, const request_t *rq, char *got, size_t got_len)
{
    int                   rc;
    char                  path[1100], desc[512];
    char                 *roles[MAX_FILES];
    size_t                i, n;
    struct stat           st;
    sts_str_t             act, res, who;
    sts_policy_t         *pol[MAX_FILES], *session, *trust;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   r;

    session = NULL;
    trust = NULL;
    got[0] = '\0';

    n = list_dir(dir, roles, MAX_FILES, want_role);

    for (i = 0; i < n; i++) {
        pol[i] = NULL;
    }

    for (i = 0; i < n; i++) {
        pol[i] = compile_file(dir, roles[i], STS_POLICY_IDENTITY, got,
                              got_len);
        if (pol[i] == NULL) {
            goto done;
        }
    }

    snprintf(path, sizeof(path), "%s/session.json", dir);
    if (stat(path, &st) == 0) {
        session = compile_file(dir, "session.json", STS_POLICY_IDENTITY, got,
                               got_len);
        if (session == NULL) {
            goto done;
        }
    }

    snprintf(path, sizeof(path), "%s/trust.json", dir);
    if (stat(path, &st) == 0) {
        trust = compile_file(dir, "trust.json", STS_POLICY_TRUST, got,
                             got_len);
        if (trust == NULL) {
            goto done;
        }
    }

    ctx.kv = rq->kv;
    ctx.num_kv = rq->num_kv;

    if (trust != NULL) {
        who.data = rq->principal;
        who.len = strlen(rq->principal);
        rc = sts_policy_evaluate_trust(trust, rq->principal_type, who, &ctx,
                                       &r);

    } else {
        act.data = rq->action;
        act.len = strlen(rq->action);
        res.data = rq->resource;
        res.len = strlen(rq->resource);
        rc = sts_policy_evaluate((const sts_policy_t *const *) pol, n,
                                 session, act, res, &ctx, &r);
    }

    if (rc != STS_OK) {
        snprintf(got, got_len, "evaluate failed: %s", sts_strerror(rc));
        goto done;
    }

    sts_policy_result_describe(&r, desc, sizeof(desc));
    snprintf(got, got_len, "%s %s", sts_policy_decision_name(r.decision),
             desc);

done:

    for (i = 0; i < n; i++) {
        sts_policy_free(&sts_malloc_allocator, pol[i]);
        free(roles[i]);
    }

    sts_policy_free(&sts_malloc_allocator, session);
    sts_policy_free(&sts_malloc_allocator, trust);
}


static const char *
find_suite(void)
{
    size_t             i;
    struct stat        st;
    const char        *env;
    static const char *try[] = {
        "t/policy", "../t/policy", "../../t/policy", "../../../t/policy"
    };

    env = getenv("STS_POLICY_CASES");
    if (env != NULL && *env != '\0') {
        return env;
    }

    for (i = 0; i < sizeof(try) / sizeof(try[0]); i++) {
        if (stat(try[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            return try[i];
        }
    }

    return NULL;
}


int
main(void)
{
    char         dir[1024], path[1100], why[256];
    char        *names[MAX_NAMES], *expect, *req, *nl;
    char         got[STS_POLICY_ERR_LEN + 600];
    size_t       i, n, len;
    request_t    rq;
    const char  *suite;

    suite = find_suite();
    if (suite == NULL) {
        ok(0, "t/policy not found (run from the repository root)");
        return tap_done();
    }

    n = list_dir(suite, names, MAX_NAMES, want_dir);
    ok(n >= 150, "%zu cases in %s (at least 150)", n, suite);

    for (i = 0; i < n; i++) {
        memset(&rq, 0, sizeof(request_t));
        snprintf(why, sizeof(why), "no memory");
        snprintf(dir, sizeof(dir), "%s/%s", suite, names[i]);

        snprintf(path, sizeof(path), "%s/expect", dir);
        expect = read_file(path, &len);
        snprintf(path, sizeof(path), "%s/request", dir);
        req = read_file(path, &len);

        if (expect == NULL) {
            ok(0, "%s: no expect file", names[i]);
            free(req);
            free(names[i]);
            continue;
        }

        nl = strpbrk(expect, "\r\n");
        if (nl != NULL) {
            *nl = '\0';
        }

        if (req == NULL) {
            req = strdup("");
        }

        if (req == NULL || parse_request(req, &rq, why, sizeof(why)) != 0) {
            ok(0, "%s: bad request file: %s", names[i], why);

        } else {
            run_case(dir, &rq, got, sizeof(got));
            is_str(got, expect, "%s", names[i]);
        }

        request_free(&rq);
        free(expect);
        free(req);
        free(names[i]);
    }

    return tap_done();
}
