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
 * buckets live in the zone's shared memory, for all workers, in the
 * module's shared table (ngx_http_sts_shm.c), keyed by the SHA-256 of
 * the AccessKeyId or the role; a reload keeps them.  A bucket that has
 * drained is dropped when room is needed; when the zone holds only
 * buckets that still count, a call whose key has none is refused too
 * (and "zone is full" logged): a full zone never lets calls through
 * uncounted.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_ctx.h"
#include "ngx_http_sts_limit.h"
#include "ngx_http_sts_shm.h"
#include "core/sts_pop.h"
#include "core/sts_rpc.h"
#include "core/sts_util.h"
#include "core/sts_redis.h"


#define NGX_HTTP_STS_LIMIT_KEY_MAX   1024


#if (STS_SHA256_LEN != NGX_HTTP_STS_SHM_KEY_LEN)
#error "a SHA-256 digest is not a key of the shared table"
#endif


typedef struct {
    ngx_shm_zone_t              *shm_zone;
    ngx_uint_t                   kind;         /* STS_RAM_LIMIT_KEY, _ROLE */
    ngx_uint_t                   rate;         /* requests per 1000 s */
    ngx_uint_t                   burst;        /* requests * 1000 */
} ngx_http_sts_limit_t;


static ngx_int_t ngx_http_sts_limit_take(ngx_http_sts_limit_t *lim,
    sts_str_t key);
static ngx_int_t ngx_http_sts_limit_handler(ngx_http_sts_shm_value_t *v,
    time_t now, void *data);
static ngx_int_t ngx_http_sts_limit_zone_arg(ngx_conf_t *cf, ngx_str_t *value,
    ngx_str_t *name, ssize_t *size);
static ngx_int_t ngx_http_sts_limit_rate_arg(ngx_conf_t *cf, ngx_str_t *value,
    ngx_int_t *rate, ngx_int_t *scale);
static ngx_int_t ngx_http_sts_limit_add(ngx_conf_t *cf,
    ngx_http_sts_loc_conf_t *slcf, ngx_http_sts_limit_t *lim);


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


ngx_uint_t
ngx_http_sts_limit_count(void *data)
{
    ngx_array_t  *limits = data;

    return limits ? limits->nelts : 0;
}


ngx_int_t
ngx_http_sts_limit_command(void *data, ngx_uint_t i, int kind, sts_str_t key,
    ngx_http_sts_redis_t *rs, ngx_http_sts_redis_args_t *cmd)
{
    ngx_array_t            *limits = data;

    u_char                  digest[STS_SHA256_LEN];
    u_char                  label[STS_REDIS_KIND_MAX + 1];
    size_t                  len;
    sts_str_t               prefix;
    ngx_str_t              *pfx, *zone;
    ngx_http_sts_limit_t  **lim;

    if (limits == NULL || i >= limits->nelts) {
        return NGX_ERROR;
    }

    lim = limits->elts;

    if (lim[i]->kind != (ngx_uint_t) kind) {
        return NGX_DECLINED;
    }

    if (key.len == 0 || key.len > NGX_HTTP_STS_LIMIT_KEY_MAX
        || sts_digest(STS_HASH_SHA256, key.data, key.len, digest) != STS_OK)
    {
        return NGX_ERROR;
    }

    /* "l:<zone>:": the zone's name keeps two limits apart */
    zone = &lim[i]->shm_zone->shm.name;

    if (zone->len + 3 > STS_REDIS_KIND_MAX) {
        return NGX_ERROR;
    }

    *ngx_sprintf(label, "l:%V:", zone) = '\0';

    pfx = ngx_http_sts_redis_prefix(rs);
    prefix.data = (const char *) pfx->data;
    prefix.len = pfx->len;

    if (sts_redis_key((char *) cmd->name, &len, prefix, (const char *) label,
                      digest)
        != STS_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_set(&cmd->args[0], "EVAL");
    cmd->args[1].data = (u_char *) sts_redis_script_limit;
    cmd->args[1].len = ngx_strlen(sts_redis_script_limit);
    ngx_str_set(&cmd->args[2], "1");
    cmd->args[3].data = cmd->name;
    cmd->args[3].len = len;
    cmd->args[4].data = cmd->n1;
    cmd->args[4].len = ngx_sprintf(cmd->n1, "%ui", lim[i]->rate) - cmd->n1;
    cmd->args[5].data = cmd->n2;
    cmd->args[5].len = ngx_sprintf(cmd->n2, "%ui", lim[i]->burst) - cmd->n2;
    cmd->nargs = 6;
    cmd->key = 3;

    return NGX_OK;
}


/*
 * One call for |key|: NGX_OK, or NGX_BUSY when over the limit or full.
 * The zone's time is ngx_current_msec; the value of a bucket is its
 * excess (count), the last call taken (last), and the time it has
 * drained (expires), after which it holds nothing a new one would not.
 */

static ngx_int_t
ngx_http_sts_limit_take(ngx_http_sts_limit_t *lim, sts_str_t key)
{
    u_char                    digest[STS_SHA256_LEN];
    ngx_int_t                 rc;
    ngx_http_sts_shm_value_t  v;

    if (sts_digest(STS_HASH_SHA256, key.data, key.len, digest) != STS_OK) {
        return NGX_BUSY;
    }

    rc = ngx_http_sts_shm_update(lim->shm_zone, digest,
                                 (time_t) ngx_current_msec,
                                 ngx_http_sts_limit_handler, lim, &v);

    if (rc == NGX_BUSY) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "sts: assume role limit zone \"%V\" is full "
                      "(%ui keys within their limit); the call is "
                      "refused, enlarge the zone",
                      &lim->shm_zone->shm.name, v.count);
    }

    return (rc == NGX_OK) ? NGX_OK : NGX_BUSY;
}


