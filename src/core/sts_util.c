/*
 * Copyright (C) nginx-sts authors
 */

/* SHA1_Init ... for the keyed HMAC states (sts_hmac_key_t) */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "sts_util.h"


static void *sts_malloc_alloc(void *ctx, size_t size);
static void sts_malloc_free(void *ctx, void *p);
static int sts_read_private_as(const sts_allocator_t *a, const char *path,
    const char *what, const char *verb, const char *note, size_t max,
    char **out, size_t *out_len, char *err, size_t err_len);
static int sts_read_file_as(const sts_allocator_t *a, const char *path,
    const char *what, const char *verb, unsigned forbid, const char *problem,
    const char *consequence, const char *fix, size_t max, char **out,
    size_t *out_len, char *err, size_t err_len);


const sts_allocator_t  sts_malloc_allocator = {
    sts_malloc_alloc, sts_malloc_free, NULL
};


const char *
sts_strerror(int status)
{
    switch (status) {
    case STS_OK:              return "success";
    case STS_ENOMEM:          return "out of memory";
    case STS_EINVAL:          return "malformed input";
    case STS_ETOOBIG:         return "input too large";
    case STS_EIO:             return "file could not be read";
    case STS_ECRYPTO:         return "cryptographic library failure";
    case STS_EPERM:           return "unsafe file permissions";
    case STS_ENOTFOUND:       return "not found";
    case STS_EDUP:            return "duplicate entry";
    case STS_EEXPIRED:        return "expired";
    case STS_EBADSIG:         return "signature does not match";
    case STS_EDENIED:         return "denied by policy";
    case STS_ETOKEN_PREFIX:   return "token does not start with \"STS1.\"";
    case STS_ETOKEN_ENCODING: return "token is not valid base64url or is "
                                     "truncated";
    case STS_ETOKEN_KID:      return "token key id is not in the keyring";
    case STS_ETOKEN_TAG:      return "token authentication tag does not "
                                     "verify";
    case STS_ETOKEN_CLAIMS:   return "token claims are malformed";
    case STS_ETOKEN_VERSION:  return "token claims version is not supported";
    case STS_ETOKEN_EXPIRED:  return "token has expired";
    case STS_ETOKEN_MISMATCH: return "AccessKeyId does not match the token";
    default:                  return "unknown error";
    }
}


static void *
sts_malloc_alloc(void *ctx, size_t size)
{
    return malloc(size ? size : 1);
}


static void
sts_malloc_free(void *ctx, void *p)
{
    free(p);
}


void *
sts_alloc(const sts_allocator_t *a, size_t size)
{
    return a->alloc(a->ctx, size);
}


void *
sts_calloc(const sts_allocator_t *a, size_t size)
{
    void  *p;

    p = a->alloc(a->ctx, size);
    if (p != NULL) {
        memset(p, 0, size);
    }

    return p;
}


void
sts_free(const sts_allocator_t *a, void *p)
{
    if (p != NULL && a->free != NULL) {
        a->free(a->ctx, p);
    }
}


char *
sts_strndup(const sts_allocator_t *a, const char *s, size_t len)
{
    char  *p;

    if (len == (size_t) -1) {
        return NULL;
    }

    p = sts_alloc(a, len + 1);
    if (p == NULL) {
        return NULL;
    }

    if (len) {
        memcpy(p, s, len);
    }

    p[len] = '\0';

    return p;
}


int
sts_str_eq(sts_str_t a, const char *b)
{
    size_t  n;

    n = strlen(b);

    return a.len == n && (n == 0 || memcmp(a.data, b, n) == 0);
}


static int
sts_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}


int
sts_str_caseeq(sts_str_t a, const char *b)
{
    size_t  i, n;

    n = strlen(b);
    if (a.len != n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (sts_lower((unsigned char) a.data[i])
            != sts_lower((unsigned char) b[i]))
        {
            return 0;
        }
    }

    return 1;
}


sts_str_t
sts_str_trim(sts_str_t s)
{
    while (s.len && (s.data[0] == ' ' || s.data[0] == '\t')) {
        s.data++;
        s.len--;
    }

    while (s.len && (s.data[s.len - 1] == ' ' || s.data[s.len - 1] == '\t')) {
        s.len--;
    }

    return s;
}


/* buffers */

