/*
 * Copyright (C) nginx-sts authors
 *
 * test_pop: the POP RPC signature against every captured request of
 * t/vectors/pop_rpc.json (pop-core, sts-sdk, ali-oss OSS.STS) and the
 * RAM documentation example of cross_sdk.json; the sts-sdk 1.0.2
 * JS-component variant and how narrowly it is accepted; percent-encoding;
 * the common parameters; JSON and XML rendering.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tap.h"
#include "sts_pop.h"


#define NOW  1715776245         /* 2024-05-15T12:30:45Z */


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = s ? strlen(s) : 0;

    return r;
}


static json_t *
load(const char *file)
{
    json_t        *root;
    json_error_t   err;

    root = json_load_file(file, 0, &err);
    if (root == NULL) {
        printf("# %s: %s\n", file, err.text);
    }

    return root;
}


static const char *
jstr(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}


/* the parameters a captured request carried: query and form together */

typedef struct {
    sts_params_t  query;
    sts_params_t  form;
    sts_params_t  all;
} wire_t;


static int
wire_parse(wire_t *w, json_t *wire)
{
    const char  *pq, *body, *qm;
    sts_str_t    q, dup;

    memset(w, 0, sizeof(wire_t));

    pq = jstr(wire, "path_and_query");
    body = jstr(wire, "body");
    qm = pq ? strchr(pq, '?') : NULL;

    q = S(qm ? qm + 1 : "");

    if (sts_query_parse(A, q, &w->query) != STS_OK
        || sts_query_parse(A, S(body ? body : ""), &w->form) != STS_OK
        || sts_pop_params_merge(A, &w->query, &w->form, &w->all, &dup)
           != STS_OK)
    {
        return -1;
    }

    return 0;
}


static void
wire_free(wire_t *w)
{
    sts_free(A, w->query.items);
    sts_free(A, w->form.items);
    sts_free(A, w->all.items);
}


static char *
string_to_sign(const char *method, const sts_params_t *p, int enc)
{
    sts_buf_t  b;

    sts_buf_init(&b, A, 0);

    if (sts_pop_string_to_sign(&b, S(method), p, enc) != STS_OK) {
        sts_buf_free(&b);
        return NULL;
    }

    return b.data ? b.data : strdup("");
}


