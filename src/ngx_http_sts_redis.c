/*
 * Copyright (C) nginx-sts authors
 *
 * The fleet's shared state on Redis: a non-blocking client over hiredis's
 * asynchronous API, driven by nginx's event loop.
 *
 *     sts_state fleet redis=10.0.0.5:6379 password_file=/etc/nginx/redis.pw
 *               timeout=200ms prefix=sts:;
 *     sts_state_use uses fleet;
 *     sts_state_use nonces fleet;
 *     sts_state_use limits fleet;
 *     sts_state_use grace fleet fail=open;
 *     sts_state_use revoked fleet;
 *
 * hiredis parses the replies and keeps the queue of callbacks; this file
 * gives it its events: the socket hiredis opens becomes an nginx
 * connection whose read and write events (level-triggered, as hiredis
 * reads once per event) call redisAsyncHandleRead and
 * redisAsyncHandleWrite.  Each worker has one connection per Redis server
 * and pipelines every command on it; a connection that fails or times out
 * is dropped and made again by the next command, at most once a second
 * while the server stays unreachable (commands in between fail at once,
 * without waiting).
 *
 * Every command has a timer: past the store's timeout its caller gets
 * NGX_HTTP_STS_REDIS_TIMEOUT and the connection is dropped, so that a
 * stalled server does not keep a queue of late answers.  A command is
 * freed by the callback hiredis calls for it, always exactly once (with
 * NULL when the connection goes); a command whose caller went away or
 * timed out is only freed then.
 *
 * Redis Cluster: a command goes to the node that last served its key's
 * hash slot (the configured server until a node says otherwise); a MOVED
 * answer records the slot's node and sends the command there, an ASK
 * sends it there once, after ASKING; five redirections at most.  Keys
 * carry their digest as a hash tag (core/sts_redis.c), and every command
 * names one key.
 *
 * The error log says once, for all workers, when a store becomes
 * unreachable and when it answers again (a flag in the counters' shared
 * zone); sts_status counts the round trips, errors, timeouts,
 * redirections and the requests let through by "fail=open".
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_redis.h"
#include "core/sts_redis.h"
#include "core/sts_revoke.h"


#define NGX_HTTP_STS_REDIS_STORES      8
#define NGX_HTTP_STS_REDIS_RETRY       1000      /* ms between connects */
#define NGX_HTTP_STS_REDIS_REDIRECTS   5
#define NGX_HTTP_STS_REDIS_TIMEOUT_DEF 500
#define NGX_HTTP_STS_REDIS_PW_MAX      512
#define NGX_HTTP_STS_REDIS_REVOKE_FULL 20        /* polls: a full read */
#define NGX_HTTP_STS_REDIS_VERSION_MAX 32

/* the counters of a store */
#define NGX_HTTP_STS_REDIS_ROUND_TRIPS 0
#define NGX_HTTP_STS_REDIS_ERRORS      1
#define NGX_HTTP_STS_REDIS_TIMEOUTS    2
#define NGX_HTTP_STS_REDIS_REDIRECTED  3
#define NGX_HTTP_STS_REDIS_FAIL_OPEN   4
#define NGX_HTTP_STS_REDIS_REFUSED     5
#define NGX_HTTP_STS_REDIS_COUNTERS    6


typedef struct {
    ngx_atomic_t                 counters[NGX_HTTP_STS_REDIS_STORES]
                                         [NGX_HTTP_STS_REDIS_COUNTERS];
    ngx_atomic_t                 down[NGX_HTTP_STS_REDIS_STORES];
} ngx_http_sts_redis_sh_t;


typedef struct ngx_http_sts_redis_node_s  ngx_http_sts_redis_node_t;

struct ngx_http_sts_redis_node_s {
    ngx_http_sts_redis_t        *rs;
    ngx_http_sts_redis_node_t   *next;
    u_char                       host[STS_REDIS_HOST_MAX + 1];
    int                          port;
    redisAsyncContext           *ac;
    ngx_connection_t            *c;
    ngx_msec_t                   retry;        /* no connect before */
    unsigned                     backoff:1;
};


struct ngx_http_sts_redis_s {
    ngx_str_t                    name;
    ngx_str_t                    addr;         /* as configured */
    u_char                       host[NGX_SOCKADDR_STRLEN + 1];
    int                          port;
    ngx_str_t                    password;
    ngx_msec_t                   timeout;
    ngx_str_t                    prefix;
    ngx_uint_t                   index;        /* of its counters */
    ngx_http_sts_redis_conf_t   *rcf;

    /* each worker's */
    ngx_http_sts_redis_node_t   *nodes;        /* the first: configured */
    ngx_http_sts_redis_node_t  **slots;        /* after a MOVED */
    ngx_log_t                   *log;
};


struct ngx_http_sts_redis_cmd_s {
    ngx_http_sts_redis_t        *rs;
    ngx_http_sts_redis_handler_pt  handler;
    void                        *data;
    ngx_event_t                  timer;
    ngx_uint_t                   redirects;
    ngx_uint_t                   pending;      /* hiredis callbacks due */
    int                          argc;
    const char                 **argv;
    size_t                      *argvlen;
    unsigned                     slot;
    unsigned                     done:1;
};


static ngx_int_t ngx_http_sts_state_store_arg(ngx_conf_t *cf,
    ngx_http_sts_redis_t *rs, ngx_str_t *v, ngx_str_t *pwfile);
static ngx_int_t ngx_http_sts_redis_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_sts_redis_password(ngx_conf_t *cf,
    ngx_http_sts_redis_t *rs, ngx_str_t *file);
static ngx_http_sts_redis_node_t *ngx_http_sts_redis_node(
    ngx_http_sts_redis_t *rs, sts_str_t host, unsigned port);
static ngx_int_t ngx_http_sts_redis_connect(ngx_http_sts_redis_node_t *n);
static ngx_int_t ngx_http_sts_redis_submit(ngx_http_sts_redis_cmd_t *cmd,
    ngx_http_sts_redis_node_t *n, ngx_uint_t asking);
static void ngx_http_sts_redis_drop(ngx_http_sts_redis_node_t *n);
static void ngx_http_sts_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_sts_redis_finish(ngx_http_sts_redis_cmd_t *cmd,
    ngx_int_t rc, redisReply *reply);
static void ngx_http_sts_redis_free(ngx_http_sts_redis_cmd_t *cmd);
static void ngx_http_sts_redis_timeout(ngx_event_t *ev);
static void ngx_http_sts_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_sts_redis_disconnected(const redisAsyncContext *ac,
    int status);
