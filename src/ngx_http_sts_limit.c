/*
 * Copyright (C) nginx-sts authors
 *
 * Issuance limits of the STS endpoint: how often one AccessKey may call
 * AssumeRole, and how often credentials of one role may be issued,
 * whatever key asks for them.
 *
 *     sts_assume_role_limit zone=sts_keys:1m key=access_key rate=60r/m
 *                           burst=10;
 *     sts_assume_role_limit zone=sts_roles:1m key=role rate=600r/m;
 *
 * nginx's limit_req cannot see these keys: the AccessKeyId counts only
 * once the POP signature has checked (nobody can spend the budget of a
 * key he does not hold) and the role only once the call may assume it
 * (nobody can spend the budget of a role he may not assume), and both
 * are decided inside the request.  The core calls
 * ngx_http_sts_limit_check (sts_ram_limit_pt) at those two points.
 *
 * As limit_req's, the directive is valid at the http, server and location
 * levels; a level with none takes those of the level above.  A zone
 * belongs to one directive: a limit shared by several locations is set
 * at the level above them.
 *
 * Each limit is a leaky bucket per key, as limit_req's: |rate| requests
 * a second or a minute, |burst| more at once; a call over it is refused
 * with the STS error Throttling.User (HTTP 400), never delayed.  The
 * buckets live in the zone's shared memory, for all workers; a reload
 * keeps them.  A bucket that has drained is dropped when room is needed;
 * when the zone holds only buckets that still count, a call whose key
 * has none is refused too (and "zone is full" logged): a full zone never
 * lets calls through uncounted.
 *
 * sts_endpoint_error answers nginx's own errors at the STS endpoint
 * (limit_req's, a body too large ...) in the STS format, so that the
 * official clients see a Code:
 *
 *     limit_req_status 429;
 *     error_page 429 413 = @sts_error;
 *     location @sts_error { sts_endpoint_error; }
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "core/sts_pop.h"


#define NGX_HTTP_STS_LIMIT_KEY_MAX   1024


typedef struct {
    ngx_rbtree_t                 rbtree;
    ngx_rbtree_node_t            sentinel;
    ngx_queue_t                  queue;        /* least recently used first */
    ngx_uint_t                   count;
} ngx_http_sts_limit_sh_t;


typedef struct {
    ngx_http_sts_limit_sh_t     *sh;
    ngx_slab_pool_t             *shpool;
    ngx_shm_zone_t              *shm_zone;
    ngx_uint_t                   kind;         /* STS_RAM_LIMIT_KEY, _ROLE */
    ngx_uint_t                   rate;         /* requests per 1000 s */
    ngx_uint_t                   burst;        /* requests * 1000 */
} ngx_http_sts_limit_t;


typedef struct {
    ngx_rbtree_node_t            node;         /* key: crc32 of the key */
    ngx_queue_t                  queue;
    ngx_msec_t                   last;         /* the last call taken */
    ngx_uint_t                   excess;       /* requests * 1000 */
    u_short                      len;
    u_char                       data[1];
} ngx_http_sts_limit_node_t;


static ngx_int_t ngx_http_sts_limit_take(ngx_http_sts_limit_t *lim,
    sts_str_t key);
static ngx_uint_t ngx_http_sts_limit_drained(ngx_http_sts_limit_t *lim,
    ngx_http_sts_limit_node_t *n, ngx_msec_t now);
static void ngx_http_sts_limit_expire(ngx_http_sts_limit_t *lim,
    ngx_msec_t now, ngx_uint_t max);
static void ngx_http_sts_limit_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_int_t ngx_http_sts_limit_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_sts_endpoint_error_handler(ngx_http_request_t *r);


/* called by the core (sts_ram_rpc) at the two points described above */

int
ngx_http_sts_limit_check(void *data, int kind, sts_str_t key)
{
    ngx_array_t            *limits = data;

    ngx_uint_t              i;
    ngx_http_sts_limit_t  **lim;

    if (limits == NULL) {
        return STS_OK;
    }

    if (key.len == 0 || key.len > NGX_HTTP_STS_LIMIT_KEY_MAX) {
        return STS_EINVAL;
    }

    lim = limits->elts;

    for (i = 0; i < limits->nelts; i++) {
        if (lim[i]->kind != (ngx_uint_t) kind) {
            continue;
        }

        if (ngx_http_sts_limit_take(lim[i], key) != NGX_OK) {
            return STS_EDENIED;
        }
    }

    return STS_OK;
}


