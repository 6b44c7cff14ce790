/*
 * Copyright (C) nginx-sts authors
 *
 * sts_oss: from a plain request view to what the request touches: bucket,
 * key, and the list of {action, resource ARN} pairs that must all be
 * allowed (doc/protocol.md 7), plus the addressing modes (doc/protocol.md 1.5),
 * the object key rules (path safety) and the key the backend receives.
 *
 * Every object a request names is authorised, not only the one in its
 * path: copy sources, symlink targets, image watermarks, the target of
 * sys/saveas, every key of DeleteMultipleObjects.  What cannot be checked
 * is refused.  A request that maps to no row of the table is refused too:
 * nothing is ever guessed as a read.
 */

#ifndef STS_OSS_H_INCLUDED
#define STS_OSS_H_INCLUDED


#include "sts_error.h"
#include "sts_http.h"


typedef enum {
    STS_ADDR_PATH = 0,        /* /<bucket>/<key> */
    STS_ADDR_VHOST,           /* <bucket>.<domain>/<key> */
    STS_ADDR_BUCKET           /* fixed bucket: /<key> */
} sts_addressing_e;


/* Which bucket configuration calls (doc/protocol.md 7, row 7) are mapped. */
typedef enum {
    STS_OSS_BUCKET_CONFIG_OFF = 0,    /* none: refused whatever the policy */
    STS_OSS_BUCKET_CONFIG_READ,       /* GET ones only */
    STS_OSS_BUCKET_CONFIG_ON          /* all, the policy decides */
} sts_oss_bucket_config_e;


typedef struct {
    sts_addressing_e         mode;
    sts_str_t                domain;         /* STS_ADDR_VHOST */
    sts_str_t                bucket;         /* STS_ADDR_BUCKET */
    sts_str_t                account;        /* bucket owner, "*" if empty */
    sts_oss_bucket_config_e  bucket_config;
} sts_oss_conf_t;


/* What the request body must show before the grants are complete. */
typedef enum {
    STS_OSS_BODY_NONE = 0,
    STS_OSS_BODY_DELETE,      /* DeleteMultipleObjects: XML list of keys */
    STS_OSS_BODY_PROCESS,     /* ProcessObject: "x-oss-process=..." */
    STS_OSS_BODY_POST         /* PostObject: multipart/form-data */
} sts_oss_body_e;


#define STS_OSS_MAX_KEY_LEN          1023
#define STS_OSS_DELETE_MAX_BODY      (2 * 1024 * 1024)
#define STS_OSS_DELETE_MAX_KEYS      1000
#define STS_OSS_PROCESS_MAX_BODY     (64 * 1024)


typedef struct {
    const char  *action;          /* "oss:GetObject" */
    sts_str_t    resource;        /* "acs:oss:*:<acct>:<bucket>/<key>" */
} sts_oss_grant_t;


/*
 * sts_oss_op_t: the classification of one request.  |grants| is an array
 * from the allocator given to sts_oss_classify (later additions use the
 * same one); every pair must be allowed for the request to be.
 */
typedef struct {
    sts_str_t         bucket;     /* decoded; empty at service level */
    sts_str_t         key;        /* decoded; empty at bucket level */
    const char       *api;        /* OSS API name, e.g. "GetObject" */
    sts_oss_grant_t  *grants;
    size_t            num_grants;
    size_t            cap_grants;
    sts_oss_body_e    body;       /* body needed to finish the grants */
    unsigned          preflight:1;    /* CORS preflight: no credentials */
    unsigned          list:1;         /* a listing (oss:Prefix applies) */
    unsigned          url_keys:1;     /* delete keys URL-encoded
                                         (encoding-type url) */
} sts_oss_op_t;


/*
 * sts_oss_is_valid_bucket is 1 for a valid OSS bucket name: 3..63 bytes
 * of [a-z0-9-], starting and ending with a letter or digit.
 */
int sts_oss_is_valid_bucket(sts_str_t b);

/*
 * sts_oss_is_valid_key is 1 for an object key this gateway accepts: valid
 * UTF-8 (no overlong forms, no surrogates), 1..1023 bytes, not starting
 * with '/' or '\', and, stricter than OSS, without control bytes
 * (0x00-0x1f, 0x7f), without a "." or ".." segment (between '/' or '\'
 * separators) and without an empty segment ("a//b"; a trailing '/' is
 * fine).  Each of these could make a backend that normalises paths serve
 * another object than the one the policy was evaluated for.
 */
int sts_oss_is_valid_key(sts_str_t k);

/*
 * sts_oss_locate finds the bucket and the decoded key of |r| under
 * |conf|.  Returns STS_OK, or STS_EINVAL with *err set to the OSS error
 * (InvalidBucketName, InvalidObjectName, NoSuchBucket for a Host outside
 * the configured domain).  Strings are allocated from |a|.
 */