static void ngx_http_sts_redis_auth(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_sts_redis_add_read(void *data);
static void ngx_http_sts_redis_del_read(void *data);
static void ngx_http_sts_redis_add_write(void *data);
static void ngx_http_sts_redis_del_write(void *data);
static void ngx_http_sts_redis_cleanup(void *data);
static void ngx_http_sts_redis_read_handler(ngx_event_t *ev);
static void ngx_http_sts_redis_write_handler(ngx_event_t *ev);
static void ngx_http_sts_redis_count(ngx_http_sts_redis_t *rs,
    ngx_uint_t counter);
static void ngx_http_sts_redis_down(ngx_http_sts_redis_t *rs,
    ngx_http_sts_redis_node_t *n, const char *why);
static void ngx_http_sts_redis_up(ngx_http_sts_redis_t *rs);
static void ngx_http_sts_redis_wait_done(void *data, ngx_int_t rc,
    void *reply);
static void ngx_http_sts_redis_wait_cleanup(void *data);


static void ngx_http_sts_redis_revoke_start(ngx_cycle_t *cycle,
    ngx_http_sts_redis_t *rs);
static void ngx_http_sts_redis_revoke_poll(ngx_event_t *ev);
static void ngx_http_sts_redis_revoke_reply(void *data, ngx_int_t rc,
    void *reply);
static void ngx_http_sts_redis_revoke_take(ngx_http_sts_redis_t *rs,
    redisReply *reply, ngx_log_t *log);
static ngx_int_t ngx_http_sts_redis_revoke_args(ngx_http_sts_redis_t *rs,
    ngx_str_t *args, u_char *k1, u_char *k2, ngx_uint_t full);


/*
 * The revocation rules of the fleet's store, each worker's own copy: the
 * rules stay in force while the store cannot be read.
 */
static sts_revoked_t         *ngx_http_sts_redis_rules;
static u_char                 ngx_http_sts_redis_rules_version[
                                  NGX_HTTP_STS_REDIS_VERSION_MAX];
static size_t                 ngx_http_sts_redis_rules_version_len;
static ngx_event_t            ngx_http_sts_redis_revoke_timer;
static ngx_uint_t             ngx_http_sts_redis_revoke_polls;
static ngx_uint_t             ngx_http_sts_redis_revoke_busy;
static ngx_uint_t             ngx_http_sts_redis_exiting;


static ngx_str_t  ngx_http_sts_redis_zone_name = ngx_string("sts_redis");

static const char *ngx_http_sts_redis_kinds[] = {
    "uses", "nonces", "limits", "grace", "revoked"
};

static ngx_str_t  ngx_http_sts_redis_labels[] = {
    ngx_string("round_trip"), ngx_string("error"), ngx_string("timeout"),
    ngx_string("redirect"), ngx_string("fail_open"),
    ngx_string("refused")
};


/* configuration */

/*
 * sts_state NAME redis=HOST:PORT [password=TEXT | password_file=FILE]
 *           [timeout=TIME] [prefix=TEXT];
 */
char *
ngx_http_sts_state_store(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    ngx_str_t                   *value, pwfile;
    ngx_uint_t                   i;
    ngx_http_sts_redis_t        *rs, **rsp;
    ngx_http_sts_redis_conf_t   *rcf;

    rcf = &smcf->redis;
    value = cf->args->elts;

    if (rcf->stores.elts == NULL
        && ngx_array_init(&rcf->stores, cf->pool, 2,
                          sizeof(ngx_http_sts_redis_t *))
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    rsp = rcf->stores.elts;

    for (i = 0; i < rcf->stores.nelts; i++) {
        if (rsp[i]->name.len == value[1].len
            && ngx_strncmp(rsp[i]->name.data, value[1].data, value[1].len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate sts_state \"%V\"", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    if (rcf->stores.nelts == NGX_HTTP_STS_REDIS_STORES) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "at most %d sts_state stores",
                           NGX_HTTP_STS_REDIS_STORES);
        return NGX_CONF_ERROR;
    }

    rs = ngx_pcalloc(cf->pool, sizeof(ngx_http_sts_redis_t));
    if (rs == NULL) {
        return NGX_CONF_ERROR;
    }

    rs->name = value[1];
    rs->timeout = NGX_HTTP_STS_REDIS_TIMEOUT_DEF;
    ngx_str_set(&rs->prefix, "sts:");
    rs->index = rcf->stores.nelts;
    rs->rcf = rcf;
    ngx_str_null(&pwfile);

    for (i = 2; i < cf->args->nelts; i++) {
        if (ngx_http_sts_state_store_arg(cf, rs, &value[i], &pwfile)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (rs->addr.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sts_state\" must have \"redis=HOST:PORT\"");
        return NGX_CONF_ERROR;
    }

    if (pwfile.len) {
        if (rs->password.len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"password\" and "
                               "\"password_file\" are exclusive");
            return NGX_CONF_ERROR;
        }

        if (ngx_http_sts_redis_password(cf, rs, &pwfile) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    rsp = ngx_array_push(&rcf->stores);
    if (rsp == NULL) {
        return NGX_CONF_ERROR;
    }

    *rsp = rs;

    if (rcf->zone == NULL) {
        rcf->zone = ngx_shared_memory_add(cf, &ngx_http_sts_redis_zone_name,
                                          8 * ngx_pagesize,
                                          &ngx_http_sts_module);
        if (rcf->zone == NULL) {
            return NGX_CONF_ERROR;
        }

        rcf->zone->init = ngx_http_sts_redis_init_zone;
        rcf->zone->data = rcf;
    }

    return NGX_CONF_OK;
}


/* one parameter of sts_state; NGX_OK or NGX_ERROR (logged) */
static ngx_int_t
ngx_http_sts_state_store_arg(ngx_conf_t *cf, ngx_http_sts_redis_t *rs,
    ngx_str_t *v, ngx_str_t *pwfile)
{
    ngx_str_t   s;
    ngx_url_t   u;
    sts_str_t   prefix;

    if (ngx_strncmp(v->data, "redis=", 6) == 0) {
        ngx_memzero(&u, sizeof(ngx_url_t));
        u.url.data = v->data + 6;
        u.url.len = v->len - 6;
        u.no_resolve = 0;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0
            || u.no_port || u.addrs[0].socklen == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid %V: \"HOST:PORT\" with a port "
                               "and a host that resolves%s%s",
                               v, u.err ? ": " : "",
                               u.err ? u.err : "");
            return NGX_ERROR;
        }

        rs->addr = u.url;
        rs->port = (int) u.port;
        (void) ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen,
                             rs->host, NGX_SOCKADDR_STRLEN, 0);
        return NGX_OK;
    }

    if (ngx_strncmp(v->data, "password=", 9) == 0) {
        rs->password.data = v->data + 9;
        rs->password.len = v->len - 9;
        return NGX_OK;
    }

    if (ngx_strncmp(v->data, "password_file=", 14) == 0) {
        pwfile->data = v->data + 14;
        pwfile->len = v->len - 14;
        return NGX_OK;
    }

    if (ngx_strncmp(v->data, "timeout=", 8) == 0) {
        s.data = v->data + 8;
        s.len = v->len - 8;

        rs->timeout = ngx_parse_time(&s, 0);
        if (rs->timeout == (ngx_msec_t) NGX_ERROR || rs->timeout < 1
            || rs->timeout > 60000)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid %V: a time from 1ms to 60s",
                               v);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (ngx_strncmp(v->data, "prefix=", 7) == 0) {
        rs->prefix.data = v->data + 7;
        rs->prefix.len = v->len - 7;

        prefix.data = (const char *) rs->prefix.data;
        prefix.len = rs->prefix.len;

        if (!sts_redis_name_ok(prefix)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid %V: at most 64 visible "
                               "characters, no \"{\" or \"}\"",
                               v);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (ngx_strcmp(v->data, "tls") == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"tls\" is not supported: the hiredis "
                           "library of this system has no TLS; reach "
                           "Redis over a private network or a local "
                           "TLS tunnel");
        return NGX_ERROR;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\"", v);
    return NGX_ERROR;
}


/* the password from a file only the owner may read, its first line */
static ngx_int_t
ngx_http_sts_redis_password(ngx_conf_t *cf, ngx_http_sts_redis_t *rs,
    ngx_str_t *file)
{
    u_char           *p;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         name;
    ngx_file_info_t   fi;

    name = *file;

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &name);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || (fi.st_mode & (S_IRWXG|S_IRWXO)) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" may be read or written by group or "
                           "others: refused, it holds a password", &name);
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    p = ngx_pnalloc(cf->pool, NGX_HTTP_STS_REDIS_PW_MAX);
    if (p == NULL) {
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    n = ngx_read_fd(fd, p, NGX_HTTP_STS_REDIS_PW_MAX);
    (void) ngx_close_file(fd);

    if (n < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "reading \"%V\" failed", &name);
        return NGX_ERROR;
    }

    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r')) {
        n--;
    }

    if (n == 0 || n == NGX_HTTP_STS_REDIS_PW_MAX
        || ngx_strlchr(p, p + n, '\n') != NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must hold one line, the password "
                           "(at most %d bytes)", &name,
                           NGX_HTTP_STS_REDIS_PW_MAX - 1);
        return NGX_ERROR;
    }

    rs->password.data = p;
    rs->password.len = n;

    return NGX_OK;
}