/* one call for |key|: NGX_OK, or NGX_BUSY when over the limit or full */

static ngx_int_t
ngx_http_sts_limit_take(ngx_http_sts_limit_t *lim, sts_str_t key)
{
    size_t                      size;
    uint32_t                    hash;
    ngx_int_t                   rc, excess;
    ngx_msec_t                  now;
    ngx_msec_int_t              ms;
    ngx_rbtree_node_t          *node, *sentinel;
    ngx_http_sts_limit_sh_t    *sh;
    ngx_http_sts_limit_node_t  *n;

    if (lim->sh == NULL) {
        return NGX_BUSY;
    }

    sh = lim->sh;
    now = ngx_current_msec;
    hash = ngx_crc32_short((u_char *) key.data, key.len);

    ngx_shmtx_lock(&lim->shpool->mutex);

    ngx_http_sts_limit_expire(lim, now, 2);

    node = sh->rbtree.root;
    sentinel = sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        n = (ngx_http_sts_limit_node_t *) node;

        rc = ngx_memn2cmp((u_char *) key.data, n->data, key.len,
                          (size_t) n->len);

        if (rc == 0) {
            ms = (ngx_msec_int_t) (now - n->last);

            if (ms < 0) {
                ms = 0;         /* the clock went back */
            }

            if (ngx_http_sts_limit_drained(lim, n, now)) {
                /* as a new bucket; and no product of a long pause */
                excess = 0;

            } else {
                excess = (ngx_int_t) n->excess
                         - (ngx_int_t) (lim->rate * ms / 1000) + 1000;

                if (excess < 0) {
                    excess = 0;
                }
            }

            if ((ngx_uint_t) excess > lim->burst) {
                ngx_shmtx_unlock(&lim->shpool->mutex);
                return NGX_BUSY;
            }

            n->excess = excess;
            n->last = now;

            ngx_queue_remove(&n->queue);
            ngx_queue_insert_tail(&sh->queue, &n->queue);

            ngx_shmtx_unlock(&lim->shpool->mutex);
            return NGX_OK;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    /* the first call of this key: a bucket with this call in it */

    size = offsetof(ngx_http_sts_limit_node_t, data) + key.len;

    n = ngx_slab_alloc_locked(lim->shpool, size);

    if (n == NULL) {
        /* room from every bucket that has drained, and only from those */
        ngx_http_sts_limit_expire(lim, now, 0);

        n = ngx_slab_alloc_locked(lim->shpool, size);

        if (n == NULL) {
            ngx_shmtx_unlock(&lim->shpool->mutex);

            ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                          "sts: assume role limit zone \"%V\" is full "
                          "(%ui keys within their limit); the call is "
                          "refused, enlarge the zone",
                          &lim->shm_zone->shm.name, sh->count);
            return NGX_BUSY;
        }
    }

    n->node.key = hash;
    n->len = (u_short) key.len;
    n->excess = 0;
    n->last = now;
    ngx_memcpy(n->data, key.data, key.len);

    ngx_rbtree_insert(&sh->rbtree, &n->node);
    ngx_queue_insert_tail(&sh->queue, &n->queue);
    sh->count++;

    ngx_shmtx_unlock(&lim->shpool->mutex);

    return NGX_OK;
}


/* a bucket that has drained holds nothing a new one would not */

static ngx_uint_t
ngx_http_sts_limit_drained(ngx_http_sts_limit_t *lim,
    ngx_http_sts_limit_node_t *n, ngx_msec_t now)
{
    ngx_msec_int_t  ms;

    ms = (ngx_msec_int_t) (now - n->last);

    if (ms < 0) {
        return 0;
    }

    return (ngx_uint_t) ms >= 1000 * (n->excess + 1000) / lim->rate;
}


/*
 * Drops drained buckets: at most |max| from the least recently used end
 * (stopping at the first that still counts), or, with 0, every one.
 */
