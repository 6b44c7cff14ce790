/*
 * Copyright (C) nginx-sts authors
 *
 * sts_s3post: an allowed PostObject as the PUT an S3-API store accepts
 * (sts_backend s3).
 *
 * S3 stores take a form upload only with their own policy signature, so
 * the gateway sends the file part as the body of a PutObject of the key
 * it authorised, signed with its own credentials.  The form's object
 * attributes become the headers PutObject takes: Content-Type,
 * Cache-Control, Content-Disposition, Content-Encoding, Expires and the
 * x-oss-* fields (x-oss-meta-*, x-oss-object-acl ...), which the s3
 * connector then maps like the headers of any OSS request.  The form's
 * signature, policy, token, key and answer fields are the gateway's, and
 * every other field is one OSS ignores: none of them is forwarded.  The
 * store's answer becomes the one OSS gives a form:
 * success_action_redirect (303 to the URL with bucket, key and etag
 * added), else success_action_status 200, 201 (a PostResponse document)
 * or 204 (the default, also for any other value).
 */

#ifndef STS_S3POST_H_INCLUDED
#define STS_S3POST_H_INCLUDED


#include "sts_util.h"


#define STS_S3POST_SKIP     0   /* not forwarded */
#define STS_S3POST_HEADER   1   /* forwarded as the header of its name */


/*
 * sts_s3post_field says what becomes of the form field |name| = |value|:
 * STS_S3POST_SKIP, STS_S3POST_HEADER, or STS_EINVAL for a field to
 * forward whose name is not an HTTP token or whose value holds a control
 * character (CR, LF, NUL ...: a header cannot carry it as it is).
 */
int sts_s3post_field(sts_str_t name, sts_str_t value);

/*
 * sts_s3post_status is the status OSS answers a stored form with, from
 * its success_action_status field (NULL: none): 200, 201 or 204.
 */
int sts_s3post_status(const sts_str_t *field);

/*
 * sts_s3post_redirect_ok is 1 if |url| can be a Location as it is: an
 * http or https URL of printable ASCII without spaces.
 */
int sts_s3post_redirect_ok(sts_str_t url);

/*
 * sts_s3post_location appends to |out| the Location of the redirect:
 * |url|, then '?' (or '&' if it has a query) and bucket=, key=, etag=
 * with the values percent-encoded.  STS_OK or STS_ENOMEM.
 */
int sts_s3post_location(sts_buf_t *out, sts_str_t url, sts_str_t bucket,
    sts_str_t key, sts_str_t etag) STS_WUR;

/*
 * sts_s3post_response appends the PostResponse document of a 201 answer:
 * Bucket, Location (|location|), Key and ETag, as element text (&, <
 * and > escaped).  STS_OK or
 * STS_ENOMEM.
 */
int sts_s3post_response(sts_buf_t *out, sts_str_t bucket, sts_str_t key,
    sts_str_t location, sts_str_t etag) STS_WUR;


#endif /* STS_S3POST_H_INCLUDED */
