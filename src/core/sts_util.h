/*
 * Copyright (C) nginx-sts authors
 *
 * sts_util: status codes, allocator, strings, buffers, base64, hex,
 * constant-time comparison, wiping and time parsing shared by the core.
 * No nginx headers here or in any src/core file.
 */

#ifndef STS_UTIL_H_INCLUDED
#define STS_UTIL_H_INCLUDED


#include <stddef.h>
#include <stdint.h>


#if defined(__GNUC__)
#define STS_WUR  __attribute__((warn_unused_result))
#else
#define STS_WUR
#endif


/*
 * Status codes: STS_OK is zero, every failure is negative.  Functions that
 * can fail return one of these and deliver results through out_* params.
 */
typedef enum {
    STS_OK                 =  0,
    STS_ENOMEM             = -1,   /* allocation failed */
    STS_EINVAL             = -2,   /* malformed input */
    STS_ETOOBIG            = -3,   /* input over a documented limit */
    STS_EIO                = -4,   /* file could not be read */
    STS_ECRYPTO            = -5,   /* OpenSSL failed unexpectedly */
    STS_EPERM              = -6,   /* unsafe file permissions */
    STS_ENOTFOUND          = -7,   /* no such entry */
    STS_EDUP               = -8,   /* duplicate where one is allowed */
    STS_EEXPIRED           = -9,   /* past its expiration */
    STS_EBADSIG            = -10,  /* signature or MAC mismatch */
    STS_EDENIED            = -11,  /* policy denies */

    /* token opening failures, one per check (doc/design.md order) */
    STS_ETOKEN_PREFIX      = -20,  /* not "STS1." */
    STS_ETOKEN_ENCODING    = -21,  /* not base64url, or bad lengths */
    STS_ETOKEN_KID         = -22,  /* key id not in the keyring */
    STS_ETOKEN_TAG         = -23,  /* AEAD tag does not verify */
    STS_ETOKEN_CLAIMS      = -24,  /* plaintext is not the claims shape */
    STS_ETOKEN_VERSION     = -25,  /* unsupported claims version */
    STS_ETOKEN_EXPIRED     = -26,  /* now >= expiration */
    STS_ETOKEN_MISMATCH    = -27   /* AccessKeyId differs from the token */
} sts_status_t;


/* sts_strerror returns a short static English text for a status. */
const char *sts_strerror(int status);


/*
 * sts_allocator_t: where the core gets memory.  |alloc| returns NULL on
 * failure.  |free| may be NULL (pool allocators: memory goes with the pool);
 * callers still call sts_free so that malloc-backed users do not leak.
 */
typedef struct {
    void  *(*alloc)(void *ctx, size_t size);
    void   (*free)(void *ctx, void *p);
    void   *ctx;
} sts_allocator_t;

/* sts_malloc_allocator wraps malloc/free (CLI, tests, fuzzers). */
extern const sts_allocator_t  sts_malloc_allocator;

void *sts_alloc(const sts_allocator_t *a, size_t size);
void *sts_calloc(const sts_allocator_t *a, size_t size);
void sts_free(const sts_allocator_t *a, void *p);

/* sts_strndup copies |len| bytes and appends a NUL; NULL on no memory. */
char *sts_strndup(const sts_allocator_t *a, const char *s, size_t len);


/* sts_str_t: a byte string that is not necessarily NUL-terminated. */
typedef struct {
    size_t       len;
    const char  *data;
} sts_str_t;

#define sts_string(s)     { sizeof(s) - 1, (s) }
#define sts_null_string   { 0, NULL }

/* sts_str_eq is 1 if the two strings are bytewise equal (not for MACs). */
int sts_str_eq(sts_str_t a, const char *b);
/* sts_str_caseeq is 1 if equal ignoring ASCII case. */
int sts_str_caseeq(sts_str_t a, const char *b);
/* sts_str_trim returns |s| without leading/trailing SP and HTAB. */
sts_str_t sts_str_trim(sts_str_t s);


/*
 * sts_buf_t: a growable byte buffer.  Always NUL-terminated after a
 * successful append (the NUL is not counted in len).  A buffer that failed
 * to grow stays failed: later appends return STS_ENOMEM, so callers may
 * check once at the end with sts_buf_ok.
 */
typedef struct {
    char                   *data;
    size_t                  len;
    size_t                  cap;
    size_t                  max;      /* 0 = unlimited, else STS_ETOOBIG */
    int                     failed;
    const sts_allocator_t  *a;
} sts_buf_t;

