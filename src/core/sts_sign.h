/*
 * Copyright (C) nginx-sts authors
 *
 * sts_sign: OSS request authentication (doc/protocol.md sections 1-3).
 *
 *   sts_auth_parse     which of the four forms a request uses (V1 header,
 *                      V1 presigned URL, V4 header, V4 presigned URL), its
 *                      AccessKeyId, signature, token, time and V4 scope,
 *                      with the grammar, expiry and clock-skew checks
 *   sts_auth_verify    recompute the signature with the secret and compare
 *                      it in constant time
 *   sts_sign_v1_*,
 *   sts_sign_v4_*      the canonicalisation and HMAC steps on their own,
 *                      and client-side signers (stsctl, tests) built on the
 *                      same code
 *
 * Pure C on libcrypto; every allocation goes through the caller's
 * allocator (the nginx glue passes a pool allocator).  No function here
 * logs or prints anything, least of all a secret.
 */

#ifndef STS_SIGN_H_INCLUDED
#define STS_SIGN_H_INCLUDED


#include "sts_util.h"
#include "sts_http.h"
#include "sts_error.h"


#define STS_V4_ALGORITHM        "OSS4-HMAC-SHA256"
#define STS_V4_TERMINATOR       "aliyun_v4_request"
#define STS_V4_PRODUCT          "oss"
#define STS_V4_MAX_EXPIRES      604800      /* x-oss-expires, 7 days */
#define STS_UNSIGNED_PAYLOAD    "UNSIGNED-PAYLOAD"
#define STS_V4_KEY_LEN          32
#define STS_V4_DATE_LEN         8           /* "20240515" */
#define STS_SECRET_MAX          1024        /* longest AccessKeySecret */


typedef enum {
    STS_AUTH_NONE = 0,          /* no credentials in the request */
    STS_AUTH_V1,                /* Authorization: OSS ak:signature */
    STS_AUTH_V1_PRESIGN,        /* ?OSSAccessKeyId=&Expires=&Signature= */
    STS_AUTH_V4,                /* Authorization: OSS4-HMAC-SHA256 ... */
    STS_AUTH_V4_PRESIGN         /* ?x-oss-signature-version=... */
} sts_auth_kind_t;


/*
 * sts_auth_opts_t: what the caller decides.  |now| is the current time;
 * |max_skew| is the allowed distance in seconds between |now| and the
 * request time (900 in OSS; a negative value disables the skew check,
 * never the expiry check of presigned URLs); |region| is the V4 region the
 * gateway serves ("cn-hangzhou"), or empty to accept the credential's.
 */
typedef struct {
    int64_t    now;
    int64_t    max_skew;
    sts_str_t  region;
} sts_auth_opts_t;


/*
 * sts_auth_t: a parsed request authentication.  Strings point into the
 * request view (headers) or into |params| (decoded query); they stay valid
 * while both the view and this struct live.  Release with sts_auth_free.
 */
typedef struct {
    sts_auth_kind_t  kind;

    sts_str_t        access_key_id;
    sts_str_t        signature;       /* as provided: base64 or hex */
    sts_str_t        security_token;  /* empty without one */

    /*
     * |date| is the text that enters the string to sign: V1 the Date line
     * (x-oss-date, else Date), V1 presign the Expires value, V4 and V4
     * presign the x-oss-date value.  |time| is its parsed value (0 for V1
     * presign).  |expires| is the absolute expiry of presigned URLs (0 for
     * header forms).
     */
    sts_str_t        date;
    int64_t          time;
    int64_t          expires;

    /* V4 only */
    sts_str_t        scope;           /* "20240515/cn-hangzhou/oss/..." */
    sts_str_t        scope_date;      /* "20240515" */
    sts_str_t        region;          /* "cn-hangzhou" */
    sts_str_t        additional_headers;  /* "host;cache-control" or "" */

    sts_params_t     params;          /* the request's decoded query */
} sts_auth_t;


