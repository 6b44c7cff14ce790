/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_policy: `stsctl policy check` and `stsctl policy simulate`, so
 * that an operator can test a policy before issuing tokens with it, and
 * the policy reader of every `stsctl policy` subcommand.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sts_util.h"
#include "sts_policy.h"
#include "sts_explain.h"
#include "stsctl_policy.h"
#include "stsctl_usage.h"


#define STSCTL_POLICY_MAX_FILES    64
#define STSCTL_POLICY_MAX_CONTEXT  64
#define STSCTL_POLICY_FILE_MAX     (1024 * 1024)

#define STSCTL_POLICY_OK           0
#define STSCTL_POLICY_ERROR        1
#define STSCTL_POLICY_USAGE        2
#define STSCTL_POLICY_DENIED       3


typedef struct {
    const char        *role_file[STSCTL_POLICY_MAX_FILES];
    sts_policy_t      *role[STSCTL_POLICY_MAX_FILES];
    size_t             num_role;
    const char        *session_file;
    sts_policy_t      *session;
    const char        *trust_file;
    sts_policy_t      *trust;
    const char        *action;
    const char        *resource;
    const char        *principal;
    int                principal_type;
    sts_policy_kv_t    kv[STSCTL_POLICY_MAX_CONTEXT + 1];
    size_t             num_kv;
    char               now[STS_ISO8601_LEN + 1];
} stsctl_sim_t;


static int stsctl_policy_load(const char *path, int kind,
    sts_policy_t **out);
static int stsctl_policy_sim_args(stsctl_sim_t *sim, int argc, char **argv);
static int stsctl_policy_sim_run(stsctl_sim_t *sim);
static void stsctl_policy_print_stmt(const char *what, const char *file,
    int statement, sts_str_t sid);


/* stsctl_policy_read reads a whole file ("-" is stdin); NULL on error */
char *
stsctl_policy_read(const char *path, size_t *out_len)
{
    FILE    *f;
    char    *buf;
    size_t   n;

    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "stsctl policy: %s: %s\n", path, strerror(errno));
        return NULL;
    }

    buf = malloc(STSCTL_POLICY_FILE_MAX + 1);
    if (buf == NULL) {
        fprintf(stderr, "stsctl policy: out of memory\n");
        goto failed;
    }

    n = fread(buf, 1, STSCTL_POLICY_FILE_MAX + 1, f);

    if (ferror(f)) {
        fprintf(stderr, "stsctl policy: %s: read error\n", path);
        goto failed;
    }

    if (n > STSCTL_POLICY_FILE_MAX) {
        fprintf(stderr, "stsctl policy: %s: larger than %d bytes\n", path,
                STSCTL_POLICY_FILE_MAX);
        goto failed;
    }

    if (f != stdin) {
        fclose(f);
    }

    buf[n] = '\0';
    *out_len = n;

    return buf;

failed:

    if (f != stdin) {
        fclose(f);
    }

    free(buf);

    return NULL;
}


static int
stsctl_policy_load(const char *path, int kind, sts_policy_t **out)
{
    int      rc;
    char     err[STS_POLICY_ERR_LEN];
    char    *json;
    size_t   len;

    json = stsctl_policy_read(path, &len);
    if (json == NULL) {
        return STSCTL_POLICY_ERROR;
    }

    rc = sts_policy_compile(&sts_malloc_allocator, json, len, kind, out,
                            err, sizeof(err));
    free(json);

    if (rc != STS_OK) {
        fprintf(stderr, "stsctl policy: %s: %s\n", path, err);
        return STSCTL_POLICY_ERROR;
    }

    return STSCTL_POLICY_OK;
}


