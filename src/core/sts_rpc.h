/*
 * Copyright (C) nginx-sts authors
 *
 * sts_rpc: one request of the STS RPC API (doc/protocol.md 5), from its
 * parameters to the document answered.  It asks the RAM directory
 * (sts_ram) who the caller is and what he may do, the keyring (sts_token)
 * and the revocation list (sts_revoke) whether STS credentials still
 * hold, and speaks POP (sts_pop).
 */

#ifndef STS_RPC_H_INCLUDED
#define STS_RPC_H_INCLUDED


#include "sts_util.h"
#include "sts_http.h"
#include "sts_pop.h"
#include "sts_token.h"
#include "sts_revoke.h"
#include "sts_ram.h"


/*
 * sts_ram_nonce_pt: the replay check.  It remembers |digest| (see
 * sts_pop_nonce_digest) until |expires| (the request's Timestamp plus the
 * allowed skew: a replay after that is refused for its Timestamp) and
 * returns STS_OK, or returns STS_EDUP if it was seen before, STS_EDENIED
 * if |caller| holds its share of the cache (the request is refused with
 * Throttling.User), or STS_ENOMEM if it cannot remember it (the request
 * is then refused: never a replay let through).  |caller| is who the
 * nonce counts against: the long-term AccessKeyId, or for STS
 * credentials the identity that called AssumeRole for them, so that
 * tokens of one caller share its share.
 */
typedef int (*sts_ram_nonce_pt)(void *data,
    const unsigned char digest[STS_POP_DIGEST_LEN], sts_str_t caller,
    int64_t expires);


/*
 * sts_ram_limit_pt: the issuance limits.  For an AssumeRole call it is
 * called twice: with STS_RAM_LIMIT_KEY and the caller's AccessKeyId once
 * the signature and the nonce have checked (so nobody spends the budget
 * of a key he does not hold), and with STS_RAM_LIMIT_ROLE and the role's
 * ARN (lower-case name) once the call is allowed, just before the token
 * is sealed (so nobody spends the budget of a role he may not assume).
 * It returns STS_OK to go on, STS_EIO when the limit cannot be counted
 * (the call is refused with ServiceUnavailable); anything else refuses the
 * call with Throttling.User.  GetCallerIdentity is not limited.
 */
#define STS_RAM_LIMIT_KEY           1
#define STS_RAM_LIMIT_ROLE          2

typedef int (*sts_ram_limit_pt)(void *data, int kind, sts_str_t key);


/* sts_ram_rpc_t: one STS API request. */
typedef struct {
    const sts_ram_t        *ram;
    const sts_keyring_t    *keyring;
    sts_str_t               method;         /* "GET" or "POST" */
    const sts_params_t     *params;         /* query and form, decoded */
    sts_str_t               header_token;   /* x-acs-security-token */
    int                     allow_js;       /* sts-sdk 1.0.2 shape */
    int64_t                 now;
    int64_t                 max_skew;       /* seconds */
    sts_str_t               client_addr;
    int                     secure;
    sts_str_t               user_agent;
    sts_str_t               host;           /* HostId of errors */
    sts_ram_nonce_pt        nonce;          /* NULL: no replay check */
    void                   *nonce_data;
    const sts_revoked_t    *revoked;        /* sts_revoked, or NULL */
    const sts_revoked_t    *revoked_shared; /* a fleet's, or NULL */
    sts_ram_limit_pt        limit;          /* NULL: no issuance limit */
    void                   *limit_data;
} sts_ram_rpc_t;

/*
 * sts_ram_rpc_result_t: the answer, and what the log should say.  The
 * text fields are NUL-terminated, printable, without '"' or '\\' (the
 * caller's own values are copied with any other byte replaced by '?').
 */
typedef struct {
    int                     http_status;
    int                     xml;
    sts_buf_t               body;           /* holds secrets: wipe */
    sts_pop_fault_t         fault;          /* error NULL on success */
    char                    code[64];       /* error code, "" if none */
    char                    why[256];       /* reason for the log */
    char                    request_id[STS_POP_REQUEST_ID_LEN + 1];
    char                    action[32];
    char                    access_key_id[65];    /* the caller's */
    char                    role_arn[STS_RAM_ARN_MAX];
    char                    session_name[65];
    char                    issued_key_id[STS_AKID_LEN + 1];
    int                     js_signature;   /* sts-sdk form matched */
} sts_ram_rpc_result_t;

/*
 * sts_ram_rpc serves one request of the STS RPC API: Format, the common
 * parameters and Timestamp skew, the Action (AssumeRole,
 * GetCallerIdentity), the caller's key (a long-term key of the directory,
 * or STS credentials whose SecurityToken opens with |keyring| and that
 * neither |revoked| nor |revoked_shared| revokes, else
 * InvalidSecurityToken.Expired), the POP signature, the nonce (after the
 * signature, so only authentic requests use one up), the issuance limits
 * (|limit|), then the action.
 *
 * Whatever the outcome it fills |res|: the HTTP status and the JSON or
 * XML document in |res->body| (from |a|), success or STS error.  Returns
 * STS_OK when a document was produced, STS_ENOMEM if not even that was
 * possible.  Release with sts_ram_rpc_result_free.
 */
int sts_ram_rpc(const sts_allocator_t *a, const sts_ram_rpc_t *req,
    sts_ram_rpc_result_t *res) STS_WUR;

/* sts_ram_rpc_result_free wipes and frees the body. */
void sts_ram_rpc_result_free(sts_ram_rpc_result_t *res);


#endif /* STS_RPC_H_INCLUDED */
