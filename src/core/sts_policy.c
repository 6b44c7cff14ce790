/*
 * Copyright (C) nginx-sts authors
 *
 * sts_policy: RAM policy compiler and evaluator (see sts_policy.h).
 *
 * Compilation turns the jansson tree into arrays of statements, pattern
 * lists and typed condition values, all carved from one arena of chunks
 * taken from the caller's allocator.  The jansson tree is released before
 * sts_policy_compile returns, on every path.
 *
 * Wildcard matching.  A pattern with stars is split at each run of '*'
 * into segments; '?' is a one-character item inside a segment.  The first
 * segment is matched anchored at the start, the last anchored at the end,
 * and every middle segment is searched leftmost-first between them: the
 * earliest end leaves the most room for the rest, so no choice is ever
 * revisited.  Middle segments without '?' are searched with
 * Knuth-Morris-Pratt, middle segments with '?' with a bit-parallel
 * Shift-And automaton; both tables are built at compile time.  A match
 * costs O(subject length * ceil(segment length / 64)) at worst and no
 * backtracking, whatever the pattern.
 */

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_policy.h"


#define STS_ARENA_ALIGN      8
#define STS_ARENA_MIN        1024
#define STS_ARENA_MAX        65536
#define STS_NOMATCH          ((size_t) -1)
#define STS_QUOTE_MAX        64

#define sts_arena_round(n)                                                  \
    (((n) + (STS_ARENA_ALIGN - 1)) & ~((size_t) STS_ARENA_ALIGN - 1))
#define sts_is_cont(c)       (((c) & 0xc0) == 0x80)


/* arena */

typedef struct sts_chunk_s  sts_chunk_t;

struct sts_chunk_s {
    sts_chunk_t  *next;
    size_t        size;
    size_t        used;
};

#define STS_CHUNK_HDR  sts_arena_round(sizeof(sts_chunk_t))

typedef struct {
    const sts_allocator_t  *a;
    sts_chunk_t            *head;
    size_t                  chunk_size;
} sts_arena_t;


/* patterns */

typedef struct {
    const unsigned char    *cls;      /* byte -> class, 256 entries */
    const uint64_t         *masks;    /* class * words */
    const uint64_t         *q;        /* bits of '?' items */
    uint32_t                words;
} sts_bitap_t;

typedef struct {
    uint32_t                off;
    uint32_t                len;
    uint32_t                has_q;
    const uint16_t         *kmp;      /* middle segment without '?' */
    const sts_bitap_t      *bitap;    /* middle segment with '?' */
} sts_seg_t;

typedef enum {
    STS_PAT_ANY = 0,                  /* only stars */
    STS_PAT_LITERAL,                  /* no wildcard */
    STS_PAT_ONE,                      /* '?' but no star */
    STS_PAT_GLOB                      /* stars */
} sts_pat_type_t;

typedef struct sts_pat_s  sts_pat_t;

struct sts_pat_s {
    const char             *raw;      /* as written, NUL-terminated */
    const char             *text;     /* matched form */
    uint32_t                len;
    uint32_t                type;
    uint32_t                num_segs;
    const sts_seg_t        *segs;

    /*
     * A resource pattern with a ':' also as its ARN fields (split at its
     * first four ':', the last taking the rest), for sts_arn_match; 0
     * and NULL otherwise.
     */
    uint32_t                num_fields;
    sts_pat_t              *fields;
};

typedef struct {
    sts_pat_t              *pats;
    uint32_t                num;
    uint32_t                any;      /* one pattern is all stars */
} sts_patlist_t;


/* conditions */

typedef enum {
    STS_CT_STRING = 0,
    STS_CT_STRING_IC,
    STS_CT_LIKE,
    STS_CT_NUMBER,
    STS_CT_DATE,
    STS_CT_BOOL,
    STS_CT_IP
} sts_ctype_t;

typedef enum {
    STS_CMP_EQ = 0,
    STS_CMP_LT,
    STS_CMP_LE,
    STS_CMP_GT,
    STS_CMP_GE
} sts_cmp_t;

typedef struct {
    const char             *name;
    uint8_t                 type;
    uint8_t                 negated;
    uint8_t                 cmp;
} sts_op_t;

typedef enum {
    STS_JT_STRING = 0,
    STS_JT_INTEGER,
    STS_JT_REAL,
    STS_JT_TRUE,
    STS_JT_FALSE
} sts_jtype_t;

typedef struct {
    uint8_t                 family;   /* 4 or 6 */
    uint8_t                 bits;
    uint8_t                 addr[16];
} sts_cidr_t;

typedef struct {
    sts_str_t               raw;      /* text as written */
    uint32_t                jtype;
    int64_t                 ival;     /* JSON integer, for printing */
    double                  rval;     /* JSON real, for printing */
    union {
        double              num;
        int64_t             date;
        int                 b;
        sts_cidr_t          ip;
        sts_pat_t           pat;
    } u;
} sts_cval_t;

typedef struct {
    const sts_op_t         *op;
    sts_str_t               key;      /* as written */
    sts_str_t               lkey;     /* ASCII-lowercased */
    uint32_t                num_values;
    sts_cval_t             *values;
} sts_cond_t;


/* statements and policies */

typedef struct {
    sts_str_t              *v;
    sts_str_t              *acct;     /* RAM: account of a root entry */
    uint32_t                num;
    uint32_t                present;
} sts_plist_t;

typedef struct {
    sts_plist_t             ram;
    sts_plist_t             service;
    sts_plist_t             federated;
} sts_principal_t;

typedef struct {
    sts_str_t               sid;
    uint8_t                 deny;
    uint8_t                 not_action;
    uint8_t                 not_resource;
    uint8_t                 has_resource;
    uint32_t                num_conds;
    sts_patlist_t           action;
    sts_patlist_t           resource;
    sts_cond_t             *conds;
    sts_principal_t        *principal;

    /*
     * Filters that rule a statement out before its patterns are matched
     * (sts_stmt_filter), 0 when it cannot be ruled out so: a bit for each
     * literal action, and one for the bucket each resource names.
     */
    uint64_t                act_bits;
    uint64_t                res_bits;
} sts_stmt_t;

/*
 * Below this many statements a policy's patterns are matched without the
 * filters: computing the request's bits would cost more than it saves.
 */
#define STS_POLICY_FILTER_MIN  8

/* a resource's bits for the statements' filters, once computed */
typedef struct {
    uint64_t                bits;
    int                     done;
} sts_res_filter_t;

struct sts_policy_s {
    int                     kind;
    uint32_t                num_stmts;
    uint32_t                num_deny;
    sts_stmt_t             *stmts;
    sts_chunk_t            *chunks;
};


/* a bounded text writer that counts what it could not write */

typedef struct {
    char                   *buf;
    size_t                  len;
    size_t                  pos;
} sts_out_t;


/* compilation state */

typedef struct {
    sts_arena_t             arena;
    int                     kind;
    char                   *err;
    size_t                  err_len;
    char                    spath[32];   /* "Statement[3]" */
} sts_cc_t;


static void *sts_arena_alloc(sts_arena_t *ar, size_t size);
static void sts_arena_free(const sts_allocator_t *a, sts_chunk_t *c);
static char *sts_arena_strdup(sts_arena_t *ar, const char *s, size_t len);
static int sts_cc_fail(sts_cc_t *cc, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static const char *sts_quote(char *buf, size_t size, const char *s,
    size_t len);
static int sts_depth_ok(const char *s, size_t len, size_t max);

static int sts_parse_number(const char *s, size_t len, double *out);
static int sts_parse_date(const char *s, size_t len, int64_t *out);
static int sts_parse_bool(const char *s, size_t len, int *out);
static int sts_parse_ipv4(const char *s, size_t len, uint8_t *out);
static int sts_parse_ip(const char *s, size_t len, int allow_prefix,
    sts_cidr_t *out);
static int sts_cidr_match(const sts_cidr_t *net, const sts_cidr_t *ip);

static int sts_pat_compile(sts_cc_t *cc, const char *s, size_t len,
    int icase, sts_pat_t *pat);
static uint16_t *sts_kmp_build(sts_cc_t *cc, const unsigned char *t,
    size_t m);
static sts_bitap_t *sts_bitap_build(sts_cc_t *cc, const unsigned char *t,
    size_t m);
static size_t sts_seg_fwd(const unsigned char *t, size_t m,
    const unsigned char *s, size_t p, size_t n);
static size_t sts_seg_bwd(const unsigned char *t, size_t m,
    const unsigned char *s, size_t lo, size_t q);
static size_t sts_kmp_find(const unsigned char *t, size_t m,
    const uint16_t *fail, const unsigned char *s, size_t from, size_t to);
static size_t sts_bitap_find(const sts_bitap_t *b, size_t m,
    const unsigned char *s, size_t from, size_t to)
#if defined(__GNUC__)
    __attribute__((noinline))
#endif
    ;
static int sts_pat_match(const sts_pat_t *p, const unsigned char *s,
    size_t n);
static int sts_arn_fields(sts_cc_t *cc, sts_patlist_t *l);
static int sts_arn_match(const sts_pat_t *p, const unsigned char *s,
    size_t n);
static int sts_arn_list_match(const sts_patlist_t *l, const unsigned char *s,
    size_t n);
static int sts_list_match(const sts_patlist_t *l, const unsigned char *s,
    size_t n);

static int sts_compile_doc(sts_cc_t *cc, json_t *root, sts_policy_t *p);
static int sts_compile_stmt(sts_cc_t *cc, json_t *js, sts_stmt_t *st);
static uint64_t sts_filter_bit(const unsigned char *s, size_t n);
static uint64_t sts_pat_bucket_bit(const sts_pat_t *pat);
static void sts_stmt_filter(sts_stmt_t *st);
static uint64_t sts_resource_bits(sts_str_t res);
static int sts_stmt_ruled_out(const sts_stmt_t *st, uint64_t act_bit,
    sts_str_t res, sts_res_filter_t *rf);
static int sts_compile_sid_effect(sts_cc_t *cc, json_t *js, sts_stmt_t *st);
static int sts_compile_targets(sts_cc_t *cc, json_t *js, sts_stmt_t *st);
static int sts_compile_patlist(sts_cc_t *cc, json_t *v, const char *name,
    int icase, sts_patlist_t *out);
static int sts_compile_conditions(sts_cc_t *cc, json_t *v, sts_stmt_t *st);
static int sts_compile_cond(sts_cc_t *cc, const sts_op_t *op,
    const char *key, json_t *v, sts_cond_t *c);
static int sts_compile_value(sts_cc_t *cc, const sts_op_t *op,
    json_t *v, sts_cval_t *cv);
static int sts_compile_principal(sts_cc_t *cc, json_t *v,
    sts_principal_t *pr);
static int sts_compile_plist(sts_cc_t *cc, json_t *v, const char *name,
    int ram, sts_plist_t *out);
static const sts_op_t *sts_op_find(const char *name);
static int sts_is_scalar(json_t *v);
static int sts_ram_principal(const char *s, size_t len, size_t *acct_off,
    size_t *acct_len);

static int sts_cond_eval(const sts_cond_t *c, const sts_policy_ctx_t *ctx);
static int sts_cond_value(const sts_cond_t *c, sts_str_t v);
static int sts_key_eq(const sts_cond_t *c, sts_str_t key);
static int sts_policy_stmts_use_key(const sts_policy_t *p,
    const unsigned char *act, size_t act_len, sts_str_t res, sts_str_t key);
static int sts_stmt_match(const sts_stmt_t *st, const unsigned char *act,
    size_t act_len, sts_str_t res, const sts_policy_ctx_t *ctx,
    sts_policy_result_t *out);
static void sts_note_missing(const sts_stmt_t *st,
    const sts_policy_ctx_t *ctx, sts_policy_result_t *out);
static int sts_principal_match(const sts_principal_t *pr, int type,
    sts_str_t who);
static void sts_result_init(sts_policy_result_t *out);
static int sts_cmp_num(int cmp, double a, double b);
static int sts_cmp_date(int cmp, int64_t a, int64_t b);

static void sts_out_bytes(sts_out_t *o, const char *s, size_t n);
static void sts_out_stmt(sts_out_t *o, const char *who, int statement,
    sts_str_t sid);
static int sts_jset(json_t *o, const char *key, json_t *v);

static json_t *sts_json_patlist(const sts_patlist_t *l);
static json_t *sts_json_plist(const sts_plist_t *l);
static json_t *sts_json_stmt(const sts_policy_t *p, const sts_stmt_t *st);
static json_t *sts_json_value(const sts_cval_t *cv);


/*
 * Condition operators (PROTOCOL 6.4).  Set qualifiers (ForAnyValue:,
 * ForAllValues:) and ...IfExists are not RAM grammar and are refused.
 */
static const sts_op_t  sts_ops[] = {
    { "StringEquals",              STS_CT_STRING,    0, STS_CMP_EQ },
    { "StringNotEquals",           STS_CT_STRING,    1, STS_CMP_EQ },
    { "StringEqualsIgnoreCase",    STS_CT_STRING_IC, 0, STS_CMP_EQ },
    { "StringNotEqualsIgnoreCase", STS_CT_STRING_IC, 1, STS_CMP_EQ },
    { "StringLike",                STS_CT_LIKE,      0, STS_CMP_EQ },
    { "StringNotLike",             STS_CT_LIKE,      1, STS_CMP_EQ },
    { "NumericEquals",             STS_CT_NUMBER,    0, STS_CMP_EQ },
    { "NumericNotEquals",          STS_CT_NUMBER,    1, STS_CMP_EQ },
    { "NumericLessThan",           STS_CT_NUMBER,    0, STS_CMP_LT },
    { "NumericLessThanEquals",     STS_CT_NUMBER,    0, STS_CMP_LE },
    { "NumericGreaterThan",        STS_CT_NUMBER,    0, STS_CMP_GT },
    { "NumericGreaterThanEquals",  STS_CT_NUMBER,    0, STS_CMP_GE },
    { "DateEquals",                STS_CT_DATE,      0, STS_CMP_EQ },
    { "DateNotEquals",             STS_CT_DATE,      1, STS_CMP_EQ },
    { "DateLessThan",              STS_CT_DATE,      0, STS_CMP_LT },
    { "DateLessThanEquals",        STS_CT_DATE,      0, STS_CMP_LE },
    { "DateGreaterThan",           STS_CT_DATE,      0, STS_CMP_GT },
    { "DateGreaterThanEquals",     STS_CT_DATE,      0, STS_CMP_GE },
    { "Bool",                      STS_CT_BOOL,      0, STS_CMP_EQ },
    { "IpAddress",                 STS_CT_IP,        0, STS_CMP_EQ },
    { "NotIpAddress",              STS_CT_IP,        1, STS_CMP_EQ },
    { NULL, 0, 0, 0 }
};


/* ASCII lower case of every byte; other bytes map to themselves */
static const unsigned char  sts_lc_table[256] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
    0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
    0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
    0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
    0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
    0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
    0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff
};


