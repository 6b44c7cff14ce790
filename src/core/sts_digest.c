/*
 * Copyright (C) nginx-sts authors
 *
 * sts_digest: a body's declared digests, checked as it streams
 * (sts_digest.h).
 */

#include <string.h>

#include <openssl/evp.h>

#include "sts_digest.h"


static int sts_digest_hex(char c);


int
sts_digest_parse_sha256(sts_str_t v, unsigned char out[32])
{
    size_t  i;
    int     hi, lo;

    v = sts_str_trim(v);

    if (sts_str_eq(v, "UNSIGNED-PAYLOAD")) {
        return STS_ENOTFOUND;
    }

    if (v.len != 64) {
        return STS_EINVAL;
    }

    for (i = 0; i < 32; i++) {
        hi = sts_digest_hex(v.data[2 * i]);
        lo = sts_digest_hex(v.data[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return STS_EINVAL;
        }

        out[i] = (unsigned char) (hi << 4 | lo);
    }

    return STS_OK;
}


int
sts_digest_parse_md5(sts_str_t v, unsigned char out[16])
{
    size_t         n;
    unsigned char  buf[24];

    v = sts_str_trim(v);

    /* the base64 of 16 bytes is 24 characters, "==" at the end */
    if (v.len != 24
        || sts_base64_decode(buf, &n, v.data, v.len) != STS_OK
        || n != 16)
    {
        return STS_EINVAL;
    }

    memcpy(out, buf, 16);

    return STS_OK;
}


int
sts_digest_start(sts_digest_t *d, const unsigned char *sha256,
    const unsigned char *md5)
{
    memset(d, 0, sizeof(sts_digest_t));

    if (sha256 != NULL) {
        d->sha256 = EVP_MD_CTX_new();

        if (d->sha256 == NULL
            || EVP_DigestInit_ex(d->sha256, EVP_sha256(), NULL) != 1)
        {
            sts_digest_free(d);
            return STS_ECRYPTO;
        }

        memcpy(d->want_sha256, sha256, 32);
    }

    if (md5 != NULL) {
        d->md5 = EVP_MD_CTX_new();

        if (d->md5 == NULL
            || EVP_DigestInit_ex(d->md5, EVP_md5(), NULL) != 1)
        {
            sts_digest_free(d);
            return STS_ECRYPTO;
        }

        memcpy(d->want_md5, md5, 16);
    }

    return STS_OK;
}


int
sts_digest_update(sts_digest_t *d, const void *p, size_t n)
{
    if (n == 0) {
        return STS_OK;
    }

    if (d->sha256 != NULL && EVP_DigestUpdate(d->sha256, p, n) != 1) {
        return STS_ECRYPTO;
    }

    if (d->md5 != NULL && EVP_DigestUpdate(d->md5, p, n) != 1) {
        return STS_ECRYPTO;
    }

    return STS_OK;
}


int
sts_digest_finish(sts_digest_t *d, int *which)
{
    int            sha_ok, md5_ok;
    unsigned int   len;
    unsigned char  md[EVP_MAX_MD_SIZE];

    sha_ok = 1;
    md5_ok = 1;

    if (d->sha256 != NULL) {
        if (EVP_DigestFinal_ex(d->sha256, md, &len) != 1 || len != 32) {
            return STS_ECRYPTO;
        }

        sha_ok = sts_ct_equal(md, 32, d->want_sha256, 32);
    }

    if (d->md5 != NULL) {
        if (EVP_DigestFinal_ex(d->md5, md, &len) != 1 || len != 16) {
            return STS_ECRYPTO;
        }

        md5_ok = sts_ct_equal(md, 16, d->want_md5, 16);
    }

    sts_digest_free(d);

    if (!sha_ok) {
        *which = STS_DIGEST_SHA256;
        return STS_EBADSIG;
    }

    if (!md5_ok) {
        *which = STS_DIGEST_MD5;
        return STS_EBADSIG;
    }

    return STS_OK;
}


void
sts_digest_free(sts_digest_t *d)
{
    if (d->sha256 != NULL) {
        EVP_MD_CTX_free(d->sha256);
        d->sha256 = NULL;
    }

    if (d->md5 != NULL) {
        EVP_MD_CTX_free(d->md5);
        d->md5 = NULL;
    }
}


static int
sts_digest_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c = (char) (c | 0x20);

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}
