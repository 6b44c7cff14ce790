/*
 * Copyright (C) nginx-sts authors
 *
 * The glue's utilities (ngx_http_sts_util.c), the bottom layer of the
 * nginx glue.
 */

#ifndef _NGX_HTTP_STS_UTIL_H_INCLUDED_
#define _NGX_HTTP_STS_UTIL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/sts_util.h"
#include "core/sts_token.h"


struct sts_cache_s;


/*
 * ngx_http_sts_pool_allocator makes |a| an allocator of the core that
 * takes its memory from |pool|; the memory goes with the pool.
 */
void ngx_http_sts_pool_allocator(sts_allocator_t *a, ngx_pool_t *pool);

/*
 * ngx_http_sts_set_headers makes |headers| (a list built on the stack or
 * elsewhere) the request's header list: a list assigned by value keeps
 * pointing at its former last part, so the copy's is found again, and a
 * header pushed later lands in the request's own list.
 */
void ngx_http_sts_set_headers(ngx_http_request_t *r, ngx_list_t *headers);

/*
 * ngx_http_sts_push_header adds the header |name|: |value| to |list| (the
 * request's headers_in or headers_out, or a list being built), with its
 * lowercase key and hash; neither the name nor the value is copied.  The
 * new element, or NULL when out of memory.
 */
ngx_table_elt_t *ngx_http_sts_push_header(ngx_http_request_t *r,
    ngx_list_t *list, const char *name, size_t name_len, u_char *value,
    size_t value_len);

/*
 * ngx_http_sts_strip_query removes from the request target the proxy
 * module forwards (r->unparsed_uri, r->args) every query parameter of an
 * authentication form and the gateway's own (sts_auth_is_param), whatever
 * form the request was signed in; the rest is kept byte for byte, and a
 * target without any is left as it is.  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sts_strip_query(ngx_http_request_t *r);

/*
 * ngx_http_sts_log returns the request's log with a context that names
 * the client, host, method and path but never the query (which may hold
 * a presigned signature or a token).  Use it for every line the module
 * writes about a request.
 */
ngx_log_t *ngx_http_sts_log(ngx_http_request_t *r);

/*
 * ngx_http_sts_token_cache returns this worker's cache of opened tokens
 * (sts_cache), or NULL with "sts_cache off".
 */
struct sts_cache_s *ngx_http_sts_token_cache(void);

/*
 * ngx_http_sts_token_cache_create makes this worker's cache of |entries|
 * tokens (NGX_OK, or NGX_ERROR logged on |cycle|);
 * ngx_http_sts_token_cache_free wipes and frees it.
 */
ngx_int_t ngx_http_sts_token_cache_create(ngx_cycle_t *cycle,
    ngx_int_t entries);
void ngx_http_sts_token_cache_free(void);

/*
 * ngx_http_sts_revoked_check looks the opened token's session |s| up in
 * the sts_revoked list: NGX_OK when it is not revoked (or there is no
 * list), NGX_DECLINED when it is, with *reason naming the rule for the
 * error log.
 */
ngx_int_t ngx_http_sts_revoked_check(ngx_http_request_t *r,
    const sts_session_t *s, const char **reason);


#endif /* _NGX_HTTP_STS_UTIL_H_INCLUDED_ */