/* sts_state_use uses|nonces|limits|grace|revoked NAME [fail=closed|open] */
char *
ngx_http_sts_state_use(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sts_main_conf_t *smcf = conf;

    ngx_str_t                   *value;
    ngx_uint_t                   i, kind;
    ngx_flag_t                   open;
    ngx_http_sts_redis_t       **rsp, *rs;
    ngx_http_sts_redis_conf_t   *rcf;

    rcf = &smcf->redis;
    value = cf->args->elts;

    for (kind = 0; kind < NGX_HTTP_STS_STATE_KINDS; kind++) {
        if (ngx_strcmp(value[1].data, ngx_http_sts_redis_kinds[kind]) == 0) {
            break;
        }
    }

    if (kind == NGX_HTTP_STS_STATE_KINDS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid state \"%V\": uses, nonces, limits, "
                           "grace or revoked", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (rcf->use[kind] != NULL) {
        return "is duplicate";
    }

    rs = NULL;
    rsp = rcf->stores.elts;

    for (i = 0; i < rcf->stores.nelts; i++) {
        if (rsp[i]->name.len == value[2].len
            && ngx_strncmp(rsp[i]->name.data, value[2].data, value[2].len)
               == 0)
        {
            rs = rsp[i];
        }
    }

    if (rs == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"sts_state %V\" before", &value[2]);
        return NGX_CONF_ERROR;
    }

    open = 0;

    if (cf->args->nelts == 4) {
        if (ngx_strcmp(value[3].data, "fail=open") == 0) {
            open = 1;

        } else if (ngx_strcmp(value[3].data, "fail=closed") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\": fail=closed or "
                               "fail=open", &value[3]);
            return NGX_CONF_ERROR;
        }
    }

    if (open && kind == NGX_HTTP_STS_STATE_REVOKED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"fail\" does not apply to \"revoked\": the "
                           "rules last read stay in force");
        return NGX_CONF_ERROR;
    }

    rcf->use[kind] = rs;
    rcf->fail_open[kind] = open;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sts_redis_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t          *shpool;
    ngx_http_sts_redis_sh_t  *sh;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shpool->data != NULL) {
        /* a reload of the same size: the counters go on */
        return NGX_OK;
    }

    sh = ngx_slab_calloc(shpool, sizeof(ngx_http_sts_redis_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    shpool->data = sh;

    return NGX_OK;
}


static ngx_http_sts_redis_sh_t *
ngx_http_sts_redis_shared(ngx_http_sts_redis_conf_t *rcf)
{
    ngx_slab_pool_t  *shpool;

    if (rcf == NULL || rcf->zone == NULL || rcf->zone->shm.addr == NULL) {
        return NULL;
    }

    shpool = (ngx_slab_pool_t *) rcf->zone->shm.addr;

    return shpool->data;
}


ngx_http_sts_redis_t *
ngx_http_sts_redis_for(ngx_http_sts_redis_conf_t *rcf, ngx_uint_t kind)
{
    return kind < NGX_HTTP_STS_STATE_KINDS ? rcf->use[kind] : NULL;
}


ngx_flag_t
ngx_http_sts_redis_fail_open(ngx_http_sts_redis_conf_t *rcf, ngx_uint_t kind)
{
    return kind < NGX_HTTP_STS_STATE_KINDS ? rcf->fail_open[kind] : 0;
}


ngx_str_t *
ngx_http_sts_redis_prefix(ngx_http_sts_redis_t *rs)
{
    return &rs->prefix;
}


ngx_str_t *
ngx_http_sts_redis_name(ngx_http_sts_redis_t *rs)
{
    return &rs->name;
}


/* the workers */

ngx_int_t
ngx_http_sts_redis_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                   i;
    sts_str_t                    host;
    ngx_http_sts_redis_t       **rsp;
    ngx_http_sts_main_conf_t    *smcf;

    smcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_sts_module);
    if (smcf == NULL || smcf->redis.stores.elts == NULL) {
        return NGX_OK;
    }

    rsp = smcf->redis.stores.elts;

    for (i = 0; i < smcf->redis.stores.nelts; i++) {
        rsp[i]->log = cycle->log;

        host.data = (const char *) rsp[i]->host;
        host.len = ngx_strlen(rsp[i]->host);

        if (ngx_http_sts_redis_node(rsp[i], host, (unsigned) rsp[i]->port)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    if (smcf->redis.use[NGX_HTTP_STS_STATE_REVOKED] != NULL
        && (ngx_process == NGX_PROCESS_WORKER
            || ngx_process == NGX_PROCESS_SINGLE))
    {
        ngx_http_sts_redis_revoke_start(cycle,
                                  smcf->redis.use[NGX_HTTP_STS_STATE_REVOKED]);
    }

    return NGX_OK;
}


void
ngx_http_sts_redis_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                   i;
    ngx_http_sts_redis_t       **rsp;
    ngx_http_sts_redis_node_t   *n;
    ngx_http_sts_main_conf_t    *smcf;

    smcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_sts_module);
    if (smcf == NULL || smcf->redis.stores.elts == NULL) {
        return;
    }

    ngx_http_sts_redis_exiting = 1;

    if (ngx_http_sts_redis_revoke_timer.timer_set) {
        ngx_del_timer(&ngx_http_sts_redis_revoke_timer);
    }

    sts_revoked_free(&sts_malloc_allocator, ngx_http_sts_redis_rules);
    ngx_http_sts_redis_rules = NULL;

    rsp = smcf->redis.stores.elts;

    for (i = 0; i < smcf->redis.stores.nelts; i++) {
        for (n = rsp[i]->nodes; n; n = n->next) {
            ngx_http_sts_redis_drop(n);
        }

        if (rsp[i]->slots != NULL) {
            ngx_free(rsp[i]->slots);
            rsp[i]->slots = NULL;
        }
    }
}


