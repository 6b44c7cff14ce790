/*
 * Copyright (C) nginx-sts authors
 *
 * Two features that need state shared by the workers, each over its own
 * table (ngx_http_sts_shm.c):
 *
 *     sts_presign_uses_zone 1m [max_per_key=N];      # http
 *     sts_presign_max_uses 1;              # http, server, location
 *
 * N-use presigned URLs.  A presigned URL (V1 or V4) may be used at most
 * sts_presign_max_uses times, or fewer when a V4 URL names
 * x-sts-max-uses (signed with the rest of its query; only lowers the
 * limit).  A use is counted when the gateway allows the request, so a
 * refused attempt costs none; entries expire with the URL, or with its
 * token (plus the grace this request may use) when that comes first.  A
 * URL of a long-term key valid for more than 7 days is refused: the
 * table would have to keep it that long.  One AccessKeyId holds at most
 * its share of the table (max_per_key, by default an eighth of it).
 *
 *     sts_multipart_grace_zone 1m [max_per_key=N];   # http
 *     sts_multipart_grace 30m;             # http, server, location
 *
 * The multipart grace window.  An InitiateMultipartUpload allowed with a
 * token records the UploadId the store answers (a response body filter)
 * with the token's AccessKeyId, the bucket and the key.  Until the token's
 * expiry plus the grace, the calls on that upload (UploadPart, Complete,
 * Abort, ListParts) are accepted with that token even after it expired;
 * the signature and the policies are checked as always.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_shm.h"
#include "ngx_http_sts_state.h"
#include "core/sts_state.h"
#include "core/sts_redis.h"

#include <hiredis/hiredis.h>


#define NGX_HTTP_STS_GRACE_MAX         43200          /* 12h */
#define NGX_HTTP_STS_STATE_MIN_ZONE    (32 * 1024)
#define NGX_HTTP_STS_GRACE_BODY_MAX    8192

/* the counters of the uses table */
#define NGX_HTTP_STS_USES_COUNTED      0
#define NGX_HTTP_STS_USES_USED_UP      1
#define NGX_HTTP_STS_USES_FULL         2
#define NGX_HTTP_STS_USES_BAD_PARAM    3
#define NGX_HTTP_STS_USES_KEY_FULL     4
#define NGX_HTTP_STS_USES_N            5

/* the counters of the grace table */
#define NGX_HTTP_STS_GRACE_RECORDED    0
#define NGX_HTTP_STS_GRACE_NOT_RECORDED 1
#define NGX_HTTP_STS_GRACE_FULL        2
#define NGX_HTTP_STS_GRACE_ALLOWED     3
#define NGX_HTTP_STS_GRACE_REFUSED     4
#define NGX_HTTP_STS_GRACE_KEY_FULL    5
#define NGX_HTTP_STS_GRACE_N           6


/* an allowed InitiateMultipartUpload, its answer being read */
typedef struct {
    ngx_str_t                    access_key_id;
    ngx_str_t                    bucket;
    ngx_str_t                    key;
    time_t                       expires;      /* token expiry + grace */
    u_char                      *body;
    size_t                       len;
    unsigned                     done:1;
} ngx_http_sts_grace_ctx_t;


/*
 * A request's steps on the fleet's store (sts_state_use uses, grace): the
 * grace of an expired token is checked, then the use counted, each in one
 * round trip while the access phase waits.
 */
#define NGX_HTTP_STS_FLEET_IDLE        0
#define NGX_HTTP_STS_FLEET_WAITING     1
#define NGX_HTTP_STS_FLEET_DONE        2

typedef struct {
    ngx_http_sts_redis_wait_t    w;
    u_char                       grace[STS_STATE_KEY_LEN];
    ngx_uint_t                   grace_step;
    ngx_uint_t                   uses_step;
    unsigned                     grace_pending:1;
} ngx_http_sts_fleet_t;


static ngx_http_sts_fleet_t *ngx_http_sts_fleet(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx);
static void ngx_http_sts_fleet_resume(ngx_http_sts_redis_wait_t *w);
static ngx_int_t ngx_http_sts_fleet_uses(ngx_http_request_t *r,
    ngx_http_sts_fleet_t *f, ngx_http_sts_redis_t *rs, const u_char *key,
    time_t ttl, unsigned long limit, const sts_oss_error_t **err,
    const char **reason);
static ngx_int_t ngx_http_sts_fleet_grace(ngx_http_request_t *r,
    ngx_http_sts_fleet_t *f, const sts_oss_error_t **err,
    const char **reason);
static void ngx_http_sts_fleet_recorded(void *data, ngx_int_t rc,
    void *reply);
static void ngx_http_sts_fleet_record(ngx_http_request_t *r,
    ngx_http_sts_redis_t *rs, const u_char *key, time_t until);