/* arena */

static void *
sts_arena_alloc(sts_arena_t *ar, size_t size)
{
    char         *p;
    size_t        n;
    sts_chunk_t  *c;

    if (size > ((size_t) 1 << 30)) {
        return NULL;
    }

    size = sts_arena_round(size ? size : 1);
    c = ar->head;

    if (c != NULL && c->size - c->used >= size) {
        p = (char *) c + STS_CHUNK_HDR + c->used;
        c->used += size;
        return p;
    }

    n = size > ar->chunk_size ? size : ar->chunk_size;

    c = sts_alloc(ar->a, STS_CHUNK_HDR + n);
    if (c == NULL) {
        return NULL;
    }

    c->size = n;
    c->used = size;

    if (ar->head != NULL && size > ar->chunk_size / 2) {
        /* a big block gets its own chunk; keep filling the current one */
        c->next = ar->head->next;
        ar->head->next = c;

    } else {
        c->next = ar->head;
        ar->head = c;
    }

    return (char *) c + STS_CHUNK_HDR;
}


static void
sts_arena_free(const sts_allocator_t *a, sts_chunk_t *c)
{
    sts_chunk_t  *next;

    while (c != NULL) {
        next = c->next;
        sts_free(a, c);
        c = next;
    }
}


static char *
sts_arena_strdup(sts_arena_t *ar, const char *s, size_t len)
{
    char  *p;

    p = sts_arena_alloc(ar, len + 1);
    if (p == NULL) {
        return NULL;
    }

    if (len) {
        memcpy(p, s, len);
    }

    p[len] = '\0';

    return p;
}


/* errors */

static int
sts_cc_fail(sts_cc_t *cc, int rc, const char *fmt, ...)
{
    va_list  ap;

    if (cc->err != NULL && cc->err_len > 0) {
        va_start(ap, fmt);
        vsnprintf(cc->err, cc->err_len, fmt, ap);
        va_end(ap);
    }

    return rc;
}


/*
 * sts_quote writes |s| between double quotes for an error message, with
 * '"', '\\' and control bytes escaped and long values cut.
 */
static const char *
sts_quote(char *buf, size_t size, const char *s, size_t len)
{
    size_t         i, o;
    unsigned char  c;

    o = 0;
    buf[o++] = '"';

    for (i = 0; i < len && i < STS_QUOTE_MAX && o + 8 < size; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char) c;

        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t) snprintf(buf + o, size - o, "\\x%02x", c);

        } else {
            buf[o++] = (char) c;
        }
    }

    if (i < len) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }

    buf[o++] = '"';
    buf[o] = '\0';

    return buf;
}


/*
 * sts_depth_ok scans JSON text for the nesting depth of arrays and objects
 * before jansson sees it, so that a hostile document is refused cheaply
 * and with a clear message.
 */
static int
sts_depth_ok(const char *s, size_t len, size_t max)
{
    int     in_str, esc;
    char    c;
    size_t  i, depth;

    in_str = 0;
    esc = 0;
    depth = 0;

    for (i = 0; i < len; i++) {
        c = s[i];

        if (in_str) {
            if (esc) {
                esc = 0;

            } else if (c == '\\') {
                esc = 1;

            } else if (c == '"') {
                in_str = 0;
            }

            continue;
        }

        if (c == '"') {
            in_str = 1;

        } else if (c == '{' || c == '[') {
            if (++depth > max) {
                return 0;
            }

        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }

    return 1;
}


/* typed values, shared by compilation and evaluation */

static int
sts_parse_number(const char *s, size_t len, double *out)
{
    char    buf[72], *end;
    size_t  i, digits;

    if (len == 0 || len >= sizeof(buf)) {
        return STS_EINVAL;
    }

    i = 0;
    if (s[0] == '-') {
        i++;
    }

    digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }

    if (digits == 0) {
        return STS_EINVAL;
    }

    if (i < len && s[i] == '.') {
        i++;
        digits = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }

        if (digits == 0) {
            return STS_EINVAL;
        }
    }

    if (i != len) {
        return STS_EINVAL;
    }

    memcpy(buf, s, len);
    buf[len] = '\0';

    *out = strtod(buf, &end);

    if (end != buf + len) {
        return STS_EINVAL;
    }

    return STS_OK;
}


/*
 * sts_parse_date accepts decimal Unix seconds, "YYYY-MM-DD", and ISO 8601
 * date-times ending in "Z" or in a "+hh:mm"/"-hh:mm" offset.
 */
static int
sts_parse_date(const char *s, size_t len, int64_t *out)
{
    int       off, hh, mm;
    char      buf[48];
    size_t    i, base;
    int64_t   t;
    uint64_t  u;

    if (len == 0) {
        return STS_EINVAL;
    }

    for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        /* void */
    }

    if (i == len) {
        if (len > 18 || sts_parse_uint64(s, len, &u) != STS_OK) {
            return STS_EINVAL;
        }

        *out = (int64_t) u;
        return STS_OK;
    }

    if (len == 10) {
        /* "YYYY-MM-DD": midnight UTC */
        memcpy(buf, s, 10);
        memcpy(buf + 10, "T00:00:00Z", 10);

        return sts_parse_iso8601(buf, 20, out);
    }

    if (s[len - 1] == 'Z') {
        return sts_parse_iso8601(s, len, out);
    }

    if (len < 25 || len - 6 + 1 > sizeof(buf)
        || (s[len - 6] != '+' && s[len - 6] != '-') || s[len - 3] != ':')
    {
        return STS_EINVAL;
    }

    for (i = len - 5; i < len; i++) {
        if (i != len - 3 && (s[i] < '0' || s[i] > '9')) {
            return STS_EINVAL;
        }
    }

    hh = (s[len - 5] - '0') * 10 + (s[len - 4] - '0');
    mm = (s[len - 2] - '0') * 10 + (s[len - 1] - '0');

    if (hh > 23 || mm > 59) {
        return STS_EINVAL;
    }

    off = hh * 3600 + mm * 60;
    base = len - 6;

    memcpy(buf, s, base);
    buf[base] = 'Z';

    if (sts_parse_iso8601(buf, base + 1, &t) != STS_OK) {
        return STS_EINVAL;
    }

    /* local = UTC + offset, so UTC = local - offset */
    *out = s[len - 6] == '+' ? t - off : t + off;

    return STS_OK;
}


static int
sts_parse_bool(const char *s, size_t len, int *out)
{
    sts_str_t  v;

    v.data = s;
    v.len = len;

    if (sts_str_caseeq(v, "true")) {
        *out = 1;
        return STS_OK;
    }

    if (sts_str_caseeq(v, "false")) {
        *out = 0;
        return STS_OK;
    }

    return STS_EINVAL;
}


static int
sts_parse_ipv4(const char *s, size_t len, uint8_t *out)
{
    size_t    i, part, digits;
    unsigned  v;

    i = 0;

    for (part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.') {
                return STS_EINVAL;
            }

            i++;
        }

        v = 0;
        digits = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned) (s[i] - '0');
            i++;
            digits++;
        }

        if (digits == 0 || digits > 3 || v > 255
            || (digits > 1 && s[i - digits] == '0'))
        {
            return STS_EINVAL;
        }

        out[part] = (uint8_t) v;
    }

    return i == len ? STS_OK : STS_EINVAL;
}


/*
 * sts_parse_ip parses an IPv4 or IPv6 address, with an optional "/bits"
 * suffix when |allow_prefix|.  Host bits of a prefix are cleared.  An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4 when its prefix,
 * if any, covers the mapping prefix.
 */
static int
sts_parse_ip(const char *s, size_t len, int allow_prefix, sts_cidr_t *out)
{
    int           colon;
    char          buf[48];
    size_t        alen, i, nbytes;
    unsigned      bits, max;
    const char   *slash;
    static const uint8_t  mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };

    memset(out, 0, sizeof(sts_cidr_t));

    /* one pass: where the prefix starts, and whether this is IPv6 */
    slash = NULL;
    colon = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '/') {
            slash = s + i;
            break;
        }

        if (s[i] == ':') {
            colon = 1;
        }
    }

    alen = slash != NULL ? (size_t) (slash - s) : len;

    if (alen == 0 || alen >= sizeof(buf)) {
        return STS_EINVAL;
    }

    if (colon) {
        memcpy(buf, s, alen);
        buf[alen] = '\0';

        if (inet_pton(AF_INET6, buf, out->addr) != 1) {
            return STS_EINVAL;
        }

        out->family = 6;
        max = 128;

    } else {
        if (sts_parse_ipv4(s, alen, out->addr) != STS_OK) {
            return STS_EINVAL;
        }

        out->family = 4;
        max = 32;
    }

    bits = max;

    if (slash != NULL) {
        if (!allow_prefix) {
            return STS_EINVAL;
        }

        i = alen + 1;
        if (i == len || len - i > 3) {
            return STS_EINVAL;
        }

        bits = 0;
        for ( /* void */ ; i < len; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return STS_EINVAL;
            }

            bits = bits * 10 + (unsigned) (s[i] - '0');
        }

        if (bits > max || (len - alen - 1 > 1 && s[alen + 1] == '0')) {
            return STS_EINVAL;
        }
    }

    if (out->family == 6 && bits >= 96
        && memcmp(out->addr, mapped, sizeof(mapped)) == 0)
    {
        memmove(out->addr, out->addr + 12, 4);
        memset(out->addr + 4, 0, 12);
        out->family = 4;
        bits -= 96;
    }

    out->bits = (uint8_t) bits;

    /* clear host bits */
    nbytes = out->family == 4 ? 4 : 16;

    for (i = 0; i < nbytes; i++) {
        if (bits >= 8) {
            bits -= 8;

        } else {
            out->addr[i] &= (uint8_t) (0xff00 >> bits);
            bits = 0;
        }
    }

    return STS_OK;
}


