/*
 * Copyright (C) nginx-sts authors
 *
 * Identity stamping of a PostObject form (sts_stamp_identity on).
 *
 * OSS takes an object's user metadata from the form, not from headers.
 * The access phase reads the whole form before it decides (it checks the
 * file's size against the policy), so when a PostObject is allowed its
 * body lies complete in r->request_body->bufs, in memory, in a temporary
 * file, or both.  The stamps go into that chain as one memory buffer of
 * form parts (src/core/sts_formstamp.h), inserted where the file part's
 * delimiter starts: the buffer that holds that byte is split in two, a
 * memory one by its pointers, a file one by its file range.  Then the
 * declared length grows by as much (r->headers_in.content_length_n,
 * which the proxy module sends as Content-Length, and the Content-Length
 * header for $content_length), so the length sent is always the length
 * of the bytes sent.
 *
 * This holds whatever proxy_request_buffering says: the body was read
 * before the content phase, and nginx then proxies it as a buffered one.
 * A chunked or HTTP/2 body without a length has content_length_n set by
 * nginx once it is read.  The split keeps what ngx_http_upstream_reinit
 * expects for a retry: memory buffers start at their first byte, and the
 * file ranges follow each other in the chain's order.
 *
 * The policy of the form was checked on the client's fields and file
 * before this, and the client's fields of a stamped name were refused
 * (ngx_http_sts_upload_decide), so each stamp is in the form once.
 *
 * The same chain edits give the store the key that was authorised when
 * the form's key uses ${filename} (ngx_http_sts_postkey): the key part's
 * bytes are overwritten in place, in memory or in the temporary file,
 * and what does not fit is inserted after them (src/core/sts_formstamp.h,
 * sts_formstamp_key).  No byte is taken out, since a retry
 * (ngx_http_upstream_reinit) rebuilds the file ranges end to end.  A
 * DeleteMultipleObjects body rebuilt from its authorised keys replaces
 * the whole chain (ngx_http_sts_body_replace).
 *
 * Under sts_backend s3 the store gets the file part's content alone, as
 * the body of a PUT (ngx_http_sts_postfile): the chain is narrowed to
 * that byte range, in memory or in the temporary file, nothing copied.
 * A retry would rebuild the file ranges from byte 0 of the temporary
 * file, the form's first byte, so the request keeps its POST method in
 * nginx (r->method: not idempotent, never retried once sent) and the
 * connector refuses to send it where proxy_next_upstream non_idempotent
 * would retry it (ngx_http_sts_backend.c).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_poststamp.h"
#include "ngx_http_sts_upload.h"
#include "core/sts_formstamp.h"


static ngx_int_t ngx_http_sts_poststamp_insert(ngx_http_request_t *r,
    off_t at, ngx_buf_t *ins);
static ngx_int_t ngx_http_sts_poststamp_overwrite(ngx_http_request_t *r,
    off_t at, u_char *p, size_t n);
static ngx_int_t ngx_http_sts_poststamp_length(ngx_http_request_t *r,
    off_t total);


ngx_int_t
ngx_http_sts_poststamp(ngx_http_request_t *r, const sts_post_form_t *form)
{
    int                       rc;
    off_t                     total;
    size_t                    stamped;
    sts_buf_t                 parts;
    ngx_buf_t                *ins;
    ngx_chain_t              *cl;
    sts_allocator_t           a;
    sts_formstamp_t           st[4];
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_request_body_t  *rb;

    ctx = ngx_http_sts_get_ctx(r);
    rb = r->request_body;

    if (ctx == NULL || rb == NULL || !rb->last_saved
        || r->request_body_no_buffering || form->stage != STS_POST_END)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: a PostObject to stamp without its whole form");
        return NGX_ERROR;
    }

    /* the body kept for the proxy must be the form that was read */

    total = 0;

    for (cl = rb->bufs; cl; cl = cl->next) {
        total += ngx_buf_size(cl->buf);
    }

    if ((uint64_t) total != form->consumed
        || (r->headers_in.content_length_n >= 0
            && r->headers_in.content_length_n != total))
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: PostObject body of %O bytes, %uL read, %O "
                      "declared", total, form->consumed,
                      r->headers_in.content_length_n);
        return NGX_ERROR;
    }

    st[0].name = "x-oss-meta-sts-session-name";
    st[0].value.data = (char *) ctx->session_name.data;
    st[0].value.len = ctx->session_name.len;
    st[1].name = "x-oss-meta-sts-role-arn";
    st[1].value.data = (char *) ctx->role_arn.data;
    st[1].value.len = ctx->role_arn.len;
    st[2].name = "x-oss-meta-sts-token-id";
    st[2].value.data = (char *) ctx->token_id.data;
    st[2].value.len = ctx->token_id.len;
    st[3].name = "x-oss-meta-sts-source-ip";
    st[3].value.data = (char *) r->connection->addr_text.data;
    st[3].value.len = r->connection->addr_text.len;

    ngx_http_sts_pool_allocator(&a, r->pool);
    sts_buf_init(&parts, &a, 0);

    rc = sts_formstamp_parts(form, st, 4, &parts, &stamped);
    if (rc != STS_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: the form's stamps could not be built (%d)", rc);
        return NGX_ERROR;
    }

    if (stamped == 0) {
        return NGX_OK;
    }

    ins = ngx_create_temp_buf(r->pool, parts.len);
    if (ins == NULL) {
        return NGX_ERROR;
    }

    ins->last = ngx_cpymem(ins->pos, parts.data, parts.len);

    if (ngx_http_sts_poststamp_insert(r, (off_t) form->file_part, ins)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    total += (off_t) parts.len;

    if (ngx_http_sts_poststamp_length(r, total) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: %uz stamp(s) in the form at byte %uL, "
                   "body now %O bytes", stamped, form->file_part, total);

    return NGX_OK;
}


