/*
 * Copyright (C) nginx-sts authors
 *
 * bench/cache: what the per-worker token cache costs and saves.
 *
 *   - memory: process RSS with 0, 10,000 and 100,000 tokens cached
 *     (the growth a worker sees), and the cache's own count of bytes;
 *   - time: nanoseconds per sts_cache_open for a hit and for a miss (a
 *     token opened with AES-256-GCM, its JSON parsed, its policies
 *     compiled), against sts_token_open alone and a SHA-256 of the token
 *     as baselines measured in the same run.
 *
 *   make bench && build/bench/cache [tokens]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "sts_cache.h"


static const sts_allocator_t  *A = &sts_malloc_allocator;


static double
now_ns(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}


static long
rss_kib(void)
{
    long   pages, resident;
    FILE  *f;

    f = fopen("/proc/self/statm", "r");
    if (f == NULL || fscanf(f, "%ld %ld", &pages, &resident) != 2) {
        if (f) {
            fclose(f);
        }
        return -1;
    }

    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}


static char *
mint(const sts_keyring_t *kr, int64_t now, size_t n)
{
    char           *token, akid[64], *rp[1];
    size_t          len;
    sts_session_t   s;

    snprintf(akid, sizeof(akid), "STS.bench%020zu", n);

    /* a typical role policy: one statement, a few actions */
    rp[0] = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
            "\"Action\":[\"oss:GetObject\",\"oss:PutObject\","
            "\"oss:DeleteObject\",\"oss:ListObjects\"],\"Resource\":"
            "[\"acs:oss:*:*:demo-bucket\",\"acs:oss:*:*:demo-bucket/*\"]}]}";

    memset(&s, 0, sizeof(s));
    s.version = 1;
    s.access_key_id = akid;
    s.access_key_secret = "BenchSecret0123456789abcdefghijklmnopqrs";
    s.issued_at = now;
    s.expiration = now + 3600;
    s.account_id = "1234567890123456";
    s.role_arn = "acs:ram::1234567890123456:role/app";
    s.role_id = "300800000000000001";
    s.session_name = "bench-session";
    s.source_arn = "acs:ram::1234567890123456:user/appserver";
    s.role_policies = rp;
    s.num_role_policies = 1;

    if (sts_token_seal(A, kr, &s, &token, &len) != STS_OK) {
        fprintf(stderr, "cannot seal\n");
        exit(1);
    }

    return token;
}


int
main(int argc, char **argv)
{
    int                  rc;
    char                 err[256], line[128], **tokens;
    size_t               i, n, marks[3], m, rounds;
    long                 rss0, rss;
    double               t0, t_hit, t_miss, t_open, t_sha;
    int64_t              now;
    sts_cache_t         *c;
    sts_keyring_t       *kr;
    sts_session_t       *s;
    sts_cache_stats_t    st;
    sts_cached_token_t   ct;
    unsigned char        digest[SHA256_DIGEST_LENGTH];

    n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    marks[0] = 0;
    marks[1] = n / 10;
    marks[2] = n;
    now = time(NULL);

    if (sts_keygen_line(line, sizeof(line), "bench") != STS_OK
        || sts_keyring_parse(A, line, strlen(line), &kr, err, sizeof(err))
           != STS_OK)
    {
        fprintf(stderr, "keyring: %s\n", err);
        return 1;
    }

    tokens = malloc(n * sizeof(char *));
    for (i = 0; i < n; i++) {
        tokens[i] = mint(kr, now, i);
    }

    printf("token cache benchmark: %zu tokens of %zu bytes, one role "
           "policy\n\n", n, strlen(tokens[0]));

    if (sts_cache_create(n, &c) != STS_OK) {
        return 1;
    }

    /* memory */
    rss0 = rss_kib();
    printf("  cached tokens   RSS growth     per token   cache's count\n");

    i = 0;
    for (m = 0; m < 3; m++) {
        for (; i < marks[m]; i++) {
            rc = sts_cache_open(c, kr, tokens[i], strlen(tokens[i]), now,
                                &ct, err, sizeof(err));
            if (rc != STS_OK) {
                fprintf(stderr, "open: %s\n", sts_strerror(rc));
                return 1;
            }
        }

        rss = rss_kib();
        sts_cache_stats(c, &st);
        printf("  %13zu %10ld KiB %9.0f B %11zu B/token\n", marks[m],
               rss - rss0,
               marks[m] ? (rss - rss0) * 1024.0 / marks[m] : 0.0,
               st.entries ? st.bytes / st.entries : 0);
    }

    /* time: hits, then misses on a fresh cache, then the baselines */
    rounds = n < 100000 ? n : 100000;

    t0 = now_ns();
    for (i = 0; i < rounds; i++) {
        (void) !sts_cache_open(c, kr, tokens[i], strlen(tokens[i]), now,
                               &ct, err, sizeof(err));
    }
    t_hit = (now_ns() - t0) / rounds;

    sts_cache_free(c);
    if (sts_cache_create(n, &c) != STS_OK) {
        return 1;
    }

    t0 = now_ns();
    for (i = 0; i < rounds; i++) {
        (void) !sts_cache_open(c, kr, tokens[i], strlen(tokens[i]), now,
                               &ct, err, sizeof(err));
    }
    t_miss = (now_ns() - t0) / rounds;

    t0 = now_ns();
    for (i = 0; i < rounds; i++) {
        if (sts_token_open(A, kr, tokens[i], strlen(tokens[i]), now, &s)
            == STS_OK)
        {
            sts_session_free(A, s);
        }
    }
    t_open = (now_ns() - t0) / rounds;

    t0 = now_ns();
    for (i = 0; i < rounds; i++) {
        SHA256((unsigned char *) tokens[i], strlen(tokens[i]), digest);
    }
    t_sha = (now_ns() - t0) / rounds;

    printf("\n  operation                        ns/op    x SHA-256\n");
    printf("  SHA-256 of the token (baseline) %7.0f %10.1f\n", t_sha, 1.0);
    printf("  cache hit                       %7.0f %10.1f\n", t_hit,
           t_hit / t_sha);
    printf("  cache miss (open + compile)     %7.0f %10.1f\n", t_miss,
           t_miss / t_sha);
    printf("  token open alone, no cache      %7.0f %10.1f\n", t_open,
           t_open / t_sha);
    printf("  a miss costs %.0f hits\n", t_miss / t_hit);

    for (i = 0; i < n; i++) {
        free(tokens[i]);
    }

    free(tokens);
    sts_cache_free(c);
    sts_keyring_free(A, kr);

    return 0;
}