/*
 * sts_sign_creds_t: credentials of a signing client.  |security_token| is
 * empty for long-term keys; |region| is used by V4 only.
 */
typedef struct {
    sts_str_t  access_key_id;
    sts_str_t  secret;
    sts_str_t  security_token;
    sts_str_t  region;
} sts_sign_creds_t;


/*
 * sts_auth_parse finds and parses the authentication of request |r| into
 * |out| and applies every check that needs no secret: grammar, presence of
 * the presign parameters, V4 credential scope and configured region,
 * AdditionalHeaders present in the request, Date/x-oss-date validity,
 * clock skew against opts->now and opts->max_skew, and expiry of presigned
 * URLs.  The query is parsed with sts_query_parse into out->params, which
 * the caller may reuse for request mapping.
 *
 * Returns STS_OK with out->kind set; STS_AUTH_NONE (no Authorization
 * header and no presign parameter) is not an error.  On failure returns a
 * negative status and sets *out_err to the OSS error to answer with:
 *   sts_err_invalid_argument_query   query does not decode, repeats a name
 *   sts_err_invalid_argument_auth    malformed or unsupported Authorization,
 *                                    several Authorization headers, repeated
 *                                    x-oss-date / x-oss-security-token /
 *                                    x-oss-content-sha256 / Date headers,
 *                                    conflicting security tokens
 *   sts_err_invalid_argument_mixed   header and query authentication at once
 *   sts_err_invalid_argument_v4      V4 grammar, scope, region, expires
 *                                    range, date not matching the scope,
 *                                    missing additional header, missing V4
 *                                    presign parameter
 *   sts_err_presign_params           V1 presign parameter missing or empty
 *   sts_err_presign_expires_nan      V1 Expires not a number
 *   sts_err_request_expired          presigned URL past its expiry
 *   sts_err_missing_date             header forms: no usable date
 *   sts_err_time_skewed              request time too far from opts->now
 * STS_ENOMEM sets *out_err to NULL (an internal error, 500).  The fields
 * parsed before a failure stay readable (AccessKeyId for logs).  Call
 * sts_auth_free in every case.
 */
int sts_auth_parse(const sts_allocator_t *a, sts_auth_t *out,
    const sts_http_request_t *r, const sts_auth_opts_t *opts,
    const sts_oss_error_t **out_err) STS_WUR;

/*
 * sts_auth_is_param is 1 if |name| (decoded) is a query parameter of an
 * authentication form, either presigned one, or the gateway's own
 * (x-sts-max-uses): OSSAccessKeyId, Expires, Signature, security-token,
 * x-oss-signature-version, -credential, -date, -expires, -signature,
 * -additional-headers, -security-token.  None of them is ever forwarded.
 */
int sts_auth_is_param(sts_str_t name);

/*
 * sts_auth_strip_query writes into |out| the raw query |raw_query| without
 * the parameters sts_auth_is_param names, whatever form the request was
 * signed in, keeping every other item byte for byte and in order.  When
 * there is none, |out| is |raw_query| itself; otherwise the new string
 * comes from |a| (a static "" when nothing is left).  STS_OK, STS_EINVAL
 * (a bad escape in a name), STS_ENOMEM.
 */
int sts_auth_strip_query(const sts_allocator_t *a, sts_str_t raw_query,
    sts_str_t *out) STS_WUR;

/* sts_auth_free releases what sts_auth_parse allocated; NULL is fine. */
void sts_auth_free(const sts_allocator_t *a, sts_auth_t *auth);

/*
 * sts_auth_verify recomputes the signature of the request |r| that |auth|
 * was parsed from, for the DECODED |bucket| and |key| found by addressing
 * (bucket empty: service level; key empty: bucket level), with |secret|,
 * and compares it with the provided one in constant time.
 *
 * Returns STS_OK on a match and STS_EBADSIG on a mismatch; STS_EINVAL for
 * kind NONE or an unusable request (V4 additional header gone), STS_ENOMEM,
 * STS_ECRYPTO.  If |out_sts| is not NULL the string to sign is appended to
 * it (for the StringToSign element of SignatureDoesNotMatch); if
 * |out_canonical| is not NULL the V4 canonical request is appended to it
 * (nothing for V1).  Derived keys and computed MACs are wiped.
 */
