/*
 * Copyright (C) nginx-sts authors
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sts_pop.h"


#define STS_POP_MAC_LEN  20     /* SHA-1 */


static int sts_pop_is_js_char(char c);
static int sts_pop_param_cmp(const void *a, const void *b);
static int sts_pop_is_signature(const sts_param_t *p);
static int sts_pop_append_subst(sts_buf_t *out, const char *fmt,
    sts_str_t detail, int xml, int json);
static int sts_pop_append_json(sts_buf_t *out, const char *s, size_t len);
static int sts_pop_append_xml(sts_buf_t *out, const char *s, size_t len);
static const sts_param_t *sts_pop_get(const sts_params_t *p,
    const char *name);


/* the STS error table (doc/protocol.md 5.4, 5.6) */

const sts_pop_error_t  sts_pop_err_missing = {
    400, "Missing%s", "%s is mandatory for this action."
};

const sts_pop_error_t  sts_pop_err_invalid_parameter = {
    400, "InvalidParameter", "The specified parameter \"%s\" is not valid."
};

const sts_pop_error_t  sts_pop_err_content_type = {
    400, "InvalidParameter.ContentType",
    "The ContentType request header must be either \"application/json\" "
    "or \"application/x-www-form-urlencoded\"."
};

const sts_pop_error_t  sts_pop_err_method = {
    405, "UnsupportedHTTPMethod", "This http method is not supported."
};

const sts_pop_error_t  sts_pop_err_too_large = {
    413, "RequestEntityTooLarge",
    "The request is larger than the server accepts."
};

const sts_pop_error_t  sts_pop_err_action = {
    404, "InvalidAction.NotFound",
    "Specified api is not found, please check your url and method."
};

const sts_pop_error_t  sts_pop_err_version = {
    400, "InvalidVersion", "Specified parameter Version is not valid."
};

const sts_pop_error_t  sts_pop_err_signature_method = {
    400, "InvalidSignatureMethod",
    "Specified signature method is not supported."
};

const sts_pop_error_t  sts_pop_err_akid_not_found = {
    404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
};

const sts_pop_error_t  sts_pop_err_akid_inactive = {
    400, "InvalidAccessKeyId.Inactive", "Specified access key is disabled."
};

const sts_pop_error_t  sts_pop_err_signature = {
    400, "SignatureDoesNotMatch",
    "Specified signature is not matched with our calculation. server "
    "string to sign is:%s"
};

const sts_pop_error_t  sts_pop_err_timestamp_format = {
    400, "InvalidTimeStamp.Format",
    "Specified time stamp or date value is not well formatted."
};

const sts_pop_error_t  sts_pop_err_timestamp_expired = {
    400, "InvalidTimeStamp.Expired",
    "Specified time stamp or date value is expired."
};

const sts_pop_error_t  sts_pop_err_nonce_used = {
    400, "SignatureNonceUsed", "Specified signature nonce was used already."
};

const sts_pop_error_t  sts_pop_err_token_expired = {
    400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."
};

const sts_pop_error_t  sts_pop_err_token_malformed = {
    400, "InvalidSecurityToken.Malformed",
    "Specified SecurityToken is malformed."
};

const sts_pop_error_t  sts_pop_err_token_mismatch = {
    400, "InvalidSecurityToken.MismatchWithAccessKey",
    "Specified SecurityToken mismatch with the AccessKey."
};

const sts_pop_error_t  sts_pop_err_no_permission = {
    403, "NoPermission",
    "You are not authorized to do this action. You should be authorized by "
    "RAM."
};

const sts_pop_error_t  sts_pop_err_role_not_found = {
    404, "EntityNotExist.Role", "The specified Role not exists ."
};

const sts_pop_error_t  sts_pop_err_role_arn = {
    400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed."
};

const sts_pop_error_t  sts_pop_err_session_name = {
    400, "InvalidParameter.RoleSessionName",
    "The parameter RoleSessionName is wrongly formed."
};

