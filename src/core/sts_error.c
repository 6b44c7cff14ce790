/*
 * Copyright (C) nginx-sts authors
 */

#include <string.h>

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

const sts_oss_error_t  sts_err_access_key_disabled = {
    403, "InvalidAccessKeyId", "The OSS Access Key Id you provided is disabled."
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

const sts_oss_error_t  sts_err_invalid_argument_header = {
    400, "InvalidArgument", "The value of a request header is invalid."
};

const sts_oss_error_t  sts_err_invalid_argument_host = {
    400, "InvalidArgument",
    "The request target names another host than the Host header."
};

const sts_oss_error_t  sts_err_invalid_uri = {
    400, "InvalidURI",
    "The request target holds a raw '#': send it percent-encoded as %23."
};

const sts_oss_error_t  sts_err_malformed_xml = {
    400, "MalformedXML",
    "The XML you provided was not well-formed or did not validate against "
    "our published schema."
};

const sts_oss_error_t  sts_err_entity_too_large = {
    400, "EntityTooLarge",
    "Your proposed upload exceeds the maximum allowed size."
};

const sts_oss_error_t  sts_err_entity_too_small = {
    400, "EntityTooSmall",
    "Your proposed upload is smaller than the minimum allowed size."
};

const sts_oss_error_t  sts_err_invalid_digest = {
    400, "InvalidDigest", "The Content-MD5 you specified is not valid."
};

const sts_oss_error_t  sts_err_bucket_config = {
    403, "AccessDenied",
    "Bucket configuration requests are not allowed through this gateway."
};

const sts_oss_error_t  sts_err_unchecked_object = {
    403, "AccessDenied",
    "The request names an object the gateway cannot authorise."
};

const sts_oss_error_t  sts_err_cors_forbidden = {
    403, "AccessForbidden",
    "CORSResponse: This CORS request is not allowed. This is usually "
    "because the evalution of Origin, request method / "
    "Access-Control-Request-Method or Access-Control-Requet-Headers are "
    "not whitelisted by the resource's CORS spec."
};

const sts_oss_error_t  sts_err_encoding_type = {
    400, "InvalidArgument", "Invalid Encoding Method specified in Request."
};

const sts_oss_error_t  sts_err_encoded_key = {
    400, "InvalidArgument",
    "A key of the delete list is not an unambiguous URL-encoded object "
    "name."
};

const sts_oss_error_t  sts_err_method_override = {
    400, "InvalidArgument",
    "A method override header is not accepted: the request is made with "
    "its own method."
};

const sts_oss_error_t  sts_err_preflight_body = {
    400, "InvalidArgument", "A CORS preflight request cannot have a body."
};

const sts_oss_error_t  sts_err_internal = {
    500, "InternalError",
    "We encountered an internal error. Please try again."
};

const sts_oss_error_t  sts_err_post_not_multipart = {
    400, "RequestIsNotMultiPartContent",
    "Bucket POST must be of the enclosure-type multipart/form-data."
};

const sts_oss_error_t  sts_err_post_no_file = {
    400, "IncorrectNumberOfFilesInPOSTRequest",
    "POST requires exactly one file upload per request."
};

const sts_oss_error_t  sts_err_post_field_too_long = {
    400, "FieldItemTooLong",
    "Your POST form fields exceed the maximum allowed size."
};

const sts_oss_error_t  sts_err_post_malformed = {
    400, "MalformedPOSTRequest",
    "The body of your POST request is not well-formed "
    "multipart/form-data."
};

const sts_oss_error_t  sts_err_post_fields = {
    400, "InvalidArgument",
    "The POST form must carry one complete signature: OSSAccessKeyId, "
    "policy and Signature (V1), or x-oss-signature-version, "
    "x-oss-credential, x-oss-date, x-oss-signature and policy (V4)."
};

const sts_oss_error_t  sts_err_post_boundary = {
    400, "InvalidArgument",
    "The Content-Type of the POST form must carry exactly one valid "
    "boundary parameter."
};

const sts_oss_error_t  sts_err_post_filename = {
    400, "InvalidArgument",
    "The file name cannot stand for ${filename} in the key: it holds a "
    "path separator, \"..\" or a control character, or is empty."
};

const sts_oss_error_t  sts_err_post_policy_invalid = {
    400, "InvalidPolicyDocument",
    "Invalid Policy: the policy document is not valid."
};

const sts_oss_error_t  sts_err_post_policy_expired = {
    403, "AccessDenied", "Invalid according to Policy: Policy expired."
};

const sts_oss_error_t  sts_err_post_condition = {
    403, "AccessDenied",
    "Invalid according to Policy: Policy Condition failed."
};


void
sts_request_id(char out[STS_REQUEST_ID_LEN + 1])
{
    static const char  hex[] = "0123456789ABCDEF";
    size_t             i;
    unsigned char      r[STS_REQUEST_ID_LEN / 2];

    if (sts_random(r, sizeof(r)) != STS_OK) {
        memset(r, 0, sizeof(r));
    }

    for (i = 0; i < sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 0x0f];
    }

    out[STS_REQUEST_ID_LEN] = '\0';
}


static void
sts_xml_escape(sts_buf_t *out, sts_str_t s)
{
    size_t       i, start;
    const char  *rep;

    start = 0;

    for (i = 0; i < s.len; i++) {
        switch (s.data[i]) {
        case '&':  rep = "&amp;";  break;
        case '<':  rep = "&lt;";   break;
        case '>':  rep = "&gt;";   break;
        case '"':  rep = "&quot;"; break;
        case '\r': rep = "&#13;";  break;
        default:
            /* other control characters cannot appear in XML 1.0 */
            if ((unsigned char) s.data[i] < 0x20 && s.data[i] != '\n'
                && s.data[i] != '\t')
            {
                rep = "?";
                break;
            }

            continue;
        }

        sts_buf_append(out, s.data + start, i - start);
        sts_buf_append_str(out, rep);
        start = i + 1;
    }

    sts_buf_append(out, s.data + start, s.len - start);
}


static void
sts_xml_element(sts_buf_t *out, const char *name, sts_str_t value)
{
    sts_buf_appendf(out, "  <%s>", name);
    sts_xml_escape(out, value);
    sts_buf_appendf(out, "</%s>\n", name);
}


int
sts_error_xml(sts_buf_t *out, const sts_oss_error_t *e, sts_str_t request_id,
    sts_str_t host_id, const sts_error_field_t *fields, size_t num_fields)
{
    size_t     i;
    sts_str_t  s;

    sts_buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<Error>\n");

    s.data = e->code;
    s.len = strlen(e->code);
    sts_xml_element(out, "Code", s);

    s.data = e->message;
    s.len = strlen(e->message);
    sts_xml_element(out, "Message", s);

    sts_xml_element(out, "RequestId", request_id);
    sts_xml_element(out, "HostId", host_id);

    for (i = 0; i < num_fields; i++) {
        sts_xml_element(out, fields[i].name, fields[i].value);
    }

    sts_buf_append_str(out, "</Error>\n");

    return sts_buf_ok(out);
}


int
sts_error_hex_bytes(sts_buf_t *out, sts_str_t s)
{
    static const char  hex[] = "0123456789ABCDEF";
    size_t             i;
    char               t[3];

    t[2] = ' ';

    for (i = 0; i < s.len; i++) {
        t[0] = hex[(unsigned char) s.data[i] >> 4];
        t[1] = hex[(unsigned char) s.data[i] & 0x0f];
        sts_buf_append(out, t, 3);
    }

    return sts_buf_ok(out);
}
