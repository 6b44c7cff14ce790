/*
 * Copyright (C) nginx-sts authors
 *
 * ngx_http_sts_forward: "nginx -t" warns about a location where the
 * gateway decides and proxy_pass would then send the store another
 * request target than the one authorised.
 *
 * The access phase authorises a bucket and a key decoded from the raw
 * request target, and $sts_backend_uri (or a backend connector) forwards
 * exactly those.  proxy_pass can be told to send something else:
 *
 *   - $request_uri: the client's own target, its encoding and its
 *     credentials included;
 *   - $uri, $document_uri: the decoded, normalised path, sent as it is
 *     (nginx does not escape variables), so a key holding "?" or "%"
 *     reaches the store as another key and a query;
 *   - a URI part without variables ("proxy_pass http://store/;"): nginx
 *     swaps the location prefix of the normalised $uri for it, so the
 *     store sees a path nginx rebuilt, not the one authorised.
 *
 * proxy_pass keeps its argument to itself, so while the http{} block is
 * read the module stands in front of the proxy module's handler of that
 * directive: it notes the argument in its own location configuration and
 * calls the original.  The merge of the location configurations checks
 * what was noted where sts_auth is on; the original handler is put back
 * once the block is read, and when the cycle that read it goes away.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"
#include "ngx_http_sts_forward.h"


static char *ngx_http_sts_forward_proxy_pass(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static void ngx_http_sts_forward_cleanup(void *data);
static ngx_uint_t ngx_http_sts_forward_names_target(ngx_str_t *url,
    ngx_str_t *var);


static ngx_command_t  *ngx_http_sts_forward_cmd;
static char *(*ngx_http_sts_forward_set)(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/* the request-target variables that proxy_pass must not forward */
static ngx_str_t  ngx_http_sts_forward_vars[] = {
    ngx_string("request_uri"),
    ngx_string("uri"),
    ngx_string("document_uri"),
    ngx_null_string
};


/* called from the module's preconfiguration, before http{} is read */
ngx_int_t
ngx_http_sts_forward_watch(ngx_conf_t *cf)
{
    ngx_uint_t           i;
    ngx_command_t       *cmd;
    ngx_pool_cleanup_t  *cln;

    if (ngx_http_sts_forward_cmd != NULL) {
        return NGX_OK;
    }

    for (i = 0; cf->cycle->modules[i]; i++) {
        if (ngx_strcmp(cf->cycle->modules[i]->name, "ngx_http_proxy_module")
            == 0)
        {
            break;
        }
    }

    if (cf->cycle->modules[i] == NULL) {
        /* nginx built without the proxy module: nothing to watch */
        return NGX_OK;
    }

    for (cmd = cf->cycle->modules[i]->commands; cmd->name.len; cmd++) {
        if (cmd->name.len == sizeof("proxy_pass") - 1
            && ngx_strncmp(cmd->name.data, "proxy_pass", cmd->name.len) == 0)
        {
            break;
        }
    }

    if (cmd->name.len == 0 || cmd->set == ngx_http_sts_forward_proxy_pass) {
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_sts_forward_cleanup;

    ngx_http_sts_forward_cmd = cmd;
    ngx_http_sts_forward_set = cmd->set;
    cmd->set = ngx_http_sts_forward_proxy_pass;

    return NGX_OK;
}


/* called from the module's postconfiguration: http{} has been read */
void
ngx_http_sts_forward_unwatch(void)
{
    if (ngx_http_sts_forward_cmd == NULL) {
        return;
    }

    if (ngx_http_sts_forward_cmd->set == ngx_http_sts_forward_proxy_pass) {
        ngx_http_sts_forward_cmd->set = ngx_http_sts_forward_set;
    }

    ngx_http_sts_forward_cmd = NULL;
    ngx_http_sts_forward_set = NULL;
}


static void
ngx_http_sts_forward_cleanup(void *data)
{
    ngx_http_sts_forward_unwatch();
}


static char *
ngx_http_sts_forward_proxy_pass(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t                *value;
    ngx_http_sts_loc_conf_t  *slcf;

    slcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_sts_module);
    value = cf->args->elts;

    if (slcf != NULL && cf->args->nelts == 2) {
        slcf->proxy_pass = value[1];
        slcf->proxy_pass_file = cf->conf_file->file.name;
        slcf->proxy_pass_line = cf->conf_file->line;
    }

    return ngx_http_sts_forward_set(cf, cmd, conf);
}


/*
 * Called from the merge of a location's configuration: where sts_auth is
 * on, the proxy_pass of that very location is checked.
 */
void
ngx_http_sts_forward_check(ngx_conf_t *cf, ngx_http_sts_loc_conf_t *slcf)
{
    u_char     *p, *last;
    ngx_str_t  *url, var;

    url = &slcf->proxy_pass;

    if (!slcf->enable || url->len == 0) {
        return;
    }

    if (ngx_http_sts_forward_names_target(url, &var)) {
        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "sts_auth: \"proxy_pass %V\" in %V:%ui forwards $%V, "
                      "not the request that was authorised: the store may "
                      "act on another object or operation; use "
                      "$sts_backend_uri (or a backend connector)",
                      url, &slcf->proxy_pass_file, slcf->proxy_pass_line,
                      &var);
        return;
    }

    if (ngx_strlchr(url->data, url->data + url->len, '$') != NULL
        || slcf->backend != NULL)
    {
        /* the target is built from variables, or by a connector */
        return;
    }

    /* a URI part after the scheme and the host (or a unix socket path) */

    p = url->data;
    last = p + url->len;

    if (url->len > 7 && ngx_strncasecmp(p, (u_char *) "http://", 7) == 0) {
        p += 7;

    } else if (url->len > 8
               && ngx_strncasecmp(p, (u_char *) "https://", 8) == 0)
    {
        p += 8;
    }

    if (last - p > 5 && ngx_strncasecmp(p, (u_char *) "unix:", 5) == 0) {
        p = ngx_strlchr(p + 5, last, ':');

    } else {
        p = ngx_strlchr(p, last, '/');
    }

    if (p == NULL || p == last || (*p == ':' && p + 1 == last)) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                  "sts_auth: \"proxy_pass %V\" in %V:%ui has a URI part: "
                  "nginx sends the store a path rebuilt from the "
                  "normalised $uri, not the one authorised; use "
                  "\"proxy_pass <scheme>://<host>$sts_backend_uri\"",
                  url, &slcf->proxy_pass_file, slcf->proxy_pass_line);
}


/*
 * 1 when |url| uses one of ngx_http_sts_forward_vars ("$uri" or
 * "${uri}", a name ends at a byte that cannot be in one), with its name
 * in |var|.
 */
static ngx_uint_t
ngx_http_sts_forward_names_target(ngx_str_t *url, ngx_str_t *var)
{
    u_char     *p, *last, *name;
    ngx_str_t  *v;
    ngx_uint_t  braces;

    last = url->data + url->len;

    for (p = url->data; p < last; p++) {
        if (*p != '$') {
            continue;
        }

        braces = (p + 1 < last && p[1] == '{');
        name = p + 1 + braces;

        for (p = name; p < last; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                  || (*p >= '0' && *p <= '9') || *p == '_'))
            {
                break;
            }
        }

        for (v = ngx_http_sts_forward_vars; v->len; v++) {
            if ((size_t) (p - name) == v->len
                && ngx_strncasecmp(name, v->data, v->len) == 0)
            {
                *var = *v;
                return 1;
            }
        }

        p--;
    }

    return 0;
}
