/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_deletexml: the bodies the gateway reads to authorise a request
 * (libFuzzer): the XML key list of DeleteMultipleObjects and, when the
 * input starts with "x-oss-process=", the ProcessObject body.
 *
 * Every key the delete parser accepts must pass the key rules, and every
 * resource it grants must be an object of the request's bucket.  An
 * input starting with "url:" is read as with encoding-type url: the body
 * then forwarded must grant exactly the same, read as it is and decoded
 * once more (a store may do either).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_oss.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_free_grants(sts_oss_op_t *op)
{
    size_t  i;

    for (i = 0; i < op->num_grants; i++) {
        sts_free(&sts_malloc_allocator, (void *) op->grants[i].resource.data);
    }

    sts_free(&sts_malloc_allocator, op->grants);
    op->grants = NULL;
    op->num_grants = 0;
    op->cap_grants = 0;
}


/* the forwarded body grants what |op| was granted, read with |url| */
static void
fuzz_reread(const sts_oss_conf_t *conf, const sts_oss_op_t *op,
    const sts_buf_t *fwd, int url)
{
    size_t                  i;
    sts_oss_op_t            again;
    const sts_oss_error_t  *err;

    memset(&again, 0, sizeof(again));
    again.bucket = op->bucket;
    again.url_keys = url;

    if (sts_oss_add_delete_body(&sts_malloc_allocator, conf, &again,
                                fwd->data, fwd->len, NULL, &err) != STS_OK
        || again.num_grants != op->num_grants)
    {
        abort();
    }

    for (i = 0; i < op->num_grants; i++) {
        if (strcmp(again.grants[i].action, op->grants[i].action) != 0
            || again.grants[i].resource.len != op->grants[i].resource.len
            || memcmp(again.grants[i].resource.data,
                      op->grants[i].resource.data,
                      op->grants[i].resource.len) != 0)
        {
            abort();
        }
    }

    fuzz_free_grants(&again);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                     rc, url, quiet;
    size_t                  i, n;
    sts_buf_t               fwd;
    sts_oss_op_t            op;
    sts_oss_conf_t          conf;
    sts_oss_delete_key_t   *keys;
    const sts_oss_error_t  *err;

    static const char  prefix[] = "acs:oss:*:1234:b-1/";

    memset(&conf, 0, sizeof(conf));
    conf.account.data = "1234";
    conf.account.len = 4;

    memset(&op, 0, sizeof(op));
    op.bucket.data = "b-1";
    op.bucket.len = 3;
    op.key.data = "k";
    op.key.len = 1;

    if (size >= 14 && memcmp(data, "x-oss-process=", 14) == 0) {
        rc = sts_oss_add_process_body(&sts_malloc_allocator, &conf, &op,
                                      (const char *) data, size, &err);
        if ((rc == STS_EINVAL) != (err != NULL)) {
            abort();
        }

        goto done;
    }

    url = size >= 4 && memcmp(data, "url:", 4) == 0;

    if (url) {
        data += 4;
        size -= 4;
    }

    rc = sts_oss_parse_delete_xml(&sts_malloc_allocator, (const char *) data,
                                  size, url, &keys, &n, &quiet, &err);

    if (rc == STS_OK) {
        if (n == 0 || n > STS_OSS_DELETE_MAX_KEYS || err != NULL
            || quiet < -1 || quiet > 1)
        {
            abort();
        }

        for (i = 0; i < n; i++) {
            if (!sts_oss_is_valid_key(keys[i].key)
                || (url && (memchr(keys[i].key.data, '%', keys[i].key.len)
                            != NULL
                            || memchr(keys[i].key.data, '+', keys[i].key.len)
                               != NULL))
                || keys[i].key.data[keys[i].key.len] != '\0'
                || keys[i].version_id.data[keys[i].version_id.len] != '\0'
                || (!keys[i].has_version && keys[i].version_id.len))
            {
                abort();
            }
        }

        sts_free(&sts_malloc_allocator, keys);

    } else if (keys != NULL || n != 0 || err == NULL) {
        abort();
    }

    op.url_keys = url;
    sts_buf_init(&fwd, &sts_malloc_allocator, 0);

    rc = sts_oss_add_delete_body(&sts_malloc_allocator, &conf, &op,
                                 (const char *) data, size, &fwd, &err);

    if (rc == STS_OK) {
        for (i = 0; i < op.num_grants; i++) {
            if (strncmp(op.grants[i].resource.data, prefix,
                        sizeof(prefix) - 1) != 0)
            {
                abort();
            }
        }

        if (url != (fwd.len != 0)) {
            abort();
        }

        if (url) {
            fuzz_reread(&conf, &op, &fwd, 0);
            fuzz_reread(&conf, &op, &fwd, 1);
        }

    } else if (fwd.len != 0) {
        abort();
    }

    sts_buf_free(&fwd);

done:

    fuzz_free_grants(&op);

    return 0;
}
