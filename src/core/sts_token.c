/*
 * Copyright (C) nginx-sts authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "sts_token.h"


#define STS_KEYRING_FILE_MAX  65536
#define STS_AAD_MAX           (4 + 1 + STS_KID_MAX)

#define STS_PLAIN_JSON        0
#define STS_PLAIN_DEFLATE     1


static const char  sts_base58[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";


static int
sts_kid_valid(const char *kid, size_t len)
{
    size_t  i;
    char    c;

    if (len == 0 || len > STS_KID_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = kid[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '_' || c == '-'))
        {
            return 0;
        }
    }

    return 1;
}


int
sts_keyring_parse(const sts_allocator_t *a, const char *text, size_t len,
    sts_keyring_t **out, char *err, size_t err_len)
{
    int             rc;
    size_t          i, n, line, kid_len, b64_len, key_len;
    const char     *p, *end, *eol, *kid, *b64;
    sts_key_t      *k;
    sts_keyring_t  *kr;
    unsigned char   key[48];   /* >= sts_base64_decoded_max(44) */

    *out = NULL;
    err[0] = '\0';

    kr = sts_calloc(a, sizeof(sts_keyring_t));
    if (kr == NULL) {
        return STS_ENOMEM;
    }

    kr->keys = sts_calloc(a, STS_KEYRING_MAX * sizeof(sts_key_t));
    if (kr->keys == NULL) {
        sts_free(a, kr);
        return STS_ENOMEM;
    }

    rc = STS_EINVAL;
    p = text;
    end = text + len;
    line = 0;

    while (p < end) {
        line++;
        eol = memchr(p, '\n', (size_t) (end - p));
        if (eol == NULL) {
            eol = end;
        }

        n = (size_t) (eol - p);
        if (n && p[n - 1] == '\r') {
            n--;
        }

        /* skip leading blanks */
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }

        if (n == 0 || *p == '#') {
            p = eol + 1;
            continue;
        }

        kid = p;
        for (i = 0; i < n && p[i] != ' ' && p[i] != '\t'; i++) {
            /* void */
        }

        kid_len = i;

        while (i < n && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }

        b64 = p + i;
        b64_len = n - i;
        while (b64_len && (b64[b64_len - 1] == ' '
                           || b64[b64_len - 1] == '\t'))
        {
            b64_len--;
        }

        if (!sts_kid_valid(kid, kid_len)) {
            snprintf(err, err_len, "line %zu: key id must be 1 to %d "
                     "characters of [A-Za-z0-9_-]", line, STS_KID_MAX);
            goto failed;
        }

        if (b64_len == 0 || memchr(b64, ' ', b64_len) != NULL
            || memchr(b64, '\t', b64_len) != NULL)
        {
            snprintf(err, err_len, "line %zu: expected \"<kid> <base64 "
                     "key>\"", line);
            goto failed;
        }

        /* 32 bytes are exactly 44 base64 characters with padding */
        if (b64_len != 44
            || sts_base64_decode(key, &key_len, b64, b64_len) != STS_OK
            || key_len != STS_KEY_LEN)
        {
            snprintf(err, err_len, "line %zu: key \"%.*s\" is not the "
                     "base64 of %d bytes", line, (int) kid_len, kid,
                     STS_KEY_LEN);
            goto failed;
        }

        if (sts_keyring_find(kr, kid, kid_len) != NULL) {
            snprintf(err, err_len, "line %zu: duplicate key id \"%.*s\"",
                     line, (int) kid_len, kid);
            goto failed;
        }

        if (kr->num_keys == STS_KEYRING_MAX) {
            snprintf(err, err_len, "line %zu: more than %d keys", line,
                     STS_KEYRING_MAX);
            rc = STS_ETOOBIG;
            goto failed;
        }

        k = &kr->keys[kr->num_keys++];
        memcpy(k->kid, kid, kid_len);
        k->kid[kid_len] = '\0';
        k->kid_len = kid_len;
        memcpy(k->key, key, STS_KEY_LEN);
        sts_wipe(key, sizeof(key));

        p = eol + 1;
    }

    if (kr->num_keys == 0) {
        snprintf(err, err_len, "no keys (expected \"<kid> <base64 key>\" "
                 "lines; \"stsctl keygen\" makes one)");
        goto failed;
    }

    *out = kr;

    return STS_OK;

