/*
 * Copyright (C) nginx-sts authors
 *
 * sts_s3: the pure-C half of the backend connectors (doc/design.md, "Backend
 * connectors").
 *
 *   sts_s3_api_*            which OSS APIs have an S3 twin
 *   sts_s3_map_request_*    OSS request headers and query parameters to
 *                           their S3 twins, what is dropped and what has
 *                           no twin (NotImplemented)
 *   sts_s3_map_response_*   S3 response headers back to OSS names
 *   sts_s3_target           the path-style request target the store gets
 *   sts_s3_sign_v4          AWS Signature Version 4 over a request the
 *                           caller describes (UNSIGNED-PAYLOAD or a hash)
 *   sts_s3_error_*          an S3 error document read, and its code mapped
 *                           to the OSS one
 *   sts_backend_creds_*     the gateway's own AccessKey for the store, read
 *                           from a file that only its owner may read
 *
 * No nginx types; memory from the caller's allocator; secrets and derived
 * keys are wiped.
 */

#ifndef STS_S3_H_INCLUDED
#define STS_S3_H_INCLUDED


#include "sts_util.h"
#include "sts_http.h"
#include "sts_error.h"


#define STS_S3_ALGORITHM         "AWS4-HMAC-SHA256"
#define STS_S3_TERMINATOR        "aws4_request"
#define STS_S3_UNSIGNED_PAYLOAD  "UNSIGNED-PAYLOAD"
#define STS_S3_KEY_LEN           32
#define STS_S3_CREDS_FILE_MAX    65536


/*
 * sts_s3_api_supported is 1 if the OSS API named |api| (as sts_oss_op_t
 * names it: "PutObject", "ListObjectsV2", ...), sent with |method|, has
 * an S3 twin the s3 connector forwards, 0 if it has none (AppendObject,
 * PutSymlink, GetObjectAcl, ProcessObject, PostObject, GetObjectMeta by
 * GET, bucket configurations whose documents differ, ...) or is unknown:
 * those are answered NotImplemented.
 */
int sts_s3_api_supported(const char *api, sts_str_t method);


/* What becomes of one request header or query parameter. */
typedef enum {
    STS_S3_KEEP = 0,          /* forwarded unchanged */
    STS_S3_DROP,              /* removed */
    STS_S3_MAP,               /* forwarded under *out_name, *out_value */
    STS_S3_REFUSE             /* no S3 twin: answer NotImplemented */
} sts_s3_action_e;

/*
 * sts_s3_map_request_header decides what the s3 connector does with the
 * request header |name|: |value| (name in any case).  Headers that are
 * neither x-oss-* nor x-amz-* are kept.  x-oss-* headers with a twin are
 * mapped (x-oss-meta-* to x-amz-meta-*, x-oss-copy-source with its key
 * decoded once and re-encoded, x-oss-object-acl, x-oss-storage-class and
 * x-oss-server-side-encryption with their values translated, ...); the
 * client's signing headers (x-oss-date, x-oss-content-sha256,
 * x-oss-security-token, x-oss-user-agent) are dropped, and so is every
 * x-amz-* header the client sent itself, since the gateway authorised
 * only what the OSS headers say; any other x-oss-* header, and a value
 * with no twin, is refused.  On STS_MAP, *out_name (lower case) and
 * *out_value come from |a| or are static.  Returns the action, or
 * STS_ENOMEM (negative).
 */
int sts_s3_map_request_header(const sts_allocator_t *a, sts_str_t name,
    sts_str_t value, sts_str_t *out_name, sts_str_t *out_value);

/*
 * sts_s3_map_query_param decides what becomes of the decoded query
 * parameter |name| for the OSS API |api|: the OSS and S3 names agree for
 * every forwarded operation, so parameters are kept, except the
 * authentication parameters of presigned URLs (dropped), objectMeta of
 * GetObjectMeta (dropped: HEAD on the object is its twin) and any other
 * x-oss-* parameter (x-oss-process, x-oss-traffic-limit: refused).
 */
sts_s3_action_e sts_s3_map_query_param(const char *api, sts_str_t name);

/*
 * sts_s3_map_response_header maps the S3 response header |name|: |value|
 * back to OSS: x-amz-request-id to x-oss-request-id, x-amz-meta-* to
 * x-oss-meta-*, version id, delete marker, storage class and encryption
 * (values translated back), tagging count, expiration, restore; other
 * x-amz-* headers (x-amz-id-2, checksums, ...) are dropped; every other
 * header is kept.  Strings as for sts_s3_map_request_header.
 */
