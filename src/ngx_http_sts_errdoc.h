/*
 * Copyright (C) nginx-sts authors
 *
 * OSS error documents (ngx_http_sts_errdoc.c).
 */

#ifndef _NGX_HTTP_STS_ERRDOC_H_INCLUDED_
#define _NGX_HTTP_STS_ERRDOC_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


char *ngx_http_sts_error_document(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_sts_send_error(ngx_http_request_t *r,
    const sts_oss_error_t *e, sts_str_t host, const char *request_id,
    const sts_error_field_t *fields, size_t num_fields);

/*
 * ngx_http_sts_error_render renders the OSS error document of |e| into
 * |xml| (pool memory) and sets the headers that go with it: Content-Type
 * application/xml, x-oss-request-id |rid| when |send_id| is set, and for
 * HEAD, where there is no body, the document base64-encoded in x-oss-err
 * as OSS does.  The status, the body and the sending are the caller's.
 */
ngx_int_t ngx_http_sts_error_render(ngx_http_request_t *r,
    const sts_oss_error_t *e, sts_str_t host, sts_str_t rid,
    ngx_uint_t send_id, const sts_error_field_t *fields, size_t num_fields,
    sts_buf_t *xml);

/* whether the location answers with sts_error_document */
ngx_uint_t ngx_http_sts_is_error_document(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STS_ERRDOC_H_INCLUDED_ */
