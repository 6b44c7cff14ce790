/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for the action table of sts_oss (doc/protocol.md 7): every row,
 * as method + target + headers -> API, {action, resource} pairs and the
 * body still needed; the refusals (fail closed); the bodies of
 * DeleteMultipleObjects and ProcessObject; the key rules (path safety)
 * and the request target handed to the backend.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_oss.h"
#include "tap.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;


#define CFG_OFF   0
#define CFG_READ  1
#define CFG_ON    2


typedef struct {
    int          cfg;         /* sts_bucket_config */
    const char  *method;
    const char  *target;      /* path-style, raw */
    const char  *headers;     /* "Name: value\n..." or NULL */
    const char  *api;         /* NULL: refused */
    const char  *grants;      /* "action res|action res", res short */
    int          body;
    const sts_oss_error_t  *err;
} row_t;


#define NOBODY   STS_OSS_BODY_NONE
#define DELBODY  STS_OSS_BODY_DELETE
#define PROCBODY STS_OSS_BODY_PROCESS
#define POSTBODY STS_OSS_BODY_POST

#define O(k)     "b-1/" k
#define OK_(m, t, h, api, g) { CFG_OFF, m, t, h, api, g, NOBODY, NULL }


static const row_t  rows[] = {

    /* 1 */
    OK_("GET", "/", NULL, "ListBuckets", "oss:ListBuckets *"),

    /* 2 */
    OK_("GET", "/b-1/", NULL, "ListObjects", "oss:ListObjects b-1"),
    OK_("GET", "/b-1", NULL, "ListObjects", "oss:ListObjects b-1"),
    OK_("GET", "/b-1/?prefix=a%2F&delimiter=%2F&max-keys=5&marker=x"
        "&encoding-type=url", NULL, "ListObjects", "oss:ListObjects b-1"),
    OK_("GET", "/b-1/?list-type=2&continuation-token=t&start-after=a"
        "&fetch-owner=true", NULL, "ListObjectsV2", "oss:ListObjects b-1"),

    /* 3-6 */
    OK_("GET", "/b-1/?versions&key-marker=a&version-id-marker=v", NULL,
        "ListObjectVersions", "oss:ListObjectVersions b-1"),
    OK_("GET", "/b-1/?uploads&upload-id-marker=u&max-uploads=3", NULL,
        "ListMultipartUploads", "oss:ListMultipartUploads b-1"),
    OK_("GET", "/b-1/?bucketInfo", NULL, "GetBucketInfo",
        "oss:GetBucketInfo b-1"),
    OK_("GET", "/b-1/?location", NULL, "GetBucketLocation",
        "oss:GetBucketLocation b-1"),
    OK_("GET", "/b-1/?stat", NULL, "GetBucketStat", "oss:GetBucketStat b-1"),

    /* 7: bucket configuration, by sts_bucket_config */
    { CFG_ON, "GET", "/b-1/?acl", NULL, "GetBucketAcl",
      "oss:GetBucketAcl b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?acl", NULL, "PutBucketAcl",
      "oss:PutBucketAcl b-1", NOBODY, NULL },
    { CFG_ON, "GET", "/b-1/?cors", NULL, "GetBucketCors",
      "oss:GetBucketCors b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?cors", NULL, "PutBucketCors",
      "oss:PutBucketCors b-1", NOBODY, NULL },
    { CFG_ON, "DELETE", "/b-1/?cors", NULL, "DeleteBucketCors",
      "oss:DeleteBucketCors b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?lifecycle", NULL, "PutBucketLifecycle",
      "oss:PutBucketLifecycle b-1", NOBODY, NULL },
    { CFG_ON, "DELETE", "/b-1/?logging", NULL, "DeleteBucketLogging",
      "oss:DeleteBucketLogging b-1", NOBODY, NULL },
    { CFG_ON, "GET", "/b-1/?website", NULL, "GetBucketWebsite",
      "oss:GetBucketWebsite b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?referer", NULL, "PutBucketReferer",
      "oss:PutBucketReferer b-1", NOBODY, NULL },
    { CFG_ON, "DELETE", "/b-1/?policy", NULL, "DeleteBucketPolicy",
      "oss:DeleteBucketPolicy b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?tagging", NULL, "PutBucketTagging",
      "oss:PutBucketTagging b-1", NOBODY, NULL },
    { CFG_ON, "GET", "/b-1/?encryption", NULL, "GetBucketEncryption",
      "oss:GetBucketEncryption b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?versioning", NULL, "PutBucketVersioning",
      "oss:PutBucketVersioning b-1", NOBODY, NULL },
    { CFG_ON, "GET", "/b-1/?requestPayment", NULL, "GetBucketRequestPayment",
      "oss:GetBucketRequestPayment b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/?transferAcceleration", NULL,
      "PutBucketTransferAcceleration",
      "oss:PutBucketTransferAcceleration b-1", NOBODY, NULL },
    { CFG_ON, "POST", "/b-1/?worm", NULL, "InitiateBucketWorm",
      "oss:InitiateBucketWorm b-1", NOBODY, NULL },
    { CFG_ON, "POST", "/b-1/?wormId=w1", NULL, "CompleteBucketWorm",
      "oss:CompleteBucketWorm b-1", NOBODY, NULL },
    { CFG_ON, "POST", "/b-1/?wormExtend&wormId=w1", NULL,
      "ExtendBucketWorm", "oss:ExtendBucketWorm b-1", NOBODY, NULL },
    { CFG_ON, "DELETE", "/b-1/?worm", NULL, "AbortBucketWorm",
      "oss:AbortBucketWorm b-1", NOBODY, NULL },
    { CFG_ON, "GET", "/b-1/?inventory", NULL, "ListBucketInventory",
      "oss:ListBucketInventory b-1", NOBODY, NULL },
    { CFG_ON, "GET", "/b-1/?inventory&inventoryId=i", NULL,
      "GetBucketInventory", "oss:GetBucketInventory b-1", NOBODY, NULL },
    { CFG_ON, "PUT", "/b-1/", NULL, "PutBucket", "oss:PutBucket b-1",
      NOBODY, NULL },
    { CFG_ON, "DELETE", "/b-1/", NULL, "DeleteBucket", "oss:DeleteBucket b-1",
      NOBODY, NULL },
    { CFG_READ, "GET", "/b-1/?policy", NULL, "GetBucketPolicy",
      "oss:GetBucketPolicy b-1", NOBODY, NULL },
    { CFG_READ, "PUT", "/b-1/?policy", NULL, NULL, NULL, NOBODY,
      &sts_err_bucket_config },
    { CFG_OFF, "GET", "/b-1/?acl", NULL, NULL, NULL, NOBODY,
      &sts_err_bucket_config },
    { CFG_OFF, "PUT", "/b-1/", NULL, NULL, NULL, NOBODY,
      &sts_err_bucket_config },

    /* 8, 9: the body names the objects */
    { CFG_OFF, "POST", "/b-1/?delete", "Content-MD5: x\n",
      "DeleteMultipleObjects", "", DELBODY, NULL },
    { CFG_OFF, "POST", "/b-1/", "Content-Type: multipart/form-data; "
      "boundary=xyz\n", "PostObject", "", POSTBODY, NULL },
    { CFG_OFF, "POST", "/b-1", "Content-Type: Multipart/Form-Data;"
      "boundary=\"a b\"\n", "PostObject", "", POSTBODY, NULL },
    { CFG_OFF, "POST", "/b-1/", "Content-Type: text/plain\n", NULL, NULL,
      NOBODY, &sts_err_post_not_multipart },
    { CFG_OFF, "POST", "/b-1/", NULL, NULL, NULL, NOBODY,
      &sts_err_post_not_multipart },

    /* 10-12: reads */
    OK_("GET", "/b-1/k", NULL, "GetObject", "oss:GetObject " O("k")),
    OK_("GET", "/b-1/k?response-content-type=a&response-expires=b"
        "&response-cache-control=c&response-content-disposition=d"
        "&response-content-encoding=e&response-content-language=f",
        "Range: bytes=0-9\n", "GetObject", "oss:GetObject " O("k")),
    OK_("GET", "/b-1/k?versionId=v1", NULL, "GetObject",
        "oss:GetObject " O("k") "|oss:GetObjectVersion " O("k")),
    OK_("GET", "/b-1/k?x-oss-process=image/resize,w_100/rotate,90", NULL,
        "GetObject", "oss:GetObject " O("k")),
    OK_("GET", "/b-1/k?x-oss-process=video/snapshot,t_1000,f_jpg", NULL,
        "GetObject", "oss:GetObject " O("k")),
    OK_("GET", "/b-1/k?x-oss-traffic-limit=819200", NULL, "GetObject",
        "oss:GetObject " O("k")),
    OK_("HEAD", "/b-1/k", NULL, "HeadObject", "oss:GetObject " O("k")),
    OK_("HEAD", "/b-1/k?versionId=v1", NULL, "HeadObject",
        "oss:GetObject " O("k") "|oss:GetObjectVersion " O("k")),
    OK_("HEAD", "/b-1/k?objectMeta", NULL, "GetObjectMeta",
        "oss:GetObject " O("k")),
    OK_("GET", "/b-1/k?objectMeta", NULL, "GetObjectMeta",
        "oss:GetObject " O("k")),

    /* 13, 14: writes and copies */
    OK_("PUT", "/b-1/k", NULL, "PutObject", "oss:PutObject " O("k")),
    OK_("PUT", "/b-1/k", "x-oss-tagging: a=b\n", "PutObject",
        "oss:PutObject " O("k") "|oss:PutObjectTagging " O("k")),
    OK_("PUT", "/b-1/k", "x-oss-object-acl: private\n", "PutObject",
        "oss:PutObject " O("k")),
    OK_("PUT", "/b-1/k", "x-oss-copy-source: /src-b/a%2Fb%20c.txt\n",
        "CopyObject", "oss:PutObject " O("k")
        "|oss:GetObject src-b/a/b c.txt"),
    OK_("PUT", "/b-1/k", "x-oss-copy-source: /src-b/s?versionId=3\n"
        "x-oss-tagging: t=1\n", "CopyObject", "oss:PutObject " O("k")
        "|oss:PutObjectTagging " O("k") "|oss:GetObject src-b/s"
        "|oss:GetObjectVersion src-b/s"),

    /* 15, 16 */
    OK_("POST", "/b-1/k?append&position=0", NULL, "AppendObject",
        "oss:PutObject " O("k")),
    OK_("POST", "/b-1/k?append=&position=10", "x-oss-tagging: a=b\n",
        "AppendObject", "oss:PutObject " O("k")
        "|oss:PutObjectTagging " O("k")),
    OK_("DELETE", "/b-1/k", NULL, "DeleteObject", "oss:DeleteObject " O("k")),
    OK_("DELETE", "/b-1/k?versionId=v2", NULL, "DeleteObject",
        "oss:DeleteObject " O("k") "|oss:DeleteObjectVersion " O("k")),

    /* 17-22: multipart */
    OK_("POST", "/b-1/k?uploads", NULL, "InitiateMultipartUpload",
        "oss:PutObject " O("k")),
    OK_("POST", "/b-1/k?uploads=", "x-oss-tagging: a=b\n",
        "InitiateMultipartUpload", "oss:PutObject " O("k")
        "|oss:PutObjectTagging " O("k")),
    OK_("PUT", "/b-1/k?partNumber=1&uploadId=u", NULL, "UploadPart",
        "oss:PutObject " O("k")),
    OK_("PUT", "/b-1/k?partNumber=2&uploadId=u",
        "x-oss-copy-source: /src-b/big.bin\n"
        "x-oss-copy-source-range: bytes=0-99\n", "UploadPartCopy",
        "oss:PutObject " O("k") "|oss:GetObject src-b/big.bin"),
    OK_("PUT", "/b-1/k?partNumber=2&uploadId=u",
        "x-oss-copy-source: /src-b/big.bin?versionId=7\n", "UploadPartCopy",
        "oss:PutObject " O("k") "|oss:GetObject src-b/big.bin"
        "|oss:GetObjectVersion src-b/big.bin"),
    OK_("POST", "/b-1/k?uploadId=u", NULL, "CompleteMultipartUpload",
        "oss:PutObject " O("k")),
    OK_("POST", "/b-1/k?uploadId=u", "x-oss-tagging: a=b\n",
        "CompleteMultipartUpload", "oss:PutObject " O("k")
        "|oss:PutObjectTagging " O("k")),
    OK_("DELETE", "/b-1/k?uploadId=u", NULL, "AbortMultipartUpload",
        "oss:AbortMultipartUpload " O("k")),
    OK_("GET", "/b-1/k?uploadId=u&max-parts=10&part-number-marker=2", NULL,
        "ListParts", "oss:ListParts " O("k")),

    /* 23: object ACL */
    OK_("GET", "/b-1/k?acl", NULL, "GetObjectAcl", "oss:GetObjectAcl " O("k")),
    OK_("GET", "/b-1/k?acl&versionId=v", NULL, "GetObjectAcl",
        "oss:GetObjectAcl " O("k") "|oss:GetObjectVersionAcl " O("k")),
    OK_("PUT", "/b-1/k?acl", "x-oss-object-acl: public-read\n",
        "PutObjectAcl", "oss:PutObjectAcl " O("k")),
    OK_("PUT", "/b-1/k?acl&versionId=v", NULL, "PutObjectAcl",
        "oss:PutObjectAcl " O("k") "|oss:PutObjectVersionAcl " O("k")),

    /* 24: symlinks, with the target checked */
    OK_("GET", "/b-1/link?symlink", NULL, "GetSymlink",
        "oss:GetObject " O("link")),
    OK_("GET", "/b-1/link?symlink&versionId=v", NULL, "GetSymlink",
        "oss:GetObject " O("link") "|oss:GetObjectVersion " O("link")),
    OK_("PUT", "/b-1/link?symlink", "x-oss-symlink-target: dir%2Fa%20b\n",
        "PutSymlink", "oss:PutObject " O("link") "|oss:GetObject "
        O("dir/a b")),
    OK_("PUT", "/b-1/link?symlink", "x-oss-symlink-target: t\n"
        "x-oss-tagging: a=b\n", "PutSymlink", "oss:PutObject " O("link")
        "|oss:PutObjectTagging " O("link") "|oss:GetObject " O("t")),

    /* 25: object tagging */
    OK_("GET", "/b-1/k?tagging", NULL, "GetObjectTagging",
        "oss:GetObjectTagging " O("k")),
    OK_("PUT", "/b-1/k?tagging&versionId=v", NULL, "PutObjectTagging",
        "oss:PutObjectTagging " O("k") "|oss:PutObjectVersionTagging "
        O("k")),
    OK_("DELETE", "/b-1/k?tagging", NULL, "DeleteObjectTagging",
        "oss:DeleteObjectTagging " O("k")),
    OK_("DELETE", "/b-1/k?tagging&versionId=v", NULL, "DeleteObjectTagging",
        "oss:DeleteObjectTagging " O("k") "|oss:DeleteObjectVersionTagging "
        O("k")),

    /* 26 */
    OK_("POST", "/b-1/k?restore", NULL, "RestoreObject",
        "oss:RestoreObject " O("k")),
    OK_("POST", "/b-1/k?restore&versionId=v", NULL, "RestoreObject",
        "oss:RestoreObject " O("k") "|oss:RestoreObjectVersion " O("k")),

    /* 27, 28 */
    OK_("POST", "/b-1/k?x-oss-process=csv/select", NULL, "SelectObject",
        "oss:GetObject " O("k")),
    OK_("POST", "/b-1/k?x-oss-process=json/meta", NULL, "SelectObject",
        "oss:GetObject " O("k")),
    { CFG_OFF, "POST", "/b-1/k?x-oss-process", NULL, "ProcessObject",
      "oss:PostProcessTask " O("k") "|oss:GetObject " O("k"), PROCBODY,
      NULL },

    /* 29: a preflight */
    OK_("OPTIONS", "/b-1/k", "Origin: https://a.example\n"
        "Access-Control-Request-Method: PUT\n", "Options", ""),
    OK_("OPTIONS", "/b-1/?uploads", "Origin: https://a.example\n"
        "Access-Control-Request-Method: POST\n", "Options", ""),

    /* 30: everything else is refused */
    { CFG_OFF, "OPTIONS", "/b-1/k", NULL, NULL, NULL, NOBODY,
      &sts_err_cors_forbidden },
    { CFG_OFF, "OPTIONS", "/b-1/k", "Origin: https://a.example\n", NULL,
      NULL, NOBODY, &sts_err_cors_forbidden },
    { CFG_OFF, "PUT", "/b-1/k?frobnicate", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "GET", "/b-1/k?x-oss-async-process=x", NULL, NULL, NULL,
      NOBODY, &sts_err_unsupported_operation },
    { CFG_OFF, "GET", "/b-1/k?x-oss-whatever=1", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "POST", "/b-1/k", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "PATCH", "/b-1/k", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "PUT", "/", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "DELETE", "/", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "HEAD", "/b-1/k?x-oss-process=image/info", NULL, NULL, NULL,
      NOBODY, &sts_err_unsupported_operation },
    { CFG_OFF, "PUT", "/b-1/k?versionId=v", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "GET", "/b-1/?versionId=v", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "GET", "/b-1/k?uploads", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "POST", "/b-1/k?append", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "PUT", "/b-1/k?partNumber=1", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "PUT", "/b-1/k?uploadId=u&acl", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "GET", "/b-1/k?delete", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "POST", "/b-1/?delete&uploads", NULL, NULL, NULL, NOBODY,
      &sts_err_unsupported_operation },
    { CFG_OFF, "GET", "/b-1/?list-type=3", NULL, NULL, NULL, NOBODY,
      &sts_err_invalid_argument_query },
    { CFG_OFF, "POST", "/b-1/k?x-oss-process=image/resize,w_1", NULL, NULL,
      NULL, NOBODY, &sts_err_unchecked_object },

    /* every object a request names: what cannot be checked is refused */
    { CFG_OFF, "PUT", "/b-1/link?symlink", NULL, NULL, NULL, NOBODY,
      &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/link?symlink", "x-oss-symlink-target: a/../b\n",
      NULL, NULL, NOBODY, &sts_err_invalid_object_name },
    { CFG_OFF, "PUT", "/b-1/link?symlink", "x-oss-symlink-target: %zz\n",
      NULL, NULL, NOBODY, &sts_err_invalid_object_name },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-symlink-target: t\n", NULL, NULL,
      NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/link?symlink", "x-oss-symlink-target: t#.jpg\n",
      NULL, NULL, NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /src-b/s#.jpg\n", NULL,
      NULL, NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /src-b/s?versionId=1#x\n",
      NULL, NULL, NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "GET", "/b-1/k", "x-oss-copy-source: /src-b/s\n", NULL, NULL,
      NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/k?acl", "x-oss-copy-source: /src-b/s\n", NULL,
      NULL, NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /src-b/a\n"
      "x-oss-copy-source: /src-b/b\n", NULL, NULL, NOBODY,
      &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /src-b/s?acl\n", NULL,
      NULL, NOBODY, &sts_err_invalid_argument_header },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /Bad_b/s\n", NULL, NULL,
      NOBODY, &sts_err_invalid_bucket_name },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /src-b/a%2F%2E%2E%2Fs\n",
      NULL, NULL, NOBODY, &sts_err_invalid_object_name },
    { CFG_OFF, "PUT", "/b-1/k", "x-oss-copy-source: /src-b/\n", NULL, NULL,
      NOBODY, &sts_err_invalid_object_name },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=style/thumb", NULL, NULL, NULL,
      NOBODY, &sts_err_unchecked_object },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=doc/preview", NULL, NULL, NULL,
      NOBODY, &sts_err_unchecked_object },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=image/resize|sys/saveas,o_YQ",
      NULL, NULL, NULL, NOBODY, &sts_err_unchecked_object },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=image/frobnicate,x_1", NULL,
      NULL, NULL, NOBODY, &sts_err_unchecked_object },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=", NULL, NULL, NULL, NOBODY,
      &sts_err_unchecked_object },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=image/", NULL, NULL, NULL,
      NOBODY, &sts_err_unchecked_object },

    /* image watermarks name objects of the same bucket */
    OK_("GET", "/b-1/k?x-oss-process=image/watermark,image_cGFuZGEucG5n,"
        "g_se", NULL, "GetObject", "oss:GetObject " O("k")
        "|oss:GetObject " O("panda.png")),
    OK_("GET", "/b-1/k?x-oss-process=image/resize,w_9/watermark,"
        "image_d20vbG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsUF8zMA,"
        "t_90/watermark,text_aGk", NULL, "GetObject",
        "oss:GetObject " O("k") "|oss:GetObject " O("wm/logo.png")),
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=image/watermark,image_!!", NULL,
      NULL, NULL, NOBODY, &sts_err_unchecked_object },
    { CFG_OFF, "GET", "/b-1/k?x-oss-process=image/watermark,"
      "image_Li4vc2VjcmV0", NULL, NULL, NULL, NOBODY,
      &sts_err_unchecked_object },

    { 0, NULL, NULL, NULL, NULL, NULL, 0, NULL }
};


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}


