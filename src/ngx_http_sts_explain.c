/*
 * Copyright (C) nginx-sts authors
 *
 * Explanations of decisions, and the token's remaining lifetime.
 *
 * Every decision of the access phase records what explains it: the policy
 * layer that decided, the statement and its Sid, the condition keys the
 * request lacked, and for a signature that did not match the signature
 * version and the strings it was computed over, with every credential
 * redacted (sts_explain_redact).  The variables $sts_layer, $sts_sid,
 * $sts_missing_keys, $sts_string_to_sign, $sts_canonical_request,
 * $sts_request_id and $sts_explain (one line) carry them to the audit
 * log.  With "sts_explain on" a denial also shows them to the client:
 * extra elements in the OSS error document and an x-sts-explain header.
 *
 * A header filter adds x-sts-token-expires-in to every response to a
 * request signed with temporary credentials, allowed or not.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_explain.h"
#include "core/sts_explain.h"


#define NGX_HTTP_STS_EXPLAIN_LAYER_LEN    160
#define NGX_HTTP_STS_EXPLAIN_MISSING_LEN  1024


/* what decided the policy evaluation, not yet written out */
typedef struct {
    sts_policy_result_t  res;
    ngx_uint_t           longterm;
    unsigned             pending:1;
} ngx_http_sts_explain_pending_t;


static ngx_int_t ngx_http_sts_explain_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_sts_explain_keep(ngx_http_request_t *r,
    sts_str_t *s);
static ngx_int_t ngx_http_sts_explain_set(ngx_http_request_t *r,
    ngx_str_t *dst, const char *src, size_t len);
static ngx_int_t ngx_http_sts_explain_redacted(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, ngx_str_t *dst, sts_str_t text);
static ngx_int_t ngx_http_sts_explain_line(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, ngx_uint_t utf8, ngx_str_t *out);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


ngx_int_t
ngx_http_sts_explain_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_sts_explain_header_filter;

    return NGX_OK;
}


/*
 * x-sts-token-expires-in: the seconds the request's token has left (0
 * once expired), on every response to a request signed with temporary
 * credentials.  Requests with long-term keys, unsigned requests and the
 * STS endpoint's answers have no token expiration: no header.
 */
static ngx_int_t
ngx_http_sts_explain_header_filter(ngx_http_request_t *r)
{
    u_char              *p;
    time_t               left;
    ngx_table_elt_t     *h;
    ngx_http_sts_ctx_t  *ctx;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_sts_get_ctx(r);

    if (ctx == NULL || ctx->expiration == 0 || ctx->expires_sent) {
        return ngx_http_next_header_filter(r);
    }

    ctx->expires_sent = 1;

    left = ctx->expiration - ngx_time();
    if (left < 0) {
        left = 0;
    }

    p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "x-sts-token-expires-in");
    h->value.data = p;
    h->value.len = ngx_sprintf(p, "%T", left) - p;

    return ngx_http_next_header_filter(r);
}


/*
 * What decided |res| (the last {action, resource} pair evaluated): kept
 * as it is, its strings copied (they point into compiled policies, which
 * the token cache may drop before the log phase), and written out as
 * $sts_statement, $sts_layer, $sts_sid and $sts_missing_keys only when
 * something reads them (ngx_http_sts_explain_settle).
 */