void sts_buf_init(sts_buf_t *b, const sts_allocator_t *a, size_t max);
int sts_buf_append(sts_buf_t *b, const void *p, size_t len);
int sts_buf_append_str(sts_buf_t *b, const char *s);
int sts_buf_append_char(sts_buf_t *b, char c);
int sts_buf_appendf(sts_buf_t *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* sts_buf_ok returns STS_OK or the first failure of any earlier append. */
int sts_buf_ok(const sts_buf_t *b);
/* sts_buf_wipe_free wipes the contents, then frees them. */
void sts_buf_wipe_free(sts_buf_t *b);
void sts_buf_free(sts_buf_t *b);


/*
 * sts_ct_equal compares two byte strings in time that depends only on the
 * lengths.  Returns 1 when equal, 0 otherwise (including different
 * lengths).  Use it for every MAC, signature and tag comparison.
 */
int sts_ct_equal(const void *a, size_t a_len, const void *b, size_t b_len)
    STS_WUR;

/* sts_wipe overwrites |len| bytes so the compiler cannot elide it. */
void sts_wipe(void *p, size_t len);

/* sts_random fills |out| from the OS CSPRNG (OpenSSL RAND_bytes). */
int sts_random(void *out, size_t len) STS_WUR;


/*
 * Digests and HMAC (RFC 2104) on OpenSSL's SHA-1 and SHA-256 functions
 * themselves: OpenSSL 3's one-shot calls (HMAC(), SHA256()) look the
 * algorithm up by name each time, and its EVP contexts dispatch through
 * the provider and are copied on the heap, all of which costs more than
 * hashing a short string.  |out| holds STS_SHA1_LEN or STS_SHA256_LEN
 * bytes.  STS_OK or STS_ECRYPTO.  Intermediate key material is wiped.
 */
#define STS_SHA1_LEN    20
#define STS_SHA256_LEN  32

typedef enum {
    STS_HASH_SHA1 = 0,
    STS_HASH_SHA256
} sts_hash_e;

int sts_digest(sts_hash_e hash, const void *data, size_t len,
    unsigned char *out) STS_WUR;
int sts_hmac(sts_hash_e hash, const void *key, size_t key_len,
    const void *data, size_t len, unsigned char *out) STS_WUR;

/*
 * sts_hmac_key_t: a key made ready for HMAC, the hash states after the
 * inner and the outer padded key block; sts_hmac_keyed copies them for
 * each message instead of hashing the key again, with no allocation.  It
 * holds key material: sts_hmac_key_wipe when done.  sts_hmac_key_init:
 * STS_OK or STS_ECRYPTO (then wiped).
 */
#define STS_HMAC_STATE_LEN  112     /* OpenSSL's SHA256_CTX */

typedef struct {
    sts_hash_e      hash;
    union {
        uint64_t       align;
        unsigned char  bytes[STS_HMAC_STATE_LEN];
    }               inner, outer;
} sts_hmac_key_t;

int sts_hmac_key_init(sts_hmac_key_t *k, sts_hash_e hash, const void *key,
    size_t key_len) STS_WUR;
int sts_hmac_keyed(const sts_hmac_key_t *k, const void *data, size_t len,
    unsigned char *out) STS_WUR;
void sts_hmac_key_wipe(sts_hmac_key_t *k);


/* Base64 (RFC 4648 section 4, padded) and base64url (section 5, unpadded). */
size_t sts_base64_encoded_len(size_t len);
size_t sts_base64_encode(char *out, const unsigned char *in, size_t len);
size_t sts_base64url_encoded_len(size_t len);
size_t sts_base64url_encode(char *out, const unsigned char *in, size_t len);

/*
 * sts_base64_decode / sts_base64url_decode decode strictly: no whitespace,
 * no stray characters, correct padding (base64) or none (base64url).  |out|
 * must hold sts_base64_decoded_max(len) bytes.  STS_EINVAL on bad input.
 */
size_t sts_base64_decoded_max(size_t len);
int sts_base64_decode(unsigned char *out, size_t *out_len, const char *in,
    size_t len) STS_WUR;
int sts_base64url_decode(unsigned char *out, size_t *out_len, const char *in,
    size_t len) STS_WUR;

/* sts_hex_encode writes 2 * len lower-case hex digits (no NUL). */
void sts_hex_encode(char *out, const unsigned char *in, size_t len);

/*
 * sts_uri_encode appends |len| bytes of |s| percent-encoded (RFC 3986) to
 * |b|: A-Z a-z 0-9 - _ . ~ as they are, every other byte as "%XY" with
 * upper-case hex (a space is "%20", never "+").  STS_URI_KEEP_SLASH also
 * keeps '/' (an object key in a path); STS_URI_KEEP_MARKS also keeps
 * ! ' ( ) * (what JavaScript's encodeURIComponent leaves).  Returns the
 * buffer's status.
 */
#define STS_URI_KEEP_SLASH  0x01
#define STS_URI_KEEP_MARKS  0x02

int sts_uri_encode(sts_buf_t *b, const char *s, size_t len, unsigned flags);


/*
 * Time.  All times are Unix seconds (int64_t), UTC.
 * sts_parse_rfc1123 accepts exactly "Wed, 15 May 2024 12:30:45 GMT".
 * sts_parse_iso8601 accepts "2024-05-15T12:30:45Z", with optional
 * fractional seconds, and the basic form "20240515T123045Z".
 * Both return STS_OK or STS_EINVAL and reject impossible dates.
 */
int sts_parse_rfc1123(const char *s, size_t len, int64_t *out) STS_WUR;
int sts_parse_iso8601(const char *s, size_t len, int64_t *out) STS_WUR;

#define STS_RFC1123_LEN      29   /* "Wed, 15 May 2024 12:30:45 GMT" */
#define STS_ISO8601_LEN      20   /* "2024-05-15T12:30:45Z" */
#define STS_ISO8601_BASIC_LEN 16  /* "20240515T123045Z" */

/* The formatters write the fixed length plus a NUL. */
void sts_format_rfc1123(char out[STS_RFC1123_LEN + 1], int64_t t);
void sts_format_iso8601(char out[STS_ISO8601_LEN + 1], int64_t t);
void sts_format_iso8601_basic(char out[STS_ISO8601_BASIC_LEN + 1], int64_t t);

/* sts_timegm converts a broken-down UTC date to Unix seconds (no libc tz). */
int64_t sts_timegm(int year, int mon, int mday, int hour, int min, int sec);

/*
 * sts_read_private_file reads the whole of |path| into a NUL-terminated
 * buffer from |a| (*out, *out_len bytes; the caller wipes and frees
 * *out_len + 1 bytes).  The file must be a regular file of at most |max|
 * bytes that neither group nor others may access, because it holds
 * secrets.  |what| names it in messages ("keyring"), |note| may add why
 * ("holds AccessKey secrets and ", or "").  STS_OK; STS_EIO, STS_EPERM,
 * STS_ETOOBIG, STS_ENOMEM with a message naming the file in |err|.
 */
int sts_read_private_file(const sts_allocator_t *a, const char *path,
    const char *what, const char *note, size_t max, char **out,
    size_t *out_len, char *err, size_t err_len) STS_WUR;

/*
 * sts_read_private_file_plural is sts_read_private_file for a file named
 * in the plural ("backend credentials"): the same checks, with "are" for
 * "is" in the messages.
 */
int sts_read_private_file_plural(const sts_allocator_t *a, const char *path,
    const char *what, size_t max, char **out, size_t *out_len, char *err,
    size_t err_len) STS_WUR;

/*
 * sts_read_file is the reader behind sts_read_private_file, for a file
 * with another rule on its permissions: one with any of the mode bits
 * |forbid| is refused (STS_EPERM) with the message
 *   <what> "<path>" <problem> (mode NNNN)<consequence>; run "chmod <fix>
 *   <path>"
 * The rest is the same: a regular file of at most |max| bytes, read
 * whole into a NUL-terminated buffer from |a| (the caller frees
 * *out_len + 1 bytes); STS_EIO, STS_ETOOBIG, STS_ENOMEM with a message
 * naming the file.
 */
int sts_read_file(const sts_allocator_t *a, const char *path,
    const char *what, unsigned forbid, const char *problem,
    const char *consequence, const char *fix, size_t max, char **out,
    size_t *out_len, char *err, size_t err_len) STS_WUR;

/* sts_parse_uint64 parses a non-empty decimal string; STS_EINVAL else. */
int sts_parse_uint64(const char *s, size_t len, uint64_t *out) STS_WUR;


#endif /* STS_UTIL_H_INCLUDED */