/* "Name: value\n..." -> headers (the text is kept by the caller) */
static size_t
parse_headers(char *text, sts_header_t *h, size_t max)
{
    char    *p, *nl, *colon;
    size_t   n;

    n = 0;

    for (p = text; p != NULL && *p && n < max; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }

        colon = strchr(p, ':');
        if (colon == NULL) {
            continue;
        }

        h[n].name.data = p;
        h[n].name.len = (size_t) (colon - p);
        h[n].value.data = colon + 1;
        h[n].value.len = strlen(colon + 1);
        n++;
    }

    return n;
}


static int
classify(const sts_oss_conf_t *conf, const char *method, const char *target,
    const char *headers, sts_oss_op_t *op, const sts_oss_error_t **err)
{
    int                 rc;
    char               *text;
    size_t              nh;
    const char         *q;
    sts_header_t        h[8];
    sts_params_t        params;
    sts_http_request_t  r;

    memset(&r, 0, sizeof(r));
    text = strdup(headers ? headers : "");
    nh = parse_headers(text, h, 8);

    r.method = S(method);
    r.host = S("gw.example.com");
    q = strchr(target, '?');
    r.raw_path.data = target;
    r.raw_path.len = q ? (size_t) (q - target) : strlen(target);
    r.raw_query = S(q ? q + 1 : "");
    r.headers = h;
    r.num_headers = nh;

    rc = sts_query_parse(A, r.raw_query, &params);
    if (rc == STS_OK) {
        /* memory is left to the process: a short-lived test */
        rc = sts_oss_classify(A, conf, &r, &params, op, err);
    }

    return rc;
}


