/*
 * Copyright (C) nginx-sts authors
 *
 * The access-phase handler: request view -> request mapping ->
 * authentication (token, signature) -> policy evaluation -> allow, or an
 * OSS-format XML error.  All decisions are made by the pure-C core; this
 * file only converts nginx structures and renders the answer.
 *
 * The file follows the request: the driver (handler, start, resume,
 * finish), the request view, what the request is, who signed it, the body
 * some decisions need, the policies' decision, the answer (a refusal, or
 * what changes after an allow), and the end of an abandoned decision.
 *
 * Some decisions need the request body: the keys of DeleteMultipleObjects,
 * the process of ProcessObject, the form of PostObject.  It is read in
 * the access phase (ngx_http_sts_body.c), a form only up to its file part
 * until the form is allowed.  An allowed body is proxied unchanged, but
 * where the store would read another object than the one authorised: a
 * form whose key uses ${filename} gets the expanded key, and a delete
 * list with URL-encoded keys is rebuilt from the decoded keys
 * (ngx_http_sts_rewrite_body).
 *
 * While the body is read the handler returns NGX_DONE; the post handler
 * (body complete) or a posted write event (form paused at its file part)
 * runs the phases again, and the handler picks up from ctx->state.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_access.h"
#include "ngx_http_sts_backend.h"
#include "ngx_http_sts_body.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_digest.h"
#include "ngx_http_sts_errdoc.h"
#include "ngx_http_sts_explain.h"
#include "ngx_http_sts_poststamp.h"
#include "ngx_http_sts_replay.h"
#include "ngx_http_sts_state.h"
#include "ngx_http_sts_status.h"
#include "ngx_http_sts_upload.h"
#include "core/sts_sign.h"
#include "core/sts_policy.h"
#include "core/sts_replay.h"
#include "core/sts_post.h"
#include "core/sts_cache.h"


#define NGX_HTTP_STS_MAX_CTX_KEYS  16


typedef struct {
    ngx_http_request_t         *r;
    ngx_http_sts_ctx_t         *ctx;
    ngx_http_sts_loc_conf_t    *slcf;
    sts_http_request_t          view;
    sts_auth_t                  auth;
    sts_session_t              *session;
    sts_str_t                   token;       /* the one q->session is from */
    sts_str_t                   secret;      /* the request's signing key */
    sts_sign_keys_t            *keys;        /* its derived keys, cached */

    /* the policies to evaluate, once known */
    const sts_policy_t *const  *role;
    size_t                      num_role;
    const sts_policy_t         *session_policy;
    const char                 *root_account;  /* a root key's account */
    sts_oss_conf_t              oc;
    sts_oss_op_t                op;
    const sts_oss_error_t      *err;
    sts_buf_t                   string_to_sign;
    sts_buf_t                   canonical;   /* V4 canonical request */
    sts_buf_t                   condition;   /* a PostObject policy's */
    ngx_uint_t                  log_level;
    const char                 *reason;
    const char                 *denial;      /* "deny", "implicit-deny" */

    /* the body, when the decision needs it */
    ngx_http_sts_body_t         body;        /* ngx_http_sts_body.c */
    sts_buf_t                   fwd;         /* delete: body to forward */
    sts_post_auth_t             post;
    sts_post_range_t            range;
    unsigned                    skip:1;          /* a CORS preflight */
    unsigned                    waited:1;        /* NGX_DONE was returned */
    unsigned                    state_wait:1;    /* on the fleet's store */
    unsigned                    cached:1;        /* session from the cache */
    unsigned                    longterm:1;      /* a RAM AccessKey */
} ngx_http_sts_req_t;