/* puts |ins| into the body chain before its byte |at| */
static ngx_int_t
ngx_http_sts_poststamp_insert(ngx_http_request_t *r, off_t at,
    ngx_buf_t *ins)
{
    off_t         pos, size, k;
    ngx_buf_t    *b, *tail;
    ngx_chain_t  *cl, *icl, *tcl, **ll;

    icl = ngx_alloc_chain_link(r->pool);
    if (icl == NULL) {
        return NGX_ERROR;
    }

    icl->buf = ins;

    pos = 0;
    ll = &r->request_body->bufs;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        if (at == pos) {
            /* on a boundary between buffers */
            icl->next = cl;
            *ll = icl;
            return NGX_OK;
        }

        if (at < pos + size) {
            break;
        }

        pos += size;
        ll = &cl->next;
    }

    if (cl == NULL) {
        /* the file part's delimiter is always followed by more */
        return NGX_ERROR;
    }

    /* split b at k: b keeps the head, tail has the rest */

    k = at - pos;

    tail = ngx_alloc_buf(r->pool);
    if (tail == NULL) {
        return NGX_ERROR;
    }

    *tail = *b;

    if (ngx_buf_in_memory(b)) {
        b->last = b->pos + k;
        tail->pos = tail->pos + k;
        tail->start = tail->pos;
    }

    if (b->in_file) {
        b->file_last = b->file_pos + k;
        tail->file_pos = tail->file_pos + k;
    }

    b->last_buf = 0;
    b->last_in_chain = 0;
    b->flush = 0;

    tcl = ngx_alloc_chain_link(r->pool);
    if (tcl == NULL) {
        return NGX_ERROR;
    }

    tcl->buf = tail;
    tcl->next = cl->next;
    icl->next = tcl;
    cl->next = icl;

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_postkey(ngx_http_request_t *r, const sts_post_form_t *form,
    sts_str_t key)
{
    int                       rc;
    off_t                     total;
    size_t                    len, n;
    uint64_t                  at;
    sts_buf_t                 d;
    ngx_buf_t                *ins;
    ngx_chain_t              *cl;
    sts_allocator_t           a;
    ngx_http_request_body_t  *rb;

    ngx_http_sts_pool_allocator(&a, r->pool);
    sts_buf_init(&d, &a, 0);

    rc = sts_formstamp_key(form, key, &d, &at, &len);
    if (rc != STS_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: the form's key could not be rewritten (%d)", rc);
        return NGX_ERROR;
    }

    if (d.len == 0) {
        /* the key as sent is the key authorised */
        return NGX_OK;
    }

    rb = r->request_body;

    if (rb == NULL || !rb->last_saved || r->request_body_no_buffering
        || form->stage != STS_POST_END)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: a PostObject key to rewrite without its whole "
                      "form");
        return NGX_ERROR;
    }

    total = 0;

    for (cl = rb->bufs; cl; cl = cl->next) {
        total += ngx_buf_size(cl->buf);
    }

    if ((r->headers_in.content_length_n >= 0
         && r->headers_in.content_length_n != total)
        || at + len > (uint64_t) total)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: PostObject body of %O bytes, %O declared",
                      total, r->headers_in.content_length_n);
        return NGX_ERROR;
    }

    n = ngx_min(len, d.len);

    if (ngx_http_sts_poststamp_overwrite(r, (off_t) at, (u_char *) d.data, n)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (d.len > len) {
        ins = ngx_create_temp_buf(r->pool, d.len - len);
        if (ins == NULL) {
            return NGX_ERROR;
        }

        ins->last = ngx_cpymem(ins->pos, d.data + len, d.len - len);

        if (ngx_http_sts_poststamp_insert(r, (off_t) (at + len), ins)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        total += (off_t) (d.len - len);

        if (ngx_http_sts_poststamp_length(r, total) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: form key rewritten at byte %uL, %uz bytes for %uz",
                   at, d.len, len);

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_body_replace(ngx_http_request_t *r, u_char *data, size_t len)
{
    ngx_buf_t                *b;
    ngx_chain_t              *cl;
    ngx_http_request_body_t  *rb;

    rb = r->request_body;

    if (rb == NULL || !rb->last_saved || r->request_body_no_buffering) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: a body to replace that was not read whole");
        return NGX_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    b->start = data;
    b->pos = data;
    b->last = data + len;
    b->end = data + len;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    cl->buf = b;
    cl->next = NULL;
    rb->bufs = cl;

    return ngx_http_sts_poststamp_length(r, (off_t) len);
}


/* writes |n| bytes over the body's bytes from |at| on, where they are */
static ngx_int_t
ngx_http_sts_poststamp_overwrite(ngx_http_request_t *r, off_t at, u_char *p,
    size_t n)
{
    off_t         pos, size, k, m, offset;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    pos = 0;

    for (cl = r->request_body->bufs; cl && n; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        if (at >= pos + size) {
            pos += size;
            continue;
        }

        k = at - pos;
        m = ngx_min(size - k, (off_t) n);

        if (ngx_buf_in_memory(b)) {
            ngx_memcpy(b->pos + k, p, (size_t) m);
        }

        if (b->in_file) {
            /* the write position of the file stays where it was */
            offset = b->file->offset;

            if (ngx_write_file(b->file, p, (size_t) m, b->file_pos + k)
                != (ssize_t) m)
            {
                return NGX_ERROR;
            }

            b->file->offset = offset;
        }

        p += m;
        n -= (size_t) m;
        at += m;
        pos += size;
    }

    return n ? NGX_ERROR : NGX_OK;
}


/*
 * the declared length: r->headers_in.content_length_n, which the proxy
 * module sends as Content-Length, and the Content-Length header, for
 * $content_length
 */
static ngx_int_t
ngx_http_sts_poststamp_length(ngx_http_request_t *r, off_t total)
{
    u_char  *p;

    r->headers_in.content_length_n = total;

    if (r->headers_in.content_length != NULL) {
        p = ngx_pnalloc(r->pool, NGX_OFF_T_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        r->headers_in.content_length->value.data = p;
        r->headers_in.content_length->value.len = ngx_sprintf(p, "%O", total)
                                                  - p;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_postfile(ngx_http_request_t *r, const sts_post_form_t *form)
{
    off_t                     off, size, from, to, lo, hi, total;
    ngx_buf_t                *b, *last;
    ngx_uint_t                last_buf;
    ngx_chain_t              *cl, **ll;
    ngx_http_request_body_t  *rb;

    rb = r->request_body;

    if (rb == NULL || !rb->last_saved || r->request_body_no_buffering
        || form->stage != STS_POST_END)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: a PostObject to send without its whole form");
        return NGX_ERROR;
    }

    total = 0;

    for (cl = rb->bufs; cl; cl = cl->next) {
        total += ngx_buf_size(cl->buf);
    }

    from = (off_t) form->file_offset;
    to = from + (off_t) form->file_size;

    if ((uint64_t) total != form->consumed || to > total) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sts: PostObject body of %O bytes, %uL read, the "
                      "file up to byte %O", total, form->consumed, to);
        return NGX_ERROR;
    }

    off = 0;
    last = NULL;
    last_buf = 0;
    ll = &rb->bufs;

    for (cl = rb->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        if (b->last_buf) {
            last_buf = 1;
            b->last_buf = 0;
        }

        lo = ngx_max(off, from) - off;
        hi = ngx_min(off + size, to) - off;
        off += size;

        if (hi <= lo) {
            /* before or after the file's content: not sent */
            continue;
        }

        if (b->in_file) {
            b->file_pos += lo;
            b->file_last = b->file_pos + (hi - lo);
        }

        if (ngx_buf_in_memory(b)) {
            b->pos += lo;
            b->last = b->pos + (hi - lo);
            b->start = b->pos;
        }

        *ll = cl;
        ll = &cl->next;
        last = b;
    }

    *ll = NULL;

    if (last != NULL && last_buf) {
        last->last_buf = 1;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sts: PostObject file part of %uL bytes at byte %uL",
                   form->file_size, form->file_offset);

    return ngx_http_sts_poststamp_length(r, (off_t) form->file_size);
}
