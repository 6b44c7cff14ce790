/*
 * Copyright (C) nginx-sts authors
 *
 * Backend connectors (doc/design.md, "Backend connectors"): what happens to an
 * allowed request between the access phase and proxy_pass, and to the
 * store's answer on its way back.
 *
 *   sts_backend none   the store trusts the gateway: the client's
 *                      credentials are stripped (sts_strip_credentials) and
 *                      the request goes unsigned
 *   sts_backend oss    an OSS or OSS-compatible store: the request is
 *                      signed again, V1 or V4, with the gateway's own
 *                      AccessKey (sts_backend_credentials)
 *   sts_backend s3     an S3-API store: OSS headers become their S3 twins,
 *                      the target becomes path style, S3 response headers
 *                      and error documents become OSS ones, and, with
 *                      credentials, the request is signed with AWS SigV4
 *                      (UNSIGNED-PAYLOAD); an operation with no S3 twin is
 *                      answered NotImplemented; a PostObject becomes the
 *                      PutObject of its file part (below)
 *
 * The request side runs once, from the access handler, right after an
 * allow (ngx_http_sts_backend_prepare): it replaces the header list that
 * the proxy module forwards (r->headers_in.headers) and the request target
 * (r->unparsed_uri, r->uri, r->args, $sts_backend_uri).
 *
 * Why the S3 signature is a variable.  SigV4 signs the Host header the
 * store receives, and that is the proxy module's $proxy_host (or whatever
 * sts_backend_host says), which exists only once proxy_pass has started
 * in the content phase, after the access phase is over.  A header placed
 * in r->headers_in could only be computed before that.  So the signature
 * is the variable $sts_backend_authorization, computed when the proxy
 * module builds the upstream request (the only moment every signed part
 * is final) and sent with
 *
 *     proxy_set_header Authorization $sts_backend_authorization;
 *
 * (an empty value sends no header).  Everything else the signature covers
 * (x-amz-date, x-amz-content-sha256, the mapped x-amz-* headers, the
 * target) is fixed in the access phase.  OSS signatures do not cover Host,
 * so the oss connector signs in the access phase and injects Authorization
 * itself; the variable then returns the same value.  If a signed s3
 * request leaves without the variable having been read, the header filter
 * says so in the error log.
 *
 * PostObject under sts_backend s3.  An S3 store takes a form only with
 * its own policy signature, so the allowed form, read whole by the access
 * phase, is sent as a PUT of the key that was authorised: the body is
 * narrowed to the file part's content (ngx_http_sts_postfile), the form's
 * object attributes become headers (src/core/sts_s3post.h), the identity
 * stamps are headers too (ngx_http_sts_upload_stamp), and the whole goes
 * through the s3 mapping and signature like any PutObject.  The store's
 * answer becomes the form's: success_action_redirect or
 * success_action_status, with OSS's PostResponse document for 201.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_backend.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_errdoc.h"
#include "ngx_http_sts_poststamp.h"
#include "core/sts_sign.h"
#include "core/sts_s3.h"
#include "core/sts_s3post.h"
#include "core/sts_upload.h"


#define NGX_HTTP_STS_BACKEND_NONE   0
#define NGX_HTTP_STS_BACKEND_OSS    1
#define NGX_HTTP_STS_BACKEND_S3     2


struct ngx_http_sts_backend_conf_s {
    ngx_uint_t                  kind;       /* NGX_CONF_UNSET_UINT: unset */
    ngx_flag_t                  v4;         /* oss: V4 signatures */
    sts_s3_creds_t             *creds;      /* NGX_CONF_UNSET_PTR: unset */
    ngx_str_t                   creds_file;
    ngx_str_t                   region;     /* data NULL: unset */
    ngx_str_t                   host;       /* data NULL: unset */
    sts_allocator_t             allocator;  /* over cf->pool */
};


struct ngx_http_sts_backend_ctx_s {
    ngx_http_sts_backend_conf_t  *conf;
    ngx_str_t                     authorization;
    ngx_str_t                     amz_date;
    sts_s3_target_t               target;
    ngx_str_t                     request_id;
    const char                   *refused_header;
    const char                   *reason;
    ngx_chain_t                  *body;         /* an error body, held */
    ngx_chain_t                 **last;
    size_t                        body_len;
    const sts_oss_error_t        *refused_error;  /* else NotImplemented */
    sts_str_t                     post_bucket;  /* a PostObject sent as */
    sts_str_t                     post_key;     /* a PUT: its answer */
    sts_str_t                     post_redirect;
    ngx_uint_t                    post_status;  /* 0: not a PostObject */
    ngx_chain_t                  *post_answer;
    unsigned                      refused:1;    /* NotImplemented */
    unsigned                      evaluated:1;  /* the variable was read */
    unsigned                      hold:1;       /* error body being read */
    unsigned                      too_long:1;
    unsigned                      post_hold:1;  /* answer being replaced */
};


static ngx_int_t ngx_http_sts_backend_s3(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op,
    const sts_params_t *params, const sts_post_form_t *form);
static ngx_int_t ngx_http_sts_backend_s3_post(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op,
    const sts_post_form_t *form);
static ngx_int_t ngx_http_sts_backend_post_answer(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx);
static ngx_int_t ngx_http_sts_backend_s3_headers(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op, sts_allocator_t *a,
    ngx_list_t *headers);
static ngx_int_t ngx_http_sts_backend_oss(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op);
static ngx_int_t ngx_http_sts_backend_oss_own(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, ngx_list_t *headers);
static ngx_int_t ngx_http_sts_backend_oss_view(ngx_http_request_t *r,
    ngx_list_t *headers, sts_http_request_t *view);
static ngx_int_t ngx_http_sts_backend_refuse(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op, const char *header,
    const char *reason);
static ngx_int_t ngx_http_sts_backend_refused_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_backend_sign_s3(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx);
static ngx_int_t ngx_http_sts_backend_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_backend_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_sts_backend_send_error(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx);
static ngx_int_t ngx_http_sts_backend_error_xml(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, const sts_oss_error_t *e,
    const sts_error_field_t *fields, size_t n, sts_buf_t *xml);
static ngx_http_sts_backend_conf_t *ngx_http_sts_backend_get_conf(
    ngx_conf_t *cf, ngx_http_sts_loc_conf_t *slcf);
static void ngx_http_sts_backend_creds_cleanup(void *data);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;

static ngx_int_t                         ngx_http_sts_proxy_host_index;


static const sts_oss_error_t  ngx_http_sts_backend_no_twin = {
    400, "NotImplemented", "The storage backend has no equivalent of this "
    "operation."
};

