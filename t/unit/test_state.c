/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_state: the x-sts-max-uses values accepted and
 * refused, the UploadId of OSS and S3 InitiateMultipartUpload answers and
 * of broken ones, the keys (each field and its boundaries change the
 * key), and which multipart calls the grace window covers.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_state.h"
#include "tap.h"


static sts_str_t
str(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static int
uses(const char *s, unsigned long *n)
{
    return sts_state_max_uses(str(s), n);
}


static int
upload_id(const char *body, char *out, size_t out_len)
{
    int        rc;
    sts_str_t  id;

    out[0] = '\0';
    rc = sts_state_upload_id(body, strlen(body), &id);

    if (rc == STS_OK && id.len < out_len) {
        memcpy(out, id.data, id.len);
        out[id.len] = '\0';
    }

    return rc;
}


static void
test_max_uses(void)
{
    size_t          i;
    unsigned long   n;

    static const char  *bad[] = {
        "", "0", "01", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10",
        "1000001", "99999999", "18446744073709551617", "a", "1a", NULL
    };

    n = 0;
    is_int(uses("1", &n), STS_OK, "max uses: 1");
    is_int(n, 1, "max uses: 1 is 1");
    is_int(uses("3", &n), STS_OK, "max uses: 3");
    is_int(n, 3, "max uses: 3 is 3");
    is_int(uses("1000000", &n), STS_OK, "max uses: the highest");
    is_int(n, 1000000, "max uses: 1000000");

    for (i = 0; bad[i] != NULL; i++) {
        n = 7;
        is_int(uses(bad[i], &n), STS_EINVAL, "max uses: \"%s\" refused",
               bad[i]);
        is_int(n, 7, "max uses: \"%s\" leaves the output", bad[i]);
    }
}


static void
test_upload_id(void)
{
    char   id[300], body[1024];
    char   long_id[STS_STATE_UPLOAD_ID_MAX + 2];

    is_int(upload_id("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<InitiateMultipartUploadResult>\n"
                     "  <Bucket>b</Bucket>\n  <Key>k</Key>\n"
                     "  <UploadId>0004B9894A22E5B1888A1E29F823</UploadId>\n"
                     "</InitiateMultipartUploadResult>\n", id, sizeof(id)),
           STS_OK, "upload id: OSS answer");
    is_str(id, "0004B9894A22E5B1888A1E29F823", "upload id: OSS value");

    is_int(upload_id("<InitiateMultipartUploadResult xmlns=\"http://s3."
                     "amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
                     "<Key>k</Key><UploadId>VXBsb2FkIElE-_.~=+/x"
                     "</UploadId></InitiateMultipartUploadResult>", id,
                     sizeof(id)),
           STS_OK, "upload id: S3 answer");
    is_str(id, "VXBsb2FkIElE-_.~=+/x", "upload id: S3 value");

    is_int(upload_id("<UploadId>a</UploadId><UploadId>b</UploadId>", id,
                     sizeof(id)), STS_OK, "upload id: the first one");
    is_str(id, "a", "upload id: first value");

    is_int(upload_id("", id, sizeof(id)), STS_ENOTFOUND,
           "upload id: empty body");
    is_int(sts_state_upload_id(NULL, 0, NULL), STS_ENOTFOUND,
           "upload id: no body");
    is_int(upload_id("<Error><Code>AccessDenied</Code></Error>", id,
                     sizeof(id)), STS_ENOTFOUND, "upload id: an error");
    is_int(upload_id("<UploadId>abc", id, sizeof(id)), STS_ENOTFOUND,
           "upload id: cut off");
    is_int(upload_id("<UploadId", id, sizeof(id)), STS_ENOTFOUND,
           "upload id: cut in the tag");
    is_int(upload_id("<UploadId></UploadId>", id, sizeof(id)), STS_EINVAL,
           "upload id: empty");
    is_int(upload_id("<UploadId>a b</UploadId>", id, sizeof(id)),
           STS_EINVAL, "upload id: a space");
    is_int(upload_id("<UploadId>a&amp;b</UploadId>", id, sizeof(id)),
           STS_EINVAL, "upload id: an entity");
    is_int(upload_id("<UploadId>a<x/>b</UploadId>", id, sizeof(id)),
           STS_EINVAL, "upload id: an element inside");
    is_int(upload_id("<UploadId>a\x01" "b</UploadId>", id, sizeof(id)),
           STS_EINVAL, "upload id: a control character");
    is_int(upload_id("<UploadId>\xc3\xa9</UploadId>", id, sizeof(id)),
           STS_EINVAL, "upload id: not ASCII");
    is_int(upload_id("<uploadid>abc</uploadid>", id, sizeof(id)),
           STS_ENOTFOUND, "upload id: the name is case-sensitive");

    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[STS_STATE_UPLOAD_ID_MAX] = '\0';
    snprintf(body, sizeof(body), "<UploadId>%s</UploadId>", long_id);
    is_int(upload_id(body, id, sizeof(id)), STS_OK,
           "upload id: the longest kept");
    is_int(strlen(id), STS_STATE_UPLOAD_ID_MAX, "upload id: longest length");

    long_id[STS_STATE_UPLOAD_ID_MAX] = 'a';
    long_id[STS_STATE_UPLOAD_ID_MAX + 1] = '\0';
    snprintf(body, sizeof(body), "<UploadId>%s</UploadId>", long_id);
    is_int(upload_id(body, id, sizeof(id)), STS_EINVAL,
           "upload id: one byte too long");
}


static void
test_keys(void)
{
    unsigned char  a[STS_STATE_KEY_LEN], b[STS_STATE_KEY_LEN];

    is_int(sts_state_uses_key(a, str("STS.a"), str("sig")), STS_OK,
           "uses key");
    is_int(sts_state_uses_key(b, str("STS.a"), str("sig")), STS_OK,
           "uses key again");
    ok(memcmp(a, b, sizeof(a)) == 0, "uses key: stable");

    is_int(sts_state_uses_key(b, str("STS.b"), str("sig")), STS_OK,
           "uses key, another AccessKeyId");
    ok(memcmp(a, b, sizeof(a)) != 0, "uses key: the AccessKeyId counts");

    is_int(sts_state_uses_key(b, str("STS.a"), str("sih")), STS_OK,
           "uses key, another signature");
    ok(memcmp(a, b, sizeof(a)) != 0, "uses key: the signature counts");

    /* fields are length-prefixed: moving a byte across changes the key */
    is_int(sts_state_uses_key(a, str("STS.ab"), str("c")), STS_OK, "ab|c");
    is_int(sts_state_uses_key(b, str("STS.a"), str("bc")), STS_OK, "a|bc");
    ok(memcmp(a, b, sizeof(a)) != 0, "uses key: field boundaries count");

    is_int(sts_state_grace_key(a, str("id"), str("STS.a"), str("b"),
                               str("k")), STS_OK, "grace key");
    is_int(sts_state_uses_key(b, str("id"), str("STS.a")), STS_OK,
           "a uses key of similar fields");
    ok(memcmp(a, b, sizeof(a)) != 0, "grace and uses keys differ");

    is_int(sts_state_grace_key(b, str("id"), str("STS.a"), str("b"),
                               str("k")), STS_OK, "grace key again");
    ok(memcmp(a, b, sizeof(a)) == 0, "grace key: stable");

    is_int(sts_state_grace_key(b, str("iD"), str("STS.a"), str("b"),
                               str("k")), STS_OK, "grace key, upload");
    ok(memcmp(a, b, sizeof(a)) != 0, "grace key: the UploadId counts");
    is_int(sts_state_grace_key(b, str("id"), str("STS.b"), str("b"),
                               str("k")), STS_OK, "grace key, token");
    ok(memcmp(a, b, sizeof(a)) != 0, "grace key: the token counts");
    is_int(sts_state_grace_key(b, str("id"), str("STS.a"), str("c"),
                               str("k")), STS_OK, "grace key, bucket");
    ok(memcmp(a, b, sizeof(a)) != 0, "grace key: the bucket counts");
    is_int(sts_state_grace_key(b, str("id"), str("STS.a"), str("b"),
                               str("k2")), STS_OK, "grace key, key");
    ok(memcmp(a, b, sizeof(a)) != 0, "grace key: the object key counts");
    is_int(sts_state_grace_key(b, str("id"), str("STS.a"), str("bk"),
                               str("")), STS_OK, "grace key, moved");
    ok(memcmp(a, b, sizeof(a)) != 0, "grace key: b|k is not bk|");
}


static void
test_grace_api(void)
{
    ok(sts_state_grace_api("UploadPart"), "grace: UploadPart");
    ok(sts_state_grace_api("CompleteMultipartUpload"), "grace: Complete");
    ok(sts_state_grace_api("AbortMultipartUpload"), "grace: Abort");
    ok(sts_state_grace_api("ListParts"), "grace: ListParts");
    ok(!sts_state_grace_api("UploadPartCopy"), "grace: not UploadPartCopy");
    ok(!sts_state_grace_api("InitiateMultipartUpload"),
       "grace: not Initiate");
    ok(!sts_state_grace_api("PutObject"), "grace: not PutObject");
    ok(!sts_state_grace_api("GetObject"), "grace: not GetObject");
    ok(!sts_state_grace_api("uploadpart"), "grace: names are exact");
    ok(!sts_state_grace_api(NULL), "grace: no API");
}


static void
test_owner(void)
{
    unsigned long  n;
    unsigned char  a[STS_STATE_KEY_LEN], b[STS_STATE_KEY_LEN];
    int64_t        e;

    /* the key of a credential's share: stable, its own per credential */
    is_int(sts_state_owner_key(a, str("STS.a")), STS_OK, "owner key");
    is_int(sts_state_owner_key(b, str("STS.a")), STS_OK, "owner key again");
    ok(memcmp(a, b, sizeof(a)) == 0, "owner key: stable");
    is_int(sts_state_owner_key(b, str("STS.b")), STS_OK, "another owner");
    ok(memcmp(a, b, sizeof(a)) != 0, "owner key: the credential counts");
    is_int(sts_state_uses_key(b, str("STS.a"), str("")), STS_OK,
           "a uses key of the same AccessKeyId");
    ok(memcmp(a, b, sizeof(a)) != 0, "owner and uses keys differ");

    /* how long a URL's uses are kept */
    is_int(sts_state_uses_expires(1000, 1600, 0, 0, &e), STS_OK,
           "long-term key, 10 minutes");
    is_int(e, 1600, "kept until the URL expires");
    is_int(sts_state_uses_expires(1000, 1000 + STS_STATE_USES_MAX_TTL, 0, 0,
                                  &e), STS_OK, "long-term key, 7 days");
    is_int(e, 1000 + STS_STATE_USES_MAX_TTL, "7 days");
    is_int(sts_state_uses_expires(1000, 1001 + STS_STATE_USES_MAX_TTL, 0, 0,
                                  &e), STS_ETOOBIG,
           "long-term key, 7 days and a second: refused");
    is_int(sts_state_uses_expires(1000, 4102444800LL, 0, 0, &e), STS_ETOOBIG,
           "long-term key, year 2100: refused");
    is_int(sts_state_uses_expires(1000, INT64_MAX, 0, 0, &e), STS_ETOOBIG,
           "long-term key, the largest Expires: refused");

    is_int(sts_state_uses_expires(1000, 4102444800LL, 4600, 0, &e), STS_OK,
           "token, year 2100");
    is_int(e, 4600, "kept until the token expires");
    is_int(sts_state_uses_expires(1000, 4102444800LL, 4600, 1800, &e), STS_OK,
           "token with a grace window");
    is_int(e, 6400, "kept until the token's expiry plus the grace");
    is_int(sts_state_uses_expires(1000, 1300, 4600, 1800, &e), STS_OK,
           "token, a URL expiring first");
    is_int(e, 1300, "kept until the URL expires");
    is_int(sts_state_uses_expires(1000, INT64_MAX, INT64_MAX - 5, 1800, &e),
           STS_OK, "no overflow");
    is_int(e, INT64_MAX - 5, "the token's expiry");

    /* max_per_key= */
    n = 0;
    is_int(sts_state_max_per_key(str("max_per_key=1"), &n), STS_OK, "1");
    is_int(n, 1, "= 1");
    is_int(sts_state_max_per_key(str("max_per_key=1000000"), &n), STS_OK,
           "1000000");
    is_int(n, 1000000, "= 1000000");
    is_int(sts_state_max_per_key(str("max_per_key=0"), &n), STS_EINVAL,
           "0 refused");
    is_int(sts_state_max_per_key(str("max_per_key=1000001"), &n),
           STS_EINVAL, "over the limit refused");
    is_int(sts_state_max_per_key(str("max_per_key="), &n), STS_EINVAL,
           "empty refused");
    is_int(sts_state_max_per_key(str("max_per_key=-1"), &n), STS_EINVAL,
           "negative refused");
    is_int(sts_state_max_per_key(str("max_per_key=01"), &n), STS_EINVAL,
           "leading zero refused");
    is_int(sts_state_max_per_key(str("max_per_key=5k"), &n), STS_EINVAL,
           "a suffix refused");
    is_int(sts_state_max_per_key(str("max_per_keys=5"), &n), STS_ENOTFOUND,
           "another name");
    is_int(sts_state_max_per_key(str("max_per_ke"), &n), STS_ENOTFOUND,
           "a prefix of the name");
    is_int(sts_state_max_per_key(str(""), &n), STS_ENOTFOUND, "nothing");
}


int
main(void)
{
    test_max_uses();
    test_upload_id();
    test_keys();
    test_grace_api();
    test_owner();

    return tap_done();
}