failed:

    sts_wipe(key, sizeof(key));
    sts_keyring_free(a, kr);

    return rc;
}


int
sts_keyring_load(const sts_allocator_t *a, const char *path,
    sts_keyring_t **out, char *err, size_t err_len)
{
    int      rc;
    char    *buf;
    char     why[200];
    size_t   len;

    *out = NULL;

    rc = sts_read_private_file(a, path, "keyring", "",
                               STS_KEYRING_FILE_MAX, &buf, &len, err,
                               err_len);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_keyring_parse(a, buf, len, out, why, sizeof(why));
    if (rc != STS_OK) {
        snprintf(err, err_len, "keyring \"%s\": %s", path, why);
    }

    sts_wipe(buf, len + 1);
    sts_free(a, buf);

    return rc;
}


void
sts_keyring_free(const sts_allocator_t *a, sts_keyring_t *kr)
{
    if (kr == NULL) {
        return;
    }

    if (kr->keys != NULL) {
        sts_wipe(kr->keys, STS_KEYRING_MAX * sizeof(sts_key_t));
        sts_free(a, kr->keys);
    }

    sts_free(a, kr);
}


const sts_key_t *
sts_keyring_find(const sts_keyring_t *kr, const char *kid, size_t kid_len)
{
    size_t  i;

    for (i = 0; i < kr->num_keys; i++) {
        if (kr->keys[i].kid_len == kid_len
            && memcmp(kr->keys[i].kid, kid, kid_len) == 0)
        {
            return &kr->keys[i];
        }
    }

    return NULL;
}


int
sts_keygen_line(char *out, size_t out_len, const char *kid)
{
    int            n;
    char           b64[48];
    size_t         kid_len;
    unsigned char  key[STS_KEY_LEN];

    kid_len = strlen(kid);
    if (!sts_kid_valid(kid, kid_len)) {
        return STS_EINVAL;
    }

    if (sts_random(key, sizeof(key)) != STS_OK) {
        return STS_ECRYPTO;
    }

    n = (int) sts_base64_encode(b64, key, sizeof(key));
    sts_wipe(key, sizeof(key));

    if (snprintf(out, out_len, "%s %.*s\n", kid, n, b64)
        >= (int) out_len)
    {
        sts_wipe(b64, sizeof(b64));
        return STS_ETOOBIG;
    }

    sts_wipe(b64, sizeof(b64));

    return STS_OK;
}


static int
sts_random_base58(char *out, size_t len)
{
    size_t         i, j;
    unsigned char  r[64];

    i = 0;
    while (i < len) {
        if (sts_random(r, sizeof(r)) != STS_OK) {
            return STS_ECRYPTO;
        }

        for (j = 0; j < sizeof(r) && i < len; j++) {
            /* rejection sampling: 58 * 4 = 232, no modulo bias */
            if (r[j] < 232) {
                out[i++] = sts_base58[r[j] % 58];
            }
        }
    }

    out[len] = '\0';
    sts_wipe(r, sizeof(r));

    return STS_OK;
}


int
sts_credentials_generate(char akid[STS_AKID_LEN + 1],
    char secret[STS_SECRET_LEN + 1])
{
    memcpy(akid, "STS.", 4);

    if (sts_random_base58(akid + 4, STS_AKID_LEN - 4) != STS_OK
        || sts_random_base58(secret, STS_SECRET_LEN) != STS_OK)
    {
        sts_wipe(secret, STS_SECRET_LEN + 1);
        return STS_ECRYPTO;
    }

    return STS_OK;
}


/* claims <-> JSON */

