/*
 * Copyright (C) nginx-sts authors
 *
 * sts_replay: what the audit log records of a decision, and re-deciding
 * it under other policies (`stsctl policy replay`).
 *
 * The gateway writes two JSON texts per decided request, through the
 * variables $sts_grants and $sts_context:
 *
 *   grants   [["oss:PutObject","acs:oss:*:1234:b/k"], ...]
 *            every {action, resource} pair the request needed, in the
 *            order they are evaluated
 *   context  [["acs:SourceIp","10.0.0.1"],["acs:CurrentTime",
 *            "2026-11-26T15:00:00Z"], ...]
 *            the condition keys and values the evaluation saw, a key
 *            once per value (acs:AccessId is the public key id; no
 *            secret, token or signature is a condition key)
 *
 * Both are compact JSON, ASCII punctuation only, valid UTF-8: a value
 * that is not valid UTF-8 has its bytes 0x80-0xff written as \u0080-
 * \u00ff (the only lossy case).  The access log embeds them as strings
 * (log_format escape=json); the replay decodes the log line, then each
 * text.
 */

#ifndef STS_REPLAY_H_INCLUDED
#define STS_REPLAY_H_INCLUDED


#include <stddef.h>

#include "sts_util.h"
#include "sts_oss.h"
#include "sts_policy.h"


#define STS_REPLAY_MAX_LINE      (4 * 1024 * 1024)
#define STS_REPLAY_MAX_CONTEXT   64


/* sts_replay_grants_json appends the grants text of |g| to |b|. */
int sts_replay_grants_json(sts_buf_t *b, const sts_oss_grant_t *g,
    size_t n) STS_WUR;

/* sts_replay_context_json appends the context text of |kv| to |b|. */
int sts_replay_context_json(sts_buf_t *b, const sts_policy_kv_t *kv,
    size_t n) STS_WUR;


/* Outcomes of sts_replay_parse. */
typedef enum {
    STS_REPLAY_OK = 0,
    STS_REPLAY_NOT_JSON,         /* the line is not a JSON object */
    STS_REPLAY_NOT_DECIDED,      /* decision is not allow/deny */
    STS_REPLAY_NO_ROLE,          /* no role_arn, or statement "root":
                                    an account root key */
    STS_REPLAY_NO_GRANTS,        /* grants or context missing or bad */
    STS_REPLAY_NUM_OUTCOMES
} sts_replay_outcome_e;

/*
 * sts_replay_rec_t: one decided request of the log.  The strings point
 * into memory the record owns; release it with sts_replay_rec_free.
 */
typedef struct {
    int                 allowed;     /* the logged decision */
    sts_str_t           decision;    /* as logged */
    sts_str_t           role_arn;
    sts_str_t           api;
    sts_str_t           action;      /* the last pair evaluated */
    sts_str_t           bucket;
    sts_str_t           object;
    sts_str_t           request_id;
    sts_oss_grant_t    *grants;
    size_t              num_grants;
    sts_policy_kv_t     kv[STS_REPLAY_MAX_CONTEXT];
    size_t              num_kv;
    void               *json[3];     /* the line, grants, context */
} sts_replay_rec_t;

/*
 * sts_replay_parse reads one audit log line (|len| bytes, no newline
 * needed).  Returns an STS_REPLAY_* outcome; the record holds what it
 * could read in every case and must be released.
 */
int sts_replay_parse(const char *line, size_t len, sts_replay_rec_t *rec);

void sts_replay_rec_free(sts_replay_rec_t *rec);

/* sts_replay_outcome_name: "not JSON", "not a decision" ... (static) */
const char *sts_replay_outcome_name(int outcome);

/*
 * sts_replay_evaluate decides |rec| again under |role| (|num_role|
 * identity policies) and |session| (NULL for none), as the gateway
 * does: every pair must be allowed.  Stores in |*allowed| the decision
 * and in |*first| the index of the first pair not allowed (or
 * rec->num_grants).  Returns STS_OK or the evaluator's failure.
 */
int sts_replay_evaluate(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, const sts_replay_rec_t *rec, int *allowed,
    size_t *first) STS_WUR;


#endif /* STS_REPLAY_H_INCLUDED */
