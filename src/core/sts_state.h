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

/* the refusals of the two features (403 AccessDenied, 400) */
extern const sts_oss_error_t  sts_err_presign_used_up;      /* 403 */
extern const sts_oss_error_t  sts_err_presign_table_full;   /* 403 */
extern const sts_oss_error_t  sts_err_max_uses_invalid;     /* 400 */
extern const sts_oss_error_t  sts_err_max_uses_unsigned;    /* 400 */
extern const sts_oss_error_t  sts_err_max_uses_no_zone;     /* 400 */


#endif /* STS_STATE_H_INCLUDED */