static int
sts_cidr_match(const sts_cidr_t *net, const sts_cidr_t *ip)
{
    uint8_t         tmp[16];
    unsigned        full, rest;
    const uint8_t  *a;

    a = ip->addr;

    if (net->family != ip->family) {
        if (net->family != 6) {
            return 0;
        }

        /* an IPv4 client against an IPv6 block: use its mapped form */
        memset(tmp, 0, 10);
        tmp[10] = 0xff;
        tmp[11] = 0xff;
        memcpy(tmp + 12, ip->addr, 4);
        a = tmp;
    }

    full = net->bits / 8;
    rest = net->bits % 8;

    if (full && memcmp(net->addr, a, full) != 0) {
        return 0;
    }

    if (rest) {
        return ((a[full] ^ net->addr[full]) & (uint8_t) (0xff00 >> rest))
               == 0;
    }

    return 1;
}


/* patterns */

static int
sts_pat_compile(sts_cc_t *cc, const char *s, size_t len, int icase,
    sts_pat_t *pat)
{
    char                 *raw, *text;
    size_t                i, j, stars, qs, nseg, start;
    sts_seg_t            *segs;
    const unsigned char  *t;

    raw = sts_arena_strdup(&cc->arena, s, len);
    if (raw == NULL) {
        return STS_ENOMEM;
    }

    text = raw;

    if (icase) {
        for (i = 0; i < len; i++) {
            if (s[i] >= 'A' && s[i] <= 'Z') {
                break;
            }
        }

        if (i < len) {
            text = sts_arena_strdup(&cc->arena, s, len);
            if (text == NULL) {
                return STS_ENOMEM;
            }

            for ( /* void */ ; i < len; i++) {
                text[i] = (char) sts_lc_table[(unsigned char) text[i]];
            }
        }
    }

    pat->raw = raw;
    pat->text = text;
    pat->len = (uint32_t) len;
    pat->num_segs = 0;
    pat->segs = NULL;
    pat->num_fields = 0;
    pat->fields = NULL;

    /* count runs of stars and question marks */
    stars = 0;
    qs = 0;

    for (i = 0; i < len; i++) {
        if (text[i] == '*') {
            if (i == 0 || text[i - 1] != '*') {
                stars++;
            }

        } else if (text[i] == '?') {
            qs++;
        }
    }

    if (stars == 0) {
        pat->type = qs ? STS_PAT_ONE : STS_PAT_LITERAL;
        return STS_OK;
    }

    if (stars == 1 && strspn(text, "*") == len) {
        pat->type = STS_PAT_ANY;
        return STS_OK;
    }

    pat->type = STS_PAT_GLOB;
    nseg = stars + 1;

    segs = sts_arena_alloc(&cc->arena, nseg * sizeof(sts_seg_t));
    if (segs == NULL) {
        return STS_ENOMEM;
    }

    memset(segs, 0, nseg * sizeof(sts_seg_t));

    /* split at each run of stars */
    j = 0;
    start = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && text[i] != '*') {
            continue;
        }

        if (i < len && i > 0 && text[i - 1] == '*') {
            start = i + 1;
            continue;
        }

        segs[j].off = (uint32_t) start;
        segs[j].len = (uint32_t) (i - start);
        segs[j].has_q = memchr(text + start, '?', i - start) != NULL;
        j++;
        start = i + 1;
    }

    /* search tables for the middle segments (never empty) */
    t = (const unsigned char *) text;

    for (j = 1; j + 1 < nseg; j++) {
        if (segs[j].has_q) {
            segs[j].bitap = sts_bitap_build(cc, t + segs[j].off,
                                            segs[j].len);
            if (segs[j].bitap == NULL) {
                return STS_ENOMEM;
            }

        } else {
            segs[j].kmp = sts_kmp_build(cc, t + segs[j].off, segs[j].len);
            if (segs[j].kmp == NULL) {
                return STS_ENOMEM;
            }
        }
    }

    pat->num_segs = (uint32_t) nseg;
    pat->segs = segs;

    return STS_OK;
}


static uint16_t *
sts_kmp_build(sts_cc_t *cc, const unsigned char *t, size_t m)
{
    size_t     i, k;
    uint16_t  *fail;

    fail = sts_arena_alloc(&cc->arena, m * sizeof(uint16_t));
    if (fail == NULL) {
        return NULL;
    }

    fail[0] = 0;
    k = 0;

    for (i = 1; i < m; i++) {
        while (k > 0 && t[i] != t[k]) {
            k = fail[k - 1];
        }

        if (t[i] == t[k]) {
            k++;
        }

        fail[i] = (uint16_t) k;
    }

    return fail;
}


/*
 * sts_bitap_build makes the Shift-And tables of a segment with '?'.
 * Bit i of a state means "items 0..i match the text just read".  Bytes
 * fall into classes: 0 = not in the segment and a continuation byte,
 * 1 = not in the segment otherwise, 2.. = each distinct literal byte.
 * A '?' item accepts any byte that is not a continuation byte and then
 * stays set across the continuation bytes that follow (the q mask).
 */
static sts_bitap_t *
sts_bitap_build(sts_cc_t *cc, const unsigned char *t, size_t m)
{
    size_t          i, c, w, words, ncls;
    uint64_t       *masks, *q;
    sts_bitap_t    *b;
    unsigned char  *cls;

    words = (m + 63) / 64;

    b = sts_arena_alloc(&cc->arena, sizeof(sts_bitap_t));
    cls = sts_arena_alloc(&cc->arena, 256);
    q = sts_arena_alloc(&cc->arena, words * sizeof(uint64_t));
    if (b == NULL || cls == NULL || q == NULL) {
        return NULL;
    }

    for (c = 0; c < 256; c++) {
        cls[c] = sts_is_cont(c) ? 0 : 1;
    }

    ncls = 2;

    for (i = 0; i < m; i++) {
        if (t[i] != '?' && cls[t[i]] < 2) {
            cls[t[i]] = (unsigned char) ncls++;
        }
    }

    masks = sts_arena_alloc(&cc->arena, ncls * words * sizeof(uint64_t));
    if (masks == NULL) {
        return NULL;
    }

    memset(masks, 0, ncls * words * sizeof(uint64_t));
    memset(q, 0, words * sizeof(uint64_t));

    for (i = 0; i < m; i++) {
        w = i / 64;

        if (t[i] == '?') {
            q[w] |= (uint64_t) 1 << (i % 64);
            continue;
        }

        masks[cls[t[i]] * words + w] |= (uint64_t) 1 << (i % 64);
    }

    /* '?' items accept every class of non-continuation bytes */
    for (c = 0; c < 256; c++) {
        if (sts_is_cont(c)) {
            continue;
        }

        for (w = 0; w < words; w++) {
            masks[cls[c] * words + w] |= q[w];
        }
    }

    b->cls = cls;
    b->masks = masks;
    b->q = q;
    b->words = (uint32_t) words;

    return b;
}


/*
 * sts_bytes_eq and sts_find_byte: memcmp and memchr with the short cases
 * inline; most segments and subjects are a few dozen bytes, where a call
 * into libc costs more than the work.  sts_bytes_caseeq ignores ASCII
 * case.
 */
static inline int
sts_bytes_eq(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t  i;

    if (n > 16) {
        return memcmp(a, b, n) == 0;
    }

    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }

    return 1;
}


static inline int
sts_bytes_caseeq(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (sts_lc_table[a[i]] != sts_lc_table[b[i]]) {
            return 0;
        }
    }

    return 1;
}


static inline const unsigned char *
sts_find_byte(const unsigned char *s, unsigned char c, size_t n)
{
    size_t  i;

    if (n > 16) {
        return memchr(s, c, n);
    }

    for (i = 0; i < n; i++) {
        if (s[i] == c) {
            return s + i;
        }
    }

    return NULL;
}


/*
 * sts_seg_fwd matches the items t[0..m) anchored at s[p], returns the end
 * offset or STS_NOMATCH.
 */
static size_t
sts_seg_fwd(const unsigned char *t, size_t m, const unsigned char *s,
    size_t p, size_t n)
{
    size_t  i;

    for (i = 0; i < m; i++) {
        if (p >= n) {
            return STS_NOMATCH;
        }

        if (t[i] == '?') {
            if (sts_is_cont(s[p])) {
                return STS_NOMATCH;
            }

            p++;

            while (p < n && sts_is_cont(s[p])) {
                p++;
            }

        } else {
            if (s[p] != t[i]) {
                return STS_NOMATCH;
            }

            p++;
        }
    }

    return p;
}


/*
 * sts_seg_bwd matches the items t[0..m) so that they end at s[q] and start
 * at or after |lo|; returns the start offset or STS_NOMATCH.
 */
static size_t
sts_seg_bwd(const unsigned char *t, size_t m, const unsigned char *s,
    size_t lo, size_t q)
{
    size_t  i;

    for (i = m; i > 0; i--) {
        if (q <= lo) {
            return STS_NOMATCH;
        }

        q--;

        if (t[i - 1] == '?') {
            while (q > lo && sts_is_cont(s[q])) {
                q--;
            }

            if (sts_is_cont(s[q])) {
                return STS_NOMATCH;
            }

        } else if (s[q] != t[i - 1]) {
            return STS_NOMATCH;
        }
    }

    return q;
}


/*
 * sts_kmp_find returns the end of the leftmost occurrence of t[0..m) in
 * s[from..to), or STS_NOMATCH.
 */
static size_t
sts_kmp_find(const unsigned char *t, size_t m, const uint16_t *fail,
    const unsigned char *s, size_t from, size_t to)
{
    size_t                i, j;
    const unsigned char  *p;

    i = from;
    j = 0;

    while (i < to) {
        if (j == 0) {
            if (to - i < m) {
                return STS_NOMATCH;
            }

            p = sts_find_byte(s + i, t[0], to - i);
            if (p == NULL) {
                return STS_NOMATCH;
            }

            i = (size_t) (p - s) + 1;
            j = 1;

        } else if (s[i] == t[j]) {
            i++;
            j++;

        } else {
            j = fail[j - 1];
            continue;
        }

        if (j == m) {
            return i;
        }
    }

    return STS_NOMATCH;
}


/*
 * sts_bitap_find returns the end of the leftmost occurrence (the earliest
 * end) of a segment with '?' in s[from..to), or STS_NOMATCH.
 */
static size_t
sts_bitap_find(const sts_bitap_t *b, size_t m, const unsigned char *s,
    size_t from, size_t to)
{
    size_t           i, w, words;
    uint64_t         d[(STS_POLICY_MAX_STRING_LEN + 63) / 64];
    uint64_t         carry, nd, top;
    unsigned char    c;
    const uint64_t  *mk;

    words = b->words;
    top = (uint64_t) 1 << ((m - 1) % 64);

    memset(d, 0, words * sizeof(uint64_t));

    for (i = from; i < to; i++) {
        c = s[i];
        mk = b->masks + (size_t) b->cls[c] * words;
        carry = 1;

        for (w = 0; w < words; w++) {
            nd = ((d[w] << 1) | carry) & mk[w];
            carry = d[w] >> 63;

            if (sts_is_cont(c)) {
                nd |= d[w] & b->q[w];
            }

            d[w] = nd;
        }

        if (d[words - 1] & top) {
            return i + 1;
        }
    }

    return STS_NOMATCH;
}