static json_t *
sts_session_claims(const sts_session_t *s)
{
    size_t        i;
    json_t       *o, *rp, *p;
    json_error_t  jerr;

    o = json_object();
    rp = json_array();
    if (o == NULL || rp == NULL) {
        json_decref(o);
        json_decref(rp);
        return NULL;
    }

    if (json_object_set_new(o, "v", json_integer(s->version)) != 0
        || json_object_set_new(o, "ak", json_string(s->access_key_id)) != 0
        || json_object_set_new(o, "sk",
                               json_string(s->access_key_secret)) != 0
        || json_object_set_new(o, "iat", json_integer(s->issued_at)) != 0
        || json_object_set_new(o, "exp", json_integer(s->expiration)) != 0
        || json_object_set_new(o, "acct", json_string(s->account_id)) != 0
        || json_object_set_new(o, "role", json_string(s->role_arn)) != 0
        || json_object_set_new(o, "rid",
                               json_string(s->role_id ? s->role_id : ""))
           != 0
        || json_object_set_new(o, "rsn", json_string(s->session_name)) != 0
        || json_object_set_new(o, "src",
                               json_string(s->source_arn ? s->source_arn
                                                         : "")) != 0)
    {
        goto failed;
    }

    for (i = 0; i < s->num_role_policies; i++) {
        p = json_loads(s->role_policies[i], JSON_REJECT_DUPLICATES, &jerr);
        if (p == NULL || json_array_append_new(rp, p) != 0) {
            goto failed;
        }
    }

    if (json_object_set(o, "rp", rp) != 0) {
        goto failed;
    }

    if (s->session_policy == NULL) {
        p = json_null();

    } else {
        p = json_loads(s->session_policy, JSON_REJECT_DUPLICATES, &jerr);
    }

    if (p == NULL || json_object_set_new(o, "sp", p) != 0) {
        goto failed;
    }

    json_decref(rp);

    return o;

failed:

    json_decref(rp);
    json_decref(o);

    return NULL;
}


static int
sts_claim_str(const sts_allocator_t *a, json_t *o, const char *name,
    int required, char **out)
{
    json_t  *v;

    v = json_object_get(o, name);
    if (v == NULL || json_is_null(v)) {
        *out = NULL;
        return required ? STS_ETOKEN_CLAIMS : STS_OK;
    }

    if (!json_is_string(v)) {
        return STS_ETOKEN_CLAIMS;
    }

    *out = sts_strndup(a, json_string_value(v), json_string_length(v));

    return *out ? STS_OK : STS_ENOMEM;
}


static int
sts_claim_doc(const sts_allocator_t *a, json_t *v, char **out)
{
    char  *text;

    if (!json_is_object(v)) {
        return STS_ETOKEN_CLAIMS;
    }

    text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        return STS_ENOMEM;
    }

    *out = sts_strndup(a, text, strlen(text));
    free(text);

    return *out ? STS_OK : STS_ENOMEM;
}


