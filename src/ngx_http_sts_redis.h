/*
 * Copyright (C) nginx-sts authors
 */

#ifndef _NGX_HTTP_STS_REDIS_H_INCLUDED_
#define _NGX_HTTP_STS_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * The fleet's shared state on Redis (ngx_http_sts_redis.c).
 *
 *     sts_state NAME redis=HOST:PORT [password=FILE] [timeout=TIME]
 *               [prefix=TEXT];                                   # http
 *     sts_state_use uses|nonces|limits|grace|revoked NAME
 *                   [fail=closed|open];                          # http
 *
 * A store is reached by every worker over its own connection (one per
 * server, requests pipelined), through hiredis's asynchronous API driven
 * by nginx's event loop: a worker never blocks on Redis.
 */

#define NGX_HTTP_STS_STATE_USES      0
#define NGX_HTTP_STS_STATE_NONCES    1
#define NGX_HTTP_STS_STATE_LIMITS    2
#define NGX_HTTP_STS_STATE_GRACE     3
#define NGX_HTTP_STS_STATE_REVOKED   4
#define NGX_HTTP_STS_STATE_KINDS     5

/* what a command ended with, besides NGX_OK and NGX_ERROR */
#define NGX_HTTP_STS_REDIS_TIMEOUT   NGX_DECLINED

#define NGX_HTTP_STS_REDIS_STR_MAX   64
#define NGX_HTTP_STS_REDIS_ARGS      8


/* a command prepared now and sent later: its arguments' own memory */
#define NGX_HTTP_STS_REDIS_NAME_MAX  256

typedef struct {
    u_char                       name[NGX_HTTP_STS_REDIS_NAME_MAX];
    u_char                       n1[NGX_INT64_LEN];
    u_char                       n2[NGX_INT64_LEN];
    ngx_str_t                    args[NGX_HTTP_STS_REDIS_ARGS];
    ngx_uint_t                   nargs;
    ngx_uint_t                   key;          /* the index of the key */
} ngx_http_sts_redis_args_t;


typedef struct ngx_http_sts_redis_s      ngx_http_sts_redis_t;
typedef struct ngx_http_sts_redis_cmd_s  ngx_http_sts_redis_cmd_t;

/*
 * |rc|: NGX_OK with the reply (never an error reply), NGX_ERROR (the
 * store is unreachable, or answered an error: |reply| may then be that
 * error or NULL), NGX_HTTP_STS_REDIS_TIMEOUT.  |reply| lives until the
 * handler returns.
 */
typedef void (*ngx_http_sts_redis_handler_pt)(void *data, ngx_int_t rc,
    void *reply);


/* a request waiting for one command */
typedef struct ngx_http_sts_redis_wait_s  ngx_http_sts_redis_wait_t;

struct ngx_http_sts_redis_wait_s {
    ngx_http_request_t          *r;
    ngx_http_sts_redis_cmd_t    *cmd;
    void                       (*resume)(ngx_http_sts_redis_wait_t *w);
    ngx_int_t                    rc;           /* NGX_AGAIN while waiting */
    ngx_int_t                    type;         /* REDIS_REPLY_* */
    long long                    integer;
    size_t                       len;
    u_char                       str[NGX_HTTP_STS_REDIS_STR_MAX];
    unsigned                     cleanup:1;
    unsigned                     truncated:1;
};


typedef struct {
    ngx_array_t                  stores;       /* ngx_http_sts_redis_t * */
    ngx_http_sts_redis_t        *use[NGX_HTTP_STS_STATE_KINDS];
    ngx_flag_t                   fail_open[NGX_HTTP_STS_STATE_KINDS];
    ngx_shm_zone_t              *zone;         /* the counters */
} ngx_http_sts_redis_conf_t;


char *ngx_http_sts_state_store(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_sts_state_use(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_sts_redis_init_process(ngx_cycle_t *cycle);
void ngx_http_sts_redis_exit_process(ngx_cycle_t *cycle);

/* the store the feature |kind| uses, or NULL (shared memory) */
ngx_http_sts_redis_t *ngx_http_sts_redis_for(ngx_http_sts_redis_conf_t *rcf,
    ngx_uint_t kind);
ngx_flag_t ngx_http_sts_redis_fail_open(ngx_http_sts_redis_conf_t *rcf,
    ngx_uint_t kind);
ngx_str_t *ngx_http_sts_redis_prefix(ngx_http_sts_redis_t *rs);
ngx_str_t *ngx_http_sts_redis_name(ngx_http_sts_redis_t *rs);

/*
 * ngx_http_sts_redis_send sends a command of |nargs| arguments, the key
 * (which routes it in a cluster) at |key|.  NGX_OK: |handler| is called
 * later, never from here, unless ngx_http_sts_redis_cancel is called
 * first; NGX_ERROR: the store cannot be reached now (|handler| is never
 * called).
 */
ngx_int_t ngx_http_sts_redis_send(ngx_http_sts_redis_t *rs, ngx_log_t *log,
    ngx_http_sts_redis_handler_pt handler, void *data, ngx_uint_t nargs,
    ngx_str_t *args, ngx_uint_t key, ngx_http_sts_redis_cmd_t **cmdp);
void ngx_http_sts_redis_cancel(ngx_http_sts_redis_cmd_t *cmd);

/*
 * ngx_http_sts_redis_request sends a command for |w->r|: NGX_AGAIN, and
 * w->resume(w) runs once w->rc is set (the request's end cancels it);
 * or NGX_ERROR with w->rc set, when the store cannot be reached now.
 */
ngx_int_t ngx_http_sts_redis_request(ngx_http_sts_redis_t *rs,
    ngx_http_sts_redis_wait_t *w, ngx_uint_t nargs, ngx_str_t *args,
    ngx_uint_t key);

/* logs a refusal for want of the store, counts a fail-open */
void ngx_http_sts_redis_failed(ngx_http_request_t *r,
    ngx_http_sts_redis_t *rs, ngx_uint_t kind, ngx_int_t rc,
    ngx_flag_t open);

/*
 * The revocation rules of the fleet's store (sts_state_use revoked): this
 * worker's copy, read at its start and then polled every
 * NGX_HTTP_STS_REDIS_REVOKE_POLL ms, or NULL.
 */
#define NGX_HTTP_STS_REDIS_REVOKE_POLL  250
struct sts_revoked_s *ngx_http_sts_redis_revoked(void);

#define NGX_HTTP_STS_REDIS_STATUS_SIZE  2048
u_char *ngx_http_sts_redis_status(ngx_http_sts_redis_conf_t *rcf, u_char *p);


#endif /* _NGX_HTTP_STS_REDIS_H_INCLUDED_ */
