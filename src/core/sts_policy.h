/*
 * Copyright (C) nginx-sts authors
 *
 * sts_policy: the RAM policy language (doc/protocol.md section 6).
 *
 * A policy document is compiled once, from JSON text, into plain C
 * structures allocated from a caller's allocator.  Evaluation reads those
 * structures only: it touches no JSON, allocates nothing and runs every
 * wildcard match in time linear in the subject.
 *
 * Grammar accepted (identity and session policies):
 *
 *   { "Version": "1",
 *     "Statement": [ statement, ... ]  |  statement }
 *   statement = { "Effect": "Allow" | "Deny",
 *                 "Action" | "NotAction": string | [ string, ... ],
 *                 "Resource" | "NotResource": string | [ string, ... ],
 *                 [ "Condition": { operator: { key: value | [ ... ] } } ],
 *                 [ "Sid": string ] }
 *
 * Trust policies (STS_POLICY_TRUST) have "Principal" instead of "Resource":
 *
 *   "Principal": { "RAM": ..., "Service": ..., "Federated": ... }
 *
 * Member names, Effect values and condition operators are case-sensitive.
 * Unknown members and unknown operators are errors; unknown condition keys
 * are not (they evaluate as absent at request time).
 *
 * Wildcards in Action, NotAction, Resource, NotResource and StringLike
 * values: "*" matches any byte sequence, the empty one included; "?"
 * matches one character, that is a byte other than a UTF-8 continuation
 * byte (0x80-0xBF) together with the continuation bytes that follow it
 * (exactly one code point for valid UTF-8).  There is no escape.  Actions
 * match ignoring ASCII case, everything else is case-sensitive.
 */

#ifndef STS_POLICY_H_INCLUDED
#define STS_POLICY_H_INCLUDED


#include <stddef.h>
#include <stdint.h>

#include "sts_util.h"


/* Policy kinds for sts_policy_compile. */
#define STS_POLICY_IDENTITY         0   /* role and session policies */
#define STS_POLICY_TRUST            1   /* a role's trust policy */

/*
 * Limits.  A document over a limit is refused with STS_ETOOBIG and a
 * message that names the limit.
 */
#define STS_POLICY_MAX_JSON_LEN     32768  /* bytes of JSON per policy */
#define STS_POLICY_MAX_DEPTH        8      /* nested JSON arrays/objects */
#define STS_POLICY_MAX_STATEMENTS   256    /* statements per policy */
#define STS_POLICY_MAX_VALUES       256    /* strings in one Action,
                                              Resource, principal list
                                              or condition key */
#define STS_POLICY_MAX_CONDITIONS   64     /* operator/key pairs per
                                              statement */
#define STS_POLICY_MAX_STRING_LEN   2048   /* bytes in one pattern or
                                              value */
#define STS_POLICY_MAX_SID_LEN      128    /* bytes in a Sid */
#define STS_POLICY_MAX_ACTION_LEN   256    /* bytes of the evaluated
                                              action */

/* Suggested size of the err buffer given to sts_policy_compile. */
#define STS_POLICY_ERR_LEN          256


/* sts_policy_t: a compiled policy.  Opaque, read-only once compiled. */
typedef struct sts_policy_s  sts_policy_t;


/*
 * sts_policy_kv_t and sts_policy_ctx_t: the condition context of one
 * request, filled by the request mapping.  Each entry is a key name (for
 * example "acs:SourceIp", "acs:CurrentTime", "oss:Prefix",
 * "oss:RequestObjectTag/project") and its value as text.  Nothing is
 * copied: the strings must stay valid during the evaluation.
 *
 *  - Key names compare ignoring ASCII case.
 *  - A key may appear several times: it is then multi-valued.  A positive
 *    operator is true if any request value matches any policy value; a
 *    negated one is true if no request value matches any policy value.
 *  - An absent key makes a positive operator false and a negated operator
 *    (StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike,
 *    NumericNotEquals, DateNotEquals, NotIpAddress) true (PROTOCOL 6.4).
 *  - A value that does not parse as the operator's type (a number, a date,
 *    a boolean, an IP address) makes that operator false, negated or not.
 *
 * Value forms: dates are ISO 8601 ("2024-05-15T12:30:45Z", optional
 * fraction, "+hh:mm" offsets, or a bare "2024-05-15") or decimal Unix
 * seconds; booleans are "true"/"false" in any case; IP addresses are IPv4
 * dotted quads or IPv6 text (IPv4-mapped IPv6 addresses match IPv4 CIDRs);
 * numbers are decimal ("-12", "3.5").
 */