/* the node at host:port, made on first use (cycle memory) */
static ngx_http_sts_redis_node_t *
ngx_http_sts_redis_node(ngx_http_sts_redis_t *rs, sts_str_t host,
    unsigned port)
{
    ngx_http_sts_redis_node_t  *n, **last;

    last = &rs->nodes;

    for (n = rs->nodes; n; n = n->next) {
        if (n->port == (int) port && ngx_strlen(n->host) == host.len
            && ngx_strncmp(n->host, host.data, host.len) == 0)
        {
            return n;
        }

        last = &n->next;
    }

    if (host.len > STS_REDIS_HOST_MAX) {
        return NULL;
    }

    n = ngx_pcalloc(ngx_cycle->pool, sizeof(ngx_http_sts_redis_node_t));
    if (n == NULL) {
        return NULL;
    }

    n->rs = rs;
    ngx_memcpy(n->host, host.data, host.len);
    n->host[host.len] = '\0';
    n->port = (int) port;
    *last = n;

    return n;
}


static ngx_int_t
ngx_http_sts_redis_connect(ngx_http_sts_redis_node_t *n)
{
    ngx_connection_t   *c;
    redisAsyncContext  *ac;

    if (n->backoff && (ngx_msec_int_t) (n->retry - ngx_current_msec) > 0) {
        return NGX_ERROR;
    }

    n->backoff = 0;

    ac = redisAsyncConnect((const char *) n->host, n->port);
    if (ac == NULL) {
        return NGX_ERROR;
    }

    if (ac->err) {
        ngx_http_sts_redis_down(n->rs, n, ac->errstr);
        redisAsyncFree(ac);
        return NGX_ERROR;
    }

    c = ngx_get_connection(ac->c.fd, n->rs->log);
    if (c == NULL) {
        redisAsyncFree(ac);
        return NGX_ERROR;
    }

    c->data = n;
    c->read->handler = ngx_http_sts_redis_read_handler;
    c->write->handler = ngx_http_sts_redis_write_handler;
    c->read->log = n->rs->log;
    c->write->log = n->rs->log;

    n->ac = ac;
    n->c = c;

    ac->data = n;
    ac->ev.data = n;
    ac->ev.addRead = ngx_http_sts_redis_add_read;
    ac->ev.delRead = ngx_http_sts_redis_del_read;
    ac->ev.addWrite = ngx_http_sts_redis_add_write;
    ac->ev.delWrite = ngx_http_sts_redis_del_write;
    ac->ev.cleanup = ngx_http_sts_redis_cleanup;

    (void) redisAsyncSetConnectCallback(ac, ngx_http_sts_redis_connected);
    (void) redisAsyncSetDisconnectCallback(ac,
                                           ngx_http_sts_redis_disconnected);

    if (n->rs->password.len
        && redisAsyncCommand(ac, ngx_http_sts_redis_auth, n, "AUTH %b",
                             n->rs->password.data,
                             (size_t) n->rs->password.len)
           != REDIS_OK)
    {
        ngx_http_sts_redis_drop(n);
        return NGX_ERROR;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_EVENT, n->rs->log, 0,
                   "sts redis: connecting to %s:%d", n->host, n->port);

    return NGX_OK;
}


/* a connection that failed or stalled: every command on it fails */
static void
ngx_http_sts_redis_drop(ngx_http_sts_redis_node_t *n)
{
    redisAsyncContext  *ac;

    ac = n->ac;

    if (ac == NULL) {
        return;
    }

    /* the cleanup hook forgets the connection; callbacks get NULL */
    redisAsyncFree(ac);
}


static void
ngx_http_sts_redis_connected(const redisAsyncContext *ac, int status)
{
    ngx_http_sts_redis_node_t  *n = ac->data;

    if (status != REDIS_OK) {
        n->backoff = 1;
        n->retry = ngx_current_msec + NGX_HTTP_STS_REDIS_RETRY;
        ngx_http_sts_redis_down(n->rs, n, ac->errstr);
    }
}


