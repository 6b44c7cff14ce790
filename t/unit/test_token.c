/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_token: keyring parsing and loading, seal/open round
 * trip, and one distinct error for every way a token can be wrong.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sts_token.h"
#include "tap.h"


#define K1  "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
#define K2  "k2 HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=\n"

static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_keyring_t *
keyring(const char *text)
{
    char            err[256];
    sts_keyring_t  *kr;

    if (sts_keyring_parse(A, text, strlen(text), &kr, err, sizeof(err))
        != STS_OK)
    {
        printf("# keyring: %s\n", err);
        return NULL;
    }

    return kr;
}


static void
session_init(sts_session_t *s, char **rp, const char *sp, int64_t now)
{
    memset(s, 0, sizeof(*s));
    s->version = 1;
    s->access_key_id = "STS.TestAccessKeyId0000000000000";
    s->access_key_secret = "TestSecret0123456789abcdefghijklmnopqrstu";
    s->issued_at = now;
    s->expiration = now + 3600;
    s->account_id = "1234567890123456";
    s->role_arn = "acs:ram::1234567890123456:role/app-reader";
    s->role_id = "300800000000000001";
    s->session_name = "alice-phone";
    s->source_arn = "acs:ram::1234567890123456:user/appserver";
    s->role_policies = rp;
    s->num_role_policies = 1;
    s->session_policy = (char *) sp;
}


static void
test_keyring(void)
{
    int             rc;
    char            err[256], line[128], path[] = "/tmp/sts-kr-XXXXXX";
    FILE           *f;
    sts_keyring_t  *kr;

    kr = keyring("# comment\n\n" K1 K2);
    ok(kr != NULL && kr->num_keys == 2, "keyring with comment and 2 keys");
    ok(kr != NULL && strcmp(kr->keys[0].kid, "k1") == 0,
       "first line is the issuing key");
    ok(kr != NULL && sts_keyring_find(kr, "k2", 2) != NULL, "find k2");
    ok(kr != NULL && sts_keyring_find(kr, "k3", 2) == NULL, "no k3");
    sts_keyring_free(A, kr);

    rc = sts_keyring_parse(A, K1 K1, strlen(K1 K1), &kr, err, sizeof(err));
    ok(rc == STS_EINVAL && strstr(err, "duplicate") != NULL,
       "duplicate kid refused: %s", err);

    rc = sts_keyring_parse(A, "k1 AAEC\n", 8, &kr, err, sizeof(err));
    ok(rc == STS_EINVAL && strstr(err, "line 1") != NULL,
       "short key refused: %s", err);

    rc = sts_keyring_parse(A, "bad/kid AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx"
                           "wdHh8=\n", 53, &kr, err, sizeof(err));
    ok(rc == STS_EINVAL, "kid with '/' refused: %s", err);

    /* 36 bytes of key: one of the cases the fuzzer found overflowing */
    rc = sts_keyring_parse(A, "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj\n",
                           52, &kr, err, sizeof(err));
    ok(rc == STS_EINVAL, "over-long key refused: %s", err);

    rc = sts_keyring_parse(A, "\n# only comments\n", 17, &kr, err,
                           sizeof(err));
    ok(rc == STS_EINVAL && strstr(err, "no keys") != NULL,
       "empty keyring refused: %s", err);

    ok(sts_keygen_line(line, sizeof(line), "2026-11") == STS_OK,
       "keygen line");
    kr = keyring(line);
    ok(kr != NULL && kr->num_keys == 1, "keygen line parses");
    sts_keyring_free(A, kr);
    ok(sts_keygen_line(line, sizeof(line), "a b") == STS_EINVAL,
       "keygen refuses a bad kid");

    /* file permissions */
    ok(mkstemp(path) >= 0, "temp file");
    f = fopen(path, "w");
    fputs(K1, f);
    fclose(f);

    chmod(path, 0644);
    rc = sts_keyring_load(A, path, &kr, err, sizeof(err));
    ok(rc == STS_EPERM && strstr(err, path) != NULL,
       "world-readable keyring refused, message names the file: %s", err);

    chmod(path, 0640);
    rc = sts_keyring_load(A, path, &kr, err, sizeof(err));
    ok(rc == STS_EPERM, "group-readable keyring refused");

    chmod(path, 0600);
    rc = sts_keyring_load(A, path, &kr, err, sizeof(err));
    ok(rc == STS_OK && kr->num_keys == 1, "0600 keyring loads");
    sts_keyring_free(A, kr);

    unlink(path);
    rc = sts_keyring_load(A, path, &kr, err, sizeof(err));
    ok(rc == STS_EIO && strstr(err, path) != NULL,
       "missing keyring: %s", err);
}


