/*
 * Copyright (C) nginx-sts authors
 *
 * sts_redis: key names, scripts, cluster slots and redirections (see
 * sts_redis.h).  No I/O here: the nginx glue talks to the servers.
 */

#include <string.h>

#include "sts_redis.h"


const char  sts_redis_script_uses[] =
    "local n = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
    "if n >= tonumber(ARGV[1]) then return 0 end\n"
    "n = redis.call('INCR', KEYS[1])\n"
    "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end\n"
    "return n\n";

const char  sts_redis_script_limit[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local rate = tonumber(ARGV[1])\n"
    "local burst = tonumber(ARGV[2])\n"
    "local v = redis.call('HMGET', KEYS[1], 'e', 't')\n"
    "local excess = 0\n"
    "if v[1] and v[2] then\n"
    "  local ms = now - tonumber(v[2])\n"
    "  if ms < 0 then ms = 0 end\n"
    "  excess = tonumber(v[1]) - math.floor(rate * ms / 1000) + 1000\n"
    "  if excess < 0 then excess = 0 end\n"
    "end\n"
    "if excess > burst then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'e', excess, 't', now)\n"
    "redis.call('PEXPIRE', KEYS[1],"
    " math.floor(1000 * (excess + 1000) / rate) + 1)\n"
    "return 1\n";


const char  sts_redis_script_revoked[] =
    "local v = redis.call('GET', KEYS[2]) or '0'\n"
    "if v == ARGV[1] then return {v} end\n"
    "return {v, redis.call('SMEMBERS', KEYS[1])}\n";

const char  sts_redis_script_revoke[] =
    "for i = 2, #ARGV do\n"
    "  if ARGV[1] == 'add' then redis.call('SADD', KEYS[1], ARGV[i])\n"
    "  else redis.call('SREM', KEYS[1], ARGV[i]) end\n"
    "end\n"
    "return redis.call('INCR', KEYS[2])\n";


int
sts_redis_name_ok(sts_str_t s)
{
    size_t  i;

    if (s.len > STS_REDIS_PREFIX_MAX) {
        return 0;
    }

    for (i = 0; i < s.len; i++) {
        if ((unsigned char) s.data[i] <= 0x20
            || (unsigned char) s.data[i] >= 0x7f
            || s.data[i] == '{' || s.data[i] == '}')
        {
            return 0;
        }
    }

    return 1;
}


int
sts_redis_key(char out[STS_REDIS_KEY_MAX], size_t *len, sts_str_t prefix,
    const char *kind, const unsigned char digest[STS_REDIS_DIGEST_LEN])
{
    size_t            i, n;
    sts_str_t         k;
    static const char hex[] = "0123456789abcdef";

    k.data = kind;
    k.len = strlen(kind);

    if (!sts_redis_name_ok(prefix) || !sts_redis_name_ok(k)) {
        return STS_EINVAL;
    }

    n = 0;
    memcpy(out + n, prefix.data, prefix.len);
    n += prefix.len;
    memcpy(out + n, k.data, k.len);
    n += k.len;
    out[n++] = '{';

    for (i = 0; i < STS_REDIS_DIGEST_LEN; i++) {
        out[n++] = hex[digest[i] >> 4];
        out[n++] = hex[digest[i] & 0x0f];
    }

    out[n++] = '}';
    out[n] = '\0';
    *len = n;

    return STS_OK;
}


unsigned
sts_redis_crc16(const unsigned char *p, size_t len)
{
    int       j;
    size_t    i;
    unsigned  crc;

    crc = 0;

    for (i = 0; i < len; i++) {
        crc ^= (unsigned) p[i] << 8;

        for (j = 0; j < 8; j++) {
            crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) : (crc << 1);
            crc &= 0xffff;
        }
    }

    return crc;
}


unsigned
sts_redis_slot(const char *key, size_t len)
{
    size_t  s, e;

    for (s = 0; s < len; s++) {
        if (key[s] == '{') {
            break;
        }
    }

    if (s < len) {
        for (e = s + 1; e < len; e++) {
            if (key[e] == '}') {
                break;
            }
        }

        if (e < len && e != s + 1) {
            key += s + 1;
            len = e - s - 1;
        }
    }

    return sts_redis_crc16((const unsigned char *) key, len)
           & (STS_REDIS_SLOTS - 1);
}


static int
sts_redis_number(const char *p, size_t len, unsigned long max,
    unsigned long *out)
{
    size_t         i;
    unsigned long  n;

    if (len == 0 || len > 10) {
        return STS_EINVAL;
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return STS_EINVAL;
        }

        n = n * 10 + (unsigned long) (p[i] - '0');
    }

    if (n > max) {
        return STS_EINVAL;
    }

    *out = n;

    return STS_OK;
}


int
sts_redis_redirect(const char *msg, size_t len, int *ask, unsigned *slot,
    sts_str_t *host, unsigned *port)
{
    size_t         i, s, c;
    unsigned long  n;

    if (len >= 6 && memcmp(msg, "MOVED ", 6) == 0) {
        *ask = 0;
        i = 6;

    } else if (len >= 4 && memcmp(msg, "ASK ", 4) == 0) {
        *ask = 1;
        i = 4;

    } else {
        return STS_ENOTFOUND;
    }

    /* the slot */

    for (s = i; i < len && msg[i] != ' '; i++) { /* void */ }

    if (i == len
        || sts_redis_number(msg + s, i - s, STS_REDIS_SLOTS - 1, &n)
           != STS_OK)
    {
        return STS_EINVAL;
    }

    *slot = (unsigned) n;
    s = ++i;

    /* host:port to the end, the last ':' before the port */

    c = len;

    for ( /* void */ ; i < len; i++) {
        if ((unsigned char) msg[i] <= 0x20 || (unsigned char) msg[i] >= 0x7f)
        {
            return STS_EINVAL;
        }

        if (msg[i] == ':') {
            c = i;
        }
    }

    if (c == len || c == s || c - s > STS_REDIS_HOST_MAX
        || sts_redis_number(msg + c + 1, len - c - 1, 65535, &n) != STS_OK
        || n == 0)
    {
        return STS_EINVAL;
    }

    host->data = msg + s;
    host->len = c - s;

    /* an IPv6 address may come in brackets */
    if (host->len >= 2 && host->data[0] == '['
        && host->data[host->len - 1] == ']')
    {
        host->data++;
        host->len -= 2;

        if (host->len == 0) {
            return STS_EINVAL;
        }
    }

    *port = (unsigned) n;

    return STS_OK;
}
