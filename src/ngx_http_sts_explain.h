/*
 * Copyright (C) nginx-sts authors
 *
 * Explanations (ngx_http_sts_explain.c).
 */

#ifndef _NGX_HTTP_STS_EXPLAIN_H_INCLUDED_
#define _NGX_HTTP_STS_EXPLAIN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * Explanations (ngx_http_sts_explain.c).  _policy records what decided a
 * policy evaluation, written out by _settle, which whatever reads
 * $sts_statement, $sts_layer, $sts_sid or $sts_missing_keys calls
 * first; _signature the strings of a signature that did not
 * match (redacted), _deny completes a denial's error fields (at most
 * NGX_HTTP_STS_EXPLAIN_FIELDS more) when "sts_explain on".  _init installs
 * the header filter of x-sts-token-expires-in.
 */
#define NGX_HTTP_STS_EXPLAIN_FIELDS  7

ngx_int_t ngx_http_sts_explain_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_explain_policy(ngx_http_request_t *r,
    const sts_policy_result_t *res, ngx_uint_t longterm);
ngx_int_t ngx_http_sts_explain_settle(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx);
ngx_int_t ngx_http_sts_explain_signature(ngx_http_request_t *r,
    ngx_uint_t v4, sts_str_t string_to_sign, sts_str_t canonical);
ngx_int_t ngx_http_sts_explain_deny(ngx_http_request_t *r,
    const char *reason, const char *request_id, sts_error_field_t *fields,
    size_t *n);
ngx_int_t ngx_http_sts_explain_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


#endif /* _NGX_HTTP_STS_EXPLAIN_H_INCLUDED_ */