void
sts_buf_init(sts_buf_t *b, const sts_allocator_t *a, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->failed = STS_OK;
    b->a = a;
}


static int
sts_buf_reserve(sts_buf_t *b, size_t more)
{
    char    *p;
    size_t   need, cap;

    if (b->failed != STS_OK) {
        return b->failed;
    }

    if (more > (size_t) -1 / 2 - b->len) {
        b->failed = STS_ETOOBIG;
        return b->failed;
    }

    need = b->len + more + 1;

    if (b->max && need - 1 > b->max) {
        b->failed = STS_ETOOBIG;
        return b->failed;
    }

    if (need <= b->cap) {
        return STS_OK;
    }

    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap *= 2;
    }

    p = sts_alloc(b->a, cap);
    if (p == NULL) {
        b->failed = STS_ENOMEM;
        return b->failed;
    }

    if (b->data != NULL) {
        memcpy(p, b->data, b->len);
        /* the old copy may hold secrets (string to sign, claims) */
        sts_wipe(b->data, b->cap);
        sts_free(b->a, b->data);
    }

    b->data = p;
    b->cap = cap;

    return STS_OK;
}


int
sts_buf_append(sts_buf_t *b, const void *p, size_t len)
{
    int  rc;

    rc = sts_buf_reserve(b, len);
    if (rc != STS_OK) {
        return rc;
    }

    if (len) {
        memcpy(b->data + b->len, p, len);
    }

    b->len += len;
    b->data[b->len] = '\0';

    return STS_OK;
}


int
sts_buf_append_str(sts_buf_t *b, const char *s)
{
    return sts_buf_append(b, s, strlen(s));
}


int
sts_buf_append_char(sts_buf_t *b, char c)
{
    return sts_buf_append(b, &c, 1);
}


int
sts_buf_appendf(sts_buf_t *b, const char *fmt, ...)
{
    int      n, rc;
    va_list  ap;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    if (n < 0) {
        b->failed = STS_EINVAL;
        return b->failed;
    }

    rc = sts_buf_reserve(b, (size_t) n);
    if (rc != STS_OK) {
        return rc;
    }

    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);

    b->len += (size_t) n;

    return STS_OK;
}


int
sts_buf_ok(const sts_buf_t *b)
{
    return b->failed;
}


void
sts_buf_wipe_free(sts_buf_t *b)
{
    if (b->data != NULL) {
        sts_wipe(b->data, b->cap);
    }

    sts_buf_free(b);
}


void
sts_buf_free(sts_buf_t *b)
{
    sts_free(b->a, b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}


/* secrets */

int
sts_ct_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (a_len != b_len) {
        return 0;
    }

    if (a_len == 0) {
        return 1;
    }

    /* constant time comparison */
    return CRYPTO_memcmp(a, b, a_len) == 0;
}


void
sts_wipe(void *p, size_t len)
{
    if (p != NULL && len) {
        OPENSSL_cleanse(p, len);
    }
}


int
sts_random(void *out, size_t len)
{
    if (len > 0x7fffffff) {
        return STS_EINVAL;
    }

    if (RAND_bytes(out, (int) len) != 1) {
        ERR_clear_error();
        return STS_ECRYPTO;
    }

    return STS_OK;
}


/* digests and HMAC */

#define STS_HASH_BLOCK  64      /* SHA-1 and SHA-256 */

static int sts_hash_init(sts_hash_e hash, void *state);
static int sts_hash_update(sts_hash_e hash, void *state, const void *data,
    size_t len);
static int sts_hash_final(sts_hash_e hash, void *state, unsigned char *out);


int
sts_digest(sts_hash_e hash, const void *data, size_t len, unsigned char *out)
{
    int            ok;
    unsigned char  state[STS_HMAC_STATE_LEN];

    ok = sts_hash_init(hash, state)
         && sts_hash_update(hash, state, data, len)
         && sts_hash_final(hash, state, out);

    sts_wipe(state, sizeof(state));

    return ok ? STS_OK : STS_ECRYPTO;
}


int
sts_hmac(sts_hash_e hash, const void *key, size_t key_len, const void *data,
    size_t len, unsigned char *out)
{
    int             rc;
    sts_hmac_key_t  k;

    rc = sts_hmac_key_init(&k, hash, key, key_len);

    if (rc == STS_OK) {
        rc = sts_hmac_keyed(&k, data, len, out);
    }

    sts_hmac_key_wipe(&k);

    return rc;
}