static int
sts_session_from_claims(const sts_allocator_t *a, json_t *o,
    sts_session_t **out)
{
    int             rc;
    size_t          i, n;
    json_t         *v, *rp, *sp;
    sts_session_t  *s;

    if (!json_is_object(o)) {
        return STS_ETOKEN_CLAIMS;
    }

    v = json_object_get(o, "v");
    if (!json_is_integer(v)) {
        return STS_ETOKEN_CLAIMS;
    }

    if (json_integer_value(v) != STS_CLAIMS_VERSION) {
        return STS_ETOKEN_VERSION;
    }

    rp = json_object_get(o, "rp");
    sp = json_object_get(o, "sp");

    if (!json_is_integer(json_object_get(o, "iat"))
        || !json_is_integer(json_object_get(o, "exp"))
        || !json_is_array(rp)
        || json_array_size(rp) > 64
        || (sp != NULL && !json_is_null(sp) && !json_is_object(sp)))
    {
        return STS_ETOKEN_CLAIMS;
    }

    s = sts_calloc(a, sizeof(sts_session_t));
    if (s == NULL) {
        return STS_ENOMEM;
    }

    s->version = STS_CLAIMS_VERSION;
    s->issued_at = json_integer_value(json_object_get(o, "iat"));
    s->expiration = json_integer_value(json_object_get(o, "exp"));

    /*
     * No STS issues credentials for longer than STS_DURATION_MAX: a token
     * that claims to live longer was not made by one (defence in depth,
     * should a sealing key be used by anything else).  The difference is
     * taken only once both ends are known to be sane.
     */
    if (s->expiration <= s->issued_at
        || s->issued_at < 0
        || s->expiration - s->issued_at > STS_DURATION_MAX)
    {
        sts_free(a, s);
        return STS_ETOKEN_CLAIMS;
    }

    rc = sts_claim_str(a, o, "ak", 1, &s->access_key_id);
    if (rc == STS_OK) {
        rc = sts_claim_str(a, o, "sk", 1, &s->access_key_secret);
    }

    if (rc == STS_OK) {
        rc = sts_claim_str(a, o, "acct", 1, &s->account_id);
    }

    if (rc == STS_OK) {
        rc = sts_claim_str(a, o, "role", 1, &s->role_arn);
    }

    if (rc == STS_OK) {
        rc = sts_claim_str(a, o, "rid", 0, &s->role_id);
    }

    if (rc == STS_OK) {
        rc = sts_claim_str(a, o, "rsn", 1, &s->session_name);
    }

    if (rc == STS_OK) {
        rc = sts_claim_str(a, o, "src", 0, &s->source_arn);
    }

    if (rc != STS_OK) {
        goto failed;
    }

    if (strncmp(s->access_key_id, "STS.", 4) != 0
        || s->access_key_secret[0] == '\0')
    {
        rc = STS_ETOKEN_CLAIMS;
        goto failed;
    }

    n = json_array_size(rp);
    if (n) {
        s->role_policies = sts_calloc(a, n * sizeof(char *));
        if (s->role_policies == NULL) {
            rc = STS_ENOMEM;
            goto failed;
        }
    }

    for (i = 0; i < n; i++) {
        rc = sts_claim_doc(a, json_array_get(rp, i), &s->role_policies[i]);
        if (rc != STS_OK) {
            goto failed;
        }

        s->num_role_policies++;
    }

    if (sp != NULL && !json_is_null(sp)) {
        rc = sts_claim_doc(a, sp, &s->session_policy);
        if (rc != STS_OK) {
            goto failed;
        }
    }

    *out = s;

    return STS_OK;

failed:

    sts_session_free(a, s);

    return rc;
}


/* sealing */

static size_t
sts_token_aad(unsigned char *aad, const sts_key_t *k)
{
    memcpy(aad, "STS1", 4);
    aad[4] = (unsigned char) k->kid_len;
    memcpy(aad + 5, k->kid, k->kid_len);

    return 5 + k->kid_len;
}


/*
 * sts_gcm runs AES-256-GCM in one direction.  For decryption the tag is
 * checked by EVP_DecryptFinal_ex; on a mismatch the output is wiped.
 */
static int
sts_gcm(int enc, const unsigned char *key, const unsigned char *nonce,
    const unsigned char *aad, size_t aad_len, const unsigned char *in,
    size_t in_len, unsigned char *out, unsigned char *tag)
{
    int              rc, n, fin;
    EVP_CIPHER_CTX  *ctx;

    if (in_len > 0x7fffffff) {
        return STS_ETOOBIG;
    }

    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return STS_ENOMEM;
    }

    rc = STS_ECRYPTO;

    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, STS_NONCE_LEN,
                               NULL) != 1
        || EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1
        || EVP_CipherUpdate(ctx, NULL, &n, aad, (int) aad_len) != 1
        || EVP_CipherUpdate(ctx, out, &n, in, (int) in_len) != 1)
    {
        goto done;
    }

    if (enc) {
        if (EVP_CipherFinal_ex(ctx, out + n, &fin) != 1
            || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, STS_TAG_LEN,
                                   tag) != 1)
        {
            goto done;
        }

    } else {
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, STS_TAG_LEN,
                                tag) != 1)
        {
            goto done;
        }

        if (EVP_CipherFinal_ex(ctx, out + n, &fin) != 1) {
            sts_wipe(out, in_len);
            rc = STS_ETOKEN_TAG;
            goto done;
        }
    }

    rc = STS_OK;