static int
sts_pat_match(const sts_pat_t *p, const unsigned char *s, size_t n)
{
    size_t                i, pos, end, len;
    const sts_seg_t      *sg;
    const unsigned char  *t;

    t = (const unsigned char *) p->text;

    switch (p->type) {

    case STS_PAT_ANY:
        return 1;

    case STS_PAT_LITERAL:
        return n == p->len && sts_bytes_eq(s, t, n);

    case STS_PAT_ONE:
        return sts_seg_fwd(t, p->len, s, 0, n) == n;

    default:
        break;
    }

    /* first segment, anchored at the start */
    sg = &p->segs[0];
    len = sg->len;
    pos = 0;

    if (len) {
        if (!sg->has_q) {
            if (n < len || !sts_bytes_eq(s, t, len)) {
                return 0;
            }

            pos = len;

        } else {
            pos = sts_seg_fwd(t, len, s, 0, n);
            if (pos == STS_NOMATCH) {
                return 0;
            }
        }
    }

    /* last segment, anchored at the end */
    sg = &p->segs[p->num_segs - 1];
    len = sg->len;
    end = n;

    if (len) {
        if (!sg->has_q) {
            if (n - pos < len || !sts_bytes_eq(s + n - len, t + sg->off, len))
            {
                return 0;
            }

            end = n - len;

        } else {
            end = sts_seg_bwd(t + sg->off, len, s, pos, n);
            if (end == STS_NOMATCH) {
                return 0;
            }
        }
    }

    /* middle segments, leftmost first */
    for (i = 1; i + 1 < p->num_segs; i++) {
        sg = &p->segs[i];

        if (sg->has_q) {
            pos = sts_bitap_find(sg->bitap, sg->len, s, pos, end);

        } else {
            pos = sts_kmp_find(t + sg->off, sg->len, sg->kmp, s, pos, end);
        }

        if (pos == STS_NOMATCH) {
            return 0;
        }
    }

    return 1;
}


static int
sts_list_match(const sts_patlist_t *l, const unsigned char *s, size_t n)
{
    uint32_t  i;

    if (l->any) {
        return 1;
    }

    for (i = 0; i < l->num; i++) {
        if (sts_pat_match(&l->pats[i], s, n)) {
            return 1;
        }
    }

    return 0;
}


/*
 * The ARN fields of each pattern of |l| (doc/protocol.md 6.2): a pattern
 * with k ':' (at most four counted) is k + 1 patterns, the fields before
 * each of its first k ':' and the rest.
 */
static int
sts_arn_fields(sts_cc_t *cc, sts_patlist_t *l)
{
    int         rc;
    size_t      start, k;
    uint32_t    i, n;
    sts_pat_t  *p;

    for (i = 0; i < l->num; i++) {
        p = &l->pats[i];

        for (n = 0, k = 0; k < p->len && n < 4; k++) {
            if (p->raw[k] == ':') {
                n++;
            }
        }

        if (n == 0) {
            continue;
        }

        p->fields = sts_arena_alloc(&cc->arena, (n + 1) * sizeof(sts_pat_t));
        if (p->fields == NULL) {
            return STS_ENOMEM;
        }

        start = 0;
        n = 0;

        for (k = 0; k < p->len && n < 4; k++) {
            if (p->raw[k] != ':') {
                continue;
            }

            rc = sts_pat_compile(cc, p->raw + start, k - start, 0,
                                 &p->fields[n++]);
            if (rc != STS_OK) {
                return rc;
            }

            start = k + 1;
        }

        /* the last field: the rest */
        rc = sts_pat_compile(cc, p->raw + start, p->len - start, 0,
                             &p->fields[n++]);
        if (rc != STS_OK) {
            return rc;
        }

        p->num_fields = n;
    }

    return STS_OK;
}


/*
 * sts_arn_match matches the resource |s| field by field against the
 * fields of |p|: each field but the last against the text up to the next
 * ':', the last against the rest.  A pattern without ':' is one field.
 */
static int
sts_arn_match(const sts_pat_t *p, const unsigned char *s, size_t n)
{
    size_t                pos;
    uint32_t              i;
    const unsigned char  *c;

    if (p->num_fields == 0) {
        return sts_pat_match(p, s, n);
    }

    pos = 0;

    for (i = 0; i + 1 < p->num_fields; i++) {
        c = memchr(s + pos, ':', n - pos);
        if (c == NULL) {
            return 0;
        }

        if (!sts_pat_match(&p->fields[i], s + pos, (size_t) (c - s) - pos)) {
            return 0;
        }

        pos = (size_t) (c - s) + 1;
    }

    return sts_pat_match(&p->fields[i], s + pos, n - pos);
}


static int
sts_arn_list_match(const sts_patlist_t *l, const unsigned char *s, size_t n)
{
    uint32_t  i;

    if (l->any) {
        return 1;
    }

    for (i = 0; i < l->num; i++) {
        if (sts_arn_match(&l->pats[i], s, n)) {
            return 1;
        }
    }

    return 0;
}


/* compilation */

int
sts_policy_compile(const sts_allocator_t *a, const char *json,
    size_t json_len, int kind, sts_policy_t **out, char *err, size_t err_len)
{
    int            rc;
    size_t         chunk;
    json_t        *root;
    sts_cc_t       cc;
    json_error_t   jerr;
    sts_policy_t  *p;

    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }

    memset(&cc, 0, sizeof(sts_cc_t));
    cc.arena.a = a;
    cc.kind = kind;
    cc.err = err;
    cc.err_len = err_len;

    if (out == NULL) {
        return sts_cc_fail(&cc, STS_EINVAL, "invalid arguments");
    }

    *out = NULL;

    if (a == NULL || (json == NULL && json_len > 0)
        || (kind != STS_POLICY_IDENTITY && kind != STS_POLICY_TRUST))
    {
        return sts_cc_fail(&cc, STS_EINVAL, "invalid arguments");
    }

    if (json_len > STS_POLICY_MAX_JSON_LEN) {
        return sts_cc_fail(&cc, STS_ETOOBIG,
                           "policy is %zu bytes, more than the limit of %d",
                           json_len, STS_POLICY_MAX_JSON_LEN);
    }

    if (json_len == 0) {
        return sts_cc_fail(&cc, STS_EINVAL, "policy is empty");
    }

    if (!sts_depth_ok(json, json_len, STS_POLICY_MAX_DEPTH)) {
        return sts_cc_fail(&cc, STS_ETOOBIG,
                           "JSON nests deeper than %d levels",
                           STS_POLICY_MAX_DEPTH);
    }

    root = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return sts_cc_fail(&cc, STS_EINVAL, "JSON: %s (line %d, column %d)",
                           jerr.text, jerr.line, jerr.column);
    }

    chunk = json_len * 2 + 256;
    if (chunk < STS_ARENA_MIN) {
        chunk = STS_ARENA_MIN;

    } else if (chunk > STS_ARENA_MAX) {
        chunk = STS_ARENA_MAX;
    }

    cc.arena.chunk_size = chunk;

    p = sts_arena_alloc(&cc.arena, sizeof(sts_policy_t));
    if (p == NULL) {
        rc = STS_ENOMEM;

    } else {
        memset(p, 0, sizeof(sts_policy_t));
        p->kind = kind;
        rc = sts_compile_doc(&cc, root, p);
    }

    json_decref(root);

    if (rc != STS_OK) {
        if (rc == STS_ENOMEM) {
            sts_cc_fail(&cc, rc, "out of memory");
        }

        sts_arena_free(a, cc.arena.head);
        return rc;
    }

    p->chunks = cc.arena.head;
    *out = p;

    return STS_OK;
}


void
sts_policy_free(const sts_allocator_t *a, sts_policy_t *p)
{
    if (p == NULL) {
        return;
    }

    sts_arena_free(a, p->chunks);
}


int
sts_policy_kind(const sts_policy_t *p)
{
    return p->kind;
}


size_t
sts_policy_num_statements(const sts_policy_t *p)
{
    return p->num_stmts;
}


static int
sts_compile_doc(sts_cc_t *cc, json_t *root, sts_policy_t *p)
{
    int          rc, single;
    char         q[STS_QUOTE_MAX * 4 + 8];
    size_t       i, n;
    json_t      *v, *stmts;
    const char  *key;

    if (!json_is_object(root)) {
        return sts_cc_fail(cc, STS_EINVAL, "policy must be a JSON object");
    }

    json_object_foreach(root, key, v) {
        if (strcmp(key, "Version") != 0 && strcmp(key, "Statement") != 0) {
            return sts_cc_fail(cc, STS_EINVAL, "unknown member %s",
                               sts_quote(q, sizeof(q), key, strlen(key)));
        }
    }

    v = json_object_get(root, "Version");
    if (v == NULL) {
        return sts_cc_fail(cc, STS_EINVAL, "Version: missing");
    }

    if (!json_is_string(v) || json_string_length(v) != 1
        || json_string_value(v)[0] != '1')
    {
        return sts_cc_fail(cc, STS_EINVAL, "Version: must be \"1\"");
    }

    stmts = json_object_get(root, "Statement");
    if (stmts == NULL) {
        return sts_cc_fail(cc, STS_EINVAL, "Statement: missing");
    }

    if (json_is_object(stmts)) {
        single = 1;
        n = 1;

    } else if (json_is_array(stmts)) {
        single = 0;
        n = json_array_size(stmts);

        if (n > STS_POLICY_MAX_STATEMENTS) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "Statement: more than %d statements",
                               STS_POLICY_MAX_STATEMENTS);
        }

    } else {
        return sts_cc_fail(cc, STS_EINVAL,
                           "Statement: must be an array or an object");
    }

    p->stmts = sts_arena_alloc(&cc->arena, n * sizeof(sts_stmt_t));
    if (p->stmts == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        if (single) {
            snprintf(cc->spath, sizeof(cc->spath), "Statement");
            v = stmts;

        } else {
            snprintf(cc->spath, sizeof(cc->spath), "Statement[%zu]", i);
            v = json_array_get(stmts, i);
        }

        rc = sts_compile_stmt(cc, v, &p->stmts[i]);
        if (rc != STS_OK) {
            return rc;
        }

        if (p->stmts[i].deny) {
            p->num_deny++;
        }
    }

    p->num_stmts = (uint32_t) n;

    return STS_OK;
}


static int
sts_compile_stmt(sts_cc_t *cc, json_t *js, sts_stmt_t *st)
{
    int          rc;
    char         q[STS_QUOTE_MAX * 4 + 8];
    json_t      *v, *prin, *cond;
    const char  *key;
    static const char  *members[] = {
        "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
        "Condition", "Principal", NULL
    };
    const char  **m;

    memset(st, 0, sizeof(sts_stmt_t));

    if (!json_is_object(js)) {
        return sts_cc_fail(cc, STS_EINVAL, "%s: must be an object",
                           cc->spath);
    }

    json_object_foreach(js, key, v) {
        for (m = members; *m != NULL; m++) {
            if (strcmp(key, *m) == 0) {
                break;
            }
        }

        if (*m == NULL) {
            return sts_cc_fail(cc, STS_EINVAL, "%s: unknown member %s",
                               cc->spath,
                               sts_quote(q, sizeof(q), key, strlen(key)));
        }
    }

    /* Sid and Effect */

    rc = sts_compile_sid_effect(cc, js, st);
    if (rc != STS_OK) {
        return rc;
    }

    /* Action or NotAction, Resource or NotResource */

    rc = sts_compile_targets(cc, js, st);
    if (rc != STS_OK) {
        return rc;
    }

    /* Principal */

    prin = json_object_get(js, "Principal");

    if (cc->kind == STS_POLICY_IDENTITY) {
        if (prin != NULL) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Principal: only allowed in a trust policy",
                               cc->spath);
        }

    } else {
        if (prin == NULL) {
            return sts_cc_fail(cc, STS_EINVAL, "%s.Principal: missing",
                               cc->spath);
        }

        st->principal = sts_arena_alloc(&cc->arena, sizeof(sts_principal_t));
        if (st->principal == NULL) {
            return STS_ENOMEM;
        }

        rc = sts_compile_principal(cc, prin, st->principal);
        if (rc != STS_OK) {
            return rc;
        }
    }

    /* Condition */

    cond = json_object_get(js, "Condition");
    if (cond != NULL) {
        rc = sts_compile_conditions(cc, cond, st);
        if (rc != STS_OK) {
            return rc;
        }
    }

    return STS_OK;
}


/* The statement's Sid (optional) and its Effect, Allow or Deny. */

