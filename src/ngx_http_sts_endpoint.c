/*
 * Copyright (C) nginx-sts authors
 *
 * The STS endpoint: the RPC API of Alibaba Cloud STS (AssumeRole,
 * GetCallerIdentity) as a content handler, so that the official clients
 * (@alicloud/pop-core, @alicloud/sts-sdk, ali-oss's OSS.STS) get
 * temporary credentials from nginx.
 *
 *     sts_directory /etc/nginx/sts/directory.json;    # http
 *     sts_nonce_cache 4m [max_per_key=N];              # http, optional
 *     location = / { sts_endpoint; }
 *
 * sts_endpoint_error answers nginx's own errors at the STS endpoint
 * (limit_req's, a body too large ...) in the STS format, so that the
 * official clients see a Code:
 *
 *     limit_req_status 429;
 *     error_page 429 413 = @sts_error;
 *     location @sts_error { sts_endpoint_error; }
 *
 * This file reads the request (query string, form body), keeps the
 * SignatureNonce replay cache in shared memory and sends the answer; the
 * decisions are the core's (sts_ram_rpc).
 *
 * Replay cache: one shared memory zone, "sts_nonce", for every worker and
 * every endpoint location, so a request replayed to another worker is
 * caught too.  It remembers SHA-256(AccessKeyId, nonce) of each
 * authentic request until its Timestamp leaves the skew window (after
 * that the Timestamp check refuses the replay anyway), in the module's
 * shared table (ngx_http_sts_shm.c).  When it is full and nothing has
 * expired, new requests are refused with 503 ServiceUnavailable rather
 * than remembered badly.  One caller holds at most its share of it
 * (max_per_key, by default an eighth): over it, that caller's new nonces
 * are refused with Throttling.User while the others are served, and its
 * replays are still caught.  Several nginx servers behind a balancer each
 * have their own cache.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_endpoint.h"
#include "ngx_http_sts_limit.h"
#include "ngx_http_sts_shm.h"
#include "core/sts_pop.h"
#include "core/sts_ram.h"
#include "core/sts_rpc.h"
#include "core/sts_state.h"
#include "core/sts_redis.h"

#include <hiredis/hiredis.h>


#define NGX_HTTP_STS_BODY_MAX        65536
#define NGX_HTTP_STS_NONCE_SIZE      (4 * 1024 * 1024)


#if (STS_POP_DIGEST_LEN != NGX_HTTP_STS_SHM_KEY_LEN)
#error "a nonce digest is not a key of the shared table"
#endif


static ngx_int_t ngx_http_sts_endpoint_error_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_endpoint_answer(ngx_http_request_t *r,
    const sts_pop_error_t *e, const char *why);
static ngx_int_t ngx_http_sts_endpoint_handler(ngx_http_request_t *r);
static void ngx_http_sts_endpoint_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_endpoint_process(ngx_http_request_t *r,
    u_char *body, size_t body_len);
static void ngx_http_sts_endpoint_request(ngx_http_request_t *r,
    sts_params_t *params, size_t body_len, sts_ram_rpc_t *req);
static ngx_int_t ngx_http_sts_endpoint_record(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, sts_ram_rpc_result_t *res);
static ngx_int_t ngx_http_sts_endpoint_read_body(ngx_http_request_t *r,
    u_char **body, size_t *len);
static ngx_int_t ngx_http_sts_endpoint_fault(ngx_http_request_t *r,
    const sts_pop_error_t *e, const char *detail, const char *why);
static ngx_int_t ngx_http_sts_endpoint_send(ngx_http_request_t *r,
    ngx_uint_t status, ngx_uint_t xml, u_char *body, size_t len,
    const char *request_id);
static void ngx_http_sts_endpoint_wipe(void *data);
static ngx_http_sts_ctx_t *ngx_http_sts_endpoint_ctx(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_endpoint_set(ngx_http_request_t *r,
    ngx_str_t *dst, const char *src);
static ngx_int_t ngx_http_sts_endpoint_form(ngx_http_request_t *r);
static sts_str_t ngx_http_sts_endpoint_header(ngx_http_request_t *r,
    const char *name, size_t len);

static int ngx_http_sts_nonce_check(void *data,
    const unsigned char digest[STS_POP_DIGEST_LEN], sts_str_t caller,
    int64_t expires);
static ngx_int_t ngx_http_sts_nonce_handler(ngx_http_sts_shm_value_t *v,
    time_t now, void *data);
static void ngx_http_sts_directory_cleanup(void *data);


/*
 * An STS call whose nonce or issuance limits live on the fleet's store
 * (sts_state_use nonces, limits).  The core asks for them synchronously,
 * in an order of its own; so the call runs twice.  The first run only
 * collects what the store is to be asked (each answered "go on"); the
 * questions are then asked one by one, in that order, each one atomic on
 * the server, until one refuses; the second run gets the store's answers
 * in the same order and decides.  Both runs see the same request and the
 * same time, so they ask the same questions.
 */
