/*
 * Copyright (C) nginx-sts authors
 *
 * Upload limits carried by the credential, and identity stamping.
 *
 * The condition keys sts:ContentLength, sts:ContentType and
 * sts:ForbidOverwrite (src/core/sts_upload.h) join the context the
 * access phase evaluates.  Under a condition on sts:ContentLength
 * (sts_upload_capped), what the gateway cannot bound is refused: a write
 * whose resulting size it cannot know (copies, multipart uploads,
 * symlinks, sys/saveas) with AccessDenied, and, when the policies do not
 * only cap the size from above, a body without a declared length with
 * MissingContentLength (a PostObject with AccessDenied).  When the
 * policies cap sts:ContentLength:
 *
 *  - a declared Content-Length over the cap is refused in the access
 *    phase with EntityTooLarge, before a byte is read or proxied;
 *  - a body without a declared length (chunked, HTTP/2) is counted in
 *    the request body filter and cut one byte over the cap: the filter
 *    fails the body with 413 before that byte is passed on.  With
 *    proxy_request_buffering on, the body is read whole before the
 *    upstream is contacted, so the store is never contacted; with it
 *    off, the upstream request fails and its connection is closed before
 *    the body's end (the terminating chunk) was sent, so the store never
 *    sees a complete body.  nginx answers 413, which error_page turns
 *    into an OSS EntityTooLarge document (sts_error_document);
 *  - a PostObject's file part is counted by the form reader of the
 *    access phase (ngx_http_sts_access.c), which reads the whole form
 *    before anything is proxied.
 *
 * With sts_stamp_identity on, an allowed request loses every client
 * header named like a stamp, and a write that creates an object gets the
 * gateway's: x-oss-meta-sts-session-name, -role-arn, -token-id and
 * -source-ip.  This runs after the signature was checked on the headers
 * as sent and before the backend connectors map and sign the headers, so
 * the stamps are forwarded and signed like any x-oss-meta-* header.  A
 * PostObject form gets them as form fields (ngx_http_sts_poststamp.c).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_backend.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_poststamp.h"
#include "ngx_http_sts_status.h"
#include "ngx_http_sts_upload.h"
#include "core/sts_upload.h"


typedef struct {
    sts_upload_t              desc;
    char                      num[24];      /* sts:ContentLength's value */
    size_t                    length_index; /* in the context, or -1 */
    int                       shrinks;
    uint64_t                  cap;          /* STS_UPLOAD_NO_CAP: none */
    off_t                     received;
    const sts_post_form_t    *form;         /* PostObject's, or NULL */
    unsigned                  counting:1;
} ngx_http_sts_upload_t;


static ngx_table_elt_t *ngx_http_sts_upload_header(ngx_http_request_t *r,
    const char *name);
static ngx_uint_t ngx_http_sts_upload_count(ngx_http_request_t *r,
    const char *name);
static ngx_int_t ngx_http_sts_upload_set_limit(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, uint64_t cap);
static ngx_int_t ngx_http_sts_upload_push(ngx_http_request_t *r,
    const char *name, size_t name_len, ngx_str_t *value);
static ngx_int_t ngx_http_sts_upload_stampable(ngx_http_request_t *r,
    const sts_oss_op_t *op, ngx_http_sts_upload_t *u,
    const sts_oss_error_t **err, const char **reason);


