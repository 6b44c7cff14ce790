/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_s3post: which PostObject fields become PutObject
 * headers, the answer's status, Location and PostResponse document.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_s3post.h"
#include "tap.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}


int
main(void)
{
    sts_buf_t  b;
    sts_str_t  st;

    /* fields */

    is_int(sts_s3post_field(S("Content-Type"), S("image/png")),
           STS_S3POST_HEADER, "Content-Type is a header");
    is_int(sts_s3post_field(S("cache-control"), S("no-cache")),
           STS_S3POST_HEADER, "any case");
    is_int(sts_s3post_field(S("x-oss-meta-color"), S("blue")),
           STS_S3POST_HEADER, "user metadata");
    is_int(sts_s3post_field(S("X-OSS-Object-Acl"), S("private")),
           STS_S3POST_HEADER, "an x-oss-* attribute (the s3 mapping decides)");
    is_int(sts_s3post_field(S("x-oss-security-token"), S("t")),
           STS_S3POST_SKIP, "the token is the gateway's");
    is_int(sts_s3post_field(S("x-oss-signature"), S("s")), STS_S3POST_SKIP,
           "the signature is the gateway's");
    is_int(sts_s3post_field(S("x-oss-credential"), S("c")), STS_S3POST_SKIP,
           "the credential is the gateway's");
    is_int(sts_s3post_field(S("x-oss-date"), S("d")), STS_S3POST_SKIP,
           "the date is the gateway's");
    is_int(sts_s3post_field(S("policy"), S("p")), STS_S3POST_SKIP, "policy");
    is_int(sts_s3post_field(S("key"), S("k")), STS_S3POST_SKIP, "key");
    is_int(sts_s3post_field(S("success_action_status"), S("201")),
           STS_S3POST_SKIP, "success_action_status");
    is_int(sts_s3post_field(S("Authorization"), S("x")), STS_S3POST_SKIP,
           "a field named like another header is not one");
    is_int(sts_s3post_field(S("submit"), S("Upload")), STS_S3POST_SKIP,
           "unknown to OSS");
    is_int(sts_s3post_field(S("x-oss-meta-a"), S("a\r\nx-amz-acl: public")),
           STS_EINVAL, "CR LF in a value");
    is_int(sts_s3post_field(S("x-oss-meta-a"), S("a\nb")), STS_EINVAL, "LF");
    is_int(sts_s3post_field(S("x-oss-meta-a"), S("a\tb c")), STS_S3POST_HEADER,
           "tab and space are fine");
    is_int(sts_s3post_field(S("x-oss-meta-a b"), S("v")), STS_EINVAL,
           "a space in the name");
    is_int(sts_s3post_field(S("x-oss-meta-a:b"), S("v")), STS_EINVAL,
           "a colon in the name");
    is_int(sts_s3post_field(S("x\rss-meta"), S("v")), STS_S3POST_SKIP,
           "not x-oss- at all");

    /* status */

    is_int(sts_s3post_status(NULL), 204, "no field: 204");
    st = S("200");
    is_int(sts_s3post_status(&st), 200, "200");
    st = S("201");
    is_int(sts_s3post_status(&st), 201, "201");
    st = S("303");
    is_int(sts_s3post_status(&st), 204, "anything else: 204");

    /* redirect */

    ok(sts_s3post_redirect_ok(S("https://a.example/x?y=1")), "https URL");
    ok(sts_s3post_redirect_ok(S("http://a.example/")), "http URL");
    ok(!sts_s3post_redirect_ok(S("javascript:alert(1)")), "no scheme else");
    ok(!sts_s3post_redirect_ok(S("https://a.example/\r\nSet-Cookie: x")),
       "no CR LF");
    ok(!sts_s3post_redirect_ok(S("https://a.example/a b")), "no space");

    sts_buf_init(&b, A, 0);
    is_int(sts_s3post_location(&b, S("https://a.example/done"), S("bk"),
                               S("d/a b&c"), S("\"e1\"")), STS_OK,
           "location");
    (void) sts_buf_append_char(&b, '\0');
    is_str(b.data, "https://a.example/done?bucket=bk&key=d%2Fa%20b%26c"
                   "&etag=%22e1%22", "query added");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    is_int(sts_s3post_location(&b, S("https://a.example/done?x=1"), S("bk"),
                               S("k"), S("")), STS_OK, "location with query");
    (void) sts_buf_append_char(&b, '\0');
    is_str(b.data, "https://a.example/done?x=1&bucket=bk&key=k&etag=",
           "appended to the query");
    sts_buf_free(&b);

    /* PostResponse */

    sts_buf_init(&b, A, 0);
    is_int(sts_s3post_response(&b, S("bk"), S("a<b>&c"),
                               S("http://h/bk/a%3Cb%3E%26c"), S("\"e1\"")),
           STS_OK, "PostResponse");
    (void) sts_buf_append_char(&b, '\0');
    is_str(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<PostResponse>\n"
                   "  <Bucket>bk</Bucket>\n"
                   "  <Location>http://h/bk/a%3Cb%3E%26c</Location>\n"
                   "  <Key>a&lt;b&gt;&amp;c</Key>\n"
                   "  <ETag>\"e1\"</ETag>\n"
                   "</PostResponse>\n", "escaped text");
    sts_buf_free(&b);

    return tap_done();
}