#define NGX_HTTP_STS_FLEET_OPS       16
#define NGX_HTTP_STS_FLEET_NONCE     0
#define NGX_HTTP_STS_FLEET_LIMIT     1

typedef struct {
    ngx_http_sts_redis_args_t    cmd;
    ngx_uint_t                   kind;         /* _FLEET_NONCE, _LIMIT */
    int                          result;       /* STS_OK, STS_EDUP ... */
} ngx_http_sts_fleet_op_t;

typedef struct {
    ngx_http_sts_redis_wait_t    w;
    sts_ram_rpc_t                req;
    sts_params_t                 params;       /* req's, kept */
    ngx_http_sts_ctx_t          *ctx;
    ngx_shm_zone_t              *nonce_zone;
    void                        *limits;
    ngx_http_sts_redis_t        *nonces;       /* or NULL: shared memory */
    ngx_http_sts_redis_t        *limit_store;
    ngx_uint_t                   collecting;
    ngx_uint_t                   nops;
    ngx_uint_t                   next;         /* asked, or answered */
    ngx_uint_t                   replay;       /* of the second run */
    ngx_uint_t                   overflow;
    ngx_http_sts_fleet_op_t      ops[NGX_HTTP_STS_FLEET_OPS];
} ngx_http_sts_endpoint_fleet_t;


static ngx_int_t ngx_http_sts_endpoint_run(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, sts_ram_rpc_t *req);
static ngx_int_t ngx_http_sts_endpoint_fleet(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, sts_ram_rpc_t *req);
static ngx_int_t ngx_http_sts_endpoint_fleet_ask(
    ngx_http_sts_endpoint_fleet_t *f);
static ngx_int_t ngx_http_sts_endpoint_fleet_step(
    ngx_http_sts_endpoint_fleet_t *f);
static void ngx_http_sts_endpoint_fleet_resume(ngx_http_sts_redis_wait_t *w);
static int ngx_http_sts_nonce_check(void *data,
    const unsigned char digest[STS_POP_DIGEST_LEN], sts_str_t caller,
    int64_t expires);
static int ngx_http_sts_fleet_nonce(void *data,
    const unsigned char digest[STS_POP_DIGEST_LEN], sts_str_t caller,
    int64_t expires);
static int ngx_http_sts_fleet_limit(void *data, int kind, sts_str_t key);


static ngx_str_t  ngx_http_sts_nonce_zone_name = ngx_string("sts_nonce");
static ngx_str_t  ngx_http_sts_nonce_directive =
    ngx_string("sts_nonce_cache");


/* the content handler */

static ngx_int_t
ngx_http_sts_endpoint_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_POST))) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

        return ngx_http_sts_endpoint_fault(r, &sts_pop_err_method, NULL,
                                           "method other than GET or POST");
    }

    if (r->method == NGX_HTTP_GET) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_sts_endpoint_process(r, NULL, 0);
    }

    if (r->headers_in.content_length_n > NGX_HTTP_STS_BODY_MAX) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

        return ngx_http_sts_endpoint_fault(r, &sts_pop_err_too_large, NULL,
                                           "request body too large");
    }

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r, ngx_http_sts_endpoint_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_sts_endpoint_body(ngx_http_request_t *r)
{
    u_char     *body;
    size_t      len;
    ngx_int_t   rc;

    rc = ngx_http_sts_endpoint_read_body(r, &body, &len);

    if (rc == NGX_OK) {
        rc = ngx_http_sts_endpoint_process(r, body, len);

    } else if (rc == NGX_DECLINED) {
        rc = ngx_http_sts_endpoint_fault(r, &sts_pop_err_too_large, NULL,
                                         "request body too large");
    }

    ngx_http_finalize_request(r, rc);
}


/*
 * The body in one piece: NGX_OK, NGX_DECLINED when it is over the limit,
 * or an HTTP 5xx.
 */