int sts_s3_map_response_header(const sts_allocator_t *a, sts_str_t name,
    sts_str_t value, sts_str_t *out_name, sts_str_t *out_value);


/*
 * sts_s3_target_t: the request target the store receives, path style:
 * |uri| is "/" + bucket + "/" + key + ["?" + query] as sent, the key and
 * every parameter name and value encoded RFC 3986 strict ('/' kept in the
 * key); |canonical_uri| and |canonical_query| are the SigV4 canonical
 * forms of the same target (parameters sorted, "name=value" even for an
 * empty value).  |path| is the decoded path "/" + bucket + "/" + key.
 */
typedef struct {
    sts_str_t  uri;
    sts_str_t  path;
    sts_str_t  canonical_uri;
    sts_str_t  canonical_query;
} sts_s3_target_t;

/*
 * sts_s3_target builds the target for the decoded |bucket| and |key|
 * (bucket empty: service level "/"; key empty: bucket level "/bucket/")
 * and the decoded query |q|, each parameter passed through
 * sts_s3_map_query_param for |api| (dropped ones left out).  Returns
 * STS_OK; STS_EINVAL with *refused set to the first refused parameter;
 * STS_ENOMEM.  Strings from |a|.
 */
int sts_s3_target(const sts_allocator_t *a, const char *api,
    sts_str_t bucket, sts_str_t key, const sts_params_t *q,
    sts_s3_target_t *out, sts_str_t *refused) STS_WUR;


/* The gateway's credentials for the store, and where they apply. */
typedef struct {
    sts_str_t  access_key_id;
    sts_str_t  secret;
    sts_str_t  security_token;    /* empty for long-term keys */
    sts_str_t  region;            /* "us-east-1" */
    sts_str_t  service;           /* "s3" */
} sts_s3_creds_t;

/*
 * sts_s3_canonical_request appends the SigV4 canonical request to |out|:
 * |method|, |canonical_uri|, |canonical_query|, the canonical headers of
 * the |num| headers in |h| (names lower-cased, values trimmed with inner
 * runs of spaces folded to one, sorted by name, repeated names joined
 * with ','), the signed headers list (also appended to |signed_headers|
 * if not NULL) and |payload_hash|.  The caller passes exactly the headers
 * to sign; they must include host and x-amz-date.  STS_OK, STS_EINVAL for
 * no header, STS_ENOMEM.  Temporary memory from out->a.
 */
int sts_s3_canonical_request(sts_buf_t *out, sts_str_t method,
    sts_str_t canonical_uri, sts_str_t canonical_query,
    const sts_header_t *h, size_t num, sts_str_t payload_hash,
    sts_buf_t *signed_headers) STS_WUR;

/*
 * sts_s3_signing_key derives the SigV4 key for |secret|, the 8-digit
 * |date|, |region| and |service| into |out|; the caller wipes it.  STS_OK;
 * STS_EINVAL for an empty secret; STS_ECRYPTO.
 */
int sts_s3_signing_key(unsigned char out[STS_S3_KEY_LEN], sts_str_t secret,
    sts_str_t date, sts_str_t region, sts_str_t service) STS_WUR;

/*
 * sts_s3_sign_v4 signs the request described by |method|, the canonical
 * URI and query, the headers |h| (see sts_s3_canonical_request) and
 * |payload_hash|, at |amz_date| (ISO 8601 basic, the x-amz-date value),
 * with |creds|, and appends the Authorization value
 * "AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request,
 * SignedHeaders=<list>,Signature=<64 hex>" to |out|.  If not NULL,
 * |out_canonical| and |out_sts| receive the canonical request and the
 * string to sign.  The derived key is wiped.  STS_OK; STS_EINVAL (bad
 * date, no secret); STS_ENOMEM; STS_ECRYPTO.
 */
int sts_s3_sign_v4(sts_buf_t *out, sts_str_t method, sts_str_t canonical_uri,
    sts_str_t canonical_query, const sts_header_t *h, size_t num,
    sts_str_t payload_hash, sts_str_t amz_date, const sts_s3_creds_t *creds,
    sts_buf_t *out_canonical, sts_buf_t *out_sts) STS_WUR;


