/*
 * Copyright (C) nginx-sts authors
 *
 * Request bodies the access phase decides on: the key list of
 * DeleteMultipleObjects, the process of ProcessObject, the fields of a
 * PostObject.  The body is read in the access phase and watched by a
 * request body filter: a bounded copy for the first two, a streaming form
 * reader for the last, which stops nginx reading at the file part (the
 * signature, policy and key all come before it), so that an upload is
 * authorised before it is accepted.  nginx keeps every byte for the
 * proxy (in memory or in a temporary file); this filter only looks.
 *
 * The decision itself is the access phase's (ngx_http_sts_access.c); the
 * filter also counts a streamed upload against its size cap
 * (ngx_http_sts_upload.c) and hashes it against its digests
 * (ngx_http_sts_digest.c).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_body.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_digest.h"
#include "ngx_http_sts_status.h"
#include "ngx_http_sts_upload.h"


static void ngx_http_sts_body_complete(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_request_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_sts_body_feed(ngx_http_request_t *r,
    ngx_http_sts_body_t *b, u_char *p, size_t n);
static ngx_int_t ngx_http_sts_body_pause(ngx_http_request_t *r,
    ngx_http_sts_body_t *b);


static ngx_http_request_body_filter_pt  ngx_http_next_request_body_filter;


ngx_int_t
ngx_http_sts_body_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_request_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_sts_request_body_filter;

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_body_start(ngx_http_request_t *r, ngx_http_sts_body_t *b,
    ngx_uint_t kind, sts_allocator_t *a, const sts_oss_error_t **err,
    const char **reason)
{
    int                  rc;
    off_t                cap;
    sts_str_t            ct;
    ngx_int_t            nrc;
    ngx_http_sts_ctx_t  *ctx;

    b->kind = kind;

    if (kind == STS_OSS_BODY_POST) {
        ct.data = "";
        ct.len = 0;

        if (r->headers_in.content_type != NULL) {
            ct.data = (char *) r->headers_in.content_type->value.data;
            ct.len = r->headers_in.content_type->value.len;
        }

        rc = sts_post_form_init(&b->form, a, ct);
        if (rc == STS_ENOMEM) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc != STS_OK) {
            *err = b->form.err;
            *reason = "not a form";
            return NGX_DECLINED;
        }

    } else {
        cap = (kind == STS_OSS_BODY_DELETE) ? STS_OSS_DELETE_MAX_BODY
                                            : STS_OSS_PROCESS_MAX_BODY;

        if (r->headers_in.content_length_n > cap) {
            *err = &sts_err_entity_too_large;
            *reason = "request body over its limit";
            return NGX_DECLINED;
        }

        sts_buf_init(&b->copy, a, (size_t) cap);
    }

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->body = b;
    b->state = NGX_HTTP_STS_BODY_READING;

    nrc = ngx_http_read_client_request_body(r, ngx_http_sts_body_complete);

    if (nrc == NGX_ERROR || nrc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return nrc;
    }

    /*
     * ngx_http_read_client_request_body() counted the request once more
     * for a content handler that would finalize it with NGX_DONE; the
     * access phase does not, so the count goes back here
     */
    r->main->count--;

    if (nrc == NGX_AGAIN) {
        return NGX_AGAIN;
    }

    /* NGX_OK: the whole body is read; NGX_DONE: the form paused */
    return NGX_OK;
}


ngx_int_t
ngx_http_sts_body_continue(ngx_http_request_t *r, ngx_http_sts_body_t *b)
{
    if (b->state != NGX_HTTP_STS_BODY_PAUSED) {
        return NGX_OK;
    }

    b->state = NGX_HTTP_STS_BODY_READING;
    r->read_event_handler = b->read_handler;
    r->write_event_handler = ngx_http_request_empty_handler;

    /* NGX_AGAIN: the post handler runs the phases again */
    return ngx_http_read_unbuffered_request_body(r);
}


/* the post handler of ngx_http_read_client_request_body(): all is read */
static void
ngx_http_sts_body_complete(ngx_http_request_t *r)
{
    ngx_http_sts_ctx_t   *ctx;
    ngx_http_sts_body_t  *b;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->state == NULL || ctx->body == NULL) {
        return;
    }

    b = ctx->body;
    b->state = NGX_HTTP_STS_BODY_COMPLETE;

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: request body complete");

    if (b->waiting) {
        /* the handler returned NGX_DONE: the phases go on from there */
        ngx_http_core_run_phases(r);
    }
}


/*
 * Sees the body as nginx reads it, before it is kept for the proxy.  It
 * stops the reading (NGX_DONE) once the decision can be made without the
 * rest: a form at its file part, or a body already refused.  Stopping is
 * only possible after the pre-read part (rb->buf exists) and not for
 * HTTP/2, whose reading is driven by frames: there the decision is made
 * as early, while the frames go on (b->decidable).
 */
