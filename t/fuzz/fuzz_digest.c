/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_digest: the payload digests (sts_digest.h), the parsers of the
 * x-oss-content-sha256 and Content-MD5 values and the streaming check
 * (libFuzzer).
 *
 * Input: the first byte picks the case.  0: the rest is an
 * x-oss-content-sha256 value; accepted only as 64 hex digits (blanks
 * around them aside), which decode to the hash, UNSIGNED-PAYLOAD is
 * nothing to check.  1: the rest is a Content-MD5 value; accepted only as
 * the base64 of 16 bytes, which it decodes to.  2: the rest is a body,
 * hashed in pieces whose sizes the body's own bytes choose; the check
 * passes with the body's true digests, and fails, naming the digest,
 * when one bit of either expected value is changed: where the body is
 * cut never changes the answer.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sts_digest.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static int
fuzz_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


static void
fuzz_sha256_value(const char *p, size_t n)
{
    int            rc;
    size_t         i;
    sts_str_t      v, t;
    unsigned char  out[32];

    v.data = p;
    v.len = n;
    t = sts_str_trim(v);

    rc = sts_digest_parse_sha256(v, out);

    if (rc == STS_ENOTFOUND) {
        if (!sts_str_eq(t, "UNSIGNED-PAYLOAD")) {
            abort();
        }
        return;
    }

    if (rc != STS_OK) {
        if (rc != STS_EINVAL) {
            abort();
        }

        if (t.len == 64) {
            for (i = 0; i < 64 && fuzz_hex((unsigned char) t.data[i]) >= 0;
                 i++)
            {
                /* void */
            }

            if (i == 64) {
                abort();    /* 64 hex digits refused */
            }
        }

        return;
    }

    if (t.len != 64) {
        abort();
    }

    for (i = 0; i < 32; i++) {
        if (fuzz_hex((unsigned char) t.data[2 * i]) < 0
            || fuzz_hex((unsigned char) t.data[2 * i + 1]) < 0
            || out[i] != (fuzz_hex((unsigned char) t.data[2 * i]) << 4
                          | fuzz_hex((unsigned char) t.data[2 * i + 1])))
        {
            abort();
        }
    }
}


static void
fuzz_md5_value(const char *p, size_t n)
{
    int            rc;
    size_t         len;
    sts_str_t      v, t;
    unsigned char  out[16], dec[64];

    v.data = p;
    v.len = n;
    t = sts_str_trim(v);

    rc = sts_digest_parse_md5(v, out);

    if (rc != STS_OK) {
        if (rc != STS_EINVAL) {
            abort();
        }
        return;
    }

    /* the base64 of 16 bytes is 24 characters, two of them '=' */
    if (t.len != 24 || t.data[22] != '=' || t.data[23] != '=') {
        abort();
    }

    len = sizeof(dec);
    if (sts_base64_decode(dec, &len, t.data, t.len) != STS_OK || len != 16
        || memcmp(dec, out, 16) != 0)
    {
        abort();
    }
}


static int
fuzz_check(const uint8_t *body, size_t n, const unsigned char *sha256,
    const unsigned char *md5, int *which)
{
    int           rc;
    size_t        off, piece;
    sts_digest_t  d;

    if (sts_digest_start(&d, sha256, md5) != STS_OK) {
        abort();
    }

    for (off = 0; off < n; off += piece) {
        piece = 1 + body[off] % 61;
        if (piece > n - off) {
            piece = n - off;
        }

        if (sts_digest_update(&d, body + off, piece) != STS_OK) {
            abort();
        }
    }

    *which = 0;
    rc = sts_digest_finish(&d, which);
    sts_digest_free(&d);
    sts_digest_free(&d);    /* idempotent */

    return rc;
}


static void
fuzz_body(const uint8_t *body, size_t n)
{
    int            which;
    unsigned int   len;
    unsigned char  sha[32], md5[16];

    if (EVP_Digest(body, n, sha, &len, EVP_sha256(), NULL) != 1
        || EVP_Digest(body, n, md5, &len, EVP_md5(), NULL) != 1)
    {
        abort();
    }

    if (fuzz_check(body, n, sha, md5, &which) != STS_OK
        || fuzz_check(body, n, sha, NULL, &which) != STS_OK
        || fuzz_check(body, n, NULL, md5, &which) != STS_OK
        || fuzz_check(body, n, NULL, NULL, &which) != STS_OK)
    {
        abort();
    }

    sha[n % 32] ^= 1 << (n % 8);

    if (fuzz_check(body, n, sha, md5, &which) != STS_EBADSIG
        || which != STS_DIGEST_SHA256)
    {
        abort();
    }

    sha[n % 32] ^= 1 << (n % 8);
    md5[n % 16] ^= 0x80;

    if (fuzz_check(body, n, sha, md5, &which) != STS_EBADSIG
        || which != STS_DIGEST_MD5)
    {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }

    switch (data[0] % 3) {

    case 0:
        fuzz_sha256_value((const char *) data + 1, size - 1);
        break;

    case 1:
        fuzz_md5_value((const char *) data + 1, size - 1);
        break;

    default:
        fuzz_body(data + 1, size - 1);
        break;
    }

    return 0;
}
