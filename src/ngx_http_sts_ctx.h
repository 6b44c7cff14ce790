/*
 * Copyright (C) nginx-sts authors
 *
 * The request context across internal redirects (ngx_http_sts_ctx.c).
 */

#ifndef _NGX_HTTP_STS_CTX_H_INCLUDED_
#define _NGX_HTTP_STS_CTX_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * ngx_http_sts_keep_ctx registers |ctx| in the request's pool, and
 * ngx_http_sts_get_ctx, used in ngx_http_get_module_ctx's place, finds it
 * again after an error_page, a named location or another redirect; it
 * has no other effect.
 */
ngx_int_t ngx_http_sts_keep_ctx(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx);
ngx_http_sts_ctx_t *ngx_http_sts_get_ctx(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STS_CTX_H_INCLUDED_ */
