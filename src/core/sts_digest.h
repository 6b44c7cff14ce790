/*
 * Copyright (C) nginx-sts authors
 *
 * sts_digest: the digests a request declares for its body, checked as the
 * body streams, without keeping it.
 *
 * Two are known: x-oss-content-sha256 (V4: UNSIGNED-PAYLOAD, or the hex
 * SHA-256 of the body, which the signature then covers) and Content-MD5
 * (the base64 MD5 of the body).  The gateway parses what was declared
 * (sts_digest_parse_*), feeds every byte of the body as it passes
 * (sts_digest_update) and compares at its end (sts_digest_finish), in
 * constant time.
 */

#ifndef STS_DIGEST_H_INCLUDED
#define STS_DIGEST_H_INCLUDED


#include "sts_util.h"


#define STS_DIGEST_SHA256   1
#define STS_DIGEST_MD5      2


typedef struct {
    void           *sha256;          /* EVP_MD_CTX, or NULL: not declared */
    void           *md5;             /* EVP_MD_CTX, or NULL: not declared */
    unsigned char   want_sha256[32];
    unsigned char   want_md5[16];
} sts_digest_t;


/*
 * sts_digest_parse_sha256 reads an x-oss-content-sha256 value (trimmed):
 * STS_OK with the hash in |out| for 64 hex digits (either case),
 * STS_ENOTFOUND for UNSIGNED-PAYLOAD (nothing to check), STS_EINVAL for
 * anything else.
 */
int sts_digest_parse_sha256(sts_str_t v, unsigned char out[32]) STS_WUR;

/*
 * sts_digest_parse_md5 reads a Content-MD5 value (trimmed): STS_OK with
 * the digest in |out| for the base64 of 16 bytes, STS_EINVAL otherwise.
 */
int sts_digest_parse_md5(sts_str_t v, unsigned char out[16]) STS_WUR;

/*
 * sts_digest_start prepares |d| to check the digests whose expected
 * values are given (NULL: not declared).  STS_OK or STS_ECRYPTO; on
 * success sts_digest_free must be called.
 */
int sts_digest_start(sts_digest_t *d, const unsigned char *sha256,
    const unsigned char *md5) STS_WUR;

/* sts_digest_update hashes |n| more bytes of the body.  STS_OK, STS_ECRYPTO */
int sts_digest_update(sts_digest_t *d, const void *p, size_t n) STS_WUR;

/*
 * sts_digest_finish ends the body: STS_OK if every declared digest
 * matches, STS_EBADSIG with *which set to the first that does not
 * (STS_DIGEST_SHA256 or STS_DIGEST_MD5), or STS_ECRYPTO.  Once only.
 */
int sts_digest_finish(sts_digest_t *d, int *which) STS_WUR;

/* sts_digest_free releases |d| (also after sts_digest_finish); idempotent */
void sts_digest_free(sts_digest_t *d);


#endif /* STS_DIGEST_H_INCLUDED */