const sts_pop_error_t  sts_pop_err_duration = {
    400, "InvalidParameter.DurationSeconds",
    "The Min/Max value of DurationSeconds is 15min/1hr."
};

const sts_pop_error_t  sts_pop_err_policy_size = {
    400, "InvalidParameter.PolicySize",
    "The size of Policy must be smaller than 2048 bytes."
};

const sts_pop_error_t  sts_pop_err_policy_grammar = {
    400, "InvalidParameter.PolicyGrammar",
    "The parameter Policy has not passed grammar check."
};

const sts_pop_error_t  sts_pop_err_external_id = {
    400, "InvalidParameter.ExternalId",
    "The parameter ExternalId is wrongly formed."
};

const sts_pop_error_t  sts_pop_err_source_identity = {
    400, "InvalidParameter.SourceIdentity",
    "The parameter SourceIdentity is wrongly formed."
};

const sts_pop_error_t  sts_pop_err_token_size = {
    400, "InvalidParameter.PolicySize",
    "The policies of the role and the session do not fit in a "
    "SecurityToken."
};

const sts_pop_error_t  sts_pop_err_unavailable = {
    503, "ServiceUnavailable",
    "The request has failed due to a temporary failure of the server."
};

/* flow control: Alibaba answers it with 400 (doc/protocol.md 5.4) */
const sts_pop_error_t  sts_pop_err_throttling = {
    400, "Throttling.User", "Request was denied due to user flow control."
};

const sts_pop_error_t  sts_pop_err_internal = {
    500, "InternalError",
    "STS Server Internal Error happened, please send the RequestId to us."
};


/* encoding */

int
sts_pop_encode(sts_buf_t *out, sts_str_t s, int enc)
{
    return sts_uri_encode(out, s.data, s.len,
                          enc == STS_POP_ENC_JS ? STS_URI_KEEP_MARKS : 0);
}


static int
sts_pop_param_cmp(const void *a, const void *b)
{
    int                 rc;
    size_t              n;
    const sts_param_t  *pa, *pb;

    pa = *(const sts_param_t * const *) a;
    pb = *(const sts_param_t * const *) b;

    n = pa->name.len < pb->name.len ? pa->name.len : pb->name.len;

    rc = n ? memcmp(pa->name.data, pb->name.data, n) : 0;
    if (rc != 0) {
        return rc;
    }

    return (pa->name.len > pb->name.len) - (pa->name.len < pb->name.len);
}


static int
sts_pop_is_signature(const sts_param_t *p)
{
    return p->name.len == 9 && memcmp(p->name.data, "Signature", 9) == 0;
}


int
sts_pop_canonical_query(sts_buf_t *out, const sts_params_t *params, int enc)
{
    int                 first, rc;
    size_t              i, n;
    const sts_param_t **sorted;

    if (params == NULL || params->num == 0) {
        return sts_buf_ok(out);
    }

    if (params->num > ((size_t) -1) / sizeof(sts_param_t *)) {
        return STS_ETOOBIG;
    }

    sorted = sts_alloc(out->a, params->num * sizeof(sts_param_t *));
    if (sorted == NULL) {
        return STS_ENOMEM;
    }

    n = 0;
    for (i = 0; i < params->num; i++) {
        if (!sts_pop_is_signature(&params->items[i])) {
            sorted[n++] = &params->items[i];
        }
    }

    qsort(sorted, n, sizeof(sts_param_t *), sts_pop_param_cmp);

    first = 1;
    rc = STS_OK;

    for (i = 0; i < n && rc == STS_OK; i++) {
        if (!first) {
            (void) sts_buf_append_char(out, '&');
        }

        first = 0;
        (void) sts_pop_encode(out, sorted[i]->name, enc);
        (void) sts_buf_append_char(out, '=');
        rc = sts_pop_encode(out, sorted[i]->value, enc);
    }

    sts_free(out->a, sorted);

    return sts_buf_ok(out);
}


