/*
 * Copyright (C) nginx-sts authors
 */

#ifndef _NGX_HTTP_STS_MODULE_H_INCLUDED_
#define _NGX_HTTP_STS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/sts_util.h"
#include "core/sts_error.h"
#include "core/sts_http.h"
#include "core/sts_oss.h"
#include "core/sts_token.h"
#include "core/sts_ram.h"
#include "core/sts_revoke.h"
#include "core/sts_sign.h"
#include "core/sts_policy.h"
#include "core/sts_post.h"

#include "ngx_http_sts_util.h"
#include "ngx_http_sts_redis.h"


/* the backend connectors' settings and per-request state (backend.c) */
typedef struct ngx_http_sts_backend_conf_s  ngx_http_sts_backend_conf_t;
typedef struct ngx_http_sts_backend_ctx_s   ngx_http_sts_backend_ctx_t;


typedef struct {
    ngx_str_t                 keys_file;
    sts_keyring_t            *keyring;
    sts_allocator_t           allocator;     /* over cf->pool */
    ngx_str_t                 directory_file;
    sts_ram_t                *ram;           /* sts_directory, or NULL */
    ngx_shm_zone_t           *nonce_zone;    /* with sts_endpoint */
    size_t                    nonce_size;    /* sts_nonce_cache */
    ngx_uint_t                nonce_max_per_key;  /* its max_per_key= */
    ngx_int_t                 cache_entries; /* sts_cache, 0: off */
    ngx_str_t                 revoked_file;
    sts_revoked_t            *revoked;       /* sts_revoked, or NULL */
    ngx_shm_zone_t           *uses_zone;     /* sts_presign_uses_zone */
    ngx_shm_zone_t           *grace_zone;    /* sts_multipart_grace_zone */
    ngx_http_sts_redis_conf_t  redis;        /* sts_state, sts_state_use */
} ngx_http_sts_main_conf_t;


typedef struct {
    ngx_flag_t                enable;
    ngx_flag_t                strip;
    ngx_uint_t                addressing;
    ngx_str_t                 addressing_arg;  /* domain or bucket */
    ngx_str_t                 account;
    ngx_str_t                 region;
    time_t                    max_skew;
    ngx_flag_t                endpoint;      /* sts_endpoint here */
    ngx_flag_t                endpoint_js_encoding;
    ngx_uint_t                bucket_config; /* sts_oss_bucket_config_e */
    ngx_http_sts_backend_conf_t  *backend;   /* sts_backend*, or NULL */
    ngx_int_t                 max_uses;      /* sts_presign_max_uses, 0 */
    time_t                    grace;         /* sts_multipart_grace, 0 */
    ngx_flag_t                stamp_identity;  /* sts_stamp_identity */
    ngx_flag_t                explain;       /* sts_explain */
    ngx_array_t              *limits;        /* sts_assume_role_limit */
    ngx_str_t                 proxy_pass;    /* noted for the check of */
    ngx_str_t                 proxy_pass_file;  /* ngx_http_sts_forward.c */
    ngx_uint_t                proxy_pass_line;
} ngx_http_sts_loc_conf_t;


typedef struct {
    ngx_str_t                 access_key_id;
    ngx_str_t                 role_arn;
    ngx_str_t                 session_name;
    ngx_str_t                 source;        /* who assumed the role */
    ngx_str_t                 auth_type;     /* v1, v4, presign-v1 ... */
    time_t                    expiration;    /* of the token, or 0 */
    ngx_str_t                 token_cache;   /* hit, miss, off */
    ngx_str_t                 api;
    ngx_str_t                 action;
    ngx_str_t                 resource;
    ngx_str_t                 decision;
    ngx_str_t                 error_code;
    ngx_str_t                 statement;
    ngx_str_t                 bucket;
    ngx_str_t                 object;
    ngx_str_t                 grants;        /* $sts_grants (sts_replay) */
    ngx_str_t                 context;       /* $sts_context */
    sts_allocator_t           allocator;     /* over r->pool */
    ngx_int_t                 rc;            /* the decision, if re-run */
    ngx_str_t                 backend_uri;   /* $sts_backend_uri */
    void                     *state;         /* undecided: access.c's */
    ngx_http_sts_backend_ctx_t  *backend;    /* after an allow, or NULL */
    void                     *grace;         /* state.c: an Initiate's */
    ngx_str_t                 token_id;      /* $sts_token_id */
    ngx_str_t                 upload_limit;  /* $sts_upload_limit */
    void                     *upload;        /* upload.c's, or NULL */
    void                     *fleet;         /* state.c's, on Redis */

    /* explanations (ngx_http_sts_explain.c): never a secret or token */
    ngx_str_t                 layer;
    ngx_str_t                 sid;
    ngx_str_t                 missing_keys;
    ngx_str_t                 reason;
    ngx_str_t                 request_id;    /* x-oss-request-id sent */
    ngx_str_t                 signature_version;
    ngx_str_t                 string_to_sign;     /* redacted */
    ngx_str_t                 canonical_request;  /* V4, redacted */
    unsigned                  expires_sent:1;
} ngx_http_sts_ctx_t;