ngx_int_t
ngx_http_sts_upload_keys(ngx_http_request_t *r, const sts_oss_op_t *op,
    const sts_post_form_t *form, const sts_params_t *params,
    const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, sts_policy_kv_t *kv, size_t *nkv,
    size_t cap, const sts_oss_error_t **err)
{
    int                      has_type, has_forbid;
    size_t                   base;
    int64_t                  length;
    sts_str_t                type, forbid;
    ngx_table_elt_t         *h;
    const sts_param_t       *position;
    ngx_http_sts_ctx_t      *ctx;
    ngx_http_sts_upload_t   *u;
    const sts_post_field_t  *f;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || op->api == NULL) {
        return NGX_OK;
    }

    u = ctx->upload;

    if (u == NULL) {
        u = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_upload_t));
        if (u == NULL) {
            return NGX_ERROR;
        }

        ctx->upload = u;
    }

    has_type = 0;
    has_forbid = 0;
    type.data = NULL;
    type.len = 0;
    forbid = type;

    if (form != NULL) {
        f = sts_post_form_field(form, "Content-Type");
        if (f != NULL) {
            type = f->value;
            has_type = 1;
        }

        f = sts_post_form_field(form, "x-oss-forbid-overwrite");
        if (f != NULL) {
            forbid = f->value;
            has_forbid = 1;
        }

    } else {
        /*
         * a header sent twice is no value: the store may read the other
         * one, so the key is absent (a policy that needs it denies) and
         * x-oss-forbid-overwrite counts as false
         */
        h = ngx_http_sts_upload_header(r, "Content-Type");
        if (h != NULL && ngx_http_sts_upload_count(r, "Content-Type") == 1) {
            type.data = (char *) h->value.data;
            type.len = h->value.len;
            has_type = 1;
        }

        h = ngx_http_sts_upload_header(r, "x-oss-forbid-overwrite");
        if (h != NULL
            && ngx_http_sts_upload_count(r, "x-oss-forbid-overwrite") == 1)
        {
            forbid.data = (char *) h->value.data;
            forbid.len = h->value.len;
            has_forbid = 1;
        }
    }

    position = (params != NULL) ? sts_params_get(params, "position") : NULL;

    /* nginx has no Content-Length for a chunked body */
    length = (r->headers_in.content_length_n >= 0 && !r->headers_in.chunked)
             ? (int64_t) r->headers_in.content_length_n : -1;

    if (sts_upload_describe(&u->desc, op->api, length,
                            has_type ? &type : NULL,
                            has_forbid ? &forbid : NULL,
                            position ? &position->value : NULL)
        != STS_OK)
    {
        *err = &sts_err_append_position;
        return NGX_DECLINED;
    }

    u->length_index = (size_t) -1;
    u->cap = STS_UPLOAD_NO_CAP;

    if (!u->desc.write || cap - *nkv < STS_UPLOAD_MAX_KV) {
        return NGX_OK;
    }

    u->form = form;
    u->shrinks = sts_upload_shrinks(role, num_role, session);

    base = *nkv;
    *nkv += sts_upload_kv(&u->desc, u->shrinks, u->num, kv + base,
                          cap - base, &u->length_index);

    if (u->length_index != (size_t) -1) {
        /* an index into the whole context */
        u->length_index += base;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_upload_decide(ngx_http_request_t *r, const sts_oss_op_t *op,
    int allowed, const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, sts_policy_kv_t *kv, size_t nkv,
    const sts_oss_error_t **err, const char **reason)
{
    sts_upload_eval_t         e;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_sts_upload_t    *u;
    ngx_http_sts_loc_conf_t  *slcf;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        return NGX_OK;
    }

    /* a temporary AccessKeyId names one token, and is no secret */
    if (ctx->access_key_id.len > 4
        && ngx_strncmp(ctx->access_key_id.data, "STS.", 4) == 0)
    {
        ctx->token_id = ctx->access_key_id;
    }

    u = ctx->upload;
    if (u == NULL || !u->desc.write) {
        return NGX_OK;
    }

    e.role = role;
    e.num_role = num_role;
    e.session = session;
    e.grants = op->grants;
    e.num_grants = op->num_grants;
    e.kv = kv;
    e.num_kv = nkv;
    e.length_index = u->length_index;

    if (!allowed) {
        /*
         * too large rather than forbidden: when the policies only cap the
         * size, and an empty object would have been allowed (a streamed
         * append was evaluated at its position)
         */
        if ((u->desc.length == STS_UPLOAD_LEN_DECLARED
             || u->desc.length == STS_UPLOAD_LEN_STREAMED)
            && u->shrinks && u->length_index < nkv
            && sts_upload_allowed(&e, 0))
        {
            if (ngx_http_sts_upload_set_limit(r, ctx, sts_upload_cap(&e))
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            *err = &sts_err_entity_too_large;
            *reason = "declared size over the policies' limit";
            ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_TOO_LARGE);
            return NGX_DECLINED;
        }

        return NGX_OK;
    }

    /*
     * under a cap nothing the cap cannot bound: a key left out would let
     * a Deny on it pass
     */
    if ((u->desc.length == STS_UPLOAD_LEN_UNBOUNDED
         || (u->desc.length == STS_UPLOAD_LEN_STREAMED && !u->shrinks))
        && sts_upload_capped(&e))
    {
        if (u->desc.length == STS_UPLOAD_LEN_UNBOUNDED) {
            *err = &sts_err_size_unbounded;
            *reason = "size not bounded under sts:ContentLength";

        } else if (u->desc.form) {
            *err = &sts_err_size_form;
            *reason = "file size not checkable under sts:ContentLength";

        } else {
            *err = &sts_err_missing_length;
            *reason = "no Content-Length under a condition on "
                      "sts:ContentLength";
        }

        return NGX_DECLINED;
    }

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    if (slcf->stamp_identity
        && ngx_http_sts_upload_stampable(r, op, u, err, reason) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (u->desc.length == STS_UPLOAD_LEN_STREAMED && u->shrinks
        && u->length_index < nkv)
    {
        u->cap = sts_upload_cap(&e);

        if (u->cap != STS_UPLOAD_NO_CAP) {
            u->counting = !u->desc.form;

            /* an append makes an object of position + body bytes */
            u->received = (off_t) u->desc.base;

            if (ngx_http_sts_upload_set_limit(r, ctx, u->cap) != NGX_OK) {
                return NGX_ERROR;
            }

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "sts: body of unknown size capped at %uL bytes",
                           u->cap);
        }
    }

    return NGX_OK;
}


