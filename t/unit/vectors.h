/*
 * Copyright (C) nginx-sts authors
 *
 * vectors.h: what test_sign_v1 and test_sign_v4 share to run the
 * known-answer vectors of t/vectors: loading the JSON files, building a
 * request view from a vector, and parsing plus verifying it.  Included by
 * each test after sts_sign.h; the including file defines opts_at() (the
 * parse options of its signature version) and uses every helper here.
 */

#ifndef VECTORS_H_INCLUDED
#define VECTORS_H_INCLUDED


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_sign.h"


#define MAX_HDRS  32
#define NOW       1715776245        /* 2024-05-15T12:30:45Z */


typedef struct {
    sts_http_request_t  r;
    sts_header_t        h[MAX_HDRS];
    char               *bucket;     /* decoded, from addressing */
    char               *key;
} req_t;


static const sts_allocator_t  *A = &sts_malloc_allocator;


/* the parse options of the including test's signature version */
static sts_auth_opts_t opts_at(int64_t now);


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = s ? strlen(s) : 0;

    return r;
}


/* jstr: the string at a dotted path of |o|, or NULL */

static const char *
jstr(json_t *o, const char *path)
{
    char        name[64];
    const char  *dot;
    size_t       n;

    while (o != NULL && (dot = strchr(path, '.')) != NULL) {
        n = (size_t) (dot - path);
        if (n >= sizeof(name)) {
            return NULL;
        }

        memcpy(name, path, n);
        name[n] = '\0';
        o = json_object_get(o, name);
        path = dot + 1;
    }

    return o ? json_string_value(json_object_get(o, path)) : NULL;
}


static json_t *
load(const char *file)
{
    json_t        *root;
    json_error_t   err;

    root = json_load_file(file, 0, &err);
    if (root == NULL) {
        printf("# %s: %s\n", file, err.text);
    }

    return root;
}


static void
req_init(req_t *q, const char *method, const char *host, const char *path,
    const char *query)
{
    memset(q, 0, sizeof(req_t));

    q->r.method = S(method);
    q->r.host = S(host);
    q->r.raw_path = S(path);
    q->r.raw_query = S(query);
    q->r.headers = q->h;
    q->r.now = NOW;
}


static void
req_add(req_t *q, const char *name, const char *value)
{
    if (q->r.num_headers < MAX_HDRS) {
        q->h[q->r.num_headers].name = S(name);
        q->h[q->r.num_headers].value = S(value);
        q->r.num_headers++;
    }
}


static void
req_add_json(req_t *q, json_t *headers)
{
    json_t      *v;
    const char  *name;

    json_object_foreach(headers, name, v) {
        req_add(q, name, json_string_value(v));
    }
}


/* req_set: replace the value of header |name| (added if missing) */

static void
req_set(req_t *q, const char *name, const char *value)
{
    size_t  i;

    for (i = 0; i < q->r.num_headers; i++) {
        if (sts_str_caseeq(q->h[i].name, name)) {
            q->h[i].value = S(value);
            return;
        }
    }

    req_add(q, name, value);
}


static void
req_del(req_t *q, const char *name)
{
    size_t  i, j;

    for (i = 0, j = 0; i < q->r.num_headers; i++) {
        if (!sts_str_caseeq(q->h[i].name, name)) {
            q->h[j++] = q->h[i];
        }
    }

    q->r.num_headers = j;
}


static void
req_free(req_t *q)
{
    free(q->bucket);
    free(q->key);
    q->bucket = NULL;
    q->key = NULL;
}


/*
 * verify_rc: parse (must succeed) and verify with |secret|; returns the
 * verification status.
 */

static int
verify_rc(req_t *q, int64_t now, const char *secret)
{
    int                     rc;
    sts_auth_t              auth;
    sts_auth_opts_t         o;
    const sts_oss_error_t  *err;

    o = opts_at(now);
    rc = sts_auth_parse(A, &auth, &q->r, &o, &err);

    if (rc == STS_OK) {
        rc = sts_auth_verify(A, &auth, &q->r, S(q->bucket), S(q->key),
                             S(secret), NULL, NULL);

    } else {
        printf("#   parse failed: %d %s\n", rc,
               err ? err->message : "(no error)");
        rc = 1;
    }

    sts_auth_free(A, &auth);

    return rc;
}


/*
 * strip_params: copy of |query| without the items named in |drop| (a
 * NULL-terminated list), order kept.
 */

static char *
strip_params(const char *query, const char **drop)
{
    int          skip;
    char        *out, *w;
    size_t       i, n, len;
    const char  *p, *amp;

    out = malloc(strlen(query) + 1);
    if (out == NULL) {
        return NULL;
    }

    w = out;
    p = query;

    while (*p) {
        amp = strchr(p, '&');
        len = amp ? (size_t) (amp - p) : strlen(p);

        skip = 0;
        for (i = 0; drop[i] != NULL; i++) {
            n = strlen(drop[i]);
            if (len >= n && memcmp(p, drop[i], n) == 0
                && (len == n || p[n] == '='))
            {
                skip = 1;
            }
        }

        if (!skip && len) {
            if (w != out) {
                *w++ = '&';
            }

            memcpy(w, p, len);
            w += len;
        }

        p += len;
        if (*p == '&') {
            p++;
        }
    }

    *w = '\0';

    return out;
}


#endif /* VECTORS_H_INCLUDED */