static void
test_vectors(void)
{
    int           rc, enc, agrees;
    char         *sts;
    char          sig[STS_POP_SIG_LEN + 1];
    size_t        i;
    json_t       *root, *v, *vectors, *wire, *sent;
    wire_t        w;
    sts_buf_t     b;
    const char   *id, *method, *secret, *std_sts, *std_sig;
    const sts_param_t  *p;

    root = load("t/vectors/pop_rpc.json");
    vectors = json_object_get(root, "vectors");
    ok(json_array_size(vectors) == 9, "pop_rpc.json has 9 vectors");

    json_array_foreach(vectors, i, v) {
        id = jstr(v, "id");
        wire = json_object_get(v, "wire");
        method = jstr(wire, "method");
        secret = jstr(v, "access_key_secret");
        agrees = json_is_true(json_object_get(v, "agrees_with_standard"));
        std_sts = jstr(v, "standard_pop_string_to_sign");
        std_sts = std_sts ? std_sts : jstr(v, "string_to_sign");
        std_sig = jstr(v, "standard_pop_signature");

        if (!ok(wire_parse(&w, wire) == 0, "%s: wire parses", id)) {
            continue;
        }

        /* what went over the wire is what the client meant to send */
        sent = json_object_get(v, "params_sent");
        is_int(w.all.num, json_object_size(sent), "%s: %zu parameters", id,
               json_object_size(sent));

        {
            const char  *k;
            json_t      *jv;
            int          same;

            same = 1;
            json_object_foreach(sent, k, jv) {
                p = sts_params_get(&w.all, k);
                if (p == NULL || strcmp(p->value.data,
                                        json_string_value(jv)) != 0)
                {
                    same = 0;
                    printf("#   %s differs\n", k);
                }
            }

            ok(same, "%s: decoded parameters equal params_sent", id);
        }

        /* the standard StringToSign and signature */
        sts = string_to_sign(method, &w.all, STS_POP_ENC_STRICT);
        is_str(sts, std_sts, "%s: standard StringToSign", id);

        rc = sts_pop_sign(sig, S(secret), S(sts));
        is_int(rc, STS_OK, "%s: sign", id);
        is_str(sig, std_sig, "%s: standard signature", id);
        free(sts);

        /* the client's own StringToSign and signature */
        sts = string_to_sign(method, &w.all,
                             agrees ? STS_POP_ENC_STRICT : STS_POP_ENC_JS);
        is_str(sts, jstr(v, "string_to_sign"), "%s: client StringToSign",
               id);
        rc = sts_pop_sign(sig, S(secret), S(sts));
        is_str(sig, jstr(v, "signature"), "%s: client signature", id);
        free(sts);

        /* the HMAC key is the secret and "&" */
        {
            char  key[256];

            snprintf(key, sizeof(key), "%s&", secret);
            is_str(key, jstr(v, "hmac_key"), "%s: hmac key", id);
        }

        /* verification as the endpoint does it */
        sts_buf_init(&b, A, 0);
        rc = sts_pop_verify(&b, S(method), &w.all, S(secret), 1, &enc);
        is_int(rc, STS_OK, "%s: verifies (sts-sdk form allowed)", id);
        is_int(enc, agrees ? STS_POP_ENC_STRICT : STS_POP_ENC_JS,
               "%s: matched with the %s form", id,
               agrees ? "standard" : "sts-sdk");
        is_str(b.data, std_sts, "%s: StringToSign reported is standard",
               id);
        sts_buf_free(&b);

        rc = sts_pop_verify(NULL, S(method), &w.all, S(secret), 0, NULL);
        is_int(rc, agrees ? STS_OK : STS_EBADSIG,
               "%s: strict verification %s", id,
               agrees ? "passes" : "refuses the sts-sdk form");

        /* wrong secret, wrong method */
        rc = sts_pop_verify(NULL, S(method), &w.all, S("WrongSecret12345"),
                            1, NULL);
        is_int(rc, STS_EBADSIG, "%s: another secret fails", id);

        rc = sts_pop_verify(NULL, S(strcmp(method, "GET") ? "GET" : "POST"),
                            &w.all, S(secret), 1, NULL);
        is_int(rc, STS_EBADSIG, "%s: another method fails", id);

        /* the common parameters are all there and in time */
        {
            int               xml;
            sts_pop_common_t  c;
            sts_pop_fault_t   f;

            memset(&c, 0, sizeof(c));
            memset(&f, 0, sizeof(f));
            rc = sts_pop_parse_format(&w.all, &xml, &f);
            is_int(rc, STS_OK, "%s: Format", id);
            ok(xml == 0, "%s: JSON asked for", id);

            rc = sts_pop_parse_common(&w.all, NOW, 900, &c, &f);
            is_int(rc, STS_OK, "%s: common parameters", id);

            rc = sts_pop_parse_common(&w.all, NOW + 901, 900, &c, &f);
            ok(rc == STS_EINVAL && f.error == &sts_pop_err_timestamp_expired,
               "%s: 901 s later the Timestamp is expired", id);

            rc = sts_pop_parse_common(&w.all, NOW - 901, 900, &c, &f);
            ok(rc == STS_EINVAL && f.error == &sts_pop_err_timestamp_expired,
               "%s: 901 s earlier the Timestamp is in the future", id);
        }

        wire_free(&w);
    }

    json_decref(root);
}


/* a request built here, with one value changed after signing */

static void
param_set(sts_params_t *p, sts_param_t *items, size_t n)
{
    p->items = items;
    p->num = n;
}


