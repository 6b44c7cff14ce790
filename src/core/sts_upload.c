/*
 * Copyright (C) nginx-sts authors
 *
 * sts_upload: the sts:ContentLength, sts:ContentType and
 * sts:ForbidOverwrite condition keys, the size cap they imply, and the
 * names of the identity stamps.  See sts_upload.h.
 */

#include <stdio.h>
#include <string.h>

#include "sts_upload.h"


#define STS_UPLOAD_NOT_FOUND  ((size_t) -1)


static int sts_upload_api_is(const char *api, const char *const *names);


const sts_oss_error_t  sts_err_stamp_copy = {
    400, "InvalidArgument",
    "The gateway stamps the identity of the uploader on copied objects: "
    "x-oss-metadata-directive must be REPLACE."
};

const sts_oss_error_t  sts_err_stamp_form = {
    400, "InvalidArgument",
    "Form fields x-oss-meta-sts-session-name, -role-arn, -token-id and "
    "-source-ip are reserved for the gateway."
};

const sts_oss_error_t  sts_err_stamp_saveas = {
    400, "InvalidArgument",
    "The gateway stamps the identity of the uploader on the objects it "
    "creates: sys/saveas cannot carry the stamps."
};

const sts_oss_error_t  sts_err_size_unbounded = {
    403, "AccessDenied",
    "The size of the object cannot be bounded under sts:ContentLength: "
    "copies, multipart uploads, symlinks and sys/saveas are refused under "
    "a size limit."
};

const sts_oss_error_t  sts_err_size_form = {
    403, "AccessDenied",
    "The size of a form upload can be checked against a limit from above "
    "on sts:ContentLength only."
};

const sts_oss_error_t  sts_err_missing_length = {
    411, "MissingContentLength",
    "You must provide the Content-Length HTTP header."
};

const sts_oss_error_t  sts_err_append_position = {
    400, "InvalidArgument",
    "The position of an append must be a decimal number."
};


static const char *const  sts_upload_body_apis[] = {
    "PutObject", "AppendObject", "UploadPart", NULL
};

/* writes that make an object whose size the gateway cannot know */
static const char *const  sts_upload_unbounded_apis[] = {
    "CopyObject", "UploadPartCopy", "InitiateMultipartUpload",
    "CompleteMultipartUpload", "PutSymlink", "ProcessObject", NULL
};

static const char *const  sts_upload_type_apis[] = {
    "PutObject", "AppendObject", "PostObject", "CopyObject",
    "InitiateMultipartUpload", NULL
};

static const char *const  sts_upload_forbid_apis[] = {
    "PutObject", "PostObject", "CopyObject", "InitiateMultipartUpload",
    "CompleteMultipartUpload", NULL
};

static const char *const  sts_upload_no_replace_apis[] = {
    "AppendObject", "UploadPart", NULL
};

/*
 * The APIs of the action table (sts_oss.c) that create an object, and
 * what identity stamping does with each:
 *
 *   PutObject, CopyObject (with x-oss-metadata-directive REPLACE,
 *   else refused), InitiateMultipartUpload, PutSymlink
 *                           stamped here (the headers)
 *   AppendObject            stamped at position 0, the append that
 *                           creates the object; later ones cannot change
 *                           its metadata
 *   PostObject              stamped in the form (ngx_http_sts_poststamp)
 *   CompleteMultipartUpload the object takes the metadata of its
 *                           InitiateMultipartUpload, stamped there
 *   ProcessObject with sys/saveas
 *                           refused: the target takes no metadata from
 *                           the request
 *
 * UploadPart and UploadPartCopy write parts, not objects; RestoreObject
 * makes an archived object readable, it creates none; the ACL and tagging
 * calls change an object without creating one.
 */
static const char *const  sts_upload_stamp_apis[] = {
    "PutObject", "CopyObject", "InitiateMultipartUpload", "PutSymlink",
    NULL
};

static const char *const  sts_upload_stamp_names[] = {
    "x-oss-meta-sts-session-name",
    "x-oss-meta-sts-role-arn",
    "x-oss-meta-sts-token-id",
    "x-oss-meta-sts-source-ip",
    NULL
};


