/*
 * Copyright (C) nginx-sts authors
 *
 * sts_error_document: a content handler that answers nginx's own errors
 * (bad request line, headers too large, body too large, method not
 * allowed, upstream failures ...) with an OSS error document, so an OSS
 * client always sees a Code it can map.  Used through error_page:
 *
 *     error_page 400 404 405 408 413 414 494 500 501 502 503 504 505
 *                /_oss_error;
 *     location = /_oss_error { internal; sts_error_document; }
 *
 * (a URI, not a named location: a request whose request line could not be
 * parsed has no URI, and nginx cannot redirect it to a named location)
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_errdoc.h"


typedef struct {
    ngx_uint_t         status;        /* nginx's status */
    sts_oss_error_t    error;         /* what OSS would answer */
} ngx_http_sts_errdoc_map_t;


static ngx_int_t ngx_http_sts_errdoc_handler(ngx_http_request_t *r);
static void ngx_http_sts_errdoc_ctx(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, ngx_http_sts_errdoc_map_t **m,
    char *request_id);


static ngx_http_sts_errdoc_map_t  ngx_http_sts_errdoc_map[] = {

    { NGX_HTTP_BAD_REQUEST,
      { 400, "InvalidArgument", "The request could not be parsed." } },

    { NGX_HTTP_REQUEST_HEADER_TOO_LARGE,
      { 400, "InvalidArgument", "The request headers are too large." } },

    { NGX_HTTP_NOT_FOUND,
      { 404, "NoSuchKey", "The specified key does not exist." } },

    { NGX_HTTP_NOT_ALLOWED,
      { 405, "MethodNotAllowed",
        "The specified method is not allowed against this resource." } },

    { NGX_HTTP_REQUEST_TIME_OUT,
      { 400, "RequestTimeout",
        "Your socket connection to the server was not read from or "
        "written to within the timeout period." } },

    { NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
      { 400, "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size." } },

    { NGX_HTTP_REQUEST_URI_TOO_LARGE,
      { 400, "InvalidURI", "The request URI is too long." } },

    /* nginx's 5xx for what is the client's fault: an OSS 400 */
    { NGX_HTTP_NOT_IMPLEMENTED,
      { 400, "InvalidArgument",
        "The Transfer-Encoding of the request is not supported." } },

    { NGX_HTTP_VERSION_NOT_SUPPORTED,
      { 400, "InvalidArgument",
        "The HTTP version of the request is not supported." } },

    { NGX_HTTP_BAD_GATEWAY,
      { 502, "InternalError", "The storage backend failed to answer." } },

    { NGX_HTTP_SERVICE_UNAVAILABLE,
      { 503, "ServiceUnavailable", "Please reduce your request rate." } },

    { NGX_HTTP_GATEWAY_TIME_OUT,
      { 504, "InternalError", "The storage backend timed out." } },

    { 0,
      { 500, "InternalError",
        "We encountered an internal error. Please try again." } }
};