static ngx_int_t ngx_http_sts_fleet_key(ngx_http_sts_redis_t *rs,
    const char *kind, const u_char *digest, u_char *buf, ngx_str_t *out);

static ngx_int_t ngx_http_sts_grace_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static void ngx_http_sts_grace_record(ngx_http_request_t *r,
    ngx_http_sts_grace_ctx_t *g);
static ngx_int_t ngx_http_sts_uses_param(const sts_auth_t *auth,
    ngx_http_sts_main_conf_t *smcf, ngx_http_sts_redis_t *rs,
    unsigned long *n, const sts_oss_error_t **err, const char **reason);
static ngx_int_t ngx_http_sts_uses_charge(ngx_http_request_t *r,
    ngx_http_sts_main_conf_t *smcf, const u_char *key, const u_char *owner,
    time_t now, time_t expires, unsigned long limit, const sts_auth_t *auth,
    const sts_oss_error_t **err, const char **reason);
static ngx_int_t ngx_http_sts_fleet_unavailable(ngx_http_request_t *r,
    ngx_http_sts_main_conf_t *smcf, ngx_http_sts_redis_t *rs,
    ngx_uint_t kind, ngx_int_t rc, const char *why,
    const sts_oss_error_t **err, const char **reason);
static ngx_int_t ngx_http_sts_grace_prepare(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, ngx_http_sts_loc_conf_t *slcf,
    const sts_oss_op_t *op);
static ngx_int_t ngx_http_sts_state_dup(ngx_http_request_t *r, ngx_str_t *dst,
    const char *src, size_t len);


static ngx_http_output_body_filter_pt  ngx_http_next_body_filter;

static ngx_str_t  ngx_http_sts_uses_labels[] = {
    ngx_string("counted"), ngx_string("used_up"), ngx_string("table_full"),
    ngx_string("bad_parameter"), ngx_string("key_share_full")
};

static ngx_str_t  ngx_http_sts_grace_labels[] = {
    ngx_string("recorded"), ngx_string("not_recorded"),
    ngx_string("table_full"), ngx_string("allowed"), ngx_string("refused"),
    ngx_string("key_share_full")
};


/* the access phase: every allowed request */

ngx_int_t
ngx_http_sts_state_allow(ngx_http_request_t *r, const sts_auth_t *auth,
    const sts_oss_op_t *op, const sts_oss_error_t **err, const char **reason)
{
    u_char                     key[STS_STATE_KEY_LEN];
    u_char                     owner[STS_STATE_KEY_LEN];
    time_t                     now;
    int64_t                    expires;
    ngx_int_t                  nrc;
    unsigned long              limit, n;
    ngx_http_sts_ctx_t        *ctx;
    ngx_http_sts_fleet_t      *f;
    ngx_http_sts_redis_t      *rs;
    ngx_http_sts_loc_conf_t   *slcf;
    ngx_http_sts_main_conf_t  *smcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);
    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);
    ctx = ngx_http_sts_get_ctx(r);
    rs = ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_USES);

    /* an expired token's grace, on the fleet's store */
    f = ctx ? ctx->fleet : NULL;

    if (f != NULL && f->grace_pending) {
        nrc = ngx_http_sts_fleet_grace(r, f, err, reason);
        if (nrc != NGX_OK) {
            return nrc;
        }
    }

    nrc = ngx_http_sts_uses_param(auth, smcf, rs, &n, err, reason);
    if (nrc != NGX_OK) {
        return nrc;
    }

    if (auth->kind == STS_AUTH_V1_PRESIGN
        || auth->kind == STS_AUTH_V4_PRESIGN)
    {
        limit = (unsigned long) slcf->max_uses;

        if (n && (limit == 0 || n < limit)) {
            limit = n;
        }

        if (limit && (smcf->uses_zone != NULL || rs != NULL)) {
            now = ngx_time();

            /* no longer than the URL, nor than its token can open it */
            if (sts_state_uses_expires(now, auth->expires,
                                       ctx ? ctx->expiration : 0,
                                       ngx_http_sts_grace_window(r, op,
                                                             &auth->params),
                                       &expires)
                != STS_OK)
            {
                ngx_http_sts_shm_count(smcf->uses_zone,
                                       NGX_HTTP_STS_USES_BAD_PARAM);
                *err = &sts_err_presign_too_long;
                *reason = "presigned URL of a long-term key with a use "
                          "limit valid for more than 7 days";
                return NGX_DECLINED;
            }

            if (sts_state_uses_key(key, auth->access_key_id,
                                   auth->signature) != STS_OK
                || sts_state_owner_key(owner, auth->access_key_id) != STS_OK)
            {
                return NGX_ERROR;
            }

            if (rs != NULL) {
                f = ngx_http_sts_fleet(r, ctx);
                if (f == NULL) {
                    ngx_explicit_memzero(key, sizeof(key));
                    return NGX_ERROR;
                }

                nrc = ngx_http_sts_fleet_uses(r, f, rs, key,
                                              (time_t) expires - now, limit,
                                              err, reason);
                ngx_explicit_memzero(key, sizeof(key));

                if (nrc != NGX_OK) {
                    return nrc;
                }

                goto grace;
            }

            nrc = ngx_http_sts_uses_charge(r, smcf, key, owner, now,
                                           (time_t) expires, limit, auth, err,
                                           reason);
            ngx_explicit_memzero(key, sizeof(key));

            if (nrc != NGX_OK) {
                return nrc;
            }
        }
    }

