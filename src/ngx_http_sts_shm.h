/*
 * Copyright (C) nginx-sts authors
 *
 * The shared keyed table (ngx_http_sts_shm.c).
 */

#ifndef _NGX_HTTP_STS_SHM_H_INCLUDED_
#define _NGX_HTTP_STS_SHM_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * The shared keyed table (ngx_http_sts_shm.c): 32-byte keys, each entry
 * with a small value, in one zone per feature, kept across reloads of the
 * same size.  ngx_http_sts_shm_update finds or adds an entry and lets a
 * handler change its value under the lock (see there).
 * ngx_http_sts_shm_charge finds or adds the entry and counts a use:
 * NGX_OK, NGX_DECLINED when |limit| (0: none) uses were already counted,
 * NGX_BUSY when the table is full (logged once until an entry fits
 * again), NGX_HTTP_STS_SHM_OVER when a new entry's |owner| (a digest, or
 * NULL: none) holds its share of the table, NGX_ERROR; *v is the entry's
 * value, or what ngx_http_sts_shm_update_owned tells of a refusal.
 * ngx_http_sts_shm_find: NGX_OK with the expiry of a live entry, else
 * NGX_DECLINED.  ngx_http_sts_shm_set_max_per_key sets the share of one
 * owner (0: an eighth of what the zone holds), and
 * ngx_http_sts_shm_max_per_key reads it from a directive's argument.
 */
#define NGX_HTTP_STS_SHM_KEY_LEN    32
#define NGX_HTTP_STS_SHM_COUNTERS   8
#define NGX_HTTP_STS_SHM_OVER       NGX_AGAIN
#define NGX_HTTP_STS_SHM_MAX_PER_KEY  1000000

typedef struct {
    time_t                    expires;       /* dropped once <= now */
    time_t                    last;          /* the caller's own */
    ngx_uint_t                count;         /* uses, a bucket's excess */
} ngx_http_sts_shm_value_t;

typedef ngx_int_t (*ngx_http_sts_shm_handler_pt)(
    ngx_http_sts_shm_value_t *v, time_t now, void *data);

ngx_shm_zone_t *ngx_http_sts_shm_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *directive, size_t size);
ngx_int_t ngx_http_sts_shm_update(ngx_shm_zone_t *zone, const u_char *key,
    time_t now, ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v);
ngx_int_t ngx_http_sts_shm_update_owned(ngx_shm_zone_t *zone,
    const u_char *key, const u_char *owner, time_t now,
    ngx_http_sts_shm_handler_pt handler, void *data,
    ngx_http_sts_shm_value_t *v);
ngx_int_t ngx_http_sts_shm_charge(ngx_shm_zone_t *zone, const u_char *key,
    const u_char *owner, time_t now, time_t expires, ngx_uint_t limit,
    ngx_http_sts_shm_value_t *v);
void ngx_http_sts_shm_set_max_per_key(ngx_shm_zone_t *zone,
    ngx_uint_t max);
char *ngx_http_sts_shm_max_per_key(ngx_conf_t *cf, ngx_str_t *arg,
    ngx_uint_t *max);
ngx_int_t ngx_http_sts_shm_find(ngx_shm_zone_t *zone, const u_char *key,
    time_t now, time_t *expires);
void ngx_http_sts_shm_count(ngx_shm_zone_t *zone, ngx_uint_t counter);
ngx_atomic_uint_t ngx_http_sts_shm_counter(ngx_shm_zone_t *zone,
    ngx_uint_t counter);


#endif /* _NGX_HTTP_STS_SHM_H_INCLUDED_ */