int
sts_pop_string_to_sign(sts_buf_t *out, sts_str_t method,
    const sts_params_t *params, int enc)
{
    int        rc;
    sts_str_t  q;
    sts_buf_t  cq;

    sts_buf_init(&cq, out->a, 0);

    rc = sts_pop_canonical_query(&cq, params, enc);
    if (rc != STS_OK) {
        sts_buf_free(&cq);
        return rc;
    }

    q.data = cq.data ? cq.data : "";
    q.len = cq.len;

    (void) sts_buf_append(out, method.data, method.len);
    (void) sts_buf_append(out, "&%2F&", 5);
    rc = sts_pop_encode(out, q, enc);

    sts_buf_free(&cq);

    return rc;
}


int
sts_pop_sign(char out[STS_POP_SIG_LEN + 1], sts_str_t secret,
    sts_str_t string_to_sign)
{
    int            rc;
    size_t         n;
    unsigned int   mac_len;
    unsigned char  mac[EVP_MAX_MD_SIZE];
    char           key[STS_POP_SECRET_MAX + 1];

    out[0] = '\0';

    if (secret.len == 0 || secret.len > STS_POP_SECRET_MAX
        || string_to_sign.len > INT_MAX)
    {
        return STS_EINVAL;
    }

    /* the key is the secret and "&" (no token secret in STS) */
    memcpy(key, secret.data, secret.len);
    key[secret.len] = '&';

    rc = STS_OK;

    mac_len = STS_SHA1_LEN;

    if (sts_hmac(STS_HASH_SHA1, key, secret.len + 1, string_to_sign.data,
                 string_to_sign.len, mac)
        != STS_OK || mac_len != STS_POP_MAC_LEN)
    {
        rc = STS_ECRYPTO;
        goto done;
    }

    n = sts_base64_encode(out, mac, STS_POP_MAC_LEN);
    out[n] = '\0';

done:

    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(mac, sizeof(mac));

    return rc;
}


/* the bytes encodeURIComponent leaves alone and RFC 3986 does not */
static int
sts_pop_is_js_char(char c)
{
    return c == '!' || c == '\'' || c == '(' || c == ')' || c == '*';
}


int
sts_pop_has_js_chars(const sts_params_t *params)
{
    size_t              i, j;
    const sts_param_t  *p;

    for (i = 0; params != NULL && i < params->num; i++) {
        p = &params->items[i];

        if (sts_pop_is_signature(p)) {
            continue;
        }

        for (j = 0; j < p->name.len; j++) {
            if (sts_pop_is_js_char(p->name.data[j])) {
                return 1;
            }
        }

        for (j = 0; j < p->value.len; j++) {
            if (sts_pop_is_js_char(p->value.data[j])) {
                return 1;
            }
        }
    }

    return 0;
}


int
sts_pop_verify(sts_buf_t *sts, sts_str_t method, const sts_params_t *params,
    sts_str_t secret, int allow_js, int *out_enc)
{
    int                 rc, match;
    sts_str_t           s;
    sts_buf_t           tmp, *b;
    const sts_param_t  *sig;
    char                mine[STS_POP_SIG_LEN + 1];

    if (out_enc != NULL) {
        *out_enc = STS_POP_ENC_STRICT;
    }

    if (sts == NULL) {
        sts_buf_init(&tmp, &sts_malloc_allocator, 0);
        b = &tmp;

    } else {
        b = sts;
    }

    rc = sts_pop_string_to_sign(b, method, params, STS_POP_ENC_STRICT);
    if (rc != STS_OK) {
        goto done;
    }

    sig = sts_pop_get(params, "Signature");

    s.data = b->data;
    s.len = b->len;

    rc = sts_pop_sign(mine, secret, s);
    if (rc != STS_OK) {
        goto done;
    }

    match = sig != NULL
            && sts_ct_equal(mine, STS_POP_SIG_LEN, sig->value.data,
                            sig->value.len);

    if (!match && sig != NULL && allow_js && sts_pop_has_js_chars(params)) {
        /* @alicloud/sts-sdk 1.0.2 leaves ! ' ( ) * unescaped (5.8) */
        sts_buf_t  js;

        sts_buf_init(&js, b->a, 0);

        rc = sts_pop_string_to_sign(&js, method, params, STS_POP_ENC_JS);
        if (rc == STS_OK) {
            s.data = js.data;
            s.len = js.len;
            rc = sts_pop_sign(mine, secret, s);
        }

        sts_buf_free(&js);

        if (rc != STS_OK) {
            goto done;
        }

        match = sts_ct_equal(mine, STS_POP_SIG_LEN, sig->value.data,
                             sig->value.len);

        if (match && out_enc != NULL) {
            *out_enc = STS_POP_ENC_JS;
        }
    }

    rc = match ? STS_OK : STS_EBADSIG;

done:

    OPENSSL_cleanse(mine, sizeof(mine));

    if (sts == NULL) {
        sts_buf_free(&tmp);
    }

    return rc;
}


