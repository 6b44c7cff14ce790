/*
 * Copyright (C) nginx-sts authors
 *
 * sts_error: the OSS errors the gateway answers with (PROTOCOL.md 8.2).
 * Each is a static descriptor: HTTP status, Code, Message.  The nginx glue
 * renders them as OSS XML; the core only picks one.
 */

#ifndef STS_ERROR_H_INCLUDED
#define STS_ERROR_H_INCLUDED


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


#endif /* STS_ERROR_H_INCLUDED */
