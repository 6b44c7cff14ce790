/*
 * Copyright (C) nginx-sts authors
 *
 * sts_ram: the RAM directory.  It holds
 *
 *   - the loader: the JSON file parsed and checked entry by entry, every
 *     policy compiled once, the keys and roles sorted for lookup;
 *   - the lookups: an AccessKeyId's owner, a role by ARN, a role's
 *     current policies;
 *   - the caller: who holds a long-term key or a role session, with the
 *     policies he acts under;
 *   - the AssumeRole decision (doc/protocol.md 5.4, 6.5-6.7), which
 *     builds the session to seal.
 *
 * The RPC request that carries a call (parameters, signature, nonce,
 * limits, the answer) is in sts_rpc.c.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "sts_ram.h"
#include "sts_explain.h"


#define STS_RAM_MAX_ACCOUNTS    1024
#define STS_RAM_MAX_ENTRIES     10000   /* users, roles, policies */
#define STS_RAM_PATH_LEN        320

#define STS_RAM_CHARS_DIGITS    0
#define STS_RAM_CHARS_ROLE      1       /* [A-Za-z0-9.-] */
#define STS_RAM_CHARS_USER      2       /* [A-Za-z0-9._@-] */
#define STS_RAM_CHARS_POLICY    3       /* [A-Za-z0-9-] */
#define STS_RAM_CHARS_KEY_ID    4       /* [A-Za-z0-9] */
#define STS_RAM_CHARS_SECRET    5       /* printable ASCII but space */
#define STS_RAM_CHARS_ANY       6       /* any UTF-8 text */


/* every allocation of a directory is a block on one list */

typedef union {
    void         *p;
    int64_t       i;
    long double   d;
} sts_ram_align_t;

typedef struct sts_ram_blk_s  sts_ram_blk_t;

struct sts_ram_blk_s {
    sts_ram_blk_t    *next;
    size_t            size;
    sts_ram_align_t   data[1];
};

typedef struct sts_ram_cp_s  sts_ram_cp_t;

struct sts_ram_cp_s {
    sts_ram_cp_t     *next;
    sts_policy_t     *policy;
};


typedef struct sts_ram_account_s  sts_ram_account_t;

typedef struct {
    const char       *name;
    const char       *text;            /* compact JSON */
    sts_policy_t     *compiled;
} sts_ram_policy_t;

typedef struct {
    const char                 *name;
    const char                 *id;
    const char                 *arn;
    const sts_policy_t        **policies;
    size_t                      num_policies;
    sts_ram_account_t          *account;
} sts_ram_user_t;

typedef struct {
    const char                 *id;
    char                       *secret;
    size_t                      secret_len;
    int                         active;
    sts_ram_account_t          *account;
    sts_ram_user_t             *user;         /* NULL: root */
} sts_ram_key_t;

typedef struct {
    const char                 *name;
    const char                 *lname;
    const char                 *id;
    const char                 *arn;
    const char                 *description;
    int64_t                     max_session;
    sts_policy_t               *trust;
    const sts_policy_t        **policies;
    const char                **names;
    const char                **texts;
    size_t                      num_policies;
    sts_ram_account_t          *account;
} sts_ram_role_int_t;

struct sts_ram_account_s {
    const char                 *id;
    const char                 *alias;
    const char                 *root_arn;
    sts_ram_policy_t           *policies;
    size_t                      num_policies;
    sts_ram_user_t             *users;
    size_t                      num_users;
    sts_ram_role_int_t         *roles;
    size_t                      num_roles;
};

struct sts_ram_s {
    const sts_allocator_t      *a;
    sts_ram_blk_t              *blocks;
    sts_ram_cp_t               *compiled;
    sts_ram_account_t          *accounts;
    size_t                      num_accounts;
    sts_ram_policy_t            system[3];
    sts_ram_key_t             **keys;         /* sorted by id */
    size_t                      num_keys;
    sts_ram_role_int_t        **roles;        /* by account, lname */
    size_t                      num_roles;
    size_t                      num_users;
};


typedef struct {
    sts_ram_t                  *ram;
    char                       *err;
    size_t                      err_len;
    char                        path[STS_RAM_PATH_LEN];
    size_t                      path_len;
} sts_ram_ctx_t;


static const struct {
    const char  *name;
    const char  *text;
} sts_ram_system_policies[3] = {

    /* content not captured from RAM: oss:* on * (PROTOCOL 6.7, 11.12) */
    { "AliyunOSSFullAccess",
      "{\"Statement\":[{\"Action\":\"oss:*\",\"Effect\":\"Allow\","
      "\"Resource\":\"*\"}],\"Version\":\"1\"}" },

    { "AliyunOSSReadOnlyAccess",
      "{\"Statement\":[{\"Action\":[\"oss:Get*\",\"oss:List*\"],"
      "\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"1\"}" },

    { "AliyunSTSAssumeRoleAccess",
      "{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\","
      "\"Resource\":\"*\"}],\"Version\":\"1\"}" }
};


