/*
 * Copyright (C) nginx-sts authors
 *
 * PostObject form rewriting (ngx_http_sts_poststamp.c).
 */

#ifndef _NGX_HTTP_STS_POSTSTAMP_H_INCLUDED_
#define _NGX_HTTP_STS_POSTSTAMP_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * ngx_http_sts_poststamp puts the identity stamps into the body of an
 * allowed PostObject, read whole, before its file part, and sets the new
 * length (ngx_http_sts_poststamp.c).  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sts_poststamp(ngx_http_request_t *r,
    const sts_post_form_t *form);

/*
 * ngx_http_sts_postkey makes the "key" field of an allowed PostObject,
 * read whole, the key that was authorised (${filename} expanded), and
 * sets the new length; ngx_http_sts_body_replace makes |data| the whole
 * body (ngx_http_sts_poststamp.c).  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sts_postkey(ngx_http_request_t *r,
    const sts_post_form_t *form, sts_str_t key);
ngx_int_t ngx_http_sts_body_replace(ngx_http_request_t *r, u_char *data,
    size_t len);

/*
 * ngx_http_sts_postfile makes the body of an allowed PostObject, read
 * whole, its file part's content alone, and sets the new length (the
 * PUT of sts_backend s3).  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sts_postfile(ngx_http_request_t *r,
    const sts_post_form_t *form);


#endif /* _NGX_HTTP_STS_POSTSTAMP_H_INCLUDED_ */
