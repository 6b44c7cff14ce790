/*
 * Copyright (C) nginx-sts authors
 *
 * Metrics: every request a location with sts_auth or sts_endpoint
 * decides is counted in the log phase into a small shared memory zone
 * (so the counters of all workers are summed, and survive a reload of
 * the same size), and served in the Prometheus text format by
 *
 *     location = /metrics { sts_status; allow 127.0.0.1; deny all; }
 *
 * The counters: decisions by result, refusals by error code, requests by
 * authentication form, token cache hits and misses, and STS API calls by
 * action and result (success, error, and among the errors throttled).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_state.h"
#include "ngx_http_sts_status.h"


#define NGX_HTTP_STS_STATUS_SIZE  (64 * 1024)


/* the labels counted; anything else is "other" */

static ngx_str_t  ngx_http_sts_decisions[] = {
    ngx_string("allow"), ngx_string("deny"), ngx_string("implicit-deny"),
    ngx_string("error"), ngx_string("skip"),
    ngx_null_string
};

static ngx_str_t  ngx_http_sts_auth_types[] = {
    ngx_string("v1"), ngx_string("v4"), ngx_string("presign-v1"),
    ngx_string("presign-v4"), ngx_string("post"), ngx_string("none"),
    ngx_null_string
};

static ngx_str_t  ngx_http_sts_cache_results[] = {
    ngx_string("hit"), ngx_string("miss"), ngx_string("off"),
    ngx_null_string
};

static ngx_str_t  ngx_http_sts_codes[] = {
    ngx_string("AccessDenied"),
    ngx_string("AccessForbidden"),
    ngx_string("AccessKeyIdAndSecurityTokenNotMatch"),
    ngx_string("EntityTooLarge"),
    ngx_string("EntityTooSmall"),
    ngx_string("InvalidAccessKeyId"),
    ngx_string("InvalidArgument"),
    ngx_string("InvalidBucketName"),
    ngx_string("InvalidObjectName"),
    ngx_string("InvalidPolicyDocument"),
    ngx_string("InvalidSecurityToken"),
    ngx_string("MalformedXML"),
    ngx_string("NoSuchBucket"),
    ngx_string("NotImplemented"),
    ngx_string("RequestTimeTooSkewed"),
    ngx_string("SecurityTokenExpired"),
    ngx_string("SignatureDoesNotMatch"),
    ngx_string("EntityNotExist.Role"),
    ngx_string("InvalidAccessKeyId.NotFound"),
    ngx_string("InvalidAccessKeyId.Inactive"),
    ngx_string("InvalidParameter"),
    ngx_string("InvalidTimeStamp.Expired"),
    ngx_string("NoPermission"),
    ngx_string("SignatureNonceUsed"),
    ngx_string("Throttling.User"),
    ngx_null_string
};

/* in the order of NGX_HTTP_STS_REFUSAL_* */
static ngx_str_t  ngx_http_sts_refusal_reasons[] = {
    ngx_string("entity_too_large"), ngx_string("body_cut"),
    ngx_string("stamp"),
    ngx_null_string
};

static ngx_str_t  ngx_http_sts_actions[] = {
    ngx_string("AssumeRole"), ngx_string("GetCallerIdentity"),
    ngx_null_string
};


#define NGX_HTTP_STS_N_DECISIONS  6     /* + other */
#define NGX_HTTP_STS_N_AUTH       7
#define NGX_HTTP_STS_N_CACHE      4
#define NGX_HTTP_STS_N_CODES      26
#define NGX_HTTP_STS_N_ACTIONS    3
#define NGX_HTTP_STS_N_REFUSALS   4


typedef struct {
    ngx_atomic_t  decisions[NGX_HTTP_STS_N_DECISIONS];
    ngx_atomic_t  auth[NGX_HTTP_STS_N_AUTH];
    ngx_atomic_t  cache[NGX_HTTP_STS_N_CACHE];
    ngx_atomic_t  codes[NGX_HTTP_STS_N_CODES];
    ngx_atomic_t  sts_ok[NGX_HTTP_STS_N_ACTIONS];
    ngx_atomic_t  sts_error[NGX_HTTP_STS_N_ACTIONS];
    ngx_atomic_t  sts_throttled[NGX_HTTP_STS_N_ACTIONS];
    ngx_atomic_t  refusals[NGX_HTTP_STS_N_REFUSALS];
} ngx_http_sts_counters_t;


