/*
 * Copyright (C) nginx-sts authors
 *
 * The module's per-request state across internal redirects.
 *
 * ngx_http_internal_redirect() and ngx_http_named_location() clear every
 * module's context, so an error_page to /_oss_error or to a named
 * location would lose what the access phase knew: the identity and the
 * decision ($sts_* variables, the audit line, the metrics), the token's
 * expiry (x-sts-token-expires-in), the request id already sent or logged,
 * and that the request was decided at all.  The pool of the request is
 * not cleared: a cleanup registered there with a handler of this file
 * points back to the context, and ngx_http_sts_get_ctx() puts it back;
 * it only finds the context: a decision that the redirect cut short is
 * ended by the rewrite-phase handler of ngx_http_sts_access.c, the first
 * of the module's code to run in the new location.
 * A subrequest shares the pool of its parent, so the cleanup names the
 * request it belongs to.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"


typedef struct {
    ngx_http_request_t   *r;
    ngx_http_sts_ctx_t   *ctx;
} ngx_http_sts_ctx_link_t;


static void ngx_http_sts_ctx_cleanup(void *data);


ngx_int_t
ngx_http_sts_keep_ctx(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx)
{
    ngx_pool_cleanup_t       *cln;
    ngx_http_sts_ctx_link_t  *link;

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_sts_ctx_link_t));
    if (cln == NULL) {
        return NGX_ERROR;
    }

    link = cln->data;
    link->r = r;
    link->ctx = ctx;

    cln->handler = ngx_http_sts_ctx_cleanup;

    return NGX_OK;
}


ngx_http_sts_ctx_t *
ngx_http_sts_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t       *cln;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_sts_ctx_link_t  *link;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sts_module);

    /*
     * only a redirected request can have lost its context: r->internal
     * after ngx_http_internal_redirect(); ngx_http_named_location() does
     * not set it, but it counts the change of URI as that does
     */
    if (ctx != NULL
        || !(r->internal || r->uri_changes != NGX_HTTP_MAX_URI_CHANGES + 1))
    {
        return ctx;
    }

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler != ngx_http_sts_ctx_cleanup) {
            continue;
        }

        link = cln->data;

        if (link->r == r && link->ctx != NULL) {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "sts: context kept across a redirect");

            ngx_http_set_ctx(r, link->ctx, ngx_http_sts_module);

            return link->ctx;
        }
    }

    return NULL;
}


static void
ngx_http_sts_ctx_cleanup(void *data)
{
    ngx_http_sts_ctx_link_t  *link = data;

    /* the context goes with the pool; only the link is cut */
    link->r = NULL;
    link->ctx = NULL;
}
