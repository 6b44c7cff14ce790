/*
 * Copyright (C) nginx-sts authors
 *
 * $sts_grants and $sts_context, made when read (ngx_http_sts_replay.c).
 */

#ifndef _NGX_HTTP_STS_REPLAY_H_INCLUDED_
#define _NGX_HTTP_STS_REPLAY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "core/sts_oss.h"
#include "core/sts_policy.h"


/*
 * ngx_http_sts_replay_keep keeps the pairs and the condition context of a
 * decision in the request context (copied into the request pool);
 * NGX_OK or NGX_ERROR.  ngx_http_sts_replay_variable is the get handler
 * of $sts_grants and $sts_context (|data|: the offset of the string in
 * the request context), which writes the text out on first read.
 */
ngx_int_t ngx_http_sts_replay_keep(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, const sts_oss_grant_t *grants,
    size_t num_grants, const sts_policy_kv_t *kv, size_t num_kv);
ngx_int_t ngx_http_sts_replay_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


#endif /* _NGX_HTTP_STS_REPLAY_H_INCLUDED_ */