static void *sts_ram_alloc(sts_ram_t *ram, size_t size);
static char *sts_ram_strdup(sts_ram_t *ram, const char *s, size_t len);
static char *sts_ram_printf(sts_ram_t *ram, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int sts_ram_fail(sts_ram_ctx_t *ctx, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static size_t sts_ram_push(sts_ram_ctx_t *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void sts_ram_pop(sts_ram_ctx_t *ctx, size_t len);
static int sts_ram_chars_ok(const char *s, size_t len, int set);
static int sts_ram_members(sts_ram_ctx_t *ctx, json_t *o,
    const char *const *allowed);
static int sts_ram_string(sts_ram_ctx_t *ctx, json_t *o, const char *name,
    int required, size_t min, size_t max, int set, const char **out);
static int sts_ram_array(sts_ram_ctx_t *ctx, json_t *o, const char *name,
    size_t max, json_t **out);
static int sts_ram_document(sts_ram_ctx_t *ctx, json_t *o, const char *name,
    int kind, const char **text, sts_policy_t **out);
static int sts_ram_derive_id(char *out, size_t out_len, char lead,
    int digits, const char *kind, const char *acct, const char *lname);
static char *sts_ram_lower(sts_ram_t *ram, const char *s);
static const sts_policy_t *sts_ram_resolve(sts_ram_t *ram,
    sts_ram_account_t *acct, const char *name, const char **text);
static int sts_ram_attached(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct, const sts_policy_t ***policies,
    const char ***names, const char ***texts, size_t *num);
static int sts_ram_keys(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct, sts_ram_user_t *user);
static int sts_ram_parse_policy(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct, sts_ram_policy_t *p);
static int sts_ram_parse_user(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct, sts_ram_user_t *u);
static int sts_ram_parse_role(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct, sts_ram_role_int_t *r);
static int sts_ram_parse_account(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct);
static int sts_ram_account_policies(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct);
static int sts_ram_account_users(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct);
static int sts_ram_account_roles(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct);
static int sts_ram_index(sts_ram_ctx_t *ctx);
static int sts_ram_assume_params(const sts_allocator_t *a,
    const sts_ram_assume_t *req, char *arn, uint64_t *duration,
    const sts_pop_error_t **err, char *why, size_t why_len);
static int sts_ram_new_session(const sts_allocator_t *a,
    const sts_ram_caller_t *caller, const sts_ram_assume_t *req,
    const sts_ram_role_int_t *role, uint64_t duration, sts_session_t **out,
    char *why, size_t why_len);
static void sts_ram_wipe_json(json_t *v);
static const char *sts_ram_set_name(int set);
static int sts_ram_name_cmp(const void *a, const void *b);
static int sts_ram_unique(sts_ram_ctx_t *ctx, const char *what,
    const void *base, size_t n, size_t stride);
static const char *sts_ram_key_owner(const sts_ram_key_t *k, char *buf,
    size_t len);
static int sts_ram_has_prefix(sts_str_t s, const char *prefix);
static int sts_ram_key_cmp(const void *a, const void *b);
static int sts_ram_role_cmp(const void *a, const void *b);
static int sts_ram_role_key_cmp(const char *acct, size_t acct_len,
    const char *lname, size_t lname_len, const sts_ram_role_int_t *r);
static const sts_ram_role_int_t *sts_ram_lookup_role(const sts_ram_t *ram,
    const char *arn);
static int sts_ram_check_chars(sts_str_t s, size_t min, size_t max,
    const char *extra);
static void sts_ram_why(char *why, size_t why_len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;


/* memory */

static void *
sts_ram_alloc(sts_ram_t *ram, size_t size)
{
    sts_ram_blk_t  *b;

    if (size > ((size_t) -1) / 2) {
        return NULL;
    }

    b = sts_alloc(ram->a, offsetof(sts_ram_blk_t, data) + size);
    if (b == NULL) {
        return NULL;
    }

    memset(b->data, 0, size);
    b->size = size;
    b->next = ram->blocks;
    ram->blocks = b;

    return b->data;
}


static char *
sts_ram_strdup(sts_ram_t *ram, const char *s, size_t len)
{
    char  *p;

    if (len == (size_t) -1) {
        return NULL;
    }

    p = sts_ram_alloc(ram, len + 1);
    if (p != NULL && len) {
        memcpy(p, s, len);
    }

    return p;
}


static char *
sts_ram_printf(sts_ram_t *ram, const char *fmt, ...)
{
    int       n;
    char     *p;
    va_list   ap;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    if (n < 0) {
        return NULL;
    }

    p = sts_ram_alloc(ram, (size_t) n + 1);
    if (p == NULL) {
        return NULL;
    }

    va_start(ap, fmt);
    vsnprintf(p, (size_t) n + 1, fmt, ap);
    va_end(ap);

    return p;
}


void
sts_ram_free(const sts_allocator_t *a, sts_ram_t *ram)
{
    sts_ram_blk_t  *b, *next;
    sts_ram_cp_t   *cp;

    if (ram == NULL) {
        return;
    }

    for (cp = ram->compiled; cp != NULL; cp = cp->next) {
        sts_policy_free(a, cp->policy);
    }

    /* secrets live in the blocks: wipe them all */
    for (b = ram->blocks; b != NULL; b = next) {
        next = b->next;
        sts_wipe(b->data, b->size);
        sts_free(a, b);
    }

    sts_wipe(ram, sizeof(sts_ram_t));
    sts_free(a, ram);
}


void
sts_ram_counts(const sts_ram_t *ram, size_t *accounts, size_t *users,
    size_t *roles, size_t *keys)
{
    if (accounts != NULL) {
        *accounts = ram ? ram->num_accounts : 0;
    }

    if (users != NULL) {
        *users = ram ? ram->num_users : 0;
    }

    if (roles != NULL) {
        *roles = ram ? ram->num_roles : 0;
    }

    if (keys != NULL) {
        *keys = ram ? ram->num_keys : 0;
    }
}


/* messages that name the entry */

static int
sts_ram_fail(sts_ram_ctx_t *ctx, int rc, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    if (ctx->err == NULL || ctx->err_len == 0) {
        return rc;
    }

    n = 0;

    if (ctx->path_len) {
        n = snprintf(ctx->err, ctx->err_len, "%s: ", ctx->path);
        if (n < 0 || (size_t) n >= ctx->err_len) {
            return rc;
        }
    }

    va_start(ap, fmt);
    vsnprintf(ctx->err + n, ctx->err_len - (size_t) n, fmt, ap);
    va_end(ap);

    return rc;
}


static size_t
sts_ram_push(sts_ram_ctx_t *ctx, const char *fmt, ...)
{
    int      n;
    size_t   old;
    va_list  ap;

    old = ctx->path_len;

    va_start(ap, fmt);
    n = vsnprintf(ctx->path + old, sizeof(ctx->path) - old, fmt, ap);
    va_end(ap);

    if (n > 0) {
        ctx->path_len += (size_t) n;
        if (ctx->path_len >= sizeof(ctx->path)) {
            ctx->path_len = sizeof(ctx->path) - 1;
        }
    }

    return old;
}


static void
sts_ram_pop(sts_ram_ctx_t *ctx, size_t len)
{
    ctx->path_len = len;
    ctx->path[len] = '\0';
}


/* validation helpers */

static int
sts_ram_chars_ok(const char *s, size_t len, int set)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (set == STS_RAM_CHARS_ANY) {
            if (c < 0x20 || c == 0x7f) {
                return 0;
            }

            continue;
        }

        if (set == STS_RAM_CHARS_SECRET) {
            if (c < 0x21 || c > 0x7e) {
                return 0;
            }

            continue;
        }

        if (c >= '0' && c <= '9') {
            continue;
        }

        if (set == STS_RAM_CHARS_DIGITS) {
            return 0;
        }

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            continue;
        }

        switch (set) {
        case STS_RAM_CHARS_ROLE:
            if (c == '.' || c == '-') {
                continue;
            }

            return 0;

        case STS_RAM_CHARS_USER:
            if (c == '.' || c == '-' || c == '_' || c == '@') {
                continue;
            }

            return 0;

        case STS_RAM_CHARS_POLICY:
            if (c == '-') {
                continue;
            }

            return 0;

        default:
            return 0;
        }
    }

    return 1;
}


static int
sts_ram_members(sts_ram_ctx_t *ctx, json_t *o, const char *const *allowed)
{
    size_t       i;
    json_t      *v;
    const char  *key;

    if (!json_is_object(o)) {
        return sts_ram_fail(ctx, STS_EINVAL, "must be an object");
    }

    json_object_foreach(o, key, v) {
        for (i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                break;
            }
        }

        if (allowed[i] == NULL) {
            return sts_ram_fail(ctx, STS_EINVAL, "unknown member \"%s\"",
                                key);
        }
    }

    return STS_OK;
}


static const char *
sts_ram_set_name(int set)
{
    switch (set) {
    case STS_RAM_CHARS_DIGITS:
        return "digits";
    case STS_RAM_CHARS_ROLE:
        return "[A-Za-z0-9.-]";
    case STS_RAM_CHARS_USER:
        return "[A-Za-z0-9._@-]";
    case STS_RAM_CHARS_POLICY:
        return "[A-Za-z0-9-]";
    case STS_RAM_CHARS_KEY_ID:
        return "[A-Za-z0-9]";
    case STS_RAM_CHARS_SECRET:
        return "printable ASCII without spaces";
    default:
        return "printable text";
    }
}


static int
sts_ram_string(sts_ram_ctx_t *ctx, json_t *o, const char *name,
    int required, size_t min, size_t max, int set, const char **out)
{
    json_t      *v;
    size_t       len;
    const char  *s;

    *out = NULL;

    v = json_object_get(o, name);
    if (v == NULL) {
        if (required) {
            return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" is required", name);
        }

        return STS_OK;
    }

    if (!json_is_string(v)) {
        return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" must be a string",
                            name);
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (len < min || len > max || memchr(s, '\0', len) != NULL) {
        return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" must be %zu to %zu "
                            "characters", name, min, max);
    }

    if (!sts_ram_chars_ok(s, len, set)) {
        return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" must be %s", name,
                            sts_ram_set_name(set));
    }

    *out = sts_ram_strdup(ctx->ram, s, len);
    if (*out == NULL) {
        return STS_ENOMEM;
    }

    return STS_OK;
}


static int
sts_ram_array(sts_ram_ctx_t *ctx, json_t *o, const char *name, size_t max,
    json_t **out)
{
    json_t  *v;

    *out = NULL;

    v = json_object_get(o, name);
    if (v == NULL) {
        return STS_OK;
    }

    if (!json_is_array(v)) {
        return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" must be an array",
                            name);
    }

    if (json_array_size(v) > max) {
        return sts_ram_fail(ctx, STS_ETOOBIG, "\"%s\" has more than %zu "
                            "entries", name, max);
    }

    *out = v;

    return STS_OK;
}


/* a policy document, as an object or as JSON text in a string */

