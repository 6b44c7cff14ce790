/*
 * Copyright (C) nginx-sts authors
 *
 * sts_ram: the RAM directory (accounts, users and their AccessKeys,
 * roles, custom and system policies), the lookups in it, who a caller is
 * (a key's owner or a role session) and the AssumeRole decision made
 * from it (doc/protocol.md 5.4 and 6.5-6.7).  The RPC request that asks
 * for the decision is sts_rpc's.
 *
 * The directory is a JSON file, loaded and validated once (nginx: at
 * configuration time, so "nginx -t" names a bad entry; "nginx -s reload"
 * loads it again).  Every policy in it is compiled once; lookups touch no
 * JSON.
 *
 *   {
 *     "Accounts": [ {
 *       "AccountId": "11223344",              digits, 1..32
 *       "Alias": "example",                   optional
 *       "AccessKeys": [ key, ... ],           optional: root keys
 *       "Policies": [ {                       optional: custom policies
 *         "PolicyName": "...",                [A-Za-z0-9-], 1..128
 *         "Description": "...",               optional
 *         "PolicyDocument": { ... } | "..."   identity policy
 *       } ],
 *       "Users": [ {
 *         "UserName": "appserver",            [A-Za-z0-9._@-], 1..64
 *         "UserId": "...",                    optional digits
 *         "DisplayName": "...",               optional
 *         "AccessKeys": [ key, ... ],         optional, at most 2
 *         "AttachedPolicies": [ "name", ... ] optional
 *       } ],
 *       "Roles": [ {
 *         "RoleName": "oss-readonly",         [A-Za-z0-9.-], 1..64
 *         "RoleId": "...",                    optional digits
 *         "Description": "...",               optional
 *         "MaxSessionDuration": 3600,         3600..43200, default 3600
 *         "AssumeRolePolicyDocument": { ... } | "...",   trust policy
 *         "AttachedPolicies": [ "name", ... ]
 *       } ]
 *     } ]
 *   }
 *
 *   key = { "AccessKeyId": "[A-Za-z0-9]{8,64}",
 *           "AccessKeySecret": "16..256 printable ASCII",
 *           "Status": "Active" | "Inactive" }       default Active
 *
 * Attached policy names resolve to the account's custom policies or to
 * the built-in system policies AliyunOSSFullAccess, AliyunOSSReadOnlyAccess
 * and AliyunSTSAssumeRoleAccess (a custom policy may not take a system
 * name).  Role ARNs are "acs:ram::<account>:role/<lower-case name>" and
 * role names compare ignoring case; user ARNs are
 * "acs:ram::<account>:user/<name>", the root "acs:ram::<account>:root".
 * Without RoleId / UserId, a stable numeric id is derived from the
 * account and the name.  Member names are case-sensitive; unknown members
 * are errors.
 */

#ifndef STS_RAM_H_INCLUDED
#define STS_RAM_H_INCLUDED


#include "sts_util.h"
#include "sts_policy.h"
#include "sts_pop.h"
#include "sts_token.h"


#define STS_RAM_FILE_MAX            (16 * 1024 * 1024)
#define STS_RAM_ERR_LEN             512     /* suggested err buffer */
#define STS_RAM_ARN_MAX             256     /* bytes of a formed ARN */
#define STS_RAM_MAX_KEYS            2       /* AccessKeys per identity */
#define STS_RAM_MAX_ATTACHED        32      /* policies per user/role */
#define STS_RAM_ROLE_POLICIES_MAX   6144    /* compact JSON per role */
#define STS_RAM_SESSION_POLICY_MAX  2048    /* AssumeRole Policy bytes */
#define STS_RAM_DURATION_DEFAULT    3600
#define STS_RAM_MAX_SESSION_MIN     3600
#define STS_RAM_MAX_SESSION_MAX     43200
#define STS_RAM_MAX_CTX             16      /* condition keys per call */

/* Principal kinds. */
#define STS_RAM_ROOT                0       /* an account's root key */
#define STS_RAM_USER                1       /* a RAM user's key */
#define STS_RAM_ROLE_SESSION        2       /* STS credentials */


/* sts_ram_t: a loaded directory.  Opaque, read-only once loaded. */
typedef struct sts_ram_s  sts_ram_t;