static void
test_tampering(void)
{
    int           rc;
    sts_buf_t     b;
    sts_param_t   it[12];
    sts_params_t  p, parsed;
    char          secret[] = "ExampleSecretForVectors0123456789";
    size_t        n;

#define P(k, v)                                                             \
    it[n].name = S(k);                                                      \
    it[n].value = S(v);                                                     \
    it[n].has_eq = 1;                                                       \
    n++

    n = 0;
    P("Action", "AssumeRole");
    P("Version", "2015-04-01");
    P("Format", "JSON");
    P("AccessKeyId", "LTAI5tExampleAccessKey0");
    P("SignatureMethod", "HMAC-SHA1");
    P("SignatureVersion", "1.0");
    P("SignatureNonce", "nonce-1");
    P("Timestamp", "2024-05-15T12:30:45Z");
    P("RoleArn", "acs:ram::11223344:role/oss-readonly");
    P("RoleSessionName", "app@x");
    P("Policy", "{\"Statement\":[{\"Resource\":\"acs:oss:*:*:b/*\"}]} "
                "(x)!'~");
#undef P

    param_set(&p, it, n);

    sts_buf_init(&b, A, 0);
    rc = sts_pop_sign_request(&b, S("POST"), &p, S(secret));
    is_int(rc, STS_OK, "sign a request as the SDKs do");
    ok(strstr(b.data, "%2A") != NULL && strstr(b.data, "%28x%29%21%27~")
       != NULL, "the form body is strictly encoded");
    ok(strstr(b.data, "&Signature=") != NULL, "it carries Signature");

    rc = sts_query_parse(A, S(b.data), &parsed);
    is_int(rc, STS_OK, "the signed body parses");

    rc = sts_pop_verify(NULL, S("POST"), &parsed, S(secret), 0, NULL);
    is_int(rc, STS_OK, "and verifies");

    /* every parameter matters */
    {
        size_t   i;
        char     saved;
        int      all;

        all = 1;
        for (i = 0; i < parsed.num; i++) {
            if (strcmp(parsed.items[i].name.data, "Signature") == 0
                || parsed.items[i].value.len == 0)
            {
                continue;
            }

            saved = ((char *) parsed.items[i].value.data)[0];
            ((char *) parsed.items[i].value.data)[0] = saved == 'x' ? 'y'
                                                                    : 'x';
            if (sts_pop_verify(NULL, S("POST"), &parsed, S(secret), 1, NULL)
                != STS_EBADSIG)
            {
                all = 0;
                printf("#   %s not covered\n", parsed.items[i].name.data);
            }

            ((char *) parsed.items[i].value.data)[0] = saved;
        }

        ok(all, "changing any parameter breaks the signature");
    }

    /* a parameter added after signing breaks it too */
    {
        sts_param_t   more[40];
        sts_params_t  pm;

        memcpy(more, parsed.items, parsed.num * sizeof(sts_param_t));
        more[parsed.num].name = S("DurationSeconds");
        more[parsed.num].value = S("43200");
        more[parsed.num].has_eq = 1;
        param_set(&pm, more, parsed.num + 1);

        rc = sts_pop_verify(NULL, S("POST"), &pm, S(secret), 1, NULL);
        is_int(rc, STS_EBADSIG, "an unsigned parameter breaks it");
    }

    /* the JS variant is no escape hatch: the same HMAC, the same secret */
    {
        char          sts[4096];
        char          sig[STS_POP_SIG_LEN + 1];
        sts_buf_t     js;
        sts_param_t   items[40];
        sts_params_t  pj;
        size_t        i;

        sts_buf_init(&js, A, 0);
        rc = sts_pop_string_to_sign(&js, S("POST"), &parsed, STS_POP_ENC_JS);
        snprintf(sts, sizeof(sts), "%s", js.data);
        sts_buf_free(&js);

        rc = sts_pop_sign(sig, S(secret), S(sts));

        memcpy(items, parsed.items, parsed.num * sizeof(sts_param_t));
        for (i = 0; i < parsed.num; i++) {
            if (strcmp(items[i].name.data, "Signature") == 0) {
                items[i].value = S(sig);
            }
        }

        param_set(&pj, items, parsed.num);

        ok(sts_pop_has_js_chars(&pj), "the Policy holds ! ' ( ) *");
        rc = sts_pop_verify(NULL, S("POST"), &pj, S(secret), 1, NULL);
        is_int(rc, STS_OK, "the sts-sdk form is accepted when allowed");
        rc = sts_pop_verify(NULL, S("POST"), &pj, S(secret), 0, NULL);
        is_int(rc, STS_EBADSIG, "and refused when not");
        rc = sts_pop_verify(NULL, S("POST"), &pj, S("AnotherSecret0123456"),
                            1, NULL);
        is_int(rc, STS_EBADSIG, "the sts-sdk form with another secret");
    }

    sts_free(A, parsed.items);
    sts_buf_free(&b);

    /* without Signature: a mismatch, never a pass */
    rc = sts_pop_verify(NULL, S("POST"), &p, S(secret), 1, NULL);
    is_int(rc, STS_EBADSIG, "no Signature parameter");

    /* a bad secret */
    rc = sts_pop_verify(NULL, S("POST"), &p, S(""), 1, NULL);
    is_int(rc, STS_EINVAL, "an empty secret is refused");
}