static int
sts_ram_document(sts_ram_ctx_t *ctx, json_t *o, const char *name, int kind,
    const char **text, sts_policy_t **out)
{
    int            rc;
    char          *dump;
    char           perr[STS_POLICY_ERR_LEN];
    size_t         old;
    json_t        *v, *doc;
    json_error_t   jerr;
    sts_ram_cp_t  *cp;

    *out = NULL;
    *text = NULL;

    v = json_object_get(o, name);
    if (v == NULL) {
        return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" is required", name);
    }

    old = sts_ram_push(ctx, ".%s", name);

    if (json_is_string(v)) {
        doc = json_loadb(json_string_value(v), json_string_length(v),
                         JSON_REJECT_DUPLICATES, &jerr);
        if (doc == NULL) {
            rc = sts_ram_fail(ctx, STS_EINVAL, "not a JSON document: %s",
                              jerr.text);
            goto done;
        }

    } else if (json_is_object(v)) {
        doc = json_incref(v);

    } else {
        rc = sts_ram_fail(ctx, STS_EINVAL, "must be an object or a string");
        goto done;
    }

    dump = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);

    if (dump == NULL) {
        rc = STS_ENOMEM;
        goto done;
    }

    rc = sts_policy_compile(ctx->ram->a, dump, strlen(dump), kind, out, perr,
                            sizeof(perr));
    if (rc != STS_OK) {
        free(dump);
        rc = sts_ram_fail(ctx, rc, "%s", perr);
        goto done;
    }

    cp = sts_ram_alloc(ctx->ram, sizeof(sts_ram_cp_t));
    *text = sts_ram_strdup(ctx->ram, dump, strlen(dump));
    free(dump);

    if (cp == NULL || *text == NULL) {
        sts_policy_free(ctx->ram->a, *out);
        *out = NULL;
        rc = STS_ENOMEM;
        goto done;
    }

    cp->policy = *out;
    cp->next = ctx->ram->compiled;
    ctx->ram->compiled = cp;

    rc = STS_OK;

done:

    sts_ram_pop(ctx, old);

    return rc;
}


/*
 * A stable numeric id when the directory gives none: |lead| then
 * |digits| decimal digits from SHA-256("<kind>:<acct>:<lname>").
 */
static int
sts_ram_derive_id(char *out, size_t out_len, char lead, int digits,
    const char *kind, const char *acct, const char *lname)
{
    int            i;
    char           buf[STS_RAM_ARN_MAX];
    uint64_t       v, m;
    unsigned int   n;
    unsigned char  md[EVP_MAX_MD_SIZE];

    snprintf(buf, sizeof(buf), "%s:%s:%s", kind, acct, lname);

    if (EVP_Digest(buf, strlen(buf), md, &n, EVP_sha256(), NULL) != 1
        || n < 8)
    {
        ERR_clear_error();
        return STS_ECRYPTO;
    }

    v = 0;
    for (i = 0; i < 8; i++) {
        v = (v << 8) | md[i];
    }

    m = 1;
    for (i = 0; i < digits; i++) {
        m *= 10;
    }

    snprintf(out, out_len, "%c%0*llu", lead, digits,
             (unsigned long long) (v % m));

    return STS_OK;
}


static char *
sts_ram_lower(sts_ram_t *ram, const char *s)
{
    char    *p;
    size_t   i, n;

    n = strlen(s);
    p = sts_ram_strdup(ram, s, n);
    if (p == NULL) {
        return NULL;
    }

    for (i = 0; i < n; i++) {
        if (p[i] >= 'A' && p[i] <= 'Z') {
            p[i] = (char) (p[i] - 'A' + 'a');
        }
    }

    return p;
}


static const sts_policy_t *
sts_ram_resolve(sts_ram_t *ram, sts_ram_account_t *acct, const char *name,
    const char **text)
{
    size_t  i;

    for (i = 0; i < acct->num_policies; i++) {
        if (strcmp(acct->policies[i].name, name) == 0) {
            *text = acct->policies[i].text;
            return acct->policies[i].compiled;
        }
    }

    for (i = 0; i < 3; i++) {
        if (strcmp(ram->system[i].name, name) == 0) {
            *text = ram->system[i].text;
            return ram->system[i].compiled;
        }
    }

    return NULL;
}


static int
sts_ram_attached(sts_ram_ctx_t *ctx, json_t *o, sts_ram_account_t *acct,
    const sts_policy_t ***policies, const char ***names, const char ***texts,
    size_t *num)
{
    int                   rc;
    size_t                i, j, n, old;
    json_t               *arr, *v;
    const char           *name, *text;
    const sts_policy_t   *p;

    *num = 0;

    rc = sts_ram_array(ctx, o, "AttachedPolicies", STS_RAM_MAX_ATTACHED,
                       &arr);
    if (rc != STS_OK) {
        return rc;
    }

    n = arr ? json_array_size(arr) : 0;

    *policies = sts_ram_alloc(ctx->ram, (n + 1) * sizeof(sts_policy_t *));
    *names = sts_ram_alloc(ctx->ram, (n + 1) * sizeof(char *));
    *texts = sts_ram_alloc(ctx->ram, (n + 1) * sizeof(char *));

    if (*policies == NULL || *names == NULL || *texts == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        v = json_array_get(arr, i);
        old = sts_ram_push(ctx, ".AttachedPolicies[%zu]", i);

        if (!json_is_string(v)) {
            rc = sts_ram_fail(ctx, STS_EINVAL, "must be a policy name");
            sts_ram_pop(ctx, old);
            return rc;
        }

        name = json_string_value(v);
        p = sts_ram_resolve(ctx->ram, acct, name, &text);

        if (p == NULL) {
            rc = sts_ram_fail(ctx, STS_EINVAL, "no custom or system policy "
                              "named \"%s\"", name);
            sts_ram_pop(ctx, old);
            return rc;
        }

        for (j = 0; j < i; j++) {
            if (strcmp((*names)[j], name) == 0) {
                rc = sts_ram_fail(ctx, STS_EINVAL, "\"%s\" is attached "
                                  "twice", name);
                sts_ram_pop(ctx, old);
                return rc;
            }
        }

        sts_ram_pop(ctx, old);

        (*policies)[i] = p;
        (*names)[i] = sts_ram_strdup(ctx->ram, name, strlen(name));
        (*texts)[i] = text;

        if ((*names)[i] == NULL) {
            return STS_ENOMEM;
        }
    }

    *num = n;

    return STS_OK;
}


static int
sts_ram_keys(sts_ram_ctx_t *ctx, json_t *o, sts_ram_account_t *acct,
    sts_ram_user_t *user)
{
    int             rc;
    size_t          i, n, old;
    json_t         *arr, *k, *st;
    const char     *id, *secret;
    sts_ram_key_t  *key, **grown;

    static const char *const  members[] = {
        "AccessKeyId", "AccessKeySecret", "Status", "Description", NULL
    };

    rc = sts_ram_array(ctx, o, "AccessKeys", STS_RAM_MAX_KEYS, &arr);
    if (rc != STS_OK || arr == NULL) {
        return rc;
    }

    n = json_array_size(arr);

    grown = sts_ram_alloc(ctx->ram,
                          (ctx->ram->num_keys + n + 1) * sizeof(void *));
    if (grown == NULL) {
        return STS_ENOMEM;
    }

    if (ctx->ram->num_keys) {
        memcpy(grown, ctx->ram->keys, ctx->ram->num_keys * sizeof(void *));
    }

    ctx->ram->keys = grown;

    for (i = 0; i < n; i++) {
        k = json_array_get(arr, i);
        old = sts_ram_push(ctx, ".AccessKeys[%zu]", i);

        rc = sts_ram_members(ctx, k, members);
        if (rc != STS_OK) {
            return rc;
        }

        rc = sts_ram_string(ctx, k, "AccessKeyId", 1, 8, 64,
                            STS_RAM_CHARS_KEY_ID, &id);
        if (rc != STS_OK) {
            return rc;
        }

        sts_ram_pop(ctx, old);
        sts_ram_push(ctx, ".AccessKeys[%zu](%s)", i, id);

        rc = sts_ram_string(ctx, k, "AccessKeySecret", 1, 16,
                            STS_POP_SECRET_MAX, STS_RAM_CHARS_SECRET,
                            &secret);
        if (rc != STS_OK) {
            return rc;
        }

        key = sts_ram_alloc(ctx->ram, sizeof(sts_ram_key_t));
        if (key == NULL) {
            return STS_ENOMEM;
        }

        key->id = id;
        key->secret = (char *) secret;
        key->secret_len = strlen(secret);
        key->account = acct;
        key->user = user;
        key->active = 1;

        st = json_object_get(k, "Status");
        if (st != NULL) {
            if (json_is_string(st)
                && strcmp(json_string_value(st), "Inactive") == 0)
            {
                key->active = 0;

            } else if (!json_is_string(st)
                       || strcmp(json_string_value(st), "Active") != 0)
            {
                return sts_ram_fail(ctx, STS_EINVAL, "\"Status\" must be "
                                    "\"Active\" or \"Inactive\"");
            }
        }

        if (json_object_get(k, "Description") != NULL
            && !json_is_string(json_object_get(k, "Description")))
        {
            return sts_ram_fail(ctx, STS_EINVAL, "\"Description\" must be a "
                                "string");
        }

        ctx->ram->keys[ctx->ram->num_keys++] = key;
        sts_ram_pop(ctx, old);
    }

    return STS_OK;
}


