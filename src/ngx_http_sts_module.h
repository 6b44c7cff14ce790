/*
 * Copyright (C) nginx-sts authors
 */

#ifndef _NGX_HTTP_STS_MODULE_H_INCLUDED_
#define _NGX_HTTP_STS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/sts_util.h"
#include "core/sts_error.h"
#include "core/sts_http.h"
#include "core/sts_oss.h"
#include "core/sts_token.h"


typedef struct {
    ngx_str_t                 keys_file;
    sts_keyring_t            *keyring;
    sts_allocator_t           allocator;     /* over cf->pool */
} ngx_http_sts_main_conf_t;


typedef struct {
    ngx_flag_t                enable;
    ngx_flag_t                strip;
    ngx_uint_t                addressing;
    ngx_str_t                 addressing_arg;  /* domain or bucket */
    ngx_str_t                 account;
    ngx_str_t                 region;
    time_t                    max_skew;
} ngx_http_sts_loc_conf_t;


typedef struct {
    ngx_str_t                 access_key_id;
    ngx_str_t                 role_arn;
    ngx_str_t                 session_name;
    ngx_str_t                 api;
    ngx_str_t                 action;
    ngx_str_t                 resource;
    ngx_str_t                 decision;
    ngx_str_t                 error_code;
    ngx_str_t                 statement;
    ngx_str_t                 bucket;
    ngx_str_t                 object;
    sts_allocator_t           allocator;     /* over r->pool */
    ngx_int_t                 rc;            /* the decision, if re-run */
} ngx_http_sts_ctx_t;


ngx_int_t ngx_http_sts_access_handler(ngx_http_request_t *r);
char *ngx_http_sts_error_document(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_sts_pool_allocator(sts_allocator_t *a, ngx_pool_t *pool);


extern ngx_module_t  ngx_http_sts_module;


#endif /* _NGX_HTTP_STS_MODULE_H_INCLUDED_ */
