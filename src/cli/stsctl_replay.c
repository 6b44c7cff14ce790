/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_replay: `stsctl policy replay`, the decisions of an audit log
 * decided again under proposed policies (see sts_replay.h).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_util.h"
#include "sts_policy.h"
#include "sts_replay.h"
#include "stsctl_lint.h"
#include "stsctl_policy.h"
#include "stsctl_usage.h"


#define STSCTL_REPLAY_OK          0
#define STSCTL_REPLAY_INVALID     1
#define STSCTL_REPLAY_USAGE       2
#define STSCTL_REPLAY_CHANGED     3

#define STSCTL_REPLAY_MAX_FILES   64
#define STSCTL_REPLAY_MAX_KEYS    4096

/* skip reasons beyond the parse outcomes */
#define STSCTL_REPLAY_OTHER_ROLE  STS_REPLAY_NUM_OUTCOMES
#define STSCTL_REPLAY_TOO_LONG    (STS_REPLAY_NUM_OUTCOMES + 1)
#define STSCTL_REPLAY_REASONS     (STS_REPLAY_NUM_OUTCOMES + 2)


typedef struct {
    char      *name;
    size_t     to_deny;
    size_t     to_allow;
} stsctl_count_t;

typedef struct {
    stsctl_count_t   *items;
    size_t            num;
    size_t            other_deny;
    size_t            other_allow;
} stsctl_counts_t;


static int stsctl_count(stsctl_counts_t *c, sts_str_t name, int to_allow);
static void stsctl_counts_free(stsctl_counts_t *c);
static json_t *stsctl_counts_json(const stsctl_counts_t *c);
static void stsctl_counts_text(const char *what, const stsctl_counts_t *c);
static sts_str_t stsctl_replay_bucket(const sts_replay_rec_t *rec);
static void stsctl_print_safe(sts_str_t s);


