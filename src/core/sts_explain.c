/*
 * Copyright (C) nginx-sts authors
 *
 * sts_explain: layers, missing condition keys and redacted signature
 * strings for explanations (see sts_explain.h).
 */

#include <stdio.h>
#include <string.h>

#include "sts_explain.h"


typedef struct {
    char    *buf;
    size_t   len;
    size_t   pos;
} sts_xout_t;


static int sts_explain_name_is(const char *p, size_t n,
    const char *const *names);
static void sts_xout_str(sts_xout_t *o, const char *s);
static void sts_xout_safe(sts_xout_t *o, const char *s, size_t n,
    const char *bad);
static void sts_xout_end(sts_xout_t *o);
static size_t sts_explain_utf8_len(const unsigned char *p, size_t n);


static const char *const  sts_explain_headers[] = {
    "x-oss-security-token", "security-token", "authorization", NULL
};

static const char *const  sts_explain_params[] = {
    "x-oss-security-token", "security-token", "x-oss-signature",
    "signature", NULL
};


static int
sts_explain_name_is(const char *p, size_t n, const char *const *names)
{
    size_t         i, k;
    unsigned char  c;

    for (i = 0; names[i] != NULL; i++) {
        if (strlen(names[i]) != n) {
            continue;
        }

        for (k = 0; k < n; k++) {
            c = (unsigned char) p[k];

            if (c >= 'A' && c <= 'Z') {
                c = (unsigned char) (c - 'A' + 'a');
            }

            if (c != (unsigned char) names[i][k]) {
                break;
            }
        }

        if (k == n) {
            return 1;
        }
    }

    return 0;
}


int
sts_explain_redact(sts_buf_t *out, sts_str_t text)
{
    int          rc;
    size_t       i, end, colon, eq;
    const char  *s;

    s = text.data;
    i = 0;

    while (i < text.len) {

        /* one line: [i, end) */

        for (end = i; end < text.len && s[end] != '\n'; end++) {
            /* void */
        }

        for (colon = i; colon < end && s[colon] != ':'; colon++) {
            /* void */
        }

        if (colon < end
            && sts_explain_name_is(s + i, colon - i, sts_explain_headers))
        {
            rc = sts_buf_append(out, s + i, colon + 1 - i);
            if (rc == STS_OK) {
                rc = sts_buf_append_str(out, STS_EXPLAIN_REDACTED);
            }

            if (rc != STS_OK) {
                return rc;
            }

            i = end;

        } else {
            /* query parameters: a name at line start or after '?', '&' */

            while (i < end) {
                for (eq = i; eq < end && s[eq] != '=' && s[eq] != '&'
                             && s[eq] != '?'; eq++)
                {
                    /* void */
                }

                if (eq < end && s[eq] == '='
                    && sts_explain_name_is(s + i, eq - i, sts_explain_params))
                {
                    rc = sts_buf_append(out, s + i, eq + 1 - i);
                    if (rc == STS_OK) {
                        rc = sts_buf_append_str(out, STS_EXPLAIN_REDACTED);
                    }

                    if (rc != STS_OK) {
                        return rc;
                    }

                    /* the value is dropped; the '&' after it is kept */
                    for (i = eq + 1; i < end && s[i] != '&'; i++) {
                        /* void */
                    }

                    if (i < end) {
                        rc = sts_buf_append_char(out, '&');
                        if (rc != STS_OK) {
                            return rc;
                        }

                        i++;
                    }

                    continue;
                }

                /* anything else: copied up to the next name */

                for (eq = i; eq < end && s[eq] != '&' && s[eq] != '?'; eq++) {
                    /* void */
                }

                if (eq < end) {
                    eq++;
                }

                rc = sts_buf_append(out, s + i, eq - i);
                if (rc != STS_OK) {
                    return rc;
                }

                i = eq;
            }
        }

        if (end < text.len) {
            rc = sts_buf_append_char(out, '\n');
            if (rc != STS_OK) {
                return rc;
            }

            end++;
        }

        i = end;
    }

    return sts_buf_ok(out);
}


