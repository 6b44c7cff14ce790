/*
 * Copyright (C) nginx-sts authors
 *
 * The STS endpoint (ngx_http_sts_endpoint.c).
 */

#ifndef _NGX_HTTP_STS_ENDPOINT_H_INCLUDED_
#define _NGX_HTTP_STS_ENDPOINT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


char *ngx_http_sts_endpoint(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_sts_endpoint_error(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_directory(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_nonce_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_sts_endpoint_init(ngx_conf_t *cf);
char *ngx_http_sts_endpoint_check(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *conf);


#endif /* _NGX_HTTP_STS_ENDPOINT_H_INCLUDED_ */