int
stsctl_policy_replay(int argc, char **argv)
{
    int                   i, json, rc, outcome, allowed, status;
    char                  err[STS_POLICY_ERR_LEN];
    char                 *line, *text;
    FILE                 *log;
    size_t                cap, first, k;
    size_t                num_role, read, evaluated, unchanged;
    size_t                to_deny, to_allow, skipped;
    size_t                skip[STSCTL_REPLAY_REASONS];
    ssize_t               n;
    json_t               *root, *reqs, *o, *sk;
    sts_str_t             act, bucket;
    const char           *log_file, *session_file, *role_arn;
    const char           *role_file[STSCTL_REPLAY_MAX_FILES];
    sts_policy_t         *role[STSCTL_REPLAY_MAX_FILES], *session;
    stsctl_counts_t       by_action, by_bucket;
    sts_replay_rec_t      rec;

    json = 0;
    log_file = NULL;
    session_file = NULL;
    role_arn = NULL;
    num_role = 0;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "stsctl policy replay: %s needs a value\n",
                    argv[i]);
            return stsctl_usage(stderr, "policy replay",
                                STSCTL_REPLAY_USAGE);
        }

        if (strcmp(argv[i], "--log") == 0 && log_file == NULL) {
            log_file = argv[++i];

        } else if (strcmp(argv[i], "--policy") == 0
                   && num_role < STSCTL_REPLAY_MAX_FILES)
        {
            role_file[num_role++] = argv[++i];

        } else if (strcmp(argv[i], "--session") == 0
                   && session_file == NULL)
        {
            session_file = argv[++i];

        } else if (strcmp(argv[i], "--role") == 0 && role_arn == NULL) {
            role_arn = argv[++i];

        } else if (strcmp(argv[i], "--format") == 0
                   && (strcmp(argv[i + 1], "text") == 0
                       || strcmp(argv[i + 1], "json") == 0))
        {
            json = argv[++i][0] == 'j';

        } else {
            fprintf(stderr, "stsctl policy replay: unknown, repeated or "
                    "invalid option \"%s\"\n", argv[i]);
            return stsctl_usage(stderr, "policy replay",
                                STSCTL_REPLAY_USAGE);
        }
    }

    if (log_file == NULL || num_role == 0) {
        fprintf(stderr, "stsctl policy replay: --log and --policy are "
                "required\n");
        return stsctl_usage(stderr, "policy replay", STSCTL_REPLAY_USAGE);
    }

    memset(role, 0, sizeof(role));
    session = NULL;
    status = STSCTL_REPLAY_OK;

    for (k = 0; k < num_role && status == STSCTL_REPLAY_OK; k++) {
        if (stsctl_policy_compile(role_file[k], STS_POLICY_IDENTITY, &role[k],
                                err, sizeof(err))
            != STSCTL_REPLAY_OK)
        {
            fprintf(stderr, "stsctl policy replay: %s: %s\n", role_file[k],
                    err);
            status = STSCTL_REPLAY_INVALID;
        }
    }

    if (status == STSCTL_REPLAY_OK && session_file != NULL
        && stsctl_policy_compile(session_file, STS_POLICY_IDENTITY, &session,
                               err, sizeof(err))
           != STSCTL_REPLAY_OK)
    {
        fprintf(stderr, "stsctl policy replay: %s: %s\n", session_file, err);
        status = STSCTL_REPLAY_INVALID;
    }

    log = NULL;

    if (status == STSCTL_REPLAY_OK) {
        log = strcmp(log_file, "-") == 0 ? stdin : fopen(log_file, "rb");

        if (log == NULL) {
            fprintf(stderr, "stsctl policy replay: %s: %s\n", log_file,
                    strerror(errno));
            status = STSCTL_REPLAY_INVALID;
        }
    }

    if (status != STSCTL_REPLAY_OK) {
        for (k = 0; k < num_role; k++) {
            sts_policy_free(&sts_malloc_allocator, role[k]);
        }

        sts_policy_free(&sts_malloc_allocator, session);
        return status;
    }

    memset(skip, 0, sizeof(skip));
    memset(&by_action, 0, sizeof(by_action));
    memset(&by_bucket, 0, sizeof(by_bucket));
    read = 0;
    evaluated = 0;
    unchanged = 0;
    to_deny = 0;
    to_allow = 0;
    line = NULL;
    cap = 0;
    reqs = json_array();

    while ((n = getline(&line, &cap, log)) != -1) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
            line[--n] = '\0';
        }

        if (n == 0) {
            continue;
        }

        read++;

        if ((size_t) n > STS_REPLAY_MAX_LINE) {
            skip[STSCTL_REPLAY_TOO_LONG]++;
            continue;
        }

        outcome = sts_replay_parse(line, (size_t) n, &rec);

        if (outcome == STS_REPLAY_OK && role_arn != NULL
            && !sts_str_eq(rec.role_arn, role_arn))
        {
            outcome = STSCTL_REPLAY_OTHER_ROLE;
        }

        if (outcome != STS_REPLAY_OK) {
            skip[outcome]++;
            sts_replay_rec_free(&rec);
            continue;
        }

        rc = sts_replay_evaluate((const sts_policy_t *const *) role,
                                 num_role, session, &rec, &allowed, &first);
        if (rc != STS_OK) {
            skip[STS_REPLAY_NO_GRANTS]++;
            sts_replay_rec_free(&rec);
            continue;
        }

        evaluated++;

        if (allowed == rec.allowed) {
            unchanged++;
            sts_replay_rec_free(&rec);
            continue;
        }

        /* the pair the new policies deny, or the one the old denied */
        if (!allowed) {
            to_deny++;
            act.data = rec.grants[first].action;
            act.len = strlen(act.data);

        } else {
            to_allow++;
            act = rec.action;
        }

        bucket = stsctl_replay_bucket(&rec);

        if (stsctl_count(&by_action, act, allowed) != STS_OK
            || stsctl_count(&by_bucket, bucket, allowed) != STS_OK)
        {
            fprintf(stderr, "stsctl policy replay: out of memory\n");
            status = STSCTL_REPLAY_INVALID;
            sts_replay_rec_free(&rec);
            break;
        }

        if (json) {
            o = json_pack("{s:s%, s:s, s:s%, s:s%, s:s%, s:s%, s:s%}",
                          "request_id", rec.request_id.data,
                          rec.request_id.len,
                          "change", allowed ? "deny->allow" : "allow->deny",
                          "role_arn", rec.role_arn.data, rec.role_arn.len,
                          "api", rec.api.data, rec.api.len,
                          "action", act.data, act.len,
                          "bucket", bucket.data, bucket.len,
                          "object", rec.object.data, rec.object.len);
            if (o != NULL) {
                json_array_append_new(reqs, o);
            }

        } else {
            printf("%s ", allowed ? "deny->allow" : "allow->deny");
            stsctl_print_safe(rec.api);
            putchar(' ');
            stsctl_print_safe(act);
            putchar(' ');
            stsctl_print_safe(bucket);
            putchar('/');
            stsctl_print_safe(rec.object);
            printf(" request ");
            stsctl_print_safe(rec.request_id);
            putchar('\n');
        }

        sts_replay_rec_free(&rec);
    }

    if (ferror(log)) {
        fprintf(stderr, "stsctl policy replay: %s: read error\n", log_file);
        status = STSCTL_REPLAY_INVALID;
    }

    free(line);

    if (log != stdin) {
        fclose(log);
    }

    skipped = 0;

    for (k = 0; k < STSCTL_REPLAY_REASONS; k++) {
        skipped += skip[k];
    }

    if (json) {
        sk = json_object();

        for (k = 1; k < STSCTL_REPLAY_REASONS && sk != NULL; k++) {
            json_object_set_new(sk, k == STSCTL_REPLAY_OTHER_ROLE
                                    ? "other role"
                                    : k == STSCTL_REPLAY_TOO_LONG
                                      ? "line too long"
                                      : sts_replay_outcome_name((int) k),
                                json_integer((json_int_t) skip[k]));
        }

        root = json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, "
                         "s:o, s:o}",
                         "read", (json_int_t) read,
                         "evaluated", (json_int_t) evaluated,
                         "skipped", (json_int_t) skipped,
                         "skipped_by_reason", sk,
                         "unchanged", (json_int_t) unchanged,
                         "changed", (json_int_t) (to_deny + to_allow),
                         "allow_to_deny", (json_int_t) to_deny,
                         "deny_to_allow", (json_int_t) to_allow,
                         "by_action", stsctl_counts_json(&by_action),
                         "by_bucket", stsctl_counts_json(&by_bucket),
                         "requests", reqs);
        text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;

        if (text != NULL) {
            puts(text);
            free(text);
        }

        json_decref(root);

    } else {
        json_decref(reqs);
        stsctl_counts_text("action", &by_action);
        stsctl_counts_text("bucket", &by_bucket);

        printf("requests read: %zu\n", read);
        printf("evaluated: %zu\n", evaluated);
        printf("skipped: %zu", skipped);

        for (k = 1; k < STSCTL_REPLAY_REASONS; k++) {
            if (skip[k]) {
                printf(", %s %zu", k == STSCTL_REPLAY_OTHER_ROLE
                                   ? "other role"
                                   : k == STSCTL_REPLAY_TOO_LONG
                                     ? "line too long"
                                     : sts_replay_outcome_name((int) k),
                       skip[k]);
            }
        }

        printf("\nunchanged: %zu\n", unchanged);
        printf("changed: %zu (allow->deny %zu, deny->allow %zu)\n",
               to_deny + to_allow, to_deny, to_allow);
    }

    stsctl_counts_free(&by_action);
    stsctl_counts_free(&by_bucket);

    for (k = 0; k < num_role; k++) {
        sts_policy_free(&sts_malloc_allocator, role[k]);
    }

    sts_policy_free(&sts_malloc_allocator, session);

    if (status != STSCTL_REPLAY_OK) {
        return status;
    }

    return (to_deny + to_allow) ? STSCTL_REPLAY_CHANGED : STSCTL_REPLAY_OK;
}


