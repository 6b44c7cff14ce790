/*
 * Copyright (C) nginx-sts authors
 *
 * ngx_http_sts_module: configuration, directives, variables and the
 * registration of the access-phase handler (ngx_http_sts_access.c).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_access.h"
#include "ngx_http_sts_backend.h"
#include "ngx_http_sts_body.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_endpoint.h"
#include "ngx_http_sts_errdoc.h"
#include "ngx_http_sts_explain.h"
#include "ngx_http_sts_forward.h"
#include "ngx_http_sts_limit.h"
#include "ngx_http_sts_redis.h"
#include "ngx_http_sts_replay.h"
#include "ngx_http_sts_state.h"
#include "ngx_http_sts_status.h"


static ngx_int_t ngx_http_sts_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_sts_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_sts_expires_in_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static void *ngx_http_sts_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_sts_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_http_sts_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sts_revoked(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_sts_init_process(ngx_cycle_t *cycle);
static void ngx_http_sts_exit_process(ngx_cycle_t *cycle);
static void *ngx_http_sts_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_sts_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_sts_init(ngx_conf_t *cf);
static char *ngx_http_sts_keys(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sts_addressing(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static void ngx_http_sts_keyring_cleanup(void *data);


static ngx_conf_enum_t  ngx_http_sts_bucket_config[] = {
    { ngx_string("off"), STS_OSS_BUCKET_CONFIG_OFF },
    { ngx_string("read"), STS_OSS_BUCKET_CONFIG_READ },
    { ngx_string("on"), STS_OSS_BUCKET_CONFIG_ON },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_sts_commands[] = {

    { ngx_string("sts_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sts_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_cache,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_revoked"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_revoked,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_keys"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_keys,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_auth"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, enable),
      NULL },

    { ngx_string("sts_addressing"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF
                        |NGX_CONF_TAKE12,
      ngx_http_sts_addressing,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_account"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, account),
      NULL },

    { ngx_string("sts_region"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, region),
      NULL },

    { ngx_string("sts_max_skew"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, max_skew),
      NULL },

    { ngx_string("sts_error_document"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sts_error_document,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_strip_credentials"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, strip),
      NULL },

    { ngx_string("sts_stamp_identity"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, stamp_identity),
      NULL },

    { ngx_string("sts_explain"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, explain),
      NULL },

    { ngx_string("sts_bucket_config"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, bucket_config),
      &ngx_http_sts_bucket_config },

    { ngx_string("sts_directory"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_directory,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_endpoint"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sts_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_endpoint_js_encoding"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, endpoint_js_encoding),
      NULL },

    { ngx_string("sts_nonce_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_sts_nonce_cache,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_assume_role_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_sts_assume_role_limit,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_endpoint_error"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sts_endpoint_error,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_backend"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_sts_backend,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_backend_credentials"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_backend_credentials,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_backend_region"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_backend_region,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_backend_host"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_backend_host,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_presign_uses_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_sts_state_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sts_main_conf_t, uses_zone),
      NULL },

    { ngx_string("sts_presign_max_uses"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_presign_max_uses,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, max_uses),
      NULL },

    { ngx_string("sts_multipart_grace_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_sts_state_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sts_main_conf_t, grace_zone),
      NULL },

    { ngx_string("sts_state"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_sts_state_store,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_state_use"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE23,
      ngx_http_sts_state_use,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sts_multipart_grace"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sts_multipart_grace,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sts_loc_conf_t, grace),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sts_module_ctx = {
    ngx_http_sts_add_variables,            /* preconfiguration */
    ngx_http_sts_init,                     /* postconfiguration */

    ngx_http_sts_create_main_conf,         /* create main configuration */
    ngx_http_sts_init_main_conf,           /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_sts_create_loc_conf,          /* create location configuration */
    ngx_http_sts_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_http_sts_module = {
    NGX_MODULE_V1,
    &ngx_http_sts_module_ctx,              /* module context */
    ngx_http_sts_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_sts_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_sts_exit_process,             /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_http_sts_vars[] = {

    { ngx_string("sts_access_key_id"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, access_key_id), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_role_arn"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, role_arn), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_session_name"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, session_name), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_api"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, api), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_action"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, action), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_resource"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, resource), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_decision"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, decision), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_error_code"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, error_code), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_statement"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, statement), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_source"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, source), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_auth_type"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, auth_type), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_token_cache"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, token_cache), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_token_expires_in"), NULL,
      ngx_http_sts_expires_in_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_bucket"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, bucket), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_object"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, object), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_grants"), NULL, ngx_http_sts_replay_variable,
      offsetof(ngx_http_sts_ctx_t, grants), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_context"), NULL, ngx_http_sts_replay_variable,
      offsetof(ngx_http_sts_ctx_t, context), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_backend_uri"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, backend_uri), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_token_id"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, token_id), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_upload_limit"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, upload_limit), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_backend_authorization"), NULL,
      ngx_http_sts_backend_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_layer"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, layer), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_sid"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, sid), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_missing_keys"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, missing_keys), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_request_id"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, request_id), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_string_to_sign"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, string_to_sign), NGX_HTTP_VAR_NOCACHEABLE,
      0 },

    { ngx_string("sts_canonical_request"), NULL, ngx_http_sts_variable,
      offsetof(ngx_http_sts_ctx_t, canonical_request),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sts_explain"), NULL, ngx_http_sts_explain_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_int_t
ngx_http_sts_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    /* what proxy_pass forwards where sts_auth decides (nginx -t warns) */
    if (ngx_http_sts_forward_watch(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    for (v = ngx_http_sts_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    ngx_str_t           *s;
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if ((data == offsetof(ngx_http_sts_ctx_t, statement)
         || data == offsetof(ngx_http_sts_ctx_t, layer)
         || data == offsetof(ngx_http_sts_ctx_t, sid)
         || data == offsetof(ngx_http_sts_ctx_t, missing_keys))
        && ngx_http_sts_explain_settle(r, ctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    s = (ngx_str_t *) ((char *) ctx + data);
    if (s->data == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = s->len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = s->data;

    return NGX_OK;
}


/* $sts_token_expires_in: seconds until the token expires (may be < 0) */
static ngx_int_t
ngx_http_sts_expires_in_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char              *p;
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->expiration == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%T", ctx->expiration - ngx_time()) - p;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = p;

    return NGX_OK;
}


static void *
ngx_http_sts_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sts_main_conf_t));
    if (smcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     smcf->keys_file = { 0, NULL };
     *     smcf->keyring = NULL;
     *     smcf->directory_file = { 0, NULL };
     *     smcf->ram = NULL;
     *     smcf->nonce_zone = NULL;
     *     smcf->nonce_size = 0;
     *     smcf->revoked_file = { 0, NULL };
     *     smcf->revoked = NULL;
     */

    smcf->cache_entries = NGX_CONF_UNSET;
    ngx_http_sts_pool_allocator(&smcf->allocator, cf->pool);

    return smcf;
}


static char *
ngx_http_sts_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    ngx_conf_init_value(smcf->cache_entries, 10000);

    return NGX_CONF_OK;
}


static char *
ngx_http_sts_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (smcf->cache_entries != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        smcf->cache_entries = 0;
        return NGX_CONF_OK;
    }

    n = ngx_atoi(value[1].data, value[1].len);
    if (n < 1 || n > 10000000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\", expected \"off\" or a "
                           "number of tokens from 1 to 10000000", &value[1]);
        return NGX_CONF_ERROR;
    }

    smcf->cache_entries = n;

    return NGX_CONF_OK;
}