static const sts_oss_error_t  ngx_http_sts_backend_bad_field = {
    400, "InvalidArgument", "A form field cannot be sent to the store as "
    "it is: its name is not a token or its value holds a control "
    "character."
};

static const sts_oss_error_t  ngx_http_sts_backend_bad_redirect = {
    400, "InvalidArgument", "The success_action_redirect field must be an "
    "http or https URL of printable characters."
};

static const sts_oss_error_t  ngx_http_sts_backend_no_header_twin = {
    400, "NotImplemented", "A header you provided implies functionality "
    "that is not implemented."
};


/*
 * ngx_http_sts_backend_prepare: the request side, after an allow.  Returns
 * NGX_OK (also when the request is to be answered NotImplemented: the
 * content handler is swapped for one that says so) or NGX_ERROR.
 */
ngx_int_t
ngx_http_sts_backend_prepare(ngx_http_request_t *r, sts_oss_op_t *op,
    const sts_params_t *params, const sts_post_form_t *form)
{
    ngx_http_sts_ctx_t           *ctx;
    ngx_http_sts_loc_conf_t      *slcf;
    ngx_http_sts_backend_ctx_t   *bctx;
    ngx_http_sts_backend_conf_t  *bcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);
    bcf = slcf->backend;

    if (bcf == NULL || bcf->kind == NGX_HTTP_STS_BACKEND_NONE) {
        return NGX_OK;
    }

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    bctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_backend_ctx_t));
    if (bctx == NULL) {
        return NGX_ERROR;
    }

    bctx->conf = bcf;
    ctx->backend = bctx;

    if (bcf->kind == NGX_HTTP_STS_BACKEND_OSS) {
        return ngx_http_sts_backend_oss(r, bctx, op);
    }

    return ngx_http_sts_backend_s3(r, bctx, op, params, form);
}


/* a PostObject here is sent as the PUT of its file (sts_backend s3) */
ngx_uint_t
ngx_http_sts_backend_post_as_put(ngx_http_request_t *r)
{
    ngx_http_sts_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    return slcf->backend != NULL
           && slcf->backend->kind == NGX_HTTP_STS_BACKEND_S3;
}


static ngx_int_t
ngx_http_sts_backend_s3(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op,
    const sts_params_t *params, const sts_post_form_t *form)
{
    int                   rc;
    u_char               *qm;
    ngx_int_t             nrc;
    sts_str_t             method, refused;
    const char           *api;
    ngx_list_t            headers;
    sts_allocator_t       a;
    ngx_http_sts_ctx_t   *ctx;

    ctx = ngx_http_sts_get_ctx(r);

    ngx_http_sts_pool_allocator(&a, r->pool);

    api = op->api;

    if (api != NULL && ngx_strcmp(api, "PostObject") == 0 && form != NULL) {
        nrc = ngx_http_sts_backend_s3_post(r, bctx, op, form);
        if (nrc != NGX_OK || bctx->refused) {
            return nrc;
        }

        /* from here on, the PutObject of the key that was authorised */
        api = "PutObject";
        params = NULL;
    }

    method.data = (char *) r->method_name.data;
    method.len = r->method_name.len;

    if (!sts_s3_api_supported(api, method)) {
        return ngx_http_sts_backend_refuse(r, bctx, op, NULL,
                                           "no S3 equivalent");
    }

    refused.data = NULL;
    refused.len = 0;

    rc = sts_s3_target(&a, api, op->bucket, op->key, params,
                       &bctx->target, &refused);
    if (rc == STS_EINVAL) {
        return ngx_http_sts_backend_refuse(r, bctx, op, NULL,
                                           "query parameter without an S3 "
                                           "equivalent");
    }

    if (rc != STS_OK) {
        return NGX_ERROR;
    }

    /* the headers: OSS names to S3 ones, the client's credentials gone */

    rc = ngx_http_sts_backend_s3_headers(r, bctx, op, &a, &headers);
    if (rc != NGX_OK || bctx->refused) {
        return rc;
    }

    ngx_http_sts_set_headers(r, &headers);
    r->headers_in.authorization = NULL;

    /* the target: path style, as authorised, query mapped */

    r->unparsed_uri.data = (u_char *) bctx->target.uri.data;
    r->unparsed_uri.len = bctx->target.uri.len;

    qm = ngx_strlchr(r->unparsed_uri.data,
                     r->unparsed_uri.data + r->unparsed_uri.len, '?');
    if (qm != NULL) {
        r->args.data = qm + 1;
        r->args.len = r->unparsed_uri.data + r->unparsed_uri.len - qm - 1;

    } else {
        r->args.data = NULL;
        r->args.len = 0;
    }

    r->uri.data = (u_char *) bctx->target.path.data;
    r->uri.len = bctx->target.path.len;

    ctx->backend_uri = r->unparsed_uri;

    return NGX_OK;
}


/*
 * An allowed PostObject, as the PUT of its file part: the client's
 * headers that describe the form or the object go (the object's come
 * from the form's fields), the form's object attributes come in as
 * headers, the body becomes the file's content.  NGX_OK (with
 * bctx->refused set for a field that cannot be sent) or NGX_ERROR.
 */