static int
sts_ram_parse_policy(sts_ram_ctx_t *ctx, json_t *o, sts_ram_account_t *acct,
    sts_ram_policy_t *p)
{
    int          rc;
    size_t       i;
    const char  *desc;

    static const char *const  members[] = {
        "PolicyName", "Description", "PolicyDocument", NULL
    };

    if (!json_is_object(o)) {
        return sts_ram_fail(ctx, STS_EINVAL, "must be an object");
    }

    rc = sts_ram_string(ctx, o, "PolicyName", 1, 1, 128,
                        STS_RAM_CHARS_POLICY, &p->name);
    if (rc != STS_OK) {
        return rc;
    }

    for (i = 0; i < 3; i++) {
        if (strcasecmp(p->name, sts_ram_system_policies[i].name) == 0) {
            return sts_ram_fail(ctx, STS_EINVAL, "\"%s\" is the name of a "
                                "system policy", p->name);
        }
    }

    sts_ram_push(ctx, "(%s)", p->name);

    rc = sts_ram_members(ctx, o, members);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "Description", 0, 0, 1024,
                        STS_RAM_CHARS_ANY, &desc);
    if (rc != STS_OK) {
        return rc;
    }

    return sts_ram_document(ctx, o, "PolicyDocument", STS_POLICY_IDENTITY,
                            &p->text, &p->compiled);
}


static int
sts_ram_parse_user(sts_ram_ctx_t *ctx, json_t *o, sts_ram_account_t *acct,
    sts_ram_user_t *u)
{
    int            rc;
    char           id[32];
    const char    *display, *lname, **names, **texts;

    static const char *const  members[] = {
        "UserName", "UserId", "DisplayName", "Description", "AccessKeys",
        "AttachedPolicies", NULL
    };

    if (!json_is_object(o)) {
        return sts_ram_fail(ctx, STS_EINVAL, "must be an object");
    }

    rc = sts_ram_string(ctx, o, "UserName", 1, 1, 64, STS_RAM_CHARS_USER,
                        &u->name);
    if (rc != STS_OK) {
        return rc;
    }

    sts_ram_push(ctx, "(%s)", u->name);

    rc = sts_ram_members(ctx, o, members);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "UserId", 0, 1, 32, STS_RAM_CHARS_DIGITS,
                        &u->id);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "DisplayName", 0, 0, 128, STS_RAM_CHARS_ANY,
                        &display);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "Description", 0, 0, 1024,
                        STS_RAM_CHARS_ANY, &display);
    if (rc != STS_OK) {
        return rc;
    }

    u->account = acct;
    u->arn = sts_ram_printf(ctx->ram, "acs:ram::%s:user/%s", acct->id,
                            u->name);
    lname = sts_ram_lower(ctx->ram, u->name);

    if (u->arn == NULL || lname == NULL) {
        return STS_ENOMEM;
    }

    if (u->id == NULL) {
        rc = sts_ram_derive_id(id, sizeof(id), '2', 17, "user", acct->id,
                               lname);
        if (rc != STS_OK) {
            return rc;
        }

        u->id = sts_ram_strdup(ctx->ram, id, strlen(id));
        if (u->id == NULL) {
            return STS_ENOMEM;
        }
    }

    rc = sts_ram_attached(ctx, o, acct, &u->policies, &names, &texts,
                          &u->num_policies);
    if (rc != STS_OK) {
        return rc;
    }

    return sts_ram_keys(ctx, o, acct, u);
}


static int
sts_ram_parse_role(sts_ram_ctx_t *ctx, json_t *o, sts_ram_account_t *acct,
    sts_ram_role_int_t *r)
{
    int          rc;
    char         id[32];
    size_t       i, total;
    json_t      *v;
    json_int_t   d;

    static const char *const  members[] = {
        "RoleName", "RoleId", "Description", "MaxSessionDuration",
        "AssumeRolePolicyDocument", "AttachedPolicies", NULL
    };

    if (!json_is_object(o)) {
        return sts_ram_fail(ctx, STS_EINVAL, "must be an object");
    }

    rc = sts_ram_string(ctx, o, "RoleName", 1, 1, 64, STS_RAM_CHARS_ROLE,
                        &r->name);
    if (rc != STS_OK) {
        return rc;
    }

    sts_ram_push(ctx, "(%s)", r->name);

    rc = sts_ram_members(ctx, o, members);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "RoleId", 0, 1, 32, STS_RAM_CHARS_DIGITS,
                        &r->id);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "Description", 0, 0, 1024,
                        STS_RAM_CHARS_ANY, &r->description);
    if (rc != STS_OK) {
        return rc;
    }

    if (r->description == NULL) {
        r->description = "";
    }

    r->max_session = STS_RAM_MAX_SESSION_MIN;

    v = json_object_get(o, "MaxSessionDuration");
    if (v != NULL) {
        d = json_is_integer(v) ? json_integer_value(v) : 0;

        if (d < STS_RAM_MAX_SESSION_MIN || d > STS_RAM_MAX_SESSION_MAX) {
            return sts_ram_fail(ctx, STS_EINVAL, "\"MaxSessionDuration\" "
                                "must be an integer from %d to %d",
                                STS_RAM_MAX_SESSION_MIN,
                                STS_RAM_MAX_SESSION_MAX);
        }

        r->max_session = (int64_t) d;
    }

    r->account = acct;
    r->lname = sts_ram_lower(ctx->ram, r->name);
    if (r->lname == NULL) {
        return STS_ENOMEM;
    }

    r->arn = sts_ram_printf(ctx->ram, "acs:ram::%s:role/%s", acct->id,
                            r->lname);
    if (r->arn == NULL) {
        return STS_ENOMEM;
    }

    if (r->id == NULL) {
        rc = sts_ram_derive_id(id, sizeof(id), '3', 18, "role", acct->id,
                               r->lname);
        if (rc != STS_OK) {
            return rc;
        }

        r->id = sts_ram_strdup(ctx->ram, id, strlen(id));
        if (r->id == NULL) {
            return STS_ENOMEM;
        }
    }

    {
        const char  *text;

        rc = sts_ram_document(ctx, o, "AssumeRolePolicyDocument",
                              STS_POLICY_TRUST, &text, &r->trust);
        if (rc != STS_OK) {
            return rc;
        }
    }

    rc = sts_ram_attached(ctx, o, acct, &r->policies, &r->names, &r->texts,
                          &r->num_policies);
    if (rc != STS_OK) {
        return rc;
    }

    total = 0;
    for (i = 0; i < r->num_policies; i++) {
        total += strlen(r->texts[i]);
    }

    if (total > STS_RAM_ROLE_POLICIES_MAX) {
        return sts_ram_fail(ctx, STS_ETOOBIG, "the attached policies are %zu "
                            "bytes of JSON; a SecurityToken carries at most "
                            "%d", total, STS_RAM_ROLE_POLICIES_MAX);
    }

    return STS_OK;
}


static int
sts_ram_name_cmp(const void *a, const void *b)
{
    return strcasecmp(*(const char * const *) a, *(const char * const *) b);
}


/* fails if two of |n| names (at |names|, |stride| bytes apart) clash */
static int
sts_ram_unique(sts_ram_ctx_t *ctx, const char *what, const void *base,
    size_t n, size_t stride)
{
    int           rc;
    size_t        i;
    const char  **sorted;

    if (n < 2) {
        return STS_OK;
    }

    sorted = sts_alloc(ctx->ram->a, n * sizeof(char *));
    if (sorted == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        sorted[i] = *(const char * const *) ((const char *) base
                                              + i * stride);
    }

    qsort(sorted, n, sizeof(char *), sts_ram_name_cmp);

    rc = STS_OK;

    for (i = 1; i < n; i++) {
        if (strcasecmp(sorted[i - 1], sorted[i]) == 0) {
            rc = sts_ram_fail(ctx, STS_EDUP, "%s \"%s\" is given twice "
                              "(names compare ignoring case)", what,
                              sorted[i]);
            break;
        }
    }

    sts_free(ctx->ram->a, sorted);

    return rc;
}


