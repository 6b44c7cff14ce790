/*
 * Copyright (C) nginx-sts authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sts_revoke.h"
#include "sts_ram.h"


#define STS_REVOKE_FIELDS   4       /* one more than any rule has */
#define STS_REVOKE_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */


/*
 * One rule.  |a| is the AccessKeyId or the normalised role ARN (lower-case
 * role name), |b| the session name; both point into the list's copy of
 * the text.
 */
typedef struct {
    const char         *a;
    const char         *b;
    int64_t             before;
    size_t              line;
    sts_revoke_kind_e   kind;
} sts_revoke_rule_t;


struct sts_revoked_s {
    sts_revoke_rule_t  *rules;      /* sorted: kind, a, b */
    size_t              num;
    char               *text;
};


static int
sts_revoke_rule_cmp(const void *x, const void *y)
{
    int                       c;
    const sts_revoke_rule_t  *p = x, *q = y;

    if (p->kind != q->kind) {
        return p->kind < q->kind ? -1 : 1;
    }

    c = strcmp(p->a, q->a);
    if (c != 0) {
        return c;
    }

    if (p->kind == STS_REVOKE_SESSION) {
        return strcmp(p->b, q->b);
    }

    return 0;
}


/* the sort also orders equal rules by line, so the first one is kept */
static int
sts_revoke_rule_sort_cmp(const void *x, const void *y)
{
    int                       c;
    const sts_revoke_rule_t  *p = x, *q = y;

    c = sts_revoke_rule_cmp(x, y);
    if (c != 0) {
        return c;
    }

    return p->line < q->line ? -1 : (p->line > q->line);
}


static int
sts_revoke_akid_valid(const char *s, size_t len)
{
    size_t  i;
    char    c;

    if (len < 5 || len > STS_REVOKE_AKID_MAX || memcmp(s, "STS.", 4) != 0) {
        return 0;
    }

    for (i = 4; i < len; i++) {
        c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')))
        {
            return 0;
        }
    }

    return 1;
}


/*
 * The role ARN |f| (NUL-terminated, in the list's text) is checked and
 * normalised in place: same length, lower-case role name.
 */
static int
sts_revoke_role(char *f, size_t len)
{
    char       norm[STS_RAM_ARN_MAX];
    sts_str_t  arn;

    arn.data = f;
    arn.len = len;

    if (sts_ram_parse_role_arn(arn, norm) != STS_OK) {
        return 0;
    }

    memcpy(f, norm, len);

    return 1;
}


static int
sts_revoke_time(const char *s, size_t len, int64_t *out)
{
    uint64_t  u;

    if (s[0] >= '0' && s[0] <= '9'
        && strspn(s, "0123456789") == len)
    {
        if (sts_parse_uint64(s, len, &u) != STS_OK
            || u > (uint64_t) STS_REVOKE_TIME_MAX)
        {
            return 0;
        }

        *out = (int64_t) u;
        return 1;
    }

    if (sts_parse_iso8601(s, len, out) != STS_OK
        || *out < 0 || *out > STS_REVOKE_TIME_MAX)
    {
        return 0;
    }

    return 1;
}