int sts_auth_verify(const sts_allocator_t *a, const sts_auth_t *auth,
    const sts_http_request_t *r, sts_str_t bucket, sts_str_t key,
    sts_str_t secret, sts_buf_t *out_sts, sts_buf_t *out_canonical) STS_WUR;

/*
 * sts_sign_keys_t: what one secret derives, kept with it (the token cache
 * keeps one per token) so that a request copies a keyed HMAC state instead
 * of keying it again: HMAC-SHA1 keyed with the secret (V1), and the V4
 * signing key of the last date and region seen, keyed for HMAC-SHA256.
 * Starts zeroed; holds key material: sts_sign_keys_wipe when the secret
 * goes.  Only ever used with the one secret it was first used with.
 */
#define STS_SIGN_KEYS_DATE_LEN    8         /* YYYYMMDD */
#define STS_SIGN_KEYS_REGION_MAX  32

typedef struct {
    sts_hmac_key_t  v1;
    sts_hmac_key_t  v4;
    char            v4_date[STS_SIGN_KEYS_DATE_LEN];
    char            v4_region[STS_SIGN_KEYS_REGION_MAX];
    unsigned        v4_region_len:8;
    unsigned        v1_ready:1;
    unsigned        v4_ready:1;
} sts_sign_keys_t;

void sts_sign_keys_wipe(sts_sign_keys_t *k);

/*
 * sts_auth_verify_keyed is sts_auth_verify with the derived keys of
 * |secret| taken from (and kept in) |keys| when not NULL, and |out_sts|
 * and |out_canonical| appended to only on a mismatch (STS_EBADSIG).
 */
int sts_auth_verify_keyed(const sts_allocator_t *a, const sts_auth_t *auth,
    const sts_http_request_t *r, sts_str_t bucket, sts_str_t key,
    sts_str_t secret, sts_sign_keys_t *keys, sts_buf_t *out_sts,
    sts_buf_t *out_canonical) STS_WUR;


/*
 * sts_sign_v1_string_to_sign appends the V1 StringToSign (doc/protocol.md
 * 1.2-1.6) of request |r| to |out|: method, Content-MD5, Content-Type
 * (repeated headers joined with ','), |date_line| (the Date or x-oss-date
 * value, or the presign Expires text), the x-oss-* headers canonicalised
 * (lower-case names, trimmed values, sorted, repeats joined with ','), and
 * the CanonicalizedResource from the decoded |bucket| and |key| and the
 * signed sub-resources of |params| (decoded query; NULL for none).
 * Temporary memory comes from out->a.  STS_OK, STS_ENOMEM, STS_ETOOBIG.
 */
int sts_sign_v1_string_to_sign(sts_buf_t *out, const sts_http_request_t *r,
    const sts_params_t *params, sts_str_t bucket, sts_str_t key,
    sts_str_t date_line) STS_WUR;

/*
 * sts_sign_v1_is_subresource is 1 if the query parameter |name| is a V1
 * signed sub-resource (the table of doc/protocol.md 1.6 or an "x-oss-" prefix),
 * 0 otherwise (including OSSAccessKeyId, Expires and Signature).
 */
int sts_sign_v1_is_subresource(sts_str_t name);

/*
 * sts_sign_v4_canonical_request appends the V4 canonical request
 * (doc/protocol.md 3.3) to |out|: method, canonical URI "/bucket/key"
 * (RFC 3986 strict, '/' kept; "/" when |bucket| is empty), canonical query
 * of every parameter in |params| except x-oss-signature, canonical headers
 * (content-type, content-md5, every x-oss-*, and each header named in
 * |additional_headers|, a ';'-joined list; "host" falls back to r->host),
 * the additional headers line and the payload hash (x-oss-content-sha256,
 * else UNSIGNED-PAYLOAD).  STS_EINVAL if a listed header is not in the
 * request; STS_ENOMEM, STS_ETOOBIG.  Temporary memory from out->a.
 */