static int
sts_ram_parse_account(sts_ram_ctx_t *ctx, json_t *o, sts_ram_account_t *acct)
{
    int          rc;

    static const char *const  members[] = {
        "AccountId", "Alias", "Description", "AccessKeys", "Policies",
        "Users", "Roles", NULL
    };

    if (!json_is_object(o)) {
        return sts_ram_fail(ctx, STS_EINVAL, "must be an object");
    }

    rc = sts_ram_string(ctx, o, "AccountId", 1, 1, 32, STS_RAM_CHARS_DIGITS,
                        &acct->id);
    if (rc != STS_OK) {
        return rc;
    }

    sts_ram_push(ctx, "(%s)", acct->id);

    rc = sts_ram_members(ctx, o, members);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_string(ctx, o, "Alias", 0, 1, 64, STS_RAM_CHARS_ROLE,
                        &acct->alias);
    if (rc != STS_OK) {
        return rc;
    }

    if (acct->alias == NULL) {
        acct->alias = "";
    }

    {
        const char  *desc;

        rc = sts_ram_string(ctx, o, "Description", 0, 0, 1024,
                            STS_RAM_CHARS_ANY, &desc);
        if (rc != STS_OK) {
            return rc;
        }
    }

    acct->root_arn = sts_ram_printf(ctx->ram, "acs:ram::%s:root", acct->id);
    if (acct->root_arn == NULL) {
        return STS_ENOMEM;
    }

    /* root keys */

    rc = sts_ram_keys(ctx, o, acct, NULL);
    if (rc != STS_OK) {
        return rc;
    }

    /* custom policies first: users and roles refer to them */

    rc = sts_ram_account_policies(ctx, o, acct);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_account_users(ctx, o, acct);
    if (rc != STS_OK) {
        return rc;
    }

    return sts_ram_account_roles(ctx, o, acct);
}


/* the account's custom policies, unique by name */

static int
sts_ram_account_policies(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct)
{
    int      rc;
    size_t   i, n, old;
    json_t  *arr;

    rc = sts_ram_array(ctx, o, "Policies", STS_RAM_MAX_ENTRIES, &arr);
    if (rc != STS_OK) {
        return rc;
    }

    n = arr ? json_array_size(arr) : 0;
    acct->policies = sts_ram_alloc(ctx->ram,
                                   (n + 1) * sizeof(sts_ram_policy_t));
    if (acct->policies == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        old = sts_ram_push(ctx, ".Policies[%zu]", i);
        rc = sts_ram_parse_policy(ctx, json_array_get(arr, i), acct,
                                  &acct->policies[i]);
        if (rc != STS_OK) {
            return rc;
        }

        acct->num_policies++;
        sts_ram_pop(ctx, old);
    }

    old = sts_ram_push(ctx, ".Policies");
    rc = sts_ram_unique(ctx, "PolicyName", &acct->policies[0].name, n,
                        sizeof(sts_ram_policy_t));
    if (rc != STS_OK) {
        return rc;
    }

    sts_ram_pop(ctx, old);

    return STS_OK;
}


/* the account's users, unique by name */

static int
sts_ram_account_users(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct)
{
    int      rc;
    size_t   i, n, old;
    json_t  *arr;

    rc = sts_ram_array(ctx, o, "Users", STS_RAM_MAX_ENTRIES, &arr);
    if (rc != STS_OK) {
        return rc;
    }

    n = arr ? json_array_size(arr) : 0;
    acct->users = sts_ram_alloc(ctx->ram, (n + 1) * sizeof(sts_ram_user_t));
    if (acct->users == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        old = sts_ram_push(ctx, ".Users[%zu]", i);
        rc = sts_ram_parse_user(ctx, json_array_get(arr, i), acct,
                                &acct->users[i]);
        if (rc != STS_OK) {
            return rc;
        }

        acct->num_users++;
        sts_ram_pop(ctx, old);
    }

    old = sts_ram_push(ctx, ".Users");
    rc = sts_ram_unique(ctx, "UserName", &acct->users[0].name, n,
                        sizeof(sts_ram_user_t));
    if (rc != STS_OK) {
        return rc;
    }

    sts_ram_pop(ctx, old);
    ctx->ram->num_users += n;

    return STS_OK;
}


/* the account's roles, unique by name */

static int
sts_ram_account_roles(sts_ram_ctx_t *ctx, json_t *o,
    sts_ram_account_t *acct)
{
    int      rc;
    size_t   i, n, old;
    json_t  *arr;

    rc = sts_ram_array(ctx, o, "Roles", STS_RAM_MAX_ENTRIES, &arr);
    if (rc != STS_OK) {
        return rc;
    }

    n = arr ? json_array_size(arr) : 0;
    acct->roles = sts_ram_alloc(ctx->ram,
                                (n + 1) * sizeof(sts_ram_role_int_t));
    if (acct->roles == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        old = sts_ram_push(ctx, ".Roles[%zu]", i);
        rc = sts_ram_parse_role(ctx, json_array_get(arr, i), acct,
                                &acct->roles[i]);
        if (rc != STS_OK) {
            return rc;
        }

        acct->num_roles++;
        sts_ram_pop(ctx, old);
    }

    old = sts_ram_push(ctx, ".Roles");
    rc = sts_ram_unique(ctx, "RoleName", &acct->roles[0].name, n,
                        sizeof(sts_ram_role_int_t));
    if (rc != STS_OK) {
        return rc;
    }

    sts_ram_pop(ctx, old);

    return STS_OK;
}


/* indexes: keys by id, roles by account and lower-case name */

static int
sts_ram_key_cmp(const void *a, const void *b)
{
    const sts_ram_key_t  *ka, *kb;

    ka = *(const sts_ram_key_t * const *) a;
    kb = *(const sts_ram_key_t * const *) b;

    return strcmp(ka->id, kb->id);
}


static int
sts_ram_role_cmp(const void *a, const void *b)
{
    int                        rc;
    const sts_ram_role_int_t  *ra, *rb;

    ra = *(const sts_ram_role_int_t * const *) a;
    rb = *(const sts_ram_role_int_t * const *) b;

    rc = strcmp(ra->account->id, rb->account->id);
    if (rc != 0) {
        return rc;
    }

    return strcmp(ra->lname, rb->lname);
}


static const char *
sts_ram_key_owner(const sts_ram_key_t *k, char *buf, size_t len)
{
    if (k->user != NULL) {
        snprintf(buf, len, "account %s, user %s", k->account->id,
                 k->user->name);

    } else {
        snprintf(buf, len, "account %s, root", k->account->id);
    }

    return buf;
}


static int
sts_ram_index(sts_ram_ctx_t *ctx)
{
    size_t      i, j, n;
    char        o1[160], o2[160];
    sts_ram_t  *ram;

    ram = ctx->ram;

    if (ram->num_keys > 1) {
        qsort(ram->keys, ram->num_keys, sizeof(sts_ram_key_t *),
              sts_ram_key_cmp);

        for (i = 1; i < ram->num_keys; i++) {
            if (strcmp(ram->keys[i - 1]->id, ram->keys[i]->id) == 0) {
                return sts_ram_fail(ctx, STS_EDUP, "AccessKeyId \"%s\" is "
                                    "given twice (%s; %s)", ram->keys[i]->id,
                                    sts_ram_key_owner(ram->keys[i - 1], o1,
                                                      sizeof(o1)),
                                    sts_ram_key_owner(ram->keys[i], o2,
                                                      sizeof(o2)));
            }
        }
    }

    n = 0;
    for (i = 0; i < ram->num_accounts; i++) {
        n += ram->accounts[i].num_roles;
    }

    ram->roles = sts_ram_alloc(ram, (n + 1) * sizeof(sts_ram_role_int_t *));
    if (ram->roles == NULL) {
        return STS_ENOMEM;
    }

    n = 0;
    for (i = 0; i < ram->num_accounts; i++) {
        for (j = 0; j < ram->accounts[i].num_roles; j++) {
            ram->roles[n++] = &ram->accounts[i].roles[j];
        }
    }

    ram->num_roles = n;
    qsort(ram->roles, n, sizeof(sts_ram_role_int_t *), sts_ram_role_cmp);

    return STS_OK;
}


/* the parsed JSON holds the secrets too: wipe them before it goes */
static void
sts_ram_wipe_json(json_t *v)
{
    size_t       i;
    json_t      *m;
    const char  *key;

    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++) {
            sts_ram_wipe_json(json_array_get(v, i));
        }

        return;
    }

    if (!json_is_object(v)) {
        return;
    }

    json_object_foreach(v, key, m) {
        if (json_is_string(m) && strcmp(key, "AccessKeySecret") == 0) {
            /* jansson owns the bytes; they are freed right after this */
            sts_wipe((char *) json_string_value(m), json_string_length(m));

        } else {
            sts_ram_wipe_json(m);
        }
    }
}