int
sts_pop_params_merge(const sts_allocator_t *a, const sts_params_t *query,
    const sts_params_t *form, sts_params_t *out, sts_str_t *dup)
{
    size_t        i, nq, nf;
    sts_param_t  *items;

    out->items = NULL;
    out->num = 0;

    nq = query ? query->num : 0;
    nf = form ? form->num : 0;

    if (nq + nf == 0) {
        return STS_OK;
    }

    for (i = 0; i < nf; i++) {
        if (sts_params_get(query, form->items[i].name.data) != NULL) {
            if (dup != NULL) {
                *dup = form->items[i].name;
            }

            return STS_EDUP;
        }
    }

    if (nq + nf > ((size_t) -1) / sizeof(sts_param_t)) {
        return STS_ETOOBIG;
    }

    items = sts_alloc(a, (nq + nf) * sizeof(sts_param_t));
    if (items == NULL) {
        return STS_ENOMEM;
    }

    if (nq) {
        memcpy(items, query->items, nq * sizeof(sts_param_t));
    }

    if (nf) {
        memcpy(items + nq, form->items, nf * sizeof(sts_param_t));
    }

    out->items = items;
    out->num = nq + nf;

    return STS_OK;
}


int
sts_pop_nonce_digest(unsigned char out[STS_POP_DIGEST_LEN],
    sts_str_t access_key_id, sts_str_t nonce)
{
    int            ok;
    unsigned int   n;
    EVP_MD_CTX    *md;
    static const unsigned char  sep[1] = { 0 };

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        ERR_clear_error();
        return STS_ENOMEM;
    }

    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1
         && EVP_DigestUpdate(md, access_key_id.data, access_key_id.len) == 1
         && EVP_DigestUpdate(md, sep, 1) == 1
         && EVP_DigestUpdate(md, nonce.data, nonce.len) == 1
         && EVP_DigestFinal_ex(md, out, &n) == 1
         && n == STS_POP_DIGEST_LEN;

    EVP_MD_CTX_free(md);

    if (!ok) {
        ERR_clear_error();
        return STS_ECRYPTO;
    }

    return STS_OK;
}


/* common parameters */

static const sts_param_t *
sts_pop_get(const sts_params_t *p, const char *name)
{
    return sts_params_get(p, name);
}


int
sts_pop_parse_format(const sts_params_t *params, int *xml,
    sts_pop_fault_t *fault)
{
    const sts_param_t  *p;

    *xml = 0;

    p = sts_pop_get(params, "Format");
    if (p == NULL || sts_str_caseeq(p->value, "JSON")) {
        return STS_OK;
    }

    if (sts_str_caseeq(p->value, "XML")) {
        *xml = 1;
        return STS_OK;
    }

    fault->error = &sts_pop_err_invalid_parameter;
    fault->detail.data = "Format";
    fault->detail.len = 6;

    return STS_EINVAL;
}


#define sts_pop_require(field, pname)                                       \
    p = sts_pop_get(params, pname);                                         \
    if (p == NULL || p->value.len == 0) {                                   \
        fault->error = &sts_pop_err_missing;                                \
        fault->detail.data = pname;                                         \
        fault->detail.len = sizeof(pname) - 1;                              \
        return STS_EINVAL;                                                  \
    }                                                                       \
    out->field = p->value


