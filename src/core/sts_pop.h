/*
 * Copyright (C) nginx-sts authors
 *
 * sts_pop: the POP "RPC" protocol the STS API speaks (doc/protocol.md 5).
 *
 *   - percent-encoding (RFC 3986 strict, and the JS-component variant of
 *     @alicloud/sts-sdk 1.0.2), the canonicalised query, StringToSign and
 *     the HMAC-SHA1 signature (SignatureVersion 1.0), client and server
 *     side, with constant-time verification;
 *   - the common parameters (Action, Version, Format, AccessKeyId,
 *     SignatureMethod, SignatureVersion, SignatureNonce, Timestamp,
 *     Signature, SecurityToken) and their checks;
 *   - the STS error table and the rendering of success and error
 *     documents as JSON or XML.
 *
 * It knows nothing of the RAM directory (sts_ram does the decisions) and
 * nothing of nginx.
 */

#ifndef STS_POP_H_INCLUDED
#define STS_POP_H_INCLUDED


#include "sts_util.h"
#include "sts_http.h"


#define STS_POP_API_VERSION       "2015-04-01"
#define STS_POP_SIG_LEN           28      /* base64 of an HMAC-SHA1 */
#define STS_POP_REQUEST_ID_LEN    36      /* 8-4-4-4-12 upper-case hex */
#define STS_POP_NONCE_MAX         256     /* bytes of SignatureNonce */
#define STS_POP_DIGEST_LEN        32      /* sts_pop_nonce_digest */
#define STS_POP_SECRET_MAX        256     /* bytes of an AccessKeySecret */

/* Encodings for sts_pop_encode and the canonicalisation. */
#define STS_POP_ENC_STRICT        0       /* A-Z a-z 0-9 - _ . ~ kept */
#define STS_POP_ENC_JS            1       /* also ! ' ( ) * kept */


/*
 * sts_pop_encode appends |s| percent-encoded to |out|: the bytes of the
 * encoding's unreserved set as they are, every other byte as "%XY" with
 * upper-case hex (a space is "%20", never "+").  STS_POP_ENC_STRICT is
 * the POP rule; STS_POP_ENC_JS is what JavaScript's encodeURIComponent
 * and Node's querystring.escape produce.  Returns the buffer's status.
 */
int sts_pop_encode(sts_buf_t *out, sts_str_t s, int enc);

/*
 * sts_pop_canonical_query appends the canonicalised query string of
 * |params|: every parameter except "Signature", sorted by name bytewise,
 * each name and value encoded with |enc|, joined as "n=v" with "&".
 * The sort needs a small index from the buffer's allocator.  Returns
 * STS_OK, STS_ENOMEM or the buffer's failure.
 */
int sts_pop_canonical_query(sts_buf_t *out, const sts_params_t *params,
    int enc) STS_WUR;

/*
 * sts_pop_string_to_sign appends |method| "&%2F&" and the canonicalised
 * query encoded a second time with |enc| (PROTOCOL 5.3 step 4).
 */
int sts_pop_string_to_sign(sts_buf_t *out, sts_str_t method,
    const sts_params_t *params, int enc) STS_WUR;

/*
 * sts_pop_sign writes base64(HMAC-SHA1(secret + "&", string_to_sign)) and
 * a NUL into |out|.  STS_EINVAL for an empty or oversized secret,
 * STS_ECRYPTO if OpenSSL fails.  Key material is wiped.
 */
int sts_pop_sign(char out[STS_POP_SIG_LEN + 1], sts_str_t secret,
    sts_str_t string_to_sign) STS_WUR;

/*
 * sts_pop_has_js_chars is 1 if a name or value of |params| (Signature
 * aside) holds one of ! ' ( ) *: only then do the two encodings differ.
 */
int sts_pop_has_js_chars(const sts_params_t *params);

/*
 * sts_pop_verify checks the "Signature" parameter of a request made with
 * |method| and |params| (decoded, query and form together) against
 * |secret|, comparing in constant time.
 *
 * The standard (strict) form is tried first.  Only if it fails, and
 * |allow_js| is set, and some parameter holds one of ! ' ( ) *, the
 * JS-component form of @alicloud/sts-sdk 1.0.2 is tried (PROTOCOL 5.8:
 * the same secret and HMAC over a different canonical form).  The caller
 * sets |allow_js| only for the shape that client sends (no Content-Type,
 * no form body).
 *
 * On return |sts| (may be NULL) holds the standard StringToSign, for the
 * SignatureDoesNotMatch message, and |*out_enc| (may be NULL) the
 * encoding that matched.  Returns STS_OK, STS_EBADSIG (mismatch, or no
 * Signature), STS_EINVAL (bad secret), STS_ENOMEM or STS_ECRYPTO.
 */