done:

    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();

    return rc;
}


int
sts_token_seal(const sts_allocator_t *a, const sts_keyring_t *kr,
    const sts_session_t *s, char **out, size_t *out_len)
{
    int              rc;
    char            *json, *text;
    size_t           json_len, plain_len, bin_len, aad_len, text_len, hdr;
    json_t          *claims;
    uLongf           zlen;
    z_stream         zs;
    unsigned char   *plain, *bin;
    unsigned char    aad[STS_AAD_MAX];
    const sts_key_t *k;

    *out = NULL;
    json = NULL;
    plain = NULL;
    bin = NULL;
    plain_len = 0;
    bin_len = 0;

    if (kr == NULL || kr->num_keys == 0 || s->access_key_id == NULL
        || s->access_key_secret == NULL || s->account_id == NULL
        || s->role_arn == NULL || s->session_name == NULL
        || s->expiration <= s->issued_at)
    {
        return STS_EINVAL;
    }

    k = &kr->keys[0];

    claims = sts_session_claims(s);
    if (claims == NULL) {
        return STS_EINVAL;
    }

    json = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(claims);    /* holds the secret: gone with the object */
    if (json == NULL) {
        return STS_ENOMEM;
    }

    json_len = strlen(json);
    if (json_len > STS_CLAIMS_MAX) {
        rc = STS_ETOOBIG;
        goto done;
    }

    plain = sts_alloc(a, json_len + 1);
    if (plain == NULL) {
        rc = STS_ENOMEM;
        goto done;
    }

    /* raw DEFLATE when it is shorter */
    memset(&zs, 0, sizeof(zs));
    zlen = 0;
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9,
                     Z_DEFAULT_STRATEGY) == Z_OK)
    {
        zs.next_in = (Bytef *) json;
        zs.avail_in = (uInt) json_len;
        zs.next_out = plain + 1;
        zs.avail_out = (uInt) json_len;
        if (deflate(&zs, Z_FINISH) == Z_STREAM_END) {
            zlen = zs.total_out;
        }

        deflateEnd(&zs);
    }

    if (zlen && zlen < json_len) {
        plain[0] = STS_PLAIN_DEFLATE;
        plain_len = 1 + zlen;

    } else {
        plain[0] = STS_PLAIN_JSON;
        memcpy(plain + 1, json, json_len);
        plain_len = 1 + json_len;
    }

    hdr = 1 + k->kid_len + STS_NONCE_LEN;
    bin_len = hdr + plain_len + STS_TAG_LEN;
    text_len = sizeof(STS_TOKEN_PREFIX) - 1
               + sts_base64url_encoded_len(bin_len);

    if (text_len > STS_TOKEN_MAX) {
        rc = STS_ETOOBIG;
        goto done;
    }

    bin = sts_alloc(a, bin_len);
    text = sts_alloc(a, text_len + 1);
    if (bin == NULL || text == NULL) {
        sts_free(a, text);
        rc = STS_ENOMEM;
        goto done;
    }

    bin[0] = (unsigned char) k->kid_len;
    memcpy(bin + 1, k->kid, k->kid_len);

    rc = sts_random(bin + 1 + k->kid_len, STS_NONCE_LEN);
    if (rc != STS_OK) {
        sts_free(a, text);
        goto done;
    }

    aad_len = sts_token_aad(aad, k);

    rc = sts_gcm(1, k->key, bin + 1 + k->kid_len, aad, aad_len, plain,
                 plain_len, bin + hdr, bin + hdr + plain_len);
    if (rc != STS_OK) {
        sts_free(a, text);
        goto done;
    }

    memcpy(text, STS_TOKEN_PREFIX, sizeof(STS_TOKEN_PREFIX) - 1);
    sts_base64url_encode(text + sizeof(STS_TOKEN_PREFIX) - 1, bin, bin_len);
    text[text_len] = '\0';

    *out = text;
    *out_len = text_len;