/* the grants as "action res|action res", res shortened */
static void
describe(const sts_oss_op_t *op, char *out, size_t size)
{
    size_t       i, n, pre;
    const char  *res;

    out[0] = '\0';
    n = 0;
    pre = strlen("acs:oss:*:1234:");

    for (i = 0; i < op->num_grants; i++) {
        res = op->grants[i].resource.data;
        if (strncmp(res, "acs:oss:*:1234:", pre) == 0) {
            res += pre;
        }

        n += (size_t) snprintf(out + n, size - n, "%s%s %s", i ? "|" : "",
                               op->grants[i].action, res);
        if (n >= size) {
            break;
        }
    }
}


static void
test_rows(void)
{
    int                     rc;
    char                    got[1024];
    const row_t            *t;
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;

    for (t = rows; t->method != NULL; t++) {
        memset(&c, 0, sizeof(c));
        c.mode = STS_ADDR_PATH;
        c.account = S("1234");
        c.bucket_config = (sts_oss_bucket_config_e) t->cfg;

        rc = classify(&c, t->method, t->target, t->headers, &op, &err);

        if (t->api == NULL) {
            ok(rc == STS_EINVAL && err == t->err, "%s %s refused with %s "
               "\"%s\"", t->method, t->target, t->err->code,
               t->err->message);
            continue;
        }

        if (!ok(rc == STS_OK, "%s %s maps", t->method, t->target)) {
            printf("#   rc %d, %s\n", rc, err ? err->message : "-");
            continue;
        }

        describe(&op, got, sizeof(got));
        is_str(op.api, t->api, "%s %s is %s", t->method, t->target, t->api);
        is_str(got, t->grants, "%s %s needs %s", t->method, t->target,
               t->grants[0] ? t->grants : "nothing");
        is_int(op.body, t->body, "%s %s body", t->method, t->target);
        ok(op.preflight == (strcmp(t->method, "OPTIONS") == 0),
           "%s %s preflight flag", t->method, t->target);
        ok(op.list == (strncmp(t->api, "List", 4) == 0
                       && strcmp(t->api, "ListBuckets") != 0
                       && strcmp(t->api, "ListParts") != 0
                       && strcmp(t->api, "ListBucketInventory") != 0),
           "%s %s listing flag", t->method, t->target);
    }
}


