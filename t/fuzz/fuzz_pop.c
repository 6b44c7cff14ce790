/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_pop: the STS endpoint's request path on hostile input (libFuzzer).
 *
 * Input: one flags byte, then the raw query string, a line feed, and the
 * raw form body.  Flags: bit 0 POST (else GET), bit 1 sts-sdk signature
 * form allowed, bit 2 a nonce cache that is full.
 *
 * Checked: the parameters merge; POP canonicalisation in both encodings
 * is made only of unreserved bytes and %XX; a request signed by
 * sts_pop_sign_request always verifies, and any other Signature never
 * does by accident of the JS form; rendered documents are valid JSON
 * whose values round-trip; and sts_ram_rpc, against a fixed directory
 * and keyring, always answers with a status and a JSON document.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_pop.h"
#include "sts_ram.h"
#include "sts_rpc.h"


#define NOW  1715776245         /* 2024-05-15T12:30:45Z */


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const sts_allocator_t  *A = &sts_malloc_allocator;

static sts_ram_t      *ram;
static sts_keyring_t  *keyring;

static const char  directory[] =
    "{\"Accounts\":[{\"AccountId\":\"11223344\","
    "\"AccessKeys\":[{\"AccessKeyId\":\"LTAIroot00000001\","
    "\"AccessKeySecret\":\"RootSecret000000000001\"}],"
    "\"Users\":[{\"UserName\":\"appserver\",\"AccessKeys\":["
    "{\"AccessKeyId\":\"LTAI5tAppServer0001\","
    "\"AccessKeySecret\":\"AppServerSecret0123456789abcdef\"}],"
    "\"AttachedPolicies\":[\"AliyunSTSAssumeRoleAccess\"]}],"
    "\"Roles\":[{\"RoleName\":\"oss-readonly\","
    "\"AssumeRolePolicyDocument\":{\"Statement\":[{\"Action\":"
    "\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"RAM\":"
    "[\"acs:ram::11223344:root\"]}}],\"Version\":\"1\"},"
    "\"AttachedPolicies\":[\"AliyunOSSReadOnlyAccess\"]}]},"
    /* the account and key of t/vectors/pop_rpc.json */
    "{\"AccountId\":\"1234567890123456\",\"Users\":[{\"UserName\":"
    "\"vectors\",\"AccessKeys\":[{\"AccessKeyId\":"
    "\"LTAI5tExampleAccessKey0\",\"AccessKeySecret\":"
    "\"ExampleSecretForVectors0123456789\"}],"
    "\"AttachedPolicies\":[\"AliyunSTSAssumeRoleAccess\"]}],"
    "\"Roles\":[{\"RoleName\":\"oss-uploader\","
    "\"AssumeRolePolicyDocument\":{\"Statement\":[{\"Action\":"
    "\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"RAM\":"
    "[\"acs:ram::1234567890123456:root\"]}}],\"Version\":\"1\"},"
    "\"AttachedPolicies\":[\"AliyunOSSFullAccess\"]}]}]}";

static const char  keys[] = "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";


static int
fuzz_nonce(void *data, const unsigned char digest[STS_POP_DIGEST_LEN],
    sts_str_t caller, int64_t expires)
{
    return *(int *) data ? STS_ENOMEM : STS_OK;
}


static void
fuzz_init(void)
{
    char  err[STS_RAM_ERR_LEN];

    if (sts_ram_parse(A, directory, sizeof(directory) - 1, &ram, err,
                      sizeof(err))
        != STS_OK
        || sts_keyring_parse(A, keys, sizeof(keys) - 1, &keyring, err,
                             sizeof(err))
           != STS_OK)
    {
        abort();
    }
}


static int
fuzz_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}


/* strictly encoded: unreserved bytes, "=" and "&" between, upper-case %XX */
static void
fuzz_check_encoded(const sts_buf_t *b)
{
    size_t  i;
    char    c;

    for (i = 0; i < b->len; i++) {
        c = b->data[i];

        if (c == '%') {
            if (i + 2 >= b->len || !fuzz_is_hex(b->data[i + 1])
                || !fuzz_is_hex(b->data[i + 2]))
            {
                abort();
            }

            continue;
        }

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
            || c == '~' || c == '&' || c == '=')
        {
            continue;
        }

        abort();
    }
}