/*
 * The keyed states are OpenSSL's SHA1 and SHA256 contexts, plain structs
 * that copy with memcpy (EVP contexts are duplicated on the heap); the
 * low-level functions are deprecated in OpenSSL 3 but run the same code.
 */
typedef char  sts_hmac_state_fits[(sizeof(SHA_CTX) <= STS_HMAC_STATE_LEN
                                   && sizeof(SHA256_CTX)
                                      <= STS_HMAC_STATE_LEN) ? 1 : -1];


static int
sts_hash_init(sts_hash_e hash, void *state)
{
    return hash == STS_HASH_SHA1 ? SHA1_Init(state) : SHA256_Init(state);
}


static int
sts_hash_update(sts_hash_e hash, void *state, const void *data, size_t len)
{
    return hash == STS_HASH_SHA1 ? SHA1_Update(state, data, len)
                                 : SHA256_Update(state, data, len);
}


static int
sts_hash_final(sts_hash_e hash, void *state, unsigned char *out)
{
    return hash == STS_HASH_SHA1 ? SHA1_Final(out, state)
                                 : SHA256_Final(out, state);
}


int
sts_hmac_key_init(sts_hmac_key_t *k, sts_hash_e hash, const void *key,
    size_t key_len)
{
    int            ok;
    size_t         i;
    unsigned char  kb[STS_HASH_BLOCK], pad[STS_HASH_BLOCK];

    memset(k, 0, sizeof(sts_hmac_key_t));
    k->hash = hash;

    /* K: the key, hashed if longer than a block, zero-padded */
    memset(kb, 0, sizeof(kb));
    ok = 1;

    if (key_len > STS_HASH_BLOCK) {
        ok = sts_hash_init(hash, k->inner.bytes)
             && sts_hash_update(hash, k->inner.bytes, key, key_len)
             && sts_hash_final(hash, k->inner.bytes, kb);

    } else if (key_len) {
        memcpy(kb, key, key_len);
    }

    /* the states after (K ^ ipad) and after (K ^ opad) */
    for (i = 0; i < STS_HASH_BLOCK; i++) {
        pad[i] = kb[i] ^ 0x36;
    }

    ok = ok && sts_hash_init(hash, k->inner.bytes)
         && sts_hash_update(hash, k->inner.bytes, pad, STS_HASH_BLOCK);

    for (i = 0; i < STS_HASH_BLOCK; i++) {
        pad[i] = kb[i] ^ 0x5c;
    }

    ok = ok && sts_hash_init(hash, k->outer.bytes)
         && sts_hash_update(hash, k->outer.bytes, pad, STS_HASH_BLOCK);

    sts_wipe(kb, sizeof(kb));
    sts_wipe(pad, sizeof(pad));

    if (!ok) {
        sts_hmac_key_wipe(k);
        return STS_ECRYPTO;
    }

    return STS_OK;
}


int
sts_hmac_keyed(const sts_hmac_key_t *k, const void *data, size_t len,
    unsigned char *out)
{
    int            ok;
    size_t         md_len;
    unsigned char  state[STS_HMAC_STATE_LEN];
    unsigned char  inner[STS_SHA256_LEN];

    md_len = (k->hash == STS_HASH_SHA1) ? STS_SHA1_LEN : STS_SHA256_LEN;

    /* H((K ^ ipad) || data), then H((K ^ opad) || inner) */
    memcpy(state, k->inner.bytes, sizeof(state));

    ok = sts_hash_update(k->hash, state, data, len)
         && sts_hash_final(k->hash, state, inner);

    memcpy(state, k->outer.bytes, sizeof(state));

    ok = ok && sts_hash_update(k->hash, state, inner, md_len)
         && sts_hash_final(k->hash, state, out);

    sts_wipe(state, sizeof(state));
    sts_wipe(inner, sizeof(inner));

    return ok ? STS_OK : STS_ECRYPTO;
}


void
sts_hmac_key_wipe(sts_hmac_key_t *k)
{
    sts_wipe(k, sizeof(sts_hmac_key_t));
}


/* base64 */

static const char  sts_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char  sts_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