static void
test_addressing(void)
{
    char                    got[256];
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;
    sts_http_request_t      r;
    sts_params_t            q;

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_VHOST;
    c.domain = S("oss.example.com");

    memset(&r, 0, sizeof(r));
    memset(&q, 0, sizeof(q));
    r.method = S("GET");
    r.host = S("b-1.oss.example.com");
    r.raw_path = S("/");

    ok(sts_oss_classify(A, &c, &r, &q, &op, &err) == STS_OK
       && strcmp(op.api, "ListObjects") == 0, "vhost: GET / lists");
    describe(&op, got, sizeof(got));
    is_str(got, "oss:ListObjects acs:oss:*:*:b-1", "vhost: account *");

    r.host = S("oss.example.com");
    ok(sts_oss_classify(A, &c, &r, &q, &op, &err) == STS_OK
       && strcmp(op.api, "ListBuckets") == 0, "vhost: service host");

    r.method = S("PUT");
    ok(sts_oss_classify(A, &c, &r, &q, &op, &err) == STS_EINVAL
       && err == &sts_err_unsupported_operation, "vhost: PUT on service");

    c.mode = STS_ADDR_BUCKET;
    c.bucket = S("fixed-b");
    r.method = S("GET");
    r.raw_path = S("/p%2Fq");
    ok(sts_oss_classify(A, &c, &r, &q, &op, &err) == STS_OK
       && strcmp(op.api, "GetObject") == 0
       && strcmp(op.key.data, "p/q") == 0, "fixed bucket: encoded slash");

    r.raw_path = S("/");
    ok(sts_oss_classify(A, &c, &r, &q, &op, &err) == STS_OK
       && strcmp(op.api, "ListObjects") == 0, "fixed bucket: list");
}