done:

    if (plain != NULL) {
        sts_wipe(plain, json_len + 1);
        sts_free(a, plain);
    }

    sts_free(a, bin);
    sts_wipe(json, strlen(json));
    free(json);

    return rc;
}


static int
sts_inflate(const sts_allocator_t *a, const unsigned char *in, size_t in_len,
    char **out, size_t *out_len)
{
    int        zrc;
    char      *buf;
    z_stream   zs;

    buf = sts_alloc(a, STS_CLAIMS_MAX + 1);
    if (buf == NULL) {
        return STS_ENOMEM;
    }

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, -15) != Z_OK) {
        sts_free(a, buf);
        return STS_ENOMEM;
    }

    zs.next_in = (Bytef *) in;
    zs.avail_in = (uInt) in_len;
    zs.next_out = (Bytef *) buf;
    zs.avail_out = STS_CLAIMS_MAX;

    /* a bounded output: anything that does not end in the cap is refused */
    zrc = inflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    inflateEnd(&zs);

    if (zrc != Z_STREAM_END || zs.avail_in != 0) {
        sts_wipe(buf, STS_CLAIMS_MAX + 1);
        sts_free(a, buf);
        return STS_ETOKEN_CLAIMS;
    }

    buf[*out_len] = '\0';
    *out = buf;

    return STS_OK;
}


int
sts_token_open(const sts_allocator_t *a, const sts_keyring_t *kr,
    const char *token, size_t token_len, int64_t now, sts_session_t **out)
{
    int              rc;
    char            *json;
    size_t           plen, bin_len, kid_len, hdr, ct_len, aad_len, json_len;
    json_t          *claims;
    json_error_t     jerr;
    unsigned char   *bin, *plain;
    unsigned char    aad[STS_AAD_MAX];
    sts_session_t   *s;
    const sts_key_t *k;

    *out = NULL;
    plen = sizeof(STS_TOKEN_PREFIX) - 1;

    if (token_len < plen || memcmp(token, STS_TOKEN_PREFIX, plen) != 0) {
        return STS_ETOKEN_PREFIX;
    }

    if (token_len > STS_TOKEN_MAX) {
        return STS_ETOKEN_ENCODING;
    }

    bin = sts_alloc(a, sts_base64_decoded_max(token_len - plen) + 1);
    if (bin == NULL) {
        return STS_ENOMEM;
    }

    plain = NULL;
    json = NULL;
    json_len = 0;
    ct_len = 0;

    if (sts_base64url_decode(bin, &bin_len, token + plen, token_len - plen)
        != STS_OK)
    {
        rc = STS_ETOKEN_ENCODING;
        goto done;
    }

    kid_len = bin_len ? bin[0] : 0;
    hdr = 1 + kid_len + STS_NONCE_LEN;

    if (bin_len < 1 || kid_len == 0 || kid_len > STS_KID_MAX
        || bin_len < hdr + 1 + STS_TAG_LEN
        || !sts_kid_valid((char *) bin + 1, kid_len))
    {
        rc = STS_ETOKEN_ENCODING;
        goto done;
    }

    k = sts_keyring_find(kr, (char *) bin + 1, kid_len);
    if (k == NULL) {
        rc = STS_ETOKEN_KID;
        goto done;
    }

    ct_len = bin_len - hdr - STS_TAG_LEN;

    plain = sts_alloc(a, ct_len);
    if (plain == NULL) {
        rc = STS_ENOMEM;
        goto done;
    }

    aad_len = sts_token_aad(aad, k);

    rc = sts_gcm(0, k->key, bin + 1 + kid_len, aad, aad_len, bin + hdr,
                 ct_len, plain, bin + hdr + ct_len);
    if (rc != STS_OK) {
        goto done;
    }

    /* authenticated from here on */

    if (plain[0] == STS_PLAIN_DEFLATE) {
        rc = sts_inflate(a, plain + 1, ct_len - 1, &json, &json_len);
        if (rc != STS_OK) {
            goto done;
        }

    } else if (plain[0] == STS_PLAIN_JSON) {
        json_len = ct_len - 1;
        json = sts_strndup(a, (char *) plain + 1, json_len);
        if (json == NULL) {
            rc = STS_ENOMEM;
            goto done;
        }

    } else {
        rc = STS_ETOKEN_CLAIMS;
        goto done;
    }

    claims = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
    if (claims == NULL) {
        rc = STS_ETOKEN_CLAIMS;
        goto done;
    }

    rc = sts_session_from_claims(a, claims, &s);
    json_decref(claims);

    if (rc != STS_OK) {
        goto done;
    }

    *out = s;

    if (now >= s->expiration) {
        rc = STS_ETOKEN_EXPIRED;
    }

done:

    if (json != NULL) {
        sts_wipe(json, json_len);
        sts_free(a, json);
    }

    if (plain != NULL) {
        sts_wipe(plain, ct_len);
        sts_free(a, plain);
    }

    sts_free(a, bin);

    return rc;
}