int
sts_ram_parse(const sts_allocator_t *a, const char *json, size_t len,
    sts_ram_t **out, char *err, size_t err_len)
{
    int             rc;
    char            perr[STS_POLICY_ERR_LEN];
    size_t          i, j, n, old;
    json_t         *root, *arr, *v;
    sts_ram_t      *ram;
    json_error_t    jerr;
    sts_ram_ctx_t   ctx;

    static const char *const  members[] = { "Accounts", NULL };

    *out = NULL;

    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }

    if (len > STS_RAM_FILE_MAX) {
        snprintf(err, err_len, "larger than %d bytes", STS_RAM_FILE_MAX);
        return STS_ETOOBIG;
    }

    ram = sts_calloc(a, sizeof(sts_ram_t));
    if (ram == NULL) {
        return STS_ENOMEM;
    }

    ram->a = a;

    memset(&ctx, 0, sizeof(ctx));
    ctx.ram = ram;
    ctx.err = err;
    ctx.err_len = err_len;

    root = NULL;

    /* the system policies */

    for (i = 0; i < 3; i++) {
        ram->system[i].name = sts_ram_system_policies[i].name;
        ram->system[i].text = sts_ram_system_policies[i].text;

        rc = sts_policy_compile(a, ram->system[i].text,
                                strlen(ram->system[i].text),
                                STS_POLICY_IDENTITY, &ram->system[i].compiled,
                                perr, sizeof(perr));
        if (rc != STS_OK) {
            snprintf(err, err_len, "system policy %s: %s",
                     ram->system[i].name, perr);
            goto failed;
        }

        {
            sts_ram_cp_t  *cp;

            cp = sts_ram_alloc(ram, sizeof(sts_ram_cp_t));
            if (cp == NULL) {
                sts_policy_free(a, ram->system[i].compiled);
                rc = STS_ENOMEM;
                goto failed;
            }

            cp->policy = ram->system[i].compiled;
            cp->next = ram->compiled;
            ram->compiled = cp;
        }
    }

    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(err, err_len, "line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        rc = STS_EINVAL;
        goto failed;
    }

    rc = sts_ram_members(&ctx, root, members);
    if (rc != STS_OK) {
        goto failed;
    }

    v = json_object_get(root, "Accounts");
    if (v == NULL) {
        rc = sts_ram_fail(&ctx, STS_EINVAL, "\"Accounts\" is required");
        goto failed;
    }

    rc = sts_ram_array(&ctx, root, "Accounts", STS_RAM_MAX_ACCOUNTS, &arr);
    if (rc != STS_OK) {
        goto failed;
    }

    n = json_array_size(arr);
    ram->accounts = sts_ram_alloc(ram, (n + 1) * sizeof(sts_ram_account_t));
    if (ram->accounts == NULL) {
        rc = STS_ENOMEM;
        goto failed;
    }

    for (i = 0; i < n; i++) {
        old = sts_ram_push(&ctx, "Accounts[%zu]", i);

        rc = sts_ram_parse_account(&ctx, json_array_get(arr, i),
                                   &ram->accounts[i]);
        if (rc != STS_OK) {
            goto failed;
        }

        for (j = 0; j < i; j++) {
            if (strcmp(ram->accounts[j].id, ram->accounts[i].id) == 0) {
                rc = sts_ram_fail(&ctx, STS_EDUP, "AccountId is also "
                                  "Accounts[%zu]'s", j);
                goto failed;
            }
        }

        ram->num_accounts++;
        sts_ram_pop(&ctx, old);
    }

    rc = sts_ram_index(&ctx);
    if (rc != STS_OK) {
        goto failed;
    }

    sts_ram_wipe_json(root);
    json_decref(root);

    *out = ram;

    return STS_OK;

failed:

    if (rc == STS_ENOMEM && err != NULL && err_len > 0) {
        snprintf(err, err_len, "out of memory");
    }

    sts_ram_wipe_json(root);
    json_decref(root);
    sts_ram_free(a, ram);

    return rc;
}


int
sts_ram_load(const sts_allocator_t *a, const char *path, sts_ram_t **out,
    char *err, size_t err_len)
{
    int      rc;
    char    *buf;
    char     why[STS_RAM_ERR_LEN];
    size_t   len;

    *out = NULL;

    rc = sts_read_private_file(a, path, "directory",
                               "holds AccessKey secrets and ",
                               STS_RAM_FILE_MAX, &buf, &len, err, err_len);
    if (rc != STS_OK) {
        return rc;
    }

    rc = sts_ram_parse(a, buf, len, out, why, sizeof(why));
    if (rc != STS_OK) {
        snprintf(err, err_len, "directory \"%s\": %s", path, why);
    }

    sts_wipe(buf, len + 1);
    sts_free(a, buf);

    return rc;
}


/* lookups */

int
sts_ram_find_access_key(const sts_ram_t *ram, sts_str_t access_key_id,
    sts_ram_principal_t *out)
{
    int                   c;
    size_t                lo, hi, mid, n;
    const sts_ram_key_t  *k;

    memset(out, 0, sizeof(sts_ram_principal_t));

    if (ram == NULL || access_key_id.len == 0 || access_key_id.len > 64) {
        return STS_ENOTFOUND;
    }

    lo = 0;
    hi = ram->num_keys;
    k = NULL;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        n = strlen(ram->keys[mid]->id);

        c = memcmp(access_key_id.data, ram->keys[mid]->id,
                   access_key_id.len < n ? access_key_id.len : n);
        if (c == 0) {
            c = (access_key_id.len > n) - (access_key_id.len < n);
        }

        if (c == 0) {
            k = ram->keys[mid];
            break;
        }

        if (c < 0) {
            hi = mid;

        } else {
            lo = mid + 1;
        }
    }

    if (k == NULL) {
        return STS_ENOTFOUND;
    }

    out->account_id = k->account->id;
    out->access_key_id = k->id;
    out->secret.data = k->secret;
    out->secret.len = k->secret_len;
    out->active = k->active;

    if (k->user != NULL) {
        out->kind = STS_RAM_USER;
        out->user_name = k->user->name;
        out->user_id = k->user->id;
        out->arn = k->user->arn;
        out->policies = k->user->policies;
        out->num_policies = k->user->num_policies;

    } else {
        out->kind = STS_RAM_ROOT;
        out->user_id = k->account->id;
        out->arn = k->account->root_arn;
    }

    return k->active ? STS_OK : STS_EDENIED;
}


int
sts_ram_parse_role_arn(sts_str_t arn, char out[STS_RAM_ARN_MAX])
{
    size_t       i, acct_len, name_len;
    const char  *p, *end, *acct, *name;

    static const char  prefix[] = "acs:ram::";

    if (arn.len < sizeof(prefix) - 1 || arn.len >= STS_RAM_ARN_MAX
        || memcmp(arn.data, prefix, sizeof(prefix) - 1) != 0)
    {
        return STS_EINVAL;
    }

    p = arn.data + sizeof(prefix) - 1;
    end = arn.data + arn.len;
    acct = p;

    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }

    acct_len = (size_t) (p - acct);

    if (acct_len == 0 || acct_len > 32 || end - p < 7
        || memcmp(p, ":role/", 6) != 0)
    {
        return STS_EINVAL;
    }

    name = p + 6;
    name_len = (size_t) (end - name);

    if (name_len == 0 || name_len > 64
        || !sts_ram_chars_ok(name, name_len, STS_RAM_CHARS_ROLE))
    {
        return STS_EINVAL;
    }

    memcpy(out, arn.data, arn.len);
    out[arn.len] = '\0';

    for (i = (size_t) (name - arn.data); i < arn.len; i++) {
        if (out[i] >= 'A' && out[i] <= 'Z') {
            out[i] = (char) (out[i] - 'A' + 'a');
        }
    }

    return STS_OK;
}


static int
sts_ram_role_key_cmp(const char *acct, size_t acct_len, const char *lname,
    size_t lname_len, const sts_ram_role_int_t *r)
{
    int     c;
    size_t  n;

    n = strlen(r->account->id);
    c = memcmp(acct, r->account->id, acct_len < n ? acct_len : n);
    if (c == 0) {
        c = (acct_len > n) - (acct_len < n);
    }

    if (c != 0) {
        return c;
    }

    n = strlen(r->lname);
    c = memcmp(lname, r->lname, lname_len < n ? lname_len : n);
    if (c == 0) {
        c = (lname_len > n) - (lname_len < n);
    }

    return c;
}