static void
test_keys(void)
{
    size_t       i;
    char         big[1100];

    static const struct {
        const char  *key;
        int          valid;
    } keys[] = {
        { "a", 1 }, { "dir/", 1 }, { "a/b/c.txt", 1 }, { "a..b", 1 },
        { ".hidden", 1 }, { "a/.x/..y", 1 }, { "中文/文件 名.txt", 1 },
        { "a+b=c&d?e#f%g!*'()~,;@$.txt", 1 }, { "a%2e%2e", 1 },
        { "", 0 }, { "/a", 0 }, { "\\a", 0 }, { ".", 0 }, { "..", 0 },
        { "a/./b", 0 }, { "a/../b", 0 }, { "a/..", 0 }, { "../a", 0 },
        { "a\\..\\b", 0 }, { "a\\.", 0 }, { "a//b", 0 }, { "a/b//", 0 },
        { "a\tb", 0 }, { "a\nb", 0 }, { "a\rb", 0 }, { "a\x7f", 0 },
        { "a\x01", 0 }, { "\xc0\xaf", 0 }, { "\xe0\x80\xaf", 0 },
        { "\xed\xa0\x80", 0 }, { "\xff", 0 }, { "a\xc3", 0 },
        { NULL, 0 }
    };

    for (i = 0; keys[i].key != NULL; i++) {
        is_int(sts_oss_is_valid_key(S(keys[i].key)), keys[i].valid,
               "key #%zu is %s", i, keys[i].valid ? "valid" : "refused");
    }

    memset(big, 'k', sizeof(big));
    big[1023] = '\0';
    ok(sts_oss_is_valid_key(S(big)), "a key of 1023 bytes");
    big[1023] = 'k';
    big[1024] = '\0';
    ok(!sts_oss_is_valid_key(S(big)), "a key of 1024 bytes is refused");

    /* a NUL inside: the length says more than strlen */
    ok(!sts_oss_is_valid_key((sts_str_t) { 3, "a\0b" }), "NUL in a key");
}