static ngx_int_t
ngx_http_sts_endpoint_read_body(ngx_http_request_t *r, u_char **body,
    size_t *len)
{
    u_char       *p;
    off_t         size;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    *body = NULL;
    *len = 0;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    size = 0;
    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size += b->in_file ? b->file_last - b->file_pos : b->last - b->pos;
    }

    if (size > NGX_HTTP_STS_BODY_MAX) {
        return NGX_DECLINED;
    }

    if (size == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, (size_t) size);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *body = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) (b->file_last
                                                    - b->file_pos),
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;

        } else {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
    }

    *len = p - *body;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_endpoint_form(ngx_http_request_t *r)
{
    u_char  *ct;
    size_t   len;

    if (r->headers_in.content_type == NULL) {
        return NGX_DECLINED;
    }

    ct = r->headers_in.content_type->value.data;
    len = r->headers_in.content_type->value.len;

    /* "application/x-www-form-urlencoded", maybe with "; charset=..." */
    if (len >= sizeof("application/x-www-form-urlencoded") - 1
        && ngx_strncasecmp(ct, (u_char *) "application/x-www-form-urlencoded",
                           sizeof("application/x-www-form-urlencoded") - 1)
           == 0
        && (len == sizeof("application/x-www-form-urlencoded") - 1
            || ct[sizeof("application/x-www-form-urlencoded") - 1] == ';'
            || ct[sizeof("application/x-www-form-urlencoded") - 1] == ' '))
    {
        return NGX_OK;
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_sts_endpoint_process(ngx_http_request_t *r, u_char *body,
    size_t body_len)
{
    int                        rc;
    ngx_int_t                  form;
    sts_str_t                  raw, dup;
    sts_params_t               query, fparams, params;
    sts_ram_rpc_t              req;
    sts_allocator_t            a;
    ngx_http_sts_ctx_t        *ctx;
    ngx_http_sts_main_conf_t  *smcf;

    ngx_http_sts_pool_allocator(&a, r->pool);

    ctx = ngx_http_sts_endpoint_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the parameters: query string and form body together */

    raw.data = (char *) r->args.data;
    raw.len = r->args.len;

    rc = sts_query_parse(&a, raw, &query);
    if (rc == STS_ENOMEM) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != STS_OK) {
        return ngx_http_sts_endpoint_fault(r, &sts_pop_err_invalid_parameter,
                                           "QueryString",
                                           "malformed or repeated query "
                                           "parameters");
    }

    form = ngx_http_sts_endpoint_form(r);

    fparams.items = NULL;
    fparams.num = 0;

    if (body_len) {
        if (form != NGX_OK) {
            return ngx_http_sts_endpoint_fault(r, &sts_pop_err_content_type,
                                               NULL, "a body that is not "
                                               "a form");
        }

        raw.data = (char *) body;
        raw.len = body_len;

        rc = sts_query_parse(&a, raw, &fparams);
        if (rc == STS_ENOMEM) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc != STS_OK) {
            return ngx_http_sts_endpoint_fault(r,
                                           &sts_pop_err_invalid_parameter,
                                           "Body", "malformed or repeated "
                                           "form parameters");
        }
    }

    rc = sts_pop_params_merge(&a, &query, &fparams, &params, &dup);
    if (rc == STS_EDUP) {
        return ngx_http_sts_endpoint_fault(r, &sts_pop_err_invalid_parameter,
                                           dup.data, "a parameter in both "
                                           "the query and the form");
    }

    if (rc != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the request */

    ngx_http_sts_endpoint_request(r, &params, body_len, &req);

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    if (ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_NONCES)
        || ngx_http_sts_redis_for(&smcf->redis, NGX_HTTP_STS_STATE_LIMITS))
    {
        return ngx_http_sts_endpoint_fleet(r, ctx, &req);
    }

    return ngx_http_sts_endpoint_run(r, ctx, &req);
}