/*
 * sts_revoked: read and checked with the configuration, so "nginx -t"
 * names a bad line and a reload takes a new list into account.
 */
static char *
ngx_http_sts_revoked(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    char        err[512];
    ngx_str_t  *value;

    if (smcf->revoked_file.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    smcf->revoked_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &smcf->revoked_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* smcf->revoked_file is NUL-terminated by ngx_conf_full_name() */
    if (sts_revoked_load(&smcf->allocator, (char *) smcf->revoked_file.data,
                         &smcf->revoked, err, sizeof(err))
        != STS_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sts_init_process(ngx_cycle_t *cycle)
{
    ngx_http_sts_main_conf_t  *smcf;

    if (ngx_http_sts_redis_init_process(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    smcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_sts_module);
    if (smcf == NULL || smcf->keyring == NULL || smcf->cache_entries <= 0) {
        return NGX_OK;
    }

    return ngx_http_sts_token_cache_create(cycle, smcf->cache_entries);
}


static void
ngx_http_sts_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_sts_token_cache_free();
    ngx_http_sts_redis_exit_process(cycle);
}


static void *
ngx_http_sts_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_sts_loc_conf_t  *slcf;

    slcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sts_loc_conf_t));
    if (slcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     slcf->addressing_arg = { 0, NULL };
     *     slcf->account = { 0, NULL };
     *     slcf->region = { 0, NULL };
     *     slcf->endpoint = 0;
     *     slcf->backend = NULL;
     *     slcf->limits = NULL;
     */

    slcf->enable = NGX_CONF_UNSET;
    slcf->strip = NGX_CONF_UNSET;
    slcf->addressing = NGX_CONF_UNSET_UINT;
    slcf->max_skew = NGX_CONF_UNSET;
    slcf->endpoint_js_encoding = NGX_CONF_UNSET;
    slcf->bucket_config = NGX_CONF_UNSET_UINT;
    slcf->max_uses = NGX_CONF_UNSET;
    slcf->grace = NGX_CONF_UNSET;
    slcf->stamp_identity = NGX_CONF_UNSET;
    slcf->explain = NGX_CONF_UNSET;

    return slcf;
}


static char *
ngx_http_sts_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_sts_loc_conf_t *prev = parent;
    ngx_http_sts_loc_conf_t *conf = child;

    ngx_http_sts_main_conf_t  *smcf;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_value(conf->strip, prev->strip, 1);
    ngx_conf_merge_sec_value(conf->max_skew, prev->max_skew, 900);
    ngx_conf_merge_str_value(conf->account, prev->account, "*");
    ngx_conf_merge_str_value(conf->region, prev->region, "");
    ngx_conf_merge_value(conf->endpoint_js_encoding,
                         prev->endpoint_js_encoding, 1);
    ngx_conf_merge_uint_value(conf->bucket_config, prev->bucket_config,
                              STS_OSS_BUCKET_CONFIG_OFF);
    ngx_conf_merge_value(conf->stamp_identity, prev->stamp_identity, 0);
    ngx_conf_merge_value(conf->explain, prev->explain, 0);

    ngx_http_sts_forward_check(cf, conf);

    /* like limit_req: the limits of the nearest level that has any */
    if (conf->limits == NULL) {
        conf->limits = prev->limits;
    }

    if (conf->addressing == NGX_CONF_UNSET_UINT) {
        if (prev->addressing == NGX_CONF_UNSET_UINT) {
            conf->addressing = STS_ADDR_PATH;

        } else {
            conf->addressing = prev->addressing;
            conf->addressing_arg = prev->addressing_arg;
        }
    }

    if (conf->enable) {
        smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sts_module);

        if (smcf->keyring == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"sts_auth\" requires \"sts_keys\" at the "
                               "http level");
            return NGX_CONF_ERROR;
        }
    }

    if (conf->endpoint
        && ngx_http_sts_endpoint_check(cf, conf) != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_sts_backend_merge(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_sts_state_merge(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sts_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_phase_t           *phase;
    ngx_http_core_main_conf_t  *cmcf;

    ngx_http_sts_forward_unwatch();

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_sts_access_handler;

    /* a decision that a redirect cut short (ngx_http_sts_access.c) */

    phase = &cmcf->phases[NGX_HTTP_SERVER_REWRITE_PHASE];

    h = ngx_array_push(&phase->handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_sts_redirect_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_sts_redirect_handler;

    if (ngx_http_sts_body_filter_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_sts_status_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_sts_backend_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_sts_state_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_sts_explain_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_sts_endpoint_init(cf);
}


static char *
ngx_http_sts_keys(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    int                  rc;
    char                 err[512];
    ngx_str_t           *value;
    ngx_pool_cleanup_t  *cln;

    if (smcf->keyring != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    smcf->keys_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &smcf->keys_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    /* smcf->keys_file is NUL-terminated by ngx_conf_full_name() */
    rc = sts_keyring_load(&smcf->allocator, (char *) smcf->keys_file.data,
                          &smcf->keyring, err, sizeof(err));
    if (rc != STS_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_sts_keyring_cleanup;
    cln->data = smcf;

    return NGX_CONF_OK;
}


static void
ngx_http_sts_keyring_cleanup(void *data)
{
    ngx_http_sts_main_conf_t *smcf = data;

    /* wipes the keys; the memory itself goes with the pool */
    sts_keyring_free(&smcf->allocator, smcf->keyring);
    smcf->keyring = NULL;
}


static char *
ngx_http_sts_addressing(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    sts_str_t   b;
    ngx_str_t  *value;

    if (slcf->addressing != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "path") == 0 && cf->args->nelts == 2) {
        slcf->addressing = STS_ADDR_PATH;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "virtual-host") == 0
        && cf->args->nelts == 3)
    {
        if (value[2].len == 0 || value[2].data[0] == '.') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid domain \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }

        slcf->addressing = STS_ADDR_VHOST;
        slcf->addressing_arg = value[2];
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "bucket") == 0 && cf->args->nelts == 3) {
        b.data = (char *) value[2].data;
        b.len = value[2].len;

        if (!sts_oss_is_valid_bucket(b)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid bucket name \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }

        slcf->addressing = STS_ADDR_BUCKET;
        slcf->addressing_arg = value[2];
        return NGX_CONF_OK;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\", expected \"path\", "
                       "\"virtual-host <domain>\" or \"bucket <name>\"",
                       &value[1]);

    return NGX_CONF_ERROR;
}
