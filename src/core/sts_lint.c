/*
 * Copyright (C) nginx-sts authors
 *
 * sts_lint: static checks of a compiled policy (see sts_lint.h).
 *
 * The checks read the compiled policy through its read-only views and
 * compare its patterns with the action table and the ARN forms the
 * gateway evaluates (doc/protocol.md 6 and 7):
 *
 *   acs:oss:*:<account>:*                 service level (ListBuckets)
 *   acs:oss:*:<account>:<bucket>          bucket level (listings, config)
 *   acs:oss:*:<account>:<bucket>/<key>    object level
 *
 * A resource pattern is split at its first four colons; a field is only
 * judged when it holds no wildcard, since a "*" may span colons.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sts_lint.h"
#include "sts_oss.h"


#define STS_LINT_MAX_ACTIONS     256
#define STS_LINT_MAX_PREFIXED    64

#define STS_LINT_L_SERVICE       (1 << STS_OSS_LEVEL_SERVICE)
#define STS_LINT_L_BUCKET        (1 << STS_OSS_LEVEL_BUCKET)
#define STS_LINT_L_OBJECT        (1 << STS_OSS_LEVEL_OBJECT)
#define STS_LINT_L_ALL           7

#define STS_LINT_NONE            ((size_t) -1)


/* a resource pattern, split */
typedef struct {
    int          levels;       /* STS_LINT_L_* it may match, 0: none */
    int          nf;           /* fields found, at most 5 */
    sts_str_t    f[5];         /* the last one is the rest */
} sts_lint_arn_t;

/* an object grant limited to a key prefix, for L002 */
typedef struct {
    size_t       stmt;
    size_t       res;
    sts_str_t    bucket;
    sts_str_t    account;
    sts_str_t    prefix;       /* literal part of the key pattern */
} sts_lint_prefixed_t;

typedef struct {
    sts_lint_t              *l;
    const sts_policy_t      *p;
    int                      kind;
    const char              *actions[STS_LINT_MAX_ACTIONS];
    int                      levels[STS_LINT_MAX_ACTIONS];
    size_t                   num_actions;
    sts_lint_prefixed_t      prefixed[STS_LINT_MAX_PREFIXED];
    size_t                   num_prefixed;
    char                     full[STS_LINT_MAX_PREFIXED];
} sts_lint_run_t;


