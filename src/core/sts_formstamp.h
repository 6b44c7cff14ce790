/*
 * Copyright (C) nginx-sts authors
 *
 * sts_formstamp: identity stamps for a PostObject form.
 *
 * OSS takes an object's user metadata from the form fields named
 * x-oss-meta-*.  The gateway stamps a form by inserting one part per
 * stamp, with the form's own boundary, right before the delimiter that
 * opens the file part (sts_post_form_t.file_part):
 *
 *     ... field value CR LF "--" boundary CR LF
 *     Content-Disposition: form-data; name="x-oss-meta-sts-..." CR LF
 *     CR LF
 *     value                                <- inserted, once per stamp
 *     CR LF "--" boundary CR LF ... name="file" ...
 *
 * The bytes around the insertion are not changed.  A value is stamped
 * only when sts_upload_stamp_value_ok holds (printable ASCII: no CR, LF
 * or NUL, so it cannot end its part or hold a delimiter); the others are
 * left out, as they are for headers.
 */

#ifndef STS_FORMSTAMP_H_INCLUDED
#define STS_FORMSTAMP_H_INCLUDED


#include "sts_util.h"
#include "sts_post.h"


typedef struct {
    const char  *name;        /* one of the stamped names */
    sts_str_t    value;
} sts_formstamp_t;


/*
 * sts_formstamp_parts appends to |out| the parts for the |n| stamps of
 * |st| that can be stamped, to be inserted at byte f->file_part of the
 * body of the form |f|, whose file part has begun (stage STS_POST_FILE or
 * STS_POST_END).  A name must be a stamped one (sts_upload_stamp_header).
 * *stamped receives how many parts were written.  STS_OK; STS_EINVAL (a
 * form not that far, a file part first, a name that is not a stamp);
 * STS_ENOMEM or STS_ETOOBIG from |out|.
 */
int sts_formstamp_parts(const sts_post_form_t *f, const sts_formstamp_t *st,
    size_t n, sts_buf_t *out, size_t *stamped) STS_WUR;


/*
 * sts_formstamp_key: how the form |f| (read to its file part) must change
 * for the store to read |key|, the key that was authorised (the form's
 * key with ${filename} expanded), as its "key" field.  When the field
 * holds |key| already, *len is 0 and nothing is written.  Otherwise the
 * region of *len body bytes from *at, the field's part headers and value,
 * is to be overwritten with the first bytes of |out| (its headers become
 * "Content-Disposition:", spaces to fill the region, "form-data;
 * name=\"key\"", then the value |key|), and the rest of |out|, if longer,
 * inserted right after the region.  No byte of the body is dropped, so a
 * body in a temporary file keeps its file ranges contiguous.  STS_OK;
 * STS_EINVAL (no key field, a form not that far, a key with CR or LF);
 * STS_ENOMEM or STS_ETOOBIG from |out|.
 */
int sts_formstamp_key(const sts_post_form_t *f, sts_str_t key,
    sts_buf_t *out, uint64_t *at, size_t *len) STS_WUR;


#endif /* STS_FORMSTAMP_H_INCLUDED */