static size_t
sts_b64_encode(char *out, const unsigned char *in, size_t len,
    const char *alphabet, int pad)
{
    char    *p;
    size_t   i;

    p = out;

    for (i = 0; i + 2 < len; i += 3) {
        *p++ = alphabet[in[i] >> 2];
        *p++ = alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
        *p++ = alphabet[((in[i + 1] & 0x0f) << 2) | (in[i + 2] >> 6)];
        *p++ = alphabet[in[i + 2] & 0x3f];
    }

    if (len - i == 1) {
        *p++ = alphabet[in[i] >> 2];
        *p++ = alphabet[(in[i] & 0x03) << 4];
        if (pad) {
            *p++ = '=';
            *p++ = '=';
        }

    } else if (len - i == 2) {
        *p++ = alphabet[in[i] >> 2];
        *p++ = alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
        *p++ = alphabet[(in[i + 1] & 0x0f) << 2];
        if (pad) {
            *p++ = '=';
        }
    }

    return (size_t) (p - out);
}


size_t
sts_base64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}


size_t
sts_base64_encode(char *out, const unsigned char *in, size_t len)
{
    return sts_b64_encode(out, in, len, sts_b64, 1);
}


size_t
sts_base64url_encoded_len(size_t len)
{
    return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
}


size_t
sts_base64url_encode(char *out, const unsigned char *in, size_t len)
{
    return sts_b64_encode(out, in, len, sts_b64url, 0);
}


size_t
sts_base64_decoded_max(size_t len)
{
    return (len + 3) / 4 * 3;
}


static int
sts_b64_value(int c, int url)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    if (c == (url ? '-' : '+')) {
        return 62;
    }

    if (c == (url ? '_' : '/')) {
        return 63;
    }

    return -1;
}


static int
sts_b64_decode(unsigned char *out, size_t *out_len, const char *in,
    size_t len, int url)
{
    int            v;
    size_t         i, n, rem;
    uint32_t       acc;
    unsigned char *p;

    if (!url) {
        /* padded form: length a multiple of 4, at most two '=' at the end */
        if (len % 4) {
            return STS_EINVAL;
        }

        if (len && in[len - 1] == '=') {
            len--;
            if (len && in[len - 1] == '=') {
                len--;
            }
        }
    }

    rem = len % 4;
    if (rem == 1) {
        return STS_EINVAL;
    }

    p = out;
    acc = 0;
    n = 0;

    for (i = 0; i < len; i++) {
        v = sts_b64_value((unsigned char) in[i], url);
        if (v < 0) {
            return STS_EINVAL;
        }

        acc = (acc << 6) | (uint32_t) v;
        n++;

        if (n == 4) {
            *p++ = (unsigned char) (acc >> 16);
            *p++ = (unsigned char) (acc >> 8);
            *p++ = (unsigned char) acc;
            acc = 0;
            n = 0;
        }
    }

    if (n == 2) {
        if (acc & 0x0f) {
            return STS_EINVAL;  /* non-canonical trailing bits */
        }

        *p++ = (unsigned char) (acc >> 4);

    } else if (n == 3) {
        if (acc & 0x03) {
            return STS_EINVAL;
        }

        *p++ = (unsigned char) (acc >> 10);
        *p++ = (unsigned char) (acc >> 2);
    }

    *out_len = (size_t) (p - out);

    return STS_OK;
}


int
sts_base64_decode(unsigned char *out, size_t *out_len, const char *in,
    size_t len)
{
    return sts_b64_decode(out, out_len, in, len, 0);
}


int
sts_base64url_decode(unsigned char *out, size_t *out_len, const char *in,
    size_t len)
{
    return sts_b64_decode(out, out_len, in, len, 1);
}


void
sts_hex_encode(char *out, const unsigned char *in, size_t len)
{
    static const char  hex[] = "0123456789abcdef";
    size_t             i;

    for (i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 0x0f];
    }
}


int
sts_uri_encode(sts_buf_t *b, const char *s, size_t len, unsigned flags)
{
    static const char  hex[] = "0123456789ABCDEF";

    char           esc[3];
    size_t         i, start;
    unsigned char  c;

    start = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.' || c == '~'
            || (c == '/' && (flags & STS_URI_KEEP_SLASH))
            || ((flags & STS_URI_KEEP_MARKS)
                && (c == '!' || c == '\'' || c == '(' || c == ')'
                    || c == '*')))
        {
            continue;
        }

        if (i > start) {
            (void) sts_buf_append(b, s + start, i - start);
        }

        esc[0] = '%';
        esc[1] = hex[c >> 4];
        esc[2] = hex[c & 0x0f];
        (void) sts_buf_append(b, esc, 3);
        start = i + 1;
    }

    if (len > start) {
        (void) sts_buf_append(b, s + start, len - start);
    }

    return sts_buf_ok(b);
}