static void
ngx_http_sts_limit_expire(ngx_http_sts_limit_t *lim, ngx_msec_t now,
    ngx_uint_t max)
{
    ngx_uint_t                  dropped;
    ngx_queue_t                *q, *next;
    ngx_http_sts_limit_node_t  *n;

    dropped = 0;

    for (q = ngx_queue_head(&lim->sh->queue);
         q != ngx_queue_sentinel(&lim->sh->queue);
         q = next)
    {
        next = ngx_queue_next(q);
        n = ngx_queue_data(q, ngx_http_sts_limit_node_t, queue);

        if (!ngx_http_sts_limit_drained(lim, n, now)) {
            if (max) {
                return;
            }

            continue;
        }

        ngx_queue_remove(q);
        ngx_rbtree_delete(&lim->sh->rbtree, &n->node);
        ngx_slab_free_locked(lim->shpool, n);
        lim->sh->count--;

        if (max && ++dropped == max) {
            return;
        }
    }
}


static void
ngx_http_sts_limit_insert(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t          **p;
    ngx_http_sts_limit_node_t   *n, *t;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else {
            n = (ngx_http_sts_limit_node_t *) node;
            t = (ngx_http_sts_limit_node_t *) temp;

            p = (ngx_memn2cmp(n->data, t->data, n->len, t->len) < 0)
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
ngx_http_sts_limit_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_sts_limit_t  *olim = data;

    size_t                 len;
    ngx_http_sts_limit_t  *lim;

    lim = shm_zone->data;

    if (olim != NULL) {
        /* a reload: the buckets go on counting */
        lim->sh = olim->sh;
        lim->shpool = olim->shpool;
        return NGX_OK;
    }

    lim->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        lim->sh = lim->shpool->data;
        return NGX_OK;
    }

    lim->sh = ngx_slab_alloc(lim->shpool, sizeof(ngx_http_sts_limit_sh_t));
    if (lim->sh == NULL) {
        return NGX_ERROR;
    }

    lim->shpool->data = lim->sh;

    ngx_rbtree_init(&lim->sh->rbtree, &lim->sh->sentinel,
                    ngx_http_sts_limit_insert);
    ngx_queue_init(&lim->sh->queue);
    lim->sh->count = 0;

    len = sizeof(" in sts assume role limit zone \"\"")
          + shm_zone->shm.name.len;

    lim->shpool->log_ctx = ngx_slab_alloc(lim->shpool, len);
    if (lim->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(lim->shpool->log_ctx, " in sts assume role limit zone "
                "\"%V\"%Z", &shm_zone->shm.name);

    /* a full zone is reported by the check itself */
    lim->shpool->log_nomem = 0;

    return NGX_OK;
}


/*
 * sts_assume_role_limit zone=<name>:<size> key=access_key|role
 *                       rate=<n>r/s|r/m [burst=<n>];
 */
char *
ngx_http_sts_assume_role_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sts_loc_conf_t *slcf = conf;

    u_char                 *p;
    size_t                  len;
    ssize_t                 size;
    ngx_str_t              *value, name, s;
    ngx_int_t               rate, scale, burst;
    ngx_uint_t              i, kind;
    ngx_shm_zone_t         *shm_zone;
    ngx_http_sts_limit_t   *lim, **limp;

    value = cf->args->elts;

    name.len = 0;
    size = 0;
    kind = 0;
    rate = 0;
    scale = 1;
    burst = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0) {

            name.data = value[i].data + 5;

            p = (u_char *) ngx_strchr(name.data, ':');

            if (p == NULL) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid zone size \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            name.len = p - name.data;

            s.data = p + 1;
            s.len = value[i].data + value[i].len - s.data;

            size = ngx_parse_size(&s);

            if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid zone size \"%V\", at least %uz "
                                   "bytes", &value[i], 8 * ngx_pagesize);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strcmp(value[i].data, "key=access_key") == 0) {
            kind = STS_RAM_LIMIT_KEY;
            continue;
        }

        if (ngx_strcmp(value[i].data, "key=role") == 0) {
            kind = STS_RAM_LIMIT_ROLE;
            continue;
        }

        if (ngx_strncmp(value[i].data, "rate=", 5) == 0) {

            len = value[i].len;
            p = value[i].data + len - 3;

            if (ngx_strncmp(p, "r/s", 3) == 0) {
                scale = 1;
                len -= 3;

            } else if (ngx_strncmp(p, "r/m", 3) == 0) {
                scale = 60;
                len -= 3;
            }

            rate = ngx_atoi(value[i].data + 5, len - 5);
            if (rate <= 0 || rate > 1000000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid rate \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "burst=", 6) == 0) {

            burst = ngx_atoi(value[i].data + 6, value[i].len - 6);
            if (burst < 0 || burst > 1000000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid burst value \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must have \"zone\" parameter",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (kind == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must have \"key=access_key\" or "
                           "\"key=role\" parameter", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (rate == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must have \"rate\" parameter",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    /*
     * The module's own zones (sts_nonce, sts_status, ...) share its tag,
     * so a limit could take one over: their "sts_" names are reserved.
     */
    if (name.len >= 4 && ngx_strncmp(name.data, "sts_", 4) == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone name \"%V\" is reserved: names beginning "
                           "with \"sts_\" are the module's own", &name);
        return NGX_CONF_ERROR;
    }

    shm_zone = ngx_shared_memory_add(cf, &name, size, &ngx_http_sts_module);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (shm_zone->data != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already used", &name);
        return NGX_CONF_ERROR;
    }

    lim = ngx_pcalloc(cf->pool, sizeof(ngx_http_sts_limit_t));
    if (lim == NULL) {
        return NGX_CONF_ERROR;
    }

    lim->shm_zone = shm_zone;
    lim->kind = kind;
    lim->rate = rate * 1000 / scale;
    lim->burst = burst * 1000;

    if (lim->rate == 0) {
        lim->rate = 1;
    }

    shm_zone->init = ngx_http_sts_limit_init_zone;
    shm_zone->data = lim;

    if (slcf->limits == NULL) {
        slcf->limits = ngx_array_create(cf->pool, 2,
                                        sizeof(ngx_http_sts_limit_t *));
        if (slcf->limits == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    limp = ngx_array_push(slcf->limits);
    if (limp == NULL) {
        return NGX_CONF_ERROR;
    }

    *limp = lim;

    return NGX_CONF_OK;
}


/* sts_endpoint_error: nginx's own errors in the STS format */

char *
ngx_http_sts_endpoint_error(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_sts_endpoint_error_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sts_endpoint_error_handler(ngx_http_request_t *r)
{
    ngx_str_t                 action;
    ngx_uint_t                status;
    ngx_http_sts_ctx_t       *ctx;
    const char               *why;
    const sts_pop_error_t    *e;

    status = r->err_status ? r->err_status : r->headers_out.status;

    switch (status) {

    case NGX_HTTP_TOO_MANY_REQUESTS:
    case NGX_HTTP_SERVICE_UNAVAILABLE:
        e = &sts_pop_err_throttling;
        why = "over a limit_req limit";
        break;

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        e = &sts_pop_err_too_large;
        why = "request body too large";
        break;

    case NGX_HTTP_NOT_ALLOWED:
        e = &sts_pop_err_method;
        why = "method not allowed";
        break;

    default:
        if (status >= 400 && status < 500) {
            e = &sts_pop_err_invalid_parameter;
            why = "a request nginx refused";

        } else {
            e = &sts_pop_err_internal;
            why = "an internal error";
        }
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    r->err_status = 0;

    ctx = ngx_http_sts_get_ctx(r);
    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sts_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_sts_pool_allocator(&ctx->allocator, r->pool);
        ctx->rc = NGX_DECLINED;
        ngx_http_set_ctx(r, ctx, ngx_http_sts_module);
    }

    /* the Action of the query, for the metrics (the body is not read) */
    if (ctx->api.len == 0
        && ngx_http_arg(r, (u_char *) "Action", 6, &action) == NGX_OK
        && action.len <= 32)
    {
        ctx->api = action;
    }

    return ngx_http_sts_endpoint_answer(r, e, why);
}
