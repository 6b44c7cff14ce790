/*
 * Copyright (C) nginx-sts authors
 *
 * sts_http: percent-decoding, query parsing and header lookup over the
 * plain request view (doc/protocol.md 0.4).
 */

#include <stdlib.h>
#include <string.h>

#include "sts_http.h"


#define STS_QUERY_MAX_PARAMS  1000


static int sts_hex_value(int c);
static int sts_decode_into(char *dst, size_t *dst_len, const char *src,
    size_t len, int plus_is_space);
static int sts_param_name_cmp(const void *a, const void *b);
static size_t sts_query_count(sts_str_t raw_query);
static int sts_params_unique(const sts_allocator_t *a, sts_param_t *items,
    size_t n);


static int
sts_hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


/*
 * Word-at-a-time tests on 8 bytes loaded with memcpy: whether any byte
 * has its high bit, and whether any byte may be |c| (sts_swar_has can
 * say yes for a word without one, next to a match, never no for a word
 * with one: a yes only sends the word to the byte loop).
 */
#define STS_SWAR_ONES  0x0101010101010101ULL
#define STS_SWAR_HIGH  0x8080808080808080ULL

static int
sts_swar_has(uint64_t w, unsigned char c)
{
    w ^= STS_SWAR_ONES * c;

    return ((w - STS_SWAR_ONES) & ~w & STS_SWAR_HIGH) != 0;
}


int
sts_utf8_valid(const unsigned char *p, size_t len)
{
    size_t    i, k, n;
    uint32_t  c, min;
    uint64_t  w;

    i = 0;

    while (i < len) {
        /* ASCII eight bytes at a time */
        if (len - i >= 8) {
            memcpy(&w, p + i, 8);

            if ((w & STS_SWAR_HIGH) == 0) {
                i += 8;
                continue;
            }
        }

        c = p[i];

        if (c < 0x80) {
            i++;
            continue;
        }

        if ((c & 0xe0) == 0xc0) {
            n = 1;
            c &= 0x1f;
            min = 0x80;

        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            c &= 0x0f;
            min = 0x800;

        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            c &= 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if (len - i - 1 < n) {
            return 0;
        }

        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            c = (c << 6) | (p[i + k] & 0x3f);
        }

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return 0;
        }

        i += n + 1;
    }

    return 1;
}


/*
 * sts_decode_into decodes |len| bytes of |src| into |dst|, which must hold
 * |len| + 1 bytes (decoding never grows), and NUL-terminates the result.
 */

static int
sts_decode_into(char *dst, size_t *dst_len, const char *src, size_t len,
    int plus_is_space)
{
    int            hi, lo;
    size_t         i, n;
    uint64_t       w;
    unsigned char  c;

    n = 0;

    for (i = 0; i < len; i++) {
        /* eight bytes at a time while none is '%', '+' or NUL */
        while (len - i >= 8) {
            memcpy(&w, src + i, 8);

            if (sts_swar_has(w, '%') || sts_swar_has(w, '+')
                || sts_swar_has(w, '\0'))
            {
                break;
            }

            memcpy(dst + n, src + i, 8);
            n += 8;
            i += 8;
        }

        if (i == len) {
            break;
        }

        c = (unsigned char) src[i];

        if (c != '%' && c != '+' && c != '\0') {
            dst[n++] = (char) c;
            continue;
        }

        if (c == '%') {
            if (len - i < 3) {
                return STS_EINVAL;
            }

            hi = sts_hex_value((unsigned char) src[i + 1]);
            lo = sts_hex_value((unsigned char) src[i + 2]);

            if (hi < 0 || lo < 0) {
                return STS_EINVAL;
            }

            c = (unsigned char) (hi << 4 | lo);
            i += 2;

        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }

        if (c == '\0') {
            return STS_EINVAL;
        }

        dst[n++] = (char) c;
    }

    if (!sts_utf8_valid((const unsigned char *) dst, n)) {
        return STS_EINVAL;
    }

    dst[n] = '\0';
    *dst_len = n;

    return STS_OK;
}


int
sts_percent_decode(const sts_allocator_t *a, sts_str_t in, int plus_is_space,
    sts_str_t *out)
{
    int      rc;
    char    *p;
    size_t   n;

    out->len = 0;
    out->data = NULL;

    if (in.len == (size_t) -1) {
        return STS_ETOOBIG;
    }

    p = sts_alloc(a, in.len + 1);
    if (p == NULL) {
        return STS_ENOMEM;
    }

    rc = sts_decode_into(p, &n, in.data, in.len, plus_is_space);
    if (rc != STS_OK) {
        sts_free(a, p);
        return rc;
    }

    out->len = n;
    out->data = p;

    return STS_OK;
}


static int
sts_param_name_cmp(const void *a, const void *b)
{
    const sts_param_t  *pa, *pb;

    pa = *(const sts_param_t * const *) a;
    pb = *(const sts_param_t * const *) b;

    /* decoded names are NUL-terminated and contain no NUL */
    return strcmp(pa->name.data, pb->name.data);
}


/* the number of non-empty '&'-separated items */