/* the call decided by the core, and the answer sent */
static ngx_int_t
ngx_http_sts_endpoint_run(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    sts_ram_rpc_t *req)
{
    int                    rc;
    sts_allocator_t        a;
    sts_ram_rpc_result_t   res;

    ngx_http_sts_pool_allocator(&a, r->pool);

    rc = sts_ram_rpc(&a, req, &res);
    if (rc != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* variables and the log: key ids and request ids, never secrets */

    if (ngx_http_sts_endpoint_record(r, ctx, &res) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sts_endpoint_send(r, res.http_status, res.xml,
                                      (u_char *) res.body.data, res.body.len,
                                      res.request_id);
}


/* the first run, then the store asked while the request waits */
static ngx_int_t
ngx_http_sts_endpoint_fleet(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    sts_ram_rpc_t *req)
{
    int                             rc;
    sts_allocator_t                 a;
    sts_ram_rpc_result_t            res;
    ngx_http_sts_main_conf_t       *smcf;
    ngx_http_sts_endpoint_fleet_t  *f;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    f = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_endpoint_fleet_t));
    if (f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    f->w.r = r;
    f->w.resume = ngx_http_sts_endpoint_fleet_resume;
    f->ctx = ctx;
    f->nonce_zone = req->nonce_data;
    f->limits = req->limit_data;
    f->nonces = ngx_http_sts_redis_for(&smcf->redis,
                                       NGX_HTTP_STS_STATE_NONCES);
    f->limit_store = ngx_http_sts_redis_for(&smcf->redis,
                                            NGX_HTTP_STS_STATE_LIMITS);
    f->params = *req->params;
    f->req = *req;
    f->req.params = &f->params;
    f->req.nonce = ngx_http_sts_fleet_nonce;
    f->req.nonce_data = f;
    f->req.limit = ngx_http_sts_fleet_limit;
    f->req.limit_data = f;
    f->collecting = 1;

    ngx_http_sts_pool_allocator(&a, r->pool);

    rc = sts_ram_rpc(&a, &f->req, &res);
    if (rc != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (f->overflow) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sts: more than %d questions for the state store in "
                      "one call (too many sts_assume_role_limit here)",
                      NGX_HTTP_STS_FLEET_OPS - 1);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    f->collecting = 0;

    if (f->nops == 0) {
        /* refused before anything was asked (a bad signature ...) */
        return ngx_http_sts_endpoint_run(r, ctx, &f->req);
    }

    if (ngx_http_sts_endpoint_fleet_ask(f) == NGX_AGAIN
        || ngx_http_sts_endpoint_fleet_step(f) == NGX_AGAIN)
    {
        /* finalized by ngx_http_sts_endpoint_fleet_resume */
        r->main->count++;
        return NGX_DONE;
    }

    return ngx_http_sts_endpoint_run(r, ctx, &f->req);
}


/* asks the next question: NGX_AGAIN, or NGX_ERROR with f->w.rc set */
static ngx_int_t
ngx_http_sts_endpoint_fleet_ask(ngx_http_sts_endpoint_fleet_t *f)
{
    ngx_http_sts_fleet_op_t  *op;
    ngx_http_sts_redis_t     *rs;

    op = &f->ops[f->next];
    rs = (op->kind == NGX_HTTP_STS_FLEET_NONCE) ? f->nonces : f->limit_store;

    return ngx_http_sts_redis_request(rs, &f->w, op->cmd.nargs,
                                      op->cmd.args, op->cmd.key);
}


/*
 * The answer to question f->next is in f->w: records it and asks the
 * next, until one refuses or all are answered.  NGX_AGAIN while the
 * store answers, NGX_OK when the second run may decide.
 */
static ngx_int_t
ngx_http_sts_endpoint_fleet_step(ngx_http_sts_endpoint_fleet_t *f)
{
    ngx_uint_t                 kind;
    ngx_flag_t                 open;
    ngx_http_sts_redis_t      *rs;
    ngx_http_sts_fleet_op_t   *op;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(f->w.r, ngx_http_sts_module);

    for ( ;; ) {
        op = &f->ops[f->next++];

        if (op->kind == NGX_HTTP_STS_FLEET_NONCE) {
            kind = NGX_HTTP_STS_STATE_NONCES;
            rs = f->nonces;

            if (f->w.rc == NGX_OK && f->w.type == REDIS_REPLY_STATUS) {
                op->result = STS_OK;                    /* remembered */

            } else if (f->w.rc == NGX_OK && f->w.type == REDIS_REPLY_NIL) {
                op->result = STS_EDUP;                  /* seen before */

            } else {
                op->result = STS_ENOMEM;
            }

        } else {
            kind = NGX_HTTP_STS_STATE_LIMITS;
            rs = f->limit_store;

            if (f->w.rc == NGX_OK && f->w.type == REDIS_REPLY_INTEGER) {
                op->result = f->w.integer == 1 ? STS_OK : STS_EDENIED;

            } else {
                op->result = STS_EIO;
            }
        }

        if (op->result == STS_ENOMEM || op->result == STS_EIO) {
            open = ngx_http_sts_redis_fail_open(&smcf->redis, kind);
            ngx_http_sts_redis_failed(f->w.r, rs, kind, f->w.rc, open);

            if (open) {
                op->result = STS_OK;
            }
        }

        if (op->result != STS_OK || f->next == f->nops) {
            return NGX_OK;
        }

        if (ngx_http_sts_endpoint_fleet_ask(f) == NGX_AGAIN) {
            return NGX_AGAIN;
        }
    }
}


/* an answer of the store: the next question, or the decision */
static void
ngx_http_sts_endpoint_fleet_resume(ngx_http_sts_redis_wait_t *w)
{
    ngx_http_sts_endpoint_fleet_t *f = (ngx_http_sts_endpoint_fleet_t *) w;

    ngx_int_t  rc;

    if (ngx_http_sts_endpoint_fleet_step(f) == NGX_AGAIN) {
        return;
    }

    rc = ngx_http_sts_endpoint_run(f->w.r, f->ctx, &f->req);

    ngx_http_finalize_request(f->w.r, rc);
}


/* the core's nonce check, in both runs */
static int
ngx_http_sts_fleet_nonce(void *data,
    const unsigned char digest[STS_POP_DIGEST_LEN], sts_str_t caller,
    int64_t expires)
{
    ngx_http_sts_endpoint_fleet_t *f = data;

    size_t                     len;
    time_t                     ttl;
    sts_str_t                  prefix;
    ngx_str_t                 *pfx;
    ngx_http_sts_fleet_op_t   *op;

    if (f->nonces == NULL) {
        /* in shared memory: only in the second run */
        return f->collecting ? STS_OK
                             : ngx_http_sts_nonce_check(f->nonce_zone,
                                                        digest, caller,
                                                        expires);
    }

    if (!f->collecting) {
        return f->replay < f->next ? f->ops[f->replay++].result : STS_ENOMEM;
    }

    if (f->nops == NGX_HTTP_STS_FLEET_OPS) {
        f->overflow = 1;
        return STS_OK;
    }

    op = &f->ops[f->nops];

    pfx = ngx_http_sts_redis_prefix(f->nonces);
    prefix.data = (const char *) pfx->data;
    prefix.len = pfx->len;

    if (sts_redis_key((char *) op->cmd.name, &len, prefix, "n:", digest)
        != STS_OK)
    {
        f->overflow = 1;
        return STS_OK;
    }

    /* until the Timestamp leaves the skew window, that second included */
    ttl = (time_t) expires + 1 - f->req.now;
    ttl = ngx_max(ttl, 1);

    ngx_str_set(&op->cmd.args[0], "SET");
    op->cmd.args[1].data = op->cmd.name;
    op->cmd.args[1].len = len;
    ngx_str_set(&op->cmd.args[2], "1");
    ngx_str_set(&op->cmd.args[3], "NX");
    ngx_str_set(&op->cmd.args[4], "EX");
    op->cmd.args[5].data = op->cmd.n1;
    op->cmd.args[5].len = ngx_sprintf(op->cmd.n1, "%T", ttl) - op->cmd.n1;
    op->cmd.nargs = 6;
    op->cmd.key = 1;
    op->kind = NGX_HTTP_STS_FLEET_NONCE;

    f->nops++;

    return STS_OK;
}


/* the core's issuance limits, in both runs */
static int
ngx_http_sts_fleet_limit(void *data, int kind, sts_str_t key)
{
    ngx_http_sts_endpoint_fleet_t *f = data;

    int                        result;
    ngx_int_t                  rc;
    ngx_uint_t                 i, n;
    ngx_http_sts_redis_args_t  scratch;

    if (f->limit_store == NULL) {
        /* in shared memory: only in the second run */
        return f->collecting ? STS_OK
                             : ngx_http_sts_limit_check(f->limits, kind,
                                                        key);
    }

    n = ngx_http_sts_limit_count(f->limits);

    for (i = 0; i < n; i++) {

        if (!f->collecting) {
            rc = ngx_http_sts_limit_command(f->limits, i, kind, key,
                                            f->limit_store, &scratch);
            if (rc == NGX_DECLINED) {
                continue;
            }

            result = (rc == NGX_OK && f->replay < f->next)
                     ? f->ops[f->replay++].result : STS_EIO;

            if (result != STS_OK) {
                return result;
            }

            continue;
        }

        if (f->nops == NGX_HTTP_STS_FLEET_OPS) {
            f->overflow = 1;
            return STS_OK;
        }

        rc = ngx_http_sts_limit_command(f->limits, i, kind, key,
                                        f->limit_store,
                                        &f->ops[f->nops].cmd);
        if (rc == NGX_DECLINED) {
            continue;
        }

        if (rc != NGX_OK) {
            f->overflow = 1;
            return STS_OK;
        }

        f->ops[f->nops++].kind = NGX_HTTP_STS_FLEET_LIMIT;
    }

    return STS_OK;
}


/* the core's view of an STS call with its parameters |params| */
static void
ngx_http_sts_endpoint_request(ngx_http_request_t *r, sts_params_t *params,
    size_t body_len, sts_ram_rpc_t *req)
{
    ngx_http_sts_loc_conf_t   *slcf;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);
    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    ngx_memzero(req, sizeof(sts_ram_rpc_t));

    req->ram = smcf->ram;
    req->keyring = smcf->keyring;
    req->method.data = (char *) r->method_name.data;
    req->method.len = r->method_name.len;
    req->params = params;
    req->header_token = ngx_http_sts_endpoint_header(r,
                                      "x-acs-security-token",
                                      sizeof("x-acs-security-token") - 1);
    req->now = ngx_time();
    req->max_skew = slcf->max_skew;
    req->client_addr.data = (char *) r->connection->addr_text.data;
    req->client_addr.len = r->connection->addr_text.len;
#if (NGX_HTTP_SSL)
    req->secure = r->connection->ssl != NULL;
#endif
    req->host = ngx_http_sts_endpoint_header(r, "host", 4);
    req->user_agent = ngx_http_sts_endpoint_header(r, "user-agent",
                                                   sizeof("user-agent") - 1);
    req->nonce = ngx_http_sts_nonce_check;
    req->nonce_data = smcf->nonce_zone;
    req->revoked = smcf->revoked;
    req->revoked_shared = ngx_http_sts_redis_revoked();
    req->limit = ngx_http_sts_limit_check;
    req->limit_data = slcf->limits;

    /*
     * The narrow door for @alicloud/sts-sdk 1.0.2 (doc/protocol.md 5.8): only
     * for its request shape, POST with the parameters in the query and no
     * Content-Type and no body.
     */
    req->allow_js = slcf->endpoint_js_encoding
                    && r->method == NGX_HTTP_POST
                    && r->headers_in.content_type == NULL && body_len == 0;
}


