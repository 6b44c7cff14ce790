/*
 * Copyright (C) nginx-sts authors
 *
 * What every glue file shares: the module, its configuration and the
 * per-request context.  Each glue file declares what it offers in its
 * own header (ngx_http_sts_access.h, _backend.h ...), and includes the
 * headers of the files it calls; ngx_http_sts_util.h is the bottom layer.
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
    void                     *replay;        /* what they are made of */
    sts_allocator_t           allocator;     /* over r->pool */
    ngx_int_t                 rc;            /* the decision, if re-run */
    ngx_str_t                 backend_uri;   /* $sts_backend_uri */
    void                     *state;         /* undecided: access.c's */
    ngx_http_sts_backend_ctx_t  *backend;    /* after an allow, or NULL */
    void                     *grace;         /* state.c: an Initiate's */
    ngx_str_t                 token_id;      /* $sts_token_id */
    ngx_str_t                 upload_limit;  /* $sts_upload_limit */
    void                     *upload;        /* upload.c's, or NULL */
    void                     *body;          /* body.c's, while undecided */
    void                     *digest;        /* digest.c's, or NULL */
    const sts_oss_error_t    *body_error;    /* a body failed as it streamed */
    void                     *fleet;         /* state.c's, on Redis */

    /* explanations (ngx_http_sts_explain.c): never a secret or token */
    void                     *explain;       /* not yet written out */
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


extern ngx_module_t  ngx_http_sts_module;


#endif /* _NGX_HTTP_STS_MODULE_H_INCLUDED_ */