/* Parses the rule in the fields |f| of line |line| into |r|. */
static int
sts_revoke_parse_rule(char **f, size_t *flen, size_t nf, size_t line,
    sts_revoke_rule_t *r, char *err, size_t err_len)
{
    size_t       want;
    const char  *kind;

    kind = f[0];
    r->line = line;
    r->a = NULL;
    r->b = NULL;
    r->before = 0;

    if (strcmp(kind, "akid") == 0) {
        r->kind = STS_REVOKE_AKID;
        want = 2;

    } else if (strcmp(kind, "role") == 0) {
        r->kind = STS_REVOKE_ROLE;
        want = 2;

    } else if (strcmp(kind, "session") == 0) {
        r->kind = STS_REVOKE_SESSION;
        want = 3;

    } else if (strcmp(kind, "before") == 0) {
        r->kind = STS_REVOKE_BEFORE;
        want = 3;

    } else {
        snprintf(err, err_len, "line %zu: unknown rule \"%.32s\", expected "
                 "\"akid\", \"role\", \"session\" or \"before\"", line,
                 kind);
        return STS_EINVAL;
    }

    if (nf != want) {
        snprintf(err, err_len, "line %zu: \"%s\" takes %zu value%s, not "
                 "%zu", line, kind, want - 1, want == 2 ? "" : "s",
                 nf - 1);
        return STS_EINVAL;
    }

    if (r->kind == STS_REVOKE_AKID) {
        if (!sts_revoke_akid_valid(f[1], flen[1])) {
            snprintf(err, err_len, "line %zu: \"%.*s\" is not an STS "
                     "AccessKeyId (\"STS.\" and letters or digits)", line,
                     (int) (flen[1] > 64 ? 64 : flen[1]), f[1]);
            return STS_EINVAL;
        }

        r->a = f[1];
        return STS_OK;
    }

    if (!sts_revoke_role(f[1], flen[1])) {
        snprintf(err, err_len, "line %zu: \"%.*s\" is not a role ARN "
                 "(acs:ram::<account>:role/<name>)", line,
                 (int) (flen[1] > 128 ? 128 : flen[1]), f[1]);
        return STS_EINVAL;
    }

    r->a = f[1];

    if (r->kind == STS_REVOKE_SESSION) {
        if (flen[2] > STS_REVOKE_NAME_MAX) {
            snprintf(err, err_len, "line %zu: session name longer than %d "
                     "bytes", line, STS_REVOKE_NAME_MAX);
            return STS_EINVAL;
        }

        r->b = f[2];
        return STS_OK;
    }

    if (r->kind == STS_REVOKE_BEFORE) {
        if (!sts_revoke_time(f[2], flen[2], &r->before)) {
            snprintf(err, err_len, "line %zu: \"%.*s\" is not a time "
                     "(ISO 8601 such as 2024-05-15T12:30:45Z, or Unix "
                     "seconds)", line,
                     (int) (flen[2] > 64 ? 64 : flen[2]), f[2]);
            return STS_EINVAL;
        }
    }

    return STS_OK;
}


/*
 * Splits the line from |p| to |stop| (NUL-terminated at |stop|) on blanks
 * into at most STS_REVOKE_FIELDS fields |f| of |flen| bytes (*nf of them),
 * up to a comment; every other byte must be printable ASCII.
 */
static int
sts_revoke_split_line(char *p, char *stop, size_t line, char **f,
    size_t *flen, size_t *nfields, char *err, size_t err_len)
{
    size_t         nf;
    unsigned char  c;

    nf = 0;

    while (*p) {
        c = (unsigned char) *p;

        if (c == ' ' || c == '\t') {
            *p++ = '\0';
            continue;
        }

        /* a comment: the line, or the rest of it */
        if (c == '#') {
            break;
        }

        if (nf == STS_REVOKE_FIELDS) {
            snprintf(err, err_len, "line %zu: too many values", line);
            return STS_EINVAL;
        }

        f[nf] = p;

        while (*p && *p != ' ' && *p != '\t') {
            c = (unsigned char) *p;

            if (c < 0x21 || c > 0x7e) {
                snprintf(err, err_len, "line %zu: byte 0x%02x is not "
                         "allowed (printable ASCII only)", line, c);
                return STS_EINVAL;
            }

            p++;
        }

        flen[nf] = (size_t) (p - f[nf]);
        nf++;
    }

    /* a NUL byte inside the line ends the loop above early */
    if (p < stop && *p != '#') {
        snprintf(err, err_len, "line %zu: byte 0x00 is not allowed "
                 "(printable ASCII only)", line);
        return STS_EINVAL;
    }

    *nfields = nf;

    return STS_OK;
}