/*
 * What the call was and how it ended, for the variables and the log:
 * key ids and request ids, never secrets.  NGX_OK or NGX_ERROR.
 */
static ngx_int_t
ngx_http_sts_endpoint_record(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    sts_ram_rpc_result_t *res)
{
    ngx_uint_t  level;

    if (ngx_http_sts_endpoint_set(r, &ctx->api, res->action) != NGX_OK
        || ngx_http_sts_endpoint_set(r, &ctx->access_key_id,
                                     res->access_key_id) != NGX_OK
        || ngx_http_sts_endpoint_set(r, &ctx->error_code, res->code)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (res->role_arn[0]) {
        if (ngx_http_sts_endpoint_set(r, &ctx->role_arn, res->role_arn)
            != NGX_OK
            || ngx_http_sts_endpoint_set(r, &ctx->session_name,
                                         res->session_name) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (res->fault.error == NULL) {
        ngx_str_set(&ctx->decision, "allow");

        ngx_log_error(NGX_LOG_INFO, ngx_http_sts_log(r), 0,
                      "sts: %s for \"%s\"%s%s%s%s%s, request id %s",
                      res->action, res->access_key_id,
                      res->issued_key_id[0] ? " issued \"" : "",
                      res->issued_key_id,
                      res->issued_key_id[0] ? "\" for " : "",
                      res->role_arn,
                      res->js_signature ? " (sts-sdk signature form)" : "",
                      res->request_id);

    } else {
        if (res->fault.error == &sts_pop_err_no_permission) {
            ngx_str_set(&ctx->decision, "deny");

            /* the layer that refused, for $sts_layer and $sts_explain */
            if (ngx_strncmp(res->why, "the trust policy", 16) == 0) {
                ngx_str_set(&ctx->layer, "trust-policy");

            } else if (ngx_strncmp(res->why, "the policies of", 15) == 0) {
                ngx_str_set(&ctx->layer, "caller-policies");
            }

        } else if (res->fault.error == &sts_pop_err_throttling) {
            ngx_str_set(&ctx->decision, "throttled");

        } else {
            ngx_str_set(&ctx->decision, "error");
        }

        if (ngx_http_sts_endpoint_set(r, &ctx->reason, res->why) != NGX_OK) {
            return NGX_ERROR;
        }

        level = (res->http_status >= 500
                 || res->fault.error == &sts_pop_err_signature
                 || res->fault.error == &sts_pop_err_no_permission
                 || res->fault.error == &sts_pop_err_nonce_used
                 || res->fault.error == &sts_pop_err_throttling)
                ? NGX_LOG_ERR : NGX_LOG_INFO;

        ngx_log_error(level, ngx_http_sts_log(r), 0,
                      "sts: %s %s for \"%s\": %s, request id %s",
                      res->action[0] ? res->action : "request", res->code,
                      res->access_key_id, res->why, res->request_id);
    }

    return NGX_OK;
}


static sts_str_t
ngx_http_sts_endpoint_header(ngx_http_request_t *r, const char *name,
    size_t len)
{
    sts_str_t         v;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    v.data = "";
    v.len = 0;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == len
                && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
            {
                v.data = (char *) h[i].value.data;
                v.len = h[i].value.len;
                return v;
            }
        }
    }

    return v;
}


static ngx_http_sts_ctx_t *
ngx_http_sts_endpoint_ctx(ngx_http_request_t *r)
{
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx != NULL) {
        return ctx;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ngx_http_sts_pool_allocator(&ctx->allocator, r->pool);
    ctx->rc = NGX_DECLINED;
    ngx_http_set_ctx(r, ctx, ngx_http_sts_module);

    return ctx;
}


static ngx_int_t
ngx_http_sts_endpoint_set(ngx_http_request_t *r, ngx_str_t *dst,
    const char *src)
{
    size_t  len;

    len = ngx_strlen(src);
    if (len == 0) {
        return NGX_OK;
    }

    dst->data = ngx_pnalloc(r->pool, len);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len);
    dst->len = len;

    return NGX_OK;
}


