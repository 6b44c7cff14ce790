/*
 * Copyright (C) nginx-sts authors
 *
 * Payload integrity: a body is what its signed digests say, or the store
 * does not get its end.
 *
 * A V4 request may sign the hex SHA-256 of its body as
 * x-oss-content-sha256 instead of UNSIGNED-PAYLOAD, and any request may
 * send a Content-MD5.  The backend connectors re-sign the request with
 * UNSIGNED-PAYLOAD (sts_backend oss, s3), so no store would compare the
 * SHA-256; the gateway does, and checks the Content-MD5 too, whatever the
 * store does with it.  Both are computed as the body passes the request
 * body filter (ngx_http_sts_body.c), nothing is kept.  At the body's end
 * (the buffer with last_buf) a mismatch fails the body before that buffer
 * goes on: with proxy_request_buffering on, the body is read whole
 * before the store is contacted, so the store never hears of it; with it
 * off, the upstream request fails without the body's last bytes (with a
 * Content-Length) or its last chunk (chunked), and nginx closes the
 * store's connection, so no complete object can be committed.  nginx
 * then answers 400, which error_page turns into the OSS error through
 * sts_error_document (ctx->body_error: InvalidDigest).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_digest.h"
#include "core/sts_digest.h"


typedef struct {
    sts_digest_t   d;
    unsigned       done:1;
} ngx_http_sts_digest_t;


static ngx_int_t ngx_http_sts_digest_header(ngx_http_request_t *r,
    const char *name, size_t len, ngx_str_t *value);
static void ngx_http_sts_digest_cleanup(void *data);


static const sts_oss_error_t  ngx_http_sts_digest_bad_sha256 = {
    400, "InvalidArgument", "The x-oss-content-sha256 header must be "
    "UNSIGNED-PAYLOAD or the hex SHA-256 of the body."
};

static const sts_oss_error_t  ngx_http_sts_digest_sha256_mismatch = {
    400, "InvalidDigest", "The x-oss-content-sha256 you specified did not "
    "match what was received."
};


ngx_int_t
ngx_http_sts_digest_start(ngx_http_request_t *r, const sts_oss_op_t *op,
    const sts_oss_error_t **err, const char **reason)
{
    int                     rc;
    sts_str_t               v;
    ngx_int_t               n;
    ngx_str_t               value;
    ngx_pool_cleanup_t     *cln;
    ngx_http_sts_ctx_t     *ctx;
    ngx_http_sts_digest_t  *dg;
    unsigned char           sha256[32], md5[16];
    unsigned char          *want_sha256, *want_md5;

    if (op->body != STS_OSS_BODY_NONE
        || (r->headers_in.content_length_n < 0 && !r->headers_in.chunked))
    {
        /* a body the access phase read and checked, or no body */
        return NGX_OK;
    }

    want_sha256 = NULL;
    want_md5 = NULL;

    n = ngx_http_sts_digest_header(r, "x-oss-content-sha256",
                                   sizeof("x-oss-content-sha256") - 1,
                                   &value);
    if (n > 0) {
        v.data = (char *) value.data;
        v.len = value.len;

        rc = (n == 1) ? sts_digest_parse_sha256(v, sha256) : STS_EINVAL;

        if (rc == STS_EINVAL) {
            *err = &ngx_http_sts_digest_bad_sha256;
            *reason = "x-oss-content-sha256 is no hash";
            return NGX_DECLINED;
        }

        if (rc == STS_OK) {
            want_sha256 = sha256;
        }
    }

    n = ngx_http_sts_digest_header(r, "Content-MD5",
                                   sizeof("Content-MD5") - 1, &value);
    if (n > 0) {
        v.data = (char *) value.data;
        v.len = value.len;

        if (n != 1 || sts_digest_parse_md5(v, md5) != STS_OK) {
            *err = &sts_err_invalid_digest;
            *reason = "Content-MD5 is no MD5";
            return NGX_DECLINED;
        }

        want_md5 = md5;
    }

    if (want_sha256 == NULL && want_md5 == NULL) {
        return NGX_OK;
    }

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    dg = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_digest_t));
    if (dg == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    if (sts_digest_start(&dg->d, want_sha256, want_md5) != STS_OK) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_sts_digest_cleanup;
    cln->data = dg;

    ctx->digest = dg;

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_digest_body(ngx_http_request_t *r, ngx_chain_t *in)
{
    int                     rc, which;
    ngx_chain_t            *cl;
    ngx_http_sts_ctx_t     *ctx;
    ngx_http_sts_digest_t  *dg;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->digest == NULL) {
        return NGX_OK;
    }

    dg = ctx->digest;
    if (dg->done) {
        return NGX_OK;
    }

    for (cl = in; cl; cl = cl->next) {
        if (!ngx_buf_in_memory(cl->buf)) {
            if (ngx_buf_size(cl->buf) == 0 && !cl->buf->last_buf) {
                continue;
            }

            if (ngx_buf_size(cl->buf)) {
                /* bytes this filter cannot see: they are not let through */
                dg->done = 1;
                ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                              "sts: a request body buffer not in memory");
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

        } else if (sts_digest_update(&dg->d, cl->buf->pos,
                                     cl->buf->last - cl->buf->pos)
                   != STS_OK)
        {
            dg->done = 1;
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (!cl->buf->last_buf) {
            continue;
        }

        /* the body's end: it goes on only if the digests match */

        dg->done = 1;
        which = 0;

        rc = sts_digest_finish(&dg->d, &which);

        if (rc == STS_OK) {
            return NGX_OK;
        }

        if (rc != STS_EBADSIG) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->body_error = (which == STS_DIGEST_SHA256)
                          ? &ngx_http_sts_digest_sha256_mismatch
                          : &sts_err_invalid_digest;
        ngx_str_set(&ctx->error_code, "InvalidDigest");

        ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                      "sts: %V InvalidDigest for \"%V\": the body does not "
                      "match its %s, its end withheld from the store",
                      &ctx->api, &ctx->access_key_id,
                      which == STS_DIGEST_SHA256 ? "x-oss-content-sha256"
                                                 : "Content-MD5");

        return NGX_HTTP_BAD_REQUEST;
    }

    return NGX_OK;
}


/* the number of headers |name| (any case), the first one's value */
static ngx_int_t
ngx_http_sts_digest_header(ngx_http_request_t *r, const char *name,
    size_t len, ngx_str_t *value)
{
    ngx_int_t         n;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    n = 0;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == len
                && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
            {
                if (n++ == 0) {
                    *value = h[i].value;
                }
            }
        }
    }

    return n;
}


static void
ngx_http_sts_digest_cleanup(void *data)
{
    ngx_http_sts_digest_t  *dg = data;

    sts_digest_free(&dg->d);
}
