/*
 * Copyright (C) nginx-sts authors
 *
 * sts_upload: what an upload carries into the policies, and what the
 * gateway stamps on the objects it lets through.
 *
 * Three condition keys of the gateway's own "sts:" namespace (Alibaba's
 * STS keys, such as sts:ExternalId, live in trust policies and are not
 * among them, so nothing collides) describe a write:
 *
 *   sts:ContentLength     the bytes the request uploads
 *   sts:ContentType       the Content-Type the object gets
 *   sts:ForbidOverwrite   "true" when the write cannot replace an object
 *
 * A size limit is an Allow with NumericLessThan(Equals) on
 * sts:ContentLength (or a Deny with NumericGreaterThan(Equals)).  When
 * every condition on the key is of that kind, what is allowed for a size
 * is allowed for every smaller one, and the largest allowed size (the cap)
 * can be found with the evaluator itself: a refusal for a declared size
 * is then told apart as EntityTooLarge, and a body of unknown size is
 * counted against the cap as it streams.
 *
 * A request is under a cap when a statement that applies to one of its
 * {action, resource} pairs, whatever its conditions, has a condition on
 * sts:ContentLength (sts_upload_capped).  Under a cap no object may be
 * made whose size the gateway cannot bound: the writes whose resulting
 * size it cannot know are refused (STS_UPLOAD_LEN_UNBOUNDED), and a body
 * of unknown size is refused unless the policies only cap from above.
 */

#ifndef STS_UPLOAD_H_INCLUDED
#define STS_UPLOAD_H_INCLUDED


#include <stdint.h>

#include "sts_util.h"
#include "sts_oss.h"
#include "sts_policy.h"


#define STS_UPLOAD_KEY_LENGTH   "sts:ContentLength"
#define STS_UPLOAD_KEY_TYPE     "sts:ContentType"
#define STS_UPLOAD_KEY_FORBID   "sts:ForbidOverwrite"

/* the keys sts_upload_kv adds, at most */
#define STS_UPLOAD_MAX_KV       3

/* sizes are searched up to 2^53 bytes, exact as policy numbers */
#define STS_UPLOAD_MAX_LEN      ((uint64_t) 1 << 53)
#define STS_UPLOAD_NO_CAP       UINT64_MAX

/* the longest value stamped into a metadata header */
#define STS_UPLOAD_STAMP_MAX    1024


/*
 * Refusals of identity stamping (400 InvalidArgument): a CopyObject that
 * would keep the source's metadata, and a PostObject form that names a
 * stamped header.
 */
extern const sts_oss_error_t  sts_err_stamp_copy;
extern const sts_oss_error_t  sts_err_stamp_form;
extern const sts_oss_error_t  sts_err_stamp_saveas;

/*
 * 403 AccessDenied: under a cap, a write whose resulting size the gateway
 * cannot bound, or a PostObject whose policies are not only a limit from
 * above (the file's size is known after the decision).
 * 411 MissingContentLength: under a cap that is not only from above, a
 * body without a declared length.  400 InvalidArgument: an AppendObject
 * position that is not a decimal number.
 */
extern const sts_oss_error_t  sts_err_size_unbounded;
extern const sts_oss_error_t  sts_err_size_form;
extern const sts_oss_error_t  sts_err_missing_length;
extern const sts_oss_error_t  sts_err_append_position;


/* what sts:ContentLength is for a request */
typedef enum {
    STS_UPLOAD_LEN_NONE = 0,      /* the key is absent */
    STS_UPLOAD_LEN_DECLARED,      /* Content-Length, checked up front */
    STS_UPLOAD_LEN_STREAMED,      /* unknown up front: counted */
    STS_UPLOAD_LEN_UNBOUNDED      /* the key is absent: the size of what
                                     the write makes is not known */
} sts_upload_len_e;


typedef struct {
    int               write;      /* an API the keys describe */
    sts_upload_len_e  length;
    uint64_t          declared;   /* STS_UPLOAD_LEN_DECLARED */
    uint64_t          base;       /* AppendObject: the position, which a
                                     streamed body is counted from */
    int               has_type;
    sts_str_t         type;       /* points into the request */
    int               forbid;     /* -1: key absent; 0; 1 */
    int               stamp;      /* creates an object: stamped */
    int               form;       /* PostObject: metadata in the form */
} sts_upload_t;