grace:

    if (ctx != NULL && slcf->grace > 0
        && (smcf->grace_zone != NULL
            || ngx_http_sts_redis_for(&smcf->redis,
                                      NGX_HTTP_STS_STATE_GRACE) != NULL)
        && op->api != NULL
        && ngx_strcmp(op->api, "InitiateMultipartUpload") == 0)
    {
        return ngx_http_sts_grace_prepare(r, ctx, slcf, op);
    }

    return NGX_OK;
}


/*
 * The signer's own limit of a presigned URL (x-sts-max-uses): *n, 0 for
 * none; NGX_DECLINED with *err where it is not signed or not enforced.
 */
static ngx_int_t
ngx_http_sts_uses_param(const sts_auth_t *auth,
    ngx_http_sts_main_conf_t *smcf, ngx_http_sts_redis_t *rs,
    unsigned long *n, const sts_oss_error_t **err, const char **reason)
{
    const sts_param_t  *p;

    p = sts_params_get(&auth->params, STS_STATE_MAX_USES_PARAM);

    if (p != NULL) {
        /* the signer's own limit: only where it is signed and enforced */

        if (auth->kind != STS_AUTH_V4_PRESIGN) {
            *err = &sts_err_max_uses_unsigned;
            *reason = "x-sts-max-uses outside a V4 presigned URL";
            ngx_http_sts_shm_count(smcf->uses_zone,
                                   NGX_HTTP_STS_USES_BAD_PARAM);
            return NGX_DECLINED;
        }

        if (smcf->uses_zone == NULL && rs == NULL) {
            *err = &sts_err_max_uses_no_zone;
            *reason = "x-sts-max-uses without sts_presign_uses_zone";
            return NGX_DECLINED;
        }

        if (sts_state_max_uses(p->value, n) != STS_OK) {
            *err = &sts_err_max_uses_invalid;
            *reason = "x-sts-max-uses is not a valid limit";
            ngx_http_sts_shm_count(smcf->uses_zone,
                                   NGX_HTTP_STS_USES_BAD_PARAM);
            return NGX_DECLINED;
        }

    } else {
        *n = 0;
    }

    return NGX_OK;
}


/* a presigned URL's use counted in shared memory, or refused */
static ngx_int_t
ngx_http_sts_uses_charge(ngx_http_request_t *r,
    ngx_http_sts_main_conf_t *smcf, const u_char *key, const u_char *owner,
    time_t now, time_t expires, unsigned long limit, const sts_auth_t *auth,
    const sts_oss_error_t **err, const char **reason)
{
    ngx_int_t                 nrc;
    ngx_http_sts_shm_value_t  v;

    nrc = ngx_http_sts_shm_charge(smcf->uses_zone, key, owner, now, expires,
                                  (ngx_uint_t) limit, &v);

    switch (nrc) {

    case NGX_OK:
        ngx_http_sts_shm_count(smcf->uses_zone,
                               NGX_HTTP_STS_USES_COUNTED);
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "sts: presigned URL use %ui of %ul",
                       v.count, limit);
        break;

    case NGX_HTTP_STS_SHM_OVER:
        ngx_http_sts_shm_count(smcf->uses_zone,
                               NGX_HTTP_STS_USES_KEY_FULL);

        if (v.last) {
            ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                          "sts: \"%*s\" holds its share of the "
                          "table of \"sts_presign_uses_zone\" (%ui "
                          "live URLs); its new presigned URLs are "
                          "refused until some expire",
                          auth->access_key_id.len,
                          auth->access_key_id.data, v.count);
        }

        *err = &sts_err_presign_key_full;
        *reason = "the AccessKeyId holds its share of the table of "
                  "presigned URL uses";
        return NGX_DECLINED;

    case NGX_DECLINED:
        ngx_http_sts_shm_count(smcf->uses_zone,
                               NGX_HTTP_STS_USES_USED_UP);
        *err = &sts_err_presign_used_up;
        *reason = "presigned URL used the maximum number of times";
        return NGX_DECLINED;

    case NGX_BUSY:
        ngx_http_sts_shm_count(smcf->uses_zone,
                               NGX_HTTP_STS_USES_FULL);
        *err = &sts_err_presign_table_full;
        *reason = "the table of presigned URL uses is full";
        return NGX_DECLINED;

    default:
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The fleet's store did not answer for |kind| (logged and counted):
 * NGX_OK where that zone fails open, else NGX_DECLINED with *err.
 */