char *
ngx_http_sts_error_document(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_sts_errdoc_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sts_errdoc_handler(ngx_http_request_t *r)
{
    ngx_uint_t                  status;
    sts_str_t                   host;
    ngx_http_sts_ctx_t         *ctx;
    const sts_oss_error_t      *e;
    ngx_http_sts_errdoc_map_t  *m;
    char                        request_id[STS_REQUEST_ID_LEN + 1];

    status = r->err_status ? r->err_status : r->headers_out.status;

    for (m = ngx_http_sts_errdoc_map; m->status; m++) {
        if (m->status == status) {
            break;
        }
    }

    if (m->status == 0 && status >= 400 && status < 500) {
        m = ngx_http_sts_errdoc_map;    /* other client errors */
    }

    /* the state of the gateway, kept across the redirect to here */
    ctx = ngx_http_sts_get_ctx(r);

    if (ctx != NULL) {
        ngx_http_sts_errdoc_ctx(r, ctx, &m, request_id);

    } else {
        sts_request_id(request_id);
    }

    e = &m->error;

    if (ctx != NULL && ctx->body_error != NULL) {
        /* a body the gateway failed as it streamed: its own error */
        e = ctx->body_error;
        ctx->error_code.data = (u_char *) e->code;
        ctx->error_code.len = ngx_strlen(e->code);
    }

    if (r->headers_in.host != NULL) {
        host.data = (char *) r->headers_in.host->value.data;
        host.len = r->headers_in.host->value.len;

    } else {
        host.data = "";
        host.len = 0;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    r->err_status = 0;

    return ngx_http_sts_send_error(r, e, host, request_id, NULL, 0);
}


/*
 * The error of a request the gateway saw first: the refusal it recorded
 * (a body cut at the policies' limit: EntityTooLarge, whatever status
 * nginx ends up with) wins, the request id it logged is the one sent,
 * $sts_error_code and $sts_request_id name what the client gets, and a
 * request refused before the decision was made counts as an "error".
 */
static void
ngx_http_sts_errdoc_ctx(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    ngx_http_sts_errdoc_map_t **m, char *request_id)
{
    u_char                     *p;
    size_t                      len;
    ngx_http_sts_errdoc_map_t  *o;

    len = ngx_strlen((*m)->error.code);

    if (ctx->error_code.len
        && (len != ctx->error_code.len
            || ngx_strncmp(ctx->error_code.data, (*m)->error.code, len) != 0))
    {
        for (o = ngx_http_sts_errdoc_map; o->status; o++) {
            len = ngx_strlen(o->error.code);

            if (len == ctx->error_code.len
                && ngx_strncmp(ctx->error_code.data, o->error.code, len)
                   == 0)
            {
                *m = o;
                break;
            }
        }
    }

    /* the Code sent */
    ctx->error_code.data = (u_char *) (*m)->error.code;
    ctx->error_code.len = ngx_strlen((*m)->error.code);

    if (ctx->request_id.len == STS_REQUEST_ID_LEN) {
        ngx_memcpy(request_id, ctx->request_id.data, STS_REQUEST_ID_LEN);
        request_id[STS_REQUEST_ID_LEN] = '\0';

    } else {
        sts_request_id(request_id);

        p = ngx_pnalloc(r->pool, STS_REQUEST_ID_LEN);
        if (p != NULL) {
            ngx_memcpy(p, request_id, STS_REQUEST_ID_LEN);
            ctx->request_id.data = p;
            ctx->request_id.len = STS_REQUEST_ID_LEN;
        }
    }

    /* nginx refused the request before the gateway had decided */
    if (ctx->decision.len == 0) {
        ngx_str_set(&ctx->decision, "error");
    }

    /* this answer is the gateway's own, not the store's to map */
    ctx->backend = NULL;
}


ngx_uint_t
ngx_http_sts_is_error_document(ngx_http_request_t *r)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    return clcf->handler == ngx_http_sts_errdoc_handler;
}


/*
 * ngx_http_sts_send_error renders the OSS error document of |e| and sends
 * it: status, Content-Type application/xml, x-oss-request-id, and for
 * HEAD, where there is no body, the document base64-encoded in x-oss-err
 * as OSS does.  It does not finalize the request.
 */
ngx_int_t
ngx_http_sts_send_error(ngx_http_request_t *r, const sts_oss_error_t *e,
    sts_str_t host, const char *request_id, const sts_error_field_t *fields,
    size_t num_fields)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    sts_buf_t     xml;
    sts_str_t     rid;
    ngx_chain_t   out;

    rid.data = request_id;
    rid.len = STS_REQUEST_ID_LEN;

    if (ngx_http_sts_error_render(r, e, host, rid, 1, fields, num_fields,
                                  &xml)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = e->http_status;
    r->headers_out.content_length_n = xml.len;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = (u_char *) xml.data;
    b->last = b->pos + xml.len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_http_sts_error_render(ngx_http_request_t *r, const sts_oss_error_t *e,
    sts_str_t host, sts_str_t rid, ngx_uint_t send_id,
    const sts_error_field_t *fields, size_t num_fields, sts_buf_t *xml)
{
    u_char           *p;
    size_t            n;
    sts_allocator_t   a;

    ngx_http_sts_pool_allocator(&a, r->pool);
    sts_buf_init(xml, &a, 0);

    if (sts_error_xml(xml, e, rid, host, fields, num_fields) != STS_OK) {
        return NGX_ERROR;
    }

    ngx_str_set(&r->headers_out.content_type, "application/xml");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    if (send_id) {
        p = ngx_pnalloc(r->pool, rid.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, rid.data, rid.len);

        if (ngx_http_sts_push_header(r, &r->headers_out.headers,
                                     "x-oss-request-id",
                                     sizeof("x-oss-request-id") - 1,
                                     p, rid.len)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    if (r->method == NGX_HTTP_HEAD) {
        /* no body in a HEAD answer: OSS sends it base64 in x-oss-err */
        p = ngx_pnalloc(r->pool, sts_base64_encoded_len(xml->len));
        if (p == NULL) {
            return NGX_ERROR;
        }

        n = sts_base64_encode((char *) p, (u_char *) xml->data, xml->len);

        if (ngx_http_sts_push_header(r, &r->headers_out.headers, "x-oss-err",
                                     sizeof("x-oss-err") - 1, p, n)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