int
stsctl_policy_compile(const char *path, int kind, sts_policy_t **out,
    char *err, size_t err_len)
{
    int      rc;
    char    *json;
    size_t   len;

    *out = NULL;

    json = stsctl_policy_read(path, &len);
    if (json == NULL) {
        snprintf(err, err_len, "unreadable");
        return STSCTL_POLICY_ERROR;
    }

    rc = sts_policy_compile(&sts_malloc_allocator, json, len, kind, out,
                            err, err_len);
    free(json);

    return rc == STS_OK ? STSCTL_POLICY_OK : STSCTL_POLICY_ERROR;
}


int
stsctl_policy_check(int argc, char **argv)
{
    int            i, kind, rc;
    sts_buf_t      b;
    const char    *file;
    sts_policy_t  *p;

    kind = STS_POLICY_IDENTITY;
    file = NULL;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trust") == 0) {
            kind = STS_POLICY_TRUST;

        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "stsctl policy check: unknown option \"%s\"\n",
                    argv[i]);
            return stsctl_usage(stderr, "policy check", STSCTL_POLICY_USAGE);

        } else if (file == NULL) {
            file = argv[i];

        } else {
            fprintf(stderr, "stsctl policy check: one FILE only\n");
            return stsctl_usage(stderr, "policy check", STSCTL_POLICY_USAGE);
        }
    }

    if (file == NULL) {
        return stsctl_usage(stderr, "policy check", STSCTL_POLICY_USAGE);
    }

    if (stsctl_policy_load(file, kind, &p) != STSCTL_POLICY_OK) {
        return STSCTL_POLICY_ERROR;
    }

    sts_buf_init(&b, &sts_malloc_allocator, 0);

    rc = sts_policy_to_json(p, 1, &b);
    sts_policy_free(&sts_malloc_allocator, p);

    if (rc != STS_OK) {
        fprintf(stderr, "stsctl policy: %s: %s\n", file, sts_strerror(rc));
        sts_buf_free(&b);
        return STSCTL_POLICY_ERROR;
    }

    fwrite(b.data, 1, b.len, stdout);
    fputc('\n', stdout);
    sts_buf_free(&b);

    return STSCTL_POLICY_OK;
}


int
stsctl_policy_simulate(int argc, char **argv)
{
    int            rc;
    size_t         i;
    stsctl_sim_t  *sim;

    sim = calloc(1, sizeof(stsctl_sim_t));
    if (sim == NULL) {
        fprintf(stderr, "stsctl policy: out of memory\n");
        return STSCTL_POLICY_ERROR;
    }

    rc = stsctl_policy_sim_args(sim, argc, argv);

    if (rc == STSCTL_POLICY_OK) {
        rc = stsctl_policy_sim_run(sim);
    }

    for (i = 0; i < sim->num_role; i++) {
        sts_policy_free(&sts_malloc_allocator, sim->role[i]);
    }

    sts_policy_free(&sts_malloc_allocator, sim->session);
    sts_policy_free(&sts_malloc_allocator, sim->trust);
    free(sim);

    return rc;
}


