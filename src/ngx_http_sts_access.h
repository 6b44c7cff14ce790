/*
 * Copyright (C) nginx-sts authors
 *
 * The access phase (ngx_http_sts_access.c).
 */

#ifndef _NGX_HTTP_STS_ACCESS_H_INCLUDED_
#define _NGX_HTTP_STS_ACCESS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * ngx_http_sts_access_handler is the access-phase handler: it decides on
 * the request (allow, or an OSS error document sent).
 * ngx_http_sts_redirect_handler, in the rewrite phases, abandons a
 * decision that an internal redirect cut short.
 */
ngx_int_t ngx_http_sts_access_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_sts_redirect_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STS_ACCESS_H_INCLUDED_ */
