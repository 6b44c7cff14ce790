/*
 * Copyright (C) nginx-sts authors
 *
 * sts_post: PostObject, the browser form upload (doc/protocol.md 4).
 *
 *   sts_post_form_*      a streaming multipart/form-data reader: it takes
 *                        the body in pieces of any size, keeps the fields
 *                        that precede the file part (bounded), and only
 *                        counts the file's bytes, so an upload is never
 *                        held in memory
 *   sts_post_auth_*      the form's signature fields (V1 or V4), checked
 *                        with the secret of the token in the form
 *   sts_post_policy_*    the policy document: expiration and every
 *                        condition (exact, starts-with, in, not-in,
 *                        content-length-range, bucket)
 *   sts_post_object_key  the form's key with ${filename} substituted
 *
 * No nginx types; jansson stays inside sts_post.c.
 */

#ifndef STS_POST_H_INCLUDED
#define STS_POST_H_INCLUDED


#include "sts_util.h"
#include "sts_error.h"


#define STS_POST_MAX_FIELDS_BYTES   (64 * 1024)  /* before the file part */
#define STS_POST_MAX_FIELDS         64
#define STS_POST_MAX_PART_HEADER    8192
#define STS_POST_MAX_EPILOGUE       1024
#define STS_POST_MAX_BOUNDARY       70
#define STS_POST_V4_MAX_AGE         604800       /* 7 days */


typedef enum {
    STS_POST_FIELDS = 0,      /* reading the fields before the file */
    STS_POST_FILE,            /* in the file part: the fields are complete */
    STS_POST_END,             /* the closing delimiter was read */
    STS_POST_ERROR
} sts_post_stage_e;


typedef struct {
    sts_str_t  name;          /* as sent, NUL-terminated */
    sts_str_t  value;         /* NUL-terminated, no NUL inside */
    uint64_t   part_offset;   /* body bytes before the part's headers */
    uint64_t   value_offset;  /* body bytes before the value */
} sts_post_field_t;


/*
 * sts_post_form_t: the state of one form.  The public members are valid
 * from the stage named in their comment on.
 */
typedef struct {
    sts_post_stage_e         stage;
    const sts_oss_error_t   *err;            /* STS_POST_ERROR */
    sts_post_field_t        *fields;         /* STS_POST_FILE */
    size_t                   num_fields;
    sts_str_t                filename;       /* STS_POST_FILE, may be "" */
    uint64_t                 file_offset;    /* STS_POST_FILE: body bytes
                                                before the file content */
    uint64_t                 file_part;      /* STS_POST_FILE: body bytes
                                                before the file part's
                                                delimiter (its CR LF, or
                                                0 for the first part) */
    uint64_t                 file_size;      /* STS_POST_END */
    uint64_t                 consumed;       /* body bytes fed so far */

    /* private */
    const sts_allocator_t   *a;
    int                      state;
    char                     delim[4 + STS_POST_MAX_BOUNDARY];
    size_t                   delim_len;
    size_t                   match;
    uint64_t                 part_start;
    size_t                   total;
    size_t                   epilogue;
    int                      in_file;
    sts_buf_t                hdr;
    sts_buf_t                value;
    sts_str_t                part_name;
    uint64_t                 part_offset;
    uint64_t                 value_offset;
} sts_post_form_t;


/*
 * sts_post_form_init prepares |f| for a body of Content-Type
 * |content_type|, which must be multipart/form-data (else STS_EINVAL with
 * f->err RequestIsNotMultiPartContent) with parameters that read one way
 * only (else InvalidArgument): each token=token or token="quoted" (no
 * backslash, no ';' inside the quotes, no space around '='), exactly one
 * "boundary" (any case) of 1..70 RFC 2046 bchars not ending in a space
 * (unquoted: without the characters that need quotes), and no RFC 2231
 * parameter (a name with '*', such as boundary*= or boundary*0=), which
 * another reader could prefer to the plain one.  Other parameters
 * (charset) are ignored.  STS_OK; STS_EINVAL; STS_ENOMEM.  Call
 * sts_post_form_free in every case.
 */
int sts_post_form_init(sts_post_form_t *f, const sts_allocator_t *a,
    sts_str_t content_type) STS_WUR;

/*
 * sts_post_form_feed reads the next |len| bytes of the body.  The body
 * must start with the first delimiter; each part needs a
 * Content-Disposition "form-data" with a name (and filename only on the
 * part named "file"); the part named "file" must be the last one.  Field
 * names are case-insensitive and may not repeat.  Limits: 64 parts, 64
 * KiB of fields and part headers before the file, 1 KiB after the closing
 * delimiter.  Returns STS_OK (f->stage tells how far the form is),
 * STS_EINVAL with f->stage STS_POST_ERROR and f->err set
 * (MalformedPOSTRequest, FieldItemTooLong,
 * IncorrectNumberOfFilesInPOSTRequest), STS_ENOMEM.  After an error every
 * call returns the same error.
 */
int sts_post_form_feed(sts_post_form_t *f, const void *data, size_t len)
    STS_WUR;

/*
 * sts_post_form_end says that the body is complete: STS_OK if the closing
 * delimiter was read (f->file_size is then exact), else STS_EINVAL with
 * f->err (IncorrectNumberOfFilesInPOSTRequest without a file part,
 * MalformedPOSTRequest otherwise).
 */
int sts_post_form_end(sts_post_form_t *f) STS_WUR;