static void
ngx_http_sts_redis_disconnected(const redisAsyncContext *ac, int status)
{
    ngx_http_sts_redis_node_t  *n = ac->data;

    if (status != REDIS_OK) {
        /* made again by the next command */
        ngx_http_sts_redis_down(n->rs, n, ac->errstr);
    }
}


static void
ngx_http_sts_redis_auth(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                 *reply = r;
    ngx_http_sts_redis_node_t  *n = privdata;

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
        /* never the password: Redis's answer only */
        ngx_log_error(NGX_LOG_ERR, n->rs->log, 0,
                      "sts: the state store \"%V\" (%s:%d) refused the "
                      "password: %*s", &n->rs->name, n->host, n->port,
                      ngx_min(reply->len, 128), reply->str);
    }
}


/* commands */

ngx_int_t
ngx_http_sts_redis_send(ngx_http_sts_redis_t *rs, ngx_log_t *log,
    ngx_http_sts_redis_handler_pt handler, void *data, ngx_uint_t nargs,
    ngx_str_t *args, ngx_uint_t key, ngx_http_sts_redis_cmd_t **cmdp)
{
    u_char                     *p;
    size_t                      size;
    ngx_uint_t                  i;
    ngx_http_sts_redis_cmd_t   *cmd;
    ngx_http_sts_redis_node_t  *n;

    if (rs->nodes == NULL || nargs == 0 || key >= nargs) {
        return NGX_ERROR;
    }

    size = sizeof(ngx_http_sts_redis_cmd_t)
           + nargs * (sizeof(char *) + sizeof(size_t));

    for (i = 0; i < nargs; i++) {
        size += args[i].len;
    }

    cmd = ngx_calloc(size, log);
    if (cmd == NULL) {
        return NGX_ERROR;
    }

    cmd->rs = rs;
    cmd->handler = handler;
    cmd->data = data;
    cmd->argc = (int) nargs;
    cmd->argv = (const char **) (cmd + 1);
    cmd->argvlen = (size_t *) (cmd->argv + nargs);

    p = (u_char *) (cmd->argvlen + nargs);

    for (i = 0; i < nargs; i++) {
        cmd->argv[i] = (const char *) p;
        cmd->argvlen[i] = args[i].len;
        p = ngx_cpymem(p, args[i].data, args[i].len);
    }

    cmd->slot = sts_redis_slot((const char *) args[key].data, args[key].len);

    /* not cancelable: a worker shutting down waits for its requests */
    cmd->timer.handler = ngx_http_sts_redis_timeout;
    cmd->timer.data = cmd;
    cmd->timer.log = rs->log;

    n = (rs->slots && rs->slots[cmd->slot]) ? rs->slots[cmd->slot]
                                             : rs->nodes;

    if (ngx_http_sts_redis_submit(cmd, n, 0) != NGX_OK) {
        ngx_http_sts_redis_count(rs, NGX_HTTP_STS_REDIS_ERRORS);
        ngx_free(cmd);
        return NGX_ERROR;
    }

    ngx_add_timer(&cmd->timer, rs->timeout);

    if (cmdp) {
        *cmdp = cmd;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sts_redis_submit(ngx_http_sts_redis_cmd_t *cmd,
    ngx_http_sts_redis_node_t *n, ngx_uint_t asking)
{
    if (n->ac == NULL && ngx_http_sts_redis_connect(n) != NGX_OK) {
        return NGX_ERROR;
    }

    if (asking
        && redisAsyncCommand(n->ac, NULL, NULL, "ASKING") != REDIS_OK)
    {
        return NGX_ERROR;
    }

    if (redisAsyncCommandArgv(n->ac, ngx_http_sts_redis_reply, cmd,
                              cmd->argc, cmd->argv, cmd->argvlen)
        != REDIS_OK)
    {
        return NGX_ERROR;
    }

    cmd->pending++;

    return NGX_OK;
}


void
ngx_http_sts_redis_cancel(ngx_http_sts_redis_cmd_t *cmd)
{
    /* freed by hiredis's callback, which is always called */
    cmd->done = 1;

    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }
}


static void
ngx_http_sts_redis_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                 *reply = r;
    ngx_http_sts_redis_cmd_t   *cmd = privdata;

    int                         ask;
    unsigned                    slot, port;
    sts_str_t                   host;
    ngx_http_sts_redis_t       *rs;
    ngx_http_sts_redis_node_t  *n;

    if (cmd == NULL) {
        return;
    }

    cmd->pending--;
    rs = cmd->rs;

    if (cmd->done) {
        if (cmd->pending == 0) {
            ngx_http_sts_redis_free(cmd);
        }

        return;
    }

    if (reply == NULL) {
        ngx_http_sts_redis_finish(cmd, NGX_ERROR, NULL);
        return;
    }

    ngx_http_sts_redis_count(rs, NGX_HTTP_STS_REDIS_ROUND_TRIPS);

    if (reply->type != REDIS_REPLY_ERROR) {
        ngx_http_sts_redis_up(rs);
        ngx_http_sts_redis_finish(cmd, NGX_OK, reply);
        return;
    }

    /* a cluster node that does not serve the key's slot */

    if (sts_redis_redirect(reply->str, reply->len, &ask, &slot, &host,
                           &port)
        == STS_OK
        && cmd->redirects < NGX_HTTP_STS_REDIS_REDIRECTS)
    {
        cmd->redirects++;
        ngx_http_sts_redis_count(rs, NGX_HTTP_STS_REDIS_REDIRECTED);

        n = ngx_http_sts_redis_node(rs, host, port);

        if (n != NULL && !ask && rs->slots == NULL) {
            rs->slots = ngx_calloc(STS_REDIS_SLOTS
                                   * sizeof(ngx_http_sts_redis_node_t *),
                                   rs->log);
        }

        if (n != NULL && !ask && rs->slots != NULL) {
            rs->slots[slot] = n;
        }

        if (n != NULL && ngx_http_sts_redis_submit(cmd, n, ask) == NGX_OK) {
            return;
        }
    }

    /* logged once until the store answers well again */
    n = (rs->slots && rs->slots[cmd->slot]) ? rs->slots[cmd->slot]
                                             : rs->nodes;
    ngx_http_sts_redis_down(rs, n, reply->str);

    ngx_http_sts_redis_finish(cmd, NGX_ERROR, reply);
}


