/*
 * Copyright (C) nginx-sts authors
 *
 * libFuzzer target: keyring parsing, token opening, and the OSS request
 * mapping, on arbitrary bytes.  The first byte picks the parser.
 *
 *   make fuzz && ./build/fuzz/fuzz_token -max_total_time=60 CORPUS_DIR
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_oss.h"
#include "sts_token.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sts_keyring_t  *kr;

/* an arena for the request mapping, reset for every input */
static unsigned char  arena[1 << 20];
static size_t         arena_used;


static void *
arena_alloc(void *ctx, size_t size)
{
    void  *p;

    size = (size + 15) & ~(size_t) 15;
    if (size > sizeof(arena) - arena_used) {
        return NULL;
    }

    p = arena + arena_used;
    arena_used += size;

    return p;
}


static const sts_allocator_t  arena_allocator = { arena_alloc, NULL, NULL };


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                   err[256];
    sts_str_t              bucket, key;
    sts_session_t         *s;
    sts_keyring_t         *k;
    sts_oss_conf_t         conf;
    sts_http_request_t     r;
    const sts_oss_error_t *oerr;
    const sts_allocator_t *a = &sts_malloc_allocator;

    if (kr == NULL) {
        static const char  text[] =
            "test1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";

        if (sts_keyring_parse(a, text, sizeof(text) - 1, &kr, err,
                              sizeof(err)) != STS_OK)
        {
            abort();
        }
    }

    if (size < 1) {
        return 0;
    }

    switch (data[0] % 3) {

    case 0:
        if (sts_keyring_parse(a, (const char *) data + 1, size - 1, &k, err,
                              sizeof(err)) == STS_OK)
        {
            sts_keyring_free(a, k);
        }

        break;

    case 1:
        s = NULL;
        (void) !sts_token_open(a, kr, (const char *) data + 1, size - 1,
                               1800000000, &s);
        sts_session_free(a, s);
        break;

    default:
        memset(&r, 0, sizeof(r));
        memset(&conf, 0, sizeof(conf));
        conf.mode = (sts_addressing_e) (size % 3);
        conf.domain.data = "oss.example.com";
        conf.domain.len = 15;
        conf.bucket.data = "demo-bucket";
        conf.bucket.len = 11;
        r.method.data = "GET";
        r.method.len = 3;
        r.host.data = (const char *) data + 1;
        r.host.len = (size - 1) / 2;
        r.raw_path.data = (const char *) data + 1 + r.host.len;
        r.raw_path.len = size - 1 - r.host.len;

        arena_used = 0;
        if (sts_oss_locate(&arena_allocator, &conf, &r, &bucket, &key, &oerr)
            == STS_OK
            && key.len && (key.data[0] == '/' || key.len > 1023))
        {
            abort();
        }

        break;
    }

    return 0;
}
