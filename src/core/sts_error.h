/*
 * Copyright (C) nginx-sts authors
 *
 * sts_error: the OSS errors the gateway answers with (doc/protocol.md 8.2).
 * Each is a static descriptor: HTTP status, Code, Message.  The nginx glue
 * renders them as OSS XML; the core only picks one.
 */

#ifndef STS_ERROR_H_INCLUDED
#define STS_ERROR_H_INCLUDED


#include "sts_util.h"


typedef struct {
    int          http_status;
    const char  *code;
    const char  *message;
} sts_oss_error_t;


extern const sts_oss_error_t  sts_err_invalid_argument_auth;   /* 400 */
extern const sts_oss_error_t  sts_err_invalid_argument_mixed;  /* 400 */
extern const sts_oss_error_t  sts_err_invalid_argument_v4;     /* 400 */
extern const sts_oss_error_t  sts_err_invalid_argument_query;  /* 400 */
extern const sts_oss_error_t  sts_err_anonymous;               /* 403 */
extern const sts_oss_error_t  sts_err_missing_date;            /* 403 */
extern const sts_oss_error_t  sts_err_presign_params;          /* 403 */
extern const sts_oss_error_t  sts_err_presign_expires_nan;     /* 403 */
extern const sts_oss_error_t  sts_err_request_expired;         /* 403 */
extern const sts_oss_error_t  sts_err_access_denied_policy;    /* 403 */
extern const sts_oss_error_t  sts_err_invalid_access_key_id;   /* 403 */
extern const sts_oss_error_t  sts_err_access_key_disabled;     /* 403 */
extern const sts_oss_error_t  sts_err_signature_mismatch;      /* 403 */
extern const sts_oss_error_t  sts_err_token_expired;           /* 403 */
extern const sts_oss_error_t  sts_err_token_invalid;           /* 403 */
extern const sts_oss_error_t  sts_err_token_mismatch;          /* 403 */
extern const sts_oss_error_t  sts_err_time_skewed;             /* 403 */
extern const sts_oss_error_t  sts_err_invalid_bucket_name;     /* 400 */
extern const sts_oss_error_t  sts_err_invalid_object_name;     /* 400 */
extern const sts_oss_error_t  sts_err_no_such_bucket;          /* 404 */
extern const sts_oss_error_t  sts_err_not_implemented;         /* 400 */
extern const sts_oss_error_t  sts_err_unsupported_operation;   /* 403 */

/* request mapping, bodies and path safety (sts_oss) */
extern const sts_oss_error_t  sts_err_invalid_argument_header; /* 400 */
extern const sts_oss_error_t  sts_err_invalid_argument_host;   /* 400 */
extern const sts_oss_error_t  sts_err_invalid_uri;             /* 400 */
extern const sts_oss_error_t  sts_err_malformed_xml;           /* 400 */
extern const sts_oss_error_t  sts_err_entity_too_large;        /* 400 */
extern const sts_oss_error_t  sts_err_entity_too_small;        /* 400 */
extern const sts_oss_error_t  sts_err_invalid_digest;          /* 400 */
extern const sts_oss_error_t  sts_err_bucket_config;           /* 403 */
extern const sts_oss_error_t  sts_err_unchecked_object;        /* 403 */
extern const sts_oss_error_t  sts_err_cors_forbidden;          /* 403 */
extern const sts_oss_error_t  sts_err_encoding_type;           /* 400 */
extern const sts_oss_error_t  sts_err_encoded_key;             /* 400 */
extern const sts_oss_error_t  sts_err_method_override;         /* 400 */
extern const sts_oss_error_t  sts_err_preflight_body;          /* 400 */
extern const sts_oss_error_t  sts_err_internal;                /* 500 */

/* PostObject (sts_post) */
extern const sts_oss_error_t  sts_err_post_not_multipart;      /* 400 */
extern const sts_oss_error_t  sts_err_post_no_file;            /* 400 */
extern const sts_oss_error_t  sts_err_post_field_too_long;     /* 400 */
extern const sts_oss_error_t  sts_err_post_malformed;          /* 400 */
extern const sts_oss_error_t  sts_err_post_fields;             /* 400 */
extern const sts_oss_error_t  sts_err_post_boundary;           /* 400 */
extern const sts_oss_error_t  sts_err_post_filename;           /* 400 */
extern const sts_oss_error_t  sts_err_post_policy_invalid;     /* 400 */
extern const sts_oss_error_t  sts_err_post_policy_expired;     /* 403 */
extern const sts_oss_error_t  sts_err_post_condition;          /* 403 */



/* An extra element of the error body, e.g. OSSAccessKeyId. */
typedef struct {
    const char  *name;
    sts_str_t    value;
} sts_error_field_t;


#define STS_REQUEST_ID_LEN  24

/*
 * sts_request_id writes 24 random upper-case hex digits and a NUL, the
 * shape of an OSS x-oss-request-id.
 */
void sts_request_id(char out[STS_REQUEST_ID_LEN + 1]);

/*
 * sts_error_xml renders the OSS error document for |e|:
 * <Error><Code/><Message/><RequestId/><HostId/>, then |fields| in order.
 * Text is XML-escaped; a line feed stays a literal line feed.  Returns
 * STS_OK or the buffer's failure.
 */
int sts_error_xml(sts_buf_t *out, const sts_oss_error_t *e,
    sts_str_t request_id, sts_str_t host_id, const sts_error_field_t *fields,
    size_t num_fields) STS_WUR;

/*
 * sts_error_hex_bytes writes each byte of |s| as two upper-case hex
 * digits and a space (the StringToSignBytes form).
 */
int sts_error_hex_bytes(sts_buf_t *out, sts_str_t s) STS_WUR;


#endif /* STS_ERROR_H_INCLUDED */
