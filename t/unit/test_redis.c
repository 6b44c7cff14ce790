/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_redis: CRC16 and the cluster slots of keys with and
 * without hash tags (values Redis itself computes), the key names, and
 * the MOVED and ASK redirections, well formed and broken.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_redis.h"
#include "tap.h"


static sts_str_t
str(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = strlen(s);

    return r;
}


static unsigned
slot(const char *key)
{
    return sts_redis_slot(key, strlen(key));
}


static void
test_slots(void)
{
    char                 key[STS_REDIS_KEY_MAX];
    size_t               len;
    unsigned char        d[STS_REDIS_DIGEST_LEN];

    is_int(sts_redis_crc16((const unsigned char *) "123456789", 9), 0x31c3,
           "crc16 of the check string");

    /* CLUSTER KEYSLOT of a Redis server */
    is_int(slot("foo"), 12182, "slot of foo");
    is_int(slot("bar"), 5061, "slot of bar");
    is_int(slot("123456789"), 12739, "slot of 123456789");
    is_int(slot(""), 0, "slot of the empty key");

    /* hash tags */
    is_int(slot("{user1000}.following"), slot("{user1000}.followers"),
           "one tag, one slot");
    is_int(slot("{user1000}.following"), slot("user1000"),
           "the tag alone decides");
    is_int(slot("foo{}{bar}"), sts_redis_crc16((const unsigned char *)
                                               "foo{}{bar}", 10) & 16383,
           "an empty first tag: the whole key");
    is_int(slot("foo{{bar}}zap"), slot("{bar"), "the first '{' opens");
    is_int(slot("foo{bar}{zap}"), slot("bar"), "the first '}' closes");
    is_int(slot("foo{bar"), sts_redis_crc16((const unsigned char *)
                                            "foo{bar", 7) & 16383,
           "no '}': the whole key");

    memset(d, 0xab, sizeof(d));
    ok(sts_redis_key(key, &len, str("sts:"), "u:", d) == STS_OK, "a key");
    is_str(key, "sts:u:{abababababababababababababababababababababababababab"
                "abababababab}", "its name");
    is_int((long) len, (long) strlen(key), "its length");
    is_int(slot(key), slot("abababababababababababababababababababababababab"
                           "abababababababab"), "its slot is its digest's");

    ok(sts_redis_key(key, &len, str("a{b"), "u:", d) == STS_EINVAL,
       "a prefix with '{' is refused");
    ok(sts_redis_key(key, &len, str("a b"), "u:", d) == STS_EINVAL,
       "a prefix with a space is refused");
    ok(sts_redis_key(key, &len, str(""), "n:", d) == STS_OK,
       "an empty prefix");
    ok(sts_redis_key(key, &len,
                     str("0123456789012345678901234567890123456789"
                         "012345678901234567890123456789"), "n:", d)
       == STS_EINVAL, "a prefix over 64 bytes is refused");
}


static void
test_redirect(void)
{
    int        ask;
    unsigned   s, port;
    sts_str_t  host;

#define RD(m)  sts_redis_redirect(m, strlen(m), &ask, &s, &host, &port)

    ok(RD("MOVED 3999 127.0.0.1:6381") == STS_OK, "MOVED");
    is_int(ask, 0, "MOVED is not ASK");
    is_int(s, 3999, "its slot");
    ok(host.len == 9 && memcmp(host.data, "127.0.0.1", 9) == 0, "its host");
    is_int(port, 6381, "its port");

    ok(RD("ASK 16383 ::1:7002") == STS_OK, "ASK to an IPv6 address");
    is_int(ask, 1, "ASK");
    is_int(s, 16383, "the last slot");
    ok(host.len == 3 && memcmp(host.data, "::1", 3) == 0, "the address");
    is_int(port, 7002, "its port");

    ok(RD("MOVED 1 [fe80::1]:7000") == STS_OK, "a bracketed address");
    ok(host.len == 7 && memcmp(host.data, "fe80::1", 7) == 0,
       "without its brackets");

    ok(RD("ERR unknown command") == STS_ENOTFOUND, "another error");
    ok(RD("MOVEDX 1 a:1") == STS_ENOTFOUND, "not MOVED");
    ok(RD("MOVED 16384 a:1") == STS_EINVAL, "a slot out of range");
    ok(RD("MOVED -1 a:1") == STS_EINVAL, "a negative slot");
    ok(RD("MOVED 1 a:65536") == STS_EINVAL, "a port out of range");
    ok(RD("MOVED 1 a:0") == STS_EINVAL, "port 0");
    ok(RD("MOVED 1 a:") == STS_EINVAL, "no port");
    ok(RD("MOVED 1 :1") == STS_EINVAL, "no host");
    ok(RD("MOVED 1 a") == STS_EINVAL, "no colon");
    ok(RD("MOVED 1") == STS_EINVAL, "no address");
    ok(RD("MOVED  a:1") == STS_EINVAL, "no slot");
    ok(RD("MOVED 1 a b:1") == STS_EINVAL, "a space in the address");
    ok(RD("MOVED 1 a:1x") == STS_EINVAL, "a port with a letter");
    ok(RD("ASK 16383 []:7002") == STS_EINVAL, "empty brackets");

#undef RD
}


int
main(void)
{
    test_slots();
    test_redirect();

    return tap_done();
}
