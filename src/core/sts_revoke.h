/*
 * Copyright (C) nginx-sts authors
 *
 * sts_revoke: the revocation list of the sts_revoked directive.  Tokens
 * are self-contained, so a token stays valid until it expires unless the
 * gateway is told otherwise; this list says otherwise, one rule a line:
 *
 *   akid    STS.<id>                     one token (its AccessKeyId)
 *   role    <role ARN>                   every token of a role
 *   session <role ARN> <session name>    every token of one session
 *   before  <role ARN> <time>            tokens of a role issued before
 *                                        the time (ISO 8601 or Unix)
 *
 * Values are separated by blanks; '#' at the start of a value begins a
 * comment to the end of the line; blank lines are ignored.  Role ARNs are
 * "acs:ram::<digits>:role/<name>", the name compared ignoring case, as
 * RAM does.  The list is read once (configuration time) and looked up on
 * every request after the token has opened: a few binary searches, no
 * allocation.
 */

#ifndef STS_REVOKE_H_INCLUDED
#define STS_REVOKE_H_INCLUDED


#include "sts_util.h"
#include "sts_token.h"


#define STS_REVOKE_FILE_MAX      (16 * 1024 * 1024)   /* bytes */
#define STS_REVOKE_MAX_RULES     1000000
#define STS_REVOKE_NAME_MAX      128     /* session name, bytes */
#define STS_REVOKE_AKID_MAX      128     /* AccessKeyId, bytes */


typedef enum {
    STS_REVOKE_NONE = 0,
    STS_REVOKE_AKID,
    STS_REVOKE_SESSION,
    STS_REVOKE_ROLE,
    STS_REVOKE_BEFORE
} sts_revoke_kind_e;


/* The rule that revoked a token. */
typedef struct {
    sts_revoke_kind_e  kind;
    size_t             line;      /* in the file, from 1 */
    int64_t            before;    /* STS_REVOKE_BEFORE: the time */
} sts_revoke_match_t;


typedef struct sts_revoked_s  sts_revoked_t;


/*
 * sts_revoked_parse parses revocation rules (format above).  An empty
 * list (no rules) is valid.  Repeated rules are kept once; several
 * "before" rules for one role keep the latest time.  On failure returns
 * STS_EINVAL (or STS_ETOOBIG over STS_REVOKE_MAX_RULES, STS_ENOMEM) and
 * writes "line N: why" into |err|.  The list is allocated from |a|; free
 * it with sts_revoked_free.
 */
int sts_revoked_parse(const sts_allocator_t *a, const char *text,
    size_t len, sts_revoked_t **out, char *err, size_t err_len) STS_WUR;

/*
 * sts_revoked_load reads and parses the file |path|.  It refuses a file
 * that others may write (STS_EPERM: anyone could lift a revocation), a
 * file that is not a regular file (STS_EIO) and a file over
 * STS_REVOKE_FILE_MAX (STS_ETOOBIG).  |err| receives a message that names
 * the file (and the line).
 */
int sts_revoked_load(const sts_allocator_t *a, const char *path,
    sts_revoked_t **out, char *err, size_t err_len) STS_WUR;

/* sts_revoked_free frees the list (NULL ok). */
void sts_revoked_free(const sts_allocator_t *a, sts_revoked_t *rv);

/* sts_revoked_count returns the number of distinct rules (NULL: 0). */
size_t sts_revoked_count(const sts_revoked_t *rv);

/*
 * sts_revoked_check looks the session |s| up: STS_OK when no rule
 * revokes it (also for a NULL list), STS_EDENIED when one does, with the
 * rule in *out (the most specific one: akid, then session, role,
 * before).  Allocates nothing.
 */
int sts_revoked_check(const sts_revoked_t *rv, const sts_session_t *s,
    sts_revoke_match_t *out) STS_WUR;

/*
 * sts_revoke_describe writes the rule |m| matched for |s| as it reads in
 * the file, e.g. "line 3: role acs:ram::1234:role/app" or "line 7: before
 * acs:ram::1234:role/app 2024-05-15T12:30:45Z", NUL-terminated and cut to
 * |len| bytes.  Returns the length written.  No secret is ever part of it.
 */
size_t sts_revoke_describe(const sts_revoke_match_t *m,
    const sts_session_t *s, char *buf, size_t len);


#endif /* STS_REVOKE_H_INCLUDED */