static void
test_ram_example(void)
{
    size_t        i;
    json_t       *root, *v, *params, *pv;
    sts_param_t   it[16];
    sts_params_t  p;
    char         *sts;
    char          sig[STS_POP_SIG_LEN + 1];
    const char   *k;

    root = load("t/vectors/cross_sdk.json");

    json_array_foreach(json_object_get(root, "vectors"), i, v) {
        if (strcmp(jstr(v, "id"), "ram-doc-pop-signature-example") != 0) {
            continue;
        }

        params = json_object_get(v, "params");
        p.num = 0;
        p.items = it;

        json_object_foreach(params, k, pv) {
            it[p.num].name = S(k);
            it[p.num].value = S(json_string_value(pv));
            it[p.num].has_eq = 1;
            p.num++;
        }

        sts = string_to_sign(jstr(v, "method"), &p, STS_POP_ENC_STRICT);
        is_str(sts, jstr(v, "string_to_sign"), "RAM example: StringToSign");
        ok(sts_pop_sign(sig, S(jstr(v, "access_key_secret")), S(sts))
           == STS_OK, "RAM example: sign");
        is_str(sig, "kRA2cnpJVacIhDMzXnoNZG9tDCI=",
               "RAM example: the published signature");
        free(sts);
    }

    json_decref(root);
}


static void
test_encoding(void)
{
    sts_buf_t  b;

    static const char  in[] = "aZ09-_.~ !'()*+/:=&%\xc3\xa9";

    sts_buf_init(&b, A, 0);
    (void) sts_pop_encode(&b, S(in), STS_POP_ENC_STRICT);
    is_str(b.data, "aZ09-_.~%20%21%27%28%29%2A%2B%2F%3A%3D%26%25%C3%A9",
           "RFC 3986 strict encoding");
    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    (void) sts_pop_encode(&b, S(in), STS_POP_ENC_JS);
    is_str(b.data, "aZ09-_.~%20!'()*%2B%2F%3A%3D%26%25%C3%A9",
           "JS-component encoding keeps ! ' ( ) *");
    sts_buf_free(&b);
}


static void
test_common(void)
{
    int               rc, xml;
    size_t            n;
    sts_param_t       it[12];
    sts_params_t      p;
    sts_pop_common_t  c;
    sts_pop_fault_t   f;
    char              code[64];

#define P(k, v)                                                             \
    it[n].name = S(k);                                                      \
    it[n].value = S(v);                                                     \
    it[n].has_eq = 1;                                                       \
    n++

#define COMMON()                                                            \
    n = 0;                                                                  \
    P("Action", "GetCallerIdentity");                                       \
    P("Version", "2015-04-01");                                             \
    P("AccessKeyId", "LTAI5tExampleAccessKey0");                            \
    P("Signature", "x");                                                    \
    P("SignatureMethod", "HMAC-SHA1");                                      \
    P("SignatureVersion", "1.0");                                           \
    P("SignatureNonce", "n");                                               \
    P("Timestamp", "2024-05-15T12:30:45.123Z")

    memset(&c, 0, sizeof(c));
    memset(&f, 0, sizeof(f));

    COMMON();
    p.items = it;
    p.num = n;
    rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
    is_int(rc, STS_OK, "milliseconds in Timestamp");
    is_int(c.time, NOW, "Timestamp value");

    /* each missing one, in the documented order */
    {
        static const char  *names[] = {
            "Action", "Version", "AccessKeyId", "Signature",
            "SignatureMethod", "SignatureVersion", "SignatureNonce",
            "Timestamp"
        };
        size_t  i;

        for (i = 0; i < 8; i++) {
            COMMON();
            it[i].value = S("");
            p.num = n;
            rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
            (void) sts_pop_fault_text(&f, 0, code, sizeof(code));
            ok(rc == STS_EINVAL && f.error == &sts_pop_err_missing,
               "empty %s is missing", names[i]);
            ok(strncmp(code, "Missing", 7) == 0
               && strcmp(code + 7, names[i]) == 0, "code %s", code);
        }
    }

    COMMON();
    it[1].value = S("2014-01-01");
    p.num = n;
    rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
    ok(rc == STS_EINVAL && f.error == &sts_pop_err_version, "InvalidVersion");

    COMMON();
    it[4].value = S("HMAC-SHA256");
    rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
    ok(rc == STS_EINVAL && f.error == &sts_pop_err_signature_method,
       "InvalidSignatureMethod");

    COMMON();
    it[5].value = S("2.0");
    rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
    ok(rc == STS_EINVAL && f.error == &sts_pop_err_invalid_parameter,
       "SignatureVersion 2.0");

    {
        static const char  *bad[] = {
            "20240515T123045Z", "2024-05-15 12:30:45Z",
            "2024-05-15T12:30:45+08:00", "2024-02-30T12:30:45Z",
            "2024-05-15T12:30:45", "yesterday"
        };
        size_t  i;

        for (i = 0; i < 6; i++) {
            COMMON();
            it[7].value = S(bad[i]);
            rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
            ok(rc == STS_EINVAL && f.error == &sts_pop_err_timestamp_format,
               "Timestamp \"%s\" is InvalidTimeStamp.Format", bad[i]);
        }
    }

    {
        char  nonce[STS_POP_NONCE_MAX + 2];

        memset(nonce, 'a', sizeof(nonce) - 1);
        nonce[sizeof(nonce) - 1] = '\0';
        COMMON();
        it[6].value = S(nonce);
        rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
        ok(rc == STS_EINVAL && f.error == &sts_pop_err_invalid_parameter,
           "an oversized SignatureNonce");
    }

    /* Format */
    COMMON();
    P("Format", "xml");
    p.num = n;
    rc = sts_pop_parse_format(&p, &xml, &f);
    ok(rc == STS_OK && xml == 1, "Format=xml");
    it[n - 1].value = S("json");
    rc = sts_pop_parse_format(&p, &xml, &f);
    ok(rc == STS_OK && xml == 0, "Format=json");
    it[n - 1].value = S("yaml");
    rc = sts_pop_parse_format(&p, &xml, &f);
    ok(rc == STS_EINVAL && f.error == &sts_pop_err_invalid_parameter,
       "Format=yaml");

    /* SecurityToken */
    COMMON();
    P("SecurityToken", "STS1.abc");
    p.num = n;
    rc = sts_pop_parse_common(&p, NOW, 900, &c, &f);
    ok(rc == STS_OK && sts_str_eq(c.security_token, "STS1.abc"),
       "SecurityToken is picked up");

#undef COMMON
#undef P
}