static ngx_int_t
ngx_http_sts_fleet_unavailable(ngx_http_request_t *r,
    ngx_http_sts_main_conf_t *smcf, ngx_http_sts_redis_t *rs,
    ngx_uint_t kind, ngx_int_t rc, const char *why,
    const sts_oss_error_t **err, const char **reason)
{
    ngx_flag_t  open;

    open = ngx_http_sts_redis_fail_open(&smcf->redis, kind);
    ngx_http_sts_redis_failed(r, rs, kind, rc, open);

    if (open) {
        return NGX_OK;
    }

    *err = &sts_err_state_unavailable;
    *reason = why;

    return NGX_DECLINED;
}


/* an allowed Initiate with a token: its answer's UploadId is recorded */
static ngx_int_t
ngx_http_sts_grace_prepare(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    ngx_http_sts_loc_conf_t *slcf, const sts_oss_op_t *op)
{
    ngx_http_sts_grace_ctx_t  *g;

    if (ctx->expiration == 0 || ctx->access_key_id.len < 4
        || ngx_strncmp(ctx->access_key_id.data, "STS.", 4) != 0)
    {
        /* a long-term key does not expire: nothing to extend */
        return NGX_OK;
    }

    g = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_grace_ctx_t));
    if (g == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_sts_state_dup(r, &g->access_key_id,
                               (const char *) ctx->access_key_id.data,
                               ctx->access_key_id.len) != NGX_OK
        || ngx_http_sts_state_dup(r, &g->bucket, op->bucket.data,
                                  op->bucket.len) != NGX_OK
        || ngx_http_sts_state_dup(r, &g->key, op->key.data, op->key.len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    g->expires = ctx->expiration + slcf->grace;
    ctx->grace = g;

    return NGX_OK;
}


/*
 * How far past the token's expiry this request may be opened: the grace
 * of its location for a call on an upload, with a grace table, else 0.
 */
time_t
ngx_http_sts_grace_window(ngx_http_request_t *r, const sts_oss_op_t *op,
    const sts_params_t *params)
{
    ngx_http_sts_loc_conf_t   *slcf;
    ngx_http_sts_main_conf_t  *smcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);
    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    if (slcf->grace <= 0
        || (smcf->grace_zone == NULL
            && ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_GRACE)
               == NULL)
        || !sts_state_grace_api(op->api)
        || sts_params_get(params, "uploadId") == NULL)
    {
        return 0;
    }

    return slcf->grace;
}


ngx_int_t
ngx_http_sts_grace_check(ngx_http_request_t *r, const sts_oss_op_t *op,
    const sts_params_t *params, sts_str_t akid, time_t expiration)
{
    u_char                     key[STS_STATE_KEY_LEN];
    time_t                     now, until;
    ngx_int_t                  rc;
    const sts_param_t         *p;
    ngx_http_sts_fleet_t      *f;
    ngx_http_sts_redis_t      *rs;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);
    now = ngx_time();

    p = sts_params_get(params, "uploadId");
    rs = ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_GRACE);

    if (p == NULL || (smcf->grace_zone == NULL && rs == NULL)
        || now >= expiration + ngx_http_sts_grace_window(r, op, params))
    {
        ngx_http_sts_shm_count(smcf->grace_zone, NGX_HTTP_STS_GRACE_REFUSED);
        return NGX_DECLINED;
    }

    if (sts_state_grace_key(key, p->value, akid, op->bucket, op->key)
        != STS_OK)
    {
        return NGX_ERROR;
    }

    if (rs != NULL) {
        /* asked of the store once the request is otherwise allowed */
        f = ngx_http_sts_fleet(r, ngx_http_sts_get_ctx(r));
        if (f == NULL) {
            ngx_explicit_memzero(key, sizeof(key));
            return NGX_ERROR;
        }

        ngx_memcpy(f->grace, key, sizeof(key));
        ngx_explicit_memzero(key, sizeof(key));
        f->grace_pending = 1;

        return NGX_OK;
    }

    rc = ngx_http_sts_shm_find(smcf->grace_zone, key, now, &until);
    ngx_explicit_memzero(key, sizeof(key));

    if (rc != NGX_OK || now >= until) {
        ngx_http_sts_shm_count(smcf->grace_zone, NGX_HTTP_STS_GRACE_REFUSED);
        return NGX_DECLINED;
    }

    ngx_http_sts_shm_count(smcf->grace_zone, NGX_HTTP_STS_GRACE_ALLOWED);

    ngx_log_error(NGX_LOG_INFO, ngx_http_sts_log(r), 0,
                  "sts: %s with the expired token of \"%V\" in the "
                  "multipart grace window, %T s left", op->api, &akid,
                  until - now);

    return NGX_OK;
}