static int
stsctl_policy_sim_args(stsctl_sim_t *sim, int argc, char **argv)
{
    int          i, has_time;
    char        *eq;
    size_t       k;
    sts_str_t    key;
    const char  *opt, *val;

    sim->principal_type = STS_PRINCIPAL_RAM;

    for (i = 1; i < argc; i++) {
        opt = argv[i];

        if (i + 1 >= argc) {
            fprintf(stderr, "stsctl policy simulate: %s needs a value\n",
                    opt);
            return stsctl_usage(stderr, "policy simulate",
                                STSCTL_POLICY_USAGE);
        }

        val = argv[++i];

        if (strcmp(opt, "--role-policy") == 0) {
            if (sim->num_role == STSCTL_POLICY_MAX_FILES) {
                fprintf(stderr, "stsctl policy simulate: more than %d role "
                        "policies\n", STSCTL_POLICY_MAX_FILES);
                return STSCTL_POLICY_USAGE;
            }

            sim->role_file[sim->num_role++] = val;

        } else if (strcmp(opt, "--session-policy") == 0
                   && sim->session_file == NULL)
        {
            sim->session_file = val;

        } else if (strcmp(opt, "--trust-policy") == 0
                   && sim->trust_file == NULL)
        {
            sim->trust_file = val;

        } else if (strcmp(opt, "--action") == 0 && sim->action == NULL) {
            sim->action = val;

        } else if (strcmp(opt, "--resource") == 0 && sim->resource == NULL) {
            sim->resource = val;

        } else if (strcmp(opt, "--principal") == 0
                   && sim->principal == NULL)
        {
            sim->principal = val;

        } else if (strcmp(opt, "--principal-type") == 0) {
            if (strcmp(val, "ram") == 0) {
                sim->principal_type = STS_PRINCIPAL_RAM;

            } else if (strcmp(val, "service") == 0) {
                sim->principal_type = STS_PRINCIPAL_SERVICE;

            } else if (strcmp(val, "federated") == 0) {
                sim->principal_type = STS_PRINCIPAL_FEDERATED;

            } else {
                fprintf(stderr, "stsctl policy simulate: --principal-type "
                        "is ram, service or federated\n");
                return STSCTL_POLICY_USAGE;
            }

        } else if (strcmp(opt, "--context") == 0) {
            eq = strchr(val, '=');

            if (eq == NULL || eq == val) {
                fprintf(stderr, "stsctl policy simulate: --context wants "
                        "KEY=VALUE, not \"%s\"\n", val);
                return STSCTL_POLICY_USAGE;
            }

            if (sim->num_kv == STSCTL_POLICY_MAX_CONTEXT) {
                fprintf(stderr, "stsctl policy simulate: more than %d "
                        "context keys\n", STSCTL_POLICY_MAX_CONTEXT);
                return STSCTL_POLICY_USAGE;
            }

            sim->kv[sim->num_kv].key.data = val;
            sim->kv[sim->num_kv].key.len = (size_t) (eq - val);
            sim->kv[sim->num_kv].value.data = eq + 1;
            sim->kv[sim->num_kv].value.len = strlen(eq + 1);
            sim->num_kv++;

        } else {
            fprintf(stderr, "stsctl policy simulate: unknown or repeated "
                    "option \"%s\"\n", opt);
            return stsctl_usage(stderr, "policy simulate",
                                STSCTL_POLICY_USAGE);
        }
    }

    if (sim->trust_file != NULL) {
        if (sim->num_role || sim->session_file || sim->action
            || sim->resource || sim->principal == NULL)
        {
            fprintf(stderr, "stsctl policy simulate: --trust-policy takes "
                    "--principal and no role, session, action or "
                    "resource\n");
            return stsctl_usage(stderr, "policy simulate",
                                STSCTL_POLICY_USAGE);
        }

    } else if (sim->num_role == 0 || sim->action == NULL
               || sim->resource == NULL || sim->principal != NULL)
    {
        fprintf(stderr, "stsctl policy simulate: --role-policy, --action "
                "and --resource are required\n");
        return stsctl_usage(stderr, "policy simulate", STSCTL_POLICY_USAGE);
    }

    if (sim->action != NULL
        && strlen(sim->action) > STS_POLICY_MAX_ACTION_LEN)
    {
        fprintf(stderr, "stsctl policy simulate: --action is longer than "
                "%d bytes\n", STS_POLICY_MAX_ACTION_LEN);
        return STSCTL_POLICY_USAGE;
    }

    /* acs:CurrentTime defaults to now */
    has_time = 0;

    for (k = 0; k < sim->num_kv; k++) {
        key = sim->kv[k].key;

        if (key.len == 15 && sts_str_caseeq(key, "acs:CurrentTime")) {
            has_time = 1;
        }
    }

    if (!has_time) {
        sts_format_iso8601(sim->now, (int64_t) time(NULL));
        sim->kv[sim->num_kv].key.data = "acs:CurrentTime";
        sim->kv[sim->num_kv].key.len = 15;
        sim->kv[sim->num_kv].value.data = sim->now;
        sim->kv[sim->num_kv].value.len = STS_ISO8601_LEN;
        sim->num_kv++;
    }

    return STSCTL_POLICY_OK;
}