/* the document parses, and |value| survives as the RequestId */
static void
fuzz_check_json(const char *doc, sts_str_t value)
{
    json_t        *j;
    json_error_t   jerr;
    const char    *v;

    j = json_loads(doc, 0, &jerr);
    if (j == NULL) {
        abort();
    }

    v = json_string_value(json_object_get(j, "RequestId"));

    if (v == NULL || strlen(v) != value.len
        || memcmp(v, value.data, value.len) != 0)
    {
        abort();
    }

    json_decref(j);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                   rc, xml, full, flags;
    char                 *copy, *nl;
    size_t                i;
    sts_str_t             q, b, method, dup, secret;
    sts_buf_t             buf;
    sts_params_t          query, form, all, clean, parsed;
    sts_pop_common_t      c;
    sts_pop_fault_t       f;
    sts_pop_field_t       field;
    sts_ram_rpc_t         req;
    sts_ram_rpc_result_t  res;

    if (ram == NULL) {
        fuzz_init();
    }

    if (size < 1) {
        return 0;
    }

    flags = data[0];

    copy = malloc(size);
    if (copy == NULL) {
        return 0;
    }

    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';

    nl = memchr(copy, '\n', size - 1);
    q.data = copy;
    q.len = nl ? (size_t) (nl - copy) : size - 1;
    b.data = nl ? nl + 1 : "";
    b.len = nl ? size - 1 - q.len - 1 : 0;

    method.data = (flags & 1) ? "POST" : "GET";
    method.len = strlen(method.data);

    memset(&query, 0, sizeof(query));
    memset(&form, 0, sizeof(form));
    memset(&all, 0, sizeof(all));

    if (sts_query_parse(A, q, &query) != STS_OK
        || sts_query_parse(A, b, &form) != STS_OK)
    {
        goto done;
    }

    rc = sts_pop_params_merge(A, &query, &form, &all, &dup);
    if (rc == STS_EDUP) {
        if (sts_params_get(&query, dup.data) == NULL
            || sts_params_get(&form, dup.data) == NULL)
        {
            abort();
        }

        goto done;
    }

    if (rc != STS_OK || all.num != query.num + form.num) {
        abort();
    }

    /* canonicalisation: only unreserved bytes and escapes */

    for (i = 0; i < 2; i++) {
        sts_buf_init(&buf, A, 0);

        if (sts_pop_string_to_sign(&buf, method, &all,
                                   i ? STS_POP_ENC_JS : STS_POP_ENC_STRICT)
            != STS_OK)
        {
            abort();
        }

        if (buf.len < method.len + 5
            || memcmp(buf.data + method.len, "&%2F&", 5) != 0)
        {
            abort();
        }

        sts_buf_free(&buf);

        sts_buf_init(&buf, A, 0);
        if (sts_pop_canonical_query(&buf, &all, STS_POP_ENC_STRICT)
            != STS_OK)
        {
            abort();
        }

        if (buf.len) {
            fuzz_check_encoded(&buf);
        }

        sts_buf_free(&buf);
    }

    /* the common parameters never crash, whatever they say */
    memset(&c, 0, sizeof(c));
    memset(&f, 0, sizeof(f));
    rc = sts_pop_parse_format(&all, &xml, &f);
    if (rc != STS_OK && (rc != STS_EINVAL || xml != 0 || f.error == NULL)) {
        abort();
    }

    rc = sts_pop_parse_common(&all, NOW, 900, &c, &f);
    if (rc != STS_OK && f.error == NULL) {
        abort();
    }

    /* sign as the SDKs do, then verify: always a match */

    if (all.num >= 1000) {
        goto endpoint;
    }

    clean.items = malloc((all.num ? all.num : 1) * sizeof(sts_param_t));
    clean.num = 0;
    if (clean.items == NULL) {
        goto done;
    }

    for (i = 0; i < all.num; i++) {
        if (strcmp(all.items[i].name.data, "Signature") != 0) {
            clean.items[clean.num++] = all.items[i];
        }
    }

    secret.data = "FuzzSecret0123456789";
    secret.len = strlen(secret.data);

    sts_buf_init(&buf, A, 0);
    if (sts_pop_sign_request(&buf, method, &clean, secret) != STS_OK) {
        abort();
    }

    q.data = buf.data;
    q.len = buf.len;

    if (sts_query_parse(A, q, &parsed) != STS_OK) {
        abort();
    }

    if (sts_pop_verify(NULL, method, &parsed, secret, flags & 2, NULL)
        != STS_OK)
    {
        abort();
    }

    /* another secret never verifies, in either form */
    secret.data = "FuzzSecret0123456780";
    if (sts_pop_verify(NULL, method, &parsed, secret, 1, NULL)
        != STS_EBADSIG)
    {
        abort();
    }

    sts_free(A, parsed.items);
    sts_buf_free(&buf);
    free(clean.items);

    /* rendering: each value, as the RequestId, in a valid document */

    for (i = 0; i < all.num && i < 8; i++) {
        field.name = "RequestId";
        field.value = all.items[i].value;

        sts_buf_init(&buf, A, 0);
        if (sts_pop_render(&buf, 0, "R", &field, 1) != STS_OK) {
            abort();
        }

        fuzz_check_json(buf.data, all.items[i].value);
        sts_buf_free(&buf);

        f.error = &sts_pop_err_missing;
        f.detail = all.items[i].name;

        sts_buf_init(&buf, A, 0);
        if (sts_pop_render_error(&buf, 0, &f, all.items[i].value,
                                 all.items[i].name)
            != STS_OK)
        {
            abort();
        }

        fuzz_check_json(buf.data, all.items[i].value);
        sts_buf_free(&buf);

        sts_buf_init(&buf, A, 0);
        if (sts_pop_render(&buf, 1, "R", &field, 1) != STS_OK) {
            abort();
        }

        sts_buf_free(&buf);
    }

endpoint:

    /* the whole endpoint */

    full = (flags & 4) != 0;

    memset(&req, 0, sizeof(req));
    req.ram = ram;
    req.keyring = keyring;
    req.method = method;
    req.params = &all;
    req.allow_js = flags & 2;
    req.now = NOW;
    req.max_skew = 900;
    req.client_addr.data = "192.0.2.1";
    req.client_addr.len = 9;
    req.host.data = "sts.example";
    req.host.len = 11;
    req.nonce = fuzz_nonce;
    req.nonce_data = &full;

    rc = sts_ram_rpc(A, &req, &res);
    if (rc != STS_OK) {
        abort();
    }

    if (res.http_status < 200 || res.http_status > 599
        || res.body.data == NULL
        || (res.http_status == 200) != (res.fault.error == NULL)
        || (res.http_status >= 500 && res.fault.error
            != &sts_pop_err_unavailable))
    {
        abort();
    }

    if (!res.xml) {
        json_t        *j;
        json_error_t   jerr;

        j = json_loads(res.body.data, 0, &jerr);
        if (j == NULL) {
            abort();
        }

        json_decref(j);
    }

    sts_ram_rpc_result_free(&res);

done:

    sts_free(A, query.items);
    sts_free(A, form.items);
    sts_free(A, all.items);
    free(copy);

    return 0;
}