static int
sts_upload_api_is(const char *api, const char *const *names)
{
    size_t  i;

    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(api, names[i]) == 0) {
            return 1;
        }
    }

    return 0;
}


int
sts_upload_position(sts_str_t s, uint64_t *out)
{
    size_t    i;
    uint64_t  v;

    if (s.len == 0 || s.data == NULL) {
        return STS_EINVAL;
    }

    v = 0;

    for (i = 0; i < s.len; i++) {
        if (s.data[i] < '0' || s.data[i] > '9') {
            return STS_EINVAL;
        }

        /* v <= 2^53 before: no overflow */
        v = v * 10 + (uint64_t) (s.data[i] - '0');

        if (v > STS_UPLOAD_MAX_LEN) {
            return STS_EINVAL;
        }
    }

    *out = v;

    return STS_OK;
}


int
sts_upload_describe(sts_upload_t *u, const char *api,
    int64_t content_length, const sts_str_t *content_type,
    const sts_str_t *forbid, const sts_str_t *position)
{
    int  post, append;

    memset(u, 0, sizeof(sts_upload_t));
    u->forbid = -1;

    if (api == NULL) {
        return STS_OK;
    }

    post = (strcmp(api, "PostObject") == 0);
    append = (strcmp(api, "AppendObject") == 0);

    if (append
        && (position == NULL
            || sts_upload_position(*position, &u->base) != STS_OK))
    {
        memset(u, 0, sizeof(sts_upload_t));
        u->forbid = -1;
        return STS_EINVAL;
    }

    if (sts_upload_api_is(api, sts_upload_body_apis)) {
        u->write = 1;

        if (content_length >= 0) {
            /* base <= 2^53, content_length < 2^63: no overflow */
            u->length = STS_UPLOAD_LEN_DECLARED;
            u->declared = u->base + (uint64_t) content_length;

        } else {
            u->length = STS_UPLOAD_LEN_STREAMED;
        }

    } else if (post) {
        u->write = 1;
        u->form = 1;
        u->length = STS_UPLOAD_LEN_STREAMED;

    } else if (sts_upload_api_is(api, sts_upload_unbounded_apis)) {
        u->write = 1;
        u->length = STS_UPLOAD_LEN_UNBOUNDED;
    }

    if (sts_upload_api_is(api, sts_upload_type_apis)) {
        u->write = 1;

        if (content_type != NULL) {
            u->has_type = 1;
            u->type = sts_str_trim(*content_type);
        }
    }

    if (sts_upload_api_is(api, sts_upload_forbid_apis)) {
        u->write = 1;
        u->forbid = 0;

        if (forbid != NULL && sts_str_caseeq(sts_str_trim(*forbid), "true")) {
            u->forbid = 1;
        }

    } else if (sts_upload_api_is(api, sts_upload_no_replace_apis)) {
        u->forbid = 1;
    }

    if (sts_upload_api_is(api, sts_upload_stamp_apis)) {
        u->stamp = 1;

    } else if (append && u->base == 0) {
        /* the append that creates the object */
        u->stamp = 1;
    }

    return STS_OK;
}