static void
sts_xout_str(sts_xout_t *o, const char *s)
{
    for ( /* void */ ; *s; s++) {
        if (o->pos + 1 < o->len) {
            o->buf[o->pos] = *s;
        }

        o->pos++;
    }
}


static void
sts_xout_safe(sts_xout_t *o, const char *s, size_t n, const char *bad)
{
    size_t         i, u;
    unsigned char  c;

    u = 0;

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        if (u == 0 && c >= 0x80) {
            /* a whole UTF-8 sequence is kept */
            u = sts_explain_utf8_len((const unsigned char *) s + i, n - i);
        }

        if (u) {
            u--;

        } else if (c < 0x21 || c > 0x7e || strchr(bad, c) != NULL) {
            c = '?';
        }

        if (o->pos + 1 < o->len) {
            o->buf[o->pos] = (char) c;
        }

        o->pos++;
    }
}


static void
sts_xout_end(sts_xout_t *o)
{
    if (o->len) {
        o->buf[o->pos < o->len ? o->pos : o->len - 1] = '\0';
    }
}


size_t
sts_explain_layer(const sts_policy_result_t *res, int trust,
    const char *const *names, size_t num_names, char *buf, size_t len)
{
    char        num[24];
    sts_xout_t  o;

    o.buf = buf;
    o.len = len;
    o.pos = 0;

    if (res->policy >= 0) {
        snprintf(num, sizeof(num), "%d", res->policy);
        sts_xout_str(&o, "role-policy[");
        sts_xout_str(&o, num);
        sts_xout_str(&o, "]");

        if (names != NULL && (size_t) res->policy < num_names
            && names[res->policy] != NULL)
        {
            sts_xout_str(&o, "(");
            sts_xout_safe(&o, names[res->policy],
                          strlen(names[res->policy]), "()");
            sts_xout_str(&o, ")");
        }

    } else if (res->policy == STS_POLICY_BY_SESSION) {
        sts_xout_str(&o, "session-policy");

    } else if (res->policy == STS_POLICY_BY_TRUST || trust) {
        sts_xout_str(&o, "trust-policy");

    } else {
        sts_xout_str(&o, "role-policies");
    }

    sts_xout_end(&o);

    return o.pos;
}


size_t
sts_explain_missing(const sts_policy_result_t *res, char *buf, size_t len)
{
    unsigned    i;
    sts_xout_t  o;

    o.buf = buf;
    o.len = len;
    o.pos = 0;

    for (i = 0; i < res->num_missing && i < STS_POLICY_MAX_MISSING; i++) {
        if (i) {
            sts_xout_str(&o, ",");
        }

        sts_xout_safe(&o, res->missing[i].data, res->missing[i].len, ",");
    }

    if (res->missing_more) {
        sts_xout_str(&o, ",...");
    }

    sts_xout_end(&o);

    return o.pos;
}


/* the length of the well-formed UTF-8 sequence at |p| (RFC 3629), or 0 */
static size_t
sts_explain_utf8_len(const unsigned char *p, size_t n)
{
    size_t         len, i;
    unsigned char  lo, hi;

    lo = 0x80;
    hi = 0xbf;

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;

    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        lo = p[0] == 0xe0 ? 0xa0 : 0x80;
        hi = p[0] == 0xed ? 0x9f : 0xbf;

    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        lo = p[0] == 0xf0 ? 0x90 : 0x80;
        hi = p[0] == 0xf4 ? 0x8f : 0xbf;

    } else {
        return 0;
    }

    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }

    for (i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }

    return len;
}


size_t
sts_explain_escape(char *out, const char *s, size_t len, int utf8)
{
    size_t               i, k, u;
    unsigned char        c;
    static const char    hex[] = "0123456789ABCDEF";

    k = 0;
    u = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (u == 0 && c >= 0x80 && utf8) {
            u = sts_explain_utf8_len((const unsigned char *) s + i, len - i);
        }

        if (u) {
            u--;
            out[k++] = (char) c;

        } else if (c < 0x20 || c > 0x7e || c == '%') {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 0x0f];

        } else {
            out[k++] = (char) c;
        }
    }

    return k;
}