static int
sts_compile_sid_effect(sts_cc_t *cc, json_t *js, sts_stmt_t *st)
{
    char         q[STS_QUOTE_MAX * 4 + 8];
    size_t       len;
    json_t      *v;
    const char  *s;

    /* Sid */

    v = json_object_get(js, "Sid");
    if (v != NULL) {
        if (!json_is_string(v)) {
            return sts_cc_fail(cc, STS_EINVAL, "%s.Sid: must be a string",
                               cc->spath);
        }

        len = json_string_length(v);
        if (len > STS_POLICY_MAX_SID_LEN) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "%s.Sid: longer than %d bytes", cc->spath,
                               STS_POLICY_MAX_SID_LEN);
        }

        st->sid.data = sts_arena_strdup(&cc->arena, json_string_value(v),
                                        len);
        if (st->sid.data == NULL) {
            return STS_ENOMEM;
        }

        st->sid.len = len;
    }

    /* Effect */

    v = json_object_get(js, "Effect");
    if (v == NULL) {
        return sts_cc_fail(cc, STS_EINVAL, "%s.Effect: missing", cc->spath);
    }

    if (!json_is_string(v)) {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.Effect: must be \"Allow\" or \"Deny\"",
                           cc->spath);
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (len == 5 && memcmp(s, "Allow", 5) == 0) {
        st->deny = 0;

    } else if (len == 4 && memcmp(s, "Deny", 4) == 0) {
        st->deny = 1;

    } else {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.Effect: %s is not \"Allow\" or \"Deny\"",
                           cc->spath, sts_quote(q, sizeof(q), s, len));
    }

    return STS_OK;
}


/*
 * The statement's Action or NotAction, and its Resource or NotResource
 * (none in a trust policy).
 */

static int
sts_compile_targets(sts_cc_t *cc, json_t *js, sts_stmt_t *st)
{
    int      rc;
    json_t  *act, *nact, *res, *nres;

    /* Action or NotAction */

    act = json_object_get(js, "Action");
    nact = json_object_get(js, "NotAction");

    if (act != NULL && nact != NULL) {
        return sts_cc_fail(cc, STS_EINVAL, "%s: both Action and NotAction",
                           cc->spath);
    }

    if (act == NULL && nact == NULL) {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s: Action or NotAction is required", cc->spath);
    }

    st->not_action = act == NULL;

    rc = sts_compile_patlist(cc, act ? act : nact,
                             act ? "Action" : "NotAction", 1, &st->action);
    if (rc != STS_OK) {
        return rc;
    }

    /* Resource or NotResource */

    res = json_object_get(js, "Resource");
    nres = json_object_get(js, "NotResource");

    if (cc->kind == STS_POLICY_TRUST) {
        if (res != NULL || nres != NULL) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.%s: not allowed in a trust policy",
                               cc->spath, res ? "Resource" : "NotResource");
        }

    } else {
        if (res != NULL && nres != NULL) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s: both Resource and NotResource",
                               cc->spath);
        }

        if (res == NULL && nres == NULL) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s: Resource or NotResource is required",
                               cc->spath);
        }

        st->has_resource = 1;
        st->not_resource = res == NULL;

        rc = sts_compile_patlist(cc, res ? res : nres,
                                 res ? "Resource" : "NotResource", 0,
                                 &st->resource);
        if (rc != STS_OK) {
            return rc;
        }

        rc = sts_arn_fields(cc, &st->resource);
        if (rc != STS_OK) {
            return rc;
        }
    }

    sts_stmt_filter(st);

    return STS_OK;
}


/*
 * The bit of a name in a statement's filter (a 64-bit Bloom filter of one
 * hash): its length and three of its bytes, in constant time.  Two names
 * may share a bit; a filter only ever rules out a statement that could
 * not match, the patterns decide the rest.
 */
static uint64_t
sts_filter_bit(const unsigned char *s, size_t n)
{
    uint32_t  h;

    if (n == 0) {
        return 1;
    }

    h = (uint32_t) n * 0x9e3779b1u;
    h = (h ^ s[n - 1]) * 0x85ebca6bu;
    h = (h ^ s[n / 2]) * 0xc2b2ae35u;
    h = (h ^ s[0]) * 0x27d4eb2fu;

    return (uint64_t) 1 << (h >> 26);
}


/*
 * The bucket a resource pattern names: the text between its fourth ':'
 * and the next '/' (or its end), when that text is literal.  Any text the
 * pattern matches then has, right after one of its ':', exactly that text
 * followed by '/' or its end, as ':' and '/' match only themselves and
 * the bucket holds neither.  0 if the pattern names none so.
 */
static uint64_t
sts_pat_bucket_bit(const sts_pat_t *pat)
{
    size_t       i, colons, start;
    const char  *t;

    t = pat->text;
    colons = 0;

    for (i = 0; i < pat->len && colons < 4; i++) {
        if (t[i] == ':') {
            colons++;
        }
    }

    if (colons < 4) {
        return 0;
    }

    start = i;

    for ( /* void */ ; i < pat->len && t[i] != '/'; i++) {
        if (t[i] == '*' || t[i] == '?' || t[i] == ':') {
            return 0;
        }
    }

    if (i == start) {
        return 0;
    }

    return sts_filter_bit((const unsigned char *) t + start, i - start);
}


static void
sts_stmt_filter(sts_stmt_t *st)
{
    uint32_t  i;
    uint64_t  bit, bits;

    /* literal actions only, and not NotAction */
    bits = 0;

    if (!st->not_action && !st->action.any) {
        for (i = 0; i < st->action.num; i++) {
            if (st->action.pats[i].type != STS_PAT_LITERAL) {
                bits = 0;
                break;
            }

            bits |= sts_filter_bit((const unsigned char *)
                                   st->action.pats[i].text,
                                   st->action.pats[i].len);
        }
    }

    st->act_bits = bits;

    /* every resource names its bucket, and not NotResource */
    bits = 0;

    if (st->has_resource && !st->not_resource && !st->resource.any) {
        for (i = 0; i < st->resource.num; i++) {
            bit = sts_pat_bucket_bit(&st->resource.pats[i]);
            if (bit == 0) {
                bits = 0;
                break;
            }

            bits |= bit;
        }
    }

    st->res_bits = bits;
}


/*
 * Whether a statement's filters rule it out for the action of |act_bit|
 * and |res|, whose bits are computed at the first statement that needs
 * them.
 */
static int
sts_stmt_ruled_out(const sts_stmt_t *st, uint64_t act_bit, sts_str_t res,
    sts_res_filter_t *rf)
{
    if (st->act_bits && !(st->act_bits & act_bit)) {
        return 1;
    }

    if (st->res_bits == 0) {
        return 0;
    }

    if (!rf->done) {
        rf->bits = sts_resource_bits(res);
        rf->done = 1;
    }

    return !(st->res_bits & rf->bits);
}


/*
 * The bits of every text a resource's bucket could be, for the filters:
 * after each ':', up to the next ':' or '/', when a '/' or the end
 * follows.
 */
static uint64_t
sts_resource_bits(sts_str_t res)
{
    uint64_t     bits;
    const char  *p, *end, *q;

    bits = 0;
    p = res.data;
    end = res.data + res.len;

    while (p < end && (p = memchr(p, ':', end - p)) != NULL) {
        p++;

        for (q = p; q < end && *q != ':' && *q != '/'; q++) {
            /* void */
        }

        if (q > p && (q == end || *q == '/')) {
            bits |= sts_filter_bit((const unsigned char *) p, q - p);
        }

        p = q;
    }

    return bits;
}


static int
sts_compile_patlist(sts_cc_t *cc, json_t *v, const char *name, int icase,
    sts_patlist_t *out)
{
    int      rc, list;
    char     idx[24];
    size_t   i, n, len;
    json_t  *e;

    memset(out, 0, sizeof(sts_patlist_t));

    if (json_is_string(v)) {
        list = 0;
        n = 1;

    } else if (json_is_array(v)) {
        list = 1;
        n = json_array_size(v);

        if (n == 0) {
            return sts_cc_fail(cc, STS_EINVAL, "%s.%s: empty list",
                               cc->spath, name);
        }

        if (n > STS_POLICY_MAX_VALUES) {
            return sts_cc_fail(cc, STS_ETOOBIG, "%s.%s: more than %d values",
                               cc->spath, name, STS_POLICY_MAX_VALUES);
        }

    } else {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.%s: must be a string or a list of strings",
                           cc->spath, name);
    }

    out->pats = sts_arena_alloc(&cc->arena, n * sizeof(sts_pat_t));
    if (out->pats == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        e = list ? json_array_get(v, i) : v;
        idx[0] = '\0';

        if (list) {
            snprintf(idx, sizeof(idx), "[%zu]", i);
        }

        if (!json_is_string(e)) {
            return sts_cc_fail(cc, STS_EINVAL, "%s.%s%s: must be a string",
                               cc->spath, name, idx);
        }

        len = json_string_length(e);

        if (len == 0) {
            return sts_cc_fail(cc, STS_EINVAL, "%s.%s%s: empty string",
                               cc->spath, name, idx);
        }

        if (len > STS_POLICY_MAX_STRING_LEN) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "%s.%s%s: longer than %d bytes",
                               cc->spath, name, idx,
                               STS_POLICY_MAX_STRING_LEN);
        }

        rc = sts_pat_compile(cc, json_string_value(e), len, icase,
                             &out->pats[i]);
        if (rc != STS_OK) {
            return rc;
        }

        if (out->pats[i].type == STS_PAT_ANY) {
            out->any = 1;
        }
    }

    out->num = (uint32_t) n;

    return STS_OK;
}


static const sts_op_t *
sts_op_find(const char *name)
{
    const sts_op_t  *op;

    for (op = sts_ops; op->name != NULL; op++) {
        if (strcmp(op->name, name) == 0) {
            return op;
        }
    }

    return NULL;
}


static int
sts_compile_conditions(sts_cc_t *cc, json_t *v, sts_stmt_t *st)
{
    int              rc;
    char             q[STS_QUOTE_MAX * 4 + 8];
    size_t           n, len, i;
    json_t          *ov, *kv;
    const char      *name, *key;
    const sts_op_t  *op;

    if (!json_is_object(v)) {
        return sts_cc_fail(cc, STS_EINVAL, "%s.Condition: must be an object",
                           cc->spath);
    }

    n = 0;

    json_object_foreach(v, name, ov) {
        op = sts_op_find(name);

        if (op == NULL) {
            len = strlen(name);
            sts_quote(q, sizeof(q), name, len);

            if (strncmp(name, "ForAnyValue:", 12) == 0
                || strncmp(name, "ForAllValues:", 13) == 0)
            {
                return sts_cc_fail(cc, STS_EINVAL,
                                   "%s.Condition: %s: set qualifiers are "
                                   "not supported", cc->spath, q);
            }

            if (len > 8 && strcmp(name + len - 8, "IfExists") == 0) {
                return sts_cc_fail(cc, STS_EINVAL,
                                   "%s.Condition: %s: IfExists operators "
                                   "are not supported", cc->spath, q);
            }

            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Condition: unknown condition operator %s",
                               cc->spath, q);
        }

        if (!json_is_object(ov)) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Condition.%s: must be an object of "
                               "condition keys", cc->spath, op->name);
        }

        if (json_object_size(ov) == 0) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Condition.%s: no condition keys",
                               cc->spath, op->name);
        }

        n += json_object_size(ov);

        if (n > STS_POLICY_MAX_CONDITIONS) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "%s.Condition: more than %d condition keys",
                               cc->spath, STS_POLICY_MAX_CONDITIONS);
        }
    }

    if (n == 0) {
        return STS_OK;
    }

    st->conds = sts_arena_alloc(&cc->arena, n * sizeof(sts_cond_t));
    if (st->conds == NULL) {
        return STS_ENOMEM;
    }

    i = 0;

    json_object_foreach(v, name, ov) {
        op = sts_op_find(name);

        json_object_foreach(ov, key, kv) {
            rc = sts_compile_cond(cc, op, key, kv, &st->conds[i]);
            if (rc != STS_OK) {
                return rc;
            }

            i++;
        }
    }

    st->num_conds = (uint32_t) n;

    return STS_OK;
}


static int
sts_is_scalar(json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}


