/*
 * Copyright (C) nginx-sts authors
 *
 * Upload limits and identity stamping (ngx_http_sts_upload.c).
 */

#ifndef _NGX_HTTP_STS_UPLOAD_H_INCLUDED_
#define _NGX_HTTP_STS_UPLOAD_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * Upload limits and identity stamping (ngx_http_sts_upload.c).
 *
 * ngx_http_sts_upload_keys adds the sts:ContentLength, sts:ContentType
 * and sts:ForbidOverwrite keys of the request (|form|: a PostObject's,
 * else NULL) to the condition context |kv| (*nkv entries, room for
 * |cap|) for the policies given; NGX_OK, NGX_DECLINED with *err (an
 * AppendObject position that is no number) or NGX_ERROR.
 * ngx_http_sts_upload_decide runs after the grants were evaluated with
 * that context (|allowed|: all of them were): it tells a refusal caused
 * by the size (*err = EntityTooLarge), refuses under a size cap what
 * the cap cannot bound, refuses what stamping cannot cover, and sets the
 * cap a streamed body is counted against.  NGX_OK to go on as decided,
 * NGX_DECLINED with *err and *reason to refuse, NGX_ERROR.
 * ngx_http_sts_upload_cap returns that cap (or -1).
 * ngx_http_sts_upload_body counts a body as it passes the request body
 * filter: NGX_OK, or NGX_HTTP_REQUEST_ENTITY_TOO_LARGE once it is over
 * the cap.  ngx_http_sts_upload_stamp removes the client's stamping
 * headers and sets the gateway's, after an allow.
 */
ngx_int_t ngx_http_sts_upload_keys(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_post_form_t *form,
    const sts_params_t *params, const sts_policy_t *const *role,
    size_t num_role, const sts_policy_t *session, sts_policy_kv_t *kv,
    size_t *nkv, size_t cap, const sts_oss_error_t **err);
ngx_int_t ngx_http_sts_upload_decide(ngx_http_request_t *r,
    const sts_oss_op_t *op, int allowed, const sts_policy_t *const *role,
    size_t num_role, const sts_policy_t *session, sts_policy_kv_t *kv,
    size_t nkv, const sts_oss_error_t **err, const char **reason);
off_t ngx_http_sts_upload_cap(ngx_http_request_t *r);
ngx_int_t ngx_http_sts_upload_body(ngx_http_request_t *r, ngx_chain_t *in);
ngx_int_t ngx_http_sts_upload_stamp(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STS_UPLOAD_H_INCLUDED_ */