static ngx_int_t
ngx_http_sts_request_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_int_t             rc;
    ngx_chain_t          *cl;
    ngx_http_sts_ctx_t   *ctx;
    ngx_http_sts_body_t  *b;

    ctx = ngx_http_sts_get_ctx(r);

    if (ctx != NULL && ctx->upload != NULL) {
        /* a body of unknown size, counted against the policies' limit */
        rc = ngx_http_sts_upload_body(r, in);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (ctx != NULL && ctx->digest != NULL) {
        /* a body with digests to match, hashed as it passes */
        rc = ngx_http_sts_digest_body(r, in);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (ctx == NULL || ctx->state == NULL || ctx->body == NULL) {
        return ngx_http_next_request_body_filter(r, in);
    }

    b = ctx->body;

    if (b->state != NGX_HTTP_STS_BODY_READING) {
        return ngx_http_next_request_body_filter(r, in);
    }

    /* look first: once kept, a buffer may be written out and emptied */

    for (cl = in; cl; cl = cl->next) {
        if (cl->buf->last_buf) {
            b->last = 1;
        }

        if (b->err != NULL) {
            continue;
        }

        if (!ngx_buf_in_memory(cl->buf)) {
            if (ngx_buf_size(cl->buf)) {
                /* bytes this module cannot see: not authorised */
                b->err = &sts_err_unchecked_object;
            }

            continue;
        }

        if (cl->buf->last > cl->buf->pos
            && ngx_http_sts_body_feed(r, b, cl->buf->pos,
                                      cl->buf->last - cl->buf->pos)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    rc = ngx_http_next_request_body_filter(r, in);

    if (rc != NGX_OK || b->last) {
        return rc;
    }

    if (b->err == NULL
        && !(b->kind == STS_OSS_BODY_POST && !b->form_checked
             && b->form.stage != STS_POST_FIELDS))
    {
        return NGX_OK;
    }

    if (r->request_body->buf == NULL) {
        /* the pre-read part: the next read stops */
        return NGX_OK;
    }

#if (NGX_HTTP_V2)
    if (r->stream) {
        /*
         * frames go on arriving: the decision is made now all the same,
         * once the handlers in hand have returned
         */
        if (!b->decidable || (b->err != NULL && !b->err_seen)) {
            b->decidable = 1;
            b->err_seen = (b->err != NULL);

            if (b->waiting) {
                /* else the access handler, returning, does it */
                ngx_http_sts_body_wake(r);
            }
        }

        return NGX_OK;
    }
#endif

    return ngx_http_sts_body_pause(r, b);
}


/* the phases run again, once the handlers in hand have returned */
void
ngx_http_sts_body_wake(ngx_http_request_t *r)
{
    r->write_event_handler = ngx_http_core_run_phases;
    ngx_post_event(r->connection->write, &ngx_posted_events);
}


/* no more reading until the access phase has decided */
static ngx_int_t
ngx_http_sts_body_pause(ngx_http_request_t *r, ngx_http_sts_body_t *b)
{
    ngx_connection_t  *c;

    c = r->connection;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "sts: request body paused, %O bytes left unread",
                   r->request_body->rest);

    b->state = NGX_HTTP_STS_BODY_PAUSED;
    b->read_handler = r->read_event_handler;
    r->read_event_handler = ngx_http_block_reading;

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (b->waiting) {
        /* called from a read event: decide once it has unwound */
        r->write_event_handler = ngx_http_core_run_phases;
        ngx_post_event(c->write, &ngx_posted_events);
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_sts_body_feed(ngx_http_request_t *r, ngx_http_sts_body_t *b,
    u_char *p, size_t n)
{
    int  rc;

    if (b->kind == STS_OSS_BODY_POST) {
        rc = sts_post_form_feed(&b->form, p, n);

        if (rc == STS_EINVAL) {
            b->err = b->form.err;
            return NGX_OK;
        }

        if (rc == STS_OK && b->form_checked
            && ngx_http_sts_upload_cap(r) >= 0
            && b->form.file_size > (uint64_t) ngx_http_sts_upload_cap(r))
        {
            /* the file part is over the policies' limit: stop here */
            b->err = &sts_err_entity_too_large;
            ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_BODY_CUT);
            return NGX_OK;
        }

        return rc == STS_OK ? NGX_OK : NGX_ERROR;
    }

    rc = sts_buf_append(&b->copy, p, n);

    if (rc == STS_ETOOBIG) {
        b->err = &sts_err_entity_too_large;
        return NGX_OK;
    }

    return rc == STS_OK ? NGX_OK : NGX_ERROR;
}