/*
 * sts_upload_describe fills |u| for a request of OSS API |api| (as
 * sts_oss_classify names it):
 *
 *  - |content_length|: the declared length of the body (Content-Length),
 *    or -1 when there is none (chunked, HTTP/2 without a length);
 *  - |content_type|: the Content-Type header (PostObject: the form's
 *    Content-Type field), or NULL;
 *  - |forbid|: the x-oss-forbid-overwrite header (PostObject: the form
 *    field), or NULL;
 *  - |position|: AppendObject's position parameter, or NULL.
 *
 * The keys by API (a key that is not listed is absent):
 *
 *   PutObject, UploadPart                 length: declared, else streamed
 *   AppendObject                          length: position + declared,
 *                                         else streamed from position (the
 *                                         object's size after the append:
 *                                         OSS appends only at its end)
 *   PostObject                            length: streamed (the file part)
 *   CopyObject, UploadPartCopy,
 *   InitiateMultipartUpload,
 *   CompleteMultipartUpload, PutSymlink,
 *   ProcessObject                         length: unbounded (absent)
 *   PutObject, AppendObject, PostObject,
 *   CopyObject, InitiateMultipartUpload   type, when given
 *   PutObject, PostObject, CopyObject,
 *   InitiateMultipartUpload,
 *   CompleteMultipartUpload               forbid: the header, "true" in
 *                                         any case, else false
 *   AppendObject, UploadPart              forbid: true (neither replaces
 *                                         an object)
 *
 * Other APIs get none of the keys (u->write is 0).  u->stamp is set for
 * the writes that create an object from the request's headers: PutObject,
 * CopyObject, InitiateMultipartUpload, PutSymlink and AppendObject at
 * position 0 (sts_upload.c lists every object-creating API).
 *
 * Returns STS_OK, or STS_EINVAL for an AppendObject whose position is
 * absent or not a decimal number (sts_upload_position).
 */
int sts_upload_describe(sts_upload_t *u, const char *api,
    int64_t content_length, const sts_str_t *content_type,
    const sts_str_t *forbid, const sts_str_t *position) STS_WUR;

/*
 * sts_upload_position parses an AppendObject position: one or more ASCII
 * digits (leading zeros allowed: "00" is 0), at most STS_UPLOAD_MAX_LEN.
 * Signs, spaces, other characters, an empty value or a larger number give
 * STS_EINVAL.
 */
int sts_upload_position(sts_str_t s, uint64_t *out) STS_WUR;

/*
 * sts_upload_kv appends the keys of |u| to |kv| (room for |cap| more
 * entries) and returns how many it added.  For a declared length the
 * value is written into |num| (at least 24 bytes, kept by the caller for
 * the evaluation); for a streamed one the value is u->base (the least the
 * size can be) when |shrinks| is 1, else the key is left out (the caller
 * must then refuse the request if it is under a cap); for an unbounded
 * one it is left out.  *length_index receives the index in |kv| of
 * sts:ContentLength, or (size_t) -1.
 */
size_t sts_upload_kv(const sts_upload_t *u, int shrinks, char *num,
    sts_policy_kv_t *kv, size_t cap, size_t *length_index);

/*
 * sts_upload_shrinks is 1 when every policy (the |num_role| role
 * policies, NULL entries skipped, and |session| if not NULL) only caps
 * sts:ContentLength from above (sts_policy_key_shrinks).
 */
int sts_upload_shrinks(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session);


/* the evaluation of one request, for different sizes */
typedef struct {
    const sts_policy_t *const  *role;
    size_t                      num_role;
    const sts_policy_t         *session;
    const sts_oss_grant_t      *grants;
    size_t                      num_grants;
    sts_policy_kv_t            *kv;           /* the request's context */
    size_t                      num_kv;
    size_t                      length_index; /* of sts:ContentLength */
} sts_upload_eval_t;

/*
 * sts_upload_capped is 1 when some grant of |e| is under a cap: a
 * statement of the policies of |e| that applies to its action and
 * resource (conditions aside) has a condition on sts:ContentLength
 * (sts_policy_uses_key); 0 otherwise.
 */
int sts_upload_capped(const sts_upload_eval_t *e);

/*
 * sts_upload_allowed is 1 when every grant of |e| is allowed with
 * sts:ContentLength set to |n| (kv[length_index] is changed for the
 * evaluation and restored), 0 otherwise (an evaluation error included).
 */
int sts_upload_allowed(const sts_upload_eval_t *e, uint64_t n);

/*
 * sts_upload_cap returns the largest size up to STS_UPLOAD_MAX_LEN for
 * which sts_upload_allowed holds, STS_UPLOAD_NO_CAP when it holds for
 * STS_UPLOAD_MAX_LEN, found by bisection (at most 55 evaluations of each
 * grant).  The policies must shrink (sts_upload_shrinks) and size 0 must
 * be allowed; otherwise the answer means nothing.
 */
uint64_t sts_upload_cap(const sts_upload_eval_t *e);

/*
 * sts_upload_stamp_header is 1 when |name| (any case) is one of the
 * headers the gateway stamps: x-oss-meta-sts-session-name,
 * x-oss-meta-sts-role-arn, x-oss-meta-sts-token-id,
 * x-oss-meta-sts-source-ip.  A client's headers and form fields of these
 * names are never trusted.
 */
int sts_upload_stamp_header(sts_str_t name);

/*
 * sts_upload_stamp_value_ok is 1 when |v| can be stamped as it is:
 * 1..STS_UPLOAD_STAMP_MAX bytes of printable ASCII (0x20-0x7e).
 */
int sts_upload_stamp_value_ok(sts_str_t v);


#endif /* STS_UPLOAD_H_INCLUDED */