static ngx_int_t ngx_http_sts_status_zone_init(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_sts_status_log(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_status_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_sts_label(ngx_str_t *table, ngx_str_t *value);


static ngx_shm_zone_t  *ngx_http_sts_status_zone;


static ngx_uint_t
ngx_http_sts_label(ngx_str_t *table, ngx_str_t *value)
{
    ngx_uint_t  i;

    for (i = 0; table[i].len; i++) {
        if (table[i].len == value->len
            && ngx_strncmp(table[i].data, value->data, value->len) == 0)
        {
            return i;
        }
    }

    return i;   /* "other" */
}


ngx_int_t
ngx_http_sts_status_init(ngx_conf_t *cf)
{
    ngx_str_t                   name = ngx_string("sts_status");
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    ngx_http_sts_status_zone = ngx_shared_memory_add(cf, &name,
                                                     NGX_HTTP_STS_STATUS_SIZE,
                                                     &ngx_http_sts_module);
    if (ngx_http_sts_status_zone == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sts_status_zone->init = ngx_http_sts_status_zone_init;
    ngx_http_sts_status_zone->noreuse = 0;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_sts_status_log;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_status_zone_init(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t          *shpool;
    ngx_http_sts_counters_t  *c;

    if (data) {
        /* a reload: keep counting where the old cycle left off */
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    c = ngx_slab_calloc(shpool, sizeof(ngx_http_sts_counters_t));
    if (c == NULL) {
        return NGX_ERROR;
    }

    shpool->data = c;
    shm_zone->data = c;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_status_log(ngx_http_request_t *r)
{
    ngx_uint_t                i, throttled;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_sts_counters_t  *c;
    ngx_http_sts_loc_conf_t  *slcf;

    if (ngx_http_sts_status_zone == NULL
        || ngx_http_sts_status_zone->data == NULL)
    {
        return NGX_OK;
    }

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->decision.len == 0) {
        return NGX_OK;
    }

    c = ngx_http_sts_status_zone->data;
    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    /* sts_endpoint_error answers limit_req's refusals: STS calls too */
    throttled = ctx->decision.len == sizeof("throttled") - 1
                && ngx_strncmp(ctx->decision.data, "throttled",
                               ctx->decision.len) == 0;

    if (slcf->endpoint || throttled) {
        /* an STS API call: by action and result */
        i = ngx_http_sts_label(ngx_http_sts_actions, &ctx->api);

        if (throttled) {
            (void) ngx_atomic_fetch_add(&c->sts_throttled[i], 1);
        }

        if (ctx->error_code.len) {
            (void) ngx_atomic_fetch_add(&c->sts_error[i], 1);
            i = ngx_http_sts_label(ngx_http_sts_codes, &ctx->error_code);
            (void) ngx_atomic_fetch_add(&c->codes[i], 1);

        } else {
            (void) ngx_atomic_fetch_add(&c->sts_ok[i], 1);
        }

        return NGX_OK;
    }

    i = ngx_http_sts_label(ngx_http_sts_decisions, &ctx->decision);
    (void) ngx_atomic_fetch_add(&c->decisions[i], 1);

    if (ctx->error_code.len) {
        i = ngx_http_sts_label(ngx_http_sts_codes, &ctx->error_code);
        (void) ngx_atomic_fetch_add(&c->codes[i], 1);
    }

    if (ctx->auth_type.len) {
        i = ngx_http_sts_label(ngx_http_sts_auth_types, &ctx->auth_type);
        (void) ngx_atomic_fetch_add(&c->auth[i], 1);
    }

    if (ctx->token_cache.len) {
        i = ngx_http_sts_label(ngx_http_sts_cache_results, &ctx->token_cache);
        (void) ngx_atomic_fetch_add(&c->cache[i], 1);
    }

    return NGX_OK;
}


void
ngx_http_sts_status_refusal(ngx_uint_t reason)
{
    ngx_http_sts_counters_t  *c;

    if (ngx_http_sts_status_zone == NULL
        || ngx_http_sts_status_zone->data == NULL)
    {
        return;
    }

    c = ngx_http_sts_status_zone->data;

    if (reason >= NGX_HTTP_STS_N_REFUSALS - 1) {
        reason = NGX_HTTP_STS_N_REFUSALS - 1;       /* "other" */
    }

    (void) ngx_atomic_fetch_add(&c->refusals[reason], 1);
}


char *
ngx_http_sts_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_sts_status_handler;

    return NGX_CONF_OK;
}


static u_char *
ngx_http_sts_status_family(u_char *p, const char *name, const char *help,
    const char *label, ngx_str_t *table, ngx_atomic_t *values)
{
    ngx_uint_t  i;

    p = ngx_sprintf(p, "# HELP %s %s\n# TYPE %s counter\n", name, help,
                    name);

    for (i = 0; ; i++) {
        p = ngx_sprintf(p, "%s{%s=\"%V\"} %uA\n", name, label,
                        table[i].len ? &table[i]
                                     : &(ngx_str_t) ngx_string("other"),
                        values[i]);
        if (table[i].len == 0) {
            break;
        }
    }

    return p;
}


static ngx_int_t
ngx_http_sts_status_handler(ngx_http_request_t *r)
{
    u_char                   *p;
    size_t                    size;
    ngx_int_t                 rc;
    ngx_buf_t                *b;
    ngx_chain_t               out;
    ngx_http_sts_counters_t  *c;

    if (r->method != NGX_HTTP_GET && r->method != NGX_HTTP_HEAD) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sts_status_zone == NULL
        || ngx_http_sts_status_zone->data == NULL)
    {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    c = ngx_http_sts_status_zone->data;

    /* every line is under 128 bytes */
    size = 128 * (NGX_HTTP_STS_N_DECISIONS + NGX_HTTP_STS_N_AUTH
                  + NGX_HTTP_STS_N_CACHE + NGX_HTTP_STS_N_CODES
                  + 3 * NGX_HTTP_STS_N_ACTIONS + 20)
           + NGX_HTTP_STS_STATE_STATUS_SIZE;

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = b->last;
    p = ngx_http_sts_status_family(p, "nginx_sts_decisions_total",
                                   "Access decisions by result.",
                                   "decision", ngx_http_sts_decisions,
                                   c->decisions);
    p = ngx_http_sts_status_family(p, "nginx_sts_errors_total",
                                   "Refusals by OSS or STS error code.",
                                   "code", ngx_http_sts_codes, c->codes);
    p = ngx_http_sts_status_family(p, "nginx_sts_auth_total",
                                   "Requests by authentication form.",
                                   "type", ngx_http_sts_auth_types, c->auth);
    p = ngx_http_sts_status_family(p, "nginx_sts_token_cache_total",
                                   "Tokens taken from the cache, opened, "
                                   "or opened without a cache.",
                                   "result", ngx_http_sts_cache_results,
                                   c->cache);
    p = ngx_http_sts_status_family(p, "nginx_sts_api_success_total",
                                   "STS API calls answered with "
                                   "credentials or an identity.",
                                   "action", ngx_http_sts_actions,
                                   c->sts_ok);
    p = ngx_http_sts_status_family(p, "nginx_sts_api_error_total",
                                   "STS API calls answered with an error.",
                                   "action", ngx_http_sts_actions,
                                   c->sts_error);
    p = ngx_http_sts_status_family(p, "nginx_sts_api_throttled_total",
                                   "STS API calls refused by an issuance "
                                   "limit or limit_req (also errors).",
                                   "action", ngx_http_sts_actions,
                                   c->sts_throttled);
    p = ngx_http_sts_state_status(r, p);
    p = ngx_http_sts_status_family(p, "nginx_sts_refusals_total",
                                   "Uploads refused by reason.",
                                   "reason", ngx_http_sts_refusal_reasons,
                                   c->refusals);
    b->last = p;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type,
                "text/plain; version=0.0.4; charset=utf-8");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
