/*
 * Copyright (C) nginx-sts authors
 *
 * sts_explain: what explains a decision, in a form that is safe to log or
 * to show: the policy layer that decided, the condition keys the request
 * lacked, and the strings a signature was computed over with every
 * credential in them redacted.
 */

#ifndef STS_EXPLAIN_H_INCLUDED
#define STS_EXPLAIN_H_INCLUDED


#include <stddef.h>

#include "sts_util.h"
#include "sts_policy.h"


/* What replaces a redacted value. */
#define STS_EXPLAIN_REDACTED        "<redacted>"


/*
 * sts_explain_redact appends |text| (a V1 StringToSign, a V4 canonical
 * request or string to sign; any bytes) to |out| with every credential
 * value replaced by STS_EXPLAIN_REDACTED:
 *
 *  - a line that is a header "name:value" whose name is, ignoring ASCII
 *    case, x-oss-security-token, security-token or authorization keeps
 *    "name:" and loses the value (to the end of the line);
 *  - a query parameter "name=value", that is a name at the start of a
 *    line or after '?' or '&', followed by '=', whose name is, ignoring
 *    case, x-oss-security-token, security-token, x-oss-signature or
 *    signature, keeps "name=" and loses the value (up to the next '&' or
 *    line end).
 *
 * Everything else is copied byte for byte.  Returns STS_OK or the
 * buffer's failure (STS_ENOMEM, STS_ETOOBIG).
 */
int sts_explain_redact(sts_buf_t *out, sts_str_t text) STS_WUR;

/*
 * sts_explain_layer writes into |buf| (|len| bytes, NUL-terminated when
 * len > 0) the policy layer that made the decision |res|:
 *
 *   role-policy[N]           role (or RAM user) policy N, 0-based
 *   role-policy[N](Name)     the same, when |names| gives its name
 *   session-policy           the session policy
 *   trust-policy             the trust policy (|trust| is 1)
 *   role-policies            no role policy allowed (implicit deny)
 *
 * |names| holds |num_names| policy names, index-aligned with the role
 * policies evaluated (NULL entries and NULL |names| are allowed).  Bytes
 * of a name below 0x21, 0x7f, bytes above it that are not part of a
 * well-formed UTF-8 sequence, '(' and ')' are written as '?'.
 * Returns the length the full text needs (like snprintf).
 */
size_t sts_explain_layer(const sts_policy_result_t *res, int trust,
    const char *const *names, size_t num_names, char *buf, size_t len);

/*
 * sts_explain_missing writes into |buf| (|len| bytes, NUL-terminated when
 * len > 0) the missing condition keys of |res| joined with ',', followed
 * by ",..." when there were more than the result keeps; "" if none.
 * Bytes below 0x21, 0x7f, bytes above it that are not part of a
 * well-formed UTF-8 sequence, and ',' are written as '?'.  Returns the
 * length the full text needs.
 */
size_t sts_explain_missing(const sts_policy_result_t *res, char *buf,
    size_t len);

/*
 * sts_explain_escape writes |s| (|len| bytes) into |out|, which has room
 * for 3 * len bytes, so that it may be logged (|utf8| 1) or sent as an
 * HTTP header value (|utf8| 0): printable ASCII and the space are copied,
 * '%' and every other byte are written as %XX (two upper-case hex
 * digits), except that with |utf8| the bytes of well-formed UTF-8
 * sequences (RFC 3629: no overlong forms, surrogates or code points above
 * U+10FFFF) are copied.  Returns the length written.
 */
size_t sts_explain_escape(char *out, const char *s, size_t len, int utf8);


#endif /* STS_EXPLAIN_H_INCLUDED */