static int sts_lint_add(sts_lint_run_t *r, const char *code, int severity,
    const char *loc, const char *hint, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
static int sts_lint_glob(const char *p, size_t pn, const char *s,
    size_t sn, int icase, int covers);
static int sts_lint_all_stars(const char *s);
static int sts_lint_has_wild(const char *s, size_t n);
static void sts_lint_safe(char *out, size_t size, const char *s, size_t n);
static void sts_lint_arn(const char *raw, sts_lint_arn_t *a);
static int sts_lint_action_levels(sts_lint_run_t *r, const char *pat);
static int sts_lint_actions(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_resources(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v, int *levels);
static int sts_lint_levels(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v, int res_levels);
static int sts_lint_conditions(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_never(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_shadowed(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_contradict(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_values_in(const sts_policy_t *p, size_t i, size_t a,
    size_t b, int icase);
static int sts_lint_bound(const sts_policy_t *p, size_t i, size_t j,
    int date, int upper, double *out);
static void sts_lint_collect_prefixed(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_list_prefix(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v);
static int sts_lint_has_key(const sts_policy_t *p, size_t i, size_t n,
    const char *key);
static const char *sts_lint_level_name(int levels);


/*
 * Condition keys the gateway supplies (ngx_http_sts_authorize and the
 * STS endpoint), and the documented ones it never supplies.
 */
static const char  *sts_lint_keys[] = {
    "acs:SourceIp", "acs:CurrentTime", "acs:SecureTransport",
    "acs:UserAgent", "acs:Referer", "acs:AccessId", "acs:MFAPresent",
    "oss:Prefix", "oss:Delimiter",
    "sts:ContentLength", "sts:ContentType", "sts:ForbidOverwrite",
    "sts:ExternalId",
    NULL
};

static const char  *sts_lint_absent_keys[] = {
    "acs:SourceVpc", "oss:ExistingObjectTag/", "oss:BucketTag/",
    "oss:RequestObjectTag/",
    NULL
};

static const char  *sts_lint_list_actions[] = {
    "oss:ListObjects", "oss:ListObjectVersions", "oss:ListMultipartUploads",
    NULL
};


void
sts_lint_init(sts_lint_t *l, const sts_allocator_t *a)
{
    memset(l, 0, sizeof(sts_lint_t));
    l->a = a;
}


void
sts_lint_free(sts_lint_t *l)
{
    sts_free(l->a, l->items);
    l->items = NULL;
    l->num = 0;
    l->cap = 0;
}


const char *
sts_lint_severity_name(int severity)
{
    return severity == STS_LINT_ERROR ? "error" : "warning";
}


int
sts_lint_match(const char *pat, const char *s, size_t len, int icase)
{
    return sts_lint_glob(pat, strlen(pat), s, len, icase, 0);
}


int
sts_lint_covers(const char *outer, const char *inner, int icase)
{
    return sts_lint_glob(outer, strlen(outer), inner, strlen(inner), icase,
                         1);
}


int
sts_lint_policy(sts_lint_t *l, const sts_policy_t *p)
{
    int                      rc, levels;
    size_t                   i, n;
    sts_lint_run_t          *r;
    sts_policy_stmt_view_t   v;

    r = sts_alloc(l->a, sizeof(sts_lint_run_t));
    if (r == NULL) {
        return STS_ENOMEM;
    }

    memset(r, 0, sizeof(sts_lint_run_t));
    r->l = l;
    r->p = p;
    r->kind = sts_policy_kind(p);
    r->num_actions = sts_oss_actions(r->actions, r->levels,
                                     STS_LINT_MAX_ACTIONS);
    if (r->num_actions > STS_LINT_MAX_ACTIONS) {
        r->num_actions = STS_LINT_MAX_ACTIONS;
    }

    n = sts_policy_num_statements(p);
    rc = STS_OK;

    for (i = 0; i < n && rc == STS_OK; i++) {
        if (sts_policy_stmt_view(p, i, &v) != STS_OK) {
            continue;
        }

        levels = 0;

        rc = sts_lint_actions(r, i, &v);

        if (rc == STS_OK) {
            rc = sts_lint_resources(r, i, &v, &levels);
        }

        if (rc == STS_OK) {
            rc = sts_lint_levels(r, i, &v, levels);
        }

        if (rc == STS_OK) {
            rc = sts_lint_conditions(r, i, &v);
        }

        if (rc == STS_OK) {
            rc = sts_lint_never(r, i, &v);
        }

        if (rc == STS_OK) {
            rc = sts_lint_shadowed(r, i, &v);
        }

        if (rc == STS_OK) {
            rc = sts_lint_contradict(r, i, &v);
        }

        if (rc == STS_OK) {
            sts_lint_collect_prefixed(r, i, &v);
        }
    }

    for (i = 0; i < n && rc == STS_OK; i++) {
        if (sts_policy_stmt_view(p, i, &v) == STS_OK) {
            rc = sts_lint_list_prefix(r, i, &v);
        }
    }

    sts_free(l->a, r);

    return rc;
}


static int
sts_lint_add(sts_lint_run_t *r, const char *code, int severity,
    const char *loc, const char *hint, const char *fmt, ...)
{
    size_t               cap;
    va_list              ap;
    sts_lint_t          *l;
    sts_lint_finding_t  *f;

    l = r->l;

    if (l->num >= STS_LINT_MAX_FINDINGS) {
        l->truncated = 1;
        return STS_OK;
    }

    if (l->num == l->cap) {
        cap = l->cap ? 2 * l->cap : 16;

        f = sts_alloc(l->a, cap * sizeof(sts_lint_finding_t));
        if (f == NULL) {
            return STS_ENOMEM;
        }

        if (l->num) {
            memcpy(f, l->items, l->num * sizeof(sts_lint_finding_t));
        }

        sts_free(l->a, l->items);
        l->items = f;
        l->cap = cap;
    }

    f = &l->items[l->num++];
    f->code = code;
    f->severity = severity;
    snprintf(f->location, sizeof(f->location), "%s", loc);
    snprintf(f->hint, sizeof(f->hint), "%s", hint);

    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);

    if (severity == STS_LINT_ERROR) {
        l->errors++;

    } else {
        l->warnings++;
    }

    return STS_OK;
}


/*
 * Wildcard match with a star that backs up to its last position: at
 * most one star is live at a time, so the cost is O(pn * sn).  With
 * |covers|, the subject is a pattern too: its "*" is matched only by a
 * star of |p|, its "?" only by a star or a "?" of |p|.
 */
static int
sts_lint_glob(const char *p, size_t pn, const char *s, size_t sn,
    int icase, int covers)
{
    size_t          pi, si, star_p, star_s;
    unsigned char   pc, sc;

    pi = 0;
    si = 0;
    star_p = STS_LINT_NONE;
    star_s = 0;

    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
            continue;
        }

        if (pi < pn) {
            pc = (unsigned char) p[pi];
            sc = (unsigned char) s[si];

            if (covers && sc == '*') {
                /* only a star of the outer pattern takes it */

            } else if (pc == '?') {
                if (covers && sc == '?') {
                    pi++;
                    si++;
                    continue;
                }

                pi++;
                si++;

                while (si < sn && ((unsigned char) s[si] & 0xc0) == 0x80) {
                    si++;
                }

                continue;

            } else if (!(covers && sc == '?')) {
                if (icase && pc >= 'A' && pc <= 'Z') {
                    pc = (unsigned char) (pc + 32);
                }

                if (icase && sc >= 'A' && sc <= 'Z') {
                    sc = (unsigned char) (sc + 32);
                }

                if (pc == sc) {
                    pi++;
                    si++;
                    continue;
                }
            }
        }

        if (star_p == STS_LINT_NONE) {
            return 0;
        }

        pi = star_p;
        si = ++star_s;
    }

    while (pi < pn && p[pi] == '*') {
        pi++;
    }

    return pi == pn;
}


static int
sts_lint_all_stars(const char *s)
{
    if (*s == '\0') {
        return 0;
    }

    while (*s == '*') {
        s++;
    }

    return *s == '\0';
}


static int
sts_lint_has_wild(const char *s, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (s[i] == '*' || s[i] == '?') {
            return 1;
        }
    }

    return 0;
}


/* copies at most 96 bytes of |s| with control bytes and '"' as '?' */
static void
sts_lint_safe(char *out, size_t size, const char *s, size_t n)
{
    size_t         i, o;
    unsigned char  c;

    o = 0;

    for (i = 0; i < n && o + 4 < size; i++) {
        if (i == 96) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }

        c = (unsigned char) s[i];
        out[o++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
                   ? '?' : (char) c;
    }

    out[o] = '\0';
}


static void
sts_lint_arn(const char *raw, sts_lint_arn_t *a)
{
    size_t       n, len;
    const char  *s, *c, *rest;

    memset(a, 0, sizeof(sts_lint_arn_t));

    s = raw;
    len = strlen(raw);

    for (n = 0; n < 4; n++) {
        c = memchr(s, ':', len - (size_t) (s - raw));
        if (c == NULL) {
            break;
        }

        a->f[n].data = s;
        a->f[n].len = (size_t) (c - s);
        s = c + 1;
    }

    a->f[n].data = s;
    a->f[n].len = len - (size_t) (s - raw);
    a->nf = (int) n + 1;

    if (sts_lint_all_stars(raw)) {
        a->levels = STS_LINT_L_ALL;
        return;
    }

    if (a->nf < 5) {
        a->levels = strchr(raw, '*') ? STS_LINT_L_ALL : 0;
        return;
    }

    rest = a->f[4].data;
    len = a->f[4].len;

    if (len == 0) {
        return;
    }

    if (sts_lint_glob(rest, len, "*", 1, 0, 0)) {
        a->levels |= STS_LINT_L_SERVICE;
    }

    if (memchr(rest, '/', len) == NULL) {
        a->levels |= STS_LINT_L_BUCKET;
    }

    if (memchr(rest, '/', len) != NULL || memchr(rest, '*', len) != NULL) {
        a->levels |= STS_LINT_L_OBJECT;
    }
}


/* the levels of the table actions |pat| matches; 0 if none */
static int
sts_lint_action_levels(sts_lint_run_t *r, const char *pat)
{
    int     levels;
    size_t  k;

    levels = 0;

    for (k = 0; k < r->num_actions; k++) {
        if (sts_lint_match(pat, r->actions[k], strlen(r->actions[k]), 1)) {
            levels |= 1 << r->levels[k];
        }
    }

    return levels;
}


static const char *
sts_lint_level_name(int levels)
{
    if (levels == STS_LINT_L_SERVICE) {
        return "service";
    }

    if (levels == STS_LINT_L_BUCKET) {
        return "bucket";
    }

    if (levels == STS_LINT_L_OBJECT) {
        return "object";
    }

    if (levels == (STS_LINT_L_SERVICE | STS_LINT_L_BUCKET)) {
        return "service or bucket";
    }

    if (levels == (STS_LINT_L_BUCKET | STS_LINT_L_OBJECT)) {
        return "bucket or object";
    }

    return "any";
}


/* L004, L005 and, for trust policies, the sts:AssumeRole check */
static int
sts_lint_actions(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v)
{
    int          rc, assume;
    char         loc[STS_LINT_LOC_LEN], safe[128], svc[64];
    size_t       j, svc_len;
    const char  *pat, *colon, *what;

    what = v->not_action ? "NotAction" : "Action";

    for (j = 0; j < v->num_actions; j++) {
        pat = sts_policy_stmt_action(r->p, i, j);
        if (pat == NULL || sts_lint_all_stars(pat)) {
            continue;
        }

        snprintf(loc, sizeof(loc), "Statement[%zu].%s[%zu]", i, what, j);
        sts_lint_safe(safe, sizeof(safe), pat, strlen(pat));

        assume = sts_lint_match(pat, "sts:AssumeRole", 14, 1);

        if (r->kind == STS_POLICY_TRUST) {
            if (!assume) {
                rc = sts_lint_add(r, "L005", STS_LINT_WARNING, loc,
                         "a trust policy grants \"sts:AssumeRole\" only",
                         "\"%s\" is not sts:AssumeRole: a trust policy is "
                         "evaluated for sts:AssumeRole only", safe);
                if (rc != STS_OK) {
                    return rc;
                }
            }

            continue;
        }

        if (sts_lint_action_levels(r, pat) != 0) {
            continue;
        }

        colon = strchr(pat, ':');
        svc_len = colon ? (size_t) (colon - pat) : 0;
        sts_lint_safe(svc, sizeof(svc), pat, svc_len);

        if (colon == NULL) {
            rc = sts_lint_add(r, "L004", STS_LINT_ERROR, loc,
                     "write actions as \"oss:<Action>\", e.g. "
                     "\"oss:GetObject\"",
                     "\"%s\" is not of the form service:action and "
                     "matches no action", safe);

        } else if (svc_len == 3 && strncasecmp(pat, "oss", 3) == 0) {
            rc = sts_lint_add(r, "L004", STS_LINT_ERROR, loc,
                     "check the spelling against the action table "
                     "(doc/protocol.md 7); actions are "
                     "\"oss:GetObject\", \"oss:PutObject\", "
                     "\"oss:ListObjects\"...",
                     "\"%s\" is not an OSS action this gateway evaluates: "
                     "it never matches", safe);

        } else if (assume) {
            /* a user's permission to assume roles: the STS endpoint */
            continue;

        } else if (sts_lint_has_wild(pat, svc_len)) {
            rc = sts_lint_add(r, "L004", STS_LINT_ERROR, loc,
                     "name the service: \"oss:...\"",
                     "\"%s\" matches no action this gateway evaluates",
                     safe);

        } else {
            rc = sts_lint_add(r, "L005", STS_LINT_WARNING, loc,
                     "remove it, or move it to a policy of the service "
                     "that evaluates it",
                     "\"%s\" is an action of service \"%s\": this gateway "
                     "never evaluates it", safe, svc);
        }

        if (rc != STS_OK) {
            return rc;
        }
    }

    return STS_OK;
}


/* L009, L011, L012, L013; stores the levels the resources may match */
static int
sts_lint_resources(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v, int *levels)
{
    int              rc, oss;
    char             loc[STS_LINT_LOC_LEN], safe[128], f[64];
    size_t           j, k, lit;
    sts_str_t        bucket;
    const char      *pat, *what, *slash;
    sts_lint_arn_t   a;

    static const char  want[] = "acs:oss:";

    what = v->not_resource ? "NotResource" : "Resource";

    /*
     * the resources of a statement whose actions all belong to another
     * service (sts:AssumeRole on a role ARN) are that service's business
     */
    oss = v->not_action;

    for (j = 0; j < v->num_actions && !oss; j++) {
        pat = sts_policy_stmt_action(r->p, i, j);
        slash = pat ? strchr(pat, ':') : NULL;

        oss = pat != NULL
              && (slash == NULL
                  || sts_lint_has_wild(pat, (size_t) (slash - pat))
                  || (slash - pat == 3 && strncasecmp(pat, "oss", 3) == 0));
    }

    if (!oss) {
        return STS_OK;
    }

    for (j = 0; j < v->num_resources; j++) {
        pat = sts_policy_stmt_resource(r->p, i, j);
        if (pat == NULL) {
            continue;
        }

        snprintf(loc, sizeof(loc), "Statement[%zu].%s[%zu]", i, what, j);
        sts_lint_safe(safe, sizeof(safe), pat, strlen(pat));
        sts_lint_arn(pat, &a);

        rc = STS_OK;

        /* the literal prefix must agree with "acs:oss:" */
        for (lit = 0; pat[lit] && pat[lit] != '*' && pat[lit] != '?'; lit++) {
            /* the literal prefix */
        }

        for (k = 0; k < lit && k < sizeof(want) - 1; k++) {
            if (pat[k] != want[k]) {
                break;
            }
        }

        if (k < lit && k < sizeof(want) - 1) {
            a.levels = 0;

            if (k < 4) {
                rc = sts_lint_add(r, "L011", STS_LINT_ERROR, loc,
                         "write it as acs:oss:*:<account>:<bucket>"
                         "[/<key>]",
                         "\"%s\" is not an ARN: it never matches", safe);

            } else {
                sts_lint_safe(f, sizeof(f), a.f[1].data, a.f[1].len);
                rc = sts_lint_add(r, "L012", STS_LINT_ERROR, loc,
                         "this gateway evaluates acs:oss:... ARNs only",
                         "\"%s\" names service \"%s\", not oss: it never "
                         "matches", safe, f);
            }

        } else if (a.nf < 5 && a.levels == 0) {
            rc = sts_lint_add(r, "L013", STS_LINT_ERROR, loc,
                     "OSS ARNs have five fields: "
                     "acs:oss:*:<account>:<bucket>[/<key>]",
                     "\"%s\" has %d colon-separated fields, an OSS ARN "
                     "five: it never matches", safe, a.nf);

        } else if (a.nf == 5) {
            if (!sts_lint_has_wild(a.f[2].data, a.f[2].len)) {
                sts_lint_safe(f, sizeof(f), a.f[2].data, a.f[2].len);
                a.levels = 0;
                rc = sts_lint_add(r, "L013", STS_LINT_ERROR, loc,
                         "write the region as \"*\"",
                         "region \"%s\": the gateway evaluates ARNs whose "
                         "region is \"*\", so this never matches", f);

            } else if (a.f[4].len == 0) {
                a.levels = 0;
                rc = sts_lint_add(r, "L013", STS_LINT_ERROR, loc,
                         "name a bucket, \"<bucket>/*\" for its objects",
                         "\"%s\" has an empty resource part: it never "
                         "matches", safe);

            } else {
                slash = memchr(a.f[4].data, '/', a.f[4].len);
                bucket.data = a.f[4].data;
                bucket.len = slash ? (size_t) (slash - bucket.data)
                                   : a.f[4].len;

                if (!sts_lint_has_wild(bucket.data, bucket.len)
                    && !sts_oss_is_valid_bucket(bucket))
                {
                    sts_lint_safe(f, sizeof(f), bucket.data, bucket.len);
                    a.levels = 0;
                    rc = sts_lint_add(r, "L013", STS_LINT_ERROR, loc,
                             "bucket names are 3-63 bytes of [a-z0-9-]",
                             "\"%s\" is not a valid bucket name: it never "
                             "matches", f);

                } else if (!sts_lint_has_wild(a.f[3].data, a.f[3].len)
                           && strspn(a.f[3].data, "0123456789")
                              < a.f[3].len)
                {
                    sts_lint_safe(f, sizeof(f), a.f[3].data, a.f[3].len);
                    a.levels = 0;
                    rc = sts_lint_add(r, "L013", STS_LINT_ERROR, loc,
                             "write the owner's account id (digits)",
                             "account \"%s\" is not an account id: it never "
                             "matches", f);
                }
            }
        }

        if (rc != STS_OK) {
            return rc;
        }

        if (a.levels && !v->deny && !v->not_resource
            && (sts_lint_all_stars(pat)
                || (a.nf == 5 && memchr(a.f[3].data, '*', a.f[3].len))))
        {
            rc = sts_lint_add(r, "L009", STS_LINT_WARNING, loc,
                     "write the bucket owner's account id instead of "
                     "\"*\"",
                     "\"%s\" matches resources of any account", safe);
            if (rc != STS_OK) {
                return rc;
            }
        }

        *levels |= a.levels;
    }

    return STS_OK;
}


/* L001: an action whose resource level no Resource of the statement has */
static int
sts_lint_levels(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v, int res_levels)
{
    int          rc, al;
    char         loc[STS_LINT_LOC_LEN], safe[128];
    size_t       j;
    const char  *pat, *hint;

    if (r->kind != STS_POLICY_IDENTITY || v->not_action || v->not_resource
        || res_levels == 0)
    {
        return STS_OK;
    }

    for (j = 0; j < v->num_actions; j++) {
        pat = sts_policy_stmt_action(r->p, i, j);
        if (pat == NULL) {
            continue;
        }

        al = sts_lint_action_levels(r, pat);
        if (al == 0 || (al & res_levels) != 0) {
            continue;
        }

        if (al & STS_LINT_L_BUCKET) {
            hint = "grant it on the bucket, acs:oss:*:<account>:<bucket>, "
                   "and limit a listing with a StringLike oss:Prefix "
                   "condition";

        } else if (al & STS_LINT_L_OBJECT) {
            hint = "objects need acs:oss:*:<account>:<bucket>/* (or "
                   "<bucket>/<prefix>*)";

        } else {
            hint = "ListBuckets is evaluated on acs:oss:*:<account>:*";
        }

        snprintf(loc, sizeof(loc), "Statement[%zu].Action[%zu]", i, j);
        sts_lint_safe(safe, sizeof(safe), pat, strlen(pat));

        rc = sts_lint_add(r, "L001", STS_LINT_ERROR, loc, hint,
                 "\"%s\" is evaluated on %s ARNs but the statement's "
                 "Resource matches %s ARNs only: it never matches", safe,
                 sts_lint_level_name(al), sts_lint_level_name(res_levels));
        if (rc != STS_OK) {
            return rc;
        }
    }

    return STS_OK;
}


/* L003, L007, L010 */
static int
sts_lint_conditions(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v)
{
    int          rc, known, absent, negated, listing;
    char         loc[STS_LINT_LOC_LEN], safe[128];
    size_t       j, k, nv, al;
    sts_str_t    key;
    const char  *op, *pat;

    /* does the statement name a listing action? */
    listing = v->not_action;

    for (j = 0; j < v->num_actions && !listing; j++) {
        pat = sts_policy_stmt_action(r->p, i, j);

        for (k = 0; pat != NULL && sts_lint_list_actions[k] != NULL; k++) {
            al = strlen(sts_lint_list_actions[k]);

            if (sts_lint_match(pat, sts_lint_list_actions[k], al, 1)) {
                listing = 1;
                break;
            }
        }
    }

    for (j = 0; j < v->num_conds; j++) {
        if (sts_policy_stmt_cond(r->p, i, j, &op, &key, &nv) != STS_OK) {
            continue;
        }

        sts_lint_safe(safe, sizeof(safe), key.data, key.len);
        snprintf(loc, sizeof(loc), "Statement[%zu].Condition.%s.%s", i, op,
                 safe);

        negated = strstr(op, "Not") != NULL;

        known = 0;
        absent = 0;

        for (k = 0; sts_lint_keys[k] != NULL; k++) {
            if (sts_str_caseeq(key, sts_lint_keys[k])) {
                known = 1;
            }
        }

        for (k = 0; sts_lint_absent_keys[k] != NULL; k++) {
            al = strlen(sts_lint_absent_keys[k]);

            if (key.len >= al
                && strncasecmp(key.data, sts_lint_absent_keys[k], al) == 0
                && (sts_lint_absent_keys[k][al - 1] == '/' || key.len == al))
            {
                absent = 1;
            }
        }

        rc = STS_OK;

        if (absent || !known) {
            rc = sts_lint_add(r, "L010", STS_LINT_WARNING, loc,
                     "use a key the gateway supplies: acs:SourceIp, "
                     "acs:CurrentTime, acs:SecureTransport, acs:AccessId, "
                     "acs:MFAPresent, acs:UserAgent, acs:Referer, "
                     "oss:Prefix, oss:Delimiter, sts:ContentLength, "
                     "sts:ContentType, sts:ForbidOverwrite",
                     "%s \"%s\": the gateway never supplies it, so the "
                     "key is always absent and %s is always %s",
                     absent ? "documented key" : "unknown condition key",
                     safe, op, negated ? "true" : "false");

        } else if (!v->deny
                   && (sts_str_caseeq(key, "acs:Referer")
                       || sts_str_caseeq(key, "acs:UserAgent")))
        {
            rc = sts_lint_add(r, "L003", STS_LINT_WARNING, loc,
                     "do not rely on it for access control: limit by "
                     "resource, acs:SourceIp or acs:SecureTransport",
                     "this Allow depends on %s, a header any client "
                     "sets to any value", safe);

        } else if (!listing
                   && (sts_str_caseeq(key, "oss:Prefix")
                       || sts_str_caseeq(key, "oss:Delimiter")))
        {
            rc = sts_lint_add(r, "L007", STS_LINT_WARNING, loc,
                     "put the listing condition on the statement that "
                     "grants oss:ListObjects",
                     "%s is present on listings only and the statement "
                     "grants no listing action, so %s is always %s", safe,
                     op, negated ? "true" : "false");
        }

        if (rc != STS_OK) {
            return rc;
        }
    }

    return STS_OK;
}


/* L006: NotAction "*", NotResource "*", a trust statement without it */
static int
sts_lint_never(sts_lint_run_t *r, size_t i, const sts_policy_stmt_view_t *v)
{
    int          rc, any;
    char         loc[STS_LINT_LOC_LEN];
    size_t       j;
    const char  *pat;

    snprintf(loc, sizeof(loc), "Statement[%zu]", i);

    if (v->not_action) {
        for (j = 0; j < v->num_actions; j++) {
            pat = sts_policy_stmt_action(r->p, i, j);

            if (pat != NULL && sts_lint_all_stars(pat)) {
                snprintf(loc, sizeof(loc), "Statement[%zu].NotAction[%zu]",
                         i, j);
                return sts_lint_add(r, "L006", STS_LINT_ERROR, loc,
                           "use \"Action\" to name what the statement is "
                           "about",
                           "NotAction \"%s\" excludes every action: the "
                           "statement never matches", pat);
            }
        }
    }

    if (v->not_resource) {
        for (j = 0; j < v->num_resources; j++) {
            pat = sts_policy_stmt_resource(r->p, i, j);

            if (pat != NULL && sts_lint_all_stars(pat)) {
                snprintf(loc, sizeof(loc),
                         "Statement[%zu].NotResource[%zu]", i, j);
                return sts_lint_add(r, "L006", STS_LINT_ERROR, loc,
                           "use \"Resource\" to name what the statement "
                           "is about",
                           "NotResource \"%s\" excludes every resource: "
                           "the statement never matches", pat);
            }
        }
    }

    if (r->kind == STS_POLICY_TRUST && !v->not_action) {
        any = 0;

        for (j = 0; j < v->num_actions; j++) {
            pat = sts_policy_stmt_action(r->p, i, j);

            if (pat != NULL && sts_lint_match(pat, "sts:AssumeRole", 14, 1)) {
                any = 1;
            }
        }

        if (!any) {
            rc = sts_lint_add(r, "L006", STS_LINT_ERROR, loc,
                     "a trust statement grants \"sts:AssumeRole\"",
                     "no Action matches sts:AssumeRole: the statement "
                     "never matches");
            if (rc != STS_OK) {
                return rc;
            }
        }
    }

    return STS_OK;
}


/* L008: an Allow every pair of which one unconditional Deny covers */
static int
sts_lint_shadowed(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v)
{
    int                      covered, hit;
    char                     loc[STS_LINT_LOC_LEN], dloc[64];
    size_t                   d, n, j, k, m;
    const char              *a, *b;
    sts_policy_stmt_view_t   dv;

    if (r->kind != STS_POLICY_IDENTITY || v->deny || v->not_action
        || v->not_resource || !v->has_resource)
    {
        return STS_OK;
    }

    n = sts_policy_num_statements(r->p);

    for (d = 0; d < n; d++) {
        if (d == i || sts_policy_stmt_view(r->p, d, &dv) != STS_OK
            || !dv.deny || dv.num_conds || dv.not_action || dv.not_resource
            || !dv.has_resource)
        {
            continue;
        }

        covered = 1;

        for (j = 0; j < v->num_actions && covered; j++) {
            a = sts_policy_stmt_action(r->p, i, j);
            hit = 0;

            for (k = 0; k < dv.num_actions && !hit; k++) {
                b = sts_policy_stmt_action(r->p, d, k);
                hit = (a && b && sts_lint_covers(b, a, 1));
            }

            covered = hit;
        }

        for (j = 0; j < v->num_resources && covered; j++) {
            a = sts_policy_stmt_resource(r->p, i, j);
            hit = 0;

            for (m = 0; m < dv.num_resources && !hit; m++) {
                b = sts_policy_stmt_resource(r->p, d, m);
                hit = (a && b && sts_lint_covers(b, a, 0));
            }

            covered = hit;
        }

        if (covered) {
            snprintf(loc, sizeof(loc), "Statement[%zu]", i);
            snprintf(dloc, sizeof(dloc), "Statement[%zu]", d);

            return sts_lint_add(r, "L008", STS_LINT_WARNING, loc,
                       "remove the Allow, or narrow the Deny",
                       "every action and resource of this Allow is denied "
                       "by %s, an unconditional Deny: it never allows "
                       "anything", dloc);
        }
    }

    return STS_OK;
}


/*
 * L006, contradictory conditions, the cheap cases: StringEquals values
 * that a StringNotEquals on the same key all excludes (a key has one
 * value at this gateway), and Numeric or Date bounds that leave nothing
 * between them.
 */
static int
sts_lint_contradict(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v)
{
    int          date, why;
    char         loc[STS_LINT_LOC_LEN], safe[128];
    size_t       a, b, na, nb;
    double       lo, hi;
    sts_str_t    ka, kb;
    const char  *oa, *ob;

    for (a = 0; a < v->num_conds; a++) {
        if (sts_policy_stmt_cond(r->p, i, a, &oa, &ka, &na) != STS_OK) {
            continue;
        }

        for (b = 0; b < v->num_conds; b++) {
            if (a == b
                || sts_policy_stmt_cond(r->p, i, b, &ob, &kb, &nb) != STS_OK
                || ka.len != kb.len || strncasecmp(ka.data, kb.data, ka.len))
            {
                continue;
            }

            why = 0;

            if (strcmp(oa, "StringEquals") == 0
                && strcmp(ob, "StringNotEquals") == 0)
            {
                why = sts_lint_values_in(r->p, i, a, b, 0);

            } else if ((strcmp(oa, "StringEquals") == 0
                        || strcmp(oa, "StringEqualsIgnoreCase") == 0)
                       && strcmp(ob, "StringNotEqualsIgnoreCase") == 0)
            {
                why = sts_lint_values_in(r->p, i, a, b, 1);

            } else if (strncmp(oa, "Numeric", 7) == 0
                       || strncmp(oa, "Date", 4) == 0)
            {
                date = oa[0] == 'D';

                if (strncmp(ob, date ? "Date" : "Numeric", date ? 4 : 7)
                    != 0
                    || strstr(oa, "GreaterThan") == NULL
                    || strstr(ob, "LessThan") == NULL
                    || sts_lint_bound(r->p, i, a, date, 0, &lo) != STS_OK
                    || sts_lint_bound(r->p, i, b, date, 1, &hi) != STS_OK)
                {
                    continue;
                }

                why = lo > hi
                      || (lo == hi && (strstr(oa, "Equals") == NULL
                                       || strstr(ob, "Equals") == NULL));
            }

            if (!why) {
                continue;
            }

            sts_lint_safe(safe, sizeof(safe), kb.data, kb.len);
            snprintf(loc, sizeof(loc), "Statement[%zu].Condition.%s.%s", i,
                     ob, safe);

            return sts_lint_add(r, "L006", STS_LINT_ERROR, loc,
                       "drop one of the two conditions, or make their "
                       "values overlap",
                       "%s and %s on %s leave no value that satisfies "
                       "both: the statement never matches", oa, ob, safe);
        }
    }

    return STS_OK;
}


/* 1 if every value of condition |a| is among those of condition |b| */
static int
sts_lint_values_in(const sts_policy_t *p, size_t i, size_t a, size_t b,
    int icase)
{
    int          found;
    size_t       j, k, na, nb;
    sts_str_t    key, va, vb;
    const char  *op;

    if (sts_policy_stmt_cond(p, i, a, &op, &key, &na) != STS_OK
        || sts_policy_stmt_cond(p, i, b, &op, &key, &nb) != STS_OK
        || na == 0)
    {
        return 0;
    }

    for (j = 0; j < na; j++) {
        if (sts_policy_stmt_cond_value(p, i, a, j, &va) != STS_OK) {
            return 0;
        }

        found = 0;

        for (k = 0; k < nb && !found; k++) {
            found = sts_policy_stmt_cond_value(p, i, b, k, &vb) == STS_OK
                    && va.len == vb.len
                    && (icase ? strncasecmp(va.data, vb.data, va.len) == 0
                              : memcmp(va.data, vb.data, va.len) == 0);
        }

        if (!found) {
            return 0;
        }
    }

    return 1;
}


/*
 * The bound a Numeric or Date condition sets (any value may match): the
 * lowest of a lower bound's values, the highest of an upper bound's.
 * Dates in the ISO 8601 forms sts_parse_iso8601 reads or Unix seconds.
 */
static int
sts_lint_bound(const sts_policy_t *p, size_t i, size_t j, int date,
    int upper, double *out)
{
    char         num[64], *end;
    size_t       k, n;
    double       d;
    int64_t      t;
    uint64_t     u;
    sts_str_t    key, val;
    const char  *op;

    if (sts_policy_stmt_cond(p, i, j, &op, &key, &n) != STS_OK || n == 0) {
        return STS_EINVAL;
    }

    for (k = 0; k < n; k++) {
        if (sts_policy_stmt_cond_value(p, i, j, k, &val) != STS_OK
            || val.len == 0 || val.len >= sizeof(num))
        {
            return STS_EINVAL;
        }

        if (date) {
            if (sts_parse_iso8601(val.data, val.len, &t) == STS_OK) {
                d = (double) t;

            } else if (sts_parse_uint64(val.data, val.len, &u) == STS_OK) {
                d = (double) u;

            } else {
                return STS_EINVAL;
            }

        } else {
            memcpy(num, val.data, val.len);
            num[val.len] = '\0';
            d = strtod(num, &end);

            if (*end != '\0' || d != d) {
                return STS_EINVAL;
            }
        }

        if (k == 0 || (upper ? d > *out : d < *out)) {
            *out = d;
        }
    }

    return STS_OK;
}


/* object grants limited to a key prefix, and whole-bucket ones, for L002 */
static void
sts_lint_collect_prefixed(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v)
{
    size_t                k, j, lit;
    sts_str_t             bucket, key;
    const char           *pat, *slash;
    sts_lint_arn_t        a;
    sts_lint_prefixed_t  *x;

    if (r->kind != STS_POLICY_IDENTITY || v->deny || v->not_action
        || v->not_resource)
    {
        return;
    }

    for (j = 0; j < v->num_resources; j++) {
        pat = sts_policy_stmt_resource(r->p, i, j);
        if (pat == NULL) {
            continue;
        }

        sts_lint_arn(pat, &a);

        if (a.nf != 5 || !(a.levels & STS_LINT_L_OBJECT)) {
            continue;
        }

        slash = memchr(a.f[4].data, '/', a.f[4].len);
        if (slash == NULL) {
            continue;
        }

        bucket.data = a.f[4].data;
        bucket.len = (size_t) (slash - bucket.data);

        if (sts_lint_has_wild(bucket.data, bucket.len)) {
            continue;
        }

        key.data = slash + 1;
        key.len = a.f[4].len - bucket.len - 1;

        for (lit = 0; lit < key.len && key.data[lit] != '*'
                      && key.data[lit] != '?'; lit++)
        {
            /* the literal prefix of the key pattern */
        }

        /* the same bucket already seen? */
        x = NULL;

        for (k = 0; k < r->num_prefixed; k++) {
            if (r->prefixed[k].bucket.len == bucket.len
                && memcmp(r->prefixed[k].bucket.data, bucket.data,
                          bucket.len) == 0)
            {
                x = &r->prefixed[k];
                break;
            }
        }

        if (x == NULL) {
            if (r->num_prefixed == STS_LINT_MAX_PREFIXED) {
                continue;
            }

            x = &r->prefixed[r->num_prefixed];
            r->full[r->num_prefixed] = 0;
            r->num_prefixed++;
            x->stmt = i;
            x->res = j;
            x->bucket = bucket;
            x->account = a.f[3];
            x->prefix.data = key.data;
            x->prefix.len = lit;
        }

        if (lit == 0) {
            r->full[x - r->prefixed] = 1;
        }
    }
}


/* L002: a listing of a bucket whose objects are limited to a prefix */
static int
sts_lint_list_prefix(sts_lint_run_t *r, size_t i,
    const sts_policy_stmt_view_t *v)
{
    int                   rc, lists;
    char                  loc[STS_LINT_LOC_LEN], arn[256], hint[256];
    char                  b[80], pre[128];
    size_t                j, k;
    const char           *pat;
    sts_lint_prefixed_t  *x;

    if (r->kind != STS_POLICY_IDENTITY || v->deny || v->not_action
        || v->not_resource || r->num_prefixed == 0
        || sts_lint_has_key(r->p, i, v->num_conds, "oss:Prefix"))
    {
        return STS_OK;
    }

    lists = 0;

    for (j = 0; j < v->num_actions && !lists; j++) {
        pat = sts_policy_stmt_action(r->p, i, j);
        lists = pat && sts_lint_match(pat, "oss:ListObjects", 15, 1);
    }

    if (!lists) {
        return STS_OK;
    }

    for (k = 0; k < r->num_prefixed; k++) {
        x = &r->prefixed[k];

        if (r->full[k]) {
            continue;
        }

        snprintf(arn, sizeof(arn), "acs:oss:*:%.*s:%.*s",
                 (int) x->account.len, x->account.data,
                 (int) x->bucket.len, x->bucket.data);

        for (j = 0; j < v->num_resources; j++) {
            pat = sts_policy_stmt_resource(r->p, i, j);

            if (pat == NULL || !sts_lint_match(pat, arn, strlen(arn), 0)) {
                continue;
            }

            sts_lint_safe(b, sizeof(b), x->bucket.data, x->bucket.len);
            sts_lint_safe(pre, sizeof(pre), x->prefix.data, x->prefix.len);
            snprintf(loc, sizeof(loc), "Statement[%zu].Resource[%zu]", i, j);
            snprintf(hint, sizeof(hint), "add \"Condition\": "
                     "{\"StringLike\": {\"oss:Prefix\": \"%s*\"}} to this "
                     "statement", pre);

            rc = sts_lint_add(r, "L002", STS_LINT_WARNING, loc, hint,
                     "oss:ListObjects on bucket \"%s\" without an "
                     "oss:Prefix condition lists every key of it, while "
                     "objects are granted only under \"%s\" "
                     "(Statement[%zu].Resource[%zu])", b, pre, x->stmt,
                     x->res);
            if (rc != STS_OK) {
                return rc;
            }

            break;
        }
    }

    return STS_OK;
}


static int
sts_lint_has_key(const sts_policy_t *p, size_t i, size_t n, const char *key)
{
    size_t       j, nv;
    sts_str_t    k;
    const char  *op;

    for (j = 0; j < n; j++) {
        if (sts_policy_stmt_cond(p, i, j, &op, &k, &nv) == STS_OK
            && sts_str_caseeq(k, key))
        {
            return 1;
        }
    }

    return 0;
}
