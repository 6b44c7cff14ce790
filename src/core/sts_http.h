/*
 * Copyright (C) nginx-sts authors
 *
 * sts_http: the plain request view the nginx glue hands to the core, and
 * the parsing shared by signatures and request mapping: percent-decoding
 * of the raw path, query splitting and decoding (doc/protocol.md 0.4), and
 * header lookup.  No nginx types.
 */

#ifndef STS_HTTP_H_INCLUDED
#define STS_HTTP_H_INCLUDED


#include "sts_util.h"


typedef struct {
    sts_str_t  name;      /* as received; compare case-insensitively */
    sts_str_t  value;     /* as received (not trimmed) */
} sts_header_t;


/*
 * sts_http_request_t: one request as the client sent it.  All strings are
 * borrowed from the caller and must outlive every use of the view.
 */
typedef struct {
    sts_str_t            method;      /* "GET", "PUT", ... */
    sts_str_t            host;        /* Host header, as sent */
    sts_str_t            raw_path;    /* request target before '?', raw */
    sts_str_t            raw_query;   /* after the first '?', no '?' */
    const sts_header_t  *headers;
    size_t               num_headers;
    sts_str_t            client_addr; /* textual IP address, may be empty */
    int                  secure;      /* 1 for HTTPS */
    int64_t              now;         /* request time, Unix seconds */
} sts_http_request_t;


/*
 * sts_http_target_valid is 1 when the raw request target of |r| reads one
 * way only, 0 otherwise.  The view splits the target at its first '?'; a
 * raw '#' is refused anywhere in it, because nginx ($uri, $args) and many
 * stores end the path or the query at a '#' (a URI fragment) and would
 * act on a shorter key or fewer sub-resources than the ones authorised.
 * A client that means the byte sends %23.
 */
int sts_http_target_valid(const sts_http_request_t *r);


/* A decoded query parameter.  |value| is empty for "k" and "k=". */
typedef struct {
    sts_str_t  name;      /* decoded, NUL-terminated copy */
    sts_str_t  value;     /* decoded, NUL-terminated copy */
    int        has_eq;    /* 1 if the raw item had '=' */
} sts_param_t;

typedef struct {
    sts_param_t  *items;  /* in arrival order */
    size_t        num;
} sts_params_t;


/*
 * sts_utf8_valid is 1 if |p| is exactly the UTF-8 of RFC 3629 (no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 otherwise.
 */
int sts_utf8_valid(const unsigned char *p, size_t len);

/*
 * sts_percent_decode decodes %XY sequences of |in| into a new NUL-terminated
 * string allocated from |a|.  If |plus_is_space| is set, '+' becomes ' '.
 * STS_EINVAL for a truncated or non-hex escape, for a decoded NUL byte and
 * for a result that is not valid UTF-8; STS_ENOMEM.
 */
int sts_percent_decode(const sts_allocator_t *a, sts_str_t in,
    int plus_is_space, sts_str_t *out) STS_WUR;

/*
 * sts_query_parse splits |raw_query| on '&', each item at its first '=',
 * and decodes names and values ('+' as space).  Empty items ("a&&b") are
 * skipped.  A repeated name is STS_EDUP.  Bad escapes, and an item with a
 * value but no name ("=v"), are STS_EINVAL.  At most 1000 parameters
 * (STS_ETOOBIG).  The result is one block from |a|: release it with
 * sts_free(a, out->items).
 */
int sts_query_parse(const sts_allocator_t *a, sts_str_t raw_query,
    sts_params_t *out) STS_WUR;

/* sts_params_get returns the parameter named exactly |name|, or NULL. */
const sts_param_t *sts_params_get(const sts_params_t *p, const char *name);

/*
 * sts_http_header returns the first header named |name| (ASCII
 * case-insensitive) or NULL; |count|, if not NULL, receives how many
 * headers have that name.
 */
const sts_header_t *sts_http_header(const sts_http_request_t *r,
    const char *name, size_t *count);


#endif /* STS_HTTP_H_INCLUDED */
