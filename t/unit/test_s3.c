/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_s3: AWS Signature Version 4, the OSS to S3 request
 * and response mapping, S3 error documents and the backend credentials
 * file.
 *
 * The SigV4 known answers are the examples AWS publishes for S3 (GET
 * Object with a Range, PUT Object, GET Bucket lifecycle, GET Bucket list)
 * and the "get-vanilla" case of its generic SigV4 test suite, each
 * recomputed independently with the openssl command line before being
 * written down here.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sts_s3.h"
#include "tap.h"


#define S(s)  { sizeof(s) - 1, (s) }

#define EMPTY_SHA256                                                        \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const sts_s3_creds_t  aws_example = {
    S("AKIAIOSFODNN7EXAMPLE"),
    S("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    S(""),
    S("us-east-1"),
    S("s3")
};


/* an arena for the mapping results: all freed at the end */

static void   *arena[256];
static size_t  arena_n;


static void *
arena_alloc(void *ctx, size_t size)
{
    void  *p;

    if (arena_n == sizeof(arena) / sizeof(arena[0])) {
        return NULL;
    }

    p = malloc(size ? size : 1);
    if (p != NULL) {
        arena[arena_n++] = p;
    }

    return p;
}


static const sts_allocator_t  arena_allocator = { arena_alloc, NULL, NULL };


static void
arena_free_all(void)
{
    while (arena_n) {
        free(arena[--arena_n]);
    }
}


