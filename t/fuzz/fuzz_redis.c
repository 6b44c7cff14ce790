/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_redis: the error replies of Redis Cluster nodes (MOVED, ASK) and
 * the cluster slot of any key (libFuzzer).
 *
 * A redirection parsed must name a slot in range, a port from 1 to
 * 65535, and a host inside the input without spaces; a slot is always
 * below 16384, and a key holding the input as a hash tag has the slot of
 * the input when the input holds no brace.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_redis.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          ask;
    char        *key;
    size_t       i;
    unsigned     slot, port;
    sts_str_t    host;
    const char  *msg;

    msg = (const char *) data;

    if (sts_redis_redirect(msg, size, &ask, &slot, &host, &port) == STS_OK) {
        if (slot >= STS_REDIS_SLOTS || port == 0 || port > 65535
            || host.len == 0 || host.data < msg
            || host.data + host.len > msg + size
            || (ask != 0 && ask != 1))
        {
            abort();
        }

        for (i = 0; i < host.len; i++) {
            if ((unsigned char) host.data[i] <= 0x20) {
                abort();
            }
        }
    }

    if (sts_redis_slot(msg, size) >= STS_REDIS_SLOTS) {
        abort();
    }

    if (size > 0 && memchr(data, '{', size) == NULL
        && memchr(data, '}', size) == NULL)
    {
        key = malloc(size + 8);
        if (key == NULL) {
            return 0;
        }

        memcpy(key, "k:{", 3);
        memcpy(key + 3, data, size);
        memcpy(key + 3 + size, "}x", 2);

        if (sts_redis_slot(key, size + 5) != sts_redis_slot(msg, size)) {
            abort();
        }

        free(key);
    }

    return 0;
}
