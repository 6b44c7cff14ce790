/*
 * Copyright (C) nginx-sts authors
 *
 * A keyed table in shared memory, for every worker and kept across
 * reloads of the same size: the use counts of presigned URLs, the
 * multipart uploads of the grace window, the STS endpoint's nonces and
 * the buckets of the issuance limits.  Keys are 32-byte digests; each
 * entry holds a small value (ngx_http_sts_shm_value_t): its expiry, a
 * counter and a time of the caller's own.  A zone has one unit of time,
 * its callers': seconds, or milliseconds for the issuance limits.
 *
 * An rbtree finds an entry, a queue orders them from the least recently
 * touched; both live in a slab pool under its mutex.  Expired entries are
 * dropped a few at a time on every call, and all of them before the table
 * is declared full.  A live entry is never evicted: forgetting one would
 * give back the uses of a URL, a nonce or a limit, so a full table
 * refuses instead.
 *
 * An entry may have an owner (the digest of a credential): then the
 * owner holds at most its share of the table, the zone's max_per_key or
 * by default an eighth of what the zone holds, and a new entry over it
 * is refused to that owner only (NGX_HTTP_STS_SHM_OVER), so that one
 * credential cannot fill the table for everyone.  An owner is a node of
 * a second tree counting its live entries; it goes with its last entry.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_shm.h"
#include "core/sts_state.h"


#define NGX_HTTP_STS_SHM_EXPIRE_STEP  4
#define NGX_HTTP_STS_SHM_SHARE        8      /* an owner's share: 1/8 */


typedef struct {
    ngx_rbtree_t                 rbtree;
    ngx_rbtree_node_t            sentinel;
    ngx_rbtree_t                 owners;
    ngx_rbtree_node_t            owners_sentinel;
    ngx_queue_t                  queue;        /* least recently touched */
    ngx_uint_t                   count;
    ngx_uint_t                   full;         /* "full" was logged */
    ngx_uint_t                   capacity;     /* entries the zone holds */
    time_t                       swept;        /* every expired one gone */
    ngx_atomic_t                 counters[NGX_HTTP_STS_SHM_COUNTERS];
} ngx_http_sts_shm_sh_t;


typedef struct {
    ngx_http_sts_shm_sh_t       *sh;
    ngx_slab_pool_t             *shpool;
    ngx_str_t                    directive;    /* named in the logs */
    ngx_uint_t                   max_per_key;  /* configured, 0: a share */
    ngx_uint_t                   quota;        /* entries of one owner */
} ngx_http_sts_shm_ctx_t;


typedef struct {
    ngx_rbtree_node_t            node;         /* key: digest's first bytes */
    ngx_queue_t                  queue;
    ngx_http_sts_shm_value_t     value;        /* an owner's: its entries */
    u_char                       key[NGX_HTTP_STS_SHM_KEY_LEN];
    void                        *owner;        /* an entry's, or NULL */
} ngx_http_sts_shm_node_t;


typedef struct {
    time_t                       expires;
    ngx_uint_t                   limit;
} ngx_http_sts_shm_charge_t;


static ngx_int_t ngx_http_sts_shm_update_locked(ngx_http_sts_shm_ctx_t *ctx,
    const u_char *key, const u_char *owner, time_t now,
    ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v);
static ngx_int_t ngx_http_sts_shm_over(ngx_http_sts_shm_ctx_t *ctx,
    const u_char *owner, time_t now, ngx_http_sts_shm_value_t *v);
static ngx_int_t ngx_http_sts_shm_own(ngx_http_sts_shm_ctx_t *ctx,
    ngx_http_sts_shm_node_t *n, const u_char *owner);
static void ngx_http_sts_shm_drop(ngx_http_sts_shm_ctx_t *ctx,
    ngx_http_sts_shm_node_t *n);
static ngx_int_t ngx_http_sts_shm_charge_handler(ngx_http_sts_shm_value_t *v,
    time_t now, void *data);
static ngx_http_sts_shm_node_t *ngx_http_sts_shm_lookup(ngx_rbtree_t *tree,
    const u_char *key);
static void ngx_http_sts_shm_expire(ngx_http_sts_shm_ctx_t *ctx, time_t now,
    ngx_uint_t all);