/* the answer of an allowed InitiateMultipartUpload */

static ngx_int_t
ngx_http_sts_grace_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    size_t                     n;
    ngx_buf_t                 *b;
    ngx_chain_t               *cl;
    ngx_http_sts_ctx_t        *ctx;
    ngx_http_sts_grace_ctx_t  *g;

    ctx = ngx_http_sts_get_ctx(r);

    if (ctx == NULL || ctx->grace == NULL || r != r->main) {
        return ngx_http_next_body_filter(r, in);
    }

    g = ctx->grace;

    if (g->done) {
        return ngx_http_next_body_filter(r, in);
    }

    if (r->headers_out.status != NGX_HTTP_OK) {
        g->done = 1;
        return ngx_http_next_body_filter(r, in);
    }

    if (g->body == NULL) {
        g->body = ngx_pnalloc(r->pool, NGX_HTTP_STS_GRACE_BODY_MAX);
        if (g->body == NULL) {
            g->done = 1;
            return ngx_http_next_body_filter(r, in);
        }
    }

    /* a copy of the answer's start; the answer itself passes unchanged */

    for (cl = in; cl != NULL && !g->done; cl = cl->next) {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            n = ngx_min((size_t) (b->last - b->pos),
                        NGX_HTTP_STS_GRACE_BODY_MAX - g->len);
            ngx_memcpy(g->body + g->len, b->pos, n);
            g->len += n;

        } else if (ngx_buf_size(b)) {
            /* in a file: too large for an Initiate answer, no grace */
            g->len = 0;
            ngx_http_sts_grace_record(r, g);
            g->done = 1;
            break;
        }

        if (b->last_buf || g->len == NGX_HTTP_STS_GRACE_BODY_MAX) {
            ngx_http_sts_grace_record(r, g);
            g->done = 1;
        }
    }

    return ngx_http_next_body_filter(r, in);
}


static void
ngx_http_sts_grace_record(ngx_http_request_t *r, ngx_http_sts_grace_ctx_t *g)
{
    u_char                     key[STS_STATE_KEY_LEN];
    u_char                     owner[STS_STATE_KEY_LEN];
    ngx_int_t                  rc;
    sts_str_t                  id, akid, bucket, object;
    ngx_http_sts_redis_t      *rs;
    ngx_http_sts_shm_value_t   v;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    if (sts_state_upload_id((const char *) g->body, g->len, &id) != STS_OK) {
        ngx_http_sts_shm_count(smcf->grace_zone,
                               NGX_HTTP_STS_GRACE_NOT_RECORDED);
        ngx_log_error(NGX_LOG_WARN, ngx_http_sts_log(r), 0,
                      "sts: no UploadId in the answer to the "
                      "InitiateMultipartUpload of \"%V\": no grace window",
                      &g->access_key_id);
        return;
    }

    akid.data = (const char *) g->access_key_id.data;
    akid.len = g->access_key_id.len;
    bucket.data = (const char *) g->bucket.data;
    bucket.len = g->bucket.len;
    object.data = (const char *) g->key.data;
    object.len = g->key.len;

    if (sts_state_grace_key(key, id, akid, bucket, object) != STS_OK
        || sts_state_owner_key(owner, akid) != STS_OK)
    {
        ngx_http_sts_shm_count(smcf->grace_zone,
                               NGX_HTTP_STS_GRACE_NOT_RECORDED);
        return;
    }

    rs = ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_GRACE);

    if (rs != NULL) {
        ngx_http_sts_fleet_record(r, rs, key, g->expires);
        ngx_explicit_memzero(key, sizeof(key));
        return;
    }

    rc = ngx_http_sts_shm_charge(smcf->grace_zone, key, owner, ngx_time(),
                                 g->expires, 0, &v);
    ngx_explicit_memzero(key, sizeof(key));

    if (rc == NGX_OK) {
        ngx_http_sts_shm_count(smcf->grace_zone, NGX_HTTP_STS_GRACE_RECORDED);
        return;
    }

    if (rc == NGX_HTTP_STS_SHM_OVER) {
        /* the Initiate stands, without grace, as with a full table */
        ngx_http_sts_shm_count(smcf->grace_zone,
                               NGX_HTTP_STS_GRACE_KEY_FULL);

        if (v.last) {
            ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                          "sts: \"%V\" holds its share of the table of "
                          "\"sts_multipart_grace_zone\" (%ui uploads); its "
                          "new uploads get no grace window",
                          &g->access_key_id, v.count);
        }

        return;
    }

    /* the Initiate has succeeded at the store: it stands, without grace */
    ngx_http_sts_shm_count(smcf->grace_zone,
                           rc == NGX_BUSY ? NGX_HTTP_STS_GRACE_FULL
                                          : NGX_HTTP_STS_GRACE_NOT_RECORDED);
}