size_t
sts_upload_kv(const sts_upload_t *u, int shrinks, char *num,
    sts_policy_kv_t *kv, size_t cap, size_t *length_index)
{
    size_t  n;

    n = 0;
    *length_index = STS_UPLOAD_NOT_FOUND;

    if (!u->write || cap < STS_UPLOAD_MAX_KV) {
        return 0;
    }

    if (u->length == STS_UPLOAD_LEN_DECLARED
        || (u->length == STS_UPLOAD_LEN_STREAMED && shrinks))
    {
        snprintf(num, 24, "%llu",
                 (unsigned long long) (u->length == STS_UPLOAD_LEN_DECLARED
                                       ? u->declared : u->base));

        kv[n].key.data = STS_UPLOAD_KEY_LENGTH;
        kv[n].key.len = sizeof(STS_UPLOAD_KEY_LENGTH) - 1;
        kv[n].value.data = num;
        kv[n].value.len = strlen(num);
        *length_index = n;
        n++;
    }

    if (u->has_type) {
        kv[n].key.data = STS_UPLOAD_KEY_TYPE;
        kv[n].key.len = sizeof(STS_UPLOAD_KEY_TYPE) - 1;
        kv[n].value = u->type;
        n++;
    }

    if (u->forbid >= 0) {
        kv[n].key.data = STS_UPLOAD_KEY_FORBID;
        kv[n].key.len = sizeof(STS_UPLOAD_KEY_FORBID) - 1;
        kv[n].value.data = u->forbid ? "true" : "false";
        kv[n].value.len = u->forbid ? 4 : 5;
        n++;
    }

    return n;
}


int
sts_upload_shrinks(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session)
{
    size_t     i;
    sts_str_t  key = sts_string(STS_UPLOAD_KEY_LENGTH);

    for (i = 0; i < num_role; i++) {
        if (!sts_policy_key_shrinks(role[i], key)) {
            return 0;
        }
    }

    return sts_policy_key_shrinks(session, key);
}


int
sts_upload_capped(const sts_upload_eval_t *e)
{
    size_t     i;
    sts_str_t  action, key = sts_string(STS_UPLOAD_KEY_LENGTH);

    for (i = 0; i < e->num_grants; i++) {
        action.data = e->grants[i].action;
        action.len = strlen(action.data);

        if (sts_policy_uses_key(e->role, e->num_role, e->session, action,
                                e->grants[i].resource, key))
        {
            return 1;
        }
    }

    return 0;
}


int
sts_upload_allowed(const sts_upload_eval_t *e, uint64_t n)
{
    int                  rc, allowed;
    char                 num[24];
    size_t               i;
    sts_str_t            saved, action;
    sts_policy_ctx_t     pctx;
    sts_policy_result_t  res;

    if (e->length_index >= e->num_kv) {
        return 0;
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) n);

    saved = e->kv[e->length_index].value;
    e->kv[e->length_index].value.data = num;
    e->kv[e->length_index].value.len = strlen(num);

    pctx.kv = e->kv;
    pctx.num_kv = e->num_kv;
    allowed = 1;

    for (i = 0; i < e->num_grants; i++) {
        action.data = e->grants[i].action;
        action.len = strlen(action.data);

        rc = sts_policy_evaluate(e->role, e->num_role, e->session, action,
                                 e->grants[i].resource, &pctx, &res);

        if (rc != STS_OK || res.decision != STS_POLICY_ALLOW) {
            allowed = 0;
            break;
        }
    }

    e->kv[e->length_index].value = saved;

    return allowed;
}


uint64_t
sts_upload_cap(const sts_upload_eval_t *e)
{
    uint64_t  lo, hi, mid;

    if (sts_upload_allowed(e, STS_UPLOAD_MAX_LEN)) {
        return STS_UPLOAD_NO_CAP;
    }

    /* allowed(lo), not allowed(hi) */
    lo = 0;
    hi = STS_UPLOAD_MAX_LEN;

    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;

        if (sts_upload_allowed(e, mid)) {
            lo = mid;

        } else {
            hi = mid;
        }
    }

    return lo;
}


int
sts_upload_stamp_header(sts_str_t name)
{
    size_t  i;

    for (i = 0; sts_upload_stamp_names[i] != NULL; i++) {
        if (sts_str_caseeq(name, sts_upload_stamp_names[i])) {
            return 1;
        }
    }

    return 0;
}


int
sts_upload_stamp_value_ok(sts_str_t v)
{
    size_t  i;

    if (v.len == 0 || v.len > STS_UPLOAD_STAMP_MAX || v.data == NULL) {
        return 0;
    }

    for (i = 0; i < v.len; i++) {
        if ((unsigned char) v.data[i] < 0x20
            || (unsigned char) v.data[i] > 0x7e)
        {
            return 0;
        }
    }

    return 1;
}