/* the bucket of a record: as logged, else from its first resource */
static sts_str_t
stsctl_replay_bucket(const sts_replay_rec_t *rec)
{
    size_t       i, colons;
    sts_str_t    b, r;
    const char  *slash;

    if (rec->bucket.len || rec->num_grants == 0) {
        return rec->bucket;
    }

    r = rec->grants[0].resource;
    colons = 0;

    for (i = 0; i < r.len && colons < 4; i++) {
        colons += r.data[i] == ':';
    }

    b.data = r.data + i;
    b.len = r.len - i;
    slash = memchr(b.data, '/', b.len);

    if (slash != NULL) {
        b.len = (size_t) (slash - b.data);
    }

    return b;
}


static int
stsctl_count(stsctl_counts_t *c, sts_str_t name, int to_allow)
{
    size_t           i;
    stsctl_count_t  *items;

    for (i = 0; i < c->num; i++) {
        if (strlen(c->items[i].name) == name.len
            && memcmp(c->items[i].name, name.data, name.len) == 0)
        {
            break;
        }
    }

    if (i == c->num) {
        if (c->num == STSCTL_REPLAY_MAX_KEYS) {
            if (to_allow) {
                c->other_allow++;

            } else {
                c->other_deny++;
            }

            return STS_OK;
        }

        items = realloc(c->items, (c->num + 1) * sizeof(stsctl_count_t));
        if (items == NULL) {
            return STS_ENOMEM;
        }

        c->items = items;
        items[i].name = strndup(name.data, name.len);
        if (items[i].name == NULL) {
            return STS_ENOMEM;
        }

        items[i].to_deny = 0;
        items[i].to_allow = 0;
        c->num++;
    }

    if (to_allow) {
        c->items[i].to_allow++;

    } else {
        c->items[i].to_deny++;
    }

    return STS_OK;
}