static ngx_int_t
ngx_http_sts_backend_s3_post(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op,
    const sts_post_form_t *form)
{
    int                        rc;
    size_t                     i;
    sts_str_t                  name;
    ngx_uint_t                 j, n, stamps;
    ngx_list_t                 headers;
    ngx_list_part_t           *part;
    ngx_table_elt_t           *h, *nh;
    ngx_http_sts_loc_conf_t   *slcf;
    const sts_post_field_t    *f;

    static const char  *object[] = {
        "Content-Type", "Content-MD5", "Content-Encoding", "Cache-Control",
        "Content-Disposition", "Expires", NULL
    };

    const char  **d;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    /* the stamps were set as headers by the gateway, after the client's
       of those names were removed (ngx_http_sts_upload_stamp) */
    stamps = slcf->stamp_identity;

    f = sts_post_form_field(form, "success_action_redirect");
    if (f != NULL && f->value.len) {
        if (!sts_s3post_redirect_ok(f->value)) {
            bctx->refused_error = &ngx_http_sts_backend_bad_redirect;
            return ngx_http_sts_backend_refuse(r, bctx, op, NULL,
                                               "success_action_redirect "
                                               "is no URL");
        }

        bctx->post_redirect = f->value;
    }

    f = sts_post_form_field(form, "success_action_status");
    bctx->post_status = sts_s3post_status(f ? &f->value : NULL);
    bctx->post_bucket = op->bucket;
    bctx->post_key = op->key;

    n = form->num_fields;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    if (ngx_list_init(&headers, r->pool, n + 1, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (j = 0; j < part->nelts; j++) {
            name.data = (char *) h[j].key.data;
            name.len = h[j].key.len;

            for (d = object; *d; d++) {
                if (sts_str_caseeq(name, *d)) {
                    break;
                }
            }

            if (*d != NULL) {
                continue;
            }

            if (name.len > 6
                && ngx_strncasecmp(h[j].key.data, (u_char *) "x-oss-", 6)
                   == 0
                && !(stamps && sts_upload_stamp_header(name)))
            {
                /* a form's header: OSS reads the object's from the form */
                continue;
            }

            nh = ngx_list_push(&headers);
            if (nh == NULL) {
                return NGX_ERROR;
            }

            *nh = h[j];
        }
    }

    for (i = 0; i < form->num_fields; i++) {
        f = &form->fields[i];

        rc = sts_s3post_field(f->name, f->value);

        if (rc == STS_S3POST_SKIP) {
            continue;
        }

        if (rc != STS_S3POST_HEADER) {
            bctx->refused_error = &ngx_http_sts_backend_bad_field;
            return ngx_http_sts_backend_refuse(r, bctx, op, NULL,
                                               "a form field a header "
                                               "cannot carry");
        }

        if (ngx_http_sts_push_header(r, &headers, f->name.data, f->name.len,
                                     (u_char *) f->value.data, f->value.len)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    ngx_http_sts_set_headers(r, &headers);

    if (ngx_http_sts_postfile(r, form) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * the store gets a PUT; nginx keeps the request a POST (r->method),
     * so that it is never retried once sent (ngx_http_sts_postfile)
     */
    ngx_str_set(&r->method_name, "PUT");

    return NGX_OK;
}


/*
 * The request's headers for the store, in |headers|: OSS names to S3
 * ones, the client's credentials gone, the connector's own added.
 * NGX_OK (with bctx->refused set for a header without an S3 twin) or
 * NGX_ERROR.
 */
static ngx_int_t
ngx_http_sts_backend_s3_headers(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op, sts_allocator_t *a,
    ngx_list_t *headers)
{
    int                   rc;
    u_char               *p;
    sts_str_t             name, value, out_name, out_value;
    ngx_uint_t            i, n;
    ngx_list_part_t      *part;
    ngx_table_elt_t      *h, *nh;
    sts_s3_creds_t       *creds;
    char                  date[STS_ISO8601_BASIC_LEN + 1];

    creds = bctx->conf->creds;

    n = 0;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    if (ngx_list_init(headers, r->pool, n + 4, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == sizeof("Authorization") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Authorization",
                                   h[i].key.len) == 0)
            {
                continue;
            }

            name.data = (char *) h[i].key.data;
            name.len = h[i].key.len;
            value.data = (char *) h[i].value.data;
            value.len = h[i].value.len;

            rc = sts_s3_map_request_header(a, name, value, &out_name,
                                           &out_value);
            switch (rc) {

            case STS_S3_KEEP:
                nh = ngx_list_push(headers);
                if (nh == NULL) {
                    return NGX_ERROR;
                }

                *nh = h[i];
                break;

            case STS_S3_DROP:
                break;

            case STS_S3_MAP:
                if (ngx_http_sts_push_header(r, headers, out_name.data,
                                             out_name.len,
                                             (u_char *) out_value.data,
                                             out_value.len)
                    == NULL)
                {
                    return NGX_ERROR;
                }

                break;

            case STS_S3_REFUSE:
                p = ngx_pnalloc(r->pool, h[i].key.len + 1);
                if (p == NULL) {
                    return NGX_ERROR;
                }

                ngx_strlow(p, h[i].key.data, h[i].key.len);
                p[h[i].key.len] = '\0';

                return ngx_http_sts_backend_refuse(r, bctx, op,
                                                   (const char *) p,
                                                   "header without an S3 "
                                                   "equivalent");

            default:
                return NGX_ERROR;
            }
        }
    }

    if (creds != NULL) {
        sts_format_iso8601_basic(date, (int64_t) ngx_time());

        bctx->amz_date.data = ngx_pnalloc(r->pool, STS_ISO8601_BASIC_LEN);
        if (bctx->amz_date.data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(bctx->amz_date.data, date, STS_ISO8601_BASIC_LEN);
        bctx->amz_date.len = STS_ISO8601_BASIC_LEN;

        if (ngx_http_sts_push_header(r, headers, "x-amz-date",
                                     sizeof("x-amz-date") - 1,
                                     bctx->amz_date.data,
                                     bctx->amz_date.len) == NULL
            || ngx_http_sts_push_header(r, headers, "x-amz-content-sha256",
                                        sizeof("x-amz-content-sha256") - 1,
                                        (u_char *) STS_S3_UNSIGNED_PAYLOAD,
                                        sizeof(STS_S3_UNSIGNED_PAYLOAD) - 1)
               == NULL)
        {
            return NGX_ERROR;
        }

        if (creds->security_token.len
            && ngx_http_sts_push_header(r, headers, "x-amz-security-token",
                                        sizeof("x-amz-security-token") - 1,
                                        (u_char *) creds->security_token.data,
                                        creds->security_token.len)
               == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_backend_oss(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op)
{
    int                   rc;
    ngx_uint_t            i, n;
    sts_buf_t             auth;
    sts_str_t             none;
    ngx_list_t            headers;
    ngx_list_part_t      *part;
    ngx_table_elt_t      *h, *nh;
    sts_allocator_t       a;
    sts_s3_creds_t       *creds;
    sts_sign_creds_t      sc;
    sts_http_request_t    view;

    static const char  *dropped[] = {
        "authorization", "x-oss-security-token", "x-oss-date",
        "x-oss-content-sha256", NULL
    };

    const char  **d;

    creds = bctx->conf->creds;
    ngx_http_sts_pool_allocator(&a, r->pool);

    /*
     * the gateway signs with its own key: the client's credentials and
     * the gateway's own parameters leave the query whatever
     * sts_strip_credentials says, as they leave the headers below
     */
    if (ngx_http_sts_strip_query(r) != NGX_OK) {
        return NGX_ERROR;
    }

    n = 0;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    if (ngx_list_init(&headers, r->pool, n + 4, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            for (d = dropped; *d; d++) {
                if (h[i].key.len == ngx_strlen(*d)
                    && ngx_strncasecmp(h[i].key.data, (u_char *) *d,
                                       h[i].key.len) == 0)
                {
                    break;
                }
            }

            if (*d != NULL) {
                continue;
            }

            nh = ngx_list_push(&headers);
            if (nh == NULL) {
                return NGX_ERROR;
            }

            *nh = h[i];
        }
    }

    /* the gateway's own date, token and payload hash */

    if (ngx_http_sts_backend_oss_own(r, bctx, &headers) != NGX_OK) {
        return NGX_ERROR;
    }

    /* a view of the request as it leaves, for the core's signers */

    if (ngx_http_sts_backend_oss_view(r, &headers, &view) != NGX_OK) {
        return NGX_ERROR;
    }

    sc.access_key_id = creds->access_key_id;
    sc.secret = creds->secret;
    sc.security_token = creds->security_token;
    sc.region.data = (char *) bctx->conf->region.data;
    sc.region.len = bctx->conf->region.len;

    sts_buf_init(&auth, &a, 0);

    if (bctx->conf->v4) {
        none.data = "";
        none.len = 0;
        rc = sts_sign_v4_header(&auth, &view, op->bucket, op->key, &sc,
                                none);

    } else {
        rc = sts_sign_v1_header(&auth, &view, op->bucket, op->key, &sc);
    }

    if (rc != STS_OK) {
        ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                      "sts_backend oss: the request could not be signed: "
                      "%s", sts_strerror(rc));
        return NGX_ERROR;
    }

    bctx->authorization.data = (u_char *) auth.data;
    bctx->authorization.len = auth.len;

    if (ngx_http_sts_push_header(r, &headers, "Authorization",
                                 sizeof("Authorization") - 1,
                                 bctx->authorization.data,
                                 bctx->authorization.len) == NULL)
    {
        return NGX_ERROR;
    }

    ngx_http_sts_set_headers(r, &headers);
    r->headers_in.authorization = NULL;

    return NGX_OK;
}


/* the gateway's own headers: its date, its token, the payload hash */
static ngx_int_t
ngx_http_sts_backend_oss_own(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, ngx_list_t *headers)
{
    size_t           n;
    sts_s3_creds_t  *creds;
    char             date[STS_RFC1123_LEN + 1];

    creds = bctx->conf->creds;

    if (bctx->conf->v4) {
        sts_format_iso8601_basic(date, (int64_t) ngx_time());
        n = STS_ISO8601_BASIC_LEN;

    } else {
        sts_format_rfc1123(date, (int64_t) ngx_time());
        n = STS_RFC1123_LEN;
    }

    bctx->amz_date.data = ngx_pnalloc(r->pool, n);
    if (bctx->amz_date.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(bctx->amz_date.data, date, n);
    bctx->amz_date.len = n;

    if (ngx_http_sts_push_header(r, headers, "x-oss-date",
                                 sizeof("x-oss-date") - 1,
                                 bctx->amz_date.data, n) == NULL)
    {
        return NGX_ERROR;
    }

    if (bctx->conf->v4
        && ngx_http_sts_push_header(r, headers, "x-oss-content-sha256",
                                    sizeof("x-oss-content-sha256") - 1,
                                    (u_char *) STS_UNSIGNED_PAYLOAD,
                                    sizeof(STS_UNSIGNED_PAYLOAD) - 1)
           == NULL)
    {
        return NGX_ERROR;
    }

    if (creds->security_token.len
        && ngx_http_sts_push_header(r, headers, "x-oss-security-token",
                                    sizeof("x-oss-security-token") - 1,
                                    (u_char *) creds->security_token.data,
                                    creds->security_token.len)
           == NULL)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the request as it leaves, with |headers|, for the core's signers */
static ngx_int_t
ngx_http_sts_backend_oss_view(ngx_http_request_t *r, ngx_list_t *headers,
    sts_http_request_t *view)
{
    u_char           *qm;
    ngx_uint_t        i, n;
    sts_header_t     *hv;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    n = 0;
    for (part = &headers->part; part; part = part->next) {
        n += part->nelts;
    }

    hv = ngx_palloc(r->pool, n * sizeof(sts_header_t));
    if (hv == NULL) {
        return NGX_ERROR;
    }

    n = 0;
    for (part = &headers->part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            hv[n].name.data = (char *) h[i].key.data;
            hv[n].name.len = h[i].key.len;
            hv[n].value.data = (char *) h[i].value.data;
            hv[n].value.len = h[i].value.len;
            n++;
        }
    }

    ngx_memzero(view, sizeof(sts_http_request_t));

    view->method.data = (char *) r->method_name.data;
    view->method.len = r->method_name.len;

    if (r->headers_in.host != NULL) {
        view->host.data = (char *) r->headers_in.host->value.data;
        view->host.len = r->headers_in.host->value.len;

    } else {
        view->host.data = "";
    }

    qm = ngx_strlchr(r->unparsed_uri.data,
                     r->unparsed_uri.data + r->unparsed_uri.len, '?');

    view->raw_path.data = (char *) r->unparsed_uri.data;
    view->raw_path.len = (qm ? qm : r->unparsed_uri.data
                                    + r->unparsed_uri.len)
                         - r->unparsed_uri.data;
    view->raw_query.data = (char *) r->args.data;
    view->raw_query.len = r->args.len;

    if (view->raw_query.data == NULL) {
        view->raw_query.data = "";
    }

    view->headers = hv;
    view->num_headers = n;
    view->now = ngx_time();

    return NGX_OK;
}


/*
 * An operation, query parameter or header without an S3 twin: nothing is
 * forwarded, the content phase answers NotImplemented instead of
 * proxy_pass (r->content_handler was chosen in the find-config phase,
 * before the access phase; nothing resets it afterwards but an internal
 * redirect, which also drops this answer).
 */
static ngx_int_t
ngx_http_sts_backend_refuse(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, sts_oss_op_t *op, const char *header,
    const char *reason)
{
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);

    bctx->refused = 1;
    bctx->refused_header = header;
    bctx->reason = reason;

    ngx_str_set(&ctx->error_code, "NotImplemented");

    ngx_log_error(NGX_LOG_INFO, ngx_http_sts_log(r), 0,
                  "sts: %s NotImplemented for \"%V\": %s%s%s",
                  op->api ? op->api : "request", &ctx->access_key_id,
                  reason, header ? " " : "", header ? header : "");

    r->content_handler = ngx_http_sts_backend_refused_handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_backend_refused_handler(ngx_http_request_t *r)
{
    ngx_int_t                    rc;
    ngx_buf_t                   *b;
    sts_buf_t                    xml;
    ngx_chain_t                  out;
    sts_error_field_t            field;
    ngx_http_sts_ctx_t          *ctx;
    const sts_oss_error_t       *e;
    ngx_http_sts_backend_ctx_t  *bctx;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->backend == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    bctx = ctx->backend;

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    e = bctx->refused_error ? bctx->refused_error
                            : &ngx_http_sts_backend_no_twin;

    if (bctx->refused_header != NULL) {
        e = &ngx_http_sts_backend_no_header_twin;
        field.name = "Header";
        field.value.data = bctx->refused_header;
        field.value.len = ngx_strlen(bctx->refused_header);
    }

    if (ngx_http_sts_backend_error_xml(r, bctx, e, &field,
                                       bctx->refused_header ? 1 : 0, &xml)
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


/*
 * Renders the OSS error document for |e| into |xml| and sets what goes
 * with it (ngx_http_sts_error_render): x-oss-request-id is
 * bctx->request_id, made here if the store sent none.
 */
static ngx_int_t
ngx_http_sts_backend_error_xml(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx, const sts_oss_error_t *e,
    const sts_error_field_t *fields, size_t n, sts_buf_t *xml)
{
    u_char           *p;
    sts_str_t         rid, host;
    ngx_table_elt_t  *h;
    char              id[STS_REQUEST_ID_LEN + 1];

    if (bctx->request_id.len == 0) {
        sts_request_id(id);

        p = ngx_pnalloc(r->pool, STS_REQUEST_ID_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, id, STS_REQUEST_ID_LEN);
        bctx->request_id.data = p;
        bctx->request_id.len = STS_REQUEST_ID_LEN;

        h = ngx_http_sts_push_header(r, &r->headers_out.headers,
                                     "x-oss-request-id",
                                     sizeof("x-oss-request-id") - 1,
                                     p, STS_REQUEST_ID_LEN);
        if (h == NULL) {
            return NGX_ERROR;
        }
    }

    rid.data = (char *) bctx->request_id.data;
    rid.len = bctx->request_id.len;

    if (r->headers_in.host != NULL) {
        host.data = (char *) r->headers_in.host->value.data;
        host.len = r->headers_in.host->value.len;

    } else {
        host.data = "";
        host.len = 0;
    }

    return ngx_http_sts_error_render(r, e, host, rid, 0, fields, n, xml);
}


/*
 * $sts_backend_authorization: the Authorization header for the store.
 * oss: computed in the access phase.  s3: computed here, when the proxy
 * module evaluates its headers, over the Host it sends.
 */
ngx_int_t
ngx_http_sts_backend_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_sts_ctx_t          *ctx;
    ngx_http_upstream_conf_t    *ucf;
    ngx_http_sts_backend_ctx_t  *bctx;

    v->not_found = 1;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->backend == NULL) {
        return NGX_OK;
    }

    bctx = ctx->backend;
    bctx->evaluated = 1;

    if (bctx->post_status && r->upstream != NULL
        && (r->upstream->conf->next_upstream
            & NGX_HTTP_UPSTREAM_FT_NON_IDEMPOTENT))
    {
        /*
         * a retry would send the form's first bytes as the file's
         * (ngx_http_sts_postfile): this request is not retried once sent,
         * whatever "proxy_next_upstream non_idempotent" says
         */
        ucf = ngx_palloc(r->pool, sizeof(ngx_http_upstream_conf_t));
        if (ucf == NULL) {
            return NGX_ERROR;
        }

        *ucf = *r->upstream->conf;
        ucf->next_upstream &= ~NGX_HTTP_UPSTREAM_FT_NON_IDEMPOTENT;
        r->upstream->conf = ucf;
    }

    if (bctx->authorization.len == 0
        && bctx->conf->kind == NGX_HTTP_STS_BACKEND_S3
        && bctx->conf->creds != NULL
        && !bctx->refused)
    {
        if (ngx_http_sts_backend_sign_s3(r, bctx) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (bctx->authorization.len == 0) {
        return NGX_OK;
    }

    v->len = bctx->authorization.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = bctx->authorization.data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_backend_sign_s3(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx)
{
    int                         rc;
    size_t                      n;
    sts_buf_t                   auth;
    sts_str_t                   method, payload, date;
    ngx_uint_t                  i;
    sts_header_t               *hv;
    ngx_list_part_t            *part;
    ngx_table_elt_t            *h;
    sts_allocator_t             a;
    sts_s3_creds_t              creds;
    ngx_http_variable_value_t  *host;

    if (bctx->conf->host.data != NULL) {
        host = ngx_pcalloc(r->pool, sizeof(ngx_http_variable_value_t));
        if (host == NULL) {
            return NGX_ERROR;
        }

        host->data = bctx->conf->host.data;
        host->len = bctx->conf->host.len;

    } else {
        host = ngx_http_get_indexed_variable(r,
                                             ngx_http_sts_proxy_host_index);
        if (host == NULL || host->not_found || host->len == 0) {
            ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                          "sts_backend s3: no $proxy_host to sign, set "
                          "\"sts_backend_host\"");
            return NGX_ERROR;
        }
    }

    /* host, content-md5, content-type and every x-amz-* header */

    n = 1;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    hv = ngx_palloc(r->pool, n * sizeof(sts_header_t));
    if (hv == NULL) {
        return NGX_ERROR;
    }

    hv[0].name.data = "host";
    hv[0].name.len = 4;
    hv[0].value.data = (char *) host->data;
    hv[0].value.len = host->len;
    n = 1;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].hash == 0) {
                continue;
            }

            if ((h[i].key.len > 6
                 && ngx_strncasecmp(h[i].key.data, (u_char *) "x-amz-", 6)
                    == 0)
                || (h[i].key.len == sizeof("Content-MD5") - 1
                    && ngx_strncasecmp(h[i].key.data,
                                       (u_char *) "Content-MD5",
                                       h[i].key.len) == 0)
                || (h[i].key.len == sizeof("Content-Type") - 1
                    && ngx_strncasecmp(h[i].key.data,
                                       (u_char *) "Content-Type",
                                       h[i].key.len) == 0))
            {
                hv[n].name.data = (char *) h[i].key.data;
                hv[n].name.len = h[i].key.len;
                hv[n].value.data = (char *) h[i].value.data;
                hv[n].value.len = h[i].value.len;
                n++;
            }
        }
    }

    creds = *bctx->conf->creds;
    creds.region.data = (char *) bctx->conf->region.data;
    creds.region.len = bctx->conf->region.len;
    creds.service.data = "s3";
    creds.service.len = 2;

    method.data = (char *) r->method_name.data;
    method.len = r->method_name.len;
    payload.data = STS_S3_UNSIGNED_PAYLOAD;
    payload.len = sizeof(STS_S3_UNSIGNED_PAYLOAD) - 1;

    ngx_http_sts_pool_allocator(&a, r->pool);
    sts_buf_init(&auth, &a, 0);

    date.data = (char *) bctx->amz_date.data;
    date.len = bctx->amz_date.len;

    rc = sts_s3_sign_v4(&auth, method, bctx->target.canonical_uri,
                        bctx->target.canonical_query, hv, n, payload, date,
                        &creds, NULL, NULL);

    ngx_explicit_memzero(&creds, sizeof(sts_s3_creds_t));

    if (rc != STS_OK) {
        ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                      "sts_backend s3: the request could not be signed: %s",
                      sts_strerror(rc));
        return NGX_ERROR;
    }

    bctx->authorization.data = (u_char *) auth.data;
    bctx->authorization.len = auth.len;

    return NGX_OK;
}


/* the response side: S3 names back to OSS ones, S3 errors to OSS errors */

static ngx_int_t
ngx_http_sts_backend_header_filter(ngx_http_request_t *r)
{
    u_char                      *p;
    sts_str_t                    name, value, out_name, out_value;
    ngx_uint_t                   i;
    ngx_list_part_t             *part;
    ngx_table_elt_t             *h;
    sts_allocator_t              a;
    ngx_http_sts_ctx_t          *ctx;
    ngx_http_sts_backend_ctx_t  *bctx;
    char                         id[STS_REQUEST_ID_LEN + 1];

    ctx = ngx_http_sts_get_ctx(r);

    if (ctx == NULL || ctx->backend == NULL || r != r->main
        || r->upstream == NULL)
    {
        return ngx_http_next_header_filter(r);
    }

    bctx = ctx->backend;

    if (bctx->conf->kind != NGX_HTTP_STS_BACKEND_S3 || bctx->refused) {
        return ngx_http_next_header_filter(r);
    }

    if (bctx->conf->creds != NULL && !bctx->evaluated) {
        ngx_log_error(NGX_LOG_WARN, ngx_http_sts_log(r), 0,
                      "sts_backend s3: the request went to the store "
                      "unsigned; add \"proxy_set_header Authorization "
                      "$sts_backend_authorization;\"");
    }

    ngx_http_sts_pool_allocator(&a, r->pool);

    for (part = &r->headers_out.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].hash == 0) {
                continue;
            }

            name.data = (char *) h[i].key.data;
            name.len = h[i].key.len;
            value.data = (char *) h[i].value.data;
            value.len = h[i].value.len;

            switch (sts_s3_map_response_header(&a, name, value, &out_name,
                                               &out_value))
            {
            case STS_S3_KEEP:
                break;

            case STS_S3_DROP:
                h[i].hash = 0;
                break;

            case STS_S3_MAP:
                h[i].key.data = (u_char *) out_name.data;
                h[i].key.len = out_name.len;
                h[i].value.data = (u_char *) out_value.data;
                h[i].value.len = out_value.len;

                if (out_name.len == sizeof("x-oss-request-id") - 1
                    && ngx_strncmp(out_name.data, "x-oss-request-id",
                                   out_name.len) == 0)
                {
                    bctx->request_id = h[i].value;
                }

                break;

            default:
                return NGX_ERROR;
            }
        }
    }

    if (bctx->request_id.len == 0) {
        /* every OSS answer names its request */
        sts_request_id(id);

        p = ngx_pnalloc(r->pool, STS_REQUEST_ID_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, id, STS_REQUEST_ID_LEN);

        if (ngx_http_sts_push_header(r, &r->headers_out.headers,
                                     "x-oss-request-id",
                                     sizeof("x-oss-request-id") - 1,
                                     p, STS_REQUEST_ID_LEN)
            == NULL)
        {
            return NGX_ERROR;
        }

        bctx->request_id.data = p;
        bctx->request_id.len = STS_REQUEST_ID_LEN;
    }

    if (bctx->post_status
        && r->headers_out.status >= NGX_HTTP_OK
        && r->headers_out.status < NGX_HTTP_SPECIAL_RESPONSE)
    {
        /* a PostObject sent as a PUT: the answer OSS gives a form */
        return ngx_http_sts_backend_post_answer(r, bctx);
    }

    if (r->headers_out.status < NGX_HTTP_BAD_REQUEST) {
        return ngx_http_next_header_filter(r);
    }

    if (r->header_only || r->method == NGX_HTTP_HEAD) {
        return ngx_http_sts_backend_send_error(r, bctx);
    }

    /*
     * An error with a body: hold the headers until the S3 document is
     * read, then send the OSS one in its place (body filter).
     */
    bctx->hold = 1;
    bctx->last = &bctx->body;
    r->filter_need_in_memory = 1;
    r->allow_ranges = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_backend_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    size_t                       n;
    ngx_buf_t                   *b;
    ngx_chain_t                 *cl, *ncl;
    ngx_http_sts_ctx_t          *ctx;
    ngx_http_sts_backend_ctx_t  *bctx;

    ctx = ngx_http_sts_get_ctx(r);

    if (ctx != NULL && ctx->backend != NULL && ctx->backend->post_hold) {
        /* the store's body goes, the form's answer comes in its place */
        bctx = ctx->backend;

        for (cl = in; cl; cl = cl->next) {
            b = cl->buf;

            if (ngx_buf_in_memory(b)) {
                b->pos = b->last;
            }

            if (b->in_file) {
                b->file_pos = b->file_last;
            }

            if (b->last_buf || b->last_in_chain) {
                bctx->post_hold = 0;
                return ngx_http_next_body_filter(r, bctx->post_answer);
            }
        }

        return NGX_OK;
    }

    if (ctx == NULL || ctx->backend == NULL || !ctx->backend->hold) {
        return ngx_http_next_body_filter(r, in);
    }

    bctx = ctx->backend;

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;
        n = ngx_buf_size(b);

        if (n && !bctx->too_long) {
            if (!ngx_buf_in_memory(b)
                || bctx->body_len + n > STS_S3_ERROR_MAX_BODY)
            {
                /* not an error document this gateway reads */
                bctx->too_long = 1;

            } else {
                ncl = ngx_alloc_chain_link(r->pool);
                if (ncl == NULL) {
                    return NGX_ERROR;
                }

                ncl->buf = ngx_create_temp_buf(r->pool, n);
                if (ncl->buf == NULL) {
                    return NGX_ERROR;
                }

                ncl->buf->last = ngx_cpymem(ncl->buf->pos, b->pos, n);
                ncl->next = NULL;
                *bctx->last = ncl;
                bctx->last = &ncl->next;
                bctx->body_len += n;
            }
        }

        /* consumed: the upstream may reuse its buffers */
        if (ngx_buf_in_memory(b)) {
            b->pos = b->last;
        }

        if (b->in_file) {
            b->file_pos = b->file_last;
        }

        if (b->last_buf || b->last_in_chain) {
            bctx->hold = 0;
            return ngx_http_sts_backend_send_error(r, bctx);
        }
    }

    return NGX_OK;
}