/*
 * sts_ram_parse validates the directory |json| (|len| bytes) and builds
 * it from |a|.  On failure it returns STS_EINVAL, STS_ETOOBIG or
 * STS_ENOMEM, frees what it built and writes into |err| a message that
 * names the entry, e.g.
 *   Accounts[0](11223344).Users[1](appserver).AccessKeys[0].Status:
 *   "Enabled" is not "Active" or "Inactive"
 * Secrets read from |json| are copied; the caller wipes |json|.
 */
int sts_ram_parse(const sts_allocator_t *a, const char *json, size_t len,
    sts_ram_t **out, char *err, size_t err_len) STS_WUR;

/*
 * sts_ram_load reads the file |path| and parses it.  Like the keyring
 * it holds secrets: a file that group or others may read or write is
 * refused (STS_EPERM), as is anything but a regular file, or a file over
 * STS_RAM_FILE_MAX bytes.  |err| names the file.  The text read is wiped.
 */
int sts_ram_load(const sts_allocator_t *a, const char *path,
    sts_ram_t **out, char *err, size_t err_len) STS_WUR;

/*
 * sts_ram_free wipes every secret and frees the directory (NULL ok).
 * With a pool allocator (no free function) it only wipes.
 */
void sts_ram_free(const sts_allocator_t *a, sts_ram_t *ram);

/* sts_ram_counts reports the numbers of accounts, users, roles, keys. */
void sts_ram_counts(const sts_ram_t *ram, size_t *accounts, size_t *users,
    size_t *roles, size_t *keys);


/*
 * sts_ram_principal_t: the owner of a long-term AccessKey.  Everything
 * points into the directory and lives as long as it.
 */
typedef struct {
    int                         kind;           /* ROOT or USER */
    const char                 *account_id;
    const char                 *user_name;      /* NULL for ROOT */
    const char                 *user_id;        /* account id for ROOT */
    const char                 *arn;            /* user or root ARN */
    const char                 *access_key_id;
    sts_str_t                   secret;
    int                         active;
    const sts_policy_t *const  *policies;       /* none for ROOT */
    size_t                      num_policies;
} sts_ram_principal_t;

/*
 * sts_ram_find_access_key looks up a long-term AccessKeyId.  Returns
 * STS_OK for an Active key, STS_EDENIED for an Inactive one (|out| is
 * still filled, for logs and for the InvalidAccessKeyId.Inactive answer:
 * never accept a request with it), STS_ENOTFOUND otherwise.
 *
 * For the OSS gateway (long-term keys, PROTOCOL 6.5 without a session
 * policy): verify the request's signature with |out->secret|, then
 * evaluate |out->policies| with sts_policy_evaluate(policies,
 * num_policies, NULL, ...).  A ROOT key has no policies: it owns every
 * resource of its account and nothing else (the gateway compares
 * |account_id| with the bucket owner).
 */
int sts_ram_find_access_key(const sts_ram_t *ram, sts_str_t access_key_id,
    sts_ram_principal_t *out) STS_WUR;


/* sts_ram_role_t: a role, pointing into the directory. */
typedef struct {
    const char                 *account_id;
    const char                 *name;           /* as written */
    const char                 *arn;            /* lower-case name */
    const char                 *role_id;
    const char                 *description;    /* "" if none */
    int64_t                     max_session_duration;
    const sts_policy_t         *trust;
    const sts_policy_t *const  *policies;
    const char *const          *policy_names;
    const char *const          *policy_texts;   /* compact JSON */
    size_t                      num_policies;
} sts_ram_role_t;

/*
 * sts_ram_parse_role_arn checks that |arn| is
 * "acs:ram::<digits>:role/<[A-Za-z0-9.-]{1,64}>" and writes its
 * normalised form (lower-case role name) into |out| (STS_RAM_ARN_MAX
 * bytes).  STS_OK or STS_EINVAL.
 */
int sts_ram_parse_role_arn(sts_str_t arn, char out[STS_RAM_ARN_MAX])
    STS_WUR;

/*
 * sts_ram_find_role looks a role up by ARN (role name compared ignoring
 * case).  STS_OK, STS_EINVAL (not a role ARN) or STS_ENOTFOUND.
 */
int sts_ram_find_role(const sts_ram_t *ram, sts_str_t role_arn,
    sts_ram_role_t *out) STS_WUR;

/*
 * sts_ram_role_policies gives the *current* compiled policies of the role
 * |role_arn|, for a gateway that evaluates live role policies rather
 * than the snapshot in a token: a role narrowed or removed takes effect
 * at the next reload.  STS_OK (|*num| may be 0: nothing is allowed),
 * STS_ENOTFOUND (the role is gone: deny) or STS_EINVAL (not a role ARN).
 * The array lives as long as the directory.
 */