int
sts_pop_parse_common(const sts_params_t *params, int64_t now,
    int64_t max_skew, sts_pop_common_t *out, sts_pop_fault_t *fault)
{
    int                 xml;
    int64_t             t, d;
    const sts_param_t  *p;

    xml = out->xml;
    memset(out, 0, sizeof(sts_pop_common_t));
    out->xml = xml;

    sts_pop_require(action, "Action");
    sts_pop_require(version, "Version");

    if (!sts_str_eq(out->version, STS_POP_API_VERSION)) {
        fault->error = &sts_pop_err_version;
        fault->detail = out->version;
        return STS_EINVAL;
    }

    sts_pop_require(access_key_id, "AccessKeyId");
    sts_pop_require(signature, "Signature");
    sts_pop_require(signature_method, "SignatureMethod");

    if (!sts_str_eq(out->signature_method, "HMAC-SHA1")) {
        fault->error = &sts_pop_err_signature_method;
        fault->detail = out->signature_method;
        return STS_EINVAL;
    }

    sts_pop_require(signature_version, "SignatureVersion");

    if (!sts_str_eq(out->signature_version, "1.0")) {
        fault->error = &sts_pop_err_invalid_parameter;
        fault->detail.data = "SignatureVersion";
        fault->detail.len = 16;
        return STS_EINVAL;
    }

    sts_pop_require(nonce, "SignatureNonce");

    if (out->nonce.len > STS_POP_NONCE_MAX) {
        fault->error = &sts_pop_err_invalid_parameter;
        fault->detail.data = "SignatureNonce";
        fault->detail.len = 14;
        return STS_EINVAL;
    }

    sts_pop_require(timestamp, "Timestamp");

    /* extended form only: "2024-05-15T12:30:45Z", optional fraction */
    if (out->timestamp.len < STS_ISO8601_LEN
        || out->timestamp.data[4] != '-'
        || sts_parse_iso8601(out->timestamp.data, out->timestamp.len, &t)
           != STS_OK)
    {
        fault->error = &sts_pop_err_timestamp_format;
        fault->detail = out->timestamp;
        return STS_EINVAL;
    }

    d = t > now ? t - now : now - t;

    if (d > max_skew) {
        fault->error = &sts_pop_err_timestamp_expired;
        fault->detail = out->timestamp;
        return STS_EINVAL;
    }

    out->time = t;

    p = sts_pop_get(params, "SecurityToken");
    if (p != NULL) {
        out->security_token = p->value;
    }

    return STS_OK;
}


#undef sts_pop_require


/* rendering */

static int
sts_pop_append_json(sts_buf_t *out, const char *s, size_t len)
{
    size_t               i, start;
    char                 esc[7];
    const unsigned char *p;
    static const char    hex[] = "0123456789abcdef";

    p = (const unsigned char *) s;
    start = 0;

    for (i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' && p[i] != 0x7f) {
            continue;
        }

        if (i > start) {
            (void) sts_buf_append(out, s + start, i - start);
        }

        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char) p[i];
            (void) sts_buf_append(out, esc, 2);

        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[p[i] >> 4];
            esc[5] = hex[p[i] & 0x0f];
            (void) sts_buf_append(out, esc, 6);
        }

        start = i + 1;
    }

    if (len > start) {
        (void) sts_buf_append(out, s + start, len - start);
    }

    return sts_buf_ok(out);
}