int sts_oss_locate(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_http_request_t *r, sts_str_t *bucket, sts_str_t *key,
    const sts_oss_error_t **err) STS_WUR;

/*
 * sts_oss_classify locates the request and maps it to an OSS API and
 * the {action, resource} pairs to authorise (doc/protocol.md 7), from the
 * method, the decoded query |q| (sub-resources) and the headers
 * (x-oss-copy-source, x-oss-symlink-target, x-oss-tagging, Content-Type,
 * and Origin / Access-Control-Request-Method for a preflight).
 *
 * On STS_OK, out->body says whether the body must be read and handed to
 * sts_oss_add_delete_body, sts_oss_add_process_body or (PostObject, after
 * the form is verified) sts_oss_add_post_object before the grants are
 * complete; out->preflight marks a CORS preflight, which needs no
 * authorisation.  For DeleteMultipleObjects, an encoding-type (query
 * parameter or Encoding-type header) other than "url" is refused with
 * InvalidArgument, and "url" sets out->url_keys.  A request the gateway
 * does not recognise is refused (fail closed) with STS_EINVAL and *err
 * set; it is never guessed as a read.  So is any request, preflights
 * too, with a method override header (X-HTTP-Method-Override,
 * X-Method-Override, X-HTTP-Method: sts_err_method_override).
 * STS_ENOMEM with *err NULL.  Memory from |a|.
 */
int sts_oss_classify(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_http_request_t *r, const sts_params_t *q, sts_oss_op_t *out,
    const sts_oss_error_t **err) STS_WUR;

/*
 * sts_oss_add_delete_body parses the XML body of DeleteMultipleObjects
 * (sts_oss_parse_delete_xml, keys URL-decoded when op->url_keys) and adds
 * oss:DeleteObject, and oss:DeleteObjectVersion for a key with a
 * VersionId, on every listed key of op->bucket.
 *
 * URL-encoded keys are what a store may read either way: decoded, or, if
 * it ignores encoding-type, as they are.  So with op->url_keys |fwd| (if
 * not NULL) receives the body to forward in place of the client's: the
 * keys as authorised, decoded (sts_oss_delete_xml), which read the same
 * whether decoded again or not.  Without op->url_keys |fwd| is left
 * alone: the body is forwarded as it came.  STS_OK; STS_EINVAL with *err
 * (MalformedXML, InvalidObjectName, InvalidArgument); STS_ENOMEM.
 */
int sts_oss_add_delete_body(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, const char *body,
    size_t len, sts_buf_t *fwd, const sts_oss_error_t **err) STS_WUR;

/*
 * sts_oss_add_process_body parses the body of ProcessObject
 * ("x-oss-process=<urlencoded process>") and adds what the process needs:
 * oss:PutObject on each sys/saveas target (o_ key and b_ bucket, URL-safe
 * base64) and oss:GetObject on each image watermark.  A process that
 * cannot be checked (a style, an unknown family or step, an undecodable
 * name) is refused with STS_EINVAL and *err set.  STS_ENOMEM.
 */
int sts_oss_add_process_body(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, const char *body,
    size_t len, const sts_oss_error_t **err) STS_WUR;

/*
 * sts_oss_add_post_object records |key| (decoded, from the verified form)
 * as op->key of a PostObject and adds oss:PutObject on it, plus
 * oss:PutObjectTagging when |tagging| is set.  STS_EINVAL with *err
 * InvalidObjectName for a key sts_oss_is_valid_key refuses; STS_ENOMEM.
 */
int sts_oss_add_post_object(const sts_allocator_t *a,
    const sts_oss_conf_t *conf, sts_oss_op_t *op, sts_str_t key,
    int tagging, const sts_oss_error_t **err) STS_WUR;


/* One key of a DeleteMultipleObjects body. */
typedef struct {
    sts_str_t  key;               /* decoded, NUL-terminated */
    sts_str_t  version_id;        /* empty without <VersionId> */
    int        has_version;
} sts_oss_delete_key_t;