int sts_ram_role_policies(const sts_ram_t *ram, sts_str_t role_arn,
    const sts_policy_t *const **out, size_t *num) STS_WUR;


/*
 * sts_ram_caller_t: who calls the STS API, with what it may do.
 * |principal_arn| is matched by trust policies (a user ARN, the role ARN
 * of a role session, or the root ARN); |identity_arn| is reported
 * (GetCallerIdentity, the token's source).
 */
typedef struct {
    int                         kind;
    const char                 *account_id;
    const char                 *access_key_id;
    const char                 *user_name;      /* USER */
    const char                 *user_id;        /* USER, ROOT */
    const char                 *role_name;      /* ROLE_SESSION */
    const char                 *role_id;        /* ROLE_SESSION */
    const char                 *session_name;   /* ROLE_SESSION */
    const sts_policy_t *const  *policies;
    size_t                      num_policies;
    sts_policy_t               *session_policy; /* owned, or NULL */
    char                        principal_arn[STS_RAM_ARN_MAX];
    char                        identity_arn[STS_RAM_ARN_MAX];
} sts_ram_caller_t;

/* sts_ram_caller_from_key describes the owner of a long-term key. */
void sts_ram_caller_from_key(sts_ram_caller_t *c,
    const sts_ram_principal_t *p);

/*
 * sts_ram_caller_from_session describes the holder of STS credentials:
 * the role's current policies from |ram| (none if the role is gone) and
 * the token's session policy, compiled from |a|.  Release with
 * sts_ram_caller_release.  STS_OK, STS_EINVAL (a session policy that no
 * longer compiles, or ARNs too long) or STS_ENOMEM.  |s| must outlive
 * |c|.
 */
int sts_ram_caller_from_session(const sts_allocator_t *a,
    const sts_ram_t *ram, const sts_session_t *s, sts_ram_caller_t *c)
    STS_WUR;

/* sts_ram_caller_release frees what the caller owns (NULL ok). */
void sts_ram_caller_release(const sts_allocator_t *a, sts_ram_caller_t *c);


/* The parameters of one AssumeRole call, as received (not checked). */
typedef struct {
    sts_str_t               role_arn;
    sts_str_t               session_name;
    sts_str_t               policy;             /* empty: none */
    sts_str_t               duration;           /* empty: 3600 */
    sts_str_t               external_id;        /* empty: none */
    sts_str_t               source_identity;    /* empty: none */
    int64_t                 now;
    const sts_policy_kv_t  *kv;                 /* request context */
    size_t                  num_kv;             /* < STS_RAM_MAX_CTX */
} sts_ram_assume_t;

/*
 * sts_ram_assume_role decides an AssumeRole call as Alibaba Cloud does
 * and, when it is allowed, builds the session to seal:
 *
 *   1. parameters: RoleArn form, RoleSessionName (2..64 of
 *      [A-Za-z0-9.@_-]), DurationSeconds (an integer >= 900), Policy
 *      (at most STS_RAM_SESSION_POLICY_MAX bytes, an identity policy
 *      that compiles), ExternalId, SourceIdentity;
 *   2. an account root key may not assume roles;
 *   3. the caller's own policies (and session policy, for a role
 *      session) allow "sts:AssumeRole" on the role ARN;
 *   4. the role exists;
 *   5. its trust policy allows the caller's principal ARN, with
 *      sts:ExternalId in the condition context when sent;
 *   6. DurationSeconds is at most the role's MaxSessionDuration.
 *
 * On success returns STS_OK and *out, a session from |a| (fresh STS.
 * AccessKeyId and secret; the role's current policies as JSON text; the
 * session policy as sent) to seal and then sts_session_free.  Otherwise
 * returns STS_EINVAL (step 1, 6), STS_EDENIED (2, 3, 5), STS_ENOTFOUND
 * (4), STS_ENOMEM or STS_ECRYPTO, with *err the STS error to answer and
 * |why| (may be NULL) a one-line reason for the log.
 */
int sts_ram_assume_role(const sts_allocator_t *a, const sts_ram_t *ram,
    const sts_ram_caller_t *caller, const sts_ram_assume_t *req,
    sts_session_t **out, const sts_pop_error_t **err, char *why,
    size_t why_len) STS_WUR;


#endif /* STS_RAM_H_INCLUDED */
