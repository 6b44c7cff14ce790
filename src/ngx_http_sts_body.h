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


#define NGX_HTTP_STS_BODY_NONE      0   /* not read by this module */
#define NGX_HTTP_STS_BODY_READING   1   /* nginx reads it */
#define NGX_HTTP_STS_BODY_PAUSED    2   /* stopped at a form's file part */
#define NGX_HTTP_STS_BODY_COMPLETE  3


/*
 * A body the decision needs: the key list of DeleteMultipleObjects or a
 * ProcessObject (a bounded copy), or a PostObject form (read by the
 * streaming form reader, which stops at the file part until the form is
 * allowed).  It lives in the access phase's undecided state, and
 * ctx->body points at it while that state exists.
 */
typedef struct {
    ngx_uint_t                  state;       /* NGX_HTTP_STS_BODY_* */
    ngx_uint_t                  kind;        /* STS_OSS_BODY_* */
    const sts_oss_error_t      *err;         /* found while reading */
    sts_buf_t                   copy;        /* delete, process */
    sts_post_form_t             form;        /* PostObject */
    ngx_http_event_handler_pt   read_handler;    /* saved while paused */
    unsigned                    waiting:1;       /* NGX_DONE returned */
    unsigned                    form_checked:1;  /* the form is allowed */
    unsigned                    last:1;
    unsigned                    decidable:1;     /* HTTP/2: decide while
                                                    the body goes on */
    unsigned                    err_seen:1;      /* ... and once refused */
} ngx_http_sts_body_t;


/*
 * ngx_http_sts_body_filter_init installs the request body filter through
 * which the access phase reads the bodies it decides on.
 *
 * ngx_http_sts_body_start starts reading the body of a request of |kind|
 * (STS_OSS_BODY_DELETE, _PROCESS or _POST) into |b|, taking memory from
 * |a|.  It returns NGX_AGAIN while nginx reads (the phases run again
 * when the body is complete, or a form paused, if b->waiting is set by
 * then); NGX_OK once the body is complete or the form paused
 * (b->state tells); NGX_DECLINED with *err and *reason for a body
 * refused before it is read; NGX_ERROR or an HTTP status.
 *
 * Under HTTP/2 nginx reads the body as its frames come and cannot stop
 * at the file part; once the form reaches it (or the body is refused),
 * b->decidable is set and the phases run again (ngx_http_sts_body_wake),
 * so the access phase decides then, while the rest of the body is still
 * being received; again if the file then goes over a size cap.
 *
 * ngx_http_sts_body_continue reads an allowed form on from its file
 * part: NGX_OK once it is complete, NGX_DONE when it stopped again (the
 * form is wrong: b->err), NGX_AGAIN while reading, or an error.
 */
ngx_int_t ngx_http_sts_body_filter_init(ngx_conf_t *cf);
ngx_int_t ngx_http_sts_body_start(ngx_http_request_t *r,
    ngx_http_sts_body_t *b, ngx_uint_t kind, sts_allocator_t *a,
    const sts_oss_error_t **err, const char **reason);
ngx_int_t ngx_http_sts_body_continue(ngx_http_request_t *r,
    ngx_http_sts_body_t *b);
void ngx_http_sts_body_wake(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STS_BODY_H_INCLUDED_ */