static size_t
sts_query_count(sts_str_t raw_query)
{
    size_t  i, n, len;

    n = 0;
    len = 0;

    for (i = 0; i <= raw_query.len; i++) {
        if (i == raw_query.len || raw_query.data[i] == '&') {
            if (len) {
                n++;
            }

            len = 0;

        } else {
            len++;
        }
    }

    return n;
}


/*
 * Repeated names: pointers sorted by name, neighbours compared.  STS_EDUP
 * when a name is there twice.
 */

static int
sts_params_unique(const sts_allocator_t *a, sts_param_t *items, size_t n)
{
    int                  rc;
    size_t               i;
    const sts_param_t  **sorted;

    sorted = sts_alloc(a, n * sizeof(sts_param_t *));
    if (sorted == NULL) {
        return STS_ENOMEM;
    }

    for (i = 0; i < n; i++) {
        sorted[i] = &items[i];
    }

    qsort(sorted, n, sizeof(sts_param_t *), sts_param_name_cmp);

    rc = STS_OK;

    for (i = 1; i < n; i++) {
        if (strcmp(sorted[i - 1]->name.data, sorted[i]->name.data) == 0) {
            rc = STS_EDUP;
            break;
        }
    }

    sts_free(a, sorted);

    return rc;
}


/*
 * The parameters and their decoded strings live in one block starting at
 * out->items, so sts_free(a, out->items) releases everything.  Decoding
 * never grows a string, so the block is sized from the raw query.
 */

int
sts_query_parse(const sts_allocator_t *a, sts_str_t raw_query,
    sts_params_t *out)
{
    int           rc;
    char         *p;
    size_t        n, size, len, item_len, name_len;
    const char   *s, *end, *item, *eq, *amp;
    sts_param_t  *items, *it;

    out->items = NULL;
    out->num = 0;

    if (raw_query.len == 0) {
        return STS_OK;
    }

    s = raw_query.data;
    end = s + raw_query.len;

    n = sts_query_count(raw_query);

    if (n == 0) {
        return STS_OK;
    }

    if (n > STS_QUERY_MAX_PARAMS) {
        return STS_ETOOBIG;
    }

    /* every item needs two NUL bytes at most */
    if (raw_query.len > ((size_t) -1 - n * (sizeof(sts_param_t) + 2)) / 2) {
        return STS_ETOOBIG;
    }

    size = n * sizeof(sts_param_t) + raw_query.len + 2 * n;

    items = sts_alloc(a, size);
    if (items == NULL) {
        return STS_ENOMEM;
    }

    p = (char *) (items + n);
    it = items;
    item = s;

    while (item < end) {
        amp = memchr(item, '&', end - item);
        item_len = amp ? (size_t) (amp - item) : (size_t) (end - item);

        if (item_len == 0) {
            item++;
            continue;
        }

        eq = memchr(item, '=', item_len);
        name_len = eq ? (size_t) (eq - item) : item_len;

        if (name_len == 0) {
            /* "=value": a value without a name */
            rc = STS_EINVAL;
            goto failed;
        }

        rc = sts_decode_into(p, &len, item, name_len, 1);
        if (rc != STS_OK) {
            goto failed;
        }

        it->name.data = p;
        it->name.len = len;
        p += len + 1;

        if (eq) {
            rc = sts_decode_into(p, &len, eq + 1, item_len - name_len - 1, 1);
            if (rc != STS_OK) {
                goto failed;
            }

        } else {
            *p = '\0';
            len = 0;
        }

        it->value.data = p;
        it->value.len = len;
        it->has_eq = eq ? 1 : 0;
        p += len + 1;

        it++;
        item += item_len;
    }

    if (n > 1) {
        rc = sts_params_unique(a, items, n);
        if (rc != STS_OK) {
            goto failed;
        }
    }

    out->items = items;
    out->num = n;

    return STS_OK;

failed:

    sts_free(a, items);

    return rc;
}


const sts_param_t *
sts_params_get(const sts_params_t *p, const char *name)
{
    size_t  i;

    if (p == NULL || name == NULL) {
        return NULL;
    }

    for (i = 0; i < p->num; i++) {
        if (strcmp(p->items[i].name.data, name) == 0) {
            return &p->items[i];
        }
    }

    return NULL;
}


int
sts_http_target_valid(const sts_http_request_t *r)
{
    if ((r->raw_path.len && memchr(r->raw_path.data, '#', r->raw_path.len))
        || (r->raw_query.len
            && memchr(r->raw_query.data, '#', r->raw_query.len)))
    {
        return 0;
    }

    return 1;
}


const sts_header_t *
sts_http_header(const sts_http_request_t *r, const char *name, size_t *count)
{
    size_t               i, n, len;
    const sts_header_t  *first;

    first = NULL;
    n = 0;
    len = strlen(name);

    for (i = 0; i < r->num_headers; i++) {
        /* the length rules out most names before a comparison */
        if (r->headers[i].name.len == len
            && sts_str_caseeq(r->headers[i].name, name))
        {
            if (first == NULL) {
                first = &r->headers[i];
            }

            n++;
        }
    }

    if (count != NULL) {
        *count = n;
    }

    return first;
}