/* ngx_http_sts_forward.c */
ngx_int_t ngx_http_sts_forward_watch(ngx_conf_t *cf);
void ngx_http_sts_forward_unwatch(void);
void ngx_http_sts_forward_check(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *slcf);

ngx_int_t ngx_http_sts_access_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_sts_redirect_handler(ngx_http_request_t *r);
char *ngx_http_sts_error_document(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_sts_send_error(ngx_http_request_t *r,
    const sts_oss_error_t *e, sts_str_t host, const char *request_id,
    const sts_error_field_t *fields, size_t num_fields);

/*
 * ngx_http_sts_error_render renders the OSS error document of |e| into
 * |xml| (pool memory) and sets the headers that go with it: Content-Type
 * application/xml, x-oss-request-id |rid| when |send_id| is set, and for
 * HEAD, where there is no body, the document base64-encoded in x-oss-err
 * as OSS does.  The status, the body and the sending are the caller's.
 */
ngx_int_t ngx_http_sts_error_render(ngx_http_request_t *r,
    const sts_oss_error_t *e, sts_str_t host, sts_str_t rid,
    ngx_uint_t send_id, const sts_error_field_t *fields, size_t num_fields,
    sts_buf_t *xml);

/* metrics (ngx_http_sts_status.c): counted in the log phase */
ngx_int_t ngx_http_sts_status_init(ngx_conf_t *cf);
char *ngx_http_sts_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

/*
 * ngx_http_sts_body_filter_init installs the request body filter through
 * which the access phase reads the bodies it decides on (the key list of
 * DeleteMultipleObjects, a ProcessObject, the fields of a PostObject).
 */
ngx_int_t ngx_http_sts_body_filter_init(ngx_conf_t *cf);

/*
 * Upload limits and identity stamping (ngx_http_sts_upload.c).
 *
 * ngx_http_sts_upload_keys adds the sts:ContentLength, sts:ContentType
 * and sts:ForbidOverwrite keys of the request (|form|: a PostObject's,
 * else NULL) to the condition context |kv| (*nkv entries, room for
 * |cap|) for the policies given; NGX_OK, NGX_DECLINED with *err (an
 * AppendObject position that is no number) or NGX_ERROR.
 * ngx_http_sts_upload_decide runs after the grants were evaluated with
 * that context (|allowed|: all of them were): it tells a refusal caused
 * by the size (*err = EntityTooLarge), refuses under a size cap what
 * the cap cannot bound, refuses what stamping cannot cover, and sets the
 * cap a streamed body is counted against.  NGX_OK to go on as decided,
 * NGX_DECLINED with *err and *reason to refuse, NGX_ERROR.
 * ngx_http_sts_upload_cap returns that cap (or -1).
 * ngx_http_sts_upload_body counts a body as it passes the request body
 * filter: NGX_OK, or NGX_HTTP_REQUEST_ENTITY_TOO_LARGE once it is over
 * the cap.  ngx_http_sts_upload_stamp removes the client's stamping
 * headers and sets the gateway's, after an allow.
 */
ngx_int_t ngx_http_sts_upload_keys(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_post_form_t *form,
    const sts_params_t *params, const sts_policy_t *const *role,
    size_t num_role, const sts_policy_t *session, sts_policy_kv_t *kv,
    size_t *nkv, size_t cap, const sts_oss_error_t **err);
ngx_int_t ngx_http_sts_upload_decide(ngx_http_request_t *r,
    const sts_oss_op_t *op, int allowed, const sts_policy_t *const *role,
    size_t num_role, const sts_policy_t *session, sts_policy_kv_t *kv,
    size_t nkv, const sts_oss_error_t **err, const char **reason);
off_t ngx_http_sts_upload_cap(ngx_http_request_t *r);
ngx_int_t ngx_http_sts_upload_body(ngx_http_request_t *r, ngx_chain_t *in);
ngx_int_t ngx_http_sts_upload_stamp(ngx_http_request_t *r);

/*
 * ngx_http_sts_poststamp puts the identity stamps into the body of an
 * allowed PostObject, read whole, before its file part, and sets the new
 * length (ngx_http_sts_poststamp.c).  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sts_poststamp(ngx_http_request_t *r,
    const sts_post_form_t *form);

/*
 * ngx_http_sts_postkey makes the "key" field of an allowed PostObject,
 * read whole, the key that was authorised (${filename} expanded), and
 * sets the new length; ngx_http_sts_body_replace makes |data| the whole
 * body (ngx_http_sts_poststamp.c).  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sts_postkey(ngx_http_request_t *r,
    const sts_post_form_t *form, sts_str_t key);
ngx_int_t ngx_http_sts_body_replace(ngx_http_request_t *r, u_char *data,
    size_t len);

/* counts a refusal by reason in the status zone (status.c) */
#define NGX_HTTP_STS_REFUSAL_TOO_LARGE     0  /* declared size over a cap */
#define NGX_HTTP_STS_REFUSAL_BODY_CUT      1  /* streamed body cut */
#define NGX_HTTP_STS_REFUSAL_STAMP         2  /* stamping cannot cover it */
void ngx_http_sts_status_refusal(ngx_uint_t reason);

/*
 * Explanations (ngx_http_sts_explain.c).  _policy records what decided a
 * policy evaluation, _signature the strings of a signature that did not
 * match (redacted), _deny completes a denial's error fields (at most
 * NGX_HTTP_STS_EXPLAIN_FIELDS more) when "sts_explain on".  _init installs
 * the header filter of x-sts-token-expires-in.
 */
#define NGX_HTTP_STS_EXPLAIN_FIELDS  7

ngx_int_t ngx_http_sts_explain_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_explain_policy(ngx_http_request_t *r,
    const sts_policy_result_t *res, ngx_uint_t longterm);
ngx_int_t ngx_http_sts_explain_signature(ngx_http_request_t *r,
    ngx_uint_t v4, sts_str_t string_to_sign, sts_str_t canonical);
ngx_int_t ngx_http_sts_explain_deny(ngx_http_request_t *r,
    const char *reason, const char *request_id, sts_error_field_t *fields,
    size_t *n);
ngx_int_t ngx_http_sts_explain_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

/* the STS endpoint (ngx_http_sts_endpoint.c) */
char *ngx_http_sts_endpoint(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_sts_directory(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_nonce_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_sts_endpoint_init(ngx_conf_t *cf);
char *ngx_http_sts_endpoint_check(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *conf);
ngx_int_t ngx_http_sts_endpoint_answer(ngx_http_request_t *r,
    const sts_pop_error_t *e, const char *why);

/* issuance limits and sts_endpoint_error (ngx_http_sts_limit.c) */
char *ngx_http_sts_assume_role_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_endpoint_error(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
int ngx_http_sts_limit_check(void *data, int kind, sts_str_t key);


/*
 * The backend connectors (ngx_http_sts_backend.c).
 *
 * ngx_http_sts_backend_prepare maps an allowed request for the store
 * configured by sts_backend: for oss, signed again with the gateway's
 * AccessKey; for s3, headers and target mapped to S3 and the SigV4
 * signature prepared for $sts_backend_authorization, or, for an operation
 * without an S3 twin, the content handler replaced by a NotImplemented
 * answer.  Returns NGX_OK, or NGX_ERROR (answer 500).
 * ngx_http_sts_backend_init installs the response header and body
 * filters that map S3 answers back to OSS.
 */
ngx_int_t ngx_http_sts_backend_prepare(ngx_http_request_t *r,
    sts_oss_op_t *op, const sts_params_t *params);
ngx_int_t ngx_http_sts_backend_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_backend_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
char *ngx_http_sts_backend(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_sts_backend_credentials(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_backend_region(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_backend_host(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_backend_merge(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *prev, ngx_http_sts_loc_conf_t *conf);


/*
 * The shared keyed table (ngx_http_sts_shm.c): 32-byte keys, each entry
 * with a small value, in one zone per feature, kept across reloads of the
 * same size.  ngx_http_sts_shm_update finds or adds an entry and lets a
 * handler change its value under the lock (see there).
 * ngx_http_sts_shm_charge finds or adds the entry and counts a use:
 * NGX_OK, NGX_DECLINED when |limit| (0: none) uses were already counted,
 * NGX_BUSY when the table is full (logged once until an entry fits
 * again), NGX_HTTP_STS_SHM_OVER when a new entry's |owner| (a digest, or
 * NULL: none) holds its share of the table, NGX_ERROR; *v is the entry's
 * value, or what ngx_http_sts_shm_update_owned tells of a refusal.
 * ngx_http_sts_shm_find: NGX_OK with the expiry of a live entry, else
 * NGX_DECLINED.  ngx_http_sts_shm_set_max_per_key sets the share of one
 * owner (0: an eighth of what the zone holds), and
 * ngx_http_sts_shm_max_per_key reads it from a directive's argument.
 */
#define NGX_HTTP_STS_SHM_KEY_LEN    32
#define NGX_HTTP_STS_SHM_COUNTERS   8
#define NGX_HTTP_STS_SHM_OVER       NGX_AGAIN
#define NGX_HTTP_STS_SHM_MAX_PER_KEY  1000000

typedef struct {
    time_t                    expires;       /* dropped once <= now */
    time_t                    last;          /* the caller's own */
    ngx_uint_t                count;         /* uses, a bucket's excess */
} ngx_http_sts_shm_value_t;

typedef ngx_int_t (*ngx_http_sts_shm_handler_pt)(
    ngx_http_sts_shm_value_t *v, time_t now, void *data);

ngx_shm_zone_t *ngx_http_sts_shm_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *directive, size_t size);
ngx_int_t ngx_http_sts_shm_update(ngx_shm_zone_t *zone, const u_char *key,
    time_t now, ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v);
ngx_int_t ngx_http_sts_shm_update_owned(ngx_shm_zone_t *zone,
    const u_char *key, const u_char *owner, time_t now,
    ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v);
ngx_int_t ngx_http_sts_shm_charge(ngx_shm_zone_t *zone, const u_char *key,
    const u_char *owner, time_t now, time_t expires, ngx_uint_t limit,
    ngx_http_sts_shm_value_t *v);
void ngx_http_sts_shm_set_max_per_key(ngx_shm_zone_t *zone,
    ngx_uint_t max);
char *ngx_http_sts_shm_max_per_key(ngx_conf_t *cf, ngx_str_t *arg,
    ngx_uint_t *max);
ngx_int_t ngx_http_sts_shm_find(ngx_shm_zone_t *zone, const u_char *key,
    time_t now, time_t *expires);
void ngx_http_sts_shm_count(ngx_shm_zone_t *zone, ngx_uint_t counter);
ngx_atomic_uint_t ngx_http_sts_shm_counter(ngx_shm_zone_t *zone,
    ngx_uint_t counter);

/*
 * N-use presigned URLs and the multipart grace window
 * (ngx_http_sts_state.c).  ngx_http_sts_state_allow runs on every allow:
 * it counts a presigned URL's use (NGX_DECLINED with *err to refuse) and
 * prepares the capture of an InitiateMultipartUpload's UploadId.
 * ngx_http_sts_grace_window is how far back the token's expiry may lie
 * for this request; ngx_http_sts_grace_check allows an expired token's
 * call on an upload it initiated (NGX_OK) or not (NGX_DECLINED).
 */
char *ngx_http_sts_state_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_presign_max_uses(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_multipart_grace(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_state_merge(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *prev,
    ngx_http_sts_loc_conf_t *conf);
ngx_int_t ngx_http_sts_state_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_state_allow(ngx_http_request_t *r,
    const sts_auth_t *auth, const sts_oss_op_t *op,
    const sts_oss_error_t **err, const char **reason);
time_t ngx_http_sts_grace_window(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_params_t *params);
ngx_int_t ngx_http_sts_grace_check(ngx_http_request_t *r,
    const sts_oss_op_t *op, const sts_params_t *params, sts_str_t akid,
    time_t expiration);
#define NGX_HTTP_STS_STATE_STATUS_SIZE  \
    (2048 + NGX_HTTP_STS_REDIS_STATUS_SIZE)
u_char *ngx_http_sts_state_status(ngx_http_request_t *r, u_char *p);


/*
 * The context across internal redirects (ngx_http_sts_ctx.c):
 * ngx_http_sts_keep_ctx registers |ctx| in the request's pool, and
 * ngx_http_sts_get_ctx, used in ngx_http_get_module_ctx's place, finds it
 * again after an error_page, a named location or another redirect; it
 * has no other effect.  ngx_http_sts_is_error_document tells whether the
 * location answers with sts_error_document (errdoc.c).
 */
ngx_int_t ngx_http_sts_keep_ctx(ngx_http_request_t *r,
    ngx_http_sts_ctx_t *ctx);
ngx_http_sts_ctx_t *ngx_http_sts_get_ctx(ngx_http_request_t *r);
ngx_uint_t ngx_http_sts_is_error_document(ngx_http_request_t *r);


extern ngx_module_t  ngx_http_sts_module;


#endif /* _NGX_HTTP_STS_MODULE_H_INCLUDED_ */