static int
sts_compile_cond(sts_cc_t *cc, const sts_op_t *op, const char *key,
    json_t *v, sts_cond_t *c)
{
    int      rc, list;
    char     q[STS_QUOTE_MAX * 4 + 8];
    char    *lkey;
    size_t   i, n, len;
    json_t  *e;

    memset(c, 0, sizeof(sts_cond_t));
    c->op = op;
    len = strlen(key);

    if (len == 0) {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.Condition.%s: empty condition key",
                           cc->spath, op->name);
    }

    if (len > STS_POLICY_MAX_STRING_LEN) {
        return sts_cc_fail(cc, STS_ETOOBIG,
                           "%s.Condition.%s: condition key longer than %d "
                           "bytes", cc->spath, op->name,
                           STS_POLICY_MAX_STRING_LEN);
    }

    c->key.data = sts_arena_strdup(&cc->arena, key, len);
    lkey = sts_arena_strdup(&cc->arena, key, len);
    if (c->key.data == NULL || lkey == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < len; i++) {
        lkey[i] = (char) sts_lc_table[(unsigned char) lkey[i]];
    }

    c->key.len = len;
    c->lkey.data = lkey;
    c->lkey.len = len;

    sts_quote(q, sizeof(q), key, len);

    if (json_is_array(v)) {
        list = 1;
        n = json_array_size(v);

        if (n == 0) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Condition.%s: %s: empty list",
                               cc->spath, op->name, q);
        }

        if (n > STS_POLICY_MAX_VALUES) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "%s.Condition.%s: %s: more than %d values",
                               cc->spath, op->name, q,
                               STS_POLICY_MAX_VALUES);
        }

    } else if (sts_is_scalar(v)) {
        list = 0;
        n = 1;

    } else {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.Condition.%s: %s: must be a string, number, "
                           "boolean or a list of them",
                           cc->spath, op->name, q);
    }

    c->values = sts_arena_alloc(&cc->arena, n * sizeof(sts_cval_t));
    if (c->values == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        e = list ? json_array_get(v, i) : v;

        if (!sts_is_scalar(e)) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Condition.%s: %s[%zu]: must be a string, "
                               "number or boolean",
                               cc->spath, op->name, q, i);
        }

        rc = sts_compile_value(cc, op, e, &c->values[i]);
        if (rc != STS_OK) {
            return rc;
        }
    }

    c->num_values = (uint32_t) n;

    return STS_OK;
}


static int
sts_compile_value(sts_cc_t *cc, const sts_op_t *op, json_t *v,
    sts_cval_t *cv)
{
    int          rc;
    char         num[64], q[STS_QUOTE_MAX * 4 + 8];
    double       d;
    size_t       len;
    const char  *s, *what;

    memset(cv, 0, sizeof(sts_cval_t));

    switch (json_typeof(v)) {

    case JSON_STRING:
        cv->jtype = STS_JT_STRING;
        s = json_string_value(v);
        len = json_string_length(v);
        break;

    case JSON_INTEGER:
        cv->jtype = STS_JT_INTEGER;
        cv->ival = (int64_t) json_integer_value(v);
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        s = num;
        len = strlen(num);
        break;

    case JSON_REAL:
        cv->jtype = STS_JT_REAL;
        cv->rval = json_real_value(v);
        snprintf(num, sizeof(num), "%.15g", cv->rval);
        if (strtod(num, NULL) != cv->rval) {
            snprintf(num, sizeof(num), "%.17g", cv->rval);
        }

        s = num;
        len = strlen(num);
        break;

    case JSON_TRUE:
        cv->jtype = STS_JT_TRUE;
        s = "true";
        len = 4;
        break;

    default:
        cv->jtype = STS_JT_FALSE;
        s = "false";
        len = 5;
        break;
    }

    if (len > STS_POLICY_MAX_STRING_LEN) {
        return sts_cc_fail(cc, STS_ETOOBIG,
                           "%s.Condition.%s: value longer than %d bytes",
                           cc->spath, op->name, STS_POLICY_MAX_STRING_LEN);
    }

    cv->raw.data = sts_arena_strdup(&cc->arena, s, len);
    if (cv->raw.data == NULL) {
        return STS_ENOMEM;
    }

    cv->raw.len = len;
    what = NULL;

    switch (op->type) {

    case STS_CT_LIKE:
        rc = sts_pat_compile(cc, s, len, 0, &cv->u.pat);
        if (rc != STS_OK) {
            return rc;
        }

        break;

    case STS_CT_NUMBER:
        if (json_is_number(v)) {
            cv->u.num = json_number_value(v);

        } else if (!json_is_string(v)
                   || sts_parse_number(s, len, &d) != STS_OK)
        {
            what = "a number";

        } else {
            cv->u.num = d;
        }

        break;

    case STS_CT_DATE:
        if (json_is_integer(v)) {
            if (json_integer_value(v) < 0) {
                what = "a date";

            } else {
                cv->u.date = (int64_t) json_integer_value(v);
            }

        } else if (!json_is_string(v)
                   || sts_parse_date(s, len, &cv->u.date) != STS_OK)
        {
            what = "a date";
        }

        break;

    case STS_CT_BOOL:
        if (json_is_boolean(v)) {
            cv->u.b = json_is_true(v);

        } else if (!json_is_string(v)
                   || sts_parse_bool(s, len, &cv->u.b) != STS_OK)
        {
            what = "a boolean";
        }

        break;

    case STS_CT_IP:
        if (!json_is_string(v)
            || sts_parse_ip(s, len, 1, &cv->u.ip) != STS_OK)
        {
            what = "a CIDR";
        }

        break;

    default:
        break;
    }

    if (what != NULL) {
        return sts_cc_fail(cc, STS_EINVAL, "%s.Condition.%s: %s is not %s",
                           cc->spath, op->name,
                           sts_quote(q, sizeof(q), s, len), what);
    }

    return STS_OK;
}


static int
sts_compile_principal(sts_cc_t *cc, json_t *v, sts_principal_t *pr)
{
    int          rc;
    char         q[STS_QUOTE_MAX * 4 + 8];
    json_t      *e;
    const char  *key;

    memset(pr, 0, sizeof(sts_principal_t));

    if (!json_is_object(v)) {
        return sts_cc_fail(cc, STS_EINVAL, "%s.Principal: must be an object",
                           cc->spath);
    }

    if (json_object_size(v) == 0) {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.Principal: names no RAM, Service or "
                           "Federated principal", cc->spath);
    }

    json_object_foreach(v, key, e) {
        if (strcmp(key, "RAM") == 0) {
            rc = sts_compile_plist(cc, e, "RAM", 1, &pr->ram);

        } else if (strcmp(key, "Service") == 0) {
            rc = sts_compile_plist(cc, e, "Service", 0, &pr->service);

        } else if (strcmp(key, "Federated") == 0) {
            rc = sts_compile_plist(cc, e, "Federated", 0, &pr->federated);

        } else {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Principal: unknown principal type %s",
                               cc->spath,
                               sts_quote(q, sizeof(q), key, strlen(key)));
        }

        if (rc != STS_OK) {
            return rc;
        }
    }

    return STS_OK;
}


/*
 * sts_ram_principal checks a Principal.RAM entry.  Returns 1 for a root
 * form ("acs:ram::<acct>:root" or a bare account id), with the account
 * digits at |acct_off|, |acct_len|; 0 for a single user or role; -1 if
 * malformed.
 */
static int
sts_ram_principal(const char *s, size_t len, size_t *acct_off,
    size_t *acct_len)
{
    size_t  i, start;

    for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        /* void */
    }

    if (i == len) {
        *acct_off = 0;
        *acct_len = len;
        return 1;
    }

    if (len < 9 || memcmp(s, "acs:ram::", 9) != 0) {
        return -1;
    }

    start = 9;
    for (i = start; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        /* void */
    }

    if (i == start || i == len || s[i] != ':') {
        return -1;
    }

    *acct_off = start;
    *acct_len = i - start;
    i++;

    if (len - i == 4 && memcmp(s + i, "root", 4) == 0) {
        return 1;
    }

    if ((len - i > 5 && memcmp(s + i, "user/", 5) == 0)
        || (len - i > 5 && memcmp(s + i, "role/", 5) == 0))
    {
        return 0;
    }

    return -1;
}


static int
sts_compile_plist(sts_cc_t *cc, json_t *v, const char *name, int ram,
    sts_plist_t *out)
{
    int          list, r;
    char         idx[24], q[STS_QUOTE_MAX * 4 + 8], *acct;
    size_t       i, n, len, aoff, alen;
    json_t      *e;
    const char  *s;

    memset(out, 0, sizeof(sts_plist_t));
    out->present = 1;

    if (json_is_string(v)) {
        list = 0;
        n = 1;

    } else if (json_is_array(v)) {
        list = 1;
        n = json_array_size(v);

        if (n == 0) {
            return sts_cc_fail(cc, STS_EINVAL, "%s.Principal.%s: empty list",
                               cc->spath, name);
        }

        if (n > STS_POLICY_MAX_VALUES) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "%s.Principal.%s: more than %d values",
                               cc->spath, name, STS_POLICY_MAX_VALUES);
        }

    } else {
        return sts_cc_fail(cc, STS_EINVAL,
                           "%s.Principal.%s: must be a string or a list of "
                           "strings", cc->spath, name);
    }

    out->v = sts_arena_alloc(&cc->arena, n * sizeof(sts_str_t));
    out->acct = sts_arena_alloc(&cc->arena, n * sizeof(sts_str_t));
    if (out->v == NULL || out->acct == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        e = list ? json_array_get(v, i) : v;
        idx[0] = '\0';

        if (list) {
            snprintf(idx, sizeof(idx), "[%zu]", i);
        }

        if (!json_is_string(e)) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Principal.%s%s: must be a string",
                               cc->spath, name, idx);
        }

        s = json_string_value(e);
        len = json_string_length(e);

        if (len == 0) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Principal.%s%s: empty string",
                               cc->spath, name, idx);
        }

        if (len > STS_POLICY_MAX_STRING_LEN) {
            return sts_cc_fail(cc, STS_ETOOBIG,
                               "%s.Principal.%s%s: longer than %d bytes",
                               cc->spath, name, idx,
                               STS_POLICY_MAX_STRING_LEN);
        }

        out->v[i].data = sts_arena_strdup(&cc->arena, s, len);
        if (out->v[i].data == NULL) {
            return STS_ENOMEM;
        }

        out->v[i].len = len;
        out->acct[i].data = NULL;
        out->acct[i].len = 0;

        if (!ram) {
            continue;
        }

        r = sts_ram_principal(s, len, &aoff, &alen);

        if (r < 0) {
            return sts_cc_fail(cc, STS_EINVAL,
                               "%s.Principal.%s%s: %s is not a RAM principal "
                               "(acs:ram::<account>:root, :user/<name> or "
                               ":role/<name>)", cc->spath, name, idx,
                               sts_quote(q, sizeof(q), s, len));
        }

        if (r == 1) {
            /* "acs:ram::<acct>:" */
            acct = sts_arena_alloc(&cc->arena, alen + 11);
            if (acct == NULL) {
                return STS_ENOMEM;
            }

            memcpy(acct, "acs:ram::", 9);
            memcpy(acct + 9, s + aoff, alen);
            acct[9 + alen] = ':';
            acct[10 + alen] = '\0';

            out->acct[i].data = acct;
            out->acct[i].len = alen + 10;
        }
    }

    out->num = (uint32_t) n;

    return STS_OK;
}


/* evaluation */

static void
sts_result_init(sts_policy_result_t *out)
{
    out->decision = STS_POLICY_IMPLICIT_DENY;
    out->policy = STS_POLICY_BY_NONE;
    out->statement = -1;
    out->sid.len = 0;
    out->sid.data = "";
    out->session_statement = -1;
    out->session_sid.len = 0;
    out->session_sid.data = "";
    out->num_missing = 0;
    out->missing_more = 0;
}


/*
 * sts_note_missing adds to |out| the keys of the conditions of |st| (a
 * statement that could have decided) for which |ctx| holds no value.
 * Nothing is allocated: the result keeps STS_POLICY_MAX_MISSING keys.
 */
static void
sts_note_missing(const sts_stmt_t *st, const sts_policy_ctx_t *ctx,
    sts_policy_result_t *out)
{
    size_t             k;
    uint32_t           i;
    unsigned           m;
    const sts_cond_t  *c;

    if (out == NULL) {
        return;
    }

    for (i = 0; i < st->num_conds; i++) {
        c = &st->conds[i];

        if (ctx != NULL) {
            for (k = 0; k < ctx->num_kv; k++) {
                if (sts_key_eq(c, ctx->kv[k].key)) {
                    break;
                }
            }

            if (k < ctx->num_kv) {
                continue;           /* present */
            }
        }

        for (m = 0; m < out->num_missing; m++) {
            if (sts_key_eq(c, out->missing[m])) {
                break;
            }
        }

        if (m < out->num_missing) {
            continue;               /* already noted */
        }

        if (out->num_missing == STS_POLICY_MAX_MISSING) {
            out->missing_more = 1;
            continue;
        }

        out->missing[out->num_missing++] = c->key;
    }
}


