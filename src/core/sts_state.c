/*
 * Copyright (C) nginx-sts authors
 *
 * sts_state: parsing and keys for the N-use and grace tables.
 */

#include <string.h>

#include <openssl/evp.h>

#include "sts_state.h"


const sts_oss_error_t  sts_err_presign_used_up = {
    403, "AccessDenied",
    "The presigned URL has already been used the maximum number of times."
};

const sts_oss_error_t  sts_err_state_unavailable = {
    503, "ServiceUnavailable",
    "The gateway cannot reach its shared state now; please try again."
};

const sts_oss_error_t  sts_err_presign_table_full = {
    403, "AccessDenied",
    "The presigned URL cannot be used now: the gateway's table of URL uses "
    "is full."
};

const sts_oss_error_t  sts_err_presign_key_full = {
    403, "AccessDenied",
    "The presigned URL cannot be used now: its AccessKeyId holds its share "
    "of the gateway's table of URL uses."
};

const sts_oss_error_t  sts_err_presign_too_long = {
    403, "AccessDenied",
    "A presigned URL with a use limit may be valid for at most 7 days."
};

const sts_oss_error_t  sts_err_max_uses_invalid = {
    400, "InvalidArgument",
    "x-sts-max-uses must be a whole number from 1 to 1000000."
};

const sts_oss_error_t  sts_err_max_uses_unsigned = {
    400, "InvalidArgument",
    "x-sts-max-uses is only accepted in a V4 presigned URL, which signs it."
};

const sts_oss_error_t  sts_err_max_uses_no_zone = {
    400, "InvalidArgument",
    "x-sts-max-uses is not supported by this gateway."
};


int
sts_state_max_uses(sts_str_t value, unsigned long *out)
{
    size_t         i;
    unsigned long  n;

    if (value.len == 0 || value.len > 7 || value.data[0] == '0') {
        return STS_EINVAL;
    }

    n = 0;

    for (i = 0; i < value.len; i++) {
        if (value.data[i] < '0' || value.data[i] > '9') {
            return STS_EINVAL;
        }

        n = n * 10 + (unsigned long) (value.data[i] - '0');
    }

    if (n > STS_STATE_MAX_USES) {
        return STS_EINVAL;
    }

    *out = n;

    return STS_OK;
}


static const char *
sts_state_find(const char *p, const char *last, const char *s, size_t n)
{
    for ( /* void */ ; (size_t) (last - p) >= n; p++) {
        if (*p == s[0] && memcmp(p, s, n) == 0) {
            return p;
        }
    }

    return NULL;
}


int
sts_state_upload_id(const char *body, size_t len, sts_str_t *out)
{
    size_t       i, n;
    const char  *p, *last, *start, *end;

    static const char  open[] = "<UploadId>";
    static const char  close[] = "</UploadId>";

    if (body == NULL) {
        return STS_ENOTFOUND;
    }

    last = body + len;

    p = sts_state_find(body, last, open, sizeof(open) - 1);
    if (p == NULL) {
        return STS_ENOTFOUND;
    }

    start = p + sizeof(open) - 1;

    end = sts_state_find(start, last, close, sizeof(close) - 1);
    if (end == NULL) {
        return STS_ENOTFOUND;
    }

    n = (size_t) (end - start);

    if (n == 0 || n > STS_STATE_UPLOAD_ID_MAX) {
        return STS_EINVAL;
    }

    for (i = 0; i < n; i++) {
        if (start[i] <= 0x20 || start[i] >= 0x7f || start[i] == '<'
            || start[i] == '>' || start[i] == '&')
        {
            return STS_EINVAL;
        }
    }

    out->data = start;
    out->len = n;

    return STS_OK;
}


static int
sts_state_hash(unsigned char out[STS_STATE_KEY_LEN], const char *label,
    const sts_str_t *fields, size_t num)
{
    int            ok;
    size_t         i;
    unsigned int   md_len;
    unsigned char  len[8];
    EVP_MD_CTX    *md;
    uint64_t       n;
    size_t         j;

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return STS_ENOMEM;
    }

    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL)
         && EVP_DigestUpdate(md, label, strlen(label) + 1);

    for (i = 0; ok && i < num; i++) {
        n = fields[i].len;

        for (j = 0; j < 8; j++) {
            len[j] = (unsigned char) (n >> (56 - 8 * j));
        }

        ok = EVP_DigestUpdate(md, len, sizeof(len))
             && (fields[i].len == 0
                 || EVP_DigestUpdate(md, fields[i].data, fields[i].len));
    }

    ok = ok && EVP_DigestFinal_ex(md, out, &md_len)
         && md_len == STS_STATE_KEY_LEN;

    EVP_MD_CTX_free(md);

    return ok ? STS_OK : STS_ECRYPTO;
}


int
sts_state_uses_key(unsigned char out[STS_STATE_KEY_LEN],
    sts_str_t access_key_id, sts_str_t signature)
{
    sts_str_t  f[2];

    f[0] = access_key_id;
    f[1] = signature;

    return sts_state_hash(out, "nginx-sts presign uses", f, 2);
}


int
sts_state_grace_key(unsigned char out[STS_STATE_KEY_LEN],
    sts_str_t upload_id, sts_str_t access_key_id, sts_str_t bucket,
    sts_str_t key)
{
    sts_str_t  f[4];

    f[0] = upload_id;
    f[1] = access_key_id;
    f[2] = bucket;
    f[3] = key;

    return sts_state_hash(out, "nginx-sts multipart grace", f, 4);
}


int
sts_state_grace_api(const char *api)
{
    static const char  *apis[] = {
        "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload",
        "ListParts", NULL
    };

    size_t  i;

    if (api == NULL) {
        return 0;
    }

    for (i = 0; apis[i] != NULL; i++) {
        if (strcmp(api, apis[i]) == 0) {
            return 1;
        }
    }

    return 0;
}


int
sts_state_owner_key(unsigned char out[STS_STATE_KEY_LEN], sts_str_t owner)
{
    return sts_state_hash(out, "nginx-sts table owner", &owner, 1);
}


int
sts_state_uses_expires(int64_t now, int64_t url_expires,
    int64_t token_expires, int64_t grace, int64_t *out)
{
    int64_t  until;

    if (token_expires != 0) {
        until = token_expires;

        if (grace > 0 && grace <= INT64_MAX - until) {
            until += grace;
        }

        *out = url_expires < until ? url_expires : until;

        return STS_OK;
    }

    if (now < INT64_MAX - STS_STATE_USES_MAX_TTL
        && url_expires > now + STS_STATE_USES_MAX_TTL)
    {
        return STS_ETOOBIG;
    }

    *out = url_expires;

    return STS_OK;
}


int
sts_state_max_per_key(sts_str_t arg, unsigned long *out)
{
    sts_str_t  v;

    static const char  name[] = "max_per_key=";

    if (arg.data == NULL || arg.len < sizeof(name) - 1
        || memcmp(arg.data, name, sizeof(name) - 1) != 0)
    {
        return STS_ENOTFOUND;
    }

    v.data = arg.data + sizeof(name) - 1;
    v.len = arg.len - (sizeof(name) - 1);

    return sts_state_max_uses(v, out);
}