/* |arn| is a normalised role ARN (sts_ram_parse_role_arn) */
static const sts_ram_role_int_t *
sts_ram_lookup_role(const sts_ram_t *ram, const char *arn)
{
    int          c;
    size_t       lo, hi, mid, acct_len;
    const char  *acct, *colon, *lname;

    acct = arn + 9;
    colon = strchr(acct, ':');
    if (colon == NULL) {
        return NULL;
    }

    acct_len = (size_t) (colon - acct);
    lname = colon + 6;

    lo = 0;
    hi = ram->num_roles;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        c = sts_ram_role_key_cmp(acct, acct_len, lname, strlen(lname),
                                 ram->roles[mid]);
        if (c == 0) {
            return ram->roles[mid];
        }

        if (c < 0) {
            hi = mid;

        } else {
            lo = mid + 1;
        }
    }

    return NULL;
}


int
sts_ram_find_role(const sts_ram_t *ram, sts_str_t role_arn,
    sts_ram_role_t *out)
{
    char                       arn[STS_RAM_ARN_MAX];
    const sts_ram_role_int_t  *r;

    memset(out, 0, sizeof(sts_ram_role_t));

    if (sts_ram_parse_role_arn(role_arn, arn) != STS_OK) {
        return STS_EINVAL;
    }

    r = ram ? sts_ram_lookup_role(ram, arn) : NULL;
    if (r == NULL) {
        return STS_ENOTFOUND;
    }

    out->account_id = r->account->id;
    out->name = r->name;
    out->arn = r->arn;
    out->role_id = r->id;
    out->description = r->description;
    out->max_session_duration = r->max_session;
    out->trust = r->trust;
    out->policies = r->policies;
    out->policy_names = r->names;
    out->policy_texts = r->texts;
    out->num_policies = r->num_policies;

    return STS_OK;
}


int
sts_ram_role_policies(const sts_ram_t *ram, sts_str_t role_arn,
    const sts_policy_t *const **out, size_t *num)
{
    int             rc;
    sts_ram_role_t  r;

    *out = NULL;
    *num = 0;

    rc = sts_ram_find_role(ram, role_arn, &r);
    if (rc != STS_OK) {
        return rc;
    }

    *out = r.policies;
    *num = r.num_policies;

    return STS_OK;
}


/* callers */

void
sts_ram_caller_from_key(sts_ram_caller_t *c, const sts_ram_principal_t *p)
{
    memset(c, 0, sizeof(sts_ram_caller_t));

    c->kind = p->kind;
    c->account_id = p->account_id;
    c->access_key_id = p->access_key_id;
    c->user_name = p->user_name;
    c->user_id = p->user_id;
    c->policies = p->policies;
    c->num_policies = p->num_policies;

    snprintf(c->principal_arn, sizeof(c->principal_arn), "%s", p->arn);
    snprintf(c->identity_arn, sizeof(c->identity_arn), "%s", p->arn);
}


int
sts_ram_caller_from_session(const sts_allocator_t *a, const sts_ram_t *ram,
    const sts_session_t *s, sts_ram_caller_t *c)
{
    int          rc, n;
    char         perr[STS_POLICY_ERR_LEN];
    sts_str_t    arn;
    const char  *name;

    memset(c, 0, sizeof(sts_ram_caller_t));

    c->kind = STS_RAM_ROLE_SESSION;
    c->account_id = s->account_id;
    c->access_key_id = s->access_key_id;
    c->role_id = s->role_id ? s->role_id : "";
    c->session_name = s->session_name;

    name = strstr(s->role_arn, ":role/");
    c->role_name = name ? name + 6 : s->role_arn;

    n = snprintf(c->principal_arn, sizeof(c->principal_arn), "%s",
                 s->role_arn);
    if (n < 0 || (size_t) n >= sizeof(c->principal_arn)) {
        return STS_EINVAL;
    }

    n = snprintf(c->identity_arn, sizeof(c->identity_arn),
                 "acs:ram::%s:assumed-role/%s/%s", s->account_id,
                 c->role_name, s->session_name);
    if (n < 0 || (size_t) n >= sizeof(c->identity_arn)) {
        return STS_EINVAL;
    }

    /* what the role may do now, not what it could when the token was made */
    arn.data = s->role_arn;
    arn.len = strlen(s->role_arn);

    if (sts_ram_role_policies(ram, arn, &c->policies, &c->num_policies)
        != STS_OK)
    {
        c->policies = NULL;
        c->num_policies = 0;
    }

    if (s->session_policy != NULL) {
        rc = sts_policy_compile(a, s->session_policy,
                                strlen(s->session_policy),
                                STS_POLICY_IDENTITY, &c->session_policy,
                                perr, sizeof(perr));
        if (rc != STS_OK) {
            c->session_policy = NULL;
            return rc == STS_ENOMEM ? STS_ENOMEM : STS_EINVAL;
        }
    }

    return STS_OK;
}


void
sts_ram_caller_release(const sts_allocator_t *a, sts_ram_caller_t *c)
{
    if (c == NULL) {
        return;
    }

    sts_policy_free(a, c->session_policy);
    c->session_policy = NULL;
}


/* AssumeRole */

static void
sts_ram_why(char *why, size_t why_len, const char *fmt, ...)
{
    va_list  ap;

    if (why == NULL || why_len == 0) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}


