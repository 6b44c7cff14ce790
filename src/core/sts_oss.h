/*
 * Copyright (C) nginx-sts authors
 *
 * sts_oss: from a plain request view to what the request touches: bucket,
 * key, and the list of {action, resource ARN} pairs that must all be
 * allowed (PROTOCOL.md 7), plus the addressing modes (PROTOCOL.md 1.5).
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


typedef struct {
    sts_addressing_e  mode;
    sts_str_t         domain;     /* STS_ADDR_VHOST */
    sts_str_t         bucket;     /* STS_ADDR_BUCKET */
    sts_str_t         account;    /* bucket owner in ARNs, "*" if empty */
} sts_oss_conf_t;


#define STS_OSS_MAX_GRANTS  4


typedef struct {
    const char  *action;          /* "oss:GetObject" */
    sts_str_t    resource;        /* "acs:oss:*:<acct>:<bucket>/<key>" */
} sts_oss_grant_t;


typedef struct {
    sts_str_t        bucket;      /* decoded; empty at service level */
    sts_str_t        key;         /* decoded; empty at bucket level */
    const char      *api;         /* OSS API name, e.g. "GetObject" */
    sts_oss_grant_t  grants[STS_OSS_MAX_GRANTS];
    size_t           num_grants;
} sts_oss_op_t;


/*
 * sts_oss_is_valid_bucket is 1 for a valid OSS bucket name: 3..63 bytes
 * of [a-z0-9-], starting and ending with a letter or digit.
 */
int sts_oss_is_valid_bucket(sts_str_t b);

/*
 * sts_oss_is_valid_key is 1 for a valid object key: 1..1023 bytes, not
 * starting with '/' or '\', and (stricter than OSS) with no "." or ".."
 * path segment.  (UTF-8 validity is checked when decoding.)
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
 * the {action, resource} pairs to authorise.  A request the gateway does
 * not recognise is refused (fail closed) with *err set; it is never
 * guessed as a read.  Memory from |a|.
 */
int sts_oss_classify(const sts_allocator_t *a, const sts_oss_conf_t *conf,
    const sts_http_request_t *r, const sts_params_t *q, sts_oss_op_t *out,
    const sts_oss_error_t **err) STS_WUR;

/*
 * sts_oss_arn writes "acs:oss:*:<account>:<bucket>[/<key>]" (or
 * "acs:oss:*:<account>:*" when bucket is empty) into a string from |a|.
 */
int sts_oss_arn(const sts_allocator_t *a, sts_str_t account,
    sts_str_t bucket, sts_str_t key, sts_str_t *out) STS_WUR;


#endif /* STS_OSS_H_INCLUDED */