/*
 * Under sts_stamp_identity, an upload must be one the stamps can mark:
 * NGX_OK, or NGX_DECLINED with *err and *reason.
 */
static ngx_int_t
ngx_http_sts_upload_stampable(ngx_http_request_t *r, const sts_oss_op_t *op,
    ngx_http_sts_upload_t *u, const sts_oss_error_t **err,
    const char **reason)
{
    size_t            i;
    ngx_table_elt_t  *h;

    if (ngx_strcmp(op->api, "ProcessObject") == 0) {
        /* a sys/saveas target is the one oss:PutObject it needs */
        for (i = 0; i < op->num_grants; i++) {
            if (ngx_strcmp(op->grants[i].action, "oss:PutObject") == 0) {
                *err = &sts_err_stamp_saveas;
                *reason = "sys/saveas cannot carry the identity stamps";
                ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_STAMP);
                return NGX_DECLINED;
            }
        }
    }

    if (ngx_strcmp(op->api, "CopyObject") == 0) {
        h = ngx_http_sts_upload_header(r, "x-oss-metadata-directive");

        if (h == NULL
            || h->value.len != sizeof("REPLACE") - 1
            || ngx_strncasecmp(h->value.data, (u_char *) "REPLACE",
                               h->value.len) != 0)
        {
            *err = &sts_err_stamp_copy;
            *reason = "a copy would keep the source's metadata";
            ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_STAMP);
            return NGX_DECLINED;
        }
    }

    /*
     * a form gets the stamps as fields (ngx_http_sts_poststamp):
     * one of the client's own under such a name would be a second
     */
    for (i = 0; u->form != NULL && i < u->form->num_fields; i++) {
        if (sts_upload_stamp_header(u->form->fields[i].name)) {
            *err = &sts_err_stamp_form;
            *reason = "the form sets a stamped metadata field";
            ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_STAMP);
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


off_t
ngx_http_sts_upload_cap(ngx_http_request_t *r)
{
    ngx_http_sts_ctx_t     *ctx;
    ngx_http_sts_upload_t  *u;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->upload == NULL) {
        return -1;
    }

    u = ctx->upload;

    if (u->cap == STS_UPLOAD_NO_CAP || u->cap > (uint64_t) NGX_MAX_OFF_T_VALUE)
    {
        return -1;
    }

    return (off_t) u->cap;
}


ngx_int_t
ngx_http_sts_upload_body(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t            *cl;
    ngx_http_sts_ctx_t     *ctx;
    ngx_http_sts_upload_t  *u;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->upload == NULL) {
        return NGX_OK;
    }

    u = ctx->upload;
    if (!u->counting) {
        return NGX_OK;
    }

    for (cl = in; cl; cl = cl->next) {
        u->received += ngx_buf_size(cl->buf);
    }

    if ((uint64_t) u->received <= u->cap) {
        return NGX_OK;
    }

    /*
     * one byte over: fail the body before these buffers go on, so the
     * store gets neither them nor the body's end
     */
    u->counting = 0;
    ngx_str_set(&ctx->error_code, "EntityTooLarge");
    ngx_http_sts_status_refusal(NGX_HTTP_STS_REFUSAL_BODY_CUT);

    ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                  "sts: %V EntityTooLarge for \"%V\": body over the "
                  "policies' limit of %uL bytes, cut at %O bytes",
                  &ctx->api, &ctx->access_key_id, u->cap, u->received);

    r->keepalive = 0;
    r->lingering_close = 1;

    return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
}


