/*
 * Copyright (C) nginx-sts authors
 */

#include <stdlib.h>
#include <string.h>


#include "sts_cache.h"


#define STS_CACHE_MAX  10000000


/*
 * Entries allocate through a metering allocator: a size header before
 * each block keeps the live byte count exact (the memory figure of
 * sts_cache_stats), including what is freed while opening a token.
 */
typedef struct {
    size_t  bytes;
} sts_cache_meter_t;

typedef struct sts_centry_s  sts_centry_t;
typedef struct sts_cpol_s    sts_cpol_t;


/*
 * A compiled policy shared by every cached token whose token carries the
 * same text (the same role or session policy): found by the SHA-256 of
 * the text, freed with the last token that holds it, so there are never
 * more than the cached tokens hold.
 */
struct sts_cpol_s {
    unsigned char    digest[STS_SHA256_LEN];
    size_t           refs;
    sts_policy_t    *policy;
    sts_cpol_t      *next;              /* hash chain */
};

struct sts_centry_s {
    uint64_t         hash;              /* of the token text */
    char            *token;             /* the token text itself */
    size_t           token_len;
    sts_centry_t    *hnext;             /* hash chain */
    sts_centry_t    *prev;              /* LRU, most recent first */
    sts_centry_t    *next;
    sts_session_t   *session;
    sts_policy_t   **role;
    size_t           num_role;
    sts_policy_t    *session_policy;
    sts_cpol_t     **cpol;              /* num_role, then the session's */
    sts_sign_keys_t  keys;              /* wiped with the entry */
    size_t           bytes;
    sts_cache_meter_t  meter;
    sts_allocator_t    a;                /* metering, over malloc */
};


struct sts_cache_s {
    sts_centry_t      **buckets;
    size_t              mask;
    size_t              max;
    sts_centry_t       *head;           /* most recently used */
    sts_centry_t       *tail;           /* least recently used */
    sts_centry_t       *parked;         /* an expired token, one call */
    sts_cache_stats_t   stats;
    sts_cpol_t        **policies;       /* shared compiled policies */
    size_t              policies_mask;
    sts_cache_meter_t   policies_meter;
    sts_allocator_t     policies_a;
};


static int sts_cache_policy(sts_cache_t *c, const char *text, size_t len,
    sts_cpol_t **out, char *err, size_t err_len);
static void sts_cache_policy_release(sts_cache_t *c, sts_cpol_t *cp);


#define STS_CACHE_HDR  16


static void *
sts_cache_alloc(void *ctx, size_t size)
{
    unsigned char      *p;
    sts_cache_meter_t  *m = ctx;

    if (size > (size_t) -1 - STS_CACHE_HDR) {
        return NULL;
    }

    p = malloc(STS_CACHE_HDR + size);
    if (p == NULL) {
        return NULL;
    }

    memcpy(p, &size, sizeof(size_t));
    m->bytes += size;

    return p + STS_CACHE_HDR;
}


static void
sts_cache_dealloc(void *ctx, void *p)
{
    size_t              size;
    unsigned char      *b;
    sts_cache_meter_t  *m = ctx;

    b = (unsigned char *) p - STS_CACHE_HDR;
    memcpy(&size, b, sizeof(size_t));
    m->bytes -= size;
    free(b);
}


int
sts_cache_create(size_t max_entries, sts_cache_t **out)
{
    size_t        n;
    sts_cache_t  *c;

    *out = NULL;

    if (max_entries == 0 || max_entries > STS_CACHE_MAX) {
        return STS_EINVAL;
    }

    c = calloc(1, sizeof(sts_cache_t));
    if (c == NULL) {
        return STS_ENOMEM;
    }

    /* a power of two at least twice the entries: short chains */
    n = 16;
    while (n < max_entries * 2) {
        n *= 2;
    }

    c->buckets = calloc(n, sizeof(sts_centry_t *));
    if (c->buckets == NULL) {
        free(c);
        return STS_ENOMEM;
    }

    /* shared policies: fewer than the tokens, most often */
    c->policies = calloc(n / 2, sizeof(sts_cpol_t *));
    if (c->policies == NULL) {
        free(c->buckets);
        free(c);
        return STS_ENOMEM;
    }

    c->policies_mask = n / 2 - 1;
    c->policies_a.alloc = sts_cache_alloc;
    c->policies_a.free = sts_cache_dealloc;
    c->policies_a.ctx = &c->policies_meter;

    c->mask = n - 1;
    c->max = max_entries;
    *out = c;

    return STS_OK;
}


static void
sts_centry_free(sts_cache_t *c, sts_centry_t *e)
{
    size_t                   i;
    const sts_allocator_t   *a = &e->a;

    if (e->cpol != NULL) {
        for (i = 0; i <= e->num_role; i++) {
            sts_cache_policy_release(c, e->cpol[i]);
        }
    }

    sts_free(a, e->cpol);
    sts_free(a, e->role);
    sts_free(a, e->token);
    sts_session_free(a, e->session);     /* wipes the secret */
    sts_wipe(e, sizeof(sts_centry_t));
    free(e);
}