int sts_sign_v4_canonical_request(sts_buf_t *out,
    const sts_http_request_t *r, const sts_params_t *params,
    sts_str_t bucket, sts_str_t key, sts_str_t additional_headers) STS_WUR;

/*
 * sts_sign_v4_string_to_sign appends "OSS4-HMAC-SHA256\n" + |date| +
 * "\n" + |scope| + "\n" + hex(SHA-256(|canonical|)) to |out| (3.4).
 * STS_OK, STS_ENOMEM, STS_ECRYPTO.
 */
int sts_sign_v4_string_to_sign(sts_buf_t *out, sts_str_t date,
    sts_str_t scope, sts_str_t canonical) STS_WUR;

/*
 * sts_sign_v4_signing_key derives the V4 key (3.5) for |secret|, the
 * 8-digit |date| and |region| into |out|.  The caller wipes |out| after
 * use.  STS_OK; STS_EINVAL for an empty or over-long secret; STS_ECRYPTO.
 */
int sts_sign_v4_signing_key(unsigned char out[STS_V4_KEY_LEN],
    sts_str_t secret, sts_str_t date, sts_str_t region) STS_WUR;

/*
 * sts_sign_v4_additional_headers_valid is 1 if |list| is a valid
 * AdditionalHeaders value: non-empty, ';'-separated, no empty element,
 * lower-case header names, strictly ascending.  0 otherwise.
 */
int sts_sign_v4_additional_headers_valid(sts_str_t list);


/*
 * Client-side signers.  Each signs request |r| for the decoded |bucket| and
 * |key| with |creds| and appends the result to |out|; temporary memory
 * comes from out->a, secrets and MACs are wiped.  |r| must already carry
 * every header that will be sent (for the header forms: x-oss-date or Date,
 * and x-oss-security-token with STS credentials).  STS_OK; STS_EINVAL for a
 * request that cannot be signed (no date, bad query, bad additional
 * headers, a presign parameter already in the query); STS_ENOMEM;
 * STS_ECRYPTO.
 */

/*
 * sts_sign_v1_header appends the Authorization value "OSS ak:signature".
 * The Date line is x-oss-date if present, else Date.
 */
int sts_sign_v1_header(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds) STS_WUR;

/*
 * sts_sign_v1_presign appends the complete query string (no '?') of a V1
 * presigned URL expiring at Unix time |expires|:
 * "OSSAccessKeyId=..&Expires=..&Signature=..[&<r->raw_query>]
 * [&security-token=..]", values RFC 3986 encoded.
 */
int sts_sign_v1_presign(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds,
    int64_t expires) STS_WUR;

/*
 * sts_sign_v4_header appends the Authorization value "OSS4-HMAC-SHA256
 * Credential=..[,AdditionalHeaders=..],Signature=..".  |r| must carry
 * x-oss-date (ISO 8601 basic); |additional_headers| may be empty.
 */
int sts_sign_v4_header(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds,
    sts_str_t additional_headers) STS_WUR;

/*
 * sts_sign_v4_presign appends the complete query string (no '?') of a V4
 * presigned URL signed at |now|, valid |expires_in| seconds (1..604800):
 * "[<r->raw_query>&][x-oss-additional-headers=..&]x-oss-credential=..
 * &x-oss-date=..&x-oss-expires=..&x-oss-signature-version=OSS4-HMAC-SHA256
 * [&x-oss-security-token=..]&x-oss-signature=..".
 */
int sts_sign_v4_presign(sts_buf_t *out, const sts_http_request_t *r,
    sts_str_t bucket, sts_str_t key, const sts_sign_creds_t *creds,
    int64_t now, int64_t expires_in, sts_str_t additional_headers) STS_WUR;


#endif /* STS_SIGN_H_INCLUDED */
