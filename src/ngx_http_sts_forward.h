/*
 * Copyright (C) nginx-sts authors
 *
 * The proxy_pass check of nginx -t (ngx_http_sts_forward.c).
 */

#ifndef _NGX_HTTP_STS_FORWARD_H_INCLUDED_
#define _NGX_HTTP_STS_FORWARD_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


ngx_int_t ngx_http_sts_forward_watch(ngx_conf_t *cf);
void ngx_http_sts_forward_unwatch(void);
void ngx_http_sts_forward_check(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *slcf);


#endif /* _NGX_HTTP_STS_FORWARD_H_INCLUDED_ */