/* time */

static const char  *sts_wdays[] = {
    "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"
};

static const char  *sts_months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};


static int
sts_days_in_month(int year, int mon)
{
    static const int  days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (mon == 2
        && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    {
        return 29;
    }

    return days[mon - 1];
}


int64_t
sts_timegm(int year, int mon, int mday, int hour, int min, int sec)
{
    int64_t  y, m, days;

    /* days from civil, proleptic Gregorian, 1970-01-01 = day 0 */
    y = year;
    m = mon;
    if (m <= 2) {
        y--;
        m += 12;
    }

    days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5
           + mday - 719469;

    return days * 86400 + hour * 3600 + min * 60 + sec;
}


static void
sts_gmtime(int64_t t, int *year, int *mon, int *mday, int *hour, int *min,
    int *sec, int *wday)
{
    int64_t  days, rem, y, doy, mp, era, doe, yoe;

    days = t / 86400;
    rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }

    *hour = (int) (rem / 3600);
    *min = (int) (rem % 3600 / 60);
    *sec = (int) (rem % 60);
    *wday = (int) (((days % 7) + 7) % 7);    /* 0 = Thursday */

    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *mday = (int) (doy - (153 * mp + 2) / 5 + 1);
    *mon = (int) (mp < 10 ? mp + 3 : mp - 9);
    *year = (int) (y + (*mon <= 2));
}


static int
sts_digits(const char *s, size_t n, int *out)
{
    size_t  i;
    int     v;

    v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return STS_EINVAL;
        }

        v = v * 10 + (s[i] - '0');
    }

    *out = v;

    return STS_OK;
}


static int
sts_check_date(int year, int mon, int mday, int hour, int min, int sec)
{
    if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || mday < 1
        || mday > sts_days_in_month(year, mon) || hour > 23 || min > 59
        || sec > 60)
    {
        return STS_EINVAL;
    }

    return STS_OK;
}