ngx_int_t
ngx_http_sts_explain_policy(ngx_http_request_t *r,
    const sts_policy_result_t *res, ngx_uint_t longterm)
{
    unsigned                         i;
    ngx_http_sts_ctx_t              *ctx;
    ngx_http_sts_explain_pending_t  *ep;

    ctx = ngx_http_sts_get_ctx(r);

    ep = ctx->explain;
    if (ep == NULL) {
        ep = ngx_palloc(r->pool, sizeof(ngx_http_sts_explain_pending_t));
        if (ep == NULL) {
            return NGX_ERROR;
        }

        ctx->explain = ep;
    }

    ep->res = *res;
    ep->longterm = longterm;
    ep->pending = 1;

    if (ngx_http_sts_explain_keep(r, &ep->res.sid) != NGX_OK
        || ngx_http_sts_explain_keep(r, &ep->res.session_sid) != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < ep->res.num_missing && i < STS_POLICY_MAX_MISSING; i++) {
        if (ngx_http_sts_explain_keep(r, &ep->res.missing[i]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* a copy of |s| in the request pool, when it is not empty */
static ngx_int_t
ngx_http_sts_explain_keep(ngx_http_request_t *r, sts_str_t *s)
{
    char  *p;

    if (s->len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, s->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, s->data, s->len);
    s->data = p;

    return NGX_OK;
}


/* the kept decision written out into the context's strings, once */
ngx_int_t
ngx_http_sts_explain_settle(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx)
{
    char                             why[128];
    char                             layer[NGX_HTTP_STS_EXPLAIN_LAYER_LEN];
    char                             keys[NGX_HTTP_STS_EXPLAIN_MISSING_LEN];
    size_t                           n, num_names;
    sts_str_t                        arn;
    sts_ram_role_t                   role;
    const char *const               *names;
    ngx_http_sts_main_conf_t        *smcf;
    ngx_http_sts_explain_pending_t  *ep;
    const sts_policy_result_t       *res;

    ep = ctx->explain;
    if (ep == NULL || !ep->pending) {
        return NGX_OK;
    }

    ep->pending = 0;
    res = &ep->res;

    n = sts_policy_result_describe(res, why, sizeof(why));
    if (ngx_http_sts_explain_set(r, &ctx->statement, why,
                                 ngx_min(n, sizeof(why) - 1))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    names = NULL;
    num_names = 0;

    /*
     * With a RAM directory a token's role policies are the role's current
     * ones, in the order of its AttachedPolicies: their names are known
     */
    if (!ep->longterm && smcf->ram != NULL && ctx->role_arn.len) {
        arn.data = (char *) ctx->role_arn.data;
        arn.len = ctx->role_arn.len;

        if (sts_ram_find_role(smcf->ram, arn, &role) == STS_OK) {
            names = role.policy_names;
            num_names = role.num_policies;
        }
    }

    n = sts_explain_layer(res, 0, names, num_names, layer, sizeof(layer));
    if (ngx_http_sts_explain_set(r, &ctx->layer, layer,
                                 ngx_min(n, sizeof(layer) - 1))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    n = sts_explain_missing(res, keys, sizeof(keys));
    if (ngx_http_sts_explain_set(r, &ctx->missing_keys, keys,
                                 ngx_min(n, sizeof(keys) - 1))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sts_explain_set(r, &ctx->sid, res->sid.data,
                                    res->sid.len);
}


/*
 * A signature that did not match: the version and the strings computed,
 * redacted (the token travels in x-oss-security-token, or in the query of
 * a presigned URL)
 */
ngx_int_t
ngx_http_sts_explain_signature(ngx_http_request_t *r, ngx_uint_t v4,
    sts_str_t string_to_sign, sts_str_t canonical)
{
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);

    if (v4) {
        ngx_str_set(&ctx->signature_version, "OSS4-HMAC-SHA256");

    } else {
        ngx_str_set(&ctx->signature_version, "OSS");
    }

    if (ngx_http_sts_explain_redacted(r, ctx, &ctx->string_to_sign,
                                      string_to_sign) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!v4) {
        return NGX_OK;
    }

    return ngx_http_sts_explain_redacted(r, ctx, &ctx->canonical_request,
                                         canonical);
}


/*
 * A denial about to be sent: records the request id and reason for the
 * variables; with "sts_explain on", redacts the StringToSign elements and
 * appends the explanation to |fields| (room for
 * NGX_HTTP_STS_EXPLAIN_FIELDS more after *n) and sets x-sts-explain.
 */
ngx_int_t
ngx_http_sts_explain_deny(ngx_http_request_t *r, const char *reason,
    const char *request_id, sts_error_field_t *fields, size_t *n)
{
    size_t                    i, k;
    sts_buf_t                 hex;
    sts_str_t                 s;
    ngx_str_t                 line;
    ngx_table_elt_t          *h;
    ngx_http_sts_ctx_t       *ctx;
    ngx_http_sts_loc_conf_t  *slcf;

    ctx = ngx_http_sts_get_ctx(r);
    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sts_module);

    if (ngx_http_sts_explain_settle(r, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_sts_explain_set(r, &ctx->request_id, request_id,
                                 ngx_strlen(request_id)) != NGX_OK
        || (reason != NULL
            && ngx_http_sts_explain_set(r, &ctx->reason, reason,
                                        ngx_strlen(reason)) != NGX_OK))
    {
        return NGX_ERROR;
    }

    if (!slcf->explain) {
        /* what OSS would answer, nothing more */
        return NGX_OK;
    }

    /* the StringToSign elements, with the token redacted */

    for (i = 0; i < *n && ctx->string_to_sign.data != NULL; i++) {
        if (ngx_strcmp(fields[i].name, "StringToSign") == 0) {
            fields[i].value.data = (char *) ctx->string_to_sign.data;
            fields[i].value.len = ctx->string_to_sign.len;

        } else if (ngx_strcmp(fields[i].name, "StringToSignBytes") == 0) {
            sts_buf_init(&hex, &ctx->allocator, 0);
            s.data = (char *) ctx->string_to_sign.data;
            s.len = ctx->string_to_sign.len;

            if (s.len && sts_error_hex_bytes(&hex, s) != STS_OK) {
                return NGX_ERROR;
            }

            /* the pool keeps it until the answer is sent */
            fields[i].value.data = hex.data ? hex.data : "";
            fields[i].value.len = hex.len;
        }
    }

    k = *n;

#define ngx_http_sts_explain_field(nm, v)                                   \
    if ((v).len) {                                                          \
        fields[k].name = nm;                                                \
        fields[k].value.data = (char *) (v).data;                           \
        fields[k++].value.len = (v).len;                                    \
    }

    ngx_http_sts_explain_field("Layer", ctx->layer);

    if (ctx->layer.len) {
        ngx_http_sts_explain_field("Statement", ctx->statement);
    }

    ngx_http_sts_explain_field("Sid", ctx->sid);
    ngx_http_sts_explain_field("MissingConditionKeys", ctx->missing_keys);
    ngx_http_sts_explain_field("SignatureVersion", ctx->signature_version);
    ngx_http_sts_explain_field("CanonicalRequest", ctx->canonical_request);
    ngx_http_sts_explain_field("Reason", ctx->reason);

#undef ngx_http_sts_explain_field

    *n = k;

    if (ngx_http_sts_explain_line(r, ctx, 0, &line) != NGX_OK) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "x-sts-explain");
    h->value = line;

    return NGX_OK;
}


/* $sts_explain */
ngx_int_t
ngx_http_sts_explain_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t            line;
    ngx_http_sts_ctx_t  *ctx;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL || ctx->decision.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (ngx_http_sts_explain_settle(r, ctx) != NGX_OK
        || ngx_http_sts_explain_line(r, ctx, 1, &line) != NGX_OK)
    {
        return NGX_ERROR;
    }

    v->len = line.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = line.data;

    return NGX_OK;
}


/*
 * One line, "name=value" pairs separated by spaces, only the known ones:
 *
 *   decision=implicit-deny code=AccessDenied action=oss:GetObject
 *   resource=acs:oss:*:*:b/k layer=session-policy statement=session
 *   missing=acs:Referer sig=OSS4-HMAC-SHA256 reason="..." bucket-policy=none
 *
 * Never a secret, a token or a signature: its parts are the variables'.
 * '%', control bytes and bytes outside ASCII are written as %XX, except
 * that for the audit log (|utf8|) well-formed UTF-8, an object key's say,
 * is kept as it is (sts_explain_escape).
 */
static ngx_int_t
ngx_http_sts_explain_line(ngx_http_request_t *r, ngx_http_sts_ctx_t *ctx,
    ngx_uint_t utf8, ngx_str_t *out)
{
    u_char  *p, *start, *escaped;
    size_t   len;

    len = sizeof("decision= code= action= resource= layer= statement= "
                 "sid= missing= sig= reason=\"\" bucket-policy=none")
          + ctx->decision.len + ctx->error_code.len + ctx->action.len
          + ctx->resource.len + ctx->layer.len + ctx->statement.len
          + ctx->sid.len + ctx->missing_keys.len
          + ctx->signature_version.len + ctx->reason.len;

    start = ngx_pnalloc(r->pool, len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(start, "decision=%V", &ctx->decision);

#define ngx_http_sts_explain_part(nm, v)                                    \
    if ((v).len) {                                                          \
        p = ngx_sprintf(p, " " nm "=%V", &(v));                             \
    }

    ngx_http_sts_explain_part("code", ctx->error_code);
    ngx_http_sts_explain_part("action", ctx->action);
    ngx_http_sts_explain_part("resource", ctx->resource);
    ngx_http_sts_explain_part("layer", ctx->layer);

    if (ctx->layer.len) {
        ngx_http_sts_explain_part("statement", ctx->statement);
    }

    ngx_http_sts_explain_part("sid", ctx->sid);
    ngx_http_sts_explain_part("missing", ctx->missing_keys);
    ngx_http_sts_explain_part("sig", ctx->signature_version);

#undef ngx_http_sts_explain_part

    if (ctx->reason.len) {
        p = ngx_sprintf(p, " reason=\"%V\"", &ctx->reason);
    }

    if (ctx->layer.len) {
        /* there are no bucket policies: only RAM policies decide */
        p = ngx_cpymem(p, " bucket-policy=none",
                       sizeof(" bucket-policy=none") - 1);
    }

    escaped = ngx_pnalloc(r->pool, 3 * (p - start));
    if (escaped == NULL) {
        return NGX_ERROR;
    }

    out->data = escaped;
    out->len = sts_explain_escape((char *) escaped, (char *) start,
                                  p - start, (int) utf8);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_explain_redacted(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx, ngx_str_t *dst, sts_str_t text)
{
    sts_buf_t  b;

    sts_buf_init(&b, &ctx->allocator, 0);

    if (sts_explain_redact(&b, text) != STS_OK) {
        sts_buf_free(&b);
        return NGX_ERROR;
    }

    /* from the request pool: it lives as long as the variables */
    dst->data = (u_char *) (b.data ? b.data : "");
    dst->len = b.len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_explain_set(ngx_http_request_t *r, ngx_str_t *dst,
    const char *src, size_t len)
{
    dst->data = ngx_pnalloc(r->pool, len ? len : 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len);
    dst->len = len;

    return NGX_OK;
}
