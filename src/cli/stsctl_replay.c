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

/* a replay: its options, its policies, its log and what it counts */
typedef struct {
    int               json;
    const char       *log_file;
    const char       *session_file;
    const char       *role_arn;
    const char       *role_file[STSCTL_REPLAY_MAX_FILES];
    size_t            num_role;
    sts_policy_t     *role[STSCTL_REPLAY_MAX_FILES];
    sts_policy_t     *session;
    FILE             *log;
    size_t            read;
    size_t            evaluated;
    size_t            unchanged;
    size_t            to_deny;
    size_t            to_allow;
    size_t            skip[STSCTL_REPLAY_REASONS];
    stsctl_counts_t   by_action;
    stsctl_counts_t   by_bucket;
    json_t           *reqs;
} stsctl_replay_t;


static int stsctl_count(stsctl_counts_t *c, sts_str_t name, int to_allow);
static void stsctl_counts_free(stsctl_counts_t *c);
static json_t *stsctl_counts_json(const stsctl_counts_t *c);
static void stsctl_counts_text(const char *what, const stsctl_counts_t *c);
static sts_str_t stsctl_replay_bucket(const sts_replay_rec_t *rec);
static int stsctl_replay_options(int argc, char **argv,
    stsctl_replay_t *rp);
static int stsctl_replay_open(stsctl_replay_t *rp);
static int stsctl_replay_line(stsctl_replay_t *rp, char *line, size_t n);
static const char *stsctl_replay_reason(size_t k);
static void stsctl_replay_summary(stsctl_replay_t *rp);
static void stsctl_replay_free(stsctl_replay_t *rp);
static void stsctl_print_safe(sts_str_t s);


int
stsctl_policy_replay(int argc, char **argv)
{
    int               status;
    char             *line;
    size_t            cap;
    ssize_t           n;
    stsctl_replay_t   rp;

    memset(&rp, 0, sizeof(rp));

    if (stsctl_replay_options(argc, argv, &rp) != 0) {
        return stsctl_usage(stderr, "policy replay", STSCTL_REPLAY_USAGE);
    }

    status = stsctl_replay_open(&rp);

    if (status != STSCTL_REPLAY_OK) {
        stsctl_replay_free(&rp);
        return status;
    }

    line = NULL;
    cap = 0;
    rp.reqs = json_array();

    while ((n = getline(&line, &cap, rp.log)) != -1) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
            line[--n] = '\0';
        }

        if (n == 0) {
            continue;
        }

        if (stsctl_replay_line(&rp, line, (size_t) n) != STSCTL_REPLAY_OK) {
            status = STSCTL_REPLAY_INVALID;
            break;
        }
    }

    if (ferror(rp.log)) {
        fprintf(stderr, "stsctl policy replay: %s: read error\n",
                rp.log_file);
        status = STSCTL_REPLAY_INVALID;
    }

    free(line);

    if (rp.log != stdin) {
        fclose(rp.log);
    }

    stsctl_replay_summary(&rp);

    stsctl_counts_free(&rp.by_action);
    stsctl_counts_free(&rp.by_bucket);
    stsctl_replay_free(&rp);

    if (status != STSCTL_REPLAY_OK) {
        return status;
    }

    return (rp.to_deny + rp.to_allow) ? STSCTL_REPLAY_CHANGED
                                      : STSCTL_REPLAY_OK;
}