int
sts_parse_rfc1123(const char *s, size_t len, int64_t *out)
{
    int  i, mon, mday, year, hour, min, sec;

    /* "Wed, 15 May 2024 12:30:45 GMT" */
    if (len != STS_RFC1123_LEN || s[3] != ',' || s[4] != ' ' || s[7] != ' '
        || s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':'
        || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
    {
        return STS_EINVAL;
    }

    for (i = 0; i < 7; i++) {
        if (memcmp(s, sts_wdays[i], 3) == 0) {
            break;
        }
    }

    if (i == 7) {
        return STS_EINVAL;
    }

    for (mon = 0; mon < 12; mon++) {
        if (memcmp(s + 8, sts_months[mon], 3) == 0) {
            break;
        }
    }

    if (mon == 12) {
        return STS_EINVAL;
    }

    mon++;

    if (sts_digits(s + 5, 2, &mday) != STS_OK
        || sts_digits(s + 12, 4, &year) != STS_OK
        || sts_digits(s + 17, 2, &hour) != STS_OK
        || sts_digits(s + 20, 2, &min) != STS_OK
        || sts_digits(s + 23, 2, &sec) != STS_OK
        || sts_check_date(year, mon, mday, hour, min, sec) != STS_OK)
    {
        return STS_EINVAL;
    }

    *out = sts_timegm(year, mon, mday, hour, min, sec);

    /* the weekday must agree with the date */
    if (memcmp(s, sts_wdays[((*out / 86400) % 7 + 7) % 7], 3) != 0) {
        return STS_EINVAL;
    }

    return STS_OK;
}


int
sts_parse_iso8601(const char *s, size_t len, int64_t *out)
{
    int     year, mon, mday, hour, min, sec;
    size_t  i;

    if (len == STS_ISO8601_BASIC_LEN) {
        /* "20240515T123045Z" */
        if (s[8] != 'T' || s[15] != 'Z'
            || sts_digits(s, 4, &year) != STS_OK
            || sts_digits(s + 4, 2, &mon) != STS_OK
            || sts_digits(s + 6, 2, &mday) != STS_OK
            || sts_digits(s + 9, 2, &hour) != STS_OK
            || sts_digits(s + 11, 2, &min) != STS_OK
            || sts_digits(s + 13, 2, &sec) != STS_OK)
        {
            return STS_EINVAL;
        }

    } else {
        /* "2024-05-15T12:30:45Z" or "2024-05-15T12:30:45.123Z" */
        if (len < STS_ISO8601_LEN || s[4] != '-' || s[7] != '-'
            || s[10] != 'T' || s[13] != ':' || s[16] != ':'
            || s[len - 1] != 'Z'
            || sts_digits(s, 4, &year) != STS_OK
            || sts_digits(s + 5, 2, &mon) != STS_OK
            || sts_digits(s + 8, 2, &mday) != STS_OK
            || sts_digits(s + 11, 2, &hour) != STS_OK
            || sts_digits(s + 14, 2, &min) != STS_OK
            || sts_digits(s + 17, 2, &sec) != STS_OK)
        {
            return STS_EINVAL;
        }

        if (len > STS_ISO8601_LEN) {
            /* fraction: '.' then 1..9 digits */
            if (s[19] != '.' || len < 22 || len > 29) {
                return STS_EINVAL;
            }

            for (i = 20; i < len - 1; i++) {
                if (s[i] < '0' || s[i] > '9') {
                    return STS_EINVAL;
                }
            }
        }
    }

    if (sts_check_date(year, mon, mday, hour, min, sec) != STS_OK) {
        return STS_EINVAL;
    }

    *out = sts_timegm(year, mon, mday, hour, min, sec);

    return STS_OK;
}


static char *
sts_put_digits(char *p, int v, int width)
{
    int  i;

    for (i = width - 1; i >= 0; i--) {
        p[i] = (char) ('0' + v % 10);
        v /= 10;
    }

    return p + width;
}


static int
sts_clamp_time(int64_t t)
{
    /* 0000-01-01 .. 9999-12-31: keeps every field of a fixed width */
    return t >= -62167219200LL && t <= 253402300799LL;
}


void
sts_format_rfc1123(char out[STS_RFC1123_LEN + 1], int64_t t)
{
    int    year, mon, mday, hour, min, sec, wday;
    char  *p;

    if (!sts_clamp_time(t)) {
        t = 0;
    }

    sts_gmtime(t, &year, &mon, &mday, &hour, &min, &sec, &wday);

    /* "Wed, 15 May 2024 12:30:45 GMT" */
    p = out;
    memcpy(p, sts_wdays[wday], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = sts_put_digits(p, mday, 2);
    *p++ = ' ';
    memcpy(p, sts_months[mon - 1], 3);
    p += 3;
    *p++ = ' ';
    p = sts_put_digits(p, year, 4);
    *p++ = ' ';
    p = sts_put_digits(p, hour, 2);
    *p++ = ':';
    p = sts_put_digits(p, min, 2);
    *p++ = ':';
    p = sts_put_digits(p, sec, 2);
    memcpy(p, " GMT", 5);
}


void
sts_format_iso8601(char out[STS_ISO8601_LEN + 1], int64_t t)
{
    int    year, mon, mday, hour, min, sec, wday;
    char  *p;

    if (!sts_clamp_time(t)) {
        t = 0;
    }

    sts_gmtime(t, &year, &mon, &mday, &hour, &min, &sec, &wday);

    p = sts_put_digits(out, year, 4);
    *p++ = '-';
    p = sts_put_digits(p, mon, 2);
    *p++ = '-';
    p = sts_put_digits(p, mday, 2);
    *p++ = 'T';
    p = sts_put_digits(p, hour, 2);
    *p++ = ':';
    p = sts_put_digits(p, min, 2);
    *p++ = ':';
    p = sts_put_digits(p, sec, 2);
    memcpy(p, "Z", 2);
}


void
sts_format_iso8601_basic(char out[STS_ISO8601_BASIC_LEN + 1], int64_t t)
{
    int    year, mon, mday, hour, min, sec, wday;
    char  *p;

    if (!sts_clamp_time(t)) {
        t = 0;
    }

    sts_gmtime(t, &year, &mon, &mday, &hour, &min, &sec, &wday);

    p = sts_put_digits(out, year, 4);
    p = sts_put_digits(p, mon, 2);
    p = sts_put_digits(p, mday, 2);
    *p++ = 'T';
    p = sts_put_digits(p, hour, 2);
    p = sts_put_digits(p, min, 2);
    p = sts_put_digits(p, sec, 2);
    memcpy(p, "Z", 2);
}


int
sts_parse_uint64(const char *s, size_t len, uint64_t *out)
{
    size_t    i;
    uint64_t  v, d;

    if (len == 0 || len > 20) {
        return STS_EINVAL;
    }

    v = 0;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return STS_EINVAL;
        }

        d = (uint64_t) (s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return STS_EINVAL;
        }

        v = v * 10 + d;
    }

    *out = v;

    return STS_OK;
}