static ngx_int_t ngx_http_sts_start(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_resume(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_finish(ngx_http_sts_req_t *q, ngx_int_t rc);
static ngx_int_t ngx_http_sts_build_view(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_same_host(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_classify(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_authenticate(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_open_token(ngx_http_sts_req_t *q, sts_str_t akid,
    sts_str_t token);
static int ngx_http_sts_token_from_cache(ngx_http_sts_req_t *q,
    sts_cache_t *cache, sts_str_t token, int64_t now);
static int ngx_http_sts_token_open(ngx_http_sts_req_t *q, sts_str_t token,
    int64_t now);
static ngx_int_t ngx_http_sts_open_longterm(ngx_http_sts_req_t *q,
    sts_str_t akid);
static ngx_int_t ngx_http_sts_policies(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_read_body(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_body_ready(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_post_ready(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_post_authenticate(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_authorize(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_condition_context(ngx_http_sts_req_t *q,
    char *now, sts_policy_kv_t *kv, size_t *nkv);
static void ngx_http_sts_kv(sts_policy_kv_t *kv, size_t *nkv, const char *key,
    const void *data, size_t len);
static void ngx_http_sts_replay_record(ngx_http_sts_req_t *q,
    sts_policy_kv_t *kv, size_t nkv);
static ngx_int_t ngx_http_sts_evaluate(ngx_http_sts_req_t *q,
    sts_policy_kv_t *kv, size_t nkv);
static ngx_int_t ngx_http_sts_deny(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_strip(ngx_http_sts_req_t *q);
static ngx_int_t ngx_http_sts_rewrite_body(ngx_http_sts_req_t *q);
static void ngx_http_sts_access_abandon(ngx_http_sts_ctx_t *ctx);
static void ngx_http_sts_req_cleanup(ngx_http_sts_req_t *q);
static void ngx_http_sts_session_cleanup(void *data);
static ngx_int_t ngx_http_sts_set_str(ngx_http_sts_req_t *q, ngx_str_t *dst,
    const char *src, size_t len);


ngx_int_t
ngx_http_sts_access_handler(ngx_http_request_t *r)
{
    ngx_int_t                 rc;
    ngx_http_sts_req_t       *q;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_sts_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    if (!slcf->enable) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx != NULL) {
        if (ctx->state != NULL) {
            /* the phases run again: a body the decision waits for */
            return ngx_http_sts_resume(ctx->state);
        }

        /*
         * The access phase ran again for this request, in this location
         * (another access module asked to be called again) or in the one
         * of an internal redirect (error_page ...): repeat the decision;
         * anything but an earlier allow is a denial, except that the
         * error document of a refusal may be sent.
         */
        if (ctx->rc != NGX_OK && ngx_http_sts_is_error_document(r)) {
            return NGX_OK;
        }

        return ctx->rc == NGX_OK ? NGX_OK : NGX_HTTP_FORBIDDEN;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_req_t));
    if (q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sts_pool_allocator(&ctx->allocator, r->pool);
    ctx->rc = NGX_HTTP_FORBIDDEN;
    ctx->state = q;
    ngx_http_set_ctx(r, ctx, ngx_http_sts_module);

    /* found again after an internal redirect (ngx_http_sts_ctx.c) */
    if (ngx_http_sts_keep_ctx(r, ctx) != NGX_OK) {
        ctx->state = NULL;
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q->r = r;
    q->ctx = ctx;
    q->slcf = slcf;
    q->log_level = NGX_LOG_INFO;
    sts_buf_init(&q->string_to_sign, &ctx->allocator, 0);
    sts_buf_init(&q->canonical, &ctx->allocator, 0);
    sts_buf_init(&q->condition, &ctx->allocator, 1024);
    sts_buf_init(&q->body.copy, &ctx->allocator, 0);

    q->oc.mode = (sts_addressing_e) slcf->addressing;
    q->oc.domain.data = (char *) slcf->addressing_arg.data;
    q->oc.domain.len = slcf->addressing_arg.len;
    q->oc.bucket = q->oc.domain;
    q->oc.account.data = (char *) slcf->account.data;
    q->oc.account.len = slcf->account.len;
    q->oc.bucket_config = (sts_oss_bucket_config_e) slcf->bucket_config;

    rc = ngx_http_sts_start(q);

    return ngx_http_sts_finish(q, rc);
}


/*
 * ngx_http_sts_start and the functions it calls return NGX_OK to allow,
 * NGX_DECLINED with q->err set to refuse, NGX_DECLINED with q->skip set
 * (and only by the preflight branch below) for a request that needs no
 * authorisation, NGX_AGAIN while the body is still being read, or an HTTP
 * error status.  NGX_DECLINED with neither is a bug, refused by
 * ngx_http_sts_finish: a forgotten q->err never lets a request through.
 */
static ngx_int_t
ngx_http_sts_start(ngx_http_sts_req_t *q)
{
    ngx_int_t  rc;

    rc = ngx_http_sts_build_view(q);

    if (rc == NGX_OK) {
        rc = ngx_http_sts_classify(q);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    if (q->op.preflight) {
        /*
         * CORS preflight is unauthenticated (doc/protocol.md 7, row 29).  A
         * browser never sends one with a body; what a body would make the
         * store do is not authorised, so it is refused rather than
         * forwarded (HTTP/2 bodies without a length count as chunked).
         */
        if (q->r->headers_in.content_length_n > 0
            || q->r->headers_in.chunked)
        {
            q->err = &sts_err_preflight_body;
            q->reason = "CORS preflight with a body";
            return NGX_DECLINED;
        }

        q->skip = 1;
        return NGX_DECLINED;
    }

    if (q->op.body == STS_OSS_BODY_POST) {
        if (q->auth.kind != STS_AUTH_NONE) {
            q->err = &sts_err_invalid_argument_auth;
            q->reason = "PostObject is signed in its form, not its header";
            return NGX_DECLINED;
        }

        /* the credentials are form fields: read up to the file first */
        return ngx_http_sts_read_body(q);
    }

    rc = ngx_http_sts_authenticate(q);
    if (rc != NGX_OK) {
        return rc;
    }

    if (q->op.body != STS_OSS_BODY_NONE) {
        return ngx_http_sts_read_body(q);
    }

    return ngx_http_sts_authorize(q);
}


/* the phases ran again: a body being read, or the fleet's store asked */
static ngx_int_t
ngx_http_sts_resume(ngx_http_sts_req_t *q)
{
    ngx_int_t  rc;

    if (q->state_wait) {
        /* the fleet's store answered, or a wake-up before it did */
        return ngx_http_sts_finish(q, NGX_OK);
    }

    if (q->body.state == NGX_HTTP_STS_BODY_READING) {
        if (!q->body.decidable || !q->body.waiting) {
            /* woken up early: still reading */
            return NGX_DONE;
        }

        /*
         * HTTP/2, the body still arriving: a refused body, or a form at
         * its file part, is decided now, as HTTP/1.1 decides it paused;
         * an allowed form is read on, and checked again once complete
         */
        if (q->body.err != NULL) {
            q->body.waiting = 0;
            return ngx_http_sts_finish(q, ngx_http_sts_body_ready(q));
        }

        if (q->body.form_checked) {
            return NGX_DONE;
        }

        if (q->op.body == STS_OSS_BODY_POST && !q->body.form_checked) {
            rc = ngx_http_sts_post_authenticate(q);

            if (rc == NGX_OK) {
                rc = ngx_http_sts_authorize(q);
            }

            if (rc != NGX_OK) {
                q->body.waiting = 0;
                return ngx_http_sts_finish(q, rc);
            }

            q->body.form_checked = 1;
        }

        return NGX_DONE;
    }

    q->body.waiting = 0;

    return ngx_http_sts_finish(q, ngx_http_sts_body_ready(q));
}


static ngx_int_t
ngx_http_sts_finish(ngx_http_sts_req_t *q, ngx_int_t rc)
{
    ngx_http_sts_ctx_t  *ctx;

    ctx = q->ctx;

    if (rc == NGX_AGAIN) {
        /* the body is being read; the phases run again when it is */
        q->body.waiting = 1;
        q->waited = 1;

        if (q->body.decidable) {
            /* HTTP/2: decidable already (ngx_http_sts_resume) */
            ngx_http_sts_body_wake(q->r);
        }

        return NGX_DONE;
    }

    if (rc == NGX_OK && !q->state_wait) {
        /* the digests the body is checked against as it streams */
        rc = ngx_http_sts_digest_start(q->r, &q->op, &q->err, &q->reason);
        rc = (rc == NGX_ERROR) ? NGX_HTTP_INTERNAL_SERVER_ERROR : rc;
    }

    if (rc == NGX_OK) {
        /* N-use presigned URLs, the multipart grace window */
        rc = ngx_http_sts_state_allow(q->r, &q->auth, &q->op, &q->err,
                                      &q->reason);

        if (rc == NGX_AGAIN) {
            /* the fleet's store is asked; the phases run again on its answer */
            q->state_wait = 1;
            q->waited = 1;
            return NGX_DONE;
        }

        rc = (rc == NGX_ERROR) ? NGX_HTTP_INTERNAL_SERVER_ERROR : rc;
    }

    /* decided */
    ctx->state = NULL;
    q->state_wait = 0;

    if (rc == NGX_OK) {
        ngx_str_set(&ctx->decision, "allow");

        if (q->slcf->strip && ngx_http_sts_strip(q) != NGX_OK) {
            rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

        } else if (ngx_http_sts_upload_stamp(q->r) != NGX_OK) {
            rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

        } else if (ngx_http_sts_rewrite_body(q) != NGX_OK) {
            rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

        } else if (ngx_http_sts_backend_prepare(q->r, &q->op,
                                                &q->auth.params,
                                                q->op.body
                                                == STS_OSS_BODY_POST
                                                ? &q->body.form : NULL)
                   != NGX_OK)
        {
            rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

        } else {
            ctx->rc = NGX_OK;
        }

    } else if (rc == NGX_DECLINED && q->err != NULL) {
        /*
         * NGX_DONE: the answer was sent and the request finalized, so q and
         * ctx may be gone; anything else: nothing was sent yet
         */
        rc = ngx_http_sts_deny(q);
        if (rc == NGX_DONE) {
            return rc;
        }

    } else if (rc == NGX_DECLINED && q->skip) {
        /* a request that needs no authentication (CORS preflight) */
        if (q->slcf->strip && ngx_http_sts_strip(q) != NGX_OK) {
            rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

        } else {
            ngx_str_set(&ctx->decision, "skip");
            ctx->rc = NGX_OK;
        }

    } else if (rc == NGX_DECLINED) {
        /* neither refused nor skipped: never an allow */
        q->err = &sts_err_internal;
        q->reason = "no decision was made";
        q->log_level = NGX_LOG_ERR;

        rc = ngx_http_sts_deny(q);
        if (rc == NGX_DONE) {
            return rc;
        }
    }

    ngx_http_sts_req_cleanup(q);

    return rc;
}


static ngx_int_t
ngx_http_sts_build_view(ngx_http_sts_req_t *q)
{
    u_char              *p, *last, *qm;
    ngx_uint_t           i, n;
    ngx_list_part_t     *part;
    ngx_table_elt_t     *h;
    sts_header_t        *hv;
    ngx_http_request_t  *r;

    r = q->r;

    q->view.method.data = (char *) r->method_name.data;
    q->view.method.len = r->method_name.len;

    if (r->headers_in.host != NULL) {
        q->view.host.data = (char *) r->headers_in.host->value.data;
        q->view.host.len = r->headers_in.host->value.len;

    } else {
        q->view.host.data = "";
    }

    /*
     * An absolute request target ("GET http://host/key"): nginx picks the
     * server by its host, the gateway reads the bucket from the Host
     * header; they must be one host, or the bucket authorised and
     * forwarded would not be the one the target names.
     */
    if (r->host_start != NULL && r->host_end != NULL
        && ngx_http_sts_same_host(r) != NGX_OK)
    {
        q->err = &sts_err_invalid_argument_host;
        q->reason = "the request target names another host than the Host "
                    "header";
        return NGX_DECLINED;
    }

    /* the raw request target, exactly as the client sent and signed it */
    p = r->unparsed_uri.data;
    last = p + r->unparsed_uri.len;
    qm = ngx_strlchr(p, last, '?');

    q->view.raw_path.data = (char *) p;
    q->view.raw_path.len = (qm ? qm : last) - p;
    q->view.raw_query.data = qm ? (char *) qm + 1 : "";
    q->view.raw_query.len = qm ? (size_t) (last - qm - 1) : 0;

    if (!sts_http_target_valid(&q->view)) {
        q->err = &sts_err_invalid_uri;
        q->reason = "a raw '#' in the request target";
        return NGX_DECLINED;
    }

    n = 0;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    hv = ngx_palloc(r->pool, (n ? n : 1) * sizeof(sts_header_t));
    if (hv == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = 0;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;
        for (i = 0; i < part->nelts; i++) {
            hv[n].name.data = (char *) h[i].key.data;
            hv[n].name.len = h[i].key.len;
            hv[n].value.data = (char *) h[i].value.data;
            hv[n].value.len = h[i].value.len;
            n++;
        }
    }

    q->view.headers = hv;
    q->view.num_headers = n;
    q->view.client_addr.data = (char *) r->connection->addr_text.data;
    q->view.client_addr.len = r->connection->addr_text.len;
#if (NGX_HTTP_SSL)
    q->view.secure = r->connection->ssl != NULL;
#endif
    q->view.now = ngx_time();

    return NGX_OK;
}


/*
 * The host of an absolute request target against the Host header, ignoring
 * case and ports: a port selects no bucket, and host_start..host_end never
 * holds one (nginx parses the target's port apart).
 */
static ngx_int_t
ngx_http_sts_same_host(ngx_http_request_t *r)
{
    u_char  *p, *last;
    size_t   len;

    if (r->headers_in.host == NULL) {
        return NGX_DECLINED;
    }

    p = r->headers_in.host->value.data;
    last = p + r->headers_in.host->value.len;

    if (p < last && *p == '[') {
        p = ngx_strlchr(p, last, ']');
        p = (p != NULL) ? p + 1 : last;

    } else {
        p = ngx_strlchr(p, last, ':');
        p = (p != NULL) ? p : last;
    }

    len = p - r->headers_in.host->value.data;

    if (len != (size_t) (r->host_end - r->host_start)
        || ngx_strncasecmp(r->host_start, r->headers_in.host->value.data,
                           len) != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * What the request is: its authentication form (parsed, not verified
 * yet), its API and {action, resource} pairs, and the request target the
 * backend receives ($sts_backend_uri).
 */
static ngx_int_t
ngx_http_sts_classify(ngx_http_sts_req_t *q)
{
    int                  rc;
    sts_str_t            uri;
    sts_auth_opts_t      opts;
    ngx_http_sts_ctx_t  *ctx;

    ctx = q->ctx;

    if (q->r->method == NGX_HTTP_OPTIONS) {
        /*
         * A preflight carries no credentials, but a browser sends it to
         * the very URL of the request to come, presign parameters and all:
         * only the query is read here
         */
        rc = sts_query_parse(&ctx->allocator, q->view.raw_query,
                             &q->auth.params);
        if (rc == STS_ENOMEM) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc != STS_OK) {
            q->err = &sts_err_invalid_argument_query;
            q->reason = "malformed query";
            return NGX_DECLINED;
        }

    } else {
        opts.now = q->view.now;
        opts.max_skew = q->slcf->max_skew;
        opts.region.data = (char *) q->slcf->region.data;
        opts.region.len = q->slcf->region.len;

        rc = sts_auth_parse(&ctx->allocator, &q->auth, &q->view, &opts,
                            &q->err);

        if (q->auth.access_key_id.len) {
            if (ngx_http_sts_set_str(q, &ctx->access_key_id,
                                     q->auth.access_key_id.data,
                                     q->auth.access_key_id.len) != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        if (rc != STS_OK) {
            if (q->err == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            q->reason = "malformed request authentication";
            return NGX_DECLINED;
        }

        switch (q->auth.kind) {
        case STS_AUTH_V1:
            ngx_str_set(&ctx->auth_type, "v1");
            break;
        case STS_AUTH_V1_PRESIGN:
            ngx_str_set(&ctx->auth_type, "presign-v1");
            break;
        case STS_AUTH_V4:
            ngx_str_set(&ctx->auth_type, "v4");
            break;
        case STS_AUTH_V4_PRESIGN:
            ngx_str_set(&ctx->auth_type, "presign-v4");
            break;
        default:
            ngx_str_set(&ctx->auth_type, "none");
            break;
        }
    }

    /* what the request touches: needed for the canonical resource too */

    rc = sts_oss_classify(&ctx->allocator, &q->oc, &q->view,
                          &q->auth.params, &q->op, &q->err);
    if (rc != STS_OK) {
        if (q->err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->reason = (q->err == &sts_err_invalid_object_name
                     || q->err == &sts_err_invalid_bucket_name)
                    ? "invalid bucket or object name"
                    : (q->err == &sts_err_method_override)
                    ? "method override header" : "request not mapped";
        return NGX_DECLINED;
    }

    /* what is forwarded is what is checked */

    if (sts_oss_backend_uri(&ctx->allocator, &q->op, &q->auth.params, &uri)
        != STS_OK
        || ngx_http_sts_set_str(q, &ctx->backend_uri, uri.data, uri.len)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/*
 * The header or URL signature: the token it names must open, belong to
 * the AccessKeyId, and its secret must give the same signature.
 */
static ngx_int_t
ngx_http_sts_authenticate(ngx_http_sts_req_t *q)
{
    int        rc;
    ngx_int_t  nrc;
    sts_str_t  secret, sts, can;

    if (q->auth.kind == STS_AUTH_NONE) {
        q->err = &sts_err_anonymous;
        q->reason = "no credentials";
        return NGX_DECLINED;
    }

    nrc = ngx_http_sts_open_token(q, q->auth.access_key_id,
                                  q->auth.security_token);
    if (nrc != NGX_OK) {
        return nrc;
    }

    secret = q->secret;

    rc = sts_auth_verify_keyed(&q->ctx->allocator, &q->auth, &q->view,
                               q->op.bucket, q->op.key, secret, q->keys,
                               &q->string_to_sign, &q->canonical);

    if (rc == STS_EBADSIG) {
        sts.data = q->string_to_sign.data;
        sts.len = q->string_to_sign.len;
        can.data = q->canonical.data;
        can.len = q->canonical.len;

        if (ngx_http_sts_explain_signature(q->r,
                                           q->auth.kind == STS_AUTH_V4
                                           || q->auth.kind
                                              == STS_AUTH_V4_PRESIGN,
                                           sts, can)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->err = &sts_err_signature_mismatch;
        q->reason = "signature does not match";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (rc == STS_EINVAL) {
        q->err = &sts_err_invalid_argument_auth;
        q->reason = "request cannot be verified";
        return NGX_DECLINED;
    }

    if (rc != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/*
 * Opens the credentials of the request: the token of temporary credentials
 * into q->session (from the per-worker cache when there is one), or, with
 * a RAM directory, a long-term AccessKey.  Sets q->secret.
 */
static ngx_int_t
ngx_http_sts_open_token(ngx_http_sts_req_t *q, sts_str_t akid,
    sts_str_t token)
{
    int                        rc;
    int64_t                    now;
    sts_cache_t               *cache;
    ngx_http_sts_ctx_t        *ctx;
    ngx_http_sts_main_conf_t  *smcf;

    ctx = q->ctx;
    smcf = ngx_http_get_module_main_conf(q->r, ngx_http_sts_module);

    if (akid.len < 4 || ngx_strncmp(akid.data, "STS.", 4) != 0) {
        if (smcf->ram != NULL) {
            return ngx_http_sts_open_longterm(q, akid);
        }

        /* without a RAM directory only temporary credentials exist */
        q->err = &sts_err_invalid_access_key_id;
        q->reason = "not an STS AccessKeyId";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (token.len == 0) {
        q->err = &sts_err_token_invalid;
        q->reason = "no security token";
        return NGX_DECLINED;
    }

    q->token = token;
    cache = ngx_http_sts_token_cache();

    /* a call on an upload may open a token up to its grace past expiry */
    now = q->view.now - ngx_http_sts_grace_window(q->r, &q->op,
                                                  &q->auth.params);

    if (cache != NULL) {
        rc = ngx_http_sts_token_from_cache(q, cache, token, now);

    } else {
        rc = ngx_http_sts_token_open(q, token, now);
    }

    if (q->session != NULL) {
        if (ngx_http_sts_set_str(q, &ctx->role_arn, q->session->role_arn,
                                 ngx_strlen(q->session->role_arn))
            != NGX_OK
            || ngx_http_sts_set_str(q, &ctx->session_name,
                                    q->session->session_name,
                                    ngx_strlen(q->session->session_name))
               != NGX_OK
            || ngx_http_sts_set_str(q, &ctx->source,
                                    q->session->source_arn,
                                    ngx_strlen(q->session->source_arn))
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->expiration = q->session->expiration;
    }

    switch (rc) {

    case STS_OK:
        break;

    case STS_ENOMEM:
    case STS_ECRYPTO:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    case STS_ETOKEN_EXPIRED:
        q->err = &sts_err_token_expired;
        q->reason = sts_strerror(rc);
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;

    default:
        q->err = &sts_err_token_invalid;
        q->reason = sts_strerror(rc);
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    /* sts_revoked: cached or not, every request with the token */
    if (ngx_http_sts_revoked_check(q->r, q->session, &q->reason) != NGX_OK) {
        q->err = &sts_err_token_invalid;
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (sts_session_check_akid(q->session, akid.data, akid.len) != STS_OK) {
        q->err = &sts_err_token_mismatch;
        q->reason = "AccessKeyId does not match the token";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (q->session->expiration <= q->view.now
        && ngx_http_sts_grace_check(q->r, &q->op, &q->auth.params, akid,
                                    (time_t) q->session->expiration)
           != NGX_OK)
    {
        /* opened for its grace, but this upload is not the token's */
        q->err = &sts_err_token_expired;
        q->reason = "token expired, no grace for this upload";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    q->secret.data = q->session->access_key_secret;
    q->secret.len = ngx_strlen(q->session->access_key_secret);

    return NGX_OK;
}


/*
 * The token from the per-worker cache (opened and kept there on a miss);
 * the core's status.  q->session points into the cache entry.
 */
static int
ngx_http_sts_token_from_cache(ngx_http_sts_req_t *q, sts_cache_t *cache,
    sts_str_t token, int64_t now)
{
    int                        rc;
    char                       err[STS_POLICY_ERR_LEN];
    uint64_t                   hits;
    sts_cache_stats_t          stats;
    ngx_http_sts_ctx_t        *ctx;
    sts_cached_token_t         ct;
    ngx_http_sts_main_conf_t  *smcf;

    ctx = q->ctx;
    smcf = ngx_http_get_module_main_conf(q->r, ngx_http_sts_module);

    sts_cache_stats(cache, &stats);
    hits = stats.hits;

    rc = sts_cache_open(cache, smcf->keyring, token.data, token.len,
                        now, &ct, err, sizeof(err));

    sts_cache_stats(cache, &stats);
    if (stats.hits != hits) {
        ngx_str_set(&ctx->token_cache, "hit");
    } else {
        ngx_str_set(&ctx->token_cache, "miss");
    }

    /* the session lives in the cache: read it now, keep no pointer */
    q->session = (sts_session_t *) ct.session;
    q->cached = 1;

    if (rc == STS_OK) {
        q->role = ct.role;
        q->num_role = ct.num_role;
        q->session_policy = ct.session_policy;
        q->keys = ct.keys;
    }

    if (rc == STS_ETOKEN_CLAIMS && err[0]) {
        ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(q->r), 0,
                      "sts: a policy in the token of \"%V\" does not "
                      "compile: %s", &ctx->access_key_id, err);
    }

    return rc;
}


/*
 * The token opened for this request alone ("sts_cache off"); the core's
 * status.  The session, when there is one, is freed with the pool.
 */
static int
ngx_http_sts_token_open(ngx_http_sts_req_t *q, sts_str_t token,
    int64_t now)
{
    int                        rc;
    ngx_pool_cleanup_t        *cln;
    ngx_http_sts_ctx_t        *ctx;
    ngx_http_sts_main_conf_t  *smcf;

    ctx = q->ctx;
    smcf = ngx_http_get_module_main_conf(q->r, ngx_http_sts_module);

    ngx_str_set(&ctx->token_cache, "off");

    rc = sts_token_open(&ctx->allocator, smcf->keyring, token.data,
                        token.len, now, &q->session);

    if (q->session != NULL) {
        cln = ngx_pool_cleanup_add(q->r->pool, 0);
        if (cln == NULL) {
            sts_session_free(&ctx->allocator, q->session);
            q->session = NULL;
            return STS_ENOMEM;
        }

        cln->handler = ngx_http_sts_session_cleanup;
        cln->data = q->session;
    }

    return rc;
}


/*
 * A RAM user's (or an account's root) long-term AccessKey, from the
 * directory: its secret signs the request and its own policies decide, as
 * OSS does for such keys.  A root key owns what its account owns.
 */
static ngx_int_t
ngx_http_sts_open_longterm(ngx_http_sts_req_t *q, sts_str_t akid)
{
    int                        rc;
    sts_ram_principal_t        p;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(q->r, ngx_http_sts_module);

    rc = sts_ram_find_access_key(smcf->ram, akid, &p);

    if (rc == STS_ENOTFOUND) {
        q->err = &sts_err_invalid_access_key_id;
        q->reason = "unknown AccessKeyId";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (rc == STS_EDENIED) {
        q->err = &sts_err_access_key_disabled;
        q->reason = "the AccessKey is inactive";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (rc != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_sts_set_str(q, &q->ctx->role_arn, p.arn,
                             ngx_strlen(p.arn)) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q->longterm = 1;
    q->secret = p.secret;
    q->role = p.policies;
    q->num_role = p.num_policies;
    q->session_policy = NULL;

    if (p.kind == STS_RAM_ROOT) {
        q->root_account = p.account_id;
    }

    return NGX_OK;
}


/*
 * The policies to evaluate: a long-term key's own; for a token, the role's
 * current policies when a RAM directory is configured (a role narrowed or
 * removed takes effect at reload), else the snapshot the token carries,
 * and the token's session policy.  Compiled once per token in the cache,
 * or here into the request pool without one.
 */
static ngx_int_t
ngx_http_sts_policies(ngx_http_sts_req_t *q)
{
    int                        rc;
    char                       err[STS_POLICY_ERR_LEN];
    size_t                     i;
    sts_str_t                  arn;
    sts_policy_t             **role, *sp;
    sts_cached_token_t         ct;
    ngx_http_sts_ctx_t        *ctx;
    ngx_http_sts_main_conf_t  *smcf;

    if (q->longterm) {
        return NGX_OK;
    }

    ctx = q->ctx;
    smcf = ngx_http_get_module_main_conf(q->r, ngx_http_sts_module);

    if (q->cached && q->waited) {
        /*
         * Other requests ran while the body was read: the entry may have
         * been evicted, so the pointers are taken afresh (a hit, usually)
         */
        rc = sts_cache_open(ngx_http_sts_token_cache(), smcf->keyring,
                            q->token.data, q->token.len, q->view.now, &ct,
                            err, sizeof(err));
        if (rc != STS_OK) {
            q->err = (rc == STS_ETOKEN_EXPIRED) ? &sts_err_token_expired
                                                : &sts_err_token_invalid;
            q->reason = sts_strerror(rc);
            q->log_level = NGX_LOG_ERR;
            return NGX_DECLINED;
        }

        q->role = ct.role;
        q->num_role = ct.num_role;
        q->session_policy = ct.session_policy;
    }

    if (!q->cached) {
        /* no cache: compile what the token carries */
        role = ngx_pcalloc(q->r->pool, (q->session->num_role_policies + 1)
                                       * sizeof(sts_policy_t *));
        if (role == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        for (i = 0; i < q->session->num_role_policies; i++) {
            rc = sts_policy_compile(&ctx->allocator,
                                    q->session->role_policies[i],
                                    ngx_strlen(q->session->role_policies[i]),
                                    STS_POLICY_IDENTITY, &role[i], err,
                                    sizeof(err));
            if (rc != STS_OK) {
                goto failed;
            }
        }

        sp = NULL;

        if (q->session->session_policy != NULL) {
            rc = sts_policy_compile(&ctx->allocator,
                                    q->session->session_policy,
                                    ngx_strlen(q->session->session_policy),
                                    STS_POLICY_IDENTITY, &sp, err,
                                    sizeof(err));
            if (rc != STS_OK) {
                goto failed;
            }
        }

        q->role = (const sts_policy_t *const *) role;
        q->num_role = q->session->num_role_policies;
        q->session_policy = sp;
    }

    if (smcf->ram != NULL) {
        arn.data = (char *) ctx->role_arn.data;
        arn.len = ctx->role_arn.len;

        rc = sts_ram_role_policies(smcf->ram, arn, &q->role, &q->num_role);
        if (rc != STS_OK) {
            q->err = &sts_err_access_denied_policy;
            q->reason = "the role is not in the RAM directory";
            q->denial = "implicit-deny";
            q->log_level = NGX_LOG_ERR;
            return NGX_DECLINED;
        }
    }

    return NGX_OK;

failed:

    if (rc == STS_ENOMEM) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(q->r), 0,
                  "sts: a policy in the token of \"%V\" does not compile: "
                  "%s", &ctx->access_key_id, err);
    q->err = &sts_err_token_invalid;
    q->reason = "token policy does not compile";

    return NGX_DECLINED;
}


/*
 * Reads the body the decision needs (ngx_http_sts_body.c), then decides;
 * NGX_AGAIN while it is read.
 */
static ngx_int_t
ngx_http_sts_read_body(ngx_http_sts_req_t *q)
{
    ngx_int_t  rc;

    rc = ngx_http_sts_body_start(q->r, &q->body, q->op.body,
                                 &q->ctx->allocator, &q->err, &q->reason);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sts_body_ready(q);
}


/* the body is read (or a form stopped at its file part): decide */
static ngx_int_t
ngx_http_sts_body_ready(ngx_http_sts_req_t *q)
{
    int                  rc;
    const char          *body;
    const sts_header_t  *h;

    if (q->body.err != NULL) {
        q->err = q->body.err;
        q->reason = "request body refused";
        return NGX_DECLINED;
    }

    if (q->op.body == STS_OSS_BODY_POST) {
        return ngx_http_sts_post_ready(q);
    }

    body = q->body.copy.data ? q->body.copy.data : "";

    if (q->op.body == STS_OSS_BODY_DELETE) {
        h = sts_http_header(&q->view, "Content-MD5", NULL);

        if (h != NULL
            && !sts_oss_content_md5_ok(h->value, body, q->body.copy.len))
        {
            q->err = &sts_err_invalid_digest;
            q->reason = "Content-MD5 does not match the body";
            return NGX_DECLINED;
        }

        sts_buf_init(&q->fwd, &q->ctx->allocator, 0);

        rc = sts_oss_add_delete_body(&q->ctx->allocator, &q->oc, &q->op,
                                     body, q->body.copy.len, &q->fwd,
                                     &q->err);

    } else {
        rc = sts_oss_add_process_body(&q->ctx->allocator, &q->oc, &q->op,
                                      body, q->body.copy.len, &q->err);
    }

    if (rc != STS_OK) {
        if (q->err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->reason = "request body refused";
        return NGX_DECLINED;
    }

    return ngx_http_sts_authorize(q);
}


static ngx_int_t
ngx_http_sts_post_ready(ngx_http_sts_req_t *q)
{
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = q->r;

    if (!q->body.form_checked) {
        if (q->body.form.stage == STS_POST_FIELDS
            && sts_post_form_end(&q->body.form) != STS_OK)
        {
            /* the whole body, and no file part in it */
            q->err = q->body.form.err;
            q->reason = "not a complete form";
            return q->err ? NGX_DECLINED : NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        rc = ngx_http_sts_post_authenticate(q);

        if (rc == NGX_OK) {
            rc = ngx_http_sts_authorize(q);
        }

        if (rc != NGX_OK) {
            return rc;
        }

        q->body.form_checked = 1;
    }

    /* allowed so far: read the upload to its end, for the proxy */
    rc = ngx_http_sts_body_continue(r, &q->body);

    if (rc == NGX_DONE) {
        /* stopped again: the rest of the form is wrong */
        return ngx_http_sts_body_ready(q);
    }

    if (rc != NGX_OK) {
        /* NGX_AGAIN: the post handler runs the phases again */
        return rc;
    }

    /* the whole form: the file is last, and its size is known */

    if (sts_post_form_end(&q->body.form) != STS_OK) {
        q->err = q->body.form.err;
        q->reason = "not a complete form";
        return q->err ? NGX_DECLINED : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (q->range.set && q->body.form.file_size < q->range.min) {
        q->err = &sts_err_entity_too_small;
        q->reason = "file smaller than the policy allows";
        return NGX_DECLINED;
    }

    if (q->range.set && q->body.form.file_size > q->range.max) {
        q->err = &sts_err_entity_too_large;
        q->reason = "file larger than the policy allows";
        return NGX_DECLINED;
    }

    if (ngx_http_sts_upload_cap(r) >= 0
        && q->body.form.file_size > (uint64_t) ngx_http_sts_upload_cap(r))
    {
        q->err = &sts_err_entity_too_large;
        q->reason = "file larger than the policies allow";
        q->log_level = NGX_LOG_ERR;
        ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_BODY_CUT);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * PostObject, once its fields are read: the signature of the policy with
 * the secret of the form's token, the policy's expiration and conditions,
 * the key (${filename}), and PutObject on that key to authorise.
 */
static ngx_int_t
ngx_http_sts_post_authenticate(ngx_http_sts_req_t *q)
{
    int                       rc;
    ngx_int_t                 nrc;
    sts_str_t                 secret, region, key;
    uint64_t                  min, max;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_request_t       *r;

    r = q->r;
    ctx = q->ctx;

    region.data = (char *) q->slcf->region.data;
    region.len = q->slcf->region.len;

    rc = sts_post_auth_parse(&q->body.form, region, q->view.now,
                             q->slcf->max_skew, &q->post, &q->err);
    if (rc != STS_OK) {
        q->reason = "malformed form signature";
        return NGX_DECLINED;
    }

    if (q->post.kind == STS_POST_AUTH_NONE) {
        q->err = &sts_err_anonymous;
        q->reason = "no credentials in the form";
        return NGX_DECLINED;
    }

    ngx_str_set(&ctx->auth_type, "post");

    /* for the logs, the variables and the error document */
    q->auth.access_key_id = q->post.access_key_id;
    q->auth.signature = q->post.signature;

    if (ngx_http_sts_set_str(q, &ctx->access_key_id,
                             q->post.access_key_id.data,
                             q->post.access_key_id.len) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    nrc = ngx_http_sts_open_token(q, q->post.access_key_id,
                                  q->post.security_token);
    if (nrc != NGX_OK) {
        return nrc;
    }

    secret = q->secret;

    rc = sts_post_auth_verify(&q->post, secret);

    if (rc == STS_EBADSIG) {
        /* the string to sign of a form is its policy, as sent */
        if (sts_buf_append(&q->string_to_sign, q->post.policy.data,
                           q->post.policy.len) != STS_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->err = &sts_err_signature_mismatch;
        q->reason = "form signature does not match";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (rc != STS_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = sts_post_object_key(&ctx->allocator, &q->body.form, &key, &q->err);
    if (rc != STS_OK) {
        if (q->err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->reason = "no key in the form";
        return NGX_DECLINED;
    }

    rc = sts_post_policy_check(&ctx->allocator, &q->body.form, &q->post,
                               q->op.bucket, key, q->view.now, &q->range,
                               &q->condition, &q->err);
    if (rc != STS_OK) {
        if (q->err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->reason = "the form does not meet its policy";
        q->log_level = NGX_LOG_ERR;
        return NGX_DECLINED;
    }

    if (q->range.set && r->headers_in.content_length_n >= 0) {
        /* refused now, not after the upload: the size is known enough */
        sts_post_file_size_bounds(&q->body.form,
                                  (uint64_t) r->headers_in.content_length_n,
                                  &min, &max);

        if (max < q->range.min) {
            q->err = &sts_err_entity_too_small;
            q->reason = "file smaller than the policy allows";
            return NGX_DECLINED;
        }

        if (min > q->range.max) {
            q->err = &sts_err_entity_too_large;
            q->reason = "file larger than the policy allows";
            return NGX_DECLINED;
        }
    }

    rc = sts_oss_add_post_object(&ctx->allocator, &q->oc, &q->op, key,
                                 sts_post_form_field(&q->body.form,
                                                     "x-oss-tagging")
                                 != NULL, &q->err);
    if (rc != STS_OK) {
        if (q->err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->reason = "invalid key in the form";
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_authorize(ngx_http_sts_req_t *q)
{
    char                 now[STS_ISO8601_LEN + 1];
    size_t               nkv;
    ngx_int_t            rc;
    ngx_http_sts_ctx_t  *ctx;
    sts_policy_kv_t      kv[NGX_HTTP_STS_MAX_CTX_KEYS];

    ctx = q->ctx;

    if (ngx_http_sts_set_str(q, &ctx->api, q->op.api,
                             ngx_strlen(q->op.api)) != NGX_OK
        || ngx_http_sts_set_str(q, &ctx->bucket, q->op.bucket.data,
                                q->op.bucket.len) != NGX_OK
        || ngx_http_sts_set_str(q, &ctx->object, q->op.key.data,
                                q->op.key.len) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (q->op.num_grants == 0) {
        /* the mapping found nothing to authorise: never a silent allow */
        q->err = &sts_err_unsupported_operation;
        q->reason = "nothing to authorise";
        return NGX_DECLINED;
    }

    rc = ngx_http_sts_policies(q);
    if (rc != NGX_OK) {
        return rc;
    }

    nkv = 0;

    rc = ngx_http_sts_condition_context(q, now, kv, &nkv);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sts_replay_record(q, kv, nkv);

    if (q->root_account != NULL) {
        /*
         * An account's root key has no policies: it may do anything to
         * what its account owns (sts_account), and nothing else
         */
        if (ngx_strlen(q->root_account) != q->slcf->account.len
            || ngx_strncmp(q->root_account, q->slcf->account.data,
                           q->slcf->account.len) != 0)
        {
            q->err = &sts_err_access_denied_policy;
            q->reason = "a root key of another account than the owner";
            q->denial = "implicit-deny";
            q->log_level = NGX_LOG_ERR;
            return NGX_DECLINED;
        }

        ngx_str_set(&ctx->statement, "root");
        return NGX_OK;
    }

    return ngx_http_sts_evaluate(q, kv, nkv);
}


/*
 * the condition context: up to NGX_HTTP_STS_MAX_CTX_KEYS keys in |kv|,
 * which point into the request and into |now| (STS_ISO8601_LEN + 1 bytes)
 */
static ngx_int_t
ngx_http_sts_condition_context(ngx_http_sts_req_t *q, char *now,
    sts_policy_kv_t *kv, size_t *nkv)
{
    const sts_param_t   *p;
    ngx_http_request_t  *r;

    r = q->r;

    sts_format_iso8601(now, q->view.now);

    ngx_http_sts_kv(kv, nkv, "acs:SourceIp", q->view.client_addr.data,
                    q->view.client_addr.len);
    ngx_http_sts_kv(kv, nkv, "acs:CurrentTime", now, STS_ISO8601_LEN);
    ngx_http_sts_kv(kv, nkv, "acs:SecureTransport",
                    q->view.secure ? "true" : "false",
                    q->view.secure ? 4 : 5);
    ngx_http_sts_kv(kv, nkv, "acs:AccessId", q->auth.access_key_id.data,
                    q->auth.access_key_id.len);
    ngx_http_sts_kv(kv, nkv, "acs:MFAPresent", "false", 5);

    if (r->headers_in.user_agent) {
        ngx_http_sts_kv(kv, nkv, "acs:UserAgent",
                        r->headers_in.user_agent->value.data,
                        r->headers_in.user_agent->value.len);
    }

    if (r->headers_in.referer) {
        ngx_http_sts_kv(kv, nkv, "acs:Referer",
                        r->headers_in.referer->value.data,
                        r->headers_in.referer->value.len);
    }

    p = sts_params_get(&q->auth.params, "prefix");
    if (p != NULL) {
        ngx_http_sts_kv(kv, nkv, "oss:Prefix", p->value.data, p->value.len);
    }

    p = sts_params_get(&q->auth.params, "delimiter");
    if (p != NULL) {
        ngx_http_sts_kv(kv, nkv, "oss:Delimiter", p->value.data,
                        p->value.len);
    }

    if (ngx_http_sts_upload_keys(r, &q->op,
                                 q->op.body == STS_OSS_BODY_POST
                                 ? &q->body.form : NULL,
                                 &q->auth.params, q->role, q->num_role,
                                 q->session_policy, kv, nkv,
                                 NGX_HTTP_STS_MAX_CTX_KEYS, &q->err)
        != NGX_OK)
    {
        if (q->err != NULL) {
            q->reason = "invalid position";
            return NGX_DECLINED;
        }

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/* one key of the condition context; |key| is a literal */
static void
ngx_http_sts_kv(sts_policy_kv_t *kv, size_t *nkv, const char *key,
    const void *data, size_t len)
{
    kv[*nkv].key.data = key;
    kv[*nkv].key.len = ngx_strlen(key);
    kv[*nkv].value.data = data;
    kv[*nkv].value.len = len;
    (*nkv)++;
}


/*
 * $sts_grants, $sts_context: what a replay needs (sts_replay.h), kept as
 * a record and written out when read (ngx_http_sts_replay.c)
 */
static void
ngx_http_sts_replay_record(ngx_http_sts_req_t *q, sts_policy_kv_t *kv,
    size_t nkv)
{
    /* without memory the variables are not found, as before */
    (void) ngx_http_sts_replay_keep(q->r, q->ctx, q->op.grants,
                                    q->op.num_grants, kv, nkv);
}


/*
 * The policies' decision: every {action, resource} the request needs
 * must be allowed, and the upload within the policies' limits.
 */
static ngx_int_t
ngx_http_sts_evaluate(ngx_http_sts_req_t *q, sts_policy_kv_t *kv,
    size_t nkv)
{
    int                   rc;
    size_t                i;
    sts_str_t             action;
    ngx_http_sts_ctx_t   *ctx;
    sts_policy_ctx_t      pctx;
    sts_policy_result_t   res;
    ngx_http_request_t   *r;

    r = q->r;
    ctx = q->ctx;

    pctx.kv = kv;
    pctx.num_kv = nkv;

    for (i = 0; i < q->op.num_grants; i++) {
        action.data = q->op.grants[i].action;
        action.len = ngx_strlen(action.data);

        rc = sts_policy_evaluate(q->role, q->num_role, q->session_policy,
                                 action, q->op.grants[i].resource, &pctx,
                                 &res);
        if (rc != STS_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* $sts_statement ... are written out when read */
        if (ngx_http_sts_set_str(q, &ctx->action, action.data, action.len)
            != NGX_OK
            || ngx_http_sts_set_str(q, &ctx->resource,
                                    q->op.grants[i].resource.data,
                                    q->op.grants[i].resource.len)
               != NGX_OK
            || ngx_http_sts_explain_policy(r, &res, q->longterm) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (res.decision != STS_POLICY_ALLOW) {
            q->err = &sts_err_access_denied_policy;
            q->reason = sts_policy_decision_name(res.decision);
            q->denial = (res.decision == STS_POLICY_EXPLICIT_DENY)
                        ? "deny" : "implicit-deny";
            q->log_level = NGX_LOG_ERR;

            /* EntityTooLarge when only the size was wrong */
            return ngx_http_sts_upload_decide(r, &q->op, 0, q->role,
                                              q->num_role, q->session_policy,
                                              kv, nkv, &q->err, &q->reason)
                   == NGX_ERROR ? NGX_HTTP_INTERNAL_SERVER_ERROR
                                : NGX_DECLINED;
        }
    }

    if (ngx_http_sts_upload_decide(r, &q->op, 1, q->role, q->num_role,
                                   q->session_policy, kv, nkv, &q->err,
                                   &q->reason)
        != NGX_OK)
    {
        return q->err ? NGX_DECLINED : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

#if (NGX_DEBUG)
    if (r->connection->log->log_level & NGX_LOG_DEBUG_HTTP) {
        /* the statement for the line below */
        (void) ngx_http_sts_explain_settle(r, ctx);
    }
#endif

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: allow %s for \"%V\" on \"%V\" by %V",
                   q->op.api, &ctx->access_key_id, &ctx->resource,
                   &ctx->statement);

    return NGX_OK;
}


/*
 * Refuses the request with its OSS-format XML error and finalizes it here
 * (NGX_DONE), where nginx's own access modules return the status to the
 * access phase.  It must, for the answer is this refusal's own: the
 * status and error code of q->err, the request id just logged, and
 * fields (StringToSign, RequestTime, the failed Condition ...) held in q
 * and wiped once rendered; a bare status would get nginx's HTML page
 * unless an error_page sent it to sts_error_document, and OSS clients
 * read the XML.  A body the decision left unread also needs its
 * connection closed with lingering, so the client still gets the answer.
 * Hence a refusal is final: the access phase takes NGX_DONE as a request
 * already answered, so under "satisfy any" another access module cannot
 * let through a request refused here.
 */
static ngx_int_t
ngx_http_sts_deny(ngx_http_sts_req_t *q)
{
    size_t                  n;
    ngx_int_t               rc;
    sts_buf_t               hex;
    ngx_http_request_t     *r;
    sts_error_field_t       fields[4 + NGX_HTTP_STS_EXPLAIN_FIELDS];
    const sts_oss_error_t  *e;
    char                    request_id[STS_REQUEST_ID_LEN + 1];
    char                    rt[STS_RFC1123_LEN + 1];
    char                    st[STS_RFC1123_LEN + 1];

    r = q->r;
    e = q->err;

    sts_request_id(request_id);

    if (ngx_http_sts_set_str(q, &q->ctx->error_code, e->code,
                             ngx_strlen(e->code)) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a policy's explicit or implicit deny, or any other refusal */
    if (q->denial != NULL) {
        q->ctx->decision.data = (u_char *) q->denial;
        q->ctx->decision.len = ngx_strlen(q->denial);

    } else {
        ngx_str_set(&q->ctx->decision, "error");
    }

    /* AccessKeyId and request id only: never tokens or signatures */
    ngx_log_error(q->log_level, ngx_http_sts_log(r), 0,
                  "sts: %s %s for \"%V\": %s, request id %s",
                  q->op.api ? q->op.api : "request", e->code,
                  &q->ctx->access_key_id,
                  q->reason ? q->reason : "refused", request_id);

    n = 0;
    sts_buf_init(&hex, &q->ctx->allocator, 0);

    if (e == &sts_err_signature_mismatch) {
        fields[n].name = "OSSAccessKeyId";
        fields[n++].value = q->auth.access_key_id;
        fields[n].name = "SignatureProvided";
        fields[n++].value = q->auth.signature;
        fields[n].name = "StringToSign";
        fields[n].value.data = q->string_to_sign.data;
        fields[n++].value.len = q->string_to_sign.len;

        if (q->string_to_sign.len
            && sts_error_hex_bytes(&hex, fields[n - 1].value) != STS_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        fields[n].name = "StringToSignBytes";
        fields[n].value.data = hex.data ? hex.data : "";
        fields[n++].value.len = hex.len;

    } else if (e == &sts_err_invalid_bucket_name
               || e == &sts_err_no_such_bucket)
    {
        fields[n].name = "BucketName";
        fields[n++].value = q->op.bucket;

    } else if (e == &sts_err_time_skewed) {
        sts_format_rfc1123(rt, q->auth.time);
        sts_format_rfc1123(st, q->view.now);
        fields[n].name = "RequestTime";
        fields[n].value.data = rt;
        fields[n++].value.len = STS_RFC1123_LEN;
        fields[n].name = "ServerTime";
        fields[n].value.data = st;
        fields[n++].value.len = STS_RFC1123_LEN;

    } else if (e == &sts_err_token_expired && q->ctx->expiration) {
        /* when it expired, and the time here (ISO 8601, UTC) */
        sts_format_iso8601(rt, q->ctx->expiration);
        sts_format_iso8601(st, q->view.now);
        fields[n].name = "Expiration";
        fields[n].value.data = rt;
        fields[n++].value.len = STS_ISO8601_LEN;
        fields[n].name = "ServerTime";
        fields[n].value.data = st;
        fields[n++].value.len = STS_ISO8601_LEN;

    } else if (q->condition.len) {
        /* PostObject: the policy condition that failed */
        fields[n].name = "Condition";
        fields[n].value.data = q->condition.data;
        fields[n++].value.len = q->condition.len;
    }

    if (q->body.state == NGX_HTTP_STS_BODY_NONE) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            r->keepalive = 0;
        }

    } else if (q->body.state != NGX_HTTP_STS_BODY_COMPLETE) {
        /*
         * the rest of the body stays unread: no keep-alive, and a
         * lingering close so that the client still gets this answer
         */
        r->keepalive = 0;
        r->lingering_close = 1;
    }

    if (ngx_http_sts_explain_deny(r, q->reason, request_id, fields, &n)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_sts_send_error(r, e, q->view.host, request_id, fields, n);

    /* the answer is rendered: wipe, then finalize (the pool may go) */
    sts_buf_free(&hex);
    ngx_http_sts_req_cleanup(q);

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


/*
 * Removes the client's credentials before the request is proxied: the
 * backend trusts the gateway and must never see the signatures made with
 * the temporary secret, or the token.  Whatever form the request was
 * signed in (a presigned URL may also send its token in a header, a
 * header-signed request may carry its token in the query), it loses the
 * Authorization and x-oss-security-token headers and every query
 * parameter of an authentication form or of the gateway's own (the rest
 * of the query is kept byte for byte), which also keeps them out of
 * $request_uri and so out of access logs.
 */
static ngx_int_t
ngx_http_sts_strip(ngx_http_sts_req_t *q)
{
    ngx_uint_t            i, n;
    ngx_list_t            headers;
    ngx_list_part_t      *part;
    ngx_table_elt_t      *h, *nh;
    ngx_http_request_t   *r;

    r = q->r;

    if (ngx_http_sts_strip_query(r) != NGX_OK) {
        return NGX_ERROR;
    }

    n = 0;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    if (ngx_list_init(&headers, r->pool, n ? n : 1, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if ((h[i].key.len == sizeof("Authorization") - 1
                 && ngx_strncasecmp(h[i].key.data, (u_char *) "Authorization",
                                    h[i].key.len) == 0)
                || (h[i].key.len == sizeof("x-oss-security-token") - 1
                    && ngx_strncasecmp(h[i].key.data,
                                       (u_char *) "x-oss-security-token",
                                       h[i].key.len) == 0))
            {
                continue;
            }

            nh = ngx_list_push(&headers);
            if (nh == NULL) {
                return NGX_ERROR;
            }

            *nh = h[i];
        }
    }

    ngx_http_sts_set_headers(r, &headers);
    r->headers_in.authorization = NULL;

    return NGX_OK;
}


/*
 * After an allow, the body the store must read where the client's would
 * name another object: a delete list with URL-encoded keys is replaced by
 * the one rebuilt from the decoded keys, with its Content-MD5; a form
 * whose key uses ${filename} gets the expanded key.  Runs after the
 * stamps, which insert after the form's key, and before the backend
 * connector, which signs Content-MD5.
 */
static ngx_int_t
ngx_http_sts_rewrite_body(ngx_http_sts_req_t *q)
{
    u_char              *p;
    ngx_uint_t           i;
    ngx_list_part_t     *part;
    ngx_table_elt_t     *h, *md5;
    ngx_http_request_t  *r;
    char                 b64[25];

    r = q->r;

    if (q->op.body == STS_OSS_BODY_POST) {
        if (ngx_http_sts_backend_post_as_put(r)) {
            /* the key is the PUT's target, the form is not sent */
            return NGX_OK;
        }

        return ngx_http_sts_postkey(r, &q->body.form, q->op.key);
    }

    if (q->op.body != STS_OSS_BODY_DELETE || !q->op.url_keys) {
        return NGX_OK;
    }

    if (sts_oss_content_md5(q->fwd.data, q->fwd.len, b64) != STS_OK) {
        return NGX_ERROR;
    }

    md5 = NULL;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == sizeof("Content-MD5") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Content-MD5",
                                   h[i].key.len) == 0)
            {
                md5 = &h[i];
            }
        }
    }

    if (md5 == NULL) {
        md5 = ngx_list_push(&r->headers_in.headers);
        if (md5 == NULL) {
            return NGX_ERROR;
        }

        ngx_str_set(&md5->key, "Content-MD5");
        md5->lowcase_key = (u_char *) "content-md5";
        md5->hash = ngx_hash_key(md5->lowcase_key, md5->key.len);
    }

    p = ngx_pnalloc(r->pool, 24);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, b64, 24);
    md5->value.data = p;
    md5->value.len = 24;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: delete list rebuilt with decoded keys, %uz bytes",
                   q->fwd.len);

    return ngx_http_sts_body_replace(r, (u_char *) q->fwd.data, q->fwd.len);
}


/*
 * The rewrite phases are the first that run after an internal redirect
 * (the server's) or a named location (the location's), and this handler,
 * installed after nginx's own, runs first in them.  A decision still
 * waiting for the body there was cut short: nginx answered the request
 * with an error while reading the body (a body over client_max_body_size,
 * a timeout ...) and error_page sent it on.  The access phase never
 * resumes it, so it is abandoned here, before anything in the new
 * location (a variable, sts_error_document, the access phase, the log)
 * reads the context.  Without a redirect the phases never run again from
 * the rewrite phases, so a waiting decision is not seen here.
 */
ngx_int_t
ngx_http_sts_redirect_handler(ngx_http_request_t *r)
{
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);

    if (ctx != NULL && ctx->state != NULL) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "sts: decision abandoned by a redirect");

        ngx_http_sts_access_abandon(ctx);
    }

    return NGX_DECLINED;
}


/*
 * nginx answered the request with an error (a body over
 * client_max_body_size, a timeout ...) and redirected it while the
 * decision waited for the body: the decision is not made, and what it
 * needed is wiped.
 */
static void
ngx_http_sts_access_abandon(ngx_http_sts_ctx_t *ctx)
{
    ngx_http_sts_req_t  *q;

    q = ctx->state;
    if (q == NULL) {
        return;
    }

    ctx->state = NULL;
    ctx->rc = NGX_HTTP_FORBIDDEN;

    if (ctx->decision.len == 0) {
        ngx_str_set(&ctx->decision, "error");
    }

    ngx_http_sts_req_cleanup(q);
}


/* wipes what the decision needed; called before anything is sent */
static void
ngx_http_sts_req_cleanup(ngx_http_sts_req_t *q)
{
    sts_auth_free(&q->ctx->allocator, &q->auth);
    sts_buf_wipe_free(&q->string_to_sign);
    sts_buf_wipe_free(&q->canonical);
    sts_buf_free(&q->condition);
    sts_buf_wipe_free(&q->body.copy);
    sts_post_form_free(&q->body.form);
}


static void
ngx_http_sts_session_cleanup(void *data)
{
    static const sts_allocator_t  none = { NULL, NULL, NULL };

    /* wipes the temporary secret; the memory goes with the pool */
    sts_session_free(&none, data);
}


static ngx_int_t
ngx_http_sts_set_str(ngx_http_sts_req_t *q, ngx_str_t *dst, const char *src,
    size_t len)
{
    dst->data = ngx_pnalloc(q->r->pool, len ? len : 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len);
    dst->len = len;

    return NGX_OK;
}