static sts_str_t
str(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static const char *
sign(const char *method, const char *uri, const char *query,
    const sts_header_t *h, size_t n, const char *payload, const char *date,
    const sts_s3_creds_t *creds, sts_buf_t *canonical)
{
    static char  out[1024];
    sts_buf_t    b;
    int          rc;

    sts_buf_init(&b, &sts_malloc_allocator, 0);
    rc = sts_s3_sign_v4(&b, str(method), str(uri), str(query), h, n,
                        str(payload), str(date), creds, canonical, NULL);

    if (rc != STS_OK || b.len >= sizeof(out)) {
        sts_buf_free(&b);
        return "(failed)";
    }

    memcpy(out, b.data, b.len + 1);
    sts_buf_free(&b);

    return out;
}


static void
test_sigv4_known_answers(void)
{
    sts_buf_t  cr;

    sts_header_t  get_object[] = {
        { S("Host"), S("examplebucket.s3.amazonaws.com") },
        { S("Range"), S("bytes=0-9") },
        { S("x-amz-content-sha256"), S(EMPTY_SHA256) },
        { S("x-amz-date"), S("20130524T000000Z") }
    };

    sts_header_t  put_object[] = {
        { S("Date"), S("Fri, 24 May 2013 00:00:00 GMT") },
        { S("Host"), S("examplebucket.s3.amazonaws.com") },
        { S("x-amz-date"), S("20130524T000000Z") },
        { S("x-amz-storage-class"), S("REDUCED_REDUNDANCY") },
        { S("x-amz-content-sha256"), S("44ce7dd67c959e0d3524ffac1771dfbba87"
                                       "d2b6b4b4e99e42034a8b803f8b072") }
    };

    sts_header_t  bucket[] = {
        { S("Host"), S("examplebucket.s3.amazonaws.com") },
        { S("x-amz-date"), S("20130524T000000Z") },
        { S("x-amz-content-sha256"), S(EMPTY_SHA256) }
    };

    sts_header_t  vanilla[] = {
        { S("Host"), S("example.amazonaws.com") },
        { S("X-Amz-Date"), S("20150830T123600Z") }
    };

    static const sts_s3_creds_t  suite = {
        S("AKIDEXAMPLE"), S("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        S(""), S("us-east-1"), S("service")
    };

    sts_buf_init(&cr, &sts_malloc_allocator, 0);

    is_str(sign("GET", "/test.txt", "", get_object, 4, EMPTY_SHA256,
                "20130524T000000Z", &aws_example, &cr),
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
           "us-east-1/s3/aws4_request,SignedHeaders=host;range;"
           "x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857"
           "bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
           "AWS example: GET Object with Range");

    is_str(cr.data,
           "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\n"
           "range:bytes=0-9\nx-amz-content-sha256:" EMPTY_SHA256 "\n"
           "x-amz-date:20130524T000000Z\n\n"
           "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256,
           "its canonical request");

    is_str(sign("PUT", "/test%24file.text", "", put_object, 5,
                "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803"
                "f8b072", "20130524T000000Z", &aws_example, NULL),
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
           "us-east-1/s3/aws4_request,SignedHeaders=date;host;"
           "x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
           "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b597"
           "1af0ece108bd",
           "AWS example: PUT Object (headers given out of order)");

    is_str(sign("GET", "/", "lifecycle=", bucket, 3, EMPTY_SHA256,
                "20130524T000000Z", &aws_example, NULL),
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
           "us-east-1/s3/aws4_request,SignedHeaders=host;"
           "x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c680"
           "78a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
           "AWS example: GET Bucket lifecycle");

    is_str(sign("GET", "/", "max-keys=2&prefix=J", bucket, 3, EMPTY_SHA256,
                "20130524T000000Z", &aws_example, NULL),
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
           "us-east-1/s3/aws4_request,SignedHeaders=host;"
           "x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8"
           "084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
           "AWS example: GET Bucket (list objects)");

    is_str(sign("GET", "/", "", vanilla, 2, EMPTY_SHA256,
                "20150830T123600Z", &suite, NULL),
           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
           "service/aws4_request,SignedHeaders=host;x-amz-date,"
           "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8a"
           "ae1d763fbf31",
           "SigV4 test suite: get-vanilla");

    is_str(sign("GET", "/", "", vanilla, 2, EMPTY_SHA256, "20150830",
                &suite, NULL),
           "(failed)", "a date that is not ISO 8601 basic is refused");

    sts_buf_free(&cr);
}


static void
test_canonical_headers(void)
{
    sts_buf_t  cr, sh;

    sts_header_t  h[] = {
        { S("X-Amz-Meta-B"), S("  two   words\tand  more ") },
        { S("host"), S("s3.example") },
        { S("x-amz-meta-a"), S("first") },
        { S("X-AMZ-META-A"), S("second") }
    };

    sts_buf_init(&cr, &sts_malloc_allocator, 0);
    sts_buf_init(&sh, &sts_malloc_allocator, 0);

    ok(sts_s3_canonical_request(&cr, str("PUT"), str("/b/k"), str(""), h, 4,
                                str(STS_S3_UNSIGNED_PAYLOAD), &sh)
       == STS_OK, "canonical request built");
    is_str(cr.data,
           "PUT\n/b/k\n\nhost:s3.example\nx-amz-meta-a:first,second\n"
           "x-amz-meta-b:two words and more\n\n"
           "host;x-amz-meta-a;x-amz-meta-b\nUNSIGNED-PAYLOAD",
           "names lower-cased and sorted, repeats joined, spaces folded");
    is_str(sh.data, "host;x-amz-meta-a;x-amz-meta-b", "signed headers");

    cr.len = 0;
    ok(sts_s3_canonical_request(&cr, str("GET"), str("/"), str(""), h, 0,
                                str(EMPTY_SHA256), NULL) == STS_EINVAL,
       "no header to sign is refused");

    sts_buf_free(&cr);
    sts_buf_free(&sh);
}


static sts_param_t *
param(sts_param_t *p, const char *name, const char *value, int has_eq)
{
    p->name = str(name);
    p->value = str(value);
    p->has_eq = has_eq;

    return p;
}


static void
test_target(void)
{
    int              rc;
    sts_str_t        refused;
    sts_param_t      items[8];
    sts_params_t     q;
    sts_s3_target_t  t;

    const sts_allocator_t  *a = &sts_malloc_allocator;

    q.items = items;
    q.num = 0;
    param(&items[q.num++], "prefix", "photos/2024 trip/", 1);
    param(&items[q.num++], "max-keys", "100", 1);
    param(&items[q.num++], "list-type", "2", 1);
    param(&items[q.num++], "delimiter", "/", 1);

    rc = sts_s3_target(a, "ListObjectsV2", str("demo"), str(""), &q, &t,
                       &refused);
    ok(rc == STS_OK, "bucket-level target");
    is_str(t.uri.data, "/demo/?prefix=photos%2F2024%20trip%2F&max-keys=100"
           "&list-type=2&delimiter=%2F", "list: sent in arrival order");
    ok(t.canonical_uri.len == 6
       && memcmp(t.canonical_uri.data, "/demo/", 6) == 0,
       "list: canonical URI");
    is_str(t.canonical_query.data, "delimiter=%2F&list-type=2&max-keys=100"
           "&prefix=photos%2F2024%20trip%2F", "list: canonical query sorted");
    is_str(t.path.data, "/demo/", "list: decoded path");

    free((void *) t.uri.data);
    free((void *) t.path.data);
    free((void *) t.canonical_query.data);

    q.num = 0;
    param(&items[q.num++], "uploads", "", 1);
    param(&items[q.num++], "OSSAccessKeyId", "STS.x", 1);
    param(&items[q.num++], "Expires", "1", 1);
    param(&items[q.num++], "Signature", "abc", 1);
    param(&items[q.num++], "security-token", "STS1.x", 1);
    param(&items[q.num++], "x-oss-signature", "00", 1);
    param(&items[q.num++], "x-sts-max-uses", "2", 1);

    rc = sts_s3_target(a, "InitiateMultipartUpload", str("demo"),
                       str("a b/\xe4\xb8\xad+&.txt"), &q, &t, &refused);
    ok(rc == STS_OK, "object target");
    is_str(t.uri.data, "/demo/a%20b/%E4%B8%AD%2B%26.txt?uploads=",
           "key encoded strictly with '/' kept; presign parameters and the "
       "gateway's own gone");
    ok(t.canonical_uri.len == sizeof("/demo/a%20b/%E4%B8%AD%2B%26.txt") - 1,
       "canonical URI is the path as sent");
    is_str(t.canonical_query.data, "uploads=", "empty value keeps its '='");
    is_str(t.path.data, "/demo/a b/\xe4\xb8\xad+&.txt", "decoded path");

    free((void *) t.uri.data);
    free((void *) t.path.data);
    free((void *) t.canonical_query.data);

    q.num = 0;
    param(&items[q.num++], "objectMeta", "", 0);

    rc = sts_s3_target(a, "GetObjectMeta", str("demo"), str("k"), &q, &t,
                       &refused);
    ok(rc == STS_OK, "GetObjectMeta target");
    is_str(t.uri.data, "/demo/k", "objectMeta dropped: HEAD is its twin");
    is_str(t.canonical_query.data, "", "empty canonical query");

    free((void *) t.uri.data);
    free((void *) t.path.data);
    free((void *) t.canonical_query.data);

    q.num = 0;
    param(&items[q.num++], "x-oss-process", "image/resize,w_10", 1);

    refused.len = 0;
    rc = sts_s3_target(a, "GetObject", str("demo"), str("k"), &q, &t,
                       &refused);
    ok(rc == STS_EINVAL && sts_str_eq(refused, "x-oss-process"),
       "x-oss-process has no twin: refused and named");

    q.num = 0;
    rc = sts_s3_target(a, "ListBuckets", str(""), str(""), &q, &t, &refused);
    ok(rc == STS_OK, "service target");
    is_str(t.uri.data, "/", "service level is /");

    free((void *) t.uri.data);
    free((void *) t.path.data);
    free((void *) t.canonical_query.data);

    q.num = 0;
    param(&items[q.num++], "b", "2", 1);
    param(&items[q.num++], "a", "z", 1);
    param(&items[q.num++], "a-b", "", 0);

    rc = sts_s3_target(a, "ListObjects", str("demo"), str(""), &q, &t,
                       &refused);
    ok(rc == STS_OK, "sorting target");
    is_str(t.uri.data, "/demo/?b=2&a=z&a-b", "sent as received");
    is_str(t.canonical_query.data, "a=z&a-b=&b=2",
           "sorted by encoded name, not by the whole pair");

    free((void *) t.uri.data);
    free((void *) t.path.data);
    free((void *) t.canonical_query.data);
}


static const char *
map_req(const char *name, const char *value, int *action)
{
    static char  out[512];
    sts_str_t    n, v;

    n.data = NULL;
    v.data = NULL;
    *action = sts_s3_map_request_header(&arena_allocator, str(name),
                                        str(value), &n, &v);
    if (*action != STS_S3_MAP) {
        return "";
    }

    snprintf(out, sizeof(out), "%.*s: %.*s", (int) n.len, n.data,
             (int) v.len, v.data);

    return out;
}


static void
test_request_headers(void)
{
    int  act;

    is_str(map_req("X-Oss-Meta-Author", " Alice ", &act),
           "x-amz-meta-author:  Alice ", "x-oss-meta-* to x-amz-meta-*");
    is_int(act, STS_S3_MAP, "meta mapped");

    is_str(map_req("x-oss-copy-source", "/src/dir%2Fa%20b%2Bc.txt", &act),
           "x-amz-copy-source: /src/dir/a%20b%2Bc.txt",
           "copy source: key decoded once, re-encoded with '/' kept");
    is_str(map_req("x-oss-copy-source", "/src/k?versionId=v1", &act),
           "x-amz-copy-source: /src/k?versionId=v1",
           "copy source keeps its versionId");
    map_req("x-oss-copy-source", "src/k", &act);
    is_int(act, STS_S3_REFUSE, "a copy source without '/' is refused");
    map_req("x-oss-copy-source", "/src/k%zz", &act);
    is_int(act, STS_S3_REFUSE, "an undecodable copy source is refused");

    is_str(map_req("x-oss-copy-source-range", "bytes=0-9", &act),
           "x-amz-copy-source-range: bytes=0-9", "copy source range");
    is_str(map_req("x-oss-metadata-directive", "replace", &act),
           "x-amz-metadata-directive: REPLACE", "metadata directive");
    is_str(map_req("x-oss-tagging-directive", "Copy", &act),
           "x-amz-tagging-directive: COPY", "tagging directive");
    is_str(map_req("x-oss-object-acl", "public-read", &act),
           "x-amz-acl: public-read", "object ACL");
    map_req("x-oss-object-acl", "default", &act);
    is_int(act, STS_S3_DROP, "ACL default: the store's default");
    map_req("x-oss-object-acl", "everyone", &act);
    is_int(act, STS_S3_REFUSE, "unknown ACL refused");
    is_str(map_req("x-oss-storage-class", "IA", &act),
           "x-amz-storage-class: STANDARD_IA", "storage class IA");
    is_str(map_req("x-oss-storage-class", "Archive", &act),
           "x-amz-storage-class: GLACIER", "storage class Archive");
    map_req("x-oss-storage-class", "DeepColdArchive", &act);
    is_int(act, STS_S3_REFUSE, "storage class without a twin refused");
    is_str(map_req("x-oss-server-side-encryption", "KMS", &act),
           "x-amz-server-side-encryption: aws:kms", "encryption KMS");
    map_req("x-oss-server-side-encryption", "SM4", &act);
    is_int(act, STS_S3_REFUSE, "encryption SM4 refused");
    is_str(map_req("x-oss-tagging", "a=1&b=2", &act),
           "x-amz-tagging: a=1&b=2", "tagging");
    map_req("x-oss-forbid-overwrite", "false", &act);
    is_int(act, STS_S3_DROP, "forbid-overwrite false: dropped");
    map_req("x-oss-forbid-overwrite", "true", &act);
    is_int(act, STS_S3_REFUSE, "forbid-overwrite true: refused");

    map_req("x-oss-date", "Wed, 15 May 2024 12:30:45 GMT", &act);
    is_int(act, STS_S3_DROP, "x-oss-date dropped");
    map_req("X-OSS-Security-Token", "STS1.x", &act);
    is_int(act, STS_S3_DROP, "security token dropped");
    map_req("x-oss-content-sha256", "UNSIGNED-PAYLOAD", &act);
    is_int(act, STS_S3_DROP, "content sha256 dropped");
    map_req("x-oss-user-agent", "aliyun-sdk-js", &act);
    is_int(act, STS_S3_DROP, "browser user agent dropped");

    map_req("x-amz-copy-source", "/secret/k", &act);
    is_int(act, STS_S3_DROP, "a client's own x-amz-* header is dropped");
    map_req("x-oss-callback", "e30=", &act);
    is_int(act, STS_S3_REFUSE, "callback has no twin");
    map_req("x-oss-symlink-target", "t", &act);
    is_int(act, STS_S3_REFUSE, "symlink target has no twin");
    map_req("x-oss-meta-", "v", &act);
    is_int(act, STS_S3_REFUSE, "an empty meta name is refused");
    map_req("Content-Type", "text/plain", &act);
    is_int(act, STS_S3_KEEP, "other headers kept");
    map_req("x-ossy", "1", &act);
    is_int(act, STS_S3_KEEP, "x-ossy is not x-oss-");
}


static const char *
map_resp(const char *name, const char *value, int *action)
{
    static char  out[512];
    sts_str_t    n, v;

    *action = sts_s3_map_response_header(&arena_allocator, str(name),
                                         str(value), &n, &v);
    if (*action != STS_S3_MAP) {
        return "";
    }

    snprintf(out, sizeof(out), "%.*s: %.*s", (int) n.len, n.data,
             (int) v.len, v.data);

    return out;
}


static void
test_response_headers(void)
{
    int  act;

    is_str(map_resp("x-amz-request-id", "4442587FB7D0A2F9", &act),
           "x-oss-request-id: 4442587FB7D0A2F9", "request id");
    is_str(map_resp("X-Amz-Meta-Author", "Alice", &act),
           "x-oss-meta-author: Alice", "user metadata");
    is_str(map_resp("x-amz-version-id", "v1", &act),
           "x-oss-version-id: v1", "version id");
    is_str(map_resp("x-amz-storage-class", "STANDARD_IA", &act),
           "x-oss-storage-class: IA", "storage class back");
    is_str(map_resp("x-amz-storage-class", "ONEZONE_IA", &act),
           "x-oss-storage-class: ONEZONE_IA", "class without a twin as is");
    is_str(map_resp("x-amz-server-side-encryption", "aws:kms", &act),
           "x-oss-server-side-encryption: KMS", "encryption back");
    is_str(map_resp("x-amz-delete-marker", "true", &act),
           "x-oss-delete-marker: true", "delete marker");
    map_resp("x-amz-id-2", "abc", &act);
    is_int(act, STS_S3_DROP, "x-amz-id-2 dropped");
    map_resp("x-amz-checksum-crc32", "abc", &act);
    is_int(act, STS_S3_DROP, "other x-amz-* dropped");
    map_resp("ETag", "\"0123\"", &act);
    is_int(act, STS_S3_KEEP, "ETag kept as it is");
}


static void
test_apis(void)
{
    ok(sts_s3_api_supported("PutObject", str("PUT")), "PutObject");
    ok(sts_s3_api_supported("CompleteMultipartUpload", str("POST")),
       "CompleteMultipartUpload");
    ok(sts_s3_api_supported("DeleteMultipleObjects", str("POST")),
       "DeleteMultipleObjects");
    ok(sts_s3_api_supported("GetObjectMeta", str("HEAD")),
       "GetObjectMeta by HEAD");
    ok(!sts_s3_api_supported("GetObjectMeta", str("GET")),
       "GetObjectMeta by GET has no twin");
    ok(!sts_s3_api_supported("AppendObject", str("POST")), "AppendObject");
    ok(!sts_s3_api_supported("PutSymlink", str("PUT")), "PutSymlink");
    ok(!sts_s3_api_supported("GetObjectAcl", str("GET")), "GetObjectAcl");
    ok(!sts_s3_api_supported("PostObject", str("POST")), "PostObject");
    ok(!sts_s3_api_supported("GetBucketInfo", str("GET")), "GetBucketInfo");
    ok(!sts_s3_api_supported("SomethingNew", str("GET")), "unknown API");
    ok(!sts_s3_api_supported(NULL, str("GET")), "no API");
}


static void
test_errors(void)
{
    int              backend;
    sts_s3_error_t   e;
    sts_oss_error_t  oe;

    const sts_allocator_t  *a = &sts_malloc_allocator;
    const char             *s3rver =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey"
        "</Code><Message>The specified key does not exist.</Message><Key>"
        "dir/a &amp; b&#x4E2D;</Key></Error>";
    const char             *aws =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Error>\n  <Code>SignatureDoesNotMatch</Code>\n"
        "  <Message>The request signature we calculated does not match"
        "</Message>\n  <AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId>\n"
        "  <StringToSign>AWS4-HMAC-SHA256&#10;x</StringToSign>\n"
        "  <SignatureProvided>00</SignatureProvided>\n"
        "  <RequestId>4442587FB7D0A2F9</RequestId>\n"
        "  <HostId>abc=</HostId>\n  <Extra/>\n</Error>\n";

    ok(sts_s3_error_parse(a, s3rver, strlen(s3rver), &e) == STS_OK,
       "s3rver's error parses");
    is_str(e.code.data, "NoSuchKey", "code");
    is_str(e.message.data, "The specified key does not exist.", "message");
    ok(e.num_fields == 1 && sts_str_eq(e.fields[0].name, "Key"),
       "other elements kept");
    is_str(e.fields[0].value.data, "dir/a & b\xe4\xb8\xad",
           "entities and character references decoded");

    backend = sts_s3_error_map(e.code, 404, e.message, &oe);
    ok(backend == 0 && oe.http_status == 404
       && strcmp(oe.code, "NoSuchKey") == 0, "NoSuchKey stays");
    sts_s3_error_free(a, &e);

    ok(sts_s3_error_parse(a, aws, strlen(aws), &e) == STS_OK,
       "AWS's error parses");
    ok(e.num_fields == 1 && sts_str_eq(e.fields[0].name, "Extra")
       && e.fields[0].value.len == 0,
       "the gateway's key id, string to sign and request id left out");

    backend = sts_s3_error_map(e.code, 403, e.message, &oe);
    ok(backend == 1 && oe.http_status == 502
       && strcmp(oe.code, "InternalError") == 0,
       "the store refusing the gateway is a 502 InternalError");
    sts_s3_error_free(a, &e);

    backend = sts_s3_error_map(str("InvalidRequest"), 400, str("m"), &oe);
    ok(backend == 0 && strcmp(oe.code, "InvalidArgument") == 0
       && oe.http_status == 400, "InvalidRequest is InvalidArgument");
    backend = sts_s3_error_map(str("BucketAlreadyOwnedByYou"), 409,
                               str("m"), &oe);
    ok(strcmp(oe.code, "BucketAlreadyExists") == 0, "bucket already owned");

    ok(sts_s3_error_parse(a, "<Error><Code>X</Code>", 21, &e) == STS_EINVAL,
       "unterminated document refused");
    ok(sts_s3_error_parse(a, "<Err><Code>X</Code></Err>", 25, &e)
       == STS_EINVAL, "other root refused");
    ok(sts_s3_error_parse(a, "<Error><Code>X</Cod></Error>", 28, &e)
       == STS_EINVAL, "mismatched end tag refused");
    ok(sts_s3_error_parse(a, "<Error><Message>m</Message></Error>", 35, &e)
       == STS_EINVAL, "no Code refused");
    ok(sts_s3_error_parse(a, "<Error><Code>&bogus;</Code></Error>", 35, &e)
       == STS_EINVAL, "unknown entity refused");
    ok(sts_s3_error_parse(a, "<Error><Code>X</Code></Error>trailing", 37,
                          &e) == STS_EINVAL, "bytes after the root refused");
    ok(sts_s3_error_parse(a, "<Error><Code>\0Bad</Code></Error>", 32, &e)
       == STS_EINVAL, "a NUL in the text refused (it would cut the Code)");
    ok(sts_s3_error_parse(a, "<Error><Code>X&#1;</Code></Error>", 33, &e)
       == STS_EINVAL, "a control character by reference refused");
    if (sts_s3_error_parse(a, "<Error><Code>X</Code><Message>a\tb\r\nc"
                           "&#10;</Message></Error>", 59, &e) == STS_OK)
    {
        is_str(e.message.data, "a\tb\r\nc\n",
               "tab, line feed and carriage return are text");
        sts_s3_error_free(a, &e);

    } else {
        ok(0, "tab, line feed and carriage return are text");
    }

    ok(sts_s3_status_error(404) != NULL
       && strcmp(sts_s3_status_error(404)->code, "NoSuchKey") == 0,
       "bodiless 404 is NoSuchKey");
    ok(strcmp(sts_s3_status_error(403)->code, "AccessDenied") == 0,
       "bodiless 403 is AccessDenied");
    ok(sts_s3_status_error(503)->http_status == 500, "bodiless 5xx");
    ok(sts_s3_status_error(304) == NULL, "no error below 400");
}


static void
test_credentials(void)
{
    int             rc, fd;
    char            err[256], path[64];
    sts_s3_creds_t  c;

    const sts_allocator_t  *a = &sts_malloc_allocator;
    const char             *flat =
        "{\"AccessKeyId\": \"LTAIbackend\", \"AccessKeySecret\": \"s3cr3t\"}";
    const char             *issued =
        "{\"RequestId\": \"x\", \"Credentials\": {\"AccessKeyId\": \"STS.a\","
        " \"AccessKeySecret\": \"b\", \"SecurityToken\": \"STS1.c\","
        " \"Expiration\": \"2030-01-01T00:00:00Z\"}}";

    rc = sts_backend_creds_parse(a, flat, strlen(flat), &c, err,
                                 sizeof(err));
    ok(rc == STS_OK && sts_str_eq(c.access_key_id, "LTAIbackend")
       && sts_str_eq(c.secret, "s3cr3t") && c.security_token.len == 0,
       "top-level AccessKeyId and AccessKeySecret");
    sts_backend_creds_free(a, &c);
    ok(c.secret.data == NULL, "free clears");

    rc = sts_backend_creds_parse(a, issued, strlen(issued), &c, err,
                                 sizeof(err));
    ok(rc == STS_OK && sts_str_eq(c.access_key_id, "STS.a")
       && sts_str_eq(c.security_token, "STS1.c"),
       "an AssumeRole answer (Credentials object) with its token");
    sts_backend_creds_free(a, &c);

    rc = sts_backend_creds_parse(a, "{\"AccessKeyId\": \"x\"}", 20, &c, err,
                                 sizeof(err));
    ok(rc == STS_EINVAL && strstr(err, "AccessKeySecret") != NULL,
       "missing secret named");
    rc = sts_backend_creds_parse(a, "AKID SECRET", 11, &c, err, sizeof(err));
    ok(rc == STS_EINVAL && strstr(err, "SECRET") == NULL,
       "not JSON, and the content is not echoed");

    strcpy(path, "/tmp/sts-test-creds-XXXXXX");
    fd = mkstemp(path);
    ok(fd != -1 && write(fd, flat, strlen(flat)) == (ssize_t) strlen(flat),
       "credentials file written");
    close(fd);

    chmod(path, 0640);
    rc = sts_backend_creds_load(a, path, &c, err, sizeof(err));
    ok(rc == STS_EPERM && strstr(err, "chmod 600") != NULL,
       "a group-readable file is refused with advice");

    chmod(path, 0600);
    rc = sts_backend_creds_load(a, path, &c, err, sizeof(err));
    ok(rc == STS_OK && sts_str_eq(c.secret, "s3cr3t"), "mode 600 loads");
    sts_backend_creds_free(a, &c);

    unlink(path);
    rc = sts_backend_creds_load(a, path, &c, err, sizeof(err));
    ok(rc == STS_EIO, "a missing file is STS_EIO");
}


int
main(void)
{
    test_sigv4_known_answers();
    test_canonical_headers();
    test_target();
    test_request_headers();
    test_response_headers();
    test_apis();
    test_errors();
    test_credentials();
    arena_free_all();

    return tap_done();
}