int sts_pop_verify(sts_buf_t *sts, sts_str_t method,
    const sts_params_t *params, sts_str_t secret, int allow_js,
    int *out_enc) STS_WUR;

/*
 * sts_pop_params_merge joins the parameters of the query string and of
 * the form body into one list allocated from |a| (release it with
 * sts_free(a, out->items)); the strings remain those of the inputs.
 * STS_EDUP, with |*dup| naming it, when a name is in both (PROTOCOL 5.1);
 * STS_ENOMEM.  Either input may be NULL.
 */
int sts_pop_params_merge(const sts_allocator_t *a, const sts_params_t *query,
    const sts_params_t *form, sts_params_t *out, sts_str_t *dup) STS_WUR;

/*
 * sts_pop_nonce_digest writes SHA-256(access_key_id || 0x00 || nonce):
 * the fixed-size key under which a nonce cache remembers a nonce.
 */
int sts_pop_nonce_digest(unsigned char out[STS_POP_DIGEST_LEN],
    sts_str_t access_key_id, sts_str_t nonce) STS_WUR;


/*
 * sts_pop_error_t: one STS error.  |code| and |message| may hold one
 * "%s", replaced by the fault's detail (a parameter name, the
 * StringToSign) when rendered.
 */
typedef struct {
    int          http_status;
    const char  *code;
    const char  *message;
} sts_pop_error_t;

/* sts_pop_fault_t: an error and the detail its "%s" stands for. */
typedef struct {
    const sts_pop_error_t  *error;
    sts_str_t               detail;
} sts_pop_fault_t;


extern const sts_pop_error_t  sts_pop_err_missing;             /* 400 */
extern const sts_pop_error_t  sts_pop_err_invalid_parameter;   /* 400 */
extern const sts_pop_error_t  sts_pop_err_content_type;        /* 400 */
extern const sts_pop_error_t  sts_pop_err_method;              /* 405 */
extern const sts_pop_error_t  sts_pop_err_too_large;           /* 413 */
extern const sts_pop_error_t  sts_pop_err_action;              /* 404 */
extern const sts_pop_error_t  sts_pop_err_version;             /* 400 */
extern const sts_pop_error_t  sts_pop_err_signature_method;    /* 400 */
extern const sts_pop_error_t  sts_pop_err_akid_not_found;      /* 404 */
extern const sts_pop_error_t  sts_pop_err_akid_inactive;       /* 400 */
extern const sts_pop_error_t  sts_pop_err_signature;           /* 400 */
extern const sts_pop_error_t  sts_pop_err_timestamp_format;    /* 400 */
extern const sts_pop_error_t  sts_pop_err_timestamp_expired;   /* 400 */
extern const sts_pop_error_t  sts_pop_err_nonce_used;          /* 400 */
extern const sts_pop_error_t  sts_pop_err_token_expired;       /* 400 */
extern const sts_pop_error_t  sts_pop_err_token_malformed;     /* 400 */
extern const sts_pop_error_t  sts_pop_err_token_mismatch;      /* 400 */
extern const sts_pop_error_t  sts_pop_err_no_permission;       /* 403 */
extern const sts_pop_error_t  sts_pop_err_role_not_found;      /* 404 */
extern const sts_pop_error_t  sts_pop_err_role_arn;            /* 400 */
extern const sts_pop_error_t  sts_pop_err_session_name;        /* 400 */
extern const sts_pop_error_t  sts_pop_err_duration;            /* 400 */
extern const sts_pop_error_t  sts_pop_err_policy_size;         /* 400 */
extern const sts_pop_error_t  sts_pop_err_policy_grammar;      /* 400 */
extern const sts_pop_error_t  sts_pop_err_external_id;         /* 400 */
extern const sts_pop_error_t  sts_pop_err_source_identity;     /* 400 */
extern const sts_pop_error_t  sts_pop_err_token_size;          /* 400 */
extern const sts_pop_error_t  sts_pop_err_unavailable;         /* 503 */
extern const sts_pop_error_t  sts_pop_err_throttling;          /* 400 */
extern const sts_pop_error_t  sts_pop_err_internal;            /* 500 */