int
sts_session_check_akid(const sts_session_t *s, const char *akid,
    size_t akid_len)
{
    size_t  n;

    n = strlen(s->access_key_id);

    if (n != akid_len || memcmp(s->access_key_id, akid, n) != 0) {
        return STS_ETOKEN_MISMATCH;
    }

    return STS_OK;
}


void
sts_session_free(const sts_allocator_t *a, sts_session_t *s)
{
    size_t  i;

    if (s == NULL) {
        return;
    }

    if (s->access_key_secret != NULL) {
        sts_wipe(s->access_key_secret, strlen(s->access_key_secret));
        sts_free(a, s->access_key_secret);
    }

    sts_free(a, s->access_key_id);
    sts_free(a, s->account_id);
    sts_free(a, s->role_arn);
    sts_free(a, s->role_id);
    sts_free(a, s->session_name);
    sts_free(a, s->source_arn);

    for (i = 0; i < s->num_role_policies; i++) {
        sts_free(a, s->role_policies[i]);
    }

    sts_free(a, s->role_policies);
    sts_free(a, s->session_policy);
    sts_free(a, s);
}


int
sts_session_to_json(const sts_session_t *s, int with_secret, sts_buf_t *out)
{
    int           rc;
    char         *text;
    size_t        i;
    json_t       *o, *rp, *p;
    json_error_t  jerr;
    char          iat[STS_ISO8601_LEN + 1], exp[STS_ISO8601_LEN + 1];

    sts_format_iso8601(iat, s->issued_at);
    sts_format_iso8601(exp, s->expiration);

    /* readable names for people; the sealed claims use short ones */
    o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                  "Version", s->version,
                  "AccessKeyId", s->access_key_id,
                  "Issued", iat,
                  "Expiration", exp,
                  "AccountId", s->account_id,
                  "RoleArn", s->role_arn,
                  "RoleId", s->role_id ? s->role_id : "",
                  "RoleSessionName", s->session_name,
                  "SourceArn", s->source_arn ? s->source_arn : "");
    rp = json_array();
    if (o == NULL || rp == NULL) {
        json_decref(o);
        json_decref(rp);
        return STS_ENOMEM;
    }

    if (with_secret) {
        json_object_set_new(o, "AccessKeySecret",
                            json_string(s->access_key_secret));
    }

    for (i = 0; i < s->num_role_policies; i++) {
        p = json_loads(s->role_policies[i], 0, &jerr);
        json_array_append_new(rp, p ? p : json_string(s->role_policies[i]));
    }

    json_object_set_new(o, "RolePolicies", rp);

    if (s->session_policy != NULL) {
        p = json_loads(s->session_policy, 0, &jerr);
        json_object_set_new(o, "SessionPolicy",
                            p ? p : json_string(s->session_policy));

    } else {
        json_object_set_new(o, "SessionPolicy", json_null());
    }

    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (text == NULL) {
        return STS_ENOMEM;
    }

    rc = sts_buf_append_str(out, text);
    sts_wipe(text, strlen(text));
    free(text);

    return rc;
}