static void
stsctl_counts_free(stsctl_counts_t *c)
{
    size_t  i;

    for (i = 0; i < c->num; i++) {
        free(c->items[i].name);
    }

    free(c->items);
    c->items = NULL;
    c->num = 0;
}


static json_t *
stsctl_counts_json(const stsctl_counts_t *c)
{
    size_t   i;
    json_t  *o;

    o = json_object();

    for (i = 0; o != NULL && i < c->num; i++) {
        json_object_set_new(o, c->items[i].name,
                            json_pack("{s:I, s:I}",
                                "allow_to_deny",
                                (json_int_t) c->items[i].to_deny,
                                "deny_to_allow",
                                (json_int_t) c->items[i].to_allow));
    }

    if (o != NULL && (c->other_deny || c->other_allow)) {
        json_object_set_new(o, "(other)",
                            json_pack("{s:I, s:I}",
                                "allow_to_deny", (json_int_t) c->other_deny,
                                "deny_to_allow",
                                (json_int_t) c->other_allow));
    }

    return o;
}


static void
stsctl_counts_text(const char *what, const stsctl_counts_t *c)
{
    size_t     i;
    sts_str_t  s;

    for (i = 0; i < c->num; i++) {
        s.data = c->items[i].name;
        s.len = strlen(s.data);
        printf("by %s: ", what);
        stsctl_print_safe(s);
        printf(" allow->deny %zu, deny->allow %zu\n", c->items[i].to_deny,
               c->items[i].to_allow);
    }

    if (c->other_deny || c->other_allow) {
        printf("by %s: (other) allow->deny %zu, deny->allow %zu\n", what,
               c->other_deny, c->other_allow);
    }
}


/* prints |s| with control bytes as '?' (log data is untrusted) */
static void
stsctl_print_safe(sts_str_t s)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < s.len; i++) {
        c = (unsigned char) s.data[i];
        putchar(c < 0x20 || c == 0x7f ? '?' : c);
    }
}