/*
 * sts_pop_common_t: the common parameters of a request, borrowed from the
 * parameter list.  |security_token| is empty when not sent.
 */
typedef struct {
    sts_str_t  action;
    sts_str_t  version;
    sts_str_t  access_key_id;
    sts_str_t  signature;
    sts_str_t  signature_method;
    sts_str_t  signature_version;
    sts_str_t  nonce;
    sts_str_t  timestamp;
    sts_str_t  security_token;
    int64_t    time;            /* Timestamp, Unix seconds */
    int        xml;             /* Format=XML */
} sts_pop_common_t;


/*
 * sts_pop_parse_format reads "Format" (case-insensitive "JSON" or "XML";
 * absent means JSON) into |*xml|.  STS_EINVAL, with |*xml| = 0 and
 * |fault| set, for any other value.  Do it first: every later error is
 * rendered in the format asked for.
 */
int sts_pop_parse_format(const sts_params_t *params, int *xml,
    sts_pop_fault_t *fault) STS_WUR;

/*
 * sts_pop_parse_common checks the common parameters in the order the
 * service does: Action present, Version present and "2015-04-01",
 * AccessKeyId, Signature, SignatureMethod ("HMAC-SHA1"),
 * SignatureVersion ("1.0"), SignatureNonce (1..STS_POP_NONCE_MAX bytes)
 * and Timestamp (ISO 8601 UTC, seconds or milliseconds, within
 * |max_skew| seconds of |now|).  The Action is not checked against a
 * list here.
 *
 * Returns STS_OK with |out| filled, or STS_EINVAL with |fault| set:
 * Missing<Name>, InvalidVersion, InvalidSignatureMethod,
 * InvalidParameter (SignatureVersion, SignatureNonce),
 * InvalidTimeStamp.Format or InvalidTimeStamp.Expired.
 */
int sts_pop_parse_common(const sts_params_t *params, int64_t now,
    int64_t max_skew, sts_pop_common_t *out, sts_pop_fault_t *fault)
    STS_WUR;


/* A field of a response document: "Credentials.AccessKeyId" and text. */
typedef struct {
    const char  *name;
    sts_str_t    value;
} sts_pop_field_t;

/*
 * sts_pop_render appends a response document made of |fields|, in order.
 * A dotted name nests one level ("AssumedRoleUser.Arn"); fields of one
 * group must be adjacent.  JSON: a compact object.  XML: the prolog and
 * a root element named |root| ("AssumeRoleResponse").  Returns STS_OK,
 * STS_EINVAL (a value that is not UTF-8) or the buffer's failure.
 */
int sts_pop_render(sts_buf_t *out, int xml, const char *root,
    const sts_pop_field_t *fields, size_t num_fields) STS_WUR;

/*
 * sts_pop_render_error appends the STS error document for |fault|:
 * RequestId, HostId, Code, Message (JSON), or <Error> with the same
 * elements (XML).
 */
int sts_pop_render_error(sts_buf_t *out, int xml,
    const sts_pop_fault_t *fault, sts_str_t request_id, sts_str_t host_id)
    STS_WUR;

/*
 * sts_pop_fault_text writes the fault's code (|what| = 0) or message
 * (|what| = 1), with the detail substituted, into |buf| (|len| bytes,
 * always NUL-terminated when len > 0).  Returns the full length.
 */
size_t sts_pop_fault_text(const sts_pop_fault_t *fault, int what, char *buf,
    size_t len);

/* sts_pop_request_id writes a random RequestId "XXXXXXXX-XXXX-...". */
void sts_pop_request_id(char out[STS_POP_REQUEST_ID_LEN + 1]);


/*
 * sts_pop_sign_request builds a signed request the way the official
 * clients do, for stsctl and tests: |params| (names and values, not
 * encoded, without Signature; the caller includes the common ones) are
 * canonicalised with the strict encoding, signed with |secret| for
 * |method|, and |out| receives the form/query string: every parameter
 * and Signature, strictly encoded, sorted by name.
 */
int sts_pop_sign_request(sts_buf_t *out, sts_str_t method,
    const sts_params_t *params, sts_str_t secret) STS_WUR;


#endif /* STS_POP_H_INCLUDED */