static int
stsctl_policy_sim_run(stsctl_sim_t *sim)
{
    int                   rc;
    size_t                i;
    sts_str_t             act, res, who;
    const char           *file;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   r;

    for (i = 0; i < sim->num_role; i++) {
        if (stsctl_policy_load(sim->role_file[i], STS_POLICY_IDENTITY,
                               &sim->role[i])
            != STSCTL_POLICY_OK)
        {
            return STSCTL_POLICY_ERROR;
        }
    }

    if (sim->session_file != NULL
        && stsctl_policy_load(sim->session_file, STS_POLICY_IDENTITY,
                              &sim->session)
           != STSCTL_POLICY_OK)
    {
        return STSCTL_POLICY_ERROR;
    }

    if (sim->trust_file != NULL
        && stsctl_policy_load(sim->trust_file, STS_POLICY_TRUST,
                              &sim->trust)
           != STSCTL_POLICY_OK)
    {
        return STSCTL_POLICY_ERROR;
    }

    ctx.kv = sim->kv;
    ctx.num_kv = sim->num_kv;

    if (sim->trust != NULL) {
        who.data = sim->principal;
        who.len = strlen(sim->principal);

        rc = sts_policy_evaluate_trust(sim->trust, sim->principal_type, who,
                                       &ctx, &r);

    } else {
        act.data = sim->action;
        act.len = strlen(sim->action);
        res.data = sim->resource;
        res.len = strlen(sim->resource);

        rc = sts_policy_evaluate((const sts_policy_t *const *) sim->role,
                                 sim->num_role, sim->session, act, res, &ctx,
                                 &r);
    }

    if (rc != STS_OK) {
        fprintf(stderr, "stsctl policy simulate: %s\n", sts_strerror(rc));
        return STSCTL_POLICY_ERROR;
    }

    printf("%s\n", sts_policy_decision_name(r.decision));

    if (r.policy == STS_POLICY_BY_TRUST) {
        file = sim->trust_file;

    } else if (r.policy == STS_POLICY_BY_SESSION) {
        file = sim->session_file;

    } else if (r.policy >= 0) {
        file = sim->role_file[r.policy];

    } else {
        file = NULL;
    }

    if (r.statement >= 0) {
        stsctl_policy_print_stmt(r.policy == STS_POLICY_BY_TRUST
                                 ? "trust policy"
                                 : r.policy == STS_POLICY_BY_SESSION
                                   ? "session policy" : "role policy",
                                 file, r.statement, r.sid);

        if (r.session_statement >= 0) {
            stsctl_policy_print_stmt("session policy", sim->session_file,
                                     r.session_statement, r.session_sid);
        }

    } else if (r.policy == STS_POLICY_BY_SESSION) {
        printf("  session policy %s: no statement allows the request\n",
               file);

    } else {
        printf("  no statement allows the request\n");
    }

    if (r.num_missing) {
        char  keys[1024];

        (void) sts_explain_missing(&r, keys, sizeof(keys));
        printf("  missing condition keys: %s\n", keys);
    }

    return r.decision == STS_POLICY_ALLOW ? STSCTL_POLICY_OK
                                          : STSCTL_POLICY_DENIED;
}


static void
stsctl_policy_print_stmt(const char *what, const char *file, int statement,
    sts_str_t sid)
{
    char    c;
    size_t  i;

    printf("  %s %s: Statement[%d]", what, file, statement);

    if (sid.len) {
        printf(" (Sid \"");

        for (i = 0; i < sid.len; i++) {
            c = sid.data[i];
            putchar((unsigned char) c < 0x20 || c == 0x7f ? '?' : c);
        }

        printf("\")");
    }

    putchar('\n');
}
