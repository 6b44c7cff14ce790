/*
 * Copyright (C) nginx-sts authors
 *
 * sts_token: the keyring and the sealed, self-contained SecurityToken
 * (doc/design.md, "SecurityToken (format v1)").
 *
 *   token  = "STS1." base64url(kid_len kid nonce ciphertext tag)
 *   AEAD   = AES-256-GCM, key = keyring[kid], AAD = "STS1" kid_len kid
 *   plain  = flag byte (0 = JSON, 1 = raw DEFLATE of JSON) + claims
 */

#ifndef STS_TOKEN_H_INCLUDED
#define STS_TOKEN_H_INCLUDED


#include "sts_util.h"


#define STS_KEY_LEN          32
#define STS_KID_MAX          32
#define STS_NONCE_LEN        12
#define STS_TAG_LEN          16
#define STS_TOKEN_PREFIX     "STS1."
#define STS_TOKEN_MAX        8192      /* text form, bytes */
#define STS_CLAIMS_MAX       65536     /* decompressed claims, bytes */
#define STS_CLAIMS_VERSION   1
#define STS_KEYRING_MAX      64        /* keys per keyring */

#define STS_DURATION_MIN     900
#define STS_DURATION_MAX     43200


typedef struct {
    char           kid[STS_KID_MAX + 1];
    size_t         kid_len;
    unsigned char  key[STS_KEY_LEN];
} sts_key_t;


typedef struct {
    sts_key_t     *keys;       /* keys[0] issues, all verify */
    size_t         num_keys;
} sts_keyring_t;


/*
 * sts_keyring_parse parses keyring text: one "<kid> <base64 of 32 bytes>"
 * per line; blank lines and lines starting with '#' are ignored; kids are
 * [A-Za-z0-9_-]{1,32} and unique.  On failure returns STS_EINVAL (or
 * STS_ENOMEM / STS_ETOOBIG) and writes "line N: why" into |err|.  The
 * keyring is allocated from |a|; free it with sts_keyring_free.
 */
int sts_keyring_parse(const sts_allocator_t *a, const char *text, size_t len,
    sts_keyring_t **out, char *err, size_t err_len) STS_WUR;

/*
 * sts_keyring_load reads and parses the file |path|.  It refuses a file
 * that is readable or writable by group or others (STS_EPERM), a file that
 * is not a regular file, and a file over 64 KiB.  |err| receives a
 * message that names the file.  The text read is wiped after parsing.
 */
int sts_keyring_load(const sts_allocator_t *a, const char *path,
    sts_keyring_t **out, char *err, size_t err_len) STS_WUR;

/* sts_keyring_free wipes every key and frees the keyring (NULL ok). */
void sts_keyring_free(const sts_allocator_t *a, sts_keyring_t *kr);

/* sts_keyring_find returns the key with id |kid|, or NULL. */
const sts_key_t *sts_keyring_find(const sts_keyring_t *kr, const char *kid,
    size_t kid_len);

/*
 * sts_keygen_line writes a new keyring line "<kid> <base64 key>\n" with a
 * fresh random key into |out| (at least 100 bytes).  STS_EINVAL for a bad
 * kid, STS_ECRYPTO if the CSPRNG fails.
 */
int sts_keygen_line(char *out, size_t out_len, const char *kid) STS_WUR;


/*
 * sts_session_t: the claims a token carries.  Strings are NUL-terminated
 * and owned by the session (allocated from the allocator given to the
 * function that created it).  Policies are JSON documents as text.
 */
typedef struct {
    int            version;
    char          *access_key_id;       /* "STS." ... */
    char          *access_key_secret;   /* wiped by sts_session_free */
    int64_t        issued_at;
    int64_t        expiration;
    char          *account_id;
    char          *role_arn;            /* acs:ram::<acct>:role/<name> */
    char          *role_id;
    char          *session_name;
    char          *source_arn;          /* who called AssumeRole */
    char         **role_policies;
    size_t         num_role_policies;
    char          *session_policy;      /* NULL when none */
} sts_session_t;


/*
 * sts_credentials_generate fills |akid| with "STS." and 28 random base58
 * characters, NUL-terminated (33 bytes), and |secret| with 40 random
 * base58 characters, NUL-terminated (41 bytes).
 */
#define STS_AKID_LEN    32
#define STS_SECRET_LEN  40

int sts_credentials_generate(char akid[STS_AKID_LEN + 1],
    char secret[STS_SECRET_LEN + 1]) STS_WUR;

/*
 * sts_token_seal seals |s| with the issuing key (keys[0]) of |kr| under a
 * fresh random nonce.  Policies are embedded as JSON (they must parse).
 * On success *out is a NUL-terminated token allocated from |a| and
 * *out_len its length.  STS_ETOOBIG when the token would exceed
 * STS_TOKEN_MAX, STS_EINVAL for a malformed session or policy.
 */
int sts_token_seal(const sts_allocator_t *a, const sts_keyring_t *kr,
    const sts_session_t *s, char **out, size_t *out_len) STS_WUR;

/*
 * sts_token_open authenticates and decrypts |token|, then parses its
 * claims.  Checks, in order, each with its own status: prefix
 * (STS_ETOKEN_PREFIX), encoding and lengths (STS_ETOKEN_ENCODING), key id
 * (STS_ETOKEN_KID), tag (STS_ETOKEN_TAG), claims shape (STS_ETOKEN_CLAIMS),
 * version (STS_ETOKEN_VERSION), expiry now >= exp (STS_ETOKEN_EXPIRED; the
 * session is still returned through *out so callers can log who it was).
 * Nothing is parsed before the tag verifies; plaintext is wiped.  On
 * STS_OK or STS_ETOKEN_EXPIRED, *out is a session from |a|.
 */
int sts_token_open(const sts_allocator_t *a, const sts_keyring_t *kr,
    const char *token, size_t token_len, int64_t now, sts_session_t **out)
    STS_WUR;

/*
 * sts_session_check_akid compares the request's AccessKeyId with the
 * token's: STS_OK or STS_ETOKEN_MISMATCH.
 */
int sts_session_check_akid(const sts_session_t *s, const char *akid,
    size_t akid_len) STS_WUR;

/* sts_session_free wipes the secret and frees everything (NULL ok). */
void sts_session_free(const sts_allocator_t *a, sts_session_t *s);

/*
 * sts_session_to_json writes the claims as pretty JSON for display,
 * without the secret unless |with_secret|.
 */
int sts_session_to_json(const sts_session_t *s, int with_secret,
    sts_buf_t *out) STS_WUR;


#endif /* STS_TOKEN_H_INCLUDED */
