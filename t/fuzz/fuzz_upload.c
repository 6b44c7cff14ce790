/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_upload: libFuzzer target for the upload keys and the size cap.
 * The input is lines:
 *
 *   policy JSON (one line)
 *   API name
 *   Content-Length ("-" for none)
 *   Content-Type ("-" for none)
 *   x-oss-forbid-overwrite ("-" for none)
 *   AppendObject position ("-" for none)
 *
 * It checks that the keys are well formed, that an append position is
 * accepted only as a decimal number, that a policy said to shrink on
 * sts:ContentLength has a cap that is allowed while the next size is
 * not, that a grant under a policy's condition on the key is capped, and
 * that the stamp checks accept only what they promise.  Any disagreement
 * aborts.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_upload.h"


#define FUZZ_LINES  6


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  *fuzz_apis[] = {
    "PutObject", "AppendObject", "UploadPart", "PostObject", "CopyObject",
    "InitiateMultipartUpload", "CompleteMultipartUpload", "GetObject",
    "UploadPartCopy", "PutSymlink", "ProcessObject", NULL
};


static const sts_str_t *
fuzz_opt(sts_str_t *s)
{
    return (s->len == 1 && s->data[0] == '-') ? NULL : s;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                 num[24];
    char                *copy, *api;
    size_t               i, n, li, start;
    int64_t              length;
    uint64_t             v, cap;
    sts_str_t            line[FUZZ_LINES];
    sts_str_t            key = sts_string(STS_UPLOAD_KEY_LENGTH);
    sts_policy_t        *p;
    sts_upload_t         u;
    sts_oss_grant_t      g;
    sts_policy_kv_t      kv[STS_UPLOAD_MAX_KV];
    sts_upload_eval_t    e;
    const sts_policy_t  *roles[1];

    copy = malloc(size + 1);
    if (copy == NULL) {
        return 0;
    }

    memcpy(copy, data, size);
    copy[size] = '\0';

    memset(line, 0, sizeof(line));
    for (i = 0; i < FUZZ_LINES; i++) {
        line[i].data = "-";
        line[i].len = 1;
    }

    start = 0;
    n = 0;
    for (i = 0; i <= size && n < FUZZ_LINES; i++) {
        if (i == size || copy[i] == '\n') {
            line[n].data = copy + start;
            line[n].len = i - start;
            n++;
            start = i + 1;
        }
    }

    /* the stamp checks on every line */
    for (i = 0; i < FUZZ_LINES; i++) {
        if (sts_upload_stamp_value_ok(line[i])) {
            for (n = 0; n < line[i].len; n++) {
                if ((unsigned char) line[i].data[n] < 0x20
                    || (unsigned char) line[i].data[n] > 0x7e)
                {
                    abort();
                }
            }
        }

        if (sts_upload_stamp_header(line[i])
            && line[i].len < sizeof("x-oss-meta-sts-role-arn") - 1)
        {
            abort();
        }
    }

    /* the API: one of the known names, picked by the line's length */
    api = (char *) fuzz_apis[line[1].len % 11];

    length = -1;
    if (fuzz_opt(&line[2]) != NULL
        && sts_parse_uint64(line[2].data, line[2].len, &v) == STS_OK
        && v < STS_UPLOAD_MAX_LEN)
    {
        length = (int64_t) v;
    }

    /* the position: digits only, at most 2^53, as sts_parse_uint64 */
    if (sts_upload_position(line[5], &v) == STS_OK) {
        for (i = 0; i < line[5].len; i++) {
            if (line[5].data[i] < '0' || line[5].data[i] > '9') {
                abort();
            }
        }

        if (v > STS_UPLOAD_MAX_LEN
            || (line[5].len <= 20
                && (sts_parse_uint64(line[5].data, line[5].len, &cap)
                    != STS_OK || cap != v)))
        {
            abort();
        }

    } else if (line[5].len > 0 && line[5].len <= 15
               && sts_parse_uint64(line[5].data, line[5].len, &cap)
                  == STS_OK)
    {
        /* fifteen digits are below 2^53: a number must parse */
        abort();
    }

    if (sts_upload_describe(&u, api, length, fuzz_opt(&line[3]),
                            fuzz_opt(&line[4]), fuzz_opt(&line[5]))
        != STS_OK)
    {
        if (strcmp(api, "AppendObject") != 0 || u.write || u.stamp) {
            abort();
        }

        free(copy);
        return 0;
    }

    if (u.length == STS_UPLOAD_LEN_DECLARED && length >= 0
        && u.declared != u.base + (uint64_t) length)
    {
        abort();
    }

    n = sts_upload_kv(&u, 1, num, kv, STS_UPLOAD_MAX_KV, &li);
    if (n > STS_UPLOAD_MAX_KV || (li != (size_t) -1 && li >= n)) {
        abort();
    }

    if (!u.write && n != 0) {
        abort();
    }

    if (sts_policy_compile(&sts_malloc_allocator, line[0].data, line[0].len,
                           STS_POLICY_IDENTITY, &p, NULL, 0)
        != STS_OK)
    {
        free(copy);
        return 0;
    }

    roles[0] = p;
    g.action = "oss:PutObject";
    g.resource.data = "acs:oss:*:*:b/k";
    g.resource.len = sizeof("acs:oss:*:*:b/k") - 1;

    e.role = roles;
    e.num_role = 1;
    e.session = NULL;
    e.grants = &g;
    e.num_grants = 1;
    e.kv = kv;
    e.num_kv = n;
    e.length_index = li;

    /*
     * not capped: the key changes no decision, so a value evaluated
     * differs in nothing from another one
     */
    if (li != (size_t) -1 && !sts_upload_capped(&e)
        && sts_upload_allowed(&e, 0) != sts_upload_allowed(&e, 12345))
    {
        abort();
    }

    if (li != (size_t) -1 && sts_policy_key_shrinks(p, key))
    {

        if (sts_upload_allowed(&e, 0)) {
            cap = sts_upload_cap(&e);

            if (cap != STS_UPLOAD_NO_CAP
                && (!sts_upload_allowed(&e, cap)
                    || sts_upload_allowed(&e, cap + 1)
                    || (cap > 0 && !sts_upload_allowed(&e, cap / 2))))
            {
                abort();
            }
        }
    }

    sts_policy_free(&sts_malloc_allocator, p);
    free(copy);

    return 0;
}