/* an STS error before the parameters could be read: JSON */

static ngx_int_t
ngx_http_sts_endpoint_fault(ngx_http_request_t *r, const sts_pop_error_t *e,
    const char *detail, const char *why)
{
    sts_buf_t            b;
    sts_str_t            rid, host;
    sts_allocator_t      a;
    sts_pop_fault_t      f;
    ngx_http_sts_ctx_t  *ctx;
    char                 code[64];
    char                 request_id[STS_POP_REQUEST_ID_LEN + 1];

    ngx_http_sts_pool_allocator(&a, r->pool);
    sts_pop_request_id(request_id);

    f.error = e;
    f.detail.data = detail ? detail : "";
    f.detail.len = detail ? ngx_strlen(detail) : 0;

    rid.data = request_id;
    rid.len = STS_POP_REQUEST_ID_LEN;
    host = ngx_http_sts_endpoint_header(r, "host", 4);

    sts_buf_init(&b, &a, 0);
    if (sts_pop_render_error(&b, 0, &f, rid, host) != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) sts_pop_fault_text(&f, 0, code, sizeof(code));

    ctx = ngx_http_sts_endpoint_ctx(r);
    if (ctx != NULL) {
        if (e == &sts_pop_err_throttling) {
            ngx_str_set(&ctx->decision, "throttled");

        } else {
            ngx_str_set(&ctx->decision, "error");
        }

        (void) ngx_http_sts_endpoint_set(r, &ctx->error_code, code);
    }

    ngx_log_error(NGX_LOG_INFO, ngx_http_sts_log(r), 0,
                  "sts: request %s: %s, request id %s", code, why,
                  request_id);

    return ngx_http_sts_endpoint_send(r, e->http_status, 0, (u_char *) b.data,
                                      b.len, request_id);
}