/* Sorts the |n| rules of |rv| and keeps one rule per key. */
static void
sts_revoke_merge(sts_revoked_t *rv, size_t n)
{
    size_t              i;
    sts_revoke_rule_t  *r, *last;

    if (n > 1) {
        qsort(rv->rules, n, sizeof(sts_revoke_rule_t),
              sts_revoke_rule_sort_cmp);
    }

    /* one rule per key; "before" keeps the latest time */
    last = NULL;
    rv->num = 0;

    for (i = 0; i < n; i++) {
        r = &rv->rules[i];

        if (last != NULL && sts_revoke_rule_cmp(last, r) == 0) {
            if (r->kind == STS_REVOKE_BEFORE && r->before > last->before) {
                last->before = r->before;
                last->line = r->line;
            }

            continue;
        }

        last = &rv->rules[rv->num++];
        *last = *r;
    }
}


int
sts_revoked_parse(const sts_allocator_t *a, const char *text, size_t len,
    sts_revoked_t **out, char *err, size_t err_len)
{
    int                 rc;
    char               *p, *end, *eol, *stop, *f[STS_REVOKE_FIELDS];
    size_t              i, n, nf, line, max, flen[STS_REVOKE_FIELDS];
    sts_revoked_t      *rv;

    *out = NULL;

    if (err_len) {
        err[0] = '\0';
    }

    rv = sts_calloc(a, sizeof(sts_revoked_t));
    if (rv == NULL) {
        return STS_ENOMEM;
    }

    rv->text = sts_alloc(a, len + 1);
    if (rv->text == NULL) {
        sts_free(a, rv);
        return STS_ENOMEM;
    }

    if (len) {
        memcpy(rv->text, text, len);
    }

    rv->text[len] = '\0';

    /* at most one rule a line */
    max = 1;
    for (i = 0; i < len; i++) {
        if (text[i] == '\n') {
            max++;
        }
    }

    if (max > STS_REVOKE_MAX_RULES) {
        max = STS_REVOKE_MAX_RULES;
    }

    rv->rules = sts_alloc(a, max * sizeof(sts_revoke_rule_t));
    if (rv->rules == NULL) {
        rc = STS_ENOMEM;
        goto failed;
    }

    p = rv->text;
    end = rv->text + len;
    line = 0;
    n = 0;

    while (p < end) {
        line++;

        eol = memchr(p, '\n', (size_t) (end - p));
        if (eol == NULL) {
            eol = end;
        }

        *eol = '\0';
        stop = eol;

        if (stop > p && stop[-1] == '\r') {
            *--stop = '\0';
        }

        rc = sts_revoke_split_line(p, stop, line, f, flen, &nf, err,
                                   err_len);
        if (rc != STS_OK) {
            goto failed;
        }

        if (nf != 0) {
            if (n == max) {
                snprintf(err, err_len, "line %zu: more than %d rules",
                         line, STS_REVOKE_MAX_RULES);
                rc = STS_ETOOBIG;
                goto failed;
            }

            /* the fields are NUL-terminated in place */
            for (i = 0; i < nf; i++) {
                f[i][flen[i]] = '\0';
            }

            rc = sts_revoke_parse_rule(f, flen, nf, line, &rv->rules[n],
                                       err, err_len);
            if (rc != STS_OK) {
                goto failed;
            }

            n++;
        }

        p = eol + 1;
    }

    sts_revoke_merge(rv, n);

    *out = rv;

    return STS_OK;

failed:

    sts_revoked_free(a, rv);

    return rc;
}


int
sts_revoked_load(const sts_allocator_t *a, const char *path,
    sts_revoked_t **out, char *err, size_t err_len)
{
    int      rc;
    char    *buf;
    char     why[256];
    size_t   len;

    *out = NULL;

    /* no secret in it: anyone may read it, but only its owners change it */
    rc = sts_read_file(a, path, "revocation list", S_IWOTH,
                       "is writable by others",
                       ", who could lift a revocation", "o-w",
                       STS_REVOKE_FILE_MAX, &buf, &len, err, err_len);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_revoked_parse(a, buf, len, out, why, sizeof(why));
    if (rc != STS_OK) {
        snprintf(err, err_len, "revocation list \"%s\": %s", path, why);
    }

    sts_free(a, buf);

    return rc;
}