/* the fleet's store (sts_state_use uses, grace) */

static ngx_http_sts_fleet_t *
ngx_http_sts_fleet(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx)
{
    ngx_http_sts_fleet_t  *f;

    if (ctx == NULL) {
        return NULL;
    }

    if (ctx->fleet != NULL) {
        return ctx->fleet;
    }

    f = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_fleet_t));
    if (f == NULL) {
        return NULL;
    }

    f->w.r = r;
    f->w.resume = ngx_http_sts_fleet_resume;
    ctx->fleet = f;

    return f;
}


/* the store answered: the access phase goes on where it waited */
static void
ngx_http_sts_fleet_resume(ngx_http_sts_redis_wait_t *w)
{
    ngx_http_core_run_phases(w->r);
}


/*
 * Counts a use of the presigned URL |key| (a digest) for at most |ttl|
 * seconds, in one script: NGX_OK (counted, or let through by
 * "fail=open"), NGX_AGAIN while the store answers, NGX_DECLINED with
 * *err, or NGX_ERROR.
 */
static ngx_int_t
ngx_http_sts_fleet_uses(ngx_http_request_t *r, ngx_http_sts_fleet_t *f,
    ngx_http_sts_redis_t *rs, const u_char *key, time_t ttl,
    unsigned long limit, const sts_oss_error_t **err, const char **reason)
{
    u_char                     name[STS_REDIS_KEY_MAX];
    u_char                     nbuf[NGX_INT_T_LEN], tbuf[NGX_INT64_LEN];
    ngx_str_t                  args[6];
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    if (f->uses_step == NGX_HTTP_STS_FLEET_IDLE) {
        if (ngx_http_sts_fleet_key(rs, "u:", key, name, &args[3])
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        ngx_str_set(&args[0], "EVAL");
        args[1].data = (u_char *) sts_redis_script_uses;
        args[1].len = ngx_strlen(sts_redis_script_uses);
        ngx_str_set(&args[2], "1");
        args[4].data = nbuf;
        args[4].len = ngx_sprintf(nbuf, "%ul", limit) - nbuf;

        /* kept no longer than the URL can be used: at least a second */
        args[5].data = tbuf;
        args[5].len = ngx_sprintf(tbuf, "%T000", ngx_max(ttl, 1)) - tbuf;

        f->uses_step = NGX_HTTP_STS_FLEET_WAITING;

        if (ngx_http_sts_redis_request(rs, &f->w, 6, args, 3) == NGX_AGAIN) {
            return NGX_AGAIN;
        }

    } else if (f->uses_step == NGX_HTTP_STS_FLEET_WAITING
               && f->w.rc == NGX_AGAIN)
    {
        return NGX_AGAIN;
    }

    f->uses_step = NGX_HTTP_STS_FLEET_DONE;

    if (f->w.rc != NGX_OK || f->w.type != REDIS_REPLY_INTEGER) {
        return ngx_http_sts_fleet_unavailable(r, smcf, rs,
                                              NGX_HTTP_STS_STATE_USES,
                                              f->w.rc, "the shared state "
                                              "store of presigned URL uses "
                                              "does not answer", err, reason);
    }

    if (f->w.integer <= 0) {
        ngx_http_sts_shm_count(smcf->uses_zone, NGX_HTTP_STS_USES_USED_UP);
        *err = &sts_err_presign_used_up;
        *reason = "presigned URL used the maximum number of times";
        return NGX_DECLINED;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: presigned URL use %L of %ul on the fleet's store",
                   f->w.integer, limit);

    return NGX_OK;
}


/*
 * The grace of an expired token's call on an upload, recorded at its
 * initiation: NGX_OK, NGX_AGAIN while the store answers, NGX_DECLINED
 * with *err (the token's expiry, or the store's silence), NGX_ERROR.
 */
static ngx_int_t
ngx_http_sts_fleet_grace(ngx_http_request_t *r, ngx_http_sts_fleet_t *f,
    const sts_oss_error_t **err, const char **reason)
{
    u_char                     name[STS_REDIS_KEY_MAX];
    time_t                     until, now;
    ngx_str_t                  args[2];
    ngx_http_sts_redis_t      *rs;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);
    rs = ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_GRACE);

    if (rs == NULL) {
        return NGX_ERROR;
    }

    if (f->grace_step == NGX_HTTP_STS_FLEET_IDLE) {
        if (ngx_http_sts_fleet_key(rs, "g:", f->grace, name, &args[1])
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        ngx_str_set(&args[0], "GET");
        f->grace_step = NGX_HTTP_STS_FLEET_WAITING;

        if (ngx_http_sts_redis_request(rs, &f->w, 2, args, 1) == NGX_AGAIN) {
            return NGX_AGAIN;
        }

    } else if (f->grace_step == NGX_HTTP_STS_FLEET_WAITING
               && f->w.rc == NGX_AGAIN)
    {
        return NGX_AGAIN;
    }

    f->grace_step = NGX_HTTP_STS_FLEET_DONE;
    f->grace_pending = 0;

    if (f->w.rc != NGX_OK) {
        return ngx_http_sts_fleet_unavailable(r, smcf, rs,
                                              NGX_HTTP_STS_STATE_GRACE,
                                              f->w.rc, "the shared state "
                                              "store of the multipart grace "
                                              "window does not answer", err,
                                              reason);
    }

    now = ngx_time();
    until = 0;

    if (f->w.type == REDIS_REPLY_STRING && !f->w.truncated) {
        until = ngx_atotm(f->w.str, f->w.len);
    }

    if (until == NGX_ERROR || until <= now) {
        ngx_http_sts_shm_count(smcf->grace_zone, NGX_HTTP_STS_GRACE_REFUSED);
        *err = &sts_err_token_expired;
        *reason = "token expired, no grace for this upload";
        return NGX_DECLINED;
    }

    ngx_http_sts_shm_count(smcf->grace_zone, NGX_HTTP_STS_GRACE_ALLOWED);

    ngx_log_error(NGX_LOG_INFO, ngx_http_sts_log(r), 0,
                  "sts: a call with an expired token in the multipart "
                  "grace window of the fleet's store, %T s left",
                  until - now);

    return NGX_OK;
}


