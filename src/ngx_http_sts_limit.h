/*
 * Copyright (C) nginx-sts authors
 *
 * Issuance limits (ngx_http_sts_limit.c).
 */

#ifndef _NGX_HTTP_STS_LIMIT_H_INCLUDED_
#define _NGX_HTTP_STS_LIMIT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


char *ngx_http_sts_assume_role_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
int ngx_http_sts_limit_check(void *data, int kind, sts_str_t key);

/*
 * The limits on the fleet's store (sts_state_use limits): the number of
 * limits of a location (|data|, as ngx_http_sts_limit_check's), and
 * ngx_http_sts_limit_command prepares the script that takes a call of
 * |key| under limit |i| on |rs|: NGX_OK, NGX_DECLINED when limit |i| is
 * not of |kind|, NGX_ERROR.  The script answers 1 (taken) or 0 (over).
 */
ngx_uint_t ngx_http_sts_limit_count(void *data);
ngx_int_t ngx_http_sts_limit_command(void *data, ngx_uint_t i, int kind,
    sts_str_t key, ngx_http_sts_redis_t *rs, ngx_http_sts_redis_args_t *cmd);


#endif /* _NGX_HTTP_STS_LIMIT_H_INCLUDED_ */
