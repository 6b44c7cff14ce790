/*
 * Copyright (C) nginx-sts authors
 *
 * N-use presigned URLs and the multipart grace window (ngx_http_sts_state.c).
 */

#ifndef _NGX_HTTP_STS_STATE_H_INCLUDED_
#define _NGX_HTTP_STS_STATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * N-use presigned URLs and the multipart grace window
 * (ngx_http_sts_state.c).  ngx_http_sts_state_allow runs on every allow:
 * it counts a presigned URL's use (NGX_DECLINED with *err to refuse) and
 * prepares the capture of an InitiateMultipartUpload's UploadId.
 * ngx_http_sts_grace_window is how far back the token's expiry may lie
 * for this request; ngx_http_sts_grace_check allows an expired token's
 * call on an upload it initiated (NGX_OK) or not (NGX_DECLINED).
 */
char *ngx_http_sts_state_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_presign_max_uses(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_multipart_grace(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_state_merge(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *prev,
    ngx_http_sts_loc_conf_t *conf);
ngx_int_t ngx_http_sts_state_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_state_allow(ngx_http_request_t *r,
    const sts_auth_t *auth, const sts_oss_op_t *op,
    const sts_oss_error_t **err, const char **reason);
time_t ngx_http_sts_grace_window(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_params_t *params);
ngx_int_t ngx_http_sts_grace_check(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_params_t *params, sts_str_t akid,
    time_t expiration);
#define NGX_HTTP_STS_STATE_STATUS_SIZE                                       \
    (2048 + NGX_HTTP_STS_REDIS_STATUS_SIZE)
u_char *ngx_http_sts_state_status(ngx_http_request_t *r, u_char *p);


#endif /* _NGX_HTTP_STS_STATE_H_INCLUDED_ */