static void
ngx_http_sts_redis_finish(ngx_http_sts_redis_cmd_t *cmd, ngx_int_t rc,
    redisReply *reply)
{
    cmd->done = 1;

    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }

    if (rc != NGX_OK) {
        ngx_http_sts_redis_count(cmd->rs, NGX_HTTP_STS_REDIS_ERRORS);
    }

    cmd->handler(cmd->data, rc, reply);

    if (cmd->pending == 0) {
        ngx_http_sts_redis_free(cmd);
    }
}


static void
ngx_http_sts_redis_free(ngx_http_sts_redis_cmd_t *cmd)
{
    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }

    ngx_free(cmd);
}


static void
ngx_http_sts_redis_timeout(ngx_event_t *ev)
{
    ngx_http_sts_redis_cmd_t   *cmd = ev->data;

    void                       *data;
    ngx_http_sts_redis_t       *rs;
    ngx_http_sts_redis_node_t  *n;
    ngx_http_sts_redis_handler_pt  handler;

    rs = cmd->rs;
    handler = cmd->handler;
    data = cmd->data;
    n = (rs->slots && rs->slots[cmd->slot]) ? rs->slots[cmd->slot]
                                             : rs->nodes;

    ngx_http_sts_redis_count(rs, NGX_HTTP_STS_REDIS_TIMEOUTS);
    ngx_http_sts_redis_count(rs, NGX_HTTP_STS_REDIS_ERRORS);
    ngx_http_sts_redis_down(rs, n, "timed out");

    /*
     * The stalled connection goes first (its callbacks free cmd, which is
     * not used after), so that what the caller sends next does not queue
     * behind it.
     */
    cmd->done = 1;
    n->backoff = 1;
    n->retry = ngx_current_msec + NGX_HTTP_STS_REDIS_RETRY;

    ngx_http_sts_redis_drop(n);

    handler(data, NGX_HTTP_STS_REDIS_TIMEOUT, NULL);
}


/* hiredis's events as nginx's */

