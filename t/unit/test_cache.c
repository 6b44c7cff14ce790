/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_cache: hits, misses, LRU eviction, expiry, failures
 * not cached, and policies compiled once.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_cache.h"
#include "tap.h"


#define K1  "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"

static const sts_allocator_t  *A = &sts_malloc_allocator;


static char *
mint(const sts_keyring_t *kr, int64_t now, int n, const char *sp)
{
    char           *token, akid[64], *rp[1];
    size_t          len;
    sts_session_t   s;

    snprintf(akid, sizeof(akid), "STS.cache%08d", n);
    rp[0] = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
            "\"Action\":\"oss:GetObject\",\"Resource\":\"acs:oss:*:*:b/*\"}]}";

    memset(&s, 0, sizeof(s));
    s.version = 1;
    s.access_key_id = akid;
    s.access_key_secret = "secret-secret-secret-secret-secret";
    s.issued_at = now;
    s.expiration = now + 900;
    s.account_id = "1";
    s.role_arn = "acs:ram::1:role/r";
    s.session_name = "s";
    s.role_policies = rp;
    s.num_role_policies = 1;
    s.session_policy = (char *) sp;

    if (sts_token_seal(A, kr, &s, &token, &len) != STS_OK) {
        return NULL;
    }

    return token;
}


int
main(void)
{
    int                  rc, i;
    char                 err[256], *t[5];
    int64_t              now;
    sts_cache_t         *c;
    sts_keyring_t       *kr;
    sts_cache_stats_t    st;
    sts_cached_token_t   ct;
    sts_policy_result_t  res;
    sts_str_t            act = sts_string("oss:GetObject");
    sts_str_t            resrc = sts_string("acs:oss:*:*:b/k");

    now = 1800000000;
    ok(sts_keyring_parse(A, K1, strlen(K1), &kr, err, sizeof(err)) == STS_OK,
       "keyring");
    ok(sts_cache_create(0, &c) == STS_EINVAL, "zero entries refused");
    ok(sts_cache_create(3, &c) == STS_OK, "cache of 3");

    for (i = 0; i < 5; i++) {
        t[i] = mint(kr, now, i, i == 4 ? "{\"Version\":\"1\",\"Statement\":[]}"
                                       : NULL);
    }

    rc = sts_cache_open(c, kr, t[0], strlen(t[0]), now, &ct, err,
                        sizeof(err));
    ok(rc == STS_OK && ct.session != NULL && ct.num_role == 1
       && ct.session_policy == NULL, "miss opens and compiles");
    ok(strcmp(ct.session->access_key_id, "STS.cache00000000") == 0,
       "session claims");
    ok(sts_policy_evaluate(ct.role, ct.num_role, ct.session_policy, act,
                           resrc, NULL, &res) == STS_OK
       && res.decision == STS_POLICY_ALLOW, "compiled policy evaluates");

    rc = sts_cache_open(c, kr, t[0], strlen(t[0]), now + 1, &ct, err,
                        sizeof(err));
    sts_cache_stats(c, &st);
    ok(rc == STS_OK && st.hits == 1 && st.misses == 1 && st.entries == 1,
       "second open is a hit");
    ok(st.bytes > 0 && st.bytes < 4096, "entry memory %zu bytes", st.bytes);

    /* fill: t0 t1 t2, touch t0, add t3: t1 (LRU) goes */
    (void) !sts_cache_open(c, kr, t[1], strlen(t[1]), now, &ct, err, 256);
    (void) !sts_cache_open(c, kr, t[2], strlen(t[2]), now, &ct, err, 256);
    (void) !sts_cache_open(c, kr, t[0], strlen(t[0]), now, &ct, err, 256);
    (void) !sts_cache_open(c, kr, t[3], strlen(t[3]), now, &ct, err, 256);
    sts_cache_stats(c, &st);
    ok(st.entries == 3 && st.evictions == 1, "bounded: one eviction");

    (void) !sts_cache_open(c, kr, t[0], strlen(t[0]), now, &ct, err, 256);
    sts_cache_stats(c, &st);
    ok(st.hits == 3, "recently used t0 stayed");
    (void) !sts_cache_open(c, kr, t[1], strlen(t[1]), now, &ct, err, 256);
    sts_cache_stats(c, &st);
    ok(st.misses == 5, "least recently used t1 was evicted");

    /* expiry: a cached token past its expiration is not served */
    rc = sts_cache_open(c, kr, t[0], strlen(t[0]), now + 900, &ct, err,
                        sizeof(err));
    sts_cache_stats(c, &st);
    ok(rc == STS_ETOKEN_EXPIRED && ct.session != NULL && st.expired == 1,
       "expired entry dropped, reported with its session");
    ok(st.entries == 2, "expired entry is gone");

    /* failures are not cached */
    t[0][20] ^= 1;
    rc = sts_cache_open(c, kr, t[0], strlen(t[0]), now, &ct, err,
                        sizeof(err));
    ok(rc == STS_ETOKEN_TAG || rc == STS_ETOKEN_ENCODING,
       "tampered token refused (%d)", rc);
    sts_cache_stats(c, &st);
    ok(st.entries == 2, "failure not cached");

    rc = sts_cache_open(c, kr, t[4], strlen(t[4]), now, &ct, err,
                        sizeof(err));
    ok(rc == STS_OK && ct.session_policy != NULL, "session policy compiled");
    ok(sts_policy_evaluate(ct.role, ct.num_role, ct.session_policy, act,
                           resrc, NULL, &res) == STS_OK
       && res.decision == STS_POLICY_IMPLICIT_DENY,
       "empty session policy narrows to nothing");

    /*
     * one compiled form per policy text: t2, t3 (and t1 evicted, then
     * back) share the role policy, t4 adds its session policy
     */
    sts_cache_stats(c, &st);
    ok(st.entries == 3 && st.policies == 2,
       "3 tokens, 2 policy texts: %zu compiled", st.policies);

    {
        const sts_policy_t  *shared;

        (void) !sts_cache_open(c, kr, t[2], strlen(t[2]), now, &ct, err,
                               256);
        shared = ct.role[0];
        (void) !sts_cache_open(c, kr, t[3], strlen(t[3]), now, &ct, err,
                               256);
        ok(ct.role[0] == shared, "tokens with one role policy share it");
    }

    /* evictions release them; the last holder frees one */
    t[0][20] ^= 1;
    for (i = 0; i < 3; i++) {
        (void) !sts_cache_open(c, kr, t[i], strlen(t[i]), now + 100, &ct,
                               err, 256);
    }
    sts_cache_stats(c, &st);
    ok(st.entries == 3 && st.policies == 1,
       "session policy freed with its last token (%zu left)", st.policies);
    ok(sts_policy_evaluate(ct.role, ct.num_role, ct.session_policy, act,
                           resrc, NULL, &res) == STS_OK
       && res.decision == STS_POLICY_ALLOW, "shared policy evaluates");

    for (i = 0; i < 5; i++) {
        free(t[i]);
    }

    sts_cache_free(c);
    sts_keyring_free(A, kr);

    return tap_done();
}
