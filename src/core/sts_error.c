/*
 * Copyright (C) nginx-sts authors
 */

#include "sts_error.h"


const sts_oss_error_t  sts_err_invalid_argument_auth = {
    400, "InvalidArgument", "Authorization header is invalid."
};

const sts_oss_error_t  sts_err_invalid_argument_mixed = {
    400, "InvalidArgument",
    "Only one authentication method is allowed: Authorization header "
    "or query-string signature."
};

const sts_oss_error_t  sts_err_invalid_argument_v4 = {
    400, "InvalidArgument", "Invalid signing parameters for OSS4-HMAC-SHA256."
};

const sts_oss_error_t  sts_err_invalid_argument_query = {
    400, "InvalidArgument", "The request query string is invalid."
};

const sts_oss_error_t  sts_err_anonymous = {
    403, "AccessDenied", "Anonymous access is forbidden for this operation."
};

const sts_oss_error_t  sts_err_missing_date = {
    403, "AccessDenied", "OSS authentication requires a valid Date."
};

const sts_oss_error_t  sts_err_presign_params = {
    403, "AccessDenied",
    "Query-string authentication requires the Signature, Expires and "
    "OSSAccessKeyId parameters"
};

const sts_oss_error_t  sts_err_presign_expires_nan = {
    403, "AccessDenied", "Invalid date (should be seconds since epoch)"
};

const sts_oss_error_t  sts_err_request_expired = {
    403, "AccessDenied", "Request has expired."
};

const sts_oss_error_t  sts_err_access_denied_policy = {
    403, "AccessDenied", "Access denied by authorizer's policy."
};

const sts_oss_error_t  sts_err_invalid_access_key_id = {
    403, "InvalidAccessKeyId",
    "The OSS Access Key Id you provided does not exist in our records."
};

const sts_oss_error_t  sts_err_signature_mismatch = {
    403, "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you "
    "provided. Check your key and signing method."
};

const sts_oss_error_t  sts_err_token_expired = {
    403, "SecurityTokenExpired", "The security token you provided has expired."
};

const sts_oss_error_t  sts_err_token_invalid = {
    403, "InvalidSecurityToken", "The security token you provided is invalid."
};

const sts_oss_error_t  sts_err_token_mismatch = {
    403, "AccessKeyIdAndSecurityTokenNotMatch",
    "The OSS access key id and security token you provided does not match."
};

const sts_oss_error_t  sts_err_time_skewed = {
    403, "RequestTimeTooSkewed",
    "The difference between the request time and the current time is too "
    "large."
};

const sts_oss_error_t  sts_err_invalid_bucket_name = {
    400, "InvalidBucketName", "The specified bucket is not valid."
};

const sts_oss_error_t  sts_err_invalid_object_name = {
    400, "InvalidObjectName", "The specified object is not valid."
};

const sts_oss_error_t  sts_err_no_such_bucket = {
    404, "NoSuchBucket", "The specified bucket does not exist."
};

const sts_oss_error_t  sts_err_not_implemented = {
    400, "NotImplemented", "A header you provided implies functionality "
    "that is not implemented."
};

const sts_oss_error_t  sts_err_unsupported_operation = {
    403, "AccessDenied", "This operation is not supported by the gateway."
};