void
sts_cache_free(sts_cache_t *c)
{
    sts_centry_t  *e, *next;

    if (c == NULL) {
        return;
    }

    for (e = c->head; e != NULL; e = next) {
        next = e->next;
        sts_centry_free(c, e);
    }

    if (c->parked != NULL) {
        sts_centry_free(c, c->parked);
    }

    free(c->buckets);
    free(c->policies);
    free(c);
}


/*
 * A multiply-xorshift hash over the token text, eight bytes at a time: a
 * cheap spread over the buckets.  It need not resist collisions: a hit
 * compares the whole token text, and only tokens that opened (sealed with
 * the keyring) are ever cached, so nobody without the keys can choose
 * what lands in a bucket.
 */
static uint64_t
sts_cache_hash(const char *p, size_t len)
{
    size_t    i;
    uint64_t  h, w;

    h = 0x9e3779b97f4a7c15ULL ^ len;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }

    for (; i < len; i++) {
        h = (h ^ (unsigned char) p[i]) * 0xc4ceb9fe1a85ec53ULL;
    }

    return h ^ (h >> 29);
}


static size_t
sts_cache_slot(const sts_cache_t *c, uint64_t hash)
{
    return (size_t) (hash ^ (hash >> 32)) & c->mask;
}


static void
sts_cache_unlink(sts_cache_t *c, sts_centry_t *e)
{
    sts_centry_t  **pp;

    for (pp = &c->buckets[sts_cache_slot(c, e->hash)]; *pp != NULL;
         pp = &(*pp)->hnext)
    {
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    }

    if (e->prev != NULL) {
        e->prev->next = e->next;
    } else {
        c->head = e->next;
    }

    if (e->next != NULL) {
        e->next->prev = e->prev;
    } else {
        c->tail = e->prev;
    }

    c->stats.entries--;
    c->stats.bytes -= e->bytes;
}


static void
sts_cache_push_front(sts_cache_t *c, sts_centry_t *e)
{
    e->prev = NULL;
    e->next = c->head;

    if (c->head != NULL) {
        c->head->prev = e;
    }

    c->head = e;

    if (c->tail == NULL) {
        c->tail = e;
    }
}


static void
sts_cache_fill(sts_centry_t *e, sts_cached_token_t *out)
{
    out->session = e->session;
    out->role = (const sts_policy_t *const *) e->role;
    out->num_role = e->num_role;
    out->session_policy = e->session_policy;
    out->keys = &e->keys;
}


