/*
 * Copyright (C) nginx-sts authors
 *
 * sts_cache: a bounded LRU cache of opened tokens, each with its role and
 * session policies compiled (one compiled form for every token that
 * carries the same policy text), found by a hash of the token text and
 * confirmed by comparing the whole text, with the keys its secret derives
 * (sts_sign_keys_t), wiped with it.  One cache per nginx worker: no
 * locks.  A hit costs a hash, a lookup and a comparison; no AEAD, no JSON,
 * no allocation.
 */

#ifndef STS_CACHE_H_INCLUDED
#define STS_CACHE_H_INCLUDED


#include "sts_util.h"
#include "sts_policy.h"
#include "sts_token.h"
#include "sts_sign.h"


typedef struct sts_cache_s  sts_cache_t;


/* What a cached token gives: read-only, valid until the next cache call. */
typedef struct {
    const sts_session_t         *session;
    const sts_policy_t *const   *role;           /* num_role compiled */
    size_t                       num_role;
    const sts_policy_t          *session_policy; /* NULL when none */
    sts_sign_keys_t             *keys;           /* of the token's secret */
} sts_cached_token_t;


/* counters since creation */
typedef struct {
    uint64_t  hits;
    uint64_t  misses;
    uint64_t  evictions;
    uint64_t  expired;
    size_t    entries;
    size_t    bytes;         /* approximate memory held by entries */
    size_t    policies;      /* compiled policies, each shared by the
                                tokens that carry its text */
} sts_cache_stats_t;


/*
 * sts_cache_create makes an empty cache holding at most |max_entries|
 * tokens (1..10,000,000), with memory from malloc.  STS_OK, STS_EINVAL,
 * STS_ENOMEM.
 */
int sts_cache_create(size_t max_entries, sts_cache_t **out) STS_WUR;

/* sts_cache_free wipes every secret and frees the cache (NULL ok). */
void sts_cache_free(sts_cache_t *c);

/*
 * sts_cache_open returns the opened token |token| through *out: from the
 * cache when present and not expired, else by sts_token_open with |kr|,
 * compiling its policies (then cached, evicting the least recently used
 * entry when full).  Returns what sts_token_open would (STS_OK, a
 * STS_ETOKEN_* code; STS_ETOKEN_EXPIRED with *out set so callers can log
 * who it was), or STS_ETOKEN_CLAIMS when a policy in the token does not
 * compile (with the compiler's message in |err|).  Failed and expired
 * tokens are not cached.  *out is valid until the next call on |c|.
 */
int sts_cache_open(sts_cache_t *c, const sts_keyring_t *kr,
    const char *token, size_t token_len, int64_t now,
    sts_cached_token_t *out, char *err, size_t err_len) STS_WUR;

/* sts_cache_stats copies the counters. */
void sts_cache_stats(const sts_cache_t *c, sts_cache_stats_t *out);


#endif /* STS_CACHE_H_INCLUDED */