static void ngx_http_sts_shm_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_int_t ngx_http_sts_shm_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_sts_shm_set_quota(ngx_http_sts_shm_ctx_t *ctx);


ngx_shm_zone_t *
ngx_http_sts_shm_add(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *directive,
    size_t size)
{
    ngx_shm_zone_t          *shm_zone;
    ngx_http_sts_shm_ctx_t  *ctx;

    shm_zone = ngx_shared_memory_add(cf, name, size, &ngx_http_sts_module);
    if (shm_zone == NULL) {
        return NULL;
    }

    if (shm_zone->data == NULL) {
        ctx = ngx_pcalloc(cf->pool, sizeof(ngx_http_sts_shm_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ctx->directive = *directive;
        shm_zone->data = ctx;
        shm_zone->init = ngx_http_sts_shm_init_zone;
    }

    return shm_zone;
}


/* max_per_key of the zone: entries of one owner at most, 0: a share */

void
ngx_http_sts_shm_set_max_per_key(ngx_shm_zone_t *zone, ngx_uint_t max)
{
    ngx_http_sts_shm_ctx_t  *ctx;

    ctx = zone->data;
    ctx->max_per_key = max;
}


/*
 * Finds or adds the entry of |key| and lets |handler| change a copy of its
 * value, under the zone's lock; a new entry, or an expired one not dropped
 * yet, comes with a zeroed value.  The handler's NGX_OK keeps the copy and
 * makes the entry the most recently touched; any other code leaves the
 * table as it was and is returned.  NGX_BUSY when a new entry does not
 * fit (*v then holds the number of live entries in v->count), NGX_ERROR
 * without a zone.
 */
ngx_int_t
ngx_http_sts_shm_update(ngx_shm_zone_t *zone, const u_char *key, time_t now,
    ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v)
{
    return ngx_http_sts_shm_update_owned(zone, key, NULL, now, handler, data,
                                         v);
}


/*
 * As ngx_http_sts_shm_update, and a new entry belongs to |owner| (a
 * 32-byte digest): NGX_HTTP_STS_SHM_OVER when the owner holds its share
 * already (*v then holds its number of entries in v->count, and v->last
 * is 1 the first time since it held none).  An entry the table holds is
 * found and changed as always, over the share or not.
 */
ngx_int_t
ngx_http_sts_shm_update_owned(ngx_shm_zone_t *zone, const u_char *key,
    const u_char *owner, time_t now, ngx_http_sts_shm_handler_pt handler,
    void *data, ngx_http_sts_shm_value_t *v)
{
    ngx_int_t                rc;
    ngx_http_sts_shm_ctx_t  *ctx;

    ctx = (zone != NULL) ? zone->data : NULL;

    if (ctx == NULL || ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&ctx->shpool->mutex);
    rc = ngx_http_sts_shm_update_locked(ctx, key, owner, now, handler, data,
                                        v);
    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return rc;
}


static ngx_int_t
ngx_http_sts_shm_update_locked(ngx_http_sts_shm_ctx_t *ctx,
    const u_char *key, const u_char *owner, time_t now,
    ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v)
{
    ngx_int_t                 rc;
    ngx_http_sts_shm_node_t  *n;

    ngx_http_sts_shm_expire(ctx, now, 0);

    n = ngx_http_sts_shm_lookup(&ctx->sh->rbtree, key);

    if (n != NULL) {
        if (n->value.expires > now) {
            *v = n->value;

        } else {
            /* expired but not dropped yet: as if it were not there */
            ngx_memzero(v, sizeof(ngx_http_sts_shm_value_t));
        }

        rc = handler(v, now, data);

        if (rc == NGX_OK) {
            n->value = *v;
            ngx_queue_remove(&n->queue);
            ngx_queue_insert_tail(&ctx->sh->queue, &n->queue);
        }

        return rc;
    }

    ngx_memzero(v, sizeof(ngx_http_sts_shm_value_t));

    rc = handler(v, now, data);

    if (rc != NGX_OK) {
        return rc;
    }

    if (owner != NULL && ngx_http_sts_shm_over(ctx, owner, now, v)) {
        return NGX_HTTP_STS_SHM_OVER;
    }

    n = ngx_slab_alloc_locked(ctx->shpool, sizeof(ngx_http_sts_shm_node_t));

    if (n == NULL) {
        /* every expired entry goes before the table is called full */
        ngx_http_sts_shm_expire(ctx, now, 1);
        n = ngx_slab_alloc_locked(ctx->shpool,
                                  sizeof(ngx_http_sts_shm_node_t));
    }

    if (n != NULL) {
        n->owner = NULL;

        if (owner != NULL && ngx_http_sts_shm_own(ctx, n, owner) != NGX_OK) {
            ngx_slab_free_locked(ctx->shpool, n);
            n = NULL;
        }
    }

    if (n == NULL) {
        ngx_memzero(v, sizeof(ngx_http_sts_shm_value_t));
        v->count = ctx->sh->count;
        return NGX_BUSY;
    }

    ctx->sh->full = 0;

    ngx_memcpy(&n->node.key, key, sizeof(ngx_rbtree_key_t));
    ngx_memcpy(n->key, key, NGX_HTTP_STS_SHM_KEY_LEN);
    n->value = *v;

    ngx_rbtree_insert(&ctx->sh->rbtree, &n->node);
    ngx_queue_insert_tail(&ctx->sh->queue, &n->queue);
    ctx->sh->count++;

    return NGX_OK;
}


/*
 * Whether |owner| holds its share.  Its count may still include expired
 * entries not dropped yet: before refusing, every expired entry of the
 * table goes, at most once a unit of time (none more can expire within
 * it), so that a refused owner cannot make each of its calls walk the
 * whole table.
 */
static ngx_int_t
ngx_http_sts_shm_over(ngx_http_sts_shm_ctx_t *ctx, const u_char *owner,
    time_t now, ngx_http_sts_shm_value_t *v)
{
    ngx_http_sts_shm_node_t  *o;

    o = ngx_http_sts_shm_lookup(&ctx->sh->owners, owner);

    if (o == NULL || o->value.count < ctx->quota) {
        return 0;
    }

    if (ctx->sh->swept != now) {
        ctx->sh->swept = now;
        ngx_http_sts_shm_expire(ctx, now, 1);

        /* the owner may have gone with its last entry */
        o = ngx_http_sts_shm_lookup(&ctx->sh->owners, owner);

        if (o == NULL || o->value.count < ctx->quota) {
            return 0;
        }
    }

    ngx_memzero(v, sizeof(ngx_http_sts_shm_value_t));
    v->count = o->value.count;
    v->last = (o->value.last == 0);
    o->value.last = 1;

    return 1;
}


/* makes |n|, a new entry, one of |owner|'s, adding the owner if new */

static ngx_int_t
ngx_http_sts_shm_own(ngx_http_sts_shm_ctx_t *ctx, ngx_http_sts_shm_node_t *n,
    const u_char *owner)
{
    ngx_http_sts_shm_node_t  *o;

    o = ngx_http_sts_shm_lookup(&ctx->sh->owners, owner);

    if (o == NULL) {
        o = ngx_slab_alloc_locked(ctx->shpool,
                                  sizeof(ngx_http_sts_shm_node_t));
        if (o == NULL) {
            return NGX_BUSY;
        }

        ngx_memzero(o, sizeof(ngx_http_sts_shm_node_t));
        ngx_memcpy(&o->node.key, owner, sizeof(ngx_rbtree_key_t));
        ngx_memcpy(o->key, owner, NGX_HTTP_STS_SHM_KEY_LEN);

        ngx_rbtree_insert(&ctx->sh->owners, &o->node);
    }

    o->value.count++;
    n->owner = o;

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_shm_charge(ngx_shm_zone_t *zone, const u_char *key,
    const u_char *owner, time_t now, time_t expires, ngx_uint_t limit,
    ngx_http_sts_shm_value_t *out)
{
    ngx_int_t                   rc;
    ngx_uint_t                  log;
    ngx_http_sts_shm_ctx_t     *ctx;
    ngx_http_sts_shm_value_t    v;
    ngx_http_sts_shm_charge_t   c;

    ctx = zone->data;

    if (ctx == NULL || ctx->sh == NULL) {
        return NGX_ERROR;
    }

    c.expires = expires;
    c.limit = limit;
    log = 0;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    rc = ngx_http_sts_shm_update_locked(ctx, key, owner, now,
                                        ngx_http_sts_shm_charge_handler,
                                        &c, &v);

    if (rc == NGX_BUSY && !ctx->sh->full) {
        ctx->sh->full = 1;
        log = 1;
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    if (log) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "sts: the table of \"%V\" is full (%ui live "
                      "entries), refusing what it cannot record; "
                      "enlarge it", &ctx->directive, v.count);
    }

    *out = v;

    return rc;
}


/* one use more, unless |limit| (0: none) uses were counted already */

static ngx_int_t
ngx_http_sts_shm_charge_handler(ngx_http_sts_shm_value_t *v, time_t now,
    void *data)
{
    ngx_http_sts_shm_charge_t  *c = data;

    if (c->limit && v->count >= c->limit) {
        return NGX_DECLINED;
    }

    v->count++;
    v->expires = ngx_max(v->expires, c->expires);

    return NGX_OK;
}


ngx_int_t
ngx_http_sts_shm_find(ngx_shm_zone_t *zone, const u_char *key, time_t now,
    time_t *expires)
{
    ngx_int_t                 rc;
    ngx_http_sts_shm_ctx_t   *ctx;
    ngx_http_sts_shm_node_t  *n;

    ctx = zone->data;

    if (ctx == NULL || ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&ctx->shpool->mutex);

    ngx_http_sts_shm_expire(ctx, now, 0);

    n = ngx_http_sts_shm_lookup(&ctx->sh->rbtree, key);

    if (n != NULL && n->value.expires > now) {
        *expires = n->value.expires;
        rc = NGX_OK;

    } else {
        rc = NGX_DECLINED;
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return rc;
}


void
ngx_http_sts_shm_count(ngx_shm_zone_t *zone, ngx_uint_t counter)
{
    ngx_http_sts_shm_ctx_t  *ctx;

    if (zone == NULL || counter >= NGX_HTTP_STS_SHM_COUNTERS) {
        return;
    }

    ctx = zone->data;

    if (ctx != NULL && ctx->sh != NULL) {
        (void) ngx_atomic_fetch_add(&ctx->sh->counters[counter], 1);
    }
}


ngx_atomic_uint_t
ngx_http_sts_shm_counter(ngx_shm_zone_t *zone, ngx_uint_t counter)
{
    ngx_http_sts_shm_ctx_t  *ctx;

    if (zone == NULL || counter >= NGX_HTTP_STS_SHM_COUNTERS) {
        return 0;
    }

    ctx = zone->data;

    if (ctx == NULL || ctx->sh == NULL) {
        return 0;
    }

    return ctx->sh->counters[counter];
}


static ngx_http_sts_shm_node_t *
ngx_http_sts_shm_lookup(ngx_rbtree_t *tree, const u_char *key)
{
    ngx_int_t                 rc;
    ngx_rbtree_key_t          k;
    ngx_rbtree_node_t        *node, *sentinel;
    ngx_http_sts_shm_node_t  *n;

    ngx_memcpy(&k, key, sizeof(ngx_rbtree_key_t));

    node = tree->root;
    sentinel = tree->sentinel;

    while (node != sentinel) {
        if (k != node->key) {
            node = (k < node->key) ? node->left : node->right;
            continue;
        }

        n = (ngx_http_sts_shm_node_t *) node;
        rc = ngx_memcmp(key, n->key, NGX_HTTP_STS_SHM_KEY_LEN);

        if (rc == 0) {
            return n;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/*
 * Drops expired entries from the least recently touched end: a few of
 * them, or all of them when |all|.  Entries expire at different times, so
 * a live one does not stop the walk.
 */
static void
ngx_http_sts_shm_expire(ngx_http_sts_shm_ctx_t *ctx, time_t now,
    ngx_uint_t all)
{
    ngx_uint_t                seen;
    ngx_queue_t              *q, *next;
    ngx_http_sts_shm_node_t  *n;

    seen = 0;

    for (q = ngx_queue_head(&ctx->sh->queue);
         q != ngx_queue_sentinel(&ctx->sh->queue);
         q = next)
    {
        if (!all && seen++ >= NGX_HTTP_STS_SHM_EXPIRE_STEP) {
            break;
        }

        next = ngx_queue_next(q);
        n = ngx_queue_data(q, ngx_http_sts_shm_node_t, queue);

        if (n->value.expires > now) {
            continue;
        }

        ngx_http_sts_shm_drop(ctx, n);
    }
}


/* drops an entry, and its owner with its last entry */

static void
ngx_http_sts_shm_drop(ngx_http_sts_shm_ctx_t *ctx, ngx_http_sts_shm_node_t *n)
{
    ngx_http_sts_shm_node_t  *o;

    o = n->owner;

    ngx_queue_remove(&n->queue);
    ngx_rbtree_delete(&ctx->sh->rbtree, &n->node);
    ngx_slab_free_locked(ctx->shpool, n);
    ctx->sh->count--;

    if (o != NULL && --o->value.count == 0) {
        ngx_rbtree_delete(&ctx->sh->owners, &o->node);
        ngx_slab_free_locked(ctx->shpool, o);
    }
}


static void
ngx_http_sts_shm_insert(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t        **p;
    ngx_http_sts_shm_node_t   *n, *t;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else {
            n = (ngx_http_sts_shm_node_t *) node;
            t = (ngx_http_sts_shm_node_t *) temp;

            p = (ngx_memcmp(n->key, t->key, NGX_HTTP_STS_SHM_KEY_LEN) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


static ngx_int_t
ngx_http_sts_shm_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_sts_shm_ctx_t  *octx = data;

    size_t                   len, slot;
    ngx_http_sts_shm_ctx_t  *ctx;

    ctx = shm_zone->data;

    if (octx != NULL) {
        /* a reload with the same size: keep every entry and counter */
        ctx->sh = octx->sh;
        ctx->shpool = octx->shpool;
        ngx_http_sts_shm_set_quota(ctx);
        return NGX_OK;
    }

    ctx->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        ctx->sh = ctx->shpool->data;
        ngx_http_sts_shm_set_quota(ctx);
        return NGX_OK;
    }

    ctx->sh = ngx_slab_calloc(ctx->shpool, sizeof(ngx_http_sts_shm_sh_t));
    if (ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ctx->shpool->data = ctx->sh;

    ngx_rbtree_init(&ctx->sh->rbtree, &ctx->sh->sentinel,
                    ngx_http_sts_shm_insert);
    ngx_rbtree_init(&ctx->sh->owners, &ctx->sh->owners_sentinel,
                    ngx_http_sts_shm_insert);
    ngx_queue_init(&ctx->sh->queue);

    len = sizeof(" in sts zone \"\"") + shm_zone->shm.name.len;

    ctx->shpool->log_ctx = ngx_slab_alloc(ctx->shpool, len);
    if (ctx->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ctx->shpool->log_ctx, " in sts zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full table is logged once by ngx_http_sts_shm_charge */
    ctx->shpool->log_nomem = 0;

    /* what the free pages hold, in slots of the slab's size for a node */
    for (slot = 8; slot < sizeof(ngx_http_sts_shm_node_t); slot <<= 1) {
        /* void */
    }

    ctx->sh->capacity = ctx->shpool->pfree * (ngx_pagesize / slot);

    ngx_http_sts_shm_set_quota(ctx);

    return NGX_OK;
}


static void
ngx_http_sts_shm_set_quota(ngx_http_sts_shm_ctx_t *ctx)
{
    ctx->quota = ctx->max_per_key
                 ? ctx->max_per_key
                 : ngx_max(ctx->sh->capacity / NGX_HTTP_STS_SHM_SHARE, 1);
}


/*
 * The optional "max_per_key=N" argument |arg| of a zone directive (NULL:
 * none): *max is N, or 0 for the default share.
 */
char *
ngx_http_sts_shm_max_per_key(ngx_conf_t *cf, ngx_str_t *arg,
    ngx_uint_t *max)
{
    sts_str_t      s;
    unsigned long  n;

    *max = 0;

    if (arg == NULL) {
        return NGX_CONF_OK;
    }

    s.data = (const char *) arg->data;
    s.len = arg->len;

    if (sts_state_max_per_key(s, &n) != STS_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\": max_per_key=, a "
                           "number from 1 to %d", arg, STS_STATE_MAX_USES);
        return NGX_CONF_ERROR;
    }

    *max = (ngx_uint_t) n;

    return NGX_CONF_OK;
}