/* the same, for sts_endpoint_error (below) */

static ngx_int_t
ngx_http_sts_endpoint_answer(ngx_http_request_t *r, const sts_pop_error_t *e,
    const char *why)
{
    return ngx_http_sts_endpoint_fault(r, e, NULL, why);
}


static ngx_int_t
ngx_http_sts_endpoint_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_uint_t xml, u_char *body, size_t len, const char *request_id)
{
    ngx_int_t            rc;
    ngx_buf_t           *b;
    ngx_chain_t          out;
    ngx_table_elt_t     *h;
    ngx_pool_cleanup_t  *cln;

    /* the body may hold a secret: wiped when the request is done */
    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_str_t));
    if (cln == NULL) {
        ngx_explicit_memzero(body, len);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ((ngx_str_t *) cln->data)->data = body;
    ((ngx_str_t *) cln->data)->len = len;
    cln->handler = ngx_http_sts_endpoint_wipe;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;

    if (xml) {
        ngx_str_set(&r->headers_out.content_type, "text/xml;charset=utf-8");

    } else {
        ngx_str_set(&r->headers_out.content_type,
                    "application/json;charset=utf-8");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "x-acs-request-id");
    h->value.len = ngx_strlen(request_id);
    h->value.data = ngx_pnalloc(r->pool, h->value.len);
    if (h->value.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(h->value.data, request_id, h->value.len);

    /* credentials must not sit in caches */
    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "no-store");

    if (status == NGX_HTTP_NOT_ALLOWED) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "GET, POST");
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static void
ngx_http_sts_endpoint_wipe(void *data)
{
    ngx_str_t  *s = data;

    if (s->data != NULL && s->len) {
        ngx_explicit_memzero(s->data, s->len);
    }
}


/* the replay cache, in the module's shared table */

static int
ngx_http_sts_nonce_check(void *data,
    const unsigned char digest[STS_POP_DIGEST_LEN], sts_str_t caller,
    int64_t expires)
{
    u_char                    owner[STS_STATE_KEY_LEN];
    time_t                    until;
    ngx_int_t                 rc;
    ngx_http_sts_shm_value_t  v;

    if (sts_state_owner_key(owner, caller) != STS_OK) {
        return STS_ENOMEM;
    }

    /*
     * A nonce counts until its Timestamp leaves the skew window, that
     * second included; the table drops an entry at its expiry.
     */
    until = (time_t) expires + 1;

    rc = ngx_http_sts_shm_update_owned(data, digest, owner, ngx_time(),
                                       ngx_http_sts_nonce_handler, &until,
                                       &v);

    switch (rc) {

    case NGX_OK:
        return STS_OK;

    case NGX_DECLINED:
        return STS_EDUP;

    case NGX_HTTP_STS_SHM_OVER:
        if (v.last) {
            ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                          "sts: \"%*s\" holds its share of the nonce cache "
                          "(%ui nonces within the skew window); its new "
                          "calls are refused with Throttling.User until "
                          "some leave it", caller.len, caller.data,
                          v.count);
        }

        return STS_EDENIED;

    case NGX_BUSY:
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "sts: the nonce cache is full (%ui nonces within the "
                      "skew window); enlarge \"sts_nonce_cache\"",
                      v.count);
        return STS_ENOMEM;

    default:
        return STS_ENOMEM;
    }
}


/* remembers a nonce not seen within the skew window */

static ngx_int_t
ngx_http_sts_nonce_handler(ngx_http_sts_shm_value_t *v, time_t now,
    void *data)
{
    time_t  *until = data;

    if (v->count) {
        return NGX_DECLINED;
    }

    v->count = 1;
    v->expires = *until;

    return NGX_OK;
}


/* directives */

char *
ngx_http_sts_endpoint(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    ngx_http_core_loc_conf_t  *clcf;
    ngx_http_sts_main_conf_t  *smcf;

    if (slcf->endpoint) {
        return "is duplicate";
    }

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sts_module);

    smcf->nonce_zone = ngx_http_sts_shm_add(cf,
                                            &ngx_http_sts_nonce_zone_name,
                                            &ngx_http_sts_nonce_directive, 0);
    if (smcf->nonce_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_sts_endpoint_handler;

    slcf->endpoint = 1;

    return NGX_CONF_OK;
}