int
sts_cache_open(sts_cache_t *c, const sts_keyring_t *kr, const char *token,
    size_t token_len, int64_t now, sts_cached_token_t *out, char *err,
    size_t err_len)
{
    int                 rc;
    size_t              i, slot;
    sts_centry_t       *e;
    uint64_t            hash;

    memset(out, 0, sizeof(sts_cached_token_t));
    if (err_len) {
        err[0] = '\0';
    }

    if (c->parked != NULL) {
        sts_centry_free(c, c->parked);
        c->parked = NULL;
    }

    if (token_len > STS_TOKEN_MAX) {
        return STS_ETOKEN_ENCODING;
    }

    hash = sts_cache_hash(token, token_len);
    slot = sts_cache_slot(c, hash);

    for (e = c->buckets[slot]; e != NULL; e = e->hnext) {
        if (e->hash == hash && e->token_len == token_len
            && memcmp(e->token, token, token_len) == 0)
        {
            break;
        }
    }

    if (e != NULL) {
        if (now < e->session->expiration) {
            /* a hit: to the front of the LRU list */
            if (c->head != e) {
                e->prev->next = e->next;

                if (e->next != NULL) {
                    e->next->prev = e->prev;
                } else {
                    c->tail = e->prev;
                }

                sts_cache_push_front(c, e);
            }

            c->stats.hits++;
            sts_cache_fill(e, out);
            return STS_OK;
        }

        /* expired: dropped, then opened again below to report it */
        sts_cache_unlink(c, e);
        sts_centry_free(c, e);
        c->stats.expired++;
    }

    c->stats.misses++;

    e = calloc(1, sizeof(sts_centry_t));
    if (e == NULL) {
        return STS_ENOMEM;
    }

    e->meter.bytes = sizeof(sts_centry_t);
    e->a.alloc = sts_cache_alloc;
    e->a.free = sts_cache_dealloc;
    e->a.ctx = &e->meter;

    rc = sts_token_open(&e->a, kr, token, token_len, now, &e->session);

    if (rc == STS_ETOKEN_EXPIRED) {
        /* not cached; kept until the next call so the caller can log it */
        c->parked = e;
        out->session = e->session;
        return rc;
    }

    if (rc != STS_OK) {
        sts_centry_free(c, e);
        return rc;
    }

    e->role = sts_calloc(&e->a, (e->session->num_role_policies + 1)
                                * sizeof(sts_policy_t *));
    e->cpol = sts_calloc(&e->a, (e->session->num_role_policies + 1)
                                * sizeof(sts_cpol_t *));
    if (e->role == NULL || e->cpol == NULL) {
        sts_centry_free(c, e);
        return STS_ENOMEM;
    }

    for (i = 0; i < e->session->num_role_policies; i++) {
        rc = sts_cache_policy(c, e->session->role_policies[i],
                              strlen(e->session->role_policies[i]),
                              &e->cpol[i], err, err_len);
        if (rc != STS_OK) {
            sts_centry_free(c, e);
            return rc == STS_ENOMEM ? rc : STS_ETOKEN_CLAIMS;
        }

        e->role[i] = e->cpol[i]->policy;
        e->num_role++;
    }

    if (e->session->session_policy != NULL) {
        rc = sts_cache_policy(c, e->session->session_policy,
                              strlen(e->session->session_policy),
                              &e->cpol[e->num_role], err, err_len);
        if (rc != STS_OK) {
            sts_centry_free(c, e);
            return rc == STS_ENOMEM ? rc : STS_ETOKEN_CLAIMS;
        }

        e->session_policy = e->cpol[e->num_role]->policy;
    }

    e->token = sts_strndup(&e->a, token, token_len);
    if (e->token == NULL) {
        sts_centry_free(c, e);
        return STS_ENOMEM;
    }

    e->hash = hash;
    e->token_len = token_len;
    e->bytes = e->meter.bytes;

    if (c->stats.entries == c->max) {
        sts_centry_t  *lru = c->tail;

        sts_cache_unlink(c, lru);
        sts_centry_free(c, lru);
        c->stats.evictions++;
    }

    e->hnext = c->buckets[slot];
    c->buckets[slot] = e;
    sts_cache_push_front(c, e);
    c->stats.entries++;
    c->stats.bytes += e->bytes;

    sts_cache_fill(e, out);

    return STS_OK;
}


void
sts_cache_stats(const sts_cache_t *c, sts_cache_stats_t *out)
{
    *out = c->stats;
    out->bytes += c->policies_meter.bytes;
}


/*
 * The compiled form of the policy |text|, shared: one more holder of the
 * one already compiled from the same text, or compiled now.  STS_OK, or
 * what sts_policy_compile returned (|err| set).
 */
static int
sts_cache_policy(sts_cache_t *c, const char *text, size_t len,
    sts_cpol_t **out, char *err, size_t err_len)
{
    int             rc;
    size_t          slot;
    uint64_t        h;
    sts_cpol_t     *cp;
    unsigned char   digest[STS_SHA256_LEN];

    *out = NULL;

    rc = sts_digest(STS_HASH_SHA256, text, len, digest);
    if (rc != STS_OK) {
        return rc;
    }

    memcpy(&h, digest, sizeof(h));
    slot = (size_t) h & c->policies_mask;

    for (cp = c->policies[slot]; cp != NULL; cp = cp->next) {
        if (memcmp(cp->digest, digest, STS_SHA256_LEN) == 0) {
            cp->refs++;
            *out = cp;
            return STS_OK;
        }
    }

    cp = sts_calloc(&c->policies_a, sizeof(sts_cpol_t));
    if (cp == NULL) {
        return STS_ENOMEM;
    }

    rc = sts_policy_compile(&c->policies_a, text, len, STS_POLICY_IDENTITY,
                            &cp->policy, err, err_len);
    if (rc != STS_OK) {
        sts_free(&c->policies_a, cp);
        return rc;
    }

    memcpy(cp->digest, digest, STS_SHA256_LEN);
    cp->refs = 1;
    cp->next = c->policies[slot];
    c->policies[slot] = cp;
    c->stats.policies++;

    *out = cp;

    return STS_OK;
}


/* one holder less; the last frees the compiled policy (NULL ok) */
static void
sts_cache_policy_release(sts_cache_t *c, sts_cpol_t *cp)
{
    uint64_t      h;
    sts_cpol_t  **pp;

    if (cp == NULL || --cp->refs > 0) {
        return;
    }

    memcpy(&h, cp->digest, sizeof(h));

    for (pp = &c->policies[(size_t) h & c->policies_mask]; *pp != NULL;
         pp = &(*pp)->next)
    {
        if (*pp == cp) {
            *pp = cp->next;
            break;
        }
    }

    sts_policy_free(&c->policies_a, cp->policy);
    sts_free(&c->policies_a, cp);
    c->stats.policies--;
}