typedef struct {
    sts_str_t  key;
    sts_str_t  value;
} sts_policy_kv_t;

typedef struct {
    const sts_policy_kv_t  *kv;
    size_t                  num_kv;
} sts_policy_ctx_t;


/* Decisions. */
typedef enum {
    STS_POLICY_IMPLICIT_DENY = 0,
    STS_POLICY_ALLOW,
    STS_POLICY_EXPLICIT_DENY
} sts_policy_decision_t;

/* Missing condition keys kept in a result (see missing below). */
#define STS_POLICY_MAX_MISSING      8

/* Values of sts_policy_result_t.policy other than a role policy index. */
#define STS_POLICY_BY_NONE          -1  /* nothing matched */
#define STS_POLICY_BY_SESSION       -2  /* the session policy */
#define STS_POLICY_BY_TRUST         -3  /* the trust policy */

/*
 * sts_policy_result_t: a decision and what decided it.
 *
 *  - ALLOW: policy is the index of the role policy whose Allow statement
 *    matched first, statement its index in that document's Statement
 *    array (0-based; 0 for a single-object Statement), sid its Sid (empty
 *    if none).  When a session policy was given, session_statement and
 *    session_sid name the session statement that allowed too.
 *  - EXPLICIT_DENY: policy (a role index or STS_POLICY_BY_SESSION) and
 *    statement name the first matching Deny statement.
 *  - IMPLICIT_DENY: policy is STS_POLICY_BY_SESSION when a session policy
 *    was given and none of its statements allowed, else STS_POLICY_BY_NONE;
 *    statement is -1.
 *
 * For trust policies policy is STS_POLICY_BY_TRUST (or _BY_NONE).  The Sid
 * strings point into the compiled policies.
 */
typedef struct {
    sts_policy_decision_t  decision;
    int                    policy;
    int                    statement;
    sts_str_t              sid;
    int                    session_statement;  /* -1 if none */
    sts_str_t              session_sid;

    /*
     * Missing condition keys: each key named by a condition of a statement
     * whose Action (and Resource, or Principal) matched, that is, a
     * statement that could have decided, when the context has no value
     * for it.  Each key once (ignoring case), as written in the policy, in
     * the order met; at most STS_POLICY_MAX_MISSING, missing_more is 1 if
     * there were more.  The strings point into the compiled policies.
     */
    sts_str_t              missing[STS_POLICY_MAX_MISSING];
    unsigned               num_missing;
    unsigned               missing_more;
} sts_policy_result_t;


/* Principal types for sts_policy_evaluate_trust. */
#define STS_PRINCIPAL_RAM           0   /* acs:ram::<acct>:user/<n> ... */
#define STS_PRINCIPAL_SERVICE       1   /* e.g. ecs.aliyuncs.com */
#define STS_PRINCIPAL_FEDERATED     2   /* identity provider ARN */


/*
 * sts_policy_compile validates the policy document |json| (|json_len|
 * bytes, UTF-8, no NUL needed) of the given |kind| and compiles it.
 *
 * On success returns STS_OK and stores in |*out| a policy allocated from
 * |a|; the caller releases it with sts_policy_free using the same
 * allocator.  The compiled policy does not refer to |json|.
 *
 * On failure returns STS_EINVAL (grammar, types, values), STS_ETOOBIG
 * (a limit above) or STS_ENOMEM, stores NULL in |*out|, frees everything
 * it allocated and writes a NUL-terminated message to |err| (at most
 * |err_len| bytes, may be NULL/0) saying where and why, for example
 *   Statement[2].Condition.IpAddress: "10.0.0.300/8" is not a CIDR
 * Statement indices are 0-based, as in the document.
 */
