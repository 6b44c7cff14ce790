/*
 * Copyright (C) nginx-sts authors
 *
 * Payload integrity (ngx_http_sts_digest.c).
 */

#ifndef _NGX_HTTP_STS_DIGEST_H_INCLUDED_
#define _NGX_HTTP_STS_DIGEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * ngx_http_sts_digest_start runs on an allow, before anything else acts
 * on it: for a request with a body the content phase streams (|op|'s
 * body is not read by the access phase), it reads the digests the
 * request declares (a hex x-oss-content-sha256, a Content-MD5) and
 * prepares their check.  NGX_OK, NGX_DECLINED with *err and *reason (a
 * digest that is not one), or NGX_ERROR.
 * ngx_http_sts_digest_body hashes the body as it passes the request body
 * filter; at its end, a mismatch fails the body before its last buffer
 * goes on: NGX_OK, NGX_HTTP_BAD_REQUEST (ctx->body_error says which
 * digest), or NGX_HTTP_INTERNAL_SERVER_ERROR.
 */
ngx_int_t ngx_http_sts_digest_start(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_oss_error_t **err,
    const char **reason);
ngx_int_t ngx_http_sts_digest_body(ngx_http_request_t *r, ngx_chain_t *in);


#endif /* _NGX_HTTP_STS_DIGEST_H_INCLUDED_ */