static int
sts_key_eq(const sts_cond_t *c, sts_str_t key)
{
    size_t                i;
    const unsigned char  *k, *l;

    if (key.len != c->lkey.len) {
        return 0;
    }

    k = (const unsigned char *) key.data;
    l = (const unsigned char *) c->lkey.data;

    for (i = 0; i < key.len; i++) {
        if (sts_lc_table[k[i]] != l[i]) {
            return 0;
        }
    }

    return 1;
}


static int
sts_cmp_num(int cmp, double a, double b)
{
    switch (cmp) {
    case STS_CMP_LT:
        return a < b;
    case STS_CMP_LE:
        return a <= b;
    case STS_CMP_GT:
        return a > b;
    case STS_CMP_GE:
        return a >= b;
    default:
        return a == b;
    }
}


static int
sts_cmp_date(int cmp, int64_t a, int64_t b)
{
    switch (cmp) {
    case STS_CMP_LT:
        return a < b;
    case STS_CMP_LE:
        return a <= b;
    case STS_CMP_GT:
        return a > b;
    case STS_CMP_GE:
        return a >= b;
    default:
        return a == b;
    }
}


/*
 * sts_cond_value returns 1 if the request value |v| matches one of the
 * condition's values, 0 if none, -1 if |v| does not parse as the
 * operator's type.
 */
static int
sts_cond_value(const sts_cond_t *c, sts_str_t v)
{
    int                b;
    double             num;
    int64_t            date;
    uint32_t           i;
    sts_cidr_t         ip;
    const sts_cval_t  *cv;

    cv = c->values;

    switch (c->op->type) {

    case STS_CT_STRING:
        for (i = 0; i < c->num_values; i++) {
            if (cv[i].raw.len == v.len
                && (v.len == 0 || memcmp(cv[i].raw.data, v.data, v.len) == 0))
            {
                return 1;
            }
        }

        return 0;

    case STS_CT_STRING_IC:
        for (i = 0; i < c->num_values; i++) {
            if (cv[i].raw.len == v.len
                && sts_bytes_caseeq((const unsigned char *) cv[i].raw.data,
                                    (const unsigned char *) v.data, v.len))
            {
                return 1;
            }
        }

        return 0;

    case STS_CT_LIKE:
        for (i = 0; i < c->num_values; i++) {
            if (sts_pat_match(&cv[i].u.pat, (const unsigned char *) v.data,
                              v.len))
            {
                return 1;
            }
        }

        return 0;

    case STS_CT_NUMBER:
        if (sts_parse_number(v.data, v.len, &num) != STS_OK) {
            return -1;
        }

        for (i = 0; i < c->num_values; i++) {
            if (sts_cmp_num(c->op->cmp, num, cv[i].u.num)) {
                return 1;
            }
        }

        return 0;

    case STS_CT_DATE:
        if (sts_parse_date(v.data, v.len, &date) != STS_OK) {
            return -1;
        }

        for (i = 0; i < c->num_values; i++) {
            if (sts_cmp_date(c->op->cmp, date, cv[i].u.date)) {
                return 1;
            }
        }

        return 0;

    case STS_CT_BOOL:
        if (sts_parse_bool(v.data, v.len, &b) != STS_OK) {
            return -1;
        }

        for (i = 0; i < c->num_values; i++) {
            if (cv[i].u.b == b) {
                return 1;
            }
        }

        return 0;

    default: /* STS_CT_IP */
        if (sts_parse_ip(v.data, v.len, 0, &ip) != STS_OK) {
            return -1;
        }

        for (i = 0; i < c->num_values; i++) {
            if (sts_cidr_match(&cv[i].u.ip, &ip)) {
                return 1;
            }
        }

        return 0;
    }
}


static int
sts_cond_eval(const sts_cond_t *c, const sts_policy_ctx_t *ctx)
{
    int                     r;
    size_t                  i;
    sts_str_t               v;
    const sts_policy_kv_t  *kv;

    if (ctx != NULL) {
        kv = ctx->kv;

        for (i = 0; i < ctx->num_kv; i++) {
            if (!sts_key_eq(c, kv[i].key)) {
                continue;
            }

            v = kv[i].value;
            if (v.data == NULL) {
                v.data = "";
                v.len = 0;
            }

            r = sts_cond_value(c, v);

            if (r < 0) {
                return 0;
            }

            if (r > 0) {
                return !c->op->negated;
            }
        }
    }

    /* absent, or present and no value matched */
    return c->op->negated;
}


static int
sts_stmt_match(const sts_stmt_t *st, const unsigned char *act,
    size_t act_len, sts_str_t res, const sts_policy_ctx_t *ctx,
    sts_policy_result_t *out)
{
    uint32_t  i;

    if (sts_list_match(&st->action, act, act_len) == st->not_action) {
        return 0;
    }

    /*
     * An ARN's fields are matched one by one where that makes the
     * statement apply to less (Allow with Resource) or to more (Deny with
     * NotResource); the whole text, where a star may reach across ':',
     * where that is the wider reading (Deny with Resource, Allow with
     * NotResource).  So a star in the account or region field never
     * lets an Allow reach another bucket through a key that holds ':',
     * and never lets a Deny miss what the whole text covers.
     */
    if (st->has_resource
        && (st->deny == st->not_resource
            ? sts_arn_list_match(&st->resource,
                                 (const unsigned char *) res.data, res.len)
            : sts_list_match(&st->resource,
                             (const unsigned char *) res.data, res.len))
           == st->not_resource)
    {
        return 0;
    }

    sts_note_missing(st, ctx, out);

    for (i = 0; i < st->num_conds; i++) {
        if (!sts_cond_eval(&st->conds[i], ctx)) {
            return 0;
        }
    }

    return 1;
}


int
sts_policy_evaluate(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, sts_str_t action, sts_str_t resource,
    const sts_policy_ctx_t *ctx, sts_policy_result_t *out)
{
    int                  allow_p, allow_s, sess_s;
    size_t               i;
    uint32_t             j;
    uint64_t             act_bit;
    unsigned char        act[STS_POLICY_MAX_ACTION_LEN];
    sts_res_filter_t     rf;
    const sts_stmt_t    *st;
    const sts_policy_t  *p;

    sts_result_init(out);

    if (action.len > STS_POLICY_MAX_ACTION_LEN
        || (action.data == NULL && action.len > 0)
        || (resource.data == NULL && resource.len > 0)
        || (role == NULL && num_role > 0))
    {
        return STS_EINVAL;
    }

    if (resource.data == NULL) {
        resource.data = "";
    }

    for (i = 0; i < num_role; i++) {
        if (role[i] != NULL && role[i]->kind != STS_POLICY_IDENTITY) {
            return STS_EINVAL;
        }
    }

    if (session != NULL && session->kind != STS_POLICY_IDENTITY) {
        return STS_EINVAL;
    }

    for (i = 0; i < action.len; i++) {
        act[i] = sts_lc_table[(unsigned char) action.data[i]];
    }

    /* what the statements' filters are checked against */
    act_bit = sts_filter_bit(act, action.len);
    rf.done = 0;
    rf.bits = 0;

    /* role policies: the first Deny that matches wins at once */

    allow_p = -1;
    allow_s = -1;

    for (i = 0; i < num_role; i++) {
        p = role[i];

        if (p == NULL || (allow_p >= 0 && p->num_deny == 0)) {
            continue;
        }

        for (j = 0; j < p->num_stmts; j++) {
            st = &p->stmts[j];

            if ((!st->deny && allow_p >= 0)
                || (p->num_stmts >= STS_POLICY_FILTER_MIN
                    && sts_stmt_ruled_out(st, act_bit, resource, &rf))
                || !sts_stmt_match(st, act, action.len, resource, ctx,
                                   out))
            {
                continue;
            }

            if (st->deny) {
                out->decision = STS_POLICY_EXPLICIT_DENY;
                out->policy = (int) i;
                out->statement = (int) j;
                out->sid = st->sid;
                return STS_OK;
            }

            allow_p = (int) i;
            allow_s = (int) j;
        }
    }

    /* session policy */

    sess_s = -1;

    if (session != NULL) {
        for (j = 0; j < session->num_stmts; j++) {
            st = &session->stmts[j];

            if ((!st->deny && sess_s >= 0)
                || (session->num_stmts >= STS_POLICY_FILTER_MIN
                    && sts_stmt_ruled_out(st, act_bit, resource, &rf))
                || !sts_stmt_match(st, act, action.len, resource, ctx,
                                   out))
            {
                continue;
            }

            if (st->deny) {
                out->decision = STS_POLICY_EXPLICIT_DENY;
                out->policy = STS_POLICY_BY_SESSION;
                out->statement = (int) j;
                out->sid = st->sid;
                return STS_OK;
            }

            sess_s = (int) j;
        }

        if (sess_s < 0) {
            out->policy = STS_POLICY_BY_SESSION;
            return STS_OK;
        }
    }

    if (allow_p < 0) {
        return STS_OK;
    }

    out->decision = STS_POLICY_ALLOW;
    out->policy = allow_p;
    out->statement = allow_s;
    out->sid = role[allow_p]->stmts[allow_s].sid;

    if (session != NULL) {
        out->session_statement = sess_s;
        out->session_sid = session->stmts[sess_s].sid;
    }

    return STS_OK;
}


static int
sts_principal_match(const sts_principal_t *pr, int type, sts_str_t who)
{
    uint32_t            i;
    const sts_plist_t  *l;

    switch (type) {

    case STS_PRINCIPAL_RAM:
        l = &pr->ram;

        for (i = 0; i < l->num; i++) {
            if (l->acct[i].len) {
                if (who.len > l->acct[i].len
                    && memcmp(who.data, l->acct[i].data, l->acct[i].len) == 0)
                {
                    return 1;
                }

            } else if (who.len == l->v[i].len
                       && memcmp(who.data, l->v[i].data, who.len) == 0)
            {
                return 1;
            }
        }

        return 0;

    case STS_PRINCIPAL_SERVICE:
        l = &pr->service;

        for (i = 0; i < l->num; i++) {
            if (who.len == l->v[i].len && sts_str_caseeq(who, l->v[i].data)) {
                return 1;
            }
        }

        return 0;

    default:
        l = &pr->federated;

        for (i = 0; i < l->num; i++) {
            if (who.len == l->v[i].len
                && memcmp(who.data, l->v[i].data, who.len) == 0)
            {
                return 1;
            }
        }

        return 0;
    }
}


int
sts_policy_evaluate_trust(const sts_policy_t *trust, int principal_type,
    sts_str_t principal, const sts_policy_ctx_t *ctx,
    sts_policy_result_t *out)
{
    int                  allow;
    uint32_t             i, j;
    const sts_stmt_t    *st;
    static const char    act[] = "sts:assumerole";

    sts_result_init(out);

    if (trust == NULL || trust->kind != STS_POLICY_TRUST
        || principal_type < STS_PRINCIPAL_RAM
        || principal_type > STS_PRINCIPAL_FEDERATED
        || (principal.data == NULL && principal.len > 0))
    {
        return STS_EINVAL;
    }

    if (principal.data == NULL) {
        principal.data = "";
    }

    allow = -1;

    for (i = 0; i < trust->num_stmts; i++) {
        st = &trust->stmts[i];

        if (!st->deny && allow >= 0) {
            continue;
        }

        if (sts_list_match(&st->action, (const unsigned char *) act,
                           sizeof(act) - 1)
            == st->not_action)
        {
            continue;
        }

        if (!sts_principal_match(st->principal, principal_type, principal)) {
            continue;
        }

        sts_note_missing(st, ctx, out);

        for (j = 0; j < st->num_conds; j++) {
            if (!sts_cond_eval(&st->conds[j], ctx)) {
                break;
            }
        }

        if (j < st->num_conds) {
            continue;
        }

        if (st->deny) {
            out->decision = STS_POLICY_EXPLICIT_DENY;
            out->policy = STS_POLICY_BY_TRUST;
            out->statement = (int) i;
            out->sid = st->sid;
            return STS_OK;
        }

        allow = (int) i;
    }

    if (allow >= 0) {
        out->decision = STS_POLICY_ALLOW;
        out->policy = STS_POLICY_BY_TRUST;
        out->statement = allow;
        out->sid = trust->stmts[allow].sid;
    }

    return STS_OK;
}