int sts_policy_compile(const sts_allocator_t *a, const char *json,
    size_t json_len, int kind, sts_policy_t **out, char *err, size_t err_len)
    STS_WUR;

/* sts_policy_free releases a compiled policy.  NULL is accepted. */
void sts_policy_free(const sts_allocator_t *a, sts_policy_t *p);

/* sts_policy_kind returns STS_POLICY_IDENTITY or STS_POLICY_TRUST. */
int sts_policy_kind(const sts_policy_t *p);

/* sts_policy_num_statements returns the number of statements in |p|. */
size_t sts_policy_num_statements(const sts_policy_t *p);


/*
 * sts_policy_evaluate decides one (action, resource) pair for an assumed
 * role (PROTOCOL 6.5): an explicit Deny in any role policy or in the
 * session policy wins; otherwise the pair is allowed only if an Allow
 * statement of some role policy matches and, when |session| is not NULL,
 * an Allow statement of the session policy matches too; anything else is
 * an implicit deny.
 *
 * |role| holds |num_role| identity policies (NULL entries are skipped);
 * |session| is the session policy or NULL.  |action| is e.g.
 * "oss:GetObject" (at most STS_POLICY_MAX_ACTION_LEN bytes), |resource| a
 * resource ARN, |ctx| the condition context (NULL means no keys).
 *
 * Returns STS_OK and fills |*out| (every field) when a decision was made,
 * whatever it is.  Returns STS_EINVAL, and fills |*out| as an implicit
 * deny, if a policy is a trust policy or the action is too long.  Never
 * allocates.
 */
int sts_policy_evaluate(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, sts_str_t action, sts_str_t resource,
    const sts_policy_ctx_t *ctx, sts_policy_result_t *out) STS_WUR;

/*
 * sts_policy_evaluate_trust decides whether the trust policy |trust| lets
 * the principal |principal| (of |principal_type|, STS_PRINCIPAL_*) assume
 * the role, that is perform "sts:AssumeRole" under context |ctx| (NULL
 * means no keys; sts:ExternalId travels there).
 *
 * A statement matches if its Action/NotAction matches "sts:AssumeRole",
 * its Principal names the caller and its conditions hold.  Principal.RAM
 * entries match RAM principals: "acs:ram::<acct>:root" (or the bare
 * account id) matches every "acs:ram::<acct>:..." principal, any other
 * ARN only itself, exactly.  Service entries match service principals
 * ignoring ASCII case; Federated entries match exactly.  A matching Deny
 * wins, then a matching Allow allows, else implicit deny.
 *
 * Returns STS_OK and fills |*out| (policy is STS_POLICY_BY_TRUST when a
 * statement decided), or STS_EINVAL (|trust| is not a trust policy, or
 * an unknown principal type) with |*out| an implicit deny.
 */
int sts_policy_evaluate_trust(const sts_policy_t *trust, int principal_type,
    sts_str_t principal, const sts_policy_ctx_t *ctx,
    sts_policy_result_t *out) STS_WUR;


/*
 * sts_policy_decision_name returns "Allow", "ExplicitDeny" or
 * "ImplicitDeny" (static strings).
 */
const char *sts_policy_decision_name(sts_policy_decision_t d);

/*
 * sts_policy_result_describe writes into |buf| (|len| bytes, always
 * NUL-terminated when len > 0) what decided |res|, for $sts_statement and
 * audit logs:
 *   role[1].Statement[0](ReadOnly)     a role statement, with its Sid
 *   session.Statement[2]               a session statement, no Sid
 *   trust.Statement[0]                 a trust statement
 *   session                            implicit deny by the session policy
 *   none                               nothing matched
 * An Allow with a session policy appends " session.Statement[n](Sid)".
 * Bytes of a Sid below 0x20, 0x7f, '(' and ')' are written as '?'.
 * Returns the length the full text needs (like snprintf).
 */