/* an upload's grace, recorded without waiting (SET with an expiry) */
static void
ngx_http_sts_fleet_record(ngx_http_request_t *r, ngx_http_sts_redis_t *rs,
    const u_char *key, time_t until)
{
    u_char     name[STS_REDIS_KEY_MAX];
    u_char     vbuf[NGX_TIME_T_LEN], tbuf[NGX_TIME_T_LEN];
    time_t     ttl;
    ngx_str_t  args[5];

    ttl = until - ngx_time();

    if (ttl <= 0
        || ngx_http_sts_fleet_key(rs, "g:", key, name, &args[1]) != NGX_OK)
    {
        return;
    }

    ngx_str_set(&args[0], "SET");
    args[2].data = vbuf;
    args[2].len = ngx_sprintf(vbuf, "%T", until) - vbuf;
    ngx_str_set(&args[3], "EX");
    args[4].data = tbuf;
    args[4].len = ngx_sprintf(tbuf, "%T", ttl) - tbuf;

    if (ngx_http_sts_redis_send(rs, r->connection->log,
                                ngx_http_sts_fleet_recorded, rs, 5, args, 1,
                                NULL)
        != NGX_OK)
    {
        ngx_http_sts_fleet_recorded(rs, NGX_ERROR, NULL);
    }
}


static void
ngx_http_sts_fleet_recorded(void *data, ngx_int_t rc, void *reply)
{
    ngx_http_sts_redis_t  *rs = data;

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "sts: an initiated upload could not be recorded in "
                      "the state store \"%V\": it gets no grace window",
                      ngx_http_sts_redis_name(rs));
    }
}


/* the key of |digest| on the store: prefix, kind, {hex} */
static ngx_int_t
ngx_http_sts_fleet_key(ngx_http_sts_redis_t *rs, const char *kind,
    const u_char *digest, u_char *buf, ngx_str_t *out)
{
    size_t      len;
    sts_str_t   prefix;
    ngx_str_t  *p;

    p = ngx_http_sts_redis_prefix(rs);
    prefix.data = (const char *) p->data;
    prefix.len = p->len;

    if (sts_redis_key((char *) buf, &len, prefix, kind, digest) != STS_OK) {
        return NGX_ERROR;
    }

    out->data = buf;
    out->len = len;

    return NGX_OK;
}


/* metrics, appended to sts_status */

