/*
 * Copyright (C) nginx-sts authors
 *
 * Issuance limits and sts_endpoint_error (ngx_http_sts_limit.c).
 */

#ifndef _NGX_HTTP_STS_LIMIT_H_INCLUDED_
#define _NGX_HTTP_STS_LIMIT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


char *ngx_http_sts_assume_role_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_endpoint_error(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
int ngx_http_sts_limit_check(void *data, int kind, sts_str_t key);


#endif /* _NGX_HTTP_STS_LIMIT_H_INCLUDED_ */