static void
ngx_http_sts_redis_add_read(void *data)
{
    ngx_http_sts_redis_node_t  *n = data;

    if (n->c != NULL && !n->c->read->active) {
        (void) ngx_add_event(n->c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_sts_redis_del_read(void *data)
{
    ngx_http_sts_redis_node_t  *n = data;

    if (n->c != NULL && n->c->read->active) {
        (void) ngx_del_event(n->c->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_http_sts_redis_add_write(void *data)
{
    ngx_http_sts_redis_node_t  *n = data;

    if (n->c != NULL && !n->c->write->active) {
        (void) ngx_add_event(n->c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_sts_redis_del_write(void *data)
{
    ngx_http_sts_redis_node_t  *n = data;

    if (n->c != NULL && n->c->write->active) {
        (void) ngx_del_event(n->c->write, NGX_WRITE_EVENT, 0);
    }
}


/* hiredis frees its context and closes the socket after this */
static void
ngx_http_sts_redis_cleanup(void *data)
{
    ngx_http_sts_redis_node_t  *n = data;

    ngx_connection_t  *c;

    c = n->c;
    n->c = NULL;
    n->ac = NULL;

    if (c == NULL) {
        return;
    }

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
    }

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_CLOSE_EVENT);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}


static void
ngx_http_sts_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t           *c = ev->data;
    ngx_http_sts_redis_node_t  *n = c->data;

    if (n->ac != NULL && n->c == c) {
        redisAsyncHandleRead(n->ac);
    }
}


static void
ngx_http_sts_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t           *c = ev->data;
    ngx_http_sts_redis_node_t  *n = c->data;

    if (n->ac != NULL && n->c == c) {
        redisAsyncHandleWrite(n->ac);
    }
}


/* counters and the log */

static void
ngx_http_sts_redis_count(ngx_http_sts_redis_t *rs, ngx_uint_t counter)
{
    ngx_http_sts_redis_sh_t  *sh;

    sh = ngx_http_sts_redis_shared(rs->rcf);

    if (sh != NULL) {
        (void) ngx_atomic_fetch_add(&sh->counters[rs->index][counter], 1);
    }
}


static void
ngx_http_sts_redis_down(ngx_http_sts_redis_t *rs,
    ngx_http_sts_redis_node_t *n, const char *why)
{
    ngx_http_sts_redis_sh_t  *sh;

    sh = ngx_http_sts_redis_shared(rs->rcf);

    if (sh == NULL || ngx_atomic_cmp_set(&sh->down[rs->index], 0, 1)) {
        ngx_log_error(NGX_LOG_ERR, rs->log, 0,
                      "sts: the state store \"%V\" is unreachable (%s:%d: "
                      "%s); requests that need it are refused with 503 "
                      "(or let through where \"fail=open\") until it "
                      "answers again", &rs->name,
                      n ? n->host : rs->host, n ? n->port : rs->port,
                      why ? why : "connection lost");
    }
}


static void
ngx_http_sts_redis_up(ngx_http_sts_redis_t *rs)
{
    ngx_http_sts_redis_sh_t  *sh;

    sh = ngx_http_sts_redis_shared(rs->rcf);

    if (sh != NULL && sh->down[rs->index]
        && ngx_atomic_cmp_set(&sh->down[rs->index], 1, 0))
    {
        ngx_log_error(NGX_LOG_WARN, rs->log, 0,
                      "sts: the state store \"%V\" (%V) answers again",
                      &rs->name, &rs->addr);
    }
}


void
ngx_http_sts_redis_failed(ngx_http_request_t *r, ngx_http_sts_redis_t *rs,
    ngx_uint_t kind, ngx_int_t rc, ngx_flag_t open)
{
    ngx_uint_t  level;

    level = open ? NGX_LOG_WARN : NGX_LOG_INFO;

    ngx_http_sts_redis_count(rs, open ? NGX_HTTP_STS_REDIS_FAIL_OPEN
                                      : NGX_HTTP_STS_REDIS_REFUSED);

    ngx_log_error(level, r->connection->log, 0,
                  "sts: the state store \"%V\" %s for the %s: %s",
                  &rs->name,
                  rc == NGX_HTTP_STS_REDIS_TIMEOUT ? "timed out"
                                                   : "failed",
                  ngx_http_sts_redis_kinds[kind],
                  open ? "let through (fail=open)" : "refused");
}


/* a request waiting for a command */

ngx_int_t
ngx_http_sts_redis_request(ngx_http_sts_redis_t *rs,
    ngx_http_sts_redis_wait_t *w, ngx_uint_t nargs, ngx_str_t *args,
    ngx_uint_t key)
{
    ngx_pool_cleanup_t  *cln;

    if (!w->cleanup) {
        cln = ngx_pool_cleanup_add(w->r->pool, 0);
        if (cln == NULL) {
            w->rc = NGX_ERROR;
            return NGX_ERROR;
        }

        cln->handler = ngx_http_sts_redis_wait_cleanup;
        cln->data = w;
        w->cleanup = 1;
    }

    w->rc = NGX_AGAIN;
    w->type = 0;
    w->len = 0;
    w->truncated = 0;

    if (ngx_http_sts_redis_send(rs, w->r->connection->log,
                                ngx_http_sts_redis_wait_done, w, nargs, args,
                                key, &w->cmd)
        != NGX_OK)
    {
        w->cmd = NULL;
        w->rc = NGX_ERROR;
        return NGX_ERROR;
    }

    return NGX_AGAIN;
}


static void
ngx_http_sts_redis_wait_done(void *data, ngx_int_t rc, void *r)
{
    ngx_http_sts_redis_wait_t *w = data;

    redisReply          *reply = r;
    ngx_connection_t    *c;
    ngx_http_request_t  *req;

    w->cmd = NULL;
    w->rc = rc;

    if (rc == NGX_OK && reply != NULL) {
        w->type = reply->type;
        w->integer = reply->integer;

        if (reply->type == REDIS_REPLY_STRING
            || reply->type == REDIS_REPLY_STATUS)
        {
            w->len = ngx_min(reply->len, NGX_HTTP_STS_REDIS_STR_MAX);
            w->truncated = reply->len > NGX_HTTP_STS_REDIS_STR_MAX;
            ngx_memcpy(w->str, reply->str, w->len);
        }
    }

    if (ngx_http_sts_redis_exiting) {
        /* the worker is going: nothing resumes */
        return;
    }

    req = w->r;
    c = req->connection;

    w->resume(w);

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_sts_redis_wait_cleanup(void *data)
{
    ngx_http_sts_redis_wait_t *w = data;

    if (w->cmd != NULL) {
        ngx_http_sts_redis_cancel(w->cmd);
        w->cmd = NULL;
    }
}


/* revocation across the fleet */

struct sts_revoked_s *
ngx_http_sts_redis_revoked(void)
{
    return ngx_http_sts_redis_rules;
}


/*
 * A worker starts with the rules read at once (blocking, within the
 * store's timeout: nothing else runs in the worker yet), so that a
 * gateway that restarts never serves a revoked token; then polls.
 */
static void
ngx_http_sts_redis_revoke_start(ngx_cycle_t *cycle, ngx_http_sts_redis_t *rs)
{
    int              i;
    u_char           k1[NGX_HTTP_STS_REDIS_NAME_MAX];
    u_char           k2[NGX_HTTP_STS_REDIS_NAME_MAX];
    ngx_str_t        args[6];
    redisReply      *reply;
    redisContext    *c;
    struct timeval   tv;
    const char      *argv[6];
    size_t           argvlen[6];

    tv.tv_sec = rs->timeout / 1000;
    tv.tv_usec = (rs->timeout % 1000) * 1000;

    if (ngx_http_sts_redis_revoke_args(rs, args, k1, k2, 1) != NGX_OK) {
        return;
    }

    for (i = 0; i < 6; i++) {
        argv[i] = (const char *) args[i].data;
        argvlen[i] = args[i].len;
    }

    c = redisConnectWithTimeout((const char *) rs->host, rs->port, tv);

    if (c == NULL || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, cycle->log, 0,
                      "sts: the revocation rules of the state store \"%V\" "
                      "could not be read at start (%s); polled from now on",
                      &rs->name, c ? c->errstr : "no memory");
        goto poll;
    }

    if (rs->password.len) {
        reply = redisCommand(c, "AUTH %b", rs->password.data,
                             (size_t) rs->password.len);
        if (reply != NULL) {
            freeReplyObject(reply);
        }
    }

    reply = redisCommandArgv(c, 6, argv, argvlen);

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        ngx_log_error(NGX_LOG_ERR, cycle->log, 0,
                      "sts: the revocation rules of the state store \"%V\" "
                      "could not be read at start (%s); polled from now on",
                      &rs->name,
                      reply ? (reply->type == REDIS_REPLY_ERROR ? reply->str
                                                                : "an answer "
                                                                  "not a list")
                            : c->errstr);

    } else {
        ngx_http_sts_redis_revoke_take(rs, reply, cycle->log);
    }

    if (reply != NULL) {
        freeReplyObject(reply);
    }

poll:

    if (c != NULL) {
        redisFree(c);
    }

    ngx_http_sts_redis_revoke_timer.handler = ngx_http_sts_redis_revoke_poll;
    ngx_http_sts_redis_revoke_timer.data = rs;
    ngx_http_sts_redis_revoke_timer.log = cycle->log;
    ngx_http_sts_redis_revoke_timer.cancelable = 1;

    ngx_add_timer(&ngx_http_sts_redis_revoke_timer,
                  NGX_HTTP_STS_REDIS_REVOKE_POLL);
}


static ngx_int_t
ngx_http_sts_redis_revoke_args(ngx_http_sts_redis_t *rs, ngx_str_t *args,
    u_char *k1, u_char *k2, ngx_uint_t full)
{
    if (rs->prefix.len + sizeof(STS_REDIS_REVOKED_VERSION)
        > NGX_HTTP_STS_REDIS_NAME_MAX)
    {
        return NGX_ERROR;
    }

    ngx_str_set(&args[0], "EVAL");
    args[1].data = (u_char *) sts_redis_script_revoked;
    args[1].len = ngx_strlen(sts_redis_script_revoked);
    ngx_str_set(&args[2], "2");
    args[3].data = k1;
    args[3].len = ngx_sprintf(k1, "%V%s", &rs->prefix,
                              STS_REDIS_REVOKED_KEY) - k1;
    args[4].data = k2;
    args[4].len = ngx_sprintf(k2, "%V%s", &rs->prefix,
                              STS_REDIS_REVOKED_VERSION) - k2;
    args[5].data = ngx_http_sts_redis_rules_version;
    args[5].len = full ? 0 : ngx_http_sts_redis_rules_version_len;

    return NGX_OK;
}


static void
ngx_http_sts_redis_revoke_poll(ngx_event_t *ev)
{
    ngx_http_sts_redis_t  *rs = ev->data;

    u_char                 k1[NGX_HTTP_STS_REDIS_NAME_MAX];
    u_char                 k2[NGX_HTTP_STS_REDIS_NAME_MAX];
    ngx_str_t              args[6];
    ngx_uint_t             full;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (!ngx_http_sts_redis_revoke_busy) {
        /* every few seconds the whole set: a rule added without a version */
        full = (++ngx_http_sts_redis_revoke_polls
                % NGX_HTTP_STS_REDIS_REVOKE_FULL) == 0;

        if (ngx_http_sts_redis_revoke_args(rs, args, k1, k2, full) == NGX_OK
            && ngx_http_sts_redis_send(rs, ev->log,
                                       ngx_http_sts_redis_revoke_reply, rs,
                                       6, args, 3, NULL)
               == NGX_OK)
        {
            ngx_http_sts_redis_revoke_busy = 1;
        }
    }

    ngx_add_timer(ev, NGX_HTTP_STS_REDIS_REVOKE_POLL);
}


static void
ngx_http_sts_redis_revoke_reply(void *data, ngx_int_t rc, void *reply)
{
    ngx_http_sts_redis_t  *rs = data;

    ngx_http_sts_redis_revoke_busy = 0;

    if (rc == NGX_OK && reply != NULL) {
        ngx_http_sts_redis_revoke_take(rs, reply, rs->log);
    }
}


/* {version} or {version, {rules}}: the rules that parse, in force */
static void
ngx_http_sts_redis_revoke_take(ngx_http_sts_redis_t *rs, redisReply *reply,
    ngx_log_t *log)
{
    char            err[256];
    u_char         *text, *p;
    size_t          i, len, bad;
    redisReply     *v, *set, *rule;
    sts_revoked_t  *rv, *one;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
        return;
    }

    v = reply->element[0];

    if (v->type != REDIS_REPLY_STRING || v->len == 0
        || v->len > NGX_HTTP_STS_REDIS_VERSION_MAX)
    {
        return;
    }

    if (reply->elements < 2) {
        return;                         /* the version this worker holds */
    }

    set = reply->element[1];

    if (set->type != REDIS_REPLY_ARRAY) {
        return;
    }

    len = 0;

    for (i = 0; i < set->elements; i++) {
        if (set->element[i]->type == REDIS_REPLY_STRING) {
            len += set->element[i]->len + 1;
        }
    }

    if (len > STS_REVOKE_FILE_MAX) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "sts: the revocation rules of the state store \"%V\" "
                      "are over %d bytes: the rules read before stay in force",
                      &rs->name, STS_REVOKE_FILE_MAX);
        return;
    }

    text = ngx_alloc(len + 1, log);
    if (text == NULL) {
        return;
    }

    /* each rule checked alone: a bad one is skipped, named in the log */

    p = text;
    bad = 0;

    for (i = 0; i < set->elements; i++) {
        rule = set->element[i];

        if (rule->type != REDIS_REPLY_STRING) {
            continue;
        }

        if (ngx_strlchr((u_char *) rule->str, (u_char *) rule->str + rule->len,
                        '\n')
            != NULL
            || sts_revoked_parse(&sts_malloc_allocator, rule->str, rule->len,
                                 &one, err, sizeof(err))
               != STS_OK)
        {
            if (bad++ == 0
                || v->len != ngx_http_sts_redis_rules_version_len
                || ngx_strncmp(v->str, ngx_http_sts_redis_rules_version,
                               v->len) != 0)
            {
                ngx_log_error(NGX_LOG_ERR, log, 0,
                              "sts: a revocation rule of the state store "
                              "\"%V\" is not valid and is skipped: \"%*s\"",
                              &rs->name, ngx_min(rule->len, 200), rule->str);
            }

            continue;
        }

        sts_revoked_free(&sts_malloc_allocator, one);

        p = ngx_cpymem(p, rule->str, rule->len);
        *p++ = '\n';
    }

    if (sts_revoked_parse(&sts_malloc_allocator, (const char *) text,
                          p - text, &rv, err, sizeof(err))
        != STS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "sts: the revocation rules of the state store \"%V\" "
                      "cannot be read (%s): the rules read before stay in "
                      "force", &rs->name, err);
        ngx_free(text);
        return;
    }

    ngx_free(text);

    if (v->len != ngx_http_sts_redis_rules_version_len
        || ngx_strncmp(v->str, ngx_http_sts_redis_rules_version, v->len) != 0)
    {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "sts: %uz revocation rules from the state store "
                      "\"%V\", version %*s", sts_revoked_count(rv),
                      &rs->name, v->len, v->str);
    }

    sts_revoked_free(&sts_malloc_allocator, ngx_http_sts_redis_rules);
    ngx_http_sts_redis_rules = rv;

    ngx_memcpy(ngx_http_sts_redis_rules_version, v->str, v->len);
    ngx_http_sts_redis_rules_version_len = v->len;
}