ngx_int_t
ngx_http_sts_upload_stamp(ngx_http_request_t *r)
{
    size_t                    n;
    sts_str_t                 name;
    ngx_str_t                 v;
    ngx_uint_t                i, found;
    ngx_list_t                headers;
    ngx_list_part_t          *part;
    ngx_table_elt_t          *h, *nh;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_sts_upload_t    *u;
    ngx_http_sts_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);
    if (!slcf->stamp_identity) {
        return NGX_OK;
    }

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        return NGX_OK;
    }

    /* every header of a stamped name, in any case, whatever the API */

    n = 0;
    found = 0;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            n++;
            name.data = (char *) h[i].key.data;
            name.len = h[i].key.len;

            if (sts_upload_stamp_header(name)) {
                found++;
            }
        }
    }

    if (found) {
        if (ngx_list_init(&headers, r->pool, n + 4, sizeof(ngx_table_elt_t))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        for (part = &r->headers_in.headers.part; part; part = part->next) {
            h = part->elts;

            for (i = 0; i < part->nelts; i++) {
                name.data = (char *) h[i].key.data;
                name.len = h[i].key.len;

                if (sts_upload_stamp_header(name)) {
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

        ngx_log_error(NGX_LOG_INFO, ngx_http_sts_log(r), 0,
                      "sts: %V for \"%V\": %ui client header(s) of a "
                      "stamped name removed", &ctx->api,
                      &ctx->access_key_id, found);
    }

    u = ctx->upload;

    if (u != NULL && u->desc.form && u->form != NULL
        && !ngx_http_sts_backend_post_as_put(r))
    {
        /* PostObject: the stamps go into the form (sent as a PUT under
           sts_backend s3, it gets them as headers, below) */
        return ngx_http_sts_poststamp(r, u->form);
    }

    if (u == NULL || !(u->desc.stamp || (u->desc.form && u->form != NULL)))
    {
        return NGX_OK;
    }

    if (ngx_http_sts_upload_push(r, "x-oss-meta-sts-session-name",
                                 sizeof("x-oss-meta-sts-session-name") - 1,
                                 &ctx->session_name) != NGX_OK
        || ngx_http_sts_upload_push(r, "x-oss-meta-sts-role-arn",
                                    sizeof("x-oss-meta-sts-role-arn") - 1,
                                    &ctx->role_arn) != NGX_OK
        || ngx_http_sts_upload_push(r, "x-oss-meta-sts-token-id",
                                    sizeof("x-oss-meta-sts-token-id") - 1,
                                    &ctx->token_id) != NGX_OK)
    {
        return NGX_ERROR;
    }

    v = r->connection->addr_text;

    return ngx_http_sts_upload_push(r, "x-oss-meta-sts-source-ip",
                                    sizeof("x-oss-meta-sts-source-ip") - 1,
                                    &v);
}


static ngx_int_t
ngx_http_sts_upload_push(ngx_http_request_t *r, const char *name,
    size_t name_len, ngx_str_t *value)
{
    sts_str_t         v;
    ngx_table_elt_t  *h;

    v.data = (char *) value->data;
    v.len = value->len;

    if (!sts_upload_stamp_value_ok(v)) {
        /* nothing known, or nothing a header can carry as it is */
        return NGX_OK;
    }

    h = ngx_http_sts_push_header(r, &r->headers_in.headers, name, name_len,
                                 value->data, value->len);
    if (h == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_table_elt_t *
ngx_http_sts_upload_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == len
                && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
            {
                return &h[i];
            }
        }
    }

    return NULL;
}


static ngx_uint_t
ngx_http_sts_upload_count(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i, n;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    n = 0;
    len = ngx_strlen(name);

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == len
                && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
            {
                n++;
            }
        }
    }

    return n;
}


static ngx_int_t
ngx_http_sts_upload_set_limit(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    uint64_t cap)
{
    u_char  *p;

    if (cap == STS_UPLOAD_NO_CAP) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->upload_limit.data = p;
    ctx->upload_limit.len = ngx_sprintf(p, "%uL", cap) - p;

    return NGX_OK;
}
