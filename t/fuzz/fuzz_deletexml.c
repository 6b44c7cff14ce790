/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_deletexml: the bodies the gateway reads to authorise a request
 * (libFuzzer): the XML key list of DeleteMultipleObjects and, when the
 * input starts with "x-oss-process=", the ProcessObject body.
 *
 * Every key the delete parser accepts must pass the key rules, and every
 * resource it grants must be an object of the request's bucket.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_oss.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                     rc;
    size_t                  i, n;
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

    rc = sts_oss_parse_delete_xml(&sts_malloc_allocator, (const char *) data,
                                  size, 0, &keys, &n, NULL, &err);

    if (rc == STS_OK) {
        if (n == 0 || n > STS_OSS_DELETE_MAX_KEYS || err != NULL) {
            abort();
        }

        for (i = 0; i < n; i++) {
            if (!sts_oss_is_valid_key(keys[i].key)
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

    rc = sts_oss_add_delete_body(&sts_malloc_allocator, &conf, &op,
                                 (const char *) data, size, NULL, &err);

    if (rc == STS_OK) {
        for (i = 0; i < op.num_grants; i++) {
            if (strncmp(op.grants[i].resource.data, prefix,
                        sizeof(prefix) - 1) != 0)
            {
                abort();
            }
        }
    }

done:

    for (i = 0; i < op.num_grants; i++) {
        sts_free(&sts_malloc_allocator, (void *) op.grants[i].resource.data);
    }

    sts_free(&sts_malloc_allocator, op.grants);

    return 0;
}