int
sts_read_private_file(const sts_allocator_t *a, const char *path,
    const char *what, const char *note, size_t max, char **out,
    size_t *out_len, char *err, size_t err_len)
{
    return sts_read_private_as(a, path, what, "is", note, max, out, out_len,
                               err, err_len);
}


int
sts_read_private_file_plural(const sts_allocator_t *a, const char *path,
    const char *what, size_t max, char **out, size_t *out_len, char *err,
    size_t err_len)
{
    return sts_read_private_as(a, path, what, "are", "", max, out, out_len,
                               err, err_len);
}


/* the private-file check, with |verb| ("is" or "are") after |what| */

static int
sts_read_private_as(const sts_allocator_t *a, const char *path,
    const char *what, const char *verb, const char *note, size_t max,
    char **out, size_t *out_len, char *err, size_t err_len)
{
    char  problem[128];

    snprintf(problem, sizeof(problem), "%s%s accessible by group or others",
             note, verb);

    return sts_read_file_as(a, path, what, verb, S_IRWXG | S_IRWXO, problem,
                            "", "600", max, out, out_len, err, err_len);
}


int
sts_read_file(const sts_allocator_t *a, const char *path, const char *what,
    unsigned forbid, const char *problem, const char *consequence,
    const char *fix, size_t max, char **out, size_t *out_len, char *err,
    size_t err_len)
{
    return sts_read_file_as(a, path, what, "is", forbid, problem,
                            consequence, fix, max, out, out_len, err,
                            err_len);
}


/* sts_read_file, with |verb| ("is" or "are") after |what| in messages */

static int
sts_read_file_as(const sts_allocator_t *a, const char *path,
    const char *what, const char *verb, unsigned forbid, const char *problem,
    const char *consequence, const char *fix, size_t max, char **out,
    size_t *out_len, char *err, size_t err_len)
{
    int          fd, saved;
    char        *buf;
    size_t       got;
    ssize_t      n;
    struct stat  st;

    *out = NULL;
    *out_len = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd == -1) {
        snprintf(err, err_len, "cannot open %s \"%s\": %s", what, path,
                 strerror(errno));
        return STS_EIO;
    }

    if (fstat(fd, &st) == -1) {
        snprintf(err, err_len, "cannot stat %s \"%s\": %s", what, path,
                 strerror(errno));
        close(fd);
        return STS_EIO;
    }

    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s \"%s\" %s not a regular file", what,
                 path, verb);
        close(fd);
        return STS_EIO;
    }

    if (st.st_mode & forbid) {
        snprintf(err, err_len, "%s \"%s\" %s (mode %04o)%s; run \"chmod "
                 "%s %s\"", what, path, problem,
                 (unsigned) (st.st_mode & 07777), consequence, fix, path);
        close(fd);
        return STS_EPERM;
    }

    if ((uint64_t) st.st_size > max) {
        snprintf(err, err_len, "%s \"%s\" %s larger than %zu bytes", what,
                 path, verb, max);
        close(fd);
        return STS_ETOOBIG;
    }

    buf = sts_alloc(a, (size_t) st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return STS_ENOMEM;
    }

    got = 0;
    while (got < (size_t) st.st_size) {
        n = read(fd, buf + got, (size_t) st.st_size - got);
        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1) {
            saved = errno;
            snprintf(err, err_len, "cannot read %s \"%s\": %s", what, path,
                     strerror(saved));
            close(fd);
            sts_wipe(buf, got);
            sts_free(a, buf);
            return STS_EIO;
        }

        if (n == 0) {
            break;      /* the file shrank: what there is */
        }

        got += (size_t) n;
    }

    close(fd);

    buf[got] = '\0';
    *out = buf;
    *out_len = got;

    return STS_OK;
}
