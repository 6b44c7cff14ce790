/*
 * Copyright (C) nginx-sts authors
 *
 * The backend connectors (ngx_http_sts_backend.c).
 */

#ifndef _NGX_HTTP_STS_BACKEND_H_INCLUDED_
#define _NGX_HTTP_STS_BACKEND_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * The backend connectors (ngx_http_sts_backend.c).
 *
 * ngx_http_sts_backend_prepare maps an allowed request for the store
 * configured by sts_backend: for oss, signed again with the gateway's
 * AccessKey; for s3, headers and target mapped to S3 and the SigV4
 * signature prepared for $sts_backend_authorization, or, for an operation
 * without an S3 twin, the content handler replaced by a NotImplemented
 * answer; a PostObject (|form|, else NULL) becomes the PutObject of its
 * file part under s3, as ngx_http_sts_backend_post_as_put says.  Returns
 * NGX_OK, or NGX_ERROR (answer 500).
 * ngx_http_sts_backend_init installs the response header and body
 * filters that map S3 answers back to OSS.
 */
ngx_int_t ngx_http_sts_backend_prepare(ngx_http_request_t *r,
    sts_oss_op_t *op, const sts_params_t *params,
    const sts_post_form_t *form);
ngx_uint_t ngx_http_sts_backend_post_as_put(ngx_http_request_t *r);
ngx_int_t ngx_http_sts_backend_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_backend_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
char *ngx_http_sts_backend(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_sts_backend_credentials(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_backend_region(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_backend_host(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_backend_merge(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *prev, ngx_http_sts_loc_conf_t *conf);


#endif /* _NGX_HTTP_STS_BACKEND_H_INCLUDED_ */
