/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_replay: the audit line reader of `stsctl policy replay` and the
 * texts it reads, on hostile input (libFuzzer).
 *
 * Input: one audit log line.  Checked: an accepted line has at least one
 * grant, whose actions are NUL-free and within the evaluator's limit, and
 * no more context keys than the limit; every accepted line is decided
 * again under a fixed policy without failing; the texts written back from
 * what was read are valid JSON that reads back to the same pairs;
 * everything is freed (LeakSanitizer).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_replay.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sts_policy_t  *fuzz_policy;


static void
fuzz_roundtrip(const sts_replay_rec_t *rec)
{
    size_t         i;
    json_t        *g, *c, *pair;
    sts_buf_t      b;
    json_error_t   jerr;

    sts_buf_init(&b, &sts_malloc_allocator, 0);

    if (sts_replay_grants_json(&b, rec->grants, rec->num_grants) != STS_OK) {
        abort();
    }

    g = json_loadb(b.data, b.len, 0, &jerr);
    if (!json_is_array(g) || json_array_size(g) != rec->num_grants) {
        abort();
    }

    for (i = 0; i < rec->num_grants; i++) {
        pair = json_array_get(g, i);

        if (strcmp(json_string_value(json_array_get(pair, 0)),
                   rec->grants[i].action) != 0)
        {
            abort();
        }
    }

    json_decref(g);
    sts_buf_free(&b);

    sts_buf_init(&b, &sts_malloc_allocator, 0);

    if (sts_replay_context_json(&b, rec->kv, rec->num_kv) != STS_OK) {
        abort();
    }

    c = json_loadb(b.data, b.len, 0, &jerr);
    if (!json_is_array(c) || json_array_size(c) != rec->num_kv) {
        abort();
    }

    json_decref(c);
    sts_buf_free(&b);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                rc, allowed;
    char               err[STS_POLICY_ERR_LEN];
    size_t             i, first;
    sts_replay_rec_t   rec;

    static const char  policy[] =
        "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":\"oss:Get*\",\"Resource\":\"acs:oss:*:*:b*\","
        "\"Condition\":{\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"},"
        "\"DateLessThan\":{\"acs:CurrentTime\":\"2030-01-01\"}}}]}";

    if (fuzz_policy == NULL
        && sts_policy_compile(&sts_malloc_allocator, policy,
                              sizeof(policy) - 1, STS_POLICY_IDENTITY,
                              &fuzz_policy, err, sizeof(err))
           != STS_OK)
    {
        abort();
    }

    rc = sts_replay_parse((const char *) data, size, &rec);

    if (rc < 0 || rc >= STS_REPLAY_NUM_OUTCOMES) {
        abort();
    }

    if (rc == STS_REPLAY_OK) {
        if (rec.num_grants == 0 || rec.num_kv > STS_REPLAY_MAX_CONTEXT) {
            abort();
        }

        for (i = 0; i < rec.num_grants; i++) {
            if (strlen(rec.grants[i].action) == 0
                || strlen(rec.grants[i].action) > STS_POLICY_MAX_ACTION_LEN)
            {
                abort();
            }
        }

        if (sts_replay_evaluate((const sts_policy_t *const *) &fuzz_policy,
                                1, NULL, &rec, &allowed, &first)
            != STS_OK
            || first > rec.num_grants || (allowed && first != rec.num_grants))
        {
            abort();
        }

        fuzz_roundtrip(&rec);
    }

    sts_replay_rec_free(&rec);

    return 0;
}
