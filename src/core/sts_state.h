/*
 * Copyright (C) nginx-sts authors
 *
 * sts_state: the text and the keys behind the gateway's two shared
 * tables, N-use presigned URLs and the multipart grace window.
 *
 *   sts_state_max_uses      the per-URL use limit, x-sts-max-uses
 *   sts_state_upload_id     the UploadId of an InitiateMultipartUpload
 *                           answer (OSS or S3 XML)
 *   sts_state_uses_key      the table key of a presigned URL
 *   sts_state_grace_key     the table key of an upload of a token
 *   sts_state_grace_api     which multipart calls the grace window covers
 *   sts_state_owner_key     the key of a credential's share of a table
 *   sts_state_uses_expires  until when a presigned URL's uses are kept
 *   sts_state_max_per_key   the max_per_key= parameter of the zones
 *
 * A key is a SHA-256 over a domain label and length-prefixed fields: the
 * tables never hold a signature, an UploadId or a key in clear.
 */

#ifndef STS_STATE_H_INCLUDED
#define STS_STATE_H_INCLUDED


#include "sts_util.h"
#include "sts_error.h"


#define STS_STATE_KEY_LEN        32
#define STS_STATE_MAX_USES       1000000     /* highest accepted limit */
#define STS_STATE_UPLOAD_ID_MAX  256         /* longest UploadId kept */
#define STS_STATE_MAX_USES_PARAM "x-sts-max-uses"
#define STS_STATE_USES_MAX_TTL   604800      /* 7 days, as V4's cap */


/*
 * sts_state_max_uses parses the value of x-sts-max-uses: a decimal
 * number from 1 to STS_STATE_MAX_USES, digits only, no leading zero.
 * STS_OK with *out set, or STS_EINVAL.
 */
int sts_state_max_uses(sts_str_t value, unsigned long *out) STS_WUR;

/*
 * sts_state_upload_id finds the first <UploadId>...</UploadId> element of
 * |body| (an InitiateMultipartUploadResult, from OSS or an S3 store) and
 * sets *out to its text, pointing into |body|.  The text must be 1 to
 * STS_STATE_UPLOAD_ID_MAX bytes of visible ASCII other than '<', '>' and
 * '&' (no entity is decoded: such an id is not kept).  STS_OK,
 * STS_ENOTFOUND (no complete element), or STS_EINVAL (an element whose
 * text is not an id).
 */
int sts_state_upload_id(const char *body, size_t len, sts_str_t *out)
    STS_WUR;

/*
 * sts_state_uses_key writes the table key of a presigned URL: the
 * AccessKeyId and the signature as verified.
 */
int sts_state_uses_key(unsigned char out[STS_STATE_KEY_LEN],
    sts_str_t access_key_id, sts_str_t signature) STS_WUR;

/*
 * sts_state_grace_key writes the table key of a multipart upload: its
 * UploadId, the AccessKeyId of the token that initiated it (unique to
 * the token), the bucket and the decoded key.
 */
int sts_state_grace_key(unsigned char out[STS_STATE_KEY_LEN],
    sts_str_t upload_id, sts_str_t access_key_id, sts_str_t bucket,
    sts_str_t key) STS_WUR;

/*
 * sts_state_grace_api is 1 for the calls on an initiated upload the grace
 * window covers: UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload and ListParts (not UploadPartCopy, which reads
 * another object).
 */
int sts_state_grace_api(const char *api);

/*
 * sts_state_owner_key writes the key under which a table counts the
 * entries of one credential (an AccessKeyId, or the identity behind it).
 */
int sts_state_owner_key(unsigned char out[STS_STATE_KEY_LEN],
    sts_str_t owner) STS_WUR;

/*
 * sts_state_uses_expires sets *out to the time until which the uses of a
 * presigned URL are kept: the URL's own expiry |url_expires|, and for a
 * URL signed with a token (|token_expires| not 0) no later than the
 * token's expiry plus |grace| (the grace window this request may use, or
 * 0), since the URL is refused after that.  A URL of a long-term key is
 * bounded by its expiry only: STS_ETOOBIG when that is more than
 * STS_STATE_USES_MAX_TTL after |now| (the table would have to keep it that
 * long).  STS_OK otherwise.
 */
int sts_state_uses_expires(int64_t now, int64_t url_expires,
    int64_t token_expires, int64_t grace, int64_t *out) STS_WUR;

/*
 * sts_state_max_per_key parses a zone's "max_per_key=N" parameter: N a
 * decimal number from 1 to STS_STATE_MAX_USES, as sts_state_max_uses.
 * STS_OK with *out set, STS_ENOTFOUND when |arg| is not that parameter,
 * STS_EINVAL when its value is bad.
 */
int sts_state_max_per_key(sts_str_t arg, unsigned long *out) STS_WUR;

/* the refusals of the two features (403 AccessDenied, 400) */
extern const sts_oss_error_t  sts_err_presign_used_up;      /* 403 */
extern const sts_oss_error_t  sts_err_presign_table_full;   /* 403 */
extern const sts_oss_error_t  sts_err_presign_key_full;     /* 403 */
extern const sts_oss_error_t  sts_err_presign_too_long;     /* 403 */
extern const sts_oss_error_t  sts_err_max_uses_invalid;     /* 400 */
extern const sts_oss_error_t  sts_err_max_uses_unsigned;    /* 400 */
extern const sts_oss_error_t  sts_err_max_uses_no_zone;     /* 400 */

/* a request that needs the shared state while its store is unreachable */
extern const sts_oss_error_t  sts_err_state_unavailable;    /* 503 */


#endif /* STS_STATE_H_INCLUDED */