static int
sts_pop_append_xml(sts_buf_t *out, const char *s, size_t len)
{
    size_t               i, start;
    const char          *rep;
    const unsigned char *p;

    p = (const unsigned char *) s;
    start = 0;

    for (i = 0; i < len; i++) {
        switch (p[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            /* XML 1.0 has no place for other control characters */
            rep = (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n'
                   && p[i] != '\r') ? "?" : NULL;
            break;
        }

        if (rep == NULL) {
            continue;
        }

        if (i > start) {
            (void) sts_buf_append(out, s + start, i - start);
        }

        (void) sts_buf_append_str(out, rep);
        start = i + 1;
    }

    if (len > start) {
        (void) sts_buf_append(out, s + start, len - start);
    }

    return sts_buf_ok(out);
}


/*
 * Appends |fmt| with its single "%s" (if any) replaced by |detail|,
 * escaped for JSON, XML or neither.
 */
static int
sts_pop_append_subst(sts_buf_t *out, const char *fmt, sts_str_t detail,
    int xml, int json)
{
    const char  *pct;
    size_t       n;

    pct = strstr(fmt, "%s");
    n = pct ? (size_t) (pct - fmt) : strlen(fmt);

#define sts_pop_put(s, l)                                                   \
    if (xml) {                                                              \
        (void) sts_pop_append_xml(out, s, l);                               \
    } else if (json) {                                                      \
        (void) sts_pop_append_json(out, s, l);                              \
    } else {                                                                \
        (void) sts_buf_append(out, s, l);                                   \
    }

    sts_pop_put(fmt, n);

    if (pct != NULL) {
        if (detail.len) {
            sts_pop_put(detail.data, detail.len);
        }

        sts_pop_put(pct + 2, strlen(pct + 2));
    }

#undef sts_pop_put

    return sts_buf_ok(out);
}


int
sts_pop_render(sts_buf_t *out, int xml, const char *root,
    const sts_pop_field_t *fields, size_t num_fields)
{
    size_t       i, glen, plen, first;
    const char  *dot, *leaf, *group;

    group = NULL;
    glen = 0;
    first = 1;

    if (xml) {
        (void) sts_buf_append_str(out,
                                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        (void) sts_buf_appendf(out, "<%s>", root);

    } else {
        (void) sts_buf_append_char(out, '{');
    }

    for (i = 0; i < num_fields; i++) {
        dot = strchr(fields[i].name, '.');
        leaf = dot ? dot + 1 : fields[i].name;
        plen = dot ? (size_t) (dot - fields[i].name) : 0;

        /* leave the open group when this field is not in it */
        if (group != NULL
            && (plen != glen || memcmp(group, fields[i].name, glen) != 0))
        {
            if (xml) {
                (void) sts_buf_appendf(out, "</%.*s>", (int) glen, group);

            } else {
                (void) sts_buf_append_char(out, '}');
            }

            group = NULL;
            glen = 0;
        }

        if (dot != NULL && group == NULL) {
            if (xml) {
                (void) sts_buf_appendf(out, "<%.*s>", (int) plen,
                                       fields[i].name);

            } else {
                (void) sts_buf_appendf(out, "%s\"%.*s\":{",
                                       first ? "" : ",", (int) plen,
                                       fields[i].name);
            }

            group = fields[i].name;
            glen = plen;
            first = 1;
        }

        if (xml) {
            (void) sts_buf_appendf(out, "<%s>", leaf);
            (void) sts_pop_append_xml(out, fields[i].value.data,
                                      fields[i].value.len);
            (void) sts_buf_appendf(out, "</%s>", leaf);

        } else {
            (void) sts_buf_appendf(out, "%s\"%s\":\"", first ? "" : ",",
                                   leaf);
            (void) sts_pop_append_json(out, fields[i].value.data,
                                       fields[i].value.len);
            (void) sts_buf_append_char(out, '"');
        }

        first = 0;
    }

    if (group != NULL) {
        if (xml) {
            (void) sts_buf_appendf(out, "</%.*s>", (int) glen, group);

        } else {
            (void) sts_buf_append_char(out, '}');
        }
    }

    if (xml) {
        (void) sts_buf_appendf(out, "</%s>", root);

    } else {
        (void) sts_buf_append_char(out, '}');
    }

    return sts_buf_ok(out);
}


int
sts_pop_render_error(sts_buf_t *out, int xml, const sts_pop_fault_t *fault,
    sts_str_t request_id, sts_str_t host_id)
{
    const sts_pop_error_t  *e;

    e = fault->error ? fault->error : &sts_pop_err_internal;

    if (xml) {
        (void) sts_buf_append_str(out,
                                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                  "<Error><RequestId>");
        (void) sts_pop_append_xml(out, request_id.data, request_id.len);
        (void) sts_buf_append_str(out, "</RequestId><HostId>");
        (void) sts_pop_append_xml(out, host_id.data, host_id.len);
        (void) sts_buf_append_str(out, "</HostId><Code>");
        (void) sts_pop_append_subst(out, e->code, fault->detail, 1, 0);
        (void) sts_buf_append_str(out, "</Code><Message>");
        (void) sts_pop_append_subst(out, e->message, fault->detail, 1, 0);
        (void) sts_buf_append_str(out, "</Message></Error>");

        return sts_buf_ok(out);
    }

    (void) sts_buf_append_str(out, "{\"RequestId\":\"");
    (void) sts_pop_append_json(out, request_id.data, request_id.len);
    (void) sts_buf_append_str(out, "\",\"HostId\":\"");
    (void) sts_pop_append_json(out, host_id.data, host_id.len);
    (void) sts_buf_append_str(out, "\",\"Code\":\"");
    (void) sts_pop_append_subst(out, e->code, fault->detail, 0, 1);
    (void) sts_buf_append_str(out, "\",\"Message\":\"");
    (void) sts_pop_append_subst(out, e->message, fault->detail, 0, 1);
    (void) sts_buf_append_str(out, "\"}");

    return sts_buf_ok(out);
}


size_t
sts_pop_fault_text(const sts_pop_fault_t *fault, int what, char *buf,
    size_t len)
{
    size_t                  n;
    sts_buf_t               b;
    const sts_pop_error_t  *e;

    e = fault->error ? fault->error : &sts_pop_err_internal;

    sts_buf_init(&b, &sts_malloc_allocator, 0);

    if (sts_pop_append_subst(&b, what ? e->message : e->code, fault->detail,
                             0, 0)
        != STS_OK)
    {
        sts_buf_free(&b);

        if (len > 0) {
            buf[0] = '\0';
        }

        return 0;
    }

    n = b.len;

    if (len > 0) {
        memcpy(buf, b.data, n < len ? n : len - 1);
        buf[n < len ? n : len - 1] = '\0';
    }

    sts_buf_free(&b);

    return n;
}


void
sts_pop_request_id(char out[STS_POP_REQUEST_ID_LEN + 1])
{
    size_t         i, j;
    unsigned char  r[16];
    static const char  hex[] = "0123456789ABCDEF";

    if (sts_random(r, sizeof(r)) != STS_OK) {
        memset(r, 0, sizeof(r));
    }

    for (i = 0, j = 0; i < sizeof(r); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[j++] = '-';
        }

        out[j++] = hex[r[i] >> 4];
        out[j++] = hex[r[i] & 0x0f];
    }

    out[j] = '\0';
}


/* client side */

int
sts_pop_sign_request(sts_buf_t *out, sts_str_t method,
    const sts_params_t *params, sts_str_t secret)
{
    int        rc;
    sts_str_t  s;
    sts_buf_t  sts;
    char       sig[STS_POP_SIG_LEN + 1];

    sts_buf_init(&sts, out->a, 0);

    rc = sts_pop_string_to_sign(&sts, method, params, STS_POP_ENC_STRICT);
    if (rc == STS_OK) {
        s.data = sts.data;
        s.len = sts.len;
        rc = sts_pop_sign(sig, secret, s);
    }

    sts_buf_free(&sts);

    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_pop_canonical_query(out, params, STS_POP_ENC_STRICT);
    if (rc != STS_OK) {
        return rc;
    }

    if (out->len) {
        (void) sts_buf_append_char(out, '&');
    }

    (void) sts_buf_append_str(out, "Signature=");

    s.data = sig;
    s.len = strlen(sig);
    rc = sts_pop_encode(out, s, STS_POP_ENC_STRICT);

    OPENSSL_cleanse(sig, sizeof(sig));

    return rc;
}