/*
 * sts_post_file_size_bounds: once the file part has begun (stage
 * STS_POST_FILE or later), the least and the greatest size the file can
 * have in a body of |body_len| bytes (its Content-Length): after the file
 * come at least CR LF "--" boundary "--" and at most 2 + 1 KiB more.  So a
 * content-length-range can be refused before the upload is read.
 */
void sts_post_file_size_bounds(const sts_post_form_t *f, uint64_t body_len,
    uint64_t *min, uint64_t *max);

/*
 * sts_post_form_field returns the field named |name| (ASCII
 * case-insensitive) or NULL.
 */
const sts_post_field_t *sts_post_form_field(const sts_post_form_t *f,
    const char *name);

/* sts_post_form_free releases the form's memory; NULL is fine. */
void sts_post_form_free(sts_post_form_t *f);


typedef enum {
    STS_POST_AUTH_NONE = 0,   /* no signature fields: anonymous */
    STS_POST_AUTH_V1,
    STS_POST_AUTH_V4
} sts_post_auth_kind_e;


/*
 * sts_post_auth_t: the signature of a form.  Strings point into the
 * form's fields.
 */
typedef struct {
    sts_post_auth_kind_e  kind;
    sts_str_t             access_key_id;
    sts_str_t             security_token;   /* empty without one */
    sts_str_t             policy;           /* base64 text, as sent */
    sts_str_t             signature;
    sts_str_t             date;             /* V4 x-oss-date */
    sts_str_t             scope_date;       /* V4 "20240515" */
    sts_str_t             region;           /* V4 "cn-hangzhou" */
    int64_t               time;             /* V4 x-oss-date, parsed */
} sts_post_auth_t;


/*
 * sts_post_auth_parse reads the signature fields of |f| (doc/protocol.md 4.3,
 * 4.4) into |out| and checks what needs no secret: for V1 OSSAccessKeyId,
 * policy and Signature all present; for V4 x-oss-signature-version
 * OSS4-HMAC-SHA256, x-oss-credential "<ak>/<date>/<region>/oss/
 * aliyun_v4_request", x-oss-date in the credential's day, no more than
 * |max_skew| seconds ahead of |now| and no more than 7 days behind, a
 * 64-digit lower-case hex x-oss-signature, a policy, and |region| (if not
 * empty) equal to the credential's.  No signature field at all is kind
 * NONE, not an error.  STS_OK; STS_EINVAL with *err (InvalidArgument,
 * RequestTimeTooSkewed, "Request has expired.").
 */
int sts_post_auth_parse(const sts_post_form_t *f, sts_str_t region,
    int64_t now, int64_t max_skew, sts_post_auth_t *out,
    const sts_oss_error_t **err) STS_WUR;

/*
 * sts_post_auth_verify computes the signature of auth->policy with
 * |secret| (V1: base64 HMAC-SHA1; V4: hex HMAC-SHA256 with the V4 signing
 * key of the credential's day and region) and compares it with the one
 * sent in constant time.  Keys and MACs are wiped.  STS_OK, STS_EBADSIG,
 * STS_EINVAL (kind NONE, empty secret), STS_ECRYPTO.
 */
int sts_post_auth_verify(const sts_post_auth_t *auth, sts_str_t secret)
    STS_WUR;


/* content-length-range of a policy: the file size, both ends included */
typedef struct {
    int       set;
    uint64_t  min;
    uint64_t  max;
} sts_post_range_t;

/*
 * sts_post_policy_check decodes auth->policy (base64 of a JSON object
 * with exactly "expiration" and "conditions"), refuses it once |now| has
 * reached its expiration, and checks every condition against the form:
 * {"<field>": "<v>"}, ["eq", "$<field>", "<v>"], ["starts-with",
 * "$<field>", "<prefix>"], ["in", ...], ["not-in", ...] and
 * ["content-length-range", min, max] (returned in |range|, intersected
 * when repeated).  Field names compare case-insensitively; "bucket" is
 * |bucket|; a field the form lacks is the empty string.  A starts-with
 * condition on "$key" must hold for the key as sent and for |key| (after
 * ${filename}).  On a failed condition its JSON text is appended to
 * |why| (may be NULL).  STS_OK; STS_EINVAL with *err
 * (InvalidPolicyDocument, "Policy expired.", "Policy Condition
 * failed."); STS_ENOMEM.
 */
int sts_post_policy_check(const sts_allocator_t *a, const sts_post_form_t *f,
    const sts_post_auth_t *auth, sts_str_t bucket, sts_str_t key,
    int64_t now, sts_post_range_t *range, sts_buf_t *why,
    const sts_oss_error_t **err) STS_WUR;

/*
 * sts_post_object_key writes the form's "key" with every "${filename}"
 * replaced by the file part's filename into a string from |a|.  Stores
 * differ in what they make of a path in a filename, so a filename that
 * is empty or holds '/', '\', "..", or a control byte is refused there
 * (STS_EINVAL, *err InvalidArgument); the store is then sent the
 * expanded key in place of the form's (sts_formstamp_key).  No key field
 * is STS_EINVAL with *err IncorrectNumberOfFilesInPOSTRequest
 * (doc/protocol.md 4.1); the result is not validated here
 * (sts_oss_add_post_object does).  STS_ENOMEM.
 */
int sts_post_object_key(const sts_allocator_t *a, const sts_post_form_t *f,
    sts_str_t *out, const sts_oss_error_t **err) STS_WUR;


#endif /* STS_POST_H_INCLUDED */