/* metrics, appended to sts_status */

u_char *
ngx_http_sts_redis_status(ngx_http_sts_redis_conf_t *rcf, u_char *p)
{
    ngx_uint_t                i, j;
    ngx_http_sts_redis_t    **rsp;
    ngx_http_sts_redis_sh_t  *sh;

    sh = ngx_http_sts_redis_shared(rcf);

    if (sh == NULL || rcf->stores.elts == NULL) {
        return p;
    }

    p = ngx_sprintf(p, "# HELP nginx_sts_state_store_total Commands to "
                    "the shared state stores by outcome, and requests "
                    "refused or let through without them.\n"
                    "# TYPE nginx_sts_state_store_total counter\n");

    rsp = rcf->stores.elts;

    for (i = 0; i < rcf->stores.nelts; i++) {
        for (j = 0; j < NGX_HTTP_STS_REDIS_COUNTERS; j++) {
            p = ngx_sprintf(p, "nginx_sts_state_store_total{store=\"%V\","
                            "result=\"%V\"} %uA\n", &rsp[i]->name,
                            &ngx_http_sts_redis_labels[j],
                            sh->counters[rsp[i]->index][j]);
        }
    }

    p = ngx_sprintf(p, "# HELP nginx_sts_state_store_up Whether the store "
                    "answered the last command sent to it.\n"
                    "# TYPE nginx_sts_state_store_up gauge\n");

    for (i = 0; i < rcf->stores.nelts; i++) {
        p = ngx_sprintf(p, "nginx_sts_state_store_up{store=\"%V\"} %d\n",
                        &rsp[i]->name,
                        sh->down[rsp[i]->index] ? 0 : 1);
    }

    return p;
}