static void
test_delete_body(void)
{
    int                     rc;
    char                    got[512];
    size_t                  i, n;
    sts_buf_t               b;
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    sts_oss_delete_key_t   *keys;
    const sts_oss_error_t  *err;

    static const struct {
        const char  *xml;
        const char  *grants;       /* NULL: refused */
        const sts_oss_error_t  *err;
    } cases[] = {
        { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete>\n"
          "  <Quiet>true</Quiet>\n  <Object><Key>a.txt</Key></Object>\n"
          "  <Object>\n    <Key>d/b c</Key>\n  </Object>\n</Delete>\n",
          "oss:DeleteObject b-1/a.txt|oss:DeleteObject b-1/d/b c", NULL },
        { "<Delete xmlns=\"http://doc.oss-cn-hangzhou.aliyuncs.com\">"
          "<Object><Key>x&amp;y&lt;&gt;&quot;&apos;&#65;&#x4e2d;</Key>"
          "<VersionId>v1</VersionId></Object></Delete>",
          "oss:DeleteObject b-1/x&y<>\"'A\xe4\xb8\xad"
          "|oss:DeleteObjectVersion b-1/x&y<>\"'A\xe4\xb8\xad", NULL },
        { "<Delete><Object><VersionId>v</VersionId><Key> s </Key></Object>"
          "<Quiet>false</Quiet></Delete>",
          "oss:DeleteObject b-1/ s |oss:DeleteObjectVersion b-1/ s ", NULL },
        { "", NULL, &sts_err_malformed_xml },
        { "<Delete></Delete>", NULL, &sts_err_malformed_xml },
        { "<Delete><Object></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a</Key></Object></Delete>junk", NULL,
          &sts_err_malformed_xml },
        { "<!DOCTYPE x [<!ENTITY e \"a\">]><Delete><Object><Key>&e;</Key>"
          "</Object></Delete>", NULL, &sts_err_malformed_xml },
        { "<Delete><!-- c --><Object><Key>a</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key><![CDATA[a]]></Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a\r\nb</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a&#13;b</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a&#0;</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a&#xD800;</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a&bogus;</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a & b</Key></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<s:Delete><Object><Key>a</Key></Object></s:Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Object><Key>a</Key><Extra/></Object></Delete>", NULL,
          &sts_err_malformed_xml },
        { "<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>",
          NULL, &sts_err_malformed_xml },
        { "<Delete><Object><Key>a/../secret</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name },
        { "<Delete><Object><Key>a&#x2f;&#x2F;b</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name },
        { "<Delete><Object><Key></Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name },
        { "<Delete><Object><Key>\xc0\xaf</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name },
        { NULL, NULL, NULL }
    };

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_PATH;
    c.account = S("1234");

    for (i = 0; cases[i].xml != NULL; i++) {
        memset(&op, 0, sizeof(op));
        op.bucket = S("b-1");

        rc = sts_oss_add_delete_body(A, &c, &op, cases[i].xml,
                                     strlen(cases[i].xml), NULL, &err);

        if (cases[i].grants == NULL) {
            ok(rc == STS_EINVAL && err == cases[i].err,
               "delete body #%zu refused: %s", i, cases[i].err->code);
            continue;
        }

        describe(&op, got, sizeof(got));
        if (!ok(rc == STS_OK, "delete body #%zu parses", i)) {
            continue;
        }

        is_str(got, cases[i].grants, "delete body #%zu grants", i);
        free(op.grants);
    }

    /* 1000 keys are fine, 1001 are not */

    sts_buf_init(&b, A, 0);
    sts_buf_append_str(&b, "<Delete>");
    for (i = 0; i < 1000; i++) {
        sts_buf_appendf(&b, "<Object><Key>k%zu</Key></Object>", i);
    }

    rc = sts_oss_parse_delete_xml(A, b.data, b.len + 0, 0, &keys, &n, NULL,
                                  &err);
    ok(rc == STS_EINVAL && err == &sts_err_malformed_xml,
       "no </Delete>: refused");

    sts_buf_append_str(&b, "</Delete>");
    rc = sts_oss_parse_delete_xml(A, b.data, b.len, 0, &keys, &n, NULL,
                                  &err);
    ok(rc == STS_OK && n == 1000 && strcmp(keys[999].key.data, "k999") == 0,
       "1000 keys");
    free(keys);

    b.len -= sizeof("</Delete>") - 1;
    sts_buf_append_str(&b, "<Object><Key>one-more</Key></Object></Delete>");
    rc = sts_oss_parse_delete_xml(A, b.data, b.len, 0, &keys, &n, NULL,
                                  &err);
    ok(rc == STS_EINVAL && err == &sts_err_malformed_xml, "1001 keys");

    rc = sts_oss_parse_delete_xml(A, b.data, STS_OSS_DELETE_MAX_BODY + 1, 0,
                                  &keys, &n, NULL, &err);
    ok(rc == STS_ETOOBIG && err == &sts_err_entity_too_large,
       "a body over 2 MiB");
    sts_buf_free(&b);
}


#define LITERAL  "<Delete><Object><Key>a%2Fb+c</Key></Object></Delete>"

/* encoding-type url: keys decoded before they are authorised */
static void
test_url_keys(void)
{
    int                     rc;
    char                    got[1024], md5[25];
    size_t                  i;
    sts_buf_t               fwd;
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;

    static const struct {
        const char             *xml;
        const char             *grants;      /* NULL: refused */
        const sts_oss_error_t  *err;
        const char             *fwd;
    } cases[] = {
        { "<Delete><Quiet>false</Quiet><Object><Key>a%2Fb%20c</Key>"
          "</Object><Object><Key>x&amp;%26%3C%E2%82%AC</Key><VersionId>v1"
          "</VersionId></Object></Delete>",
          "oss:DeleteObject b-1/a/b c|oss:DeleteObject b-1/x&&<\xe2\x82\xac"
          "|oss:DeleteObjectVersion b-1/x&&<\xe2\x82\xac", NULL,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete>"
          "<Quiet>false</Quiet><Object><Key>a/b c</Key></Object><Object>"
          "<Key>x&amp;&amp;&lt;\xe2\x82\xac</Key><VersionId>v1</VersionId>"
          "</Object></Delete>" },
        { "<Delete><Object><Key>plain/key.txt</Key></Object></Delete>",
          "oss:DeleteObject b-1/plain/key.txt", NULL,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete><Object>"
          "<Key>plain/key.txt</Key></Object></Delete>" },
        { "<Delete><Object><Key>secret&#x25;2Fplan</Key></Object></Delete>",
          "oss:DeleteObject b-1/secret/plan", NULL,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete><Object>"
          "<Key>secret/plan</Key></Object></Delete>" },
        { "<Delete><Object><Key>a+b</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { "<Delete><Object><Key>a%2Bb</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { "<Delete><Object><Key>a%252F</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { "<Delete><Object><Key>a%zz</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { "<Delete><Object><Key>a%2</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { "<Delete><Object><Key>a%</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { "<Delete><Object><Key>a%2F..%2Fb</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name, NULL },
        { "<Delete><Object><Key>%2Fa</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name, NULL },
        { "<Delete><Object><Key>a%00b</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name, NULL },
        { "<Delete><Object><Key>a%0Ab</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name, NULL },
        { "<Delete><Object><Key>%C0%AF</Key></Object></Delete>", NULL,
          &sts_err_invalid_object_name, NULL },
        { "<Delete><Object><Key>%</Key></Object></Delete>", NULL,
          &sts_err_encoded_key, NULL },
        { NULL, NULL, NULL, NULL }
    };

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_PATH;
    c.account = S("1234");

    for (i = 0; cases[i].xml != NULL; i++) {
        memset(&op, 0, sizeof(op));
        op.bucket = S("b-1");
        op.url_keys = 1;
        sts_buf_init(&fwd, A, 0);

        rc = sts_oss_add_delete_body(A, &c, &op, cases[i].xml,
                                     strlen(cases[i].xml), &fwd, &err);

        if (cases[i].grants == NULL) {
            ok(rc == STS_EINVAL && err == cases[i].err && fwd.len == 0,
               "url keys #%zu refused: %s", i, cases[i].err->message);
            sts_buf_free(&fwd);
            continue;
        }

        describe(&op, got, sizeof(got));
        if (!ok(rc == STS_OK, "url keys #%zu parse", i)) {
            sts_buf_free(&fwd);
            continue;
        }

        is_str(got, cases[i].grants, "url keys #%zu grants", i);
        ok(fwd.len == strlen(cases[i].fwd)
           && memcmp(fwd.data, cases[i].fwd, fwd.len) == 0,
           "url keys #%zu: the body forwarded holds the decoded keys", i);

        /* read back without decoding, or decoded once more: the same */
        memset(&op, 0, sizeof(op));
        op.bucket = S("b-1");
        ok(sts_oss_add_delete_body(A, &c, &op, fwd.data, fwd.len, NULL,
                                   &err) == STS_OK,
           "url keys #%zu: the forwarded body parses", i);
        describe(&op, got, sizeof(got));
        is_str(got, cases[i].grants, "url keys #%zu: read as it is", i);
        free(op.grants);

        memset(&op, 0, sizeof(op));
        op.bucket = S("b-1");
        op.url_keys = 1;
        ok(sts_oss_add_delete_body(A, &c, &op, fwd.data, fwd.len, NULL,
                                   &err) == STS_OK,
           "url keys #%zu: the forwarded body parses decoded", i);
        describe(&op, got, sizeof(got));
        is_str(got, cases[i].grants, "url keys #%zu: read decoded", i);
        free(op.grants);

        sts_buf_free(&fwd);
    }

    /* without url_keys nothing is decoded, nothing rebuilt */
    memset(&op, 0, sizeof(op));
    op.bucket = S("b-1");
    sts_buf_init(&fwd, A, 0);
    rc = sts_oss_add_delete_body(A, &c, &op, LITERAL, sizeof(LITERAL) - 1,
                                 &fwd, &err);
    describe(&op, got, sizeof(got));
    ok(rc == STS_OK && fwd.len == 0, "no encoding-type: nothing rebuilt");
    is_str(got, "oss:DeleteObject b-1/a%2Fb+c", "no encoding-type: literal");
    free(op.grants);
    sts_buf_free(&fwd);

    /* which requests ask for url keys */
    {
        static const struct {
            const char             *target;
            const char             *headers;
            int                     url;
            const sts_oss_error_t  *err;
        } req[] = {
            { "/b-1/?delete", NULL, 0, NULL },
            { "/b-1/?delete&encoding-type=url", NULL, 1, NULL },
            { "/b-1/?delete", "Encoding-type: url", 1, NULL },
            { "/b-1/?delete", "encoding-type:  url ", 1, NULL },
            { "/b-1/?delete&encoding-type=url", "Encoding-type: url", 1,
              NULL },
            { "/b-1/?delete&encoding-type=URL", NULL, 0,
              &sts_err_encoding_type },
            { "/b-1/?delete&encoding-type=", NULL, 0, &sts_err_encoding_type },
            { "/b-1/?delete&encoding-type", NULL, 0, &sts_err_encoding_type },
            { "/b-1/?delete", "Encoding-type: base64", 0,
              &sts_err_encoding_type },
            { "/b-1/?delete", "Encoding-type: url\nEncoding-type: url", 0,
              &sts_err_invalid_argument_header },
            { NULL, NULL, 0, NULL }
        };

        for (i = 0; req[i].target != NULL; i++) {
            rc = classify(&c, "POST", req[i].target, req[i].headers, &op,
                          &err);

            if (req[i].err != NULL) {
                ok(rc == STS_EINVAL && err == req[i].err,
                   "%s [%s] refused", req[i].target,
                   req[i].headers ? req[i].headers : "");
                continue;
            }

            ok(rc == STS_OK && op.body == STS_OSS_BODY_DELETE
               && op.url_keys == (unsigned) req[i].url,
               "%s [%s]: url keys %d", req[i].target,
               req[i].headers ? req[i].headers : "", req[i].url);
        }
    }

    ok(sts_oss_content_md5("", 0, md5) == STS_OK
       && strcmp(md5, "1B2M2Y8AsgTpgAmY7PhCfg==") == 0,
       "Content-MD5 of the empty body");
    ok(sts_oss_content_md5("hello", 5, md5) == STS_OK
       && sts_oss_content_md5_ok(S(md5), "hello", 5),
       "Content-MD5 reads back");
}


static void
test_process_body(void)
{
    int                     rc;
    char                    got[512];
    size_t                  i;
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;

    static const struct {
        const char  *body;
        const char  *grants;
    } cases[] = {
        /* o_ "out/a.jpg", b_ "b-2" */
        { "x-oss-process=image/resize,w_100|sys/saveas,o_b3V0L2EuanBn,"
          "b_Yi0y", "oss:PutObject b-2/out/a.jpg" },
        { "x-oss-process=image%2Fresize%2Cw_100%7Csys%2Fsaveas%2C"
          "o_b3V0L2EuanBn", "oss:PutObject b-1/out/a.jpg" },
        { "x-oss-process=image/watermark,image_cGFuZGEucG5n"
          "|sys/saveas,o_b3V0L2EuanBn",
          "oss:GetObject b-1/panda.png|oss:PutObject b-1/out/a.jpg" },
        { "x-oss-process=image/resize,w_1", "" },
        { "x-oss-process=style/x|sys/saveas,o_b3V0L2EuanBn", NULL },
        { "x-oss-process=image/resize,w_1|sys/saveas", NULL },
        { "x-oss-process=image/resize,w_1|sys/saveas,b_Yi0y", NULL },
        { "x-oss-process=image/resize,w_1|sys/saveas,o_Li4vYQ", NULL },
        { "x-oss-process=image/resize,w_1|sys/saveas,o_YQ,b_QkFE", NULL },
        { "x-oss-process=image/resize,w_1|sys/saveas,o_YQ,o_Yg", NULL },
        { "x-oss-process=image/resize,w_1|sys/saveas,o_YQ,notify_x", NULL },
        { "x-oss-process=image/resize,w_1|sys/other,o_YQ", NULL },
        { "x-oss-process=a&x=b", NULL },
        { "y=1", NULL },
        { "", NULL },
        { NULL, NULL }
    };

    memset(&c, 0, sizeof(c));
    c.mode = STS_ADDR_PATH;
    c.account = S("1234");

    for (i = 0; cases[i].body != NULL; i++) {
        memset(&op, 0, sizeof(op));
        op.bucket = S("b-1");
        op.key = S("k");

        rc = sts_oss_add_process_body(A, &c, &op, cases[i].body,
                                      strlen(cases[i].body), &err);

        if (cases[i].grants == NULL) {
            ok(rc == STS_EINVAL && err != NULL,
               "process body #%zu refused (%s)", i,
               err ? err->code : "-");
            continue;
        }

        describe(&op, got, sizeof(got));
        if (ok(rc == STS_OK, "process body #%zu", i)) {
            is_str(got, cases[i].grants, "process body #%zu grants", i);
        }
    }
}


static void
test_post_object(void)
{
    char                    got[256];
    sts_oss_op_t            op;
    sts_oss_conf_t          c;
    const sts_oss_error_t  *err;

    memset(&c, 0, sizeof(c));
    c.account = S("1234");
    memset(&op, 0, sizeof(op));
    op.bucket = S("b-1");

    ok(sts_oss_add_post_object(A, &c, &op, S("up/a.jpg"), 1, &err) == STS_OK,
       "PostObject grants");
    describe(&op, got, sizeof(got));
    is_str(got, "oss:PutObject b-1/up/a.jpg|oss:PutObjectTagging "
           "b-1/up/a.jpg", "PostObject: PutObject (+ tagging) on the key");
    is_str(op.key.data, "up/a.jpg", "PostObject: the key is recorded");

    ok(sts_oss_add_post_object(A, &c, &op, S("up/../x"), 0, &err)
       == STS_EINVAL && err == &sts_err_invalid_object_name,
       "PostObject: a dot segment in the form key");
}


static void
test_backend_uri(void)
{
    size_t  i;

    static const struct {
        const char  *target;
        const char  *uri;
    } cases[] = {
        { "/b-1/dir/a%20b.txt", "/b-1/dir/a%20b.txt" },
        { "/b-1/a%2Fb", "/b-1/a/b" },
        { "/b-1/%E4%B8%AD!*'()", "/b-1/%E4%B8%AD%21%2A%27%28%29" },
        { "/b-1/a+b%2Bc", "/b-1/a%2Bb%2Bc" },
        { "/b-1/%252e%252e", "/b-1/%252e%252e" },
        { "/b-1/", "/b-1/" },
        { "/b-1", "/b-1/" },
        { "/", "/" },
        { "/b-1/?prefix=a+b&delimiter=%2F", "/b-1/?prefix=a%20b"
          "&delimiter=%2F" },
        { "/b-1/k?acl", "/b-1/k?acl" },
        { "/b-1/k?uploads=", "/b-1/k?uploads=" },
        { "/b-1/k?OSSAccessKeyId=STS.x&Expires=1&Signature=s%2B"
          "&security-token=t&response-content-type=text%2Fplain",
          "/b-1/k?response-content-type=text%2Fplain" },
        { "/b-1/k?x-oss-credential=a&x-oss-date=d&x-oss-expires=1"
          "&x-oss-signature-version=v&x-oss-signature=s"
          "&x-oss-additional-headers=host&x-oss-security-token=t"
          "&versionId=v%201", "/b-1/k?versionId=v%201" },
        { NULL, NULL }
    };

    for (i = 0; cases[i].target != NULL; i++) {
        sts_str_t               uri;
        sts_oss_op_t            op;
        sts_oss_conf_t          c;
        sts_params_t            q;
        sts_http_request_t      r;
        const char             *qm;
        const sts_oss_error_t  *err;

        memset(&c, 0, sizeof(c));
        memset(&r, 0, sizeof(r));
        memset(&op, 0, sizeof(op));
        r.method = S("GET");
        qm = strchr(cases[i].target, '?');
        r.raw_path.data = cases[i].target;
        r.raw_path.len = qm ? (size_t) (qm - cases[i].target)
                            : strlen(cases[i].target);
        r.raw_query = S(qm ? qm + 1 : "");

        if (sts_query_parse(A, r.raw_query, &q) != STS_OK
            || sts_oss_locate(A, &c, &r, &op.bucket, &op.key, &err)
               != STS_OK
            || sts_oss_backend_uri(A, &op, &q, &uri) != STS_OK)
        {
            ok(0, "backend uri #%zu", i);
            continue;
        }

        is_str(uri.data, cases[i].uri, "backend uri of %s", cases[i].target);
    }
}


int
main(void)
{
    test_rows();
    test_addressing();
    test_keys();
    test_delete_body();
    test_url_keys();
    test_process_body();
    test_post_object();
    test_backend_uri();

    return tap_done();
}
