/*
 * Copyright (C) nginx-sts authors
 *
 * sts_lint: static checks of a compiled policy, for `stsctl policy lint`.
 *
 * A policy that compiles may still not do what its author meant: a
 * listing granted on an object ARN never matches, a ListObjects granted
 * without oss:Prefix lists every key of a bucket whose objects are
 * otherwise limited to a prefix, a Referer condition is a header any
 * client sets.  sts_lint_policy reports such findings, each with a stable
 * code, a severity, a location in the document's own terms
 * ("Statement[2].Condition.StringLike.oss:Prefix") and a fix hint.
 *
 * Codes (doc/policies.md, "stsctl policy lint", has the full table):
 *
 *   L001 error    an action is granted on a resource of another level
 *                 (ListObjects on "bucket/prefix/...", GetObject on
 *                 "bucket"): that pair never matches
 *   L002 warning  oss:ListObjects on a bucket without an oss:Prefix
 *                 condition, while objects are limited to a prefix
 *   L003 warning  an Allow depends on acs:Referer or acs:UserAgent
 *   L004 error    an oss: action the gateway does not know
 *   L005 warning  an action of another service (sts:, ram:, ecs: ...)
 *   L006 error    a statement that can never match (NotAction "*",
 *                 NotResource "*", contradictory conditions)
 *   L007 warning  a listing key (oss:Prefix, oss:Delimiter) on a
 *                 statement without a listing action
 *   L008 warning  an Allow entirely covered by an unconditional Deny
 *   L009 warning  a wildcard in a resource ARN's account field
 *   L010 warning  a condition key the gateway does not supply
 *   L011 error    a Resource that is not an ARN ("acs:...")
 *   L012 error    a Resource of another service ("acs:s3:...")
 *   L013 error    a Resource that cannot match an OSS ARN form
 *
 * Everything is computed from the compiled policy (sts_policy.h) and the
 * action table (sts_oss.h); nothing here runs on the request path.
 */

#ifndef STS_LINT_H_INCLUDED
#define STS_LINT_H_INCLUDED


#include <stddef.h>

#include "sts_util.h"
#include "sts_policy.h"


#define STS_LINT_WARNING        1
#define STS_LINT_ERROR          2

#define STS_LINT_MAX_FINDINGS   1000
#define STS_LINT_LOC_LEN        192
#define STS_LINT_MSG_LEN        320
#define STS_LINT_HINT_LEN       320


typedef struct {
    const char  *code;                       /* "L001" */
    int          severity;                   /* STS_LINT_* */
    char         location[STS_LINT_LOC_LEN];
    char         message[STS_LINT_MSG_LEN];
    char         hint[STS_LINT_HINT_LEN];
} sts_lint_finding_t;

typedef struct {
    const sts_allocator_t  *a;
    sts_lint_finding_t     *items;
    size_t                  num;
    size_t                  cap;
    size_t                  errors;
    size_t                  warnings;
    int                     truncated;      /* over STS_LINT_MAX_FINDINGS */
} sts_lint_t;


/* sts_lint_init prepares |l| to collect findings allocated from |a|. */
void sts_lint_init(sts_lint_t *l, const sts_allocator_t *a);

/*
 * sts_lint_policy appends the findings of |p| (an identity or a trust
 * policy) to |l|, in document order.  Returns STS_OK or STS_ENOMEM.
 */
int sts_lint_policy(sts_lint_t *l, const sts_policy_t *p) STS_WUR;

/* sts_lint_free releases the findings. */
void sts_lint_free(sts_lint_t *l);

/* sts_lint_severity_name returns "error" or "warning". */
const char *sts_lint_severity_name(int severity);

/*
 * sts_lint_match is the policy wildcard match ("*" any bytes, "?" one
 * character) of the NUL-terminated |pat| against |s| (|len| bytes),
 * ignoring ASCII case when |icase|.  O(pattern * subject) at worst.
 */
int sts_lint_match(const char *pat, const char *s, size_t len, int icase);

/*
 * sts_lint_covers is 1 when every string |inner| matches is also matched
 * by |outer| (both patterns).  Conservative: 0 when unsure.
 */
int sts_lint_covers(const char *outer, const char *inner, int icase);


#endif /* STS_LINT_H_INCLUDED */