size_t sts_policy_result_describe(const sts_policy_result_t *res, char *buf,
    size_t len);


/*
 * sts_policy_to_json appends the normalised form of |p| to |out|: members
 * in a fixed order (Version, Statement; Sid, Effect, Principal, Action or
 * NotAction, Resource or NotResource, Condition), every list as an array,
 * Statement always an array, values as written.  |pretty| indents by two
 * spaces; otherwise the form is compact.  No trailing newline.
 *
 * Returns STS_OK, STS_ENOMEM, or the buffer's own failure (see
 * sts_buf_ok).  Meant for `stsctl policy check`, not for the hot path.
 */
int sts_policy_to_json(const sts_policy_t *p, int pretty, sts_buf_t *out)
    STS_WUR;


/*
 * sts_policy_key_shrinks is 1 when every condition of |p| on the key
 * |key| (compared ignoring ASCII case) is a NumericLessThan or
 * NumericLessThanEquals of an Allow statement, or a NumericGreaterThan or
 * NumericGreaterThanEquals of a Deny statement, and 0 otherwise.  Then,
 * other keys unchanged, a value of |key| that |p| lets through lets every
 * smaller value through too: the allowed values form a range from below.
 * 1 for a policy without conditions on |key| and for NULL.
 */
int sts_policy_key_shrinks(const sts_policy_t *p, sts_str_t key);

/*
 * sts_policy_uses_key is 1 when some statement of the |num_role| role
 * policies (NULL entries skipped) or of |session| (may be NULL) whose
 * Action (NotAction) and Resource (NotResource) match |action| and
 * |resource|, whatever its conditions, has a condition on |key|
 * (compared ignoring ASCII case), that is, when the key can change the
 * decision for that pair; 0 otherwise.  Arguments that
 * sts_policy_evaluate refuses (an action over
 * STS_POLICY_MAX_ACTION_LEN ...) give 1.  Never allocates.
 */
int sts_policy_uses_key(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, sts_str_t action, sts_str_t resource,
    sts_str_t key);

/*
 * Read-only views of a compiled policy, for analysis (sts_lint) and
 * tooling; nothing on the request path uses them.  Statement indices are
 * 0-based as in the document; an index out of range returns STS_EINVAL
 * (or NULL), never reads past the arrays.  The strings point into |p|.
 */
typedef struct {
    sts_str_t   sid;
    int         deny;            /* Effect is Deny */
    int         not_action;      /* NotAction instead of Action */
    int         not_resource;    /* NotResource instead of Resource */
    int         has_resource;    /* Resource or NotResource present */
    size_t      num_actions;     /* patterns in Action/NotAction */
    size_t      num_resources;   /* patterns in Resource/NotResource */
    size_t      num_conds;       /* operator/key pairs */
} sts_policy_stmt_view_t;

int sts_policy_stmt_view(const sts_policy_t *p, size_t stmt,
    sts_policy_stmt_view_t *out) STS_WUR;

/* the j-th Action (NotAction) or Resource (NotResource) as written */
const char *sts_policy_stmt_action(const sts_policy_t *p, size_t stmt,
    size_t j);
const char *sts_policy_stmt_resource(const sts_policy_t *p, size_t stmt,
    size_t j);

/*
 * sts_policy_stmt_cond gives the j-th condition of a statement: the
 * operator name ("StringLike"), the key as written and the number of
 * values; sts_policy_stmt_cond_value the k-th value as text.
 */
int sts_policy_stmt_cond(const sts_policy_t *p, size_t stmt, size_t j,
    const char **op, sts_str_t *key, size_t *num_values) STS_WUR;
int sts_policy_stmt_cond_value(const sts_policy_t *p, size_t stmt,
    size_t j, size_t k, sts_str_t *value) STS_WUR;


#endif /* STS_POLICY_H_INCLUDED */