char *
ngx_http_sts_nonce_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    ssize_t         size;
    ngx_str_t      *value;
    ngx_uint_t      max;

    value = cf->args->elts;

    size = ngx_parse_size(&value[1]);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid nonce cache size \"%V\", at least %uz "
                           "bytes", &value[1], 8 * ngx_pagesize);
        return NGX_CONF_ERROR;
    }

    if (smcf->nonce_size) {
        return "is duplicate";
    }

    if (ngx_http_sts_shm_max_per_key(cf,
                                     cf->args->nelts > 2 ? &value[2] : NULL,
                                     &max)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    smcf->nonce_size = (size_t) size;
    smcf->nonce_max_per_key = max;

    /* the zone is sized once the http block is read */
    return NGX_CONF_OK;
}


char *
ngx_http_sts_directory(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    int                  rc;
    char                 err[STS_RAM_ERR_LEN + 256];
    size_t               accounts, users, roles, keys;
    ngx_str_t           *value;
    ngx_pool_cleanup_t  *cln;

    if (smcf->ram != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    smcf->directory_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &smcf->directory_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    /* smcf->directory_file is NUL-terminated by ngx_conf_full_name() */
    rc = sts_ram_load(&smcf->allocator, (char *) smcf->directory_file.data,
                      &smcf->ram, err, sizeof(err));
    if (rc != STS_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_sts_directory_cleanup;
    cln->data = smcf;

    sts_ram_counts(smcf->ram, &accounts, &users, &roles, &keys);

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                   "sts directory \"%V\": %uz accounts, %uz users, "
                   "%uz roles, %uz keys", &smcf->directory_file, accounts,
                   users, roles, keys);

    return NGX_CONF_OK;
}


static void
ngx_http_sts_directory_cleanup(void *data)
{
    ngx_http_sts_main_conf_t *smcf = data;

    /* wipes the secrets; the memory itself goes with the pool */
    sts_ram_free(&smcf->allocator, smcf->ram);
    smcf->ram = NULL;
}


/*
 * Called by the module's postconfiguration: sizes the nonce cache once
 * every directive of the http block is known.
 */
ngx_int_t
ngx_http_sts_endpoint_init(ngx_conf_t *cf)
{
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sts_module);

    if (smcf->nonce_zone == NULL) {
        return NGX_OK;
    }

    if (smcf->nonce_zone->shm.size == 0) {
        smcf->nonce_zone->shm.size = smcf->nonce_size
                                     ? smcf->nonce_size
                                     : NGX_HTTP_STS_NONCE_SIZE;
    }

    ngx_http_sts_shm_set_max_per_key(smcf->nonce_zone,
                                     smcf->nonce_max_per_key);

    return NGX_OK;
}


/*
 * Called by the module's loc conf merge for a location with
 * "sts_endpoint": what it needs at the http level, and no "sts_auth".
 */
char *
ngx_http_sts_endpoint_check(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *conf)
{
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sts_module);

    if (smcf->keyring == NULL || smcf->ram == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sts_endpoint\" requires \"sts_keys\" and "
                           "\"sts_directory\" at the http level");
        return NGX_CONF_ERROR;
    }

    if (conf->enable == 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sts_endpoint\" cannot be used with "
                           "\"sts_auth on\": STS requests carry their own "
                           "signature; add \"sts_auth off;\" to this "
                           "location");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* sts_endpoint_error: nginx's own errors in the STS format */

char *
ngx_http_sts_endpoint_error(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_sts_endpoint_error_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sts_endpoint_error_handler(ngx_http_request_t *r)
{
    ngx_str_t                 action;
    ngx_uint_t                status;
    ngx_http_sts_ctx_t       *ctx;
    const char               *why;
    const sts_pop_error_t    *e;

    status = r->err_status ? r->err_status : r->headers_out.status;

    switch (status) {

    case NGX_HTTP_TOO_MANY_REQUESTS:
    case NGX_HTTP_SERVICE_UNAVAILABLE:
        e = &sts_pop_err_throttling;
        why = "over a limit_req limit";
        break;

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        e = &sts_pop_err_too_large;
        why = "request body too large";
        break;

    case NGX_HTTP_NOT_ALLOWED:
        e = &sts_pop_err_method;
        why = "method not allowed";
        break;

    default:
        if (status >= 400 && status < 500) {
            e = &sts_pop_err_invalid_parameter;
            why = "a request nginx refused";

        } else {
            e = &sts_pop_err_internal;
            why = "an internal error";
        }
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    r->err_status = 0;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_sts_pool_allocator(&ctx->allocator, r->pool);
        ctx->rc = NGX_DECLINED;
        ngx_http_set_ctx(r, ctx, ngx_http_sts_module);
    }

    /* the Action of the query, for the metrics (the body is not read) */
    if (ctx->api.len == 0
        && ngx_http_arg(r, (u_char *) "Action", 6, &action) == NGX_OK
        && action.len <= 32)
    {
        ctx->api = action;
    }

    return ngx_http_sts_endpoint_answer(r, e, why);
}
