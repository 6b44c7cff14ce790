/*
 * Copyright (C) nginx-sts authors
 *
 * Request bodies the access phase decides on (ngx_http_sts_body.c).
 */

#ifndef _NGX_HTTP_STS_BODY_H_INCLUDED_
#define _NGX_HTTP_STS_BODY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_sts_module.h"


/*
 * ngx_http_sts_body_filter_init installs the request body filter through
 * which the access phase reads the bodies it decides on (the key list of
 * DeleteMultipleObjects, a ProcessObject, the fields of a PostObject).
 */
ngx_int_t ngx_http_sts_body_filter_init(ngx_conf_t *cf);


#endif /* _NGX_HTTP_STS_BODY_H_INCLUDED_ */
