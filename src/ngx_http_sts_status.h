/*
 * Copyright (C) nginx-sts authors
 *
 * Metrics (ngx_http_sts_status.c): counted in the log phase.
 */

#ifndef _NGX_HTTP_STS_STATUS_H_INCLUDED_
#define _NGX_HTTP_STS_STATUS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


ngx_int_t ngx_http_sts_status_init(ngx_conf_t *cf);
char *ngx_http_sts_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

/* counts a refusal by reason in the status zone (status.c) */
#define NGX_HTTP_STS_REFUSAL_TOO_LARGE     0  /* declared size over a cap */
#define NGX_HTTP_STS_REFUSAL_BODY_CUT      1  /* streamed body cut */
#define NGX_HTTP_STS_REFUSAL_STAMP         2  /* stamping cannot cover it */
void ngx_http_sts_status_refusal(ngx_uint_t reason);


#endif /* _NGX_HTTP_STS_STATUS_H_INCLUDED_ */