/*
 * The answer to a PostObject the store took as a PUT: a 303 to
 * success_action_redirect, or success_action_status (201 with OSS's
 * PostResponse document), with the store's ETag.  The store's own body
 * is dropped by the body filter, which sends this one in its place.
 */
static ngx_int_t
ngx_http_sts_backend_post_answer(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx)
{
    ngx_buf_t         *b;
    sts_buf_t          out, loc;
    sts_str_t          etag, location, host;
    ngx_chain_t       *cl;
    sts_allocator_t    a;
    ngx_table_elt_t   *h;

    ngx_http_sts_pool_allocator(&a, r->pool);
    sts_buf_init(&out, &a, 0);
    sts_buf_init(&loc, &a, 0);

    etag.data = "";
    etag.len = 0;

    if (r->headers_out.etag != NULL) {
        etag.data = (char *) r->headers_out.etag->value.data;
        etag.len = r->headers_out.etag->value.len;
    }

    ngx_http_clear_content_length(r);
    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);
    r->allow_ranges = 0;

    if (r->headers_out.location != NULL) {
        /* the store's own (a 201 Created may name the object) */
        r->headers_out.location->hash = 0;
        r->headers_out.location = NULL;
    }

    if (bctx->post_redirect.len) {
        if (sts_s3post_location(&loc, bctx->post_redirect, bctx->post_bucket,
                                bctx->post_key, etag)
            != STS_OK)
        {
            return NGX_ERROR;
        }

        h = ngx_http_sts_push_header(r, &r->headers_out.headers, "Location",
                                     sizeof("Location") - 1,
                                     (u_char *) loc.data, loc.len);
        if (h == NULL) {
            return NGX_ERROR;
        }

        r->headers_out.location = h;
        r->headers_out.status = NGX_HTTP_SEE_OTHER;

    } else {
        r->headers_out.status = bctx->post_status;
    }

    r->headers_out.status_line.len = 0;

    if (r->headers_out.status == NGX_HTTP_CREATED) {
        host.data = "";
        host.len = 0;

        if (r->headers_in.host != NULL) {
            host.data = (char *) r->headers_in.host->value.data;
            host.len = r->headers_in.host->value.len;
        }

        /* where the object is, as this gateway addresses it */
        (void) sts_buf_append_str(&loc, r->connection->ssl ? "https://"
                                                           : "http://");
        (void) sts_buf_append(&loc, host.data, host.len);
        (void) sts_buf_append_char(&loc, '/');
        (void) sts_uri_encode(&loc, bctx->post_bucket.data,
                              bctx->post_bucket.len, 0);
        (void) sts_buf_append_char(&loc, '/');
        (void) sts_uri_encode(&loc, bctx->post_key.data,
                              bctx->post_key.len, STS_URI_KEEP_SLASH);

        if (sts_buf_ok(&loc) != STS_OK) {
            return NGX_ERROR;
        }

        location.data = loc.data;
        location.len = loc.len;

        if (sts_s3post_response(&out, bctx->post_bucket, bctx->post_key,
                                location, etag)
            != STS_OK)
        {
            return NGX_ERROR;
        }

        ngx_str_set(&r->headers_out.content_type, "application/xml");
        r->headers_out.content_type_len = r->headers_out.content_type.len;
        r->headers_out.content_type_lowcase = NULL;

    } else {
        r->headers_out.content_type.len = 0;
        r->headers_out.content_type_len = 0;
    }

    r->headers_out.content_length_n = out.len;

    b = ngx_calloc_buf(r->pool);
    cl = ngx_alloc_chain_link(r->pool);
    if (b == NULL || cl == NULL) {
        return NGX_ERROR;
    }

    b->pos = (u_char *) out.data;
    b->last = b->pos + out.len;
    b->memory = out.len ? 1 : 0;
    b->last_buf = 1;
    b->last_in_chain = 1;

    cl->buf = b;
    cl->next = NULL;

    bctx->post_answer = cl;
    bctx->post_hold = 1;

    return ngx_http_next_header_filter(r);
}