/* |s| is |min|..|max| bytes of [A-Za-z0-9] and the bytes of |extra| */
static int
sts_ram_check_chars(sts_str_t s, size_t min, size_t max, const char *extra)
{
    size_t  i;
    char    c;

    if (s.len < min || s.len > max) {
        return 0;
    }

    for (i = 0; i < s.len; i++) {
        c = s.data[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9'))
        {
            continue;
        }

        if (c == '\0' || strchr(extra, c) == NULL) {
            return 0;
        }
    }

    return 1;
}


static int
sts_ram_has_prefix(sts_str_t s, const char *prefix)
{
    size_t  n;

    n = strlen(prefix);

    return s.len >= n && strncasecmp(s.data, prefix, n) == 0;
}


int
sts_ram_assume_role(const sts_allocator_t *a, const sts_ram_t *ram,
    const sts_ram_caller_t *caller, const sts_ram_assume_t *req,
    sts_session_t **out, const sts_pop_error_t **err, char *why,
    size_t why_len)
{
    int                        rc;
    char                       arn[STS_RAM_ARN_MAX];
    char                       keys[96];
    size_t                     i, nkv;
    uint64_t                   duration;
    sts_str_t                  action, resource, principal;
    sts_policy_kv_t            kv[STS_RAM_MAX_CTX];
    sts_policy_ctx_t           pctx;
    sts_policy_result_t        res;
    const sts_ram_role_int_t  *role;

    *out = NULL;
    *err = &sts_pop_err_internal;

    if (why != NULL && why_len > 0) {
        why[0] = '\0';
    }

    /* 1. the parameters */

    rc = sts_ram_assume_params(a, req, arn, &duration, err, why, why_len);
    if (rc != STS_OK) {
        return rc;
    }

    /* 2. an account's root key may not assume roles */

    if (caller->kind == STS_RAM_ROOT) {
        *err = &sts_pop_err_no_permission;
        sts_ram_why(why, why_len, "%s is an account root key: a root key may "
                    "not assume roles", caller->access_key_id);
        return STS_EDENIED;
    }

    /* 3. the caller's own policies allow sts:AssumeRole on the role */

    nkv = req->num_kv < STS_RAM_MAX_CTX - 1 ? req->num_kv
                                            : STS_RAM_MAX_CTX - 1;
    for (i = 0; i < nkv; i++) {
        kv[i] = req->kv[i];
    }

    pctx.kv = kv;
    pctx.num_kv = nkv;

    action.data = "sts:AssumeRole";
    action.len = sizeof("sts:AssumeRole") - 1;
    resource.data = arn;
    resource.len = strlen(arn);

    rc = sts_policy_evaluate(caller->policies, caller->num_policies,
                             caller->session_policy, action, resource, &pctx,
                             &res);
    if (rc != STS_OK || res.decision != STS_POLICY_ALLOW) {
        *err = &sts_pop_err_no_permission;
        (void) sts_explain_missing(&res, keys, sizeof(keys));
        sts_ram_why(why, why_len, "the policies of %s do not allow "
                    "sts:AssumeRole on %s (%s)%s%s", caller->identity_arn,
                    arn, sts_policy_decision_name(res.decision),
                    keys[0] ? "; missing condition keys: " : "", keys);
        return STS_EDENIED;
    }

    /* 4. the role */

    role = ram ? sts_ram_lookup_role(ram, arn) : NULL;
    if (role == NULL) {
        *err = &sts_pop_err_role_not_found;
        sts_ram_why(why, why_len, "no role %s", arn);
        return STS_ENOTFOUND;
    }

    /* 5. its trust policy names the caller */

    if (req->external_id.len) {
        kv[nkv].key.data = "sts:ExternalId";
        kv[nkv].key.len = sizeof("sts:ExternalId") - 1;
        kv[nkv].value = req->external_id;
        nkv++;
        pctx.num_kv = nkv;
    }

    principal.data = caller->principal_arn;
    principal.len = strlen(caller->principal_arn);

    rc = sts_policy_evaluate_trust(role->trust, STS_PRINCIPAL_RAM, principal,
                                   &pctx, &res);
    if (rc != STS_OK || res.decision != STS_POLICY_ALLOW) {
        *err = &sts_pop_err_no_permission;
        (void) sts_explain_missing(&res, keys, sizeof(keys));
        sts_ram_why(why, why_len, "the trust policy of %s does not allow %s "
                    "(%s)%s%s", arn, caller->principal_arn,
                    sts_policy_decision_name(res.decision),
                    keys[0] ? "; missing condition keys: " : "", keys);
        return STS_EDENIED;
    }

    /* 6. the role's maximum session duration */

    if (duration > (uint64_t) role->max_session) {
        *err = &sts_pop_err_duration;
        sts_ram_why(why, why_len, "DurationSeconds %llu is more than the "
                    "MaxSessionDuration %lld of %s",
                    (unsigned long long) duration,
                    (long long) role->max_session, arn);
        return STS_EINVAL;
    }

    /* the session */

    rc = sts_ram_new_session(a, caller, req, role, duration, out, why,
                             why_len);
    if (rc != STS_OK) {
        return rc;
    }

    *err = NULL;

    return STS_OK;
}


/*
 * Step 1 of sts_ram_assume_role: checks the parameters of |req|, puts the
 * normalised role ARN in |arn| and the duration in *duration.
 */

static int
sts_ram_assume_params(const sts_allocator_t *a, const sts_ram_assume_t *req,
    char *arn, uint64_t *duration, const sts_pop_error_t **err, char *why,
    size_t why_len)
{
    int            rc;
    char           perr[STS_POLICY_ERR_LEN];
    sts_policy_t  *session;

    session = NULL;

    if (sts_ram_parse_role_arn(req->role_arn, arn) != STS_OK) {
        *err = &sts_pop_err_role_arn;
        sts_ram_why(why, why_len, "RoleArn is not acs:ram::<account>:role/"
                    "<name>");
        return STS_EINVAL;
    }

    if (!sts_ram_check_chars(req->session_name, 2, 64, ".@_-")) {
        *err = &sts_pop_err_session_name;
        sts_ram_why(why, why_len, "RoleSessionName is not 2..64 characters "
                    "of [A-Za-z0-9.@_-]");
        return STS_EINVAL;
    }

    *duration = STS_RAM_DURATION_DEFAULT;

    if (req->duration.len
        && (req->duration.len > 9
            || sts_parse_uint64(req->duration.data, req->duration.len,
                                duration) != STS_OK
            || *duration < STS_DURATION_MIN))
    {
        *err = &sts_pop_err_duration;
        sts_ram_why(why, why_len, "DurationSeconds is not an integer of at "
                    "least %d", STS_DURATION_MIN);
        return STS_EINVAL;
    }

    if (req->external_id.len
        && !sts_ram_check_chars(req->external_id, 2, 1224, "_+=,.@:/-"))
    {
        *err = &sts_pop_err_external_id;
        sts_ram_why(why, why_len, "ExternalId is not 2..1224 characters of "
                    "[A-Za-z0-9_+=,.@:/-]");
        return STS_EINVAL;
    }

    if (req->source_identity.len
        && (!sts_ram_check_chars(req->source_identity, 2, 64, "_+=,.@-")
            || sts_ram_has_prefix(req->source_identity, "acs:")
            || sts_ram_has_prefix(req->source_identity, "aliyun:")
            || sts_ram_has_prefix(req->source_identity, "alibabacloud:")))
    {
        *err = &sts_pop_err_source_identity;
        sts_ram_why(why, why_len, "SourceIdentity is not 2..64 characters "
                    "of [A-Za-z0-9_+=,.@-]");
        return STS_EINVAL;
    }

    if (req->policy.len > STS_RAM_SESSION_POLICY_MAX) {
        *err = &sts_pop_err_policy_size;
        sts_ram_why(why, why_len, "Policy is %zu bytes, more than %d",
                    req->policy.len, STS_RAM_SESSION_POLICY_MAX);
        return STS_EINVAL;
    }

    if (req->policy.len) {
        rc = sts_policy_compile(a, req->policy.data, req->policy.len,
                                STS_POLICY_IDENTITY, &session, perr,
                                sizeof(perr));
        if (rc == STS_ENOMEM) {
            return rc;
        }

        if (rc != STS_OK) {
            *err = &sts_pop_err_policy_grammar;
            sts_ram_why(why, why_len, "Policy: %s", perr);
            return STS_EINVAL;
        }

        /* only checked here; the token carries the text */
        sts_policy_free(a, session);
        session = NULL;
    }

    return STS_OK;
}


/*
 * The session sts_ram_assume_role issues once every check passed: new
 * credentials for |role|, valid |duration| seconds from req->now.
 */

static int
sts_ram_new_session(const sts_allocator_t *a, const sts_ram_caller_t *caller,
    const sts_ram_assume_t *req, const sts_ram_role_int_t *role,
    uint64_t duration, sts_session_t **out, char *why, size_t why_len)
{
    int             rc;
    char            akid[STS_AKID_LEN + 1];
    char            secret[STS_SECRET_LEN + 1];
    size_t          i;
    sts_session_t  *s;

    if (sts_credentials_generate(akid, secret) != STS_OK) {
        sts_ram_why(why, why_len, "the random number generator failed");
        return STS_ECRYPTO;
    }

    rc = STS_ENOMEM;

    s = sts_calloc(a, sizeof(sts_session_t));
    if (s == NULL) {
        goto failed;
    }

    s->version = STS_CLAIMS_VERSION;
    s->issued_at = req->now;
    s->expiration = req->now + (int64_t) duration;
    s->access_key_id = sts_strndup(a, akid, strlen(akid));
    s->access_key_secret = sts_strndup(a, secret, strlen(secret));
    s->account_id = sts_strndup(a, role->account->id,
                                strlen(role->account->id));
    s->role_arn = sts_strndup(a, role->arn, strlen(role->arn));
    s->role_id = sts_strndup(a, role->id, strlen(role->id));
    s->session_name = sts_strndup(a, req->session_name.data,
                                  req->session_name.len);
    s->source_arn = sts_strndup(a, caller->identity_arn,
                                strlen(caller->identity_arn));

    if (s->access_key_id == NULL || s->access_key_secret == NULL
        || s->account_id == NULL || s->role_arn == NULL || s->role_id == NULL
        || s->session_name == NULL || s->source_arn == NULL)
    {
        goto failed;
    }

    if (role->num_policies) {
        s->role_policies = sts_calloc(a, role->num_policies * sizeof(char *));
        if (s->role_policies == NULL) {
            goto failed;
        }

        for (i = 0; i < role->num_policies; i++) {
            s->role_policies[i] = sts_strndup(a, role->texts[i],
                                              strlen(role->texts[i]));
            if (s->role_policies[i] == NULL) {
                goto failed;
            }

            s->num_role_policies++;
        }
    }

    if (req->policy.len) {
        s->session_policy = sts_strndup(a, req->policy.data, req->policy.len);
        if (s->session_policy == NULL) {
            goto failed;
        }
    }

    sts_wipe(secret, sizeof(secret));
    *out = s;

    return STS_OK;

failed:

    sts_wipe(secret, sizeof(secret));
    sts_session_free(a, s);
    sts_ram_why(why, why_len, "out of memory");

    return rc;
}