/* reporting */

const char *
sts_policy_decision_name(sts_policy_decision_t d)
{
    switch (d) {
    case STS_POLICY_ALLOW:
        return "Allow";
    case STS_POLICY_EXPLICIT_DENY:
        return "ExplicitDeny";
    default:
        return "ImplicitDeny";
    }
}


static void
sts_out_bytes(sts_out_t *o, const char *s, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (o->pos + 1 < o->len) {
            o->buf[o->pos] = s[i];
        }

        o->pos++;
    }
}


static void
sts_out_stmt(sts_out_t *o, const char *who, int statement, sts_str_t sid)
{
    char    num[40], c;
    size_t  i;

    sts_out_bytes(o, who, strlen(who));
    snprintf(num, sizeof(num), ".Statement[%d]", statement);
    sts_out_bytes(o, num, strlen(num));

    if (sid.len == 0) {
        return;
    }

    sts_out_bytes(o, "(", 1);

    for (i = 0; i < sid.len; i++) {
        c = sid.data[i];

        if ((unsigned char) c < 0x20 || c == 0x7f || c == '(' || c == ')') {
            c = '?';
        }

        sts_out_bytes(o, &c, 1);
    }

    sts_out_bytes(o, ")", 1);
}


size_t
sts_policy_result_describe(const sts_policy_result_t *res, char *buf,
    size_t len)
{
    char       who[32];
    sts_out_t  o;

    o.buf = buf;
    o.len = len;
    o.pos = 0;

    if (res->statement < 0) {
        if (res->policy == STS_POLICY_BY_SESSION) {
            sts_out_bytes(&o, "session", 7);

        } else {
            sts_out_bytes(&o, "none", 4);
        }

    } else {
        if (res->policy == STS_POLICY_BY_SESSION) {
            snprintf(who, sizeof(who), "session");

        } else if (res->policy == STS_POLICY_BY_TRUST) {
            snprintf(who, sizeof(who), "trust");

        } else {
            snprintf(who, sizeof(who), "role[%d]", res->policy);
        }

        sts_out_stmt(&o, who, res->statement, res->sid);

        if (res->decision == STS_POLICY_ALLOW
            && res->session_statement >= 0)
        {
            sts_out_bytes(&o, " ", 1);
            sts_out_stmt(&o, "session", res->session_statement,
                         res->session_sid);
        }
    }

    if (len > 0) {
        buf[o.pos < len ? o.pos : len - 1] = '\0';
    }

    return o.pos;
}


/* normalised printing */

static int
sts_jset(json_t *o, const char *key, json_t *v)
{
    if (v == NULL) {
        return -1;
    }

    return json_object_set_new(o, key, v);
}


static json_t *
sts_json_patlist(const sts_patlist_t *l)
{
    json_t    *a;
    uint32_t   i;

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < l->num; i++) {
        if (json_array_append_new(a, json_stringn(l->pats[i].raw,
                                                  l->pats[i].len))
            != 0)
        {
            json_decref(a);
            return NULL;
        }
    }

    return a;
}


static json_t *
sts_json_plist(const sts_plist_t *l)
{
    json_t    *a;
    uint32_t   i;

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < l->num; i++) {
        if (json_array_append_new(a, json_stringn(l->v[i].data, l->v[i].len))
            != 0)
        {
            json_decref(a);
            return NULL;
        }
    }

    return a;
}


static json_t *
sts_json_value(const sts_cval_t *cv)
{
    switch (cv->jtype) {
    case STS_JT_INTEGER:
        return json_integer((json_int_t) cv->ival);
    case STS_JT_REAL:
        return json_real(cv->rval);
    case STS_JT_TRUE:
        return json_true();
    case STS_JT_FALSE:
        return json_false();
    default:
        return json_stringn(cv->raw.data, cv->raw.len);
    }
}


static json_t *
sts_json_stmt(const sts_policy_t *p, const sts_stmt_t *st)
{
    json_t             *o, *pr, *cond, *opo, *vals;
    uint32_t            i, k;
    const sts_cond_t   *c;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    if (st->sid.len
        && sts_jset(o, "Sid", json_stringn(st->sid.data, st->sid.len)) != 0)
    {
        goto failed;
    }

    if (sts_jset(o, "Effect", json_string(st->deny ? "Deny" : "Allow"))
        != 0)
    {
        goto failed;
    }

    if (st->principal != NULL) {
        pr = json_object();
        if (sts_jset(o, "Principal", pr) != 0) {
            goto failed;
        }

        if ((st->principal->ram.present
             && sts_jset(pr, "RAM", sts_json_plist(&st->principal->ram)))
            || (st->principal->service.present
                && sts_jset(pr, "Service",
                            sts_json_plist(&st->principal->service)))
            || (st->principal->federated.present
                && sts_jset(pr, "Federated",
                            sts_json_plist(&st->principal->federated))))
        {
            goto failed;
        }
    }

    if (sts_jset(o, st->not_action ? "NotAction" : "Action",
                 sts_json_patlist(&st->action))
        != 0)
    {
        goto failed;
    }

    if (st->has_resource
        && sts_jset(o, st->not_resource ? "NotResource" : "Resource",
                    sts_json_patlist(&st->resource))
           != 0)
    {
        goto failed;
    }

    if (st->num_conds == 0) {
        return o;
    }

    cond = json_object();
    if (sts_jset(o, "Condition", cond) != 0) {
        goto failed;
    }

    for (i = 0; i < st->num_conds; i++) {
        c = &st->conds[i];

        opo = json_object_get(cond, c->op->name);
        if (opo == NULL) {
            opo = json_object();
            if (sts_jset(cond, c->op->name, opo) != 0) {
                goto failed;
            }
        }

        vals = json_array();
        if (sts_jset(opo, c->key.data, vals) != 0) {
            goto failed;
        }

        for (k = 0; k < c->num_values; k++) {
            if (json_array_append_new(vals, sts_json_value(&c->values[k]))
                != 0)
            {
                goto failed;
            }
        }
    }

    return o;

failed:

    json_decref(o);
    return NULL;
}


int
sts_policy_to_json(const sts_policy_t *p, int pretty, sts_buf_t *out)
{
    int                rc;
    char              *text;
    json_t            *root, *arr, *js;
    uint32_t           i;
    json_free_t        free_fn;
    json_malloc_t      malloc_fn;

    root = json_object();
    if (root == NULL) {
        return STS_ENOMEM;
    }

    arr = json_array();

    if (sts_jset(root, "Version", json_string("1")) != 0
        || sts_jset(root, "Statement", arr) != 0)
    {
        json_decref(root);
        return STS_ENOMEM;
    }

    for (i = 0; i < p->num_stmts; i++) {
        js = sts_json_stmt(p, &p->stmts[i]);

        if (js == NULL || json_array_append_new(arr, js) != 0) {
            json_decref(root);
            return STS_ENOMEM;
        }
    }

    text = json_dumps(root, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    json_decref(root);

    if (text == NULL) {
        return STS_ENOMEM;
    }

    rc = sts_buf_append_str(out, text);

    json_get_alloc_funcs(&malloc_fn, &free_fn);
    free_fn(text);

    return rc;
}


int
sts_policy_key_shrinks(const sts_policy_t *p, sts_str_t key)
{
    uint32_t           i, j;
    const sts_op_t    *op;
    const sts_stmt_t  *s;

    if (p == NULL) {
        return 1;
    }

    for (i = 0; i < p->num_stmts; i++) {
        s = &p->stmts[i];

        for (j = 0; j < s->num_conds; j++) {
            if (!sts_key_eq(&s->conds[j], key)) {
                continue;
            }

            op = s->conds[j].op;

            /*
             * an Allow may only cap the value from above, a Deny may only
             * fire above a value: then whatever holds for a value holds
             * for every smaller one
             */
            if (op->type != STS_CT_NUMBER || op->negated) {
                return 0;
            }

            if (s->deny ? (op->cmp != STS_CMP_GT && op->cmp != STS_CMP_GE)
                        : (op->cmp != STS_CMP_LT && op->cmp != STS_CMP_LE))
            {
                return 0;
            }
        }
    }

    return 1;
}



static int
sts_policy_stmts_use_key(const sts_policy_t *p, const unsigned char *act,
    size_t act_len, sts_str_t res, sts_str_t key)
{
    uint32_t           i, j;
    const sts_stmt_t  *st;

    for (i = 0; p != NULL && i < p->num_stmts; i++) {
        st = &p->stmts[i];

        if (sts_list_match(&st->action, act, act_len) == st->not_action) {
            continue;
        }

        if (st->has_resource
            && sts_list_match(&st->resource,
                              (const unsigned char *) res.data, res.len)
               == st->not_resource)
        {
            continue;
        }

        for (j = 0; j < st->num_conds; j++) {
            if (sts_key_eq(&st->conds[j], key)) {
                return 1;
            }
        }
    }

    return 0;
}


int
sts_policy_uses_key(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, sts_str_t action, sts_str_t resource,
    sts_str_t key)
{
    size_t         i;
    unsigned char  act[STS_POLICY_MAX_ACTION_LEN];

    if (action.len > STS_POLICY_MAX_ACTION_LEN
        || (action.data == NULL && action.len > 0)
        || (resource.data == NULL && resource.len > 0)
        || (role == NULL && num_role > 0))
    {
        /* nothing known: as if it did */
        return 1;
    }

    if (resource.data == NULL) {
        resource.data = "";
    }

    for (i = 0; i < action.len; i++) {
        act[i] = sts_lc_table[(unsigned char) action.data[i]];
    }

    for (i = 0; i < num_role; i++) {
        if (sts_policy_stmts_use_key(role[i], act, action.len, resource,
                                     key))
        {
            return 1;
        }
    }

    return sts_policy_stmts_use_key(session, act, action.len, resource, key);
}

/* read-only views (sts_policy.h): for analysis, not the request path */

int
sts_policy_stmt_view(const sts_policy_t *p, size_t stmt,
    sts_policy_stmt_view_t *out)
{
    const sts_stmt_t  *st;

    if (p == NULL || stmt >= p->num_stmts) {
        return STS_EINVAL;
    }

    st = &p->stmts[stmt];

    out->sid = st->sid;
    out->deny = st->deny;
    out->not_action = st->not_action;
    out->not_resource = st->not_resource;
    out->has_resource = st->has_resource;
    out->num_actions = st->action.num;
    out->num_resources = st->has_resource ? st->resource.num : 0;
    out->num_conds = st->num_conds;

    return STS_OK;
}


const char *
sts_policy_stmt_action(const sts_policy_t *p, size_t stmt, size_t j)
{
    if (p == NULL || stmt >= p->num_stmts
        || j >= p->stmts[stmt].action.num)
    {
        return NULL;
    }

    return p->stmts[stmt].action.pats[j].raw;
}


const char *
sts_policy_stmt_resource(const sts_policy_t *p, size_t stmt, size_t j)
{
    if (p == NULL || stmt >= p->num_stmts || !p->stmts[stmt].has_resource
        || j >= p->stmts[stmt].resource.num)
    {
        return NULL;
    }

    return p->stmts[stmt].resource.pats[j].raw;
}


int
sts_policy_stmt_cond(const sts_policy_t *p, size_t stmt, size_t j,
    const char **op, sts_str_t *key, size_t *num_values)
{
    const sts_cond_t  *c;

    if (p == NULL || stmt >= p->num_stmts
        || j >= p->stmts[stmt].num_conds)
    {
        return STS_EINVAL;
    }

    c = &p->stmts[stmt].conds[j];
    *op = c->op->name;
    *key = c->key;
    *num_values = c->num_values;

    return STS_OK;
}


int
sts_policy_stmt_cond_value(const sts_policy_t *p, size_t stmt, size_t j,
    size_t k, sts_str_t *value)
{
    const sts_cond_t  *c;

    if (p == NULL || stmt >= p->num_stmts
        || j >= p->stmts[stmt].num_conds
        || k >= p->stmts[stmt].conds[j].num_values)
    {
        return STS_EINVAL;
    }

    c = &p->stmts[stmt].conds[j];
    *value = c->values[k].raw;

    return STS_OK;
}