/* the options: 0, or -1 (said why) for the usage */
static int
stsctl_replay_options(int argc, char **argv, stsctl_replay_t *rp)
{
    int  i;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "stsctl policy replay: %s needs a value\n",
                    argv[i]);
            return -1;
        }

        if (strcmp(argv[i], "--log") == 0 && rp->log_file == NULL) {
            rp->log_file = argv[++i];

        } else if (strcmp(argv[i], "--policy") == 0
                   && rp->num_role < STSCTL_REPLAY_MAX_FILES)
        {
            rp->role_file[rp->num_role++] = argv[++i];

        } else if (strcmp(argv[i], "--session") == 0
                   && rp->session_file == NULL)
        {
            rp->session_file = argv[++i];

        } else if (strcmp(argv[i], "--role") == 0 && rp->role_arn == NULL) {
            rp->role_arn = argv[++i];

        } else if (strcmp(argv[i], "--format") == 0
                   && (strcmp(argv[i + 1], "text") == 0
                       || strcmp(argv[i + 1], "json") == 0))
        {
            rp->json = argv[++i][0] == 'j';

        } else {
            fprintf(stderr, "stsctl policy replay: unknown, repeated or "
                    "invalid option \"%s\"\n", argv[i]);
            return -1;
        }
    }

    if (rp->log_file == NULL || rp->num_role == 0) {
        fprintf(stderr, "stsctl policy replay: --log and --policy are "
                "required\n");
        return -1;
    }

    return 0;
}


/* the policies compiled and the log opened, or STSCTL_REPLAY_INVALID */
static int
stsctl_replay_open(stsctl_replay_t *rp)
{
    char    err[STS_POLICY_ERR_LEN];
    size_t  k;

    for (k = 0; k < rp->num_role; k++) {
        if (stsctl_policy_compile(rp->role_file[k], STS_POLICY_IDENTITY,
                                  &rp->role[k], err, sizeof(err))
            != STSCTL_REPLAY_OK)
        {
            fprintf(stderr, "stsctl policy replay: %s: %s\n",
                    rp->role_file[k], err);
            return STSCTL_REPLAY_INVALID;
        }
    }

    if (rp->session_file != NULL
        && stsctl_policy_compile(rp->session_file, STS_POLICY_IDENTITY,
                                 &rp->session, err, sizeof(err))
           != STSCTL_REPLAY_OK)
    {
        fprintf(stderr, "stsctl policy replay: %s: %s\n", rp->session_file,
                err);
        return STSCTL_REPLAY_INVALID;
    }

    rp->log = strcmp(rp->log_file, "-") == 0 ? stdin
                                             : fopen(rp->log_file, "rb");

    if (rp->log == NULL) {
        fprintf(stderr, "stsctl policy replay: %s: %s\n", rp->log_file,
                strerror(errno));
        return STSCTL_REPLAY_INVALID;
    }

    return STSCTL_REPLAY_OK;
}


/*
 * One line of the log (|n| bytes, no end of line) decided again, counted
 * and, if the decision changes, reported; STSCTL_REPLAY_INVALID when out
 * of memory.
 */