/* One child element of an S3 <Error>, text unescaped, NUL-terminated. */
typedef struct {
    sts_str_t  name;
    sts_str_t  value;
} sts_s3_xml_field_t;

#define STS_S3_ERROR_MAX_FIELDS  16
#define STS_S3_ERROR_MAX_BODY    65536

typedef struct {
    sts_str_t           code;
    sts_str_t           message;
    sts_s3_xml_field_t  fields[STS_S3_ERROR_MAX_FIELDS];  /* the others */
    size_t              num_fields;
} sts_s3_error_t;

/*
 * sts_s3_error_parse reads an S3 error document: an optional XML
 * declaration, then <Error> holding flat <Name>text</Name> children (the
 * five predefined entities and character references decoded; empty
 * elements allowed).  Code and Message go to their fields, the first
 * STS_S3_ERROR_MAX_FIELDS others to |fields| in order, except RequestId
 * and HostId and what describes the gateway's own signature
 * (AWSAccessKeyId, StringToSign, StringToSignBytes, CanonicalRequest,
 * CanonicalRequestBytes, SignatureProvided), which are left out.  Strings
 * from |a|.  STS_OK; STS_EINVAL for anything else (or no Code);
 * STS_ETOOBIG over STS_S3_ERROR_MAX_BODY; STS_ENOMEM.  On failure nothing
 * is left allocated.
 */
int sts_s3_error_parse(const sts_allocator_t *a, const char *body,
    size_t len, sts_s3_error_t *out) STS_WUR;

/* sts_s3_error_free releases what sts_s3_error_parse set; NULL is fine. */
void sts_s3_error_free(const sts_allocator_t *a, sts_s3_error_t *e);

/*
 * sts_s3_error_map fills |out| with the OSS error for the S3 |code|
 * answered with HTTP |status|: most codes are the same in OSS and keep
 * status and |message|; a few are renamed (InvalidRequest to
 * InvalidArgument, BucketAlreadyOwnedByYou to BucketAlreadyExists,
 * KeyTooLongError to InvalidObjectName, ...).  A code that says the store
 * refused the gateway's own credentials or signature (SignatureDoesNotMatch,
 * InvalidAccessKeyId, ExpiredToken, RequestTimeTooSkewed, ...) is not the
 * client's doing: it becomes 502 InternalError, the function returns 1 and
 * the caller should log it; otherwise it returns 0.  |out| points into
 * |code| and |message|, which must stay NUL-terminated and alive.
 */
int sts_s3_error_map(sts_str_t code, int status, sts_str_t message,
    sts_oss_error_t *out);

/*
 * sts_s3_status_error returns the OSS error that stands for a bodiless
 * store error of HTTP |status| (a HEAD answer): 404 NoSuchKey, 403
 * AccessDenied, 412 PreconditionFailed, 416 InvalidRange, 400
 * InvalidArgument, 5xx InternalError; NULL for a status below 400.
 */
const sts_oss_error_t *sts_s3_status_error(int status);


/*
 * sts_backend_creds_parse reads the credentials JSON in |json|: an object
 * with AccessKeyId and AccessKeySecret (and optionally SecurityToken),
 * either at the top level or under "Credentials" (so the output of an
 * AssumeRole or of "stsctl issue" can be used as it is).  |out| gets
 * NUL-terminated copies from |a|; region and service are left empty.
 * STS_OK; STS_EINVAL with a reason in |err| (never a secret); STS_ENOMEM.
 */
int sts_backend_creds_parse(const sts_allocator_t *a, const char *json,
    size_t len, sts_s3_creds_t *out, char *err, size_t err_len) STS_WUR;

/*
 * sts_backend_creds_load reads and parses the file |path|, which must be a
 * regular file of at most STS_S3_CREDS_FILE_MAX bytes that neither group
 * nor others may access (STS_EPERM otherwise, with "chmod 600" advice in
 * |err|).  The file's bytes are wiped after parsing.  STS_OK, STS_EIO,
 * STS_EPERM, STS_ETOOBIG, STS_EINVAL, STS_ENOMEM; |err| says why.
 */
int sts_backend_creds_load(const sts_allocator_t *a, const char *path,
    sts_s3_creds_t *out, char *err, size_t err_len) STS_WUR;

/* sts_backend_creds_free wipes and frees what _parse/_load set; NULL ok. */
void sts_backend_creds_free(const sts_allocator_t *a, sts_s3_creds_t *c);


#endif /* STS_S3_H_INCLUDED */