static char *
flip(const char *token, size_t pos)
{
    char  *t;

    t = strdup(token);
    t[pos] = (t[pos] == 'A') ? 'B' : 'A';
    return t;
}


static void
test_seal_open(void)
{
    int             rc;
    char           *token, *t, *rp[1];
    size_t          len, i;
    int64_t         now;
    sts_buf_t       b;
    sts_session_t   s, *o;
    sts_keyring_t  *kr, *kr2, *rotated;

    now = 1800000000;
    kr = keyring(K1 K2);
    kr2 = keyring(K2);
    rotated = keyring(K2 K1);

    rp[0] = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
            "\"Action\":[\"oss:GetObject\"],\"Resource\":[\"acs:oss:*:*:b/*\""
            "]}]}";
    session_init(&s, rp, "{\"Version\":\"1\",\"Statement\":[]}", now);

    rc = sts_token_seal(A, kr, &s, &token, &len);
    ok(rc == STS_OK, "seal");
    ok(strncmp(token, "STS1.", 5) == 0 && strlen(token) == len,
       "token text form");
    ok(len < 2048, "token size %zu < 2 KiB", len);

    rc = sts_token_open(A, kr, token, len, now + 10, &o);
    ok(rc == STS_OK, "open");
    is_str(o->access_key_id, s.access_key_id, "akid round trip");
    is_str(o->access_key_secret, s.access_key_secret, "secret round trip");
    is_str(o->role_arn, s.role_arn, "role arn round trip");
    is_str(o->session_name, "alice-phone", "session name round trip");
    is_str(o->source_arn, s.source_arn, "source arn round trip");
    is_int(o->expiration, now + 3600, "expiration round trip");
    ok(o->num_role_policies == 1 && strstr(o->role_policies[0],
       "oss:GetObject") != NULL, "role policy round trip");
    ok(o->session_policy != NULL, "session policy round trip");
    ok(sts_session_check_akid(o, s.access_key_id, strlen(s.access_key_id))
       == STS_OK, "akid matches");
    ok(sts_session_check_akid(o, "STS.other", 9) == STS_ETOKEN_MISMATCH,
       "other akid does not match");

    sts_buf_init(&b, A, 0);
    ok(sts_session_to_json(o, 0, &b) == STS_OK
       && strstr(b.data, s.access_key_secret) == NULL
       && strstr(b.data, "alice-phone") != NULL,
       "claims display hides the secret");
    sts_buf_free(&b);
    sts_session_free(A, o);

    /* two seals of the same claims differ (fresh nonce) */
    rc = sts_token_seal(A, kr, &s, &t, &len);
    ok(rc == STS_OK && strcmp(t, token) != 0, "fresh nonce per token");
    free(t);

    /* rotation: a new key prepended still opens old tokens */
    rc = sts_token_open(A, rotated, token, strlen(token), now, &o);
    ok(rc == STS_OK, "rotated keyring opens a token of the old key");
    sts_session_free(A, o);

    /* expiry */
    rc = sts_token_open(A, kr, token, strlen(token), now + 3600, &o);
    ok(rc == STS_ETOKEN_EXPIRED && o != NULL, "now == exp is expired");
    sts_session_free(A, o);
    rc = sts_token_open(A, kr, token, strlen(token), now + 3599, &o);
    ok(rc == STS_OK, "one second before exp is valid");
    sts_session_free(A, o);

    /*
     * a lifetime over STS_DURATION_MAX, sealed with the keyring's own
     * key: the tag verifies, the claims are refused
     */
    {
        char           *longer;
        sts_session_t   l;

        session_init(&l, rp, NULL, now);
        l.expiration = now + STS_DURATION_MAX;
        rc = sts_token_seal(A, kr, &l, &longer, &len);
        ok(rc == STS_OK, "a token of exactly 43200 s seals");
        rc = rc == STS_OK
             ? sts_token_open(A, kr, longer, strlen(longer), now, &o)
             : STS_EINVAL;
        ok(rc == STS_OK, "and opens");
        if (rc == STS_OK) {
            sts_session_free(A, o);
        }
        free(longer);

        l.expiration = now + STS_DURATION_MAX + 1;
        rc = sts_token_seal(A, kr, &l, &longer, &len);
        ok(rc == STS_OK, "a token of 43201 s seals");
        o = NULL;
        rc = rc == STS_OK
             ? sts_token_open(A, kr, longer, strlen(longer), now, &o)
             : STS_EINVAL;
        ok(rc == STS_ETOKEN_CLAIMS && o == NULL,
           "but does not open: its lifetime is over 43200 s (%d)", rc);
        free(longer);

        l.issued_at = now - 365 * 86400;
        l.expiration = now + 60;
        rc = sts_token_seal(A, kr, &l, &longer, &len);
        rc = rc == STS_OK
             ? sts_token_open(A, kr, longer, strlen(longer), now, &o)
             : STS_EINVAL;
        ok(rc == STS_ETOKEN_CLAIMS,
           "nor one issued a year ago that is still valid (%d)", rc);
        free(longer);
    }

    /* distinct errors */
    rc = sts_token_open(A, kr, "CAIS" "xyz", 7, now, &o);
    ok(rc == STS_ETOKEN_PREFIX && o == NULL, "prefix");
    rc = sts_token_open(A, kr, "STS1.***", 8, now, &o);
    ok(rc == STS_ETOKEN_ENCODING, "bad base64url");
    rc = sts_token_open(A, kr, token, 40, now, &o);
    ok(rc == STS_ETOKEN_ENCODING || rc == STS_ETOKEN_TAG,
       "truncated token refused (%d)", rc);
    rc = sts_token_open(A, kr2, token, strlen(token), now, &o);
    ok(rc == STS_ETOKEN_KID, "unknown kid");

    /* every single character flipped after the header fails the tag */
    len = strlen(token);
    for (i = 12; i < len - 1; i += 7) {
        t = flip(token, i);
        rc = sts_token_open(A, kr, t, len, now, &o);
        free(t);
        if (rc != STS_ETOKEN_TAG || o != NULL) {
            break;
        }
    }
    ok(i >= len - 1, "flipping any ciphertext/tag byte fails the tag");

    /* a token sealed under a key with the same kid but another secret */
    {
        sts_keyring_t  *other;

        other = keyring("k1 HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=\n");
        rc = sts_token_open(A, other, token, strlen(token), now, &o);
        ok(rc == STS_ETOKEN_TAG, "same kid, different key: tag fails");
        sts_keyring_free(A, other);
    }

    /* too large: a huge session policy */
    {
        char      *big;
        size_t     n;
        uint64_t   seed = 42;

        n = 20000;
        big = malloc(n + 64);
        strcpy(big, "{\"Version\":\"1\",\"Statement\":[],\"x\":\"");
        for (i = strlen(big); i < n; i++) {
            /* a pseudo-random, badly compressible pattern */
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            big[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(seed >> 33) % 36];
        }
        strcpy(big + n, "\"}");
        s.session_policy = big;
        rc = sts_token_seal(A, kr, &s, &t, &len);
        ok(rc == STS_ETOOBIG, "token over 8 KiB refused");
        free(big);
    }

    /* a bad policy document refuses to seal */
    s.session_policy = "{not json";
    rc = sts_token_seal(A, kr, &s, &t, &len);
    ok(rc == STS_EINVAL, "malformed policy refuses to seal");

    free(token);
    sts_keyring_free(A, kr);
    sts_keyring_free(A, kr2);
    sts_keyring_free(A, rotated);
}


static void
test_credentials(void)
{
    char    akid[STS_AKID_LEN + 1], secret[STS_SECRET_LEN + 1];
    char    akid2[STS_AKID_LEN + 1], secret2[STS_SECRET_LEN + 1];
    size_t  i;
    int     good;

    ok(sts_credentials_generate(akid, secret) == STS_OK
       && sts_credentials_generate(akid2, secret2) == STS_OK,
       "generate credentials");
    ok(strncmp(akid, "STS.", 4) == 0 && strlen(akid) == STS_AKID_LEN,
       "akid shape %s", akid);
    ok(strlen(secret) == STS_SECRET_LEN, "secret length");
    ok(strcmp(akid, akid2) != 0 && strcmp(secret, secret2) != 0,
       "credentials are random");

    good = 1;
    for (i = 4; i < STS_AKID_LEN; i++) {
        if (strchr("0OIl", akid[i]) != NULL) {
            good = 0;
        }
    }
    ok(good, "akid is base58");
}


int
main(void)
{
    test_keyring();
    test_seal_open();
    test_credentials();

    return tap_done();
}