static void
test_merge(void)
{
    int           rc;
    sts_str_t     dup;
    sts_params_t  q, b, all;

    rc = sts_query_parse(A, S("Action=AssumeRole&Format=JSON"), &q);
    rc |= sts_query_parse(A, S("RoleArn=x&Version=2015-04-01"), &b);
    is_int(rc, STS_OK, "parse two halves");

    rc = sts_pop_params_merge(A, &q, &b, &all, &dup);
    ok(rc == STS_OK && all.num == 4, "query and form merge");
    sts_free(A, all.items);
    sts_free(A, b.items);

    rc = sts_query_parse(A, S("RoleArn=x&Format=XML"), &b);
    rc = sts_pop_params_merge(A, &q, &b, &all, &dup);
    ok(rc == STS_EDUP && sts_str_eq(dup, "Format"),
       "a name in both is refused and named");

    sts_free(A, b.items);
    sts_free(A, q.items);
}


static void
test_render(void)
{
    int              rc;
    sts_buf_t        b;
    sts_pop_field_t  f[6];
    sts_pop_fault_t  fault;

    f[0].name = "RequestId";
    f[0].value = S("R-1");
    f[1].name = "AssumedRoleUser.Arn";
    f[1].value = S("acs:ram::1:role/r/s");
    f[2].name = "AssumedRoleUser.AssumedRoleId";
    f[2].value = S("3:s");
    f[3].name = "Credentials.AccessKeyId";
    f[3].value = S("STS.x");
    f[4].name = "Credentials.SecurityToken";
    f[4].value = S("a\"b\\c<d>&e\x01");
    f[5].name = "SourceIdentity";
    f[5].value = S("me");

    sts_buf_init(&b, A, 0);
    rc = sts_pop_render(&b, 0, "AssumeRoleResponse", f, 6);
    is_int(rc, STS_OK, "render JSON");
    is_str(b.data,
           "{\"RequestId\":\"R-1\",\"AssumedRoleUser\":{\"Arn\":"
           "\"acs:ram::1:role/r/s\",\"AssumedRoleId\":\"3:s\"},"
           "\"Credentials\":{\"AccessKeyId\":\"STS.x\",\"SecurityToken\":"
           "\"a\\\"b\\\\c<d>&e\\u0001\"},\"SourceIdentity\":\"me\"}",
           "JSON document, nested and escaped");

    {
        json_t        *j;
        json_error_t   jerr;

        j = json_loads(b.data, 0, &jerr);
        ok(j != NULL, "it parses as JSON");
        ok(j != NULL && strcmp(json_string_value(json_object_get(
               json_object_get(j, "Credentials"), "SecurityToken")),
               "a\"b\\c<d>&e\x01") == 0, "with the value intact");
        json_decref(j);
    }

    sts_buf_free(&b);

    sts_buf_init(&b, A, 0);
    rc = sts_pop_render(&b, 1, "AssumeRoleResponse", f, 6);
    is_int(rc, STS_OK, "render XML");
    is_str(b.data,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?><AssumeRoleResponse>"
           "<RequestId>R-1</RequestId><AssumedRoleUser><Arn>"
           "acs:ram::1:role/r/s</Arn><AssumedRoleId>3:s</AssumedRoleId>"
           "</AssumedRoleUser><Credentials><AccessKeyId>STS.x</AccessKeyId>"
           "<SecurityToken>a&quot;b\\c&lt;d&gt;&amp;e?</SecurityToken>"
           "</Credentials><SourceIdentity>me</SourceIdentity>"
           "</AssumeRoleResponse>", "XML document, nested and escaped");
    sts_buf_free(&b);

    /* errors */
    fault.error = &sts_pop_err_missing;
    fault.detail = S("RoleArn");

    sts_buf_init(&b, A, 0);
    rc = sts_pop_render_error(&b, 0, &fault, S("R-2"), S("sts.example"));
    is_str(b.data,
           "{\"RequestId\":\"R-2\",\"HostId\":\"sts.example\",\"Code\":"
           "\"MissingRoleArn\",\"Message\":\"RoleArn is mandatory for this "
           "action.\"}", "MissingRoleArn as JSON");
    sts_buf_free(&b);

    fault.error = &sts_pop_err_signature;
    fault.detail = S("GET&%2F&A%3D1");

    sts_buf_init(&b, A, 0);
    rc = sts_pop_render_error(&b, 1, &fault, S("R-3"), S("h"));
    is_str(b.data,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>R-3"
           "</RequestId><HostId>h</HostId><Code>SignatureDoesNotMatch</Code>"
           "<Message>Specified signature is not matched with our "
           "calculation. server string to sign is:GET&amp;%2F&amp;A%3D1"
           "</Message></Error>", "SignatureDoesNotMatch as XML");
    sts_buf_free(&b);

    fault.error = &sts_pop_err_invalid_parameter;
    fault.detail = S("Format\"x");

    sts_buf_init(&b, A, 0);
    rc = sts_pop_render_error(&b, 0, &fault, S("R-4"), S("h"));
    ok(strstr(b.data, "\"The specified parameter \\\"Format\\\"x\\\" is not "
              "valid.\"") != NULL, "the detail is escaped in JSON");
    sts_buf_free(&b);

    {
        char  rid[STS_POP_REQUEST_ID_LEN + 1], rid2[STS_POP_REQUEST_ID_LEN + 1];

        sts_pop_request_id(rid);
        sts_pop_request_id(rid2);
        ok(strlen(rid) == 36 && rid[8] == '-' && rid[13] == '-'
           && rid[18] == '-' && rid[23] == '-', "RequestId shape %s", rid);
        ok(strcmp(rid, rid2) != 0, "RequestIds differ");
    }
}


static void
test_digest(void)
{
    unsigned char  d1[STS_POP_DIGEST_LEN], d2[STS_POP_DIGEST_LEN];

    ok(sts_pop_nonce_digest(d1, S("AK"), S("n1")) == STS_OK
       && sts_pop_nonce_digest(d2, S("AKn"), S("1")) == STS_OK,
       "nonce digests");
    ok(memcmp(d1, d2, sizeof(d1)) != 0,
       "nonce digests separate the key from the nonce");
    ok(sts_pop_nonce_digest(d2, S("AK"), S("n1")) == STS_OK
       && memcmp(d1, d2, sizeof(d1)) == 0, "and are stable");
}


int
main(void)
{
    test_vectors();
    test_ram_example();
    test_tampering();
    test_encoding();
    test_common();
    test_merge();
    test_render();
    test_digest();

    return tap_done();
}
