/*
 * Copyright (C) nginx-sts authors
 *
 * sts_rpc: one request of the STS RPC API (doc/protocol.md 5).  A request
 * goes through four steps, in the order the service checks them:
 *
 *   parse          Format first (every later answer is in it), the
 *                  common parameters, the Action;
 *   authenticate   the caller's key: STS credentials (the token opens,
 *                  matches the AccessKeyId, is not revoked) or a
 *                  long-term key of the directory; the POP signature;
 *                  the nonce, once the request is known authentic;
 *   identify       the caller's issuance limit (AssumeRole), then who he
 *                  is and what he may do (sts_ram);
 *   dispatch       GetCallerIdentity, or AssumeRole: its parameters, the
 *                  decision (sts_ram_assume_role), the role's issuance
 *                  limit, the sealed token.
 *
 * A step returns STS_OK to go on, or STS_RPC_REFUSED with the STS error
 * and the reason for the log in the result; sts_ram_rpc then renders that
 * error, the one place an error document is made.  An action that
 * succeeds renders its own document.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sts_rpc.h"


/* a step's outcome besides STS_OK: refused, |res->fault| says with what */
#define STS_RPC_REFUSED   1

#define STS_RPC_FIELDS    12      /* fields of a success document */


/* one request as it goes through the steps */

typedef struct {
    const sts_allocator_t    *a;
    const sts_ram_rpc_t      *req;
    sts_ram_rpc_result_t     *res;
    sts_pop_common_t          common;
    int                       assume;     /* AssumeRole, else caller id */
    sts_session_t            *session;    /* STS credentials, opened */
    sts_ram_principal_t       key;        /* .secret signs the request */
    sts_ram_caller_t          caller;
    sts_buf_t                 sts;        /* the string to sign */
} sts_rpc_ctx_t;


static int sts_rpc_serve(sts_rpc_ctx_t *ctx);
static int sts_rpc_parse(sts_rpc_ctx_t *ctx);
static int sts_rpc_authenticate(sts_rpc_ctx_t *ctx);
static int sts_rpc_open_token(sts_rpc_ctx_t *ctx);
static int sts_rpc_find_key(sts_rpc_ctx_t *ctx);
static int sts_rpc_verify(sts_rpc_ctx_t *ctx);
static int sts_rpc_nonce(sts_rpc_ctx_t *ctx);
static int sts_rpc_identify(sts_rpc_ctx_t *ctx);
static int sts_rpc_caller_identity(sts_rpc_ctx_t *ctx);
static int sts_rpc_assume_role(sts_rpc_ctx_t *ctx);
static int sts_rpc_assume_params(sts_rpc_ctx_t *ctx, sts_ram_assume_t *ar,
    sts_policy_kv_t *kv, char *now);
static int sts_rpc_credentials(sts_rpc_ctx_t *ctx,
    const sts_session_t *issued, const char *token, sts_str_t source);