static int
stsctl_replay_line(stsctl_replay_t *rp, char *line, size_t n)
{
    int               rc, outcome, allowed;
    size_t            first;
    json_t           *o;
    sts_str_t         act, bucket;
    sts_replay_rec_t  rec;

    rp->read++;

    if (n > STS_REPLAY_MAX_LINE) {
        rp->skip[STSCTL_REPLAY_TOO_LONG]++;
        return STSCTL_REPLAY_OK;
    }

    outcome = sts_replay_parse(line, n, &rec);

    if (outcome == STS_REPLAY_OK && rp->role_arn != NULL
        && !sts_str_eq(rec.role_arn, rp->role_arn))
    {
        outcome = STSCTL_REPLAY_OTHER_ROLE;
    }

    if (outcome != STS_REPLAY_OK) {
        rp->skip[outcome]++;
        sts_replay_rec_free(&rec);
        return STSCTL_REPLAY_OK;
    }

    rc = sts_replay_evaluate((const sts_policy_t *const *) rp->role,
                             rp->num_role, rp->session, &rec, &allowed,
                             &first);
    if (rc != STS_OK) {
        rp->skip[STS_REPLAY_NO_GRANTS]++;
        sts_replay_rec_free(&rec);
        return STSCTL_REPLAY_OK;
    }

    rp->evaluated++;

    if (allowed == rec.allowed) {
        rp->unchanged++;
        sts_replay_rec_free(&rec);
        return STSCTL_REPLAY_OK;
    }

    /* the pair the new policies deny, or the one the old denied */
    if (!allowed) {
        rp->to_deny++;
        act.data = rec.grants[first].action;
        act.len = strlen(act.data);

    } else {
        rp->to_allow++;
        act = rec.action;
    }

    bucket = stsctl_replay_bucket(&rec);

    if (stsctl_count(&rp->by_action, act, allowed) != STS_OK
        || stsctl_count(&rp->by_bucket, bucket, allowed) != STS_OK)
    {
        fprintf(stderr, "stsctl policy replay: out of memory\n");
        sts_replay_rec_free(&rec);
        return STSCTL_REPLAY_INVALID;
    }

    if (rp->json) {
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
            json_array_append_new(rp->reqs, o);
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

    return STSCTL_REPLAY_OK;
}


/* the name of skip reason |k| */
static const char *
stsctl_replay_reason(size_t k)
{
    return k == STSCTL_REPLAY_OTHER_ROLE
           ? "other role"
           : k == STSCTL_REPLAY_TOO_LONG
             ? "line too long"
             : sts_replay_outcome_name((int) k);
}


/* the totals, after the changed requests (text) or with them (JSON) */
static void
stsctl_replay_summary(stsctl_replay_t *rp)
{
    char    *text;
    size_t   k, skipped;
    json_t  *root, *sk;

    skipped = 0;

    for (k = 0; k < STSCTL_REPLAY_REASONS; k++) {
        skipped += rp->skip[k];
    }

    if (rp->json) {
        sk = json_object();

        for (k = 1; k < STSCTL_REPLAY_REASONS && sk != NULL; k++) {
            json_object_set_new(sk, stsctl_replay_reason(k),
                                json_integer((json_int_t) rp->skip[k]));
        }

        root = json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, "
                         "s:o, s:o}",
                         "read", (json_int_t) rp->read,
                         "evaluated", (json_int_t) rp->evaluated,
                         "skipped", (json_int_t) skipped,
                         "skipped_by_reason", sk,
                         "unchanged", (json_int_t) rp->unchanged,
                         "changed",
                         (json_int_t) (rp->to_deny + rp->to_allow),
                         "allow_to_deny", (json_int_t) rp->to_deny,
                         "deny_to_allow", (json_int_t) rp->to_allow,
                         "by_action", stsctl_counts_json(&rp->by_action),
                         "by_bucket", stsctl_counts_json(&rp->by_bucket),
                         "requests", rp->reqs);
        text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;

        if (text != NULL) {
            puts(text);
            free(text);
        }

        json_decref(root);
        return;
    }

    json_decref(rp->reqs);
    stsctl_counts_text("action", &rp->by_action);
    stsctl_counts_text("bucket", &rp->by_bucket);

    printf("requests read: %zu\n", rp->read);
    printf("evaluated: %zu\n", rp->evaluated);
    printf("skipped: %zu", skipped);

    for (k = 1; k < STSCTL_REPLAY_REASONS; k++) {
        if (rp->skip[k]) {
            printf(", %s %zu", stsctl_replay_reason(k), rp->skip[k]);
        }
    }

    printf("\nunchanged: %zu\n", rp->unchanged);
    printf("changed: %zu (allow->deny %zu, deny->allow %zu)\n",
           rp->to_deny + rp->to_allow, rp->to_deny, rp->to_allow);
}


/* the policies freed */
static void
stsctl_replay_free(stsctl_replay_t *rp)
{
    size_t  k;

    for (k = 0; k < rp->num_role; k++) {
        sts_policy_free(&sts_malloc_allocator, rp->role[k]);
    }

    sts_policy_free(&sts_malloc_allocator, rp->session);
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
