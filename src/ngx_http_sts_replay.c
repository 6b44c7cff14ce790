/*
 * Copyright (C) nginx-sts authors
 *
 * $sts_grants and $sts_context (sts_replay.h), written only when read.
 *
 * The decision keeps a compact record in the request context: the
 * {action, resource} pairs and the condition keys and values it saw,
 * copied into the request pool.  The JSON texts are made from it the first
 * time a variable asks for them (the audit log, a log_format naming
 * them), so a request nothing logs never formats them; the text is the
 * same as if it had been made at the decision.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_replay.h"
#include "core/sts_replay.h"


#define NGX_HTTP_STS_REPLAY_MAX  (1024 * 1024)  /* each text, at most */


typedef struct {
    sts_oss_grant_t   *grants;
    size_t             num_grants;
    sts_policy_kv_t   *kv;
    size_t             num_kv;
    unsigned           grants_done:1;
    unsigned           context_done:1;
} ngx_http_sts_replay_t;


ngx_int_t
ngx_http_sts_replay_keep(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    const sts_oss_grant_t *grants, size_t num_grants,
    const sts_policy_kv_t *kv, size_t num_kv)
{
    char                   *p;
    size_t                  i, size;
    ngx_http_sts_replay_t  *rec;

    /* the keys and values point into the request, q and the stack */
    size = sizeof(ngx_http_sts_replay_t)
           + num_grants * sizeof(sts_oss_grant_t)
           + num_kv * sizeof(sts_policy_kv_t);

    for (i = 0; i < num_kv; i++) {
        size += kv[i].key.len + kv[i].value.len;
    }

    rec = ngx_palloc(r->pool, size);
    if (rec == NULL) {
        return NGX_ERROR;
    }

    rec->grants = (sts_oss_grant_t *) (rec + 1);
    rec->num_grants = num_grants;
    rec->kv = (sts_policy_kv_t *) (rec->grants + num_grants);
    rec->num_kv = num_kv;
    rec->grants_done = 0;
    rec->context_done = 0;

    if (num_grants) {
        ngx_memcpy(rec->grants, grants, num_grants * sizeof(sts_oss_grant_t));
    }

    p = (char *) (rec->kv + num_kv);

    for (i = 0; i < num_kv; i++) {
        rec->kv[i].key.data = p;
        rec->kv[i].key.len = kv[i].key.len;
        p = (char *) ngx_cpymem(p, kv[i].key.data, kv[i].key.len);

        rec->kv[i].value.data = p;
        rec->kv[i].value.len = kv[i].value.len;
        p = (char *) ngx_cpymem(p, kv[i].value.data, kv[i].value.len);
    }

    ctx->replay = rec;

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_replay_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    int                     rc;
    ngx_str_t              *s;
    sts_buf_t               tb;
    ngx_http_sts_ctx_t     *ctx;
    ngx_http_sts_replay_t  *rec;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((char *) ctx + data);
    rec = ctx->replay;

    if (s->data == NULL && rec != NULL) {
        sts_buf_init(&tb, &ctx->allocator, NGX_HTTP_STS_REPLAY_MAX);

        if (s == &ctx->grants && !rec->grants_done) {
            rec->grants_done = 1;
            rc = sts_replay_grants_json(&tb, rec->grants, rec->num_grants);

        } else if (s == &ctx->context && !rec->context_done) {
            rec->context_done = 1;
            rc = sts_replay_context_json(&tb, rec->kv, rec->num_kv);

        } else {
            rc = STS_EINVAL;
        }

        if (rc == STS_OK) {
            s->data = (u_char *) tb.data;
            s->len = tb.len;
        }
    }

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
