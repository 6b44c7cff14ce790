/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_digest: x-oss-content-sha256 and Content-MD5 values
 * parsed, a body hashed in pieces and compared at its end.
 */

#include <stdlib.h>
#include <string.h>

#include "sts_digest.h"
#include "tap.h"


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);
    return r;
}



static int
check(const char *body, size_t chunk, const unsigned char *sha,
    const unsigned char *md5, int *which)
{
    int           rc;
    size_t        i, n, len;
    sts_digest_t  d;

    if (sts_digest_start(&d, sha, md5) != STS_OK) {
        return STS_ECRYPTO;
    }

    len = strlen(body);

    for (i = 0; i < len; i += n) {
        n = (len - i < chunk) ? len - i : chunk;

        if (sts_digest_update(&d, body + i, n) != STS_OK) {
            sts_digest_free(&d);
            return STS_ECRYPTO;
        }
    }

    rc = sts_digest_finish(&d, which);
    sts_digest_free(&d);

    return rc;
}


int
main(void)
{
    int            which;
    unsigned char  sha[32], md5[16], empty_sha[32];

    /* parsing */

    is_int(sts_digest_parse_sha256(S("UNSIGNED-PAYLOAD"), sha), STS_ENOTFOUND,
           "UNSIGNED-PAYLOAD: nothing to check");
    is_int(sts_digest_parse_sha256(S(" UNSIGNED-PAYLOAD "), sha),
           STS_ENOTFOUND, "trimmed");
    is_int(sts_digest_parse_sha256(S("unsigned-payload"), sha), STS_EINVAL,
           "its case matters");
    is_int(sts_digest_parse_sha256(S(""), sha), STS_EINVAL, "empty");
    is_int(sts_digest_parse_sha256(
               S("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"),
               sha), STS_EINVAL, "63 digits");
    is_int(sts_digest_parse_sha256(
               S("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550"),
               sha), STS_EINVAL, "65 digits");
    is_int(sts_digest_parse_sha256(
               S("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
               sha), STS_EINVAL, "not hex");
    is_int(sts_digest_parse_sha256(
               S("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
               empty_sha), STS_OK, "upper-case hex");
    ok(empty_sha[0] == 0xe3 && empty_sha[31] == 0x55, "decoded");

    is_int(sts_digest_parse_md5(S("XrY7u+Ae7tCTyyK7j1rNww=="), md5), STS_OK,
           "Content-MD5");
    ok(md5[0] == 0x5e && md5[15] == 0xc3, "decoded");
    is_int(sts_digest_parse_md5(S("XrY7u+Ae7tCTyyK7j1rNww"), md5), STS_EINVAL,
           "no padding");
    is_int(sts_digest_parse_md5(S("abc="), md5), STS_EINVAL, "too short");
    is_int(sts_digest_parse_md5(S("XrY7u+Ae7tCTyyK7j1rNwwAA"), md5),
           STS_EINVAL, "18 bytes");
    is_int(sts_digest_parse_md5(S("XrY7u+Ae7tCTyyK7j1rN!w=="), md5),
           STS_EINVAL, "not base64");

    /* the empty body */

    is_int(check("", 1, empty_sha, NULL, &which), STS_OK,
           "empty body, SHA-256 of nothing");

    /* MD5("hello world") = XrY7u+Ae7tCTyyK7j1rNww== */

    is_int(check("hello world", 1, NULL, md5, &which), STS_OK,
           "MD5, byte by byte");
    is_int(check("hello world", 100, NULL, md5, &which), STS_OK,
           "MD5, at once");
    which = 0;
    is_int(check("hello worle", 3, NULL, md5, &which), STS_EBADSIG,
           "MD5 mismatch");
    is_int(which, STS_DIGEST_MD5, "names the MD5");

    /* SHA-256("hello world") */
    if (sts_digest_parse_sha256(
            S("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
            sha) != STS_OK)
    {
        return 1;
    }

    is_int(check("hello world", 4, sha, md5, &which), STS_OK, "both match");
    which = 0;
    is_int(check("hello world!", 4, sha, md5, &which), STS_EBADSIG,
           "both differ");
    is_int(which, STS_DIGEST_SHA256, "the SHA-256 is named first");
    which = 0;
    is_int(check("hello world", 4, sha, empty_sha, &which), STS_EBADSIG,
           "the MD5 alone differs");
    is_int(which, STS_DIGEST_MD5, "names the MD5");
    is_int(check("hello world", 4, empty_sha, NULL, &which), STS_EBADSIG,
           "the SHA-256 alone differs");

    return tap_done();
}