/* the leaky bucket; a new or drained one takes its first call as free */

static ngx_int_t
ngx_http_sts_limit_handler(ngx_http_sts_shm_value_t *v, time_t now,
    void *data)
{
    ngx_http_sts_limit_t  *lim = data;

    ngx_int_t              excess;
    ngx_msec_int_t         ms;

    if (v->expires == 0) {
        /* as a new bucket; and no product of a long pause */
        excess = 0;

    } else {
        ms = (ngx_msec_int_t) (now - v->last);

        if (ms < 0) {
            ms = 0;         /* the clock went back */
        }

        excess = (ngx_int_t) v->count
                 - (ngx_int_t) (lim->rate * ms / 1000) + 1000;

        if (excess < 0) {
            excess = 0;
        }
    }

    if ((ngx_uint_t) excess > lim->burst) {
        return NGX_DECLINED;
    }

    v->count = excess;
    v->last = now;
    v->expires = now + (time_t) (1000 * (excess + 1000) / lim->rate);

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

    ssize_t                 size;
    ngx_str_t              *value, name;
    ngx_int_t               rate, scale, burst;
    ngx_uint_t              i, kind;
    ngx_shm_zone_t         *shm_zone;
    ngx_http_sts_limit_t   *lim;

    value = cf->args->elts;

    name.len = 0;
    size = 0;
    kind = 0;
    rate = 0;
    scale = 1;
    burst = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0) {

            if (ngx_http_sts_limit_zone_arg(cf, &value[i], &name, &size)
                != NGX_OK)
            {
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

            if (ngx_http_sts_limit_rate_arg(cf, &value[i], &rate, &scale)
                != NGX_OK)
            {
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

    lim->shm_zone = ngx_http_sts_shm_add(cf, &name, &cmd->name, size);
    if (lim->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    lim->kind = kind;
    lim->rate = rate * 1000 / scale;
    lim->burst = burst * 1000;

    if (lim->rate == 0) {
        lim->rate = 1;
    }

    if (ngx_http_sts_limit_add(cf, slcf, lim) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the location's limits, in the order of their directives */
static ngx_int_t
ngx_http_sts_limit_add(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *slcf,
    ngx_http_sts_limit_t *lim)
{
    ngx_http_sts_limit_t  **limp;

    if (slcf->limits == NULL) {
        slcf->limits = ngx_array_create(cf->pool, 2,
                                        sizeof(ngx_http_sts_limit_t *));
        if (slcf->limits == NULL) {
            return NGX_ERROR;
        }
    }

    limp = ngx_array_push(slcf->limits);
    if (limp == NULL) {
        return NGX_ERROR;
    }

    *limp = lim;

    return NGX_OK;
}


/* zone=<name>:<size> */
static ngx_int_t
ngx_http_sts_limit_zone_arg(ngx_conf_t *cf, ngx_str_t *value,
    ngx_str_t *name, ssize_t *size)
{
    u_char     *p;
    ngx_str_t   s;

    name->data = value->data + 5;

    p = (u_char *) ngx_strchr(name->data, ':');

    if (p == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", value);
        return NGX_ERROR;
    }

    name->len = p - name->data;

    s.data = p + 1;
    s.len = value->data + value->len - s.data;

    *size = ngx_parse_size(&s);

    if (*size == NGX_ERROR || *size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\", at least %uz "
                           "bytes", value, 8 * ngx_pagesize);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* rate=<n>r/s|r/m */
static ngx_int_t
ngx_http_sts_limit_rate_arg(ngx_conf_t *cf, ngx_str_t *value,
    ngx_int_t *rate, ngx_int_t *scale)
{
    u_char  *p;
    size_t   len;

    len = value->len;
    p = value->data + len - 3;

    if (ngx_strncmp(p, "r/s", 3) == 0) {
        *scale = 1;
        len -= 3;

    } else if (ngx_strncmp(p, "r/m", 3) == 0) {
        *scale = 60;
        len -= 3;
    }

    *rate = ngx_atoi(value->data + 5, len - 5);
    if (*rate <= 0 || *rate > 1000000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid rate \"%V\"", value);
        return NGX_ERROR;
    }

    return NGX_OK;
}