static int sts_rpc_render_error(sts_rpc_ctx_t *ctx);
static int sts_rpc_refuse(sts_ram_rpc_result_t *res,
    const sts_pop_error_t *error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void sts_rpc_field(sts_pop_field_t *f, size_t *nf, const char *name,
    const char *value);
static sts_str_t sts_rpc_param(const sts_params_t *p, const char *name);
static void sts_rpc_copy(char *dst, size_t len, sts_str_t s);
static void sts_rpc_printable(char *s);


int
sts_ram_rpc(const sts_allocator_t *a, const sts_ram_rpc_t *req,
    sts_ram_rpc_result_t *res)
{
    int            rc;
    sts_rpc_ctx_t  ctx;

    memset(res, 0, sizeof(sts_ram_rpc_result_t));
    sts_buf_init(&res->body, a, 0);
    sts_pop_request_id(res->request_id);

    memset(&ctx, 0, sizeof(sts_rpc_ctx_t));
    ctx.a = a;
    ctx.req = req;
    ctx.res = res;
    sts_buf_init(&ctx.sts, a, 0);

    rc = sts_rpc_serve(&ctx);

    if (rc == STS_RPC_REFUSED) {
        rc = sts_rpc_render_error(&ctx);
    }

    sts_rpc_printable(res->why);
    sts_rpc_printable(res->action);
    sts_rpc_printable(res->access_key_id);
    sts_rpc_printable(res->code);

    sts_ram_caller_release(a, &ctx.caller);
    sts_session_free(a, ctx.session);
    sts_buf_free(&ctx.sts);

    if (rc != STS_OK) {
        sts_buf_wipe_free(&res->body);
        return STS_ENOMEM;
    }

    return STS_OK;
}


void
sts_ram_rpc_result_free(sts_ram_rpc_result_t *res)
{
    if (res != NULL) {
        sts_buf_wipe_free(&res->body);
    }
}


/*
 * sts_rpc_serve runs the steps; it returns STS_OK once a success
 * document is rendered, STS_RPC_REFUSED, or the renderer's failure.
 */

static int
sts_rpc_serve(sts_rpc_ctx_t *ctx)
{
    int  rc;

    rc = sts_rpc_parse(ctx);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_rpc_authenticate(ctx);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_rpc_identify(ctx);
    if (rc != STS_OK) {
        return rc;
    }

    if (ctx->assume) {
        return sts_rpc_assume_role(ctx);
    }

    return sts_rpc_caller_identity(ctx);
}


static int
sts_rpc_parse(sts_rpc_ctx_t *ctx)
{
    const sts_ram_rpc_t   *req = ctx->req;
    sts_ram_rpc_result_t  *res = ctx->res;
    sts_pop_common_t      *c = &ctx->common;

    /* Format first: every answer after this one is in that format */

    if (sts_pop_parse_format(req->params, &c->xml, &res->fault) != STS_OK) {
        snprintf(res->why, sizeof(res->why), "unknown Format");
        return STS_RPC_REFUSED;
    }

    res->xml = c->xml;

    if (sts_pop_parse_common(req->params, req->now, req->max_skew, c,
                             &res->fault)
        != STS_OK)
    {
        snprintf(res->why, sizeof(res->why), "common parameters");
        return STS_RPC_REFUSED;
    }

    sts_rpc_copy(res->action, sizeof(res->action), c->action);
    sts_rpc_copy(res->access_key_id, sizeof(res->access_key_id),
                 c->access_key_id);

    ctx->assume = sts_str_eq(c->action, "AssumeRole");

    if (!ctx->assume && !sts_str_eq(c->action, "GetCallerIdentity")) {
        res->fault.detail = c->action;
        return sts_rpc_refuse(res, &sts_pop_err_action, "unknown Action");
    }

    return STS_OK;
}


static int
sts_rpc_authenticate(sts_rpc_ctx_t *ctx)
{
    int  rc;

    rc = sts_rpc_find_key(ctx);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_rpc_verify(ctx);
    if (rc != STS_OK) {
        return rc;
    }

    return sts_rpc_nonce(ctx);
}


/* the caller's key, and its secret in ctx->key.secret */

static int
sts_rpc_find_key(sts_rpc_ctx_t *ctx)
{
    int                    rc;
    sts_str_t              akid;
    sts_ram_principal_t   *p = &ctx->key;
    sts_ram_rpc_result_t  *res = ctx->res;

    akid = ctx->common.access_key_id;

    if (akid.len > 4 && memcmp(akid.data, "STS.", 4) == 0) {
        return sts_rpc_open_token(ctx);
    }

    rc = sts_ram_find_access_key(ctx->req->ram, akid, p);

    if (rc == STS_ENOTFOUND) {
        return sts_rpc_refuse(res, &sts_pop_err_akid_not_found,
                              "no such AccessKeyId");
    }

    if (rc != STS_OK) {
        return sts_rpc_refuse(res, &sts_pop_err_akid_inactive,
                              "the AccessKey of %s is Inactive", p->arn);
    }

    return STS_OK;
}


/* STS credentials: the token opens, names the AccessKeyId, is not revoked */

static int
sts_rpc_open_token(sts_rpc_ctx_t *ctx)
{
    int                    rc;
    char                   rule[200];
    sts_str_t              tok, akid;
    sts_session_t         *s;
    sts_revoke_match_t     revoked;
    const sts_ram_rpc_t   *req = ctx->req;
    sts_ram_rpc_result_t  *res = ctx->res;

    akid = ctx->common.access_key_id;
    tok = ctx->common.security_token.len ? ctx->common.security_token
                                         : req->header_token;

    if (tok.len == 0) {
        res->fault.detail.data = "SecurityToken";
        res->fault.detail.len = 13;
        return sts_rpc_refuse(res, &sts_pop_err_missing,
                              "STS AccessKeyId without a SecurityToken");
    }

    rc = sts_token_open(ctx->a, req->keyring, tok.data, tok.len, req->now,
                        &ctx->session);

    if (rc == STS_ENOMEM || rc == STS_ECRYPTO) {
        return sts_rpc_refuse(res, &sts_pop_err_internal, "%s",
                              sts_strerror(rc));
    }

    if (rc != STS_OK) {
        return sts_rpc_refuse(res, rc == STS_ETOKEN_EXPIRED
                                   ? &sts_pop_err_token_expired
                                   : &sts_pop_err_token_malformed,
                              "%s", sts_strerror(rc));
    }

    s = ctx->session;

    if (sts_session_check_akid(s, akid.data, akid.len) != STS_OK) {
        return sts_rpc_refuse(res, &sts_pop_err_token_mismatch, "%s",
                              sts_strerror(STS_ETOKEN_MISMATCH));
    }

    /* a revoked session is refused like an expired one */
    if (sts_revoked_check(req->revoked, s, &revoked) != STS_OK) {
        (void) sts_revoke_describe(&revoked, s, rule, sizeof(rule));
        return sts_rpc_refuse(res, &sts_pop_err_token_expired,
                              "revoked by sts_revoked %s", rule);
    }

    if (sts_revoked_check(req->revoked_shared, s, &revoked) != STS_OK) {
        (void) sts_revoke_describe(&revoked, s, rule, sizeof(rule));
        return sts_rpc_refuse(res, &sts_pop_err_token_expired,
                              "revoked by the state store %s", rule);
    }

    ctx->key.secret.data = s->access_key_secret;
    ctx->key.secret.len = strlen(s->access_key_secret);

    return STS_OK;
}


/* the signature, in constant time */

static int
sts_rpc_verify(sts_rpc_ctx_t *ctx)
{
    int                    rc, enc;
    const sts_ram_rpc_t   *req = ctx->req;
    sts_ram_rpc_result_t  *res = ctx->res;

    rc = sts_pop_verify(&ctx->sts, req->method, req->params, ctx->key.secret,
                        req->allow_js, &enc);

    if (rc == STS_EBADSIG) {
        res->fault.detail.data = ctx->sts.data ? ctx->sts.data : "";
        res->fault.detail.len = ctx->sts.len;
        return sts_rpc_refuse(res, &sts_pop_err_signature,
                              "signature does not match");
    }

    if (rc != STS_OK) {
        return sts_rpc_refuse(res, &sts_pop_err_internal, "signature: %s",
                              sts_strerror(rc));
    }

    res->js_signature = enc == STS_POP_ENC_JS;

    return STS_OK;
}


/* the nonce, once the request is known to be authentic */

static int
sts_rpc_nonce(sts_rpc_ctx_t *ctx)
{
    int                    rc;
    int64_t                expires;
    sts_str_t              akid, owner;
    const sts_ram_rpc_t   *req = ctx->req;
    sts_ram_rpc_result_t  *res = ctx->res;
    unsigned char          digest[STS_POP_DIGEST_LEN];

    if (req->nonce == NULL) {
        return STS_OK;
    }

    akid = ctx->common.access_key_id;

    rc = sts_pop_nonce_digest(digest, akid, ctx->common.nonce);
    if (rc == STS_OK) {
        expires = ctx->common.time + req->max_skew;
        if (expires < req->now) {
            expires = req->now;
        }

        /* tokens count against the identity that asked for them */
        owner = akid;

        if (ctx->session != NULL && ctx->session->source_arn != NULL
            && ctx->session->source_arn[0] != '\0')
        {
            owner.data = ctx->session->source_arn;
            owner.len = strlen(ctx->session->source_arn);
        }

        rc = req->nonce(req->nonce_data, digest, owner, expires);
    }

    if (rc == STS_EDUP) {
        return sts_rpc_refuse(res, &sts_pop_err_nonce_used,
                              "SignatureNonce replayed");
    }

    if (rc == STS_EDENIED) {
        return sts_rpc_refuse(res, &sts_pop_err_throttling,
                              "over the caller's share of the nonce cache");
    }

    if (rc != STS_OK) {
        return sts_rpc_refuse(res, &sts_pop_err_unavailable,
                              "the nonce cache cannot remember more "
                              "nonces");
    }

    return STS_OK;
}


/* the caller's issuance limit, then who calls */

static int
sts_rpc_identify(sts_rpc_ctx_t *ctx)
{
    int                    rc;
    const sts_ram_rpc_t   *req = ctx->req;
    sts_ram_rpc_result_t  *res = ctx->res;

    /* only an authentic call counts */

    if (ctx->assume && req->limit != NULL) {
        rc = req->limit(req->limit_data, STS_RAM_LIMIT_KEY,
                        ctx->common.access_key_id);

        if (rc == STS_EIO) {
            return sts_rpc_refuse(res, &sts_pop_err_unavailable,
                                  "the issuance limits cannot be counted");
        }

        if (rc != STS_OK) {
            return sts_rpc_refuse(res, &sts_pop_err_throttling,
                                  "over the AssumeRole limit of the "
                                  "AccessKey");
        }
    }

    if (ctx->session == NULL) {
        sts_ram_caller_from_key(&ctx->caller, &ctx->key);
        return STS_OK;
    }

    rc = sts_ram_caller_from_session(ctx->a, req->ram, ctx->session,
                                     &ctx->caller);
    if (rc != STS_OK) {
        return sts_rpc_refuse(res, rc == STS_ENOMEM
                                   ? &sts_pop_err_internal
                                   : &sts_pop_err_token_malformed,
                              "the session of %s cannot be used",
                              ctx->session->access_key_id);
    }

    return STS_OK;
}


/* GetCallerIdentity (doc/protocol.md 5.7) */

static int
sts_rpc_caller_identity(sts_rpc_ctx_t *ctx)
{
    size_t                   nf;
    char                     role_id[STS_RAM_ARN_MAX + 80];
    sts_pop_field_t          f[STS_RPC_FIELDS];
    const sts_ram_caller_t  *caller = &ctx->caller;

    nf = 0;
    sts_rpc_field(f, &nf, "RequestId", ctx->res->request_id);

    switch (caller->kind) {
    case STS_RAM_ROOT:
        sts_rpc_field(f, &nf, "IdentityType", "Account");
        sts_rpc_field(f, &nf, "AccountId", caller->account_id);
        sts_rpc_field(f, &nf, "Arn", caller->identity_arn);
        sts_rpc_field(f, &nf, "UserId", caller->user_id);
        sts_rpc_field(f, &nf, "PrincipalId", caller->user_id);
        break;

    case STS_RAM_USER:
        sts_rpc_field(f, &nf, "IdentityType", "RAMUser");
        sts_rpc_field(f, &nf, "AccountId", caller->account_id);
        sts_rpc_field(f, &nf, "Arn", caller->identity_arn);
        sts_rpc_field(f, &nf, "UserId", caller->user_id);
        sts_rpc_field(f, &nf, "PrincipalId", caller->user_id);
        break;

    default:
        snprintf(role_id, sizeof(role_id), "%s:%s", caller->role_id,
                 caller->session_name);
        sts_rpc_field(f, &nf, "IdentityType", "AssumedRoleUser");
        sts_rpc_field(f, &nf, "AccountId", caller->account_id);
        sts_rpc_field(f, &nf, "Arn", caller->identity_arn);
        sts_rpc_field(f, &nf, "RoleId", caller->role_id);
        sts_rpc_field(f, &nf, "PrincipalId", role_id);
        break;
    }

    ctx->res->http_status = 200;

    return sts_pop_render(&ctx->res->body, ctx->common.xml,
                          "GetCallerIdentityResponse", f, nf);
}


/*
 * AssumeRole (doc/protocol.md 5.4, 5.5): the decision, then the role's
 * issuance limit, then the token sealed and the credentials rendered.
 */

static int
sts_rpc_assume_role(sts_rpc_ctx_t *ctx)
{
    int                     rc;
    char                    now[STS_ISO8601_LEN + 1];
    char                   *token;
    size_t                  token_len;
    sts_str_t               role;
    sts_session_t          *issued;
    sts_policy_kv_t         kv[STS_RAM_MAX_CTX];
    sts_ram_assume_t        ar;
    const sts_ram_rpc_t    *req = ctx->req;
    sts_ram_rpc_result_t   *res = ctx->res;
    const sts_pop_error_t  *err;

    rc = sts_rpc_assume_params(ctx, &ar, kv, now);
    if (rc != STS_OK) {
        return rc;
    }

    issued = NULL;
    token = NULL;
    token_len = 0;

    rc = sts_ram_assume_role(ctx->a, req->ram, &ctx->caller, &ar, &issued,
                             &err, res->why, sizeof(res->why));
    if (rc != STS_OK) {
        res->fault.error = err;
        rc = STS_RPC_REFUSED;
        goto done;
    }

    /* the role's issuance limit: only a call that may assume it counts */

    role.data = issued->role_arn;
    role.len = strlen(issued->role_arn);

    if (req->limit != NULL) {
        rc = req->limit(req->limit_data, STS_RAM_LIMIT_ROLE, role);

        if (rc == STS_EIO) {
            rc = sts_rpc_refuse(res, &sts_pop_err_unavailable,
                                "the issuance limits cannot be counted");
            goto done;
        }

        if (rc != STS_OK) {
            rc = sts_rpc_refuse(res, &sts_pop_err_throttling,
                                "over the AssumeRole limit of %s",
                                issued->role_arn);
            goto done;
        }
    }

    rc = sts_token_seal(ctx->a, req->keyring, issued, &token, &token_len);

    if (rc == STS_ETOOBIG) {
        rc = sts_rpc_refuse(res, &sts_pop_err_token_size,
                            "the token would be larger than %d bytes",
                            STS_TOKEN_MAX);
        goto done;
    }

    if (rc != STS_OK) {
        rc = sts_rpc_refuse(res, &sts_pop_err_internal,
                            "cannot seal the token: %s", sts_strerror(rc));
        goto done;
    }

    rc = sts_rpc_credentials(ctx, issued, token, ar.source_identity);

done:

    if (token != NULL) {
        sts_wipe(token, token_len);
        sts_free(ctx->a, token);
    }

    sts_session_free(ctx->a, issued);

    return rc;
}


/*
 * sts_rpc_assume_params reads the AssumeRole parameters into |ar| and
 * the request's condition context into |kv| (STS_RAM_MAX_CTX entries;
 * |now| holds STS_ISO8601_LEN + 1 bytes).  The values are checked by
 * sts_ram_assume_role; only the two that must be there are checked here.
 */

static int
sts_rpc_assume_params(sts_rpc_ctx_t *ctx, sts_ram_assume_t *ar,
    sts_policy_kv_t *kv, char *now)
{
    size_t                 nkv;
    sts_str_t              missing, akid;
    const sts_ram_rpc_t   *req = ctx->req;
    sts_ram_rpc_result_t  *res = ctx->res;

    memset(ar, 0, sizeof(sts_ram_assume_t));
    ar->role_arn = sts_rpc_param(req->params, "RoleArn");
    ar->session_name = sts_rpc_param(req->params, "RoleSessionName");
    ar->policy = sts_rpc_param(req->params, "Policy");
    ar->duration = sts_rpc_param(req->params, "DurationSeconds");
    ar->external_id = sts_rpc_param(req->params, "ExternalId");
    ar->source_identity = sts_rpc_param(req->params, "SourceIdentity");
    ar->now = req->now;

    missing.data = NULL;
    missing.len = 0;

    if (ar->role_arn.len == 0) {
        missing.data = "RoleArn";
        missing.len = 7;

    } else if (ar->session_name.len == 0) {
        missing.data = "RoleSessionName";
        missing.len = 15;
    }

    if (missing.data != NULL) {
        res->fault.detail = missing;
        return sts_rpc_refuse(res, &sts_pop_err_missing, "no %s",
                              missing.data);
    }

    sts_format_iso8601(now, req->now);

    akid = ctx->common.access_key_id;
    nkv = 0;

#define sts_rpc_kv(k, v, l)                                                 \
    kv[nkv].key.data = k;                                                   \
    kv[nkv].key.len = sizeof(k) - 1;                                        \
    kv[nkv].value.data = (v);                                               \
    kv[nkv].value.len = (l);                                                \
    nkv++

    sts_rpc_kv("acs:SourceIp", req->client_addr.data, req->client_addr.len);
    sts_rpc_kv("acs:CurrentTime", now, STS_ISO8601_LEN);
    sts_rpc_kv("acs:SecureTransport", req->secure ? "true" : "false",
               req->secure ? 4 : 5);
    sts_rpc_kv("acs:AccessId", akid.data, akid.len);
    sts_rpc_kv("acs:MFAPresent", "false", 5);

    if (req->user_agent.len) {
        sts_rpc_kv("acs:UserAgent", req->user_agent.data,
                   req->user_agent.len);
    }

#undef sts_rpc_kv

    ar->kv = kv;
    ar->num_kv = nkv;

    return STS_OK;
}


/* the AssumeRole success document, and what the log says of it */

static int
sts_rpc_credentials(sts_rpc_ctx_t *ctx, const sts_session_t *issued,
    const char *token, sts_str_t source)
{
    size_t                 nf;
    char                   exp[STS_ISO8601_LEN + 1];
    char                   user_arn[STS_RAM_ARN_MAX + 80];
    char                   role_id[STS_RAM_ARN_MAX + 80];
    sts_pop_field_t        f[STS_RPC_FIELDS];
    sts_ram_rpc_result_t  *res = ctx->res;

    snprintf(res->role_arn, sizeof(res->role_arn), "%s", issued->role_arn);
    snprintf(res->session_name, sizeof(res->session_name), "%s",
             issued->session_name);
    snprintf(res->issued_key_id, sizeof(res->issued_key_id), "%s",
             issued->access_key_id);

    sts_format_iso8601(exp, issued->expiration);
    snprintf(user_arn, sizeof(user_arn), "%s/%s", issued->role_arn,
             issued->session_name);
    snprintf(role_id, sizeof(role_id), "%s:%s", issued->role_id,
             issued->session_name);

    nf = 0;
    sts_rpc_field(f, &nf, "RequestId", res->request_id);
    sts_rpc_field(f, &nf, "AssumedRoleUser.Arn", user_arn);
    sts_rpc_field(f, &nf, "AssumedRoleUser.AssumedRoleId", role_id);
    sts_rpc_field(f, &nf, "Credentials.SecurityToken", token);
    sts_rpc_field(f, &nf, "Credentials.AccessKeyId", issued->access_key_id);
    sts_rpc_field(f, &nf, "Credentials.AccessKeySecret",
                  issued->access_key_secret);
    sts_rpc_field(f, &nf, "Credentials.Expiration", exp);

    if (source.len) {
        f[nf].name = "SourceIdentity";
        f[nf].value = source;
        nf++;
    }

    res->http_status = 200;

    return sts_pop_render(&res->body, ctx->common.xml, "AssumeRoleResponse",
                          f, nf);
}


/* the error document of a refused request: the one place it is made */

static int
sts_rpc_render_error(sts_rpc_ctx_t *ctx)
{
    int                    rc;
    sts_str_t              rid;
    sts_ram_rpc_result_t  *res = ctx->res;

    if (res->fault.error == NULL) {
        res->fault.error = &sts_pop_err_internal;
    }

    res->http_status = res->fault.error->http_status;
    (void) sts_pop_fault_text(&res->fault, 0, res->code, sizeof(res->code));

    rid.data = res->request_id;
    rid.len = STS_POP_REQUEST_ID_LEN;

    rc = sts_pop_render_error(&res->body, ctx->common.xml, &res->fault, rid,
                              ctx->req->host);

    /* the detail may point into buffers freed after this */
    res->fault.detail.data = NULL;
    res->fault.detail.len = 0;

    return rc;
}


/* sts_rpc_refuse sets the error to answer and the reason to log */

static int
sts_rpc_refuse(sts_ram_rpc_result_t *res, const sts_pop_error_t *error,
    const char *fmt, ...)
{
    va_list  ap;

    res->fault.error = error;

    va_start(ap, fmt);
    vsnprintf(res->why, sizeof(res->why), fmt, ap);
    va_end(ap);

    return STS_RPC_REFUSED;
}


static void
sts_rpc_field(sts_pop_field_t *f, size_t *nf, const char *name,
    const char *value)
{
    f[*nf].name = name;
    f[*nf].value.data = value;
    f[*nf].value.len = strlen(value);
    (*nf)++;
}


static sts_str_t
sts_rpc_param(const sts_params_t *p, const char *name)
{
    sts_str_t           v;
    const sts_param_t  *it;

    it = sts_params_get(p, name);

    if (it == NULL) {
        v.data = "";
        v.len = 0;

    } else {
        v = it->value;
    }

    return v;
}


static void
sts_rpc_copy(char *dst, size_t len, sts_str_t s)
{
    size_t  n;

    n = s.len < len - 1 ? s.len : len - 1;
    if (n) {
        memcpy(dst, s.data, n);
    }

    dst[n] = '\0';
}


/* what goes to the log is one line of printable text */

static void
sts_rpc_printable(char *s)
{
    for ( /* void */ ; *s; s++) {
        if ((unsigned char) *s < 0x20 || *s == 0x7f || *s == '"'
            || *s == '\\')
        {
            *s = '?';
        }
    }
}