/*
 * Sends the OSS error document for the store's error: the S3 document
 * read (bctx->body) with its code mapped, or, without a readable one, the
 * error its status stands for.
 */
static ngx_int_t
ngx_http_sts_backend_send_error(ngx_http_request_t *r,
    ngx_http_sts_backend_ctx_t *bctx)
{
    u_char                 *p;
    size_t                  i;
    ngx_int_t               rc;
    ngx_buf_t              *b;
    sts_buf_t               xml;
    ngx_chain_t            *cl, out;
    sts_allocator_t         a;
    sts_s3_error_t          s3e;
    sts_oss_error_t         oe;
    sts_error_field_t       fields[STS_S3_ERROR_MAX_FIELDS];
    const sts_oss_error_t  *e;

    ngx_http_sts_pool_allocator(&a, r->pool);
    ngx_memzero(&s3e, sizeof(sts_s3_error_t));

    e = sts_s3_status_error((int) r->headers_out.status);
    i = 0;

    if (bctx->body_len && !bctx->too_long) {
        p = ngx_pnalloc(r->pool, bctx->body_len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        b = ngx_calloc_buf(r->pool);
        if (b == NULL) {
            return NGX_ERROR;
        }

        b->pos = p;
        for (cl = bctx->body; cl; cl = cl->next) {
            p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
        }

        if (sts_s3_error_parse(&a, (char *) b->pos, bctx->body_len, &s3e)
            == STS_OK)
        {
            if (sts_s3_error_map(s3e.code, (int) r->headers_out.status,
                                 s3e.message, &oe))
            {
                ngx_log_error(NGX_LOG_ERR, ngx_http_sts_log(r), 0,
                              "sts_backend s3: the store refused the "
                              "gateway's request: %s \"%s\"",
                              s3e.code.data, s3e.message.data
                                             ? s3e.message.data : "");

            } else {
                for (i = 0; i < s3e.num_fields; i++) {
                    fields[i].name = s3e.fields[i].name.data;
                    fields[i].value = s3e.fields[i].value;
                }
            }

            e = &oe;
        }
    }

    if (e == NULL) {
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_sts_backend_error_xml(r, bctx, e, fields, i, &xml)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (e == &oe) {
        /* a bodiless error keeps its status; a read one may change it */
        r->headers_out.status = e->http_status;
        r->headers_out.status_line.len = 0;
    }

    if (r->header_only || r->method == NGX_HTTP_HEAD) {
        return ngx_http_next_header_filter(r);
    }

    ngx_http_clear_content_length(r);
    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_etag(r);
    r->headers_out.content_length_n = xml.len;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = (u_char *) xml.data;
    b->last = b->pos + xml.len;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_next_header_filter(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_next_body_filter(r, &out);
}


ngx_int_t
ngx_http_sts_backend_init(ngx_conf_t *cf)
{
    ngx_str_t  name = ngx_string("proxy_host");

    ngx_http_sts_proxy_host_index = ngx_http_get_variable_index(cf, &name);
    if (ngx_http_sts_proxy_host_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_sts_backend_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_sts_backend_body_filter;

    return NGX_OK;
}


/* configuration */

static ngx_http_sts_backend_conf_t *
ngx_http_sts_backend_get_conf(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *slcf)
{
    ngx_http_sts_backend_conf_t  *bcf;

    if (slcf->backend != NULL) {
        return slcf->backend;
    }

    bcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sts_backend_conf_t));
    if (bcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     bcf->creds_file = { 0, NULL };
     *     bcf->region = { 0, NULL };
     *     bcf->host = { 0, NULL };
     */

    bcf->kind = NGX_CONF_UNSET_UINT;
    bcf->v4 = NGX_CONF_UNSET;
    bcf->creds = NGX_CONF_UNSET_PTR;
    ngx_http_sts_pool_allocator(&bcf->allocator, cf->pool);

    slcf->backend = bcf;

    return bcf;
}


char *
ngx_http_sts_backend(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    ngx_str_t                    *value;
    ngx_http_sts_backend_conf_t  *bcf;

    bcf = ngx_http_sts_backend_get_conf(cf, slcf);
    if (bcf == NULL) {
        return NGX_CONF_ERROR;
    }

    if (bcf->kind != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "none") == 0 && cf->args->nelts == 2) {
        bcf->kind = NGX_HTTP_STS_BACKEND_NONE;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "s3") == 0 && cf->args->nelts == 2) {
        bcf->kind = NGX_HTTP_STS_BACKEND_S3;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "oss") == 0) {
        bcf->kind = NGX_HTTP_STS_BACKEND_OSS;
        bcf->v4 = 0;

        if (cf->args->nelts == 2) {
            return NGX_CONF_OK;
        }

        if (ngx_strcmp(value[2].data, "v1") == 0) {
            return NGX_CONF_OK;
        }

        if (ngx_strcmp(value[2].data, "v4") == 0) {
            bcf->v4 = 1;
            return NGX_CONF_OK;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid signature \"%V\", expected \"v1\" or "
                           "\"v4\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\", expected \"none\", "
                       "\"oss [v1 | v4]\" or \"s3\"", &value[1]);

    return NGX_CONF_ERROR;
}


char *
ngx_http_sts_backend_credentials(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    int                           rc;
    char                          err[512];
    ngx_str_t                    *value;
    ngx_pool_cleanup_t           *cln;
    ngx_http_sts_backend_conf_t  *bcf;

    bcf = ngx_http_sts_backend_get_conf(cf, slcf);
    if (bcf == NULL) {
        return NGX_CONF_ERROR;
    }

    if (bcf->creds != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        bcf->creds = NULL;
        return NGX_CONF_OK;
    }

    bcf->creds_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &bcf->creds_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    bcf->creds = ngx_pcalloc(cf->pool, sizeof(sts_s3_creds_t));
    if (bcf->creds == NULL) {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    /* bcf->creds_file is NUL-terminated by ngx_conf_full_name() */
    rc = sts_backend_creds_load(&bcf->allocator,
                                (char *) bcf->creds_file.data, bcf->creds,
                                err, sizeof(err));
    if (rc != STS_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_sts_backend_creds_cleanup;
    cln->data = bcf;

    return NGX_CONF_OK;
}


static void
ngx_http_sts_backend_creds_cleanup(void *data)
{
    ngx_http_sts_backend_conf_t *bcf = data;

    /* wipes the secret; the memory itself goes with the pool */
    sts_backend_creds_free(&bcf->allocator, bcf->creds);
}


char *
ngx_http_sts_backend_region(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    ngx_str_t                    *value;
    ngx_http_sts_backend_conf_t  *bcf;

    bcf = ngx_http_sts_backend_get_conf(cf, slcf);
    if (bcf == NULL) {
        return NGX_CONF_ERROR;
    }

    if (bcf->region.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0 || ngx_strlchr(value[1].data,
                                         value[1].data + value[1].len, '/'))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid region \"%V\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    bcf->region = value[1];

    return NGX_CONF_OK;
}


char *
ngx_http_sts_backend_host(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    ngx_str_t                    *value;
    ngx_http_sts_backend_conf_t  *bcf;

    bcf = ngx_http_sts_backend_get_conf(cf, slcf);
    if (bcf == NULL) {
        return NGX_CONF_ERROR;
    }

    if (bcf->host.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "has an empty value";
    }

    bcf->host = value[1];

    return NGX_CONF_OK;
}


/*
 * ngx_http_sts_backend_merge: a location without any sts_backend*
 * directive shares its parent's settings; one with some takes the rest
 * from its parent.  Then the connector's requirements are checked.
 */
char *
ngx_http_sts_backend_merge(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *prev,
    ngx_http_sts_loc_conf_t *conf)
{
    ngx_http_sts_backend_conf_t  *p, *c;

    p = prev->backend;
    c = conf->backend;

    if (c == NULL) {
        /* shared with the parent, which may not have been merged itself */
        c = p;
        conf->backend = p;

    } else if (p != NULL) {
        if (c->kind == NGX_CONF_UNSET_UINT) {
            c->kind = p->kind;
            c->v4 = p->v4;
        }

        if (c->creds == NGX_CONF_UNSET_PTR) {
            c->creds = p->creds;
            c->creds_file = p->creds_file;
        }

        if (c->region.data == NULL) {
            c->region = p->region;
        }

        if (c->host.data == NULL) {
            c->host = p->host;
        }
    }

    if (c == NULL) {
        return NGX_CONF_OK;
    }

    /* defaults: applying them twice changes nothing */

    if (c->kind == NGX_CONF_UNSET_UINT) {
        c->kind = NGX_HTTP_STS_BACKEND_NONE;
    }

    if (c->v4 == NGX_CONF_UNSET) {
        c->v4 = 0;
    }

    if (c->creds == NGX_CONF_UNSET_PTR) {
        c->creds = NULL;
    }

    if (c->kind == NGX_HTTP_STS_BACKEND_OSS) {
        if (c->creds == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"sts_backend oss\" requires "
                               "\"sts_backend_credentials\"");
            return NGX_CONF_ERROR;
        }

        if (c->v4 && c->region.data == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"sts_backend oss v4\" requires "
                               "\"sts_backend_region\"");
            return NGX_CONF_ERROR;
        }
    }

    if (c->kind == NGX_HTTP_STS_BACKEND_S3 && c->region.data == NULL) {
        ngx_str_set(&c->region, "us-east-1");
    }

    return NGX_CONF_OK;
}
