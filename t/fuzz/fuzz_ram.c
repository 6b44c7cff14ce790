/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_ram: the RAM directory loader and the AssumeRole decision on
 * hostile input (libFuzzer).
 *
 * Input: a directory document.  Checked: a refusal always says why and
 * builds nothing; an accepted directory answers lookups for the keys and
 * roles the seed corpus uses, every AssumeRole either allows with a
 * well-formed session or refuses with an STS error, and everything is
 * freed (LeakSanitizer).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_ram.h"


#define NOW  1715776245


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static void
fuzz_assume(sts_ram_t *ram, const char *key, const char *role,
    const char *policy)
{
    int                     rc;
    char                    why[256];
    sts_session_t          *s;
    sts_ram_caller_t        caller;
    sts_ram_assume_t        req;
    sts_ram_principal_t     p;
    const sts_pop_error_t  *e;

    rc = sts_ram_find_access_key(ram, S(key), &p);

    if (rc == STS_ENOTFOUND) {
        return;
    }

    if (p.access_key_id == NULL || strcmp(p.access_key_id, key) != 0
        || p.secret.len < 16 || p.arn == NULL || p.account_id == NULL
        || (rc == STS_OK) != (p.active == 1))
    {
        abort();
    }

    sts_ram_caller_from_key(&caller, &p);

    memset(&req, 0, sizeof(req));
    req.role_arn = S(role);
    req.session_name = S("fuzz");
    req.policy = S(policy);
    req.now = NOW;

    s = NULL;
    e = NULL;
    why[0] = '\0';

    rc = sts_ram_assume_role(A, ram, &caller, &req, &s, &e, why,
                             sizeof(why));

    if (rc == STS_OK) {
        if (s == NULL || e != NULL || s->expiration != NOW + 3600
            || strncmp(s->access_key_id, "STS.", 4) != 0
            || strncmp(s->role_arn, "acs:ram::", 9) != 0
            || caller.kind == STS_RAM_ROOT)
        {
            abort();
        }

    } else if (s != NULL || e == NULL || why[0] == '\0') {
        abort();
    }

    sts_session_free(A, s);
    sts_ram_caller_release(A, &caller);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                  rc;
    char                 err[STS_RAM_ERR_LEN];
    size_t               na, nu, nr, nk;
    sts_ram_t           *ram;
    sts_ram_role_t       role;
    const sts_policy_t *const  *pol;
    size_t                      npol;

    static const char  *keys[] = {
        "LTAIfuzzRoot0001", "LTAIfuzzUser0001", "LTAIfuzzUser0002",
        "LTAIfuzzOther001", NULL
    };

    static const char  *roles[] = {
        "acs:ram::1:role/r", "acs:ram::1:role/R", "acs:ram::2:role/r",
        "acs:ram::1:role/other", NULL
    };

    size_t  i, j;

    err[0] = '\0';
    rc = sts_ram_parse(A, (const char *) data, size, &ram, err, sizeof(err));

    if (rc != STS_OK) {
        if (ram != NULL || err[0] == '\0') {
            abort();
        }

        return 0;
    }

    sts_ram_counts(ram, &na, &nu, &nr, &nk);

    for (i = 0; roles[i] != NULL; i++) {
        rc = sts_ram_find_role(ram, S(roles[i]), &role);

        if (rc == STS_OK) {
            if (role.trust == NULL || role.arn == NULL
                || role.max_session_duration < 3600
                || role.max_session_duration > 43200
                || strlen(role.role_id) == 0)
            {
                abort();
            }

        } else if (rc != STS_ENOTFOUND) {
            abort();
        }

        rc = sts_ram_role_policies(ram, S(roles[i]), &pol, &npol);
        if (rc == STS_OK && npol && pol == NULL) {
            abort();
        }
    }

    for (i = 0; keys[i] != NULL; i++) {
        for (j = 0; roles[j] != NULL; j++) {
            fuzz_assume(ram, keys[i], roles[j], "");
        }

        fuzz_assume(ram, keys[i], roles[0],
                    "{\"Version\":\"1\",\"Statement\":[{\"Effect\":"
                    "\"Allow\",\"Action\":\"oss:GetObject\",\"Resource\":"
                    "\"acs:oss:*:*:b/*\"}]}");
    }

    sts_ram_free(A, ram);

    return 0;
}