/*
 * sts_oss_parse_delete_xml parses a DeleteMultipleObjects body: an optional
 * <?xml ...?> declaration, then <Delete> (attributes allowed, e.g.
 * xmlns) holding an optional <Quiet>true|false</Quiet> and 1..1000
 * <Object><Key>..</Key>[<VersionId>..</VersionId>]</Object>, with
 * whitespace between elements.  Text may use the five predefined entities
 * and character references.  Anything else (DOCTYPE, comments,
 * processing instructions, CDATA, other elements, a raw CR, namespace
 * prefixes, bytes after </Delete>) is refused, so that the keys seen here
 * are exactly the keys any XML parser sees.
 *
 * With |url| (encoding-type url) each key's text is then percent-decoded:
 * a '%' not followed by two hex digits, a '+' (a space to some decoders,
 * a plus to others) and a decoded '%' or '+' (which a store decoding
 * again would read as something else) are InvalidArgument.  Keys must
 * then pass sts_oss_is_valid_key, as a key in a path does.
 *
 * *quiet (if not NULL) is 1 or 0 for <Quiet>true/false</Quiet>, -1
 * without one.  The array comes from |a| (one block with the strings:
 * sts_free(a, *out)).  STS_OK; STS_EINVAL with *err MalformedXML,
 * InvalidObjectName or InvalidArgument; STS_ETOOBIG (body over
 * STS_OSS_DELETE_MAX_BODY, *err EntityTooLarge); STS_ENOMEM.
 */
int sts_oss_parse_delete_xml(const sts_allocator_t *a, const char *body,
    size_t len, int url, sts_oss_delete_key_t **out, size_t *num,
    int *quiet, const sts_oss_error_t **err) STS_WUR;

/*
 * sts_oss_delete_xml writes a DeleteMultipleObjects body for |n| keys:
 * an XML declaration, <Delete>, <Quiet> when |quiet| is 0 or 1, then one
 * <Object> per key with its <Key> and, if it has one, its <VersionId>;
 * text escaped (&amp; &lt; &gt;, TAB and LF as character references), no
 * other whitespace, no encoding.  Errors stay in |out| (sts_buf_ok).
 */
void sts_oss_delete_xml(sts_buf_t *out, const sts_oss_delete_key_t *keys,
    size_t n, int quiet);

/*
 * sts_oss_backend_uri writes the request target the backend must receive
 * for |op|, path style whatever the client's addressing: "/" at service
 * level, "/<bucket>/" at bucket level, "/<bucket>/<key>" for an object,
 * the key re-encoded (RFC 3986 unreserved bytes and '/' kept, every other
 * byte %XX), then the query |q| without its authentication parameters
 * (OSSAccessKeyId, Expires, Signature, security-token and the x-oss-
 * presign parameters), each name and value re-encoded the same way, in
 * arrival order.  So the backend decodes exactly the key and parameters
 * that were authorised.  String from |a|.  STS_OK, STS_ENOMEM.
 */
int sts_oss_backend_uri(const sts_allocator_t *a, const sts_oss_op_t *op,
    const sts_params_t *q, sts_str_t *out) STS_WUR;

/*
 * sts_oss_content_md5_ok is 1 if |b64| (a Content-MD5 value) is the
 * base64 MD5 of the |len| bytes of |body|, 0 otherwise (also for a value
 * that is not 16 bytes of base64).
 */
int sts_oss_content_md5_ok(sts_str_t b64, const char *body, size_t len);

/*
 * sts_oss_content_md5 writes the Content-MD5 value of the |len| bytes of
 * |body| (24 characters of base64) and a NUL into |out|.  STS_OK;
 * STS_ECRYPTO.
 */
int sts_oss_content_md5(const char *body, size_t len, char out[25])
    STS_WUR;

/*
 * sts_oss_arn writes "acs:oss:*:<account>:<bucket>[/<key>]" (or
 * "acs:oss:*:<account>:*" when bucket is empty) into a string from |a|.
 */
int sts_oss_arn(const sts_allocator_t *a, sts_str_t account,
    sts_str_t bucket, sts_str_t key, sts_str_t *out) STS_WUR;

/*
 * sts_oss_base64url_text decodes URL-safe base64 as OSS uses it in
 * x-oss-process names (padding optional) into a NUL-terminated string
 * from |a|.  STS_EINVAL for bad input or a decoded NUL; STS_ENOMEM.
 */
int sts_oss_base64url_text(const sts_allocator_t *a, sts_str_t in,
    sts_str_t *out) STS_WUR;


/*
 * sts_oss_actions lists the actions the gateway evaluates (the action
 * table of doc/protocol.md 7, versioned forms and the actions body parsers
 * add), for tools such as `stsctl policy lint`: it stores up to |max|
 * names ("oss:GetObject") and the level of the resource each is
 * evaluated on (STS_OSS_LEVEL_*) and returns how many there are in all.
 * Names may repeat.
 */
#define STS_OSS_LEVEL_SERVICE   0   /* acs:oss:*:<acct>:* */
#define STS_OSS_LEVEL_BUCKET    1   /* acs:oss:*:<acct>:<bucket> */
#define STS_OSS_LEVEL_OBJECT    2   /* acs:oss:*:<acct>:<bucket>/<key> */

size_t sts_oss_actions(const char **names, int *levels, size_t max);


#endif /* STS_OSS_H_INCLUDED */
