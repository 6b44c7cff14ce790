/*
 * Copyright (C) nginx-sts authors
 *
 * The bottom layer of the nginx glue: helpers every other glue file may
 * call (the module's request log, the pool allocator of the core, header
 * lists, the query strip, the revocation check, the worker's token
 * cache).  It calls no other glue file; it reads the configuration
 * structures of ngx_http_sts_module.h only.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_util.h"
#include "core/sts_cache.h"


static u_char *ngx_http_sts_log_context(ngx_log_t *log, u_char *buf,
    size_t len);
static void *ngx_http_sts_pool_alloc(void *ctx, size_t size);


/*
 * The log context nginx appends to a request's error lines includes the
 * request line, and with it the query: for a presigned URL or an STS call
 * by GET, that is a signature and a token.  The module's own lines use
 * this log instead: the same log, with a context of the client, the host
 * and the method and path only.
 */
static u_char *
ngx_http_sts_log_context(ngx_log_t *log, u_char *buf, size_t len)
{
    u_char              *p, *q, *last;
    ngx_http_request_t  *r;

    r = log->data;
    p = buf;
    last = buf + len;

    p = ngx_snprintf(p, last - p, ", client: %V",
                     &r->connection->addr_text);

    if (r->headers_in.host != NULL) {
        p = ngx_snprintf(p, last - p, ", host: \"%V\"",
                         &r->headers_in.host->value);
    }

    q = ngx_strlchr(r->unparsed_uri.data,
                    r->unparsed_uri.data + r->unparsed_uri.len, '?');

    p = ngx_snprintf(p, last - p, ", request: \"%V %*s%s\"",
                     &r->method_name,
                     (size_t) ((q ? q : r->unparsed_uri.data
                                         + r->unparsed_uri.len)
                               - r->unparsed_uri.data),
                     r->unparsed_uri.data, q ? "?..." : "");

    return p;
}


ngx_log_t *
ngx_http_sts_log(ngx_http_request_t *r)
{
    ngx_log_t  *log;

    log = ngx_palloc(r->pool, sizeof(ngx_log_t));
    if (log == NULL) {
        return r->connection->log;
    }

    *log = *r->connection->log;
    log->handler = ngx_http_sts_log_context;
    log->data = r;
    log->action = NULL;

    return log;
}


static void *
ngx_http_sts_pool_alloc(void *ctx, size_t size)
{
    return ngx_palloc(ctx, size ? size : 1);
}


void
ngx_http_sts_set_headers(ngx_http_request_t *r, ngx_list_t *headers)
{
    ngx_list_part_t  *part;

    r->headers_in.headers = *headers;

    for (part = &r->headers_in.headers.part; part->next; part = part->next)
    {
        /* void */
    }

    r->headers_in.headers.last = part;
}


ngx_table_elt_t *
ngx_http_sts_push_header(ngx_http_request_t *r, ngx_list_t *list,
    const char *name, size_t name_len, u_char *value, size_t value_len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(list);
    if (h == NULL) {
        return NULL;
    }

    h->key.data = (u_char *) name;
    h->key.len = name_len;
    h->value.data = value;
    h->value.len = value_len;

    h->lowcase_key = ngx_pnalloc(r->pool, name_len);
    if (h->lowcase_key == NULL) {
        return NULL;
    }

    ngx_strlow(h->lowcase_key, h->key.data, name_len);
    h->hash = ngx_hash_key(h->lowcase_key, name_len);

    return h;
}


ngx_int_t
ngx_http_sts_strip_query(ngx_http_request_t *r)
{
    size_t            n;
    u_char           *p, *qm, *last;
    sts_str_t         raw, query;
    sts_allocator_t   a;

    p = r->unparsed_uri.data;
    last = p + r->unparsed_uri.len;
    qm = ngx_strlchr(p, last, '?');

    if (qm == NULL) {
        return NGX_OK;
    }

    raw.data = (char *) qm + 1;
    raw.len = last - qm - 1;

    ngx_http_sts_pool_allocator(&a, r->pool);

    if (sts_auth_strip_query(&a, raw, &query) != STS_OK) {
        return NGX_ERROR;
    }

    if (query.data == raw.data) {
        return NGX_OK;
    }

    n = (qm - r->unparsed_uri.data) + (query.len ? 1 + query.len : 0);

    p = ngx_pnalloc(r->pool, n ? n : 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    last = ngx_cpymem(p, r->unparsed_uri.data, qm - r->unparsed_uri.data);
    r->unparsed_uri.data = p;
    r->unparsed_uri.len = n;

    if (query.len) {
        *last++ = '?';
        r->args.data = last;
        ngx_memcpy(last, query.data, query.len);

    } else {
        r->args.data = NULL;
    }

    r->args.len = query.len;

    return NGX_OK;
}


void
ngx_http_sts_pool_allocator(sts_allocator_t *a, ngx_pool_t *pool)
{
    /* pool memory goes with the pool: no free function */
    a->alloc = ngx_http_sts_pool_alloc;
    a->free = NULL;
    a->ctx = pool;
}


ngx_int_t
ngx_http_sts_revoked_check(ngx_http_request_t *r, const sts_session_t *s,
    const char **reason)
{
    char                       rule[STS_REVOKE_NAME_MAX + 256];
    u_char                    *p;
    size_t                     n;
    const char                *from;
    sts_revoke_match_t         m;
    ngx_http_sts_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sts_module);

    /* the file's rules, then those of the fleet's store (sts_state_use) */

    if (smcf->revoked != NULL
        && sts_revoked_check(smcf->revoked, s, &m) != STS_OK)
    {
        from = "sts_revoked";

    } else if (ngx_http_sts_redis_revoked() != NULL
               && sts_revoked_check(ngx_http_sts_redis_revoked(), s, &m)
                  != STS_OK)
    {
        from = "the state store";

    } else {
        return NGX_OK;
    }

    n = sts_revoke_describe(&m, s, rule, sizeof(rule));

    p = ngx_pnalloc(r->pool, sizeof("revoked by the state store ") + n);
    if (p == NULL) {
        *reason = "revoked";
        return NGX_DECLINED;
    }

    *ngx_sprintf(p, "revoked by %s %*s", from, n, rule) = '\0';
    *reason = (const char *) p;

    return NGX_DECLINED;
}


/*
 * Each worker keeps its own cache of opened tokens: no locks, no shared
 * memory; tokens are self-contained, so a miss costs one AEAD opening.
 */
static struct sts_cache_s  *ngx_http_sts_cache_instance;


struct sts_cache_s *
ngx_http_sts_token_cache(void)
{
    return ngx_http_sts_cache_instance;
}


ngx_int_t
ngx_http_sts_token_cache_create(ngx_cycle_t *cycle, ngx_int_t entries)
{
    if (sts_cache_create((size_t) entries, &ngx_http_sts_cache_instance)
        != STS_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "sts: cannot create a token cache of %i entries",
                      entries);
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_sts_token_cache_free(void)
{
    /* wipes the secrets of every cached token */
    sts_cache_free(ngx_http_sts_cache_instance);
    ngx_http_sts_cache_instance = NULL;
}