u_char *
ngx_http_sts_state_status(ngx_http_request_t *r, u_char *p)
{
    ngx_uint_t                 i;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    p = ngx_sprintf(p, "# HELP nginx_sts_presign_uses_total Presigned URL "
                    "uses counted, and refused by reason.\n"
                    "# TYPE nginx_sts_presign_uses_total counter\n");

    for (i = 0; i < NGX_HTTP_STS_USES_N; i++) {
        p = ngx_sprintf(p, "nginx_sts_presign_uses_total{result=\"%V\"} "
                        "%uA\n", &ngx_http_sts_uses_labels[i],
                        ngx_http_sts_shm_counter(smcf->uses_zone, i));
    }

    p = ngx_sprintf(p, "# HELP nginx_sts_multipart_grace_total Uploads "
                    "recorded for the grace window, and calls with an "
                    "expired token allowed or refused.\n"
                    "# TYPE nginx_sts_multipart_grace_total counter\n");

    for (i = 0; i < NGX_HTTP_STS_GRACE_N; i++) {
        p = ngx_sprintf(p, "nginx_sts_multipart_grace_total{result=\"%V\"} "
                        "%uA\n", &ngx_http_sts_grace_labels[i],
                        ngx_http_sts_shm_counter(smcf->grace_zone, i));
    }

    return ngx_http_sts_redis_status(&smcf->redis, p);
}


/* configuration */

char *
ngx_http_sts_state_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ssize_t           size;
    ngx_str_t        *value, name;
    ngx_uint_t        max;
    ngx_shm_zone_t  **zone;

    zone = (ngx_shm_zone_t **) (p + cmd->offset);

    if (*zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    size = ngx_parse_size(&value[1]);

    if (size == NGX_ERROR || size < NGX_HTTP_STS_STATE_MIN_ZONE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid size \"%V\" of \"%V\" (at least 32k)",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_sts_shm_max_per_key(cf,
                                     cf->args->nelts > 2 ? &value[2] : NULL,
                                     &max)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    /* the zone is named as the directive, less its "_zone" */
    name.data = cmd->name.data;
    name.len = cmd->name.len - (sizeof("_zone") - 1);

    *zone = ngx_http_sts_shm_add(cf, &name, &cmd->name, (size_t) size);
    if (*zone == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_http_sts_shm_set_max_per_key(*zone, max);

    return NGX_CONF_OK;
}


char *
ngx_http_sts_presign_max_uses(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *p = conf;

    sts_str_t       v;
    ngx_str_t      *value;
    ngx_int_t      *np;
    unsigned long   n;

    np = (ngx_int_t *) (p + cmd->offset);

    if (*np != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        *np = 0;
        return NGX_CONF_OK;
    }

    v.data = (const char *) value[1].data;
    v.len = value[1].len;

    if (sts_state_max_uses(v, &n) != STS_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\": a number from 1 to %d, "
                           "or \"off\"", &value[1], STS_STATE_MAX_USES);
        return NGX_CONF_ERROR;
    }

    *np = (ngx_int_t) n;

    return NGX_CONF_OK;
}


char *
ngx_http_sts_multipart_grace(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    time_t     *tp, t;
    ngx_str_t  *value;

    tp = (time_t *) (p + cmd->offset);

    if (*tp != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        *tp = 0;
        return NGX_CONF_OK;
    }

    t = ngx_parse_time(&value[1], 1);

    if (t == (time_t) NGX_ERROR || t < 1 || t > NGX_HTTP_STS_GRACE_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\": a time from 1s to 12h, "
                           "or \"off\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    *tp = t;

    return NGX_CONF_OK;
}


char *
ngx_http_sts_state_merge(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *prev,
    ngx_http_sts_loc_conf_t *conf)
{
    ngx_http_sts_main_conf_t  *smcf;

    ngx_conf_merge_value(conf->max_uses, prev->max_uses, 0);
    ngx_conf_merge_sec_value(conf->grace, prev->grace, 0);

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sts_module);

    if (conf->max_uses > 0 && smcf->uses_zone == NULL
        && ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_USES)
           == NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sts_presign_max_uses\" requires "
                           "\"sts_presign_uses_zone\" or "
                           "\"sts_state_use uses\" at the http level");
        return NGX_CONF_ERROR;
    }

    if (conf->grace > 0 && smcf->grace_zone == NULL
        && ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_GRACE)
           == NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sts_multipart_grace\" requires "
                           "\"sts_multipart_grace_zone\" or "
                           "\"sts_state_use grace\" at the http level");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_sts_state_init(ngx_conf_t *cf)
{
    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_sts_grace_body_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_state_dup(ngx_http_request_t *r, ngx_str_t *dst,
    const char *src, size_t len)
{
    dst->len = len;

    if (len == 0) {
        dst->data = (u_char *) "";
        return NGX_OK;
    }

    dst->data = ngx_pnalloc(r->pool, len);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len);

    return NGX_OK;
}