void
sts_revoked_free(const sts_allocator_t *a, sts_revoked_t *rv)
{
    if (rv == NULL) {
        return;
    }

    sts_free(a, rv->rules);
    sts_free(a, rv->text);
    sts_free(a, rv);
}


size_t
sts_revoked_count(const sts_revoked_t *rv)
{
    return rv ? rv->num : 0;
}


static const sts_revoke_rule_t *
sts_revoke_find(const sts_revoked_t *rv, sts_revoke_kind_e kind,
    const char *a, const char *b)
{
    sts_revoke_rule_t  key;

    key.kind = kind;
    key.a = a;
    key.b = b;
    key.line = 0;
    key.before = 0;

    return bsearch(&key, rv->rules, rv->num, sizeof(sts_revoke_rule_t),
                   sts_revoke_rule_cmp);
}


static int
sts_revoke_matched(const sts_revoke_rule_t *r, sts_revoke_match_t *out)
{
    out->kind = r->kind;
    out->line = r->line;
    out->before = r->before;

    return STS_EDENIED;
}


int
sts_revoked_check(const sts_revoked_t *rv, const sts_session_t *s,
    sts_revoke_match_t *out)
{
    char                      role[STS_RAM_ARN_MAX];
    sts_str_t                 arn;
    const sts_revoke_rule_t  *r;

    out->kind = STS_REVOKE_NONE;
    out->line = 0;
    out->before = 0;

    if (rv == NULL || rv->num == 0 || s == NULL) {
        return STS_OK;
    }

    if (s->access_key_id != NULL) {
        r = sts_revoke_find(rv, STS_REVOKE_AKID, s->access_key_id, NULL);
        if (r != NULL) {
            return sts_revoke_matched(r, out);
        }
    }

    if (s->role_arn == NULL) {
        return STS_OK;
    }

    /* rules hold normalised ARNs; a token's ARN that is none matches none */
    arn.data = s->role_arn;
    arn.len = strlen(s->role_arn);

    if (sts_ram_parse_role_arn(arn, role) != STS_OK) {
        return STS_OK;
    }

    if (s->session_name != NULL) {
        r = sts_revoke_find(rv, STS_REVOKE_SESSION, role, s->session_name);
        if (r != NULL) {
            return sts_revoke_matched(r, out);
        }
    }

    r = sts_revoke_find(rv, STS_REVOKE_ROLE, role, NULL);
    if (r != NULL) {
        return sts_revoke_matched(r, out);
    }

    r = sts_revoke_find(rv, STS_REVOKE_BEFORE, role, NULL);
    if (r != NULL && s->issued_at < r->before) {
        return sts_revoke_matched(r, out);
    }

    return STS_OK;
}


size_t
sts_revoke_describe(const sts_revoke_match_t *m, const sts_session_t *s,
    char *buf, size_t len)
{
    int          n;
    char         t[STS_ISO8601_LEN + 1];
    const char  *akid, *role, *name;

    if (len == 0) {
        return 0;
    }

    akid = s && s->access_key_id ? s->access_key_id : "";
    role = s && s->role_arn ? s->role_arn : "";
    name = s && s->session_name ? s->session_name : "";

    switch (m->kind) {

    case STS_REVOKE_AKID:
        n = snprintf(buf, len, "line %zu: akid %s", m->line, akid);
        break;

    case STS_REVOKE_SESSION:
        n = snprintf(buf, len, "line %zu: session %s %s", m->line, role,
                     name);
        break;

    case STS_REVOKE_ROLE:
        n = snprintf(buf, len, "line %zu: role %s", m->line, role);
        break;

    case STS_REVOKE_BEFORE:
        sts_format_iso8601(t, m->before);
        n = snprintf(buf, len, "line %zu: before %s %s", m->line, role, t);
        break;

    default:
        n = snprintf(buf, len, "no rule");
        break;
    }

    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }

    return (size_t) n < len ? (size_t) n : len - 1;
}
