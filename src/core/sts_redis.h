/*
 * Copyright (C) nginx-sts authors
 *
 * sts_redis: the pure parts of the fleet's shared state on Redis: the
 * names of the keys, the scripts run on the server, the Redis Cluster
 * hash slot of a key and the redirections a cluster node answers.
 *
 *   sts_redis_key       the name of a key: prefix, kind, {hex digest}
 *   sts_redis_slot      the cluster hash slot of a key (CRC16, hash tags)
 *   sts_redis_redirect  parses "MOVED <slot> <host>:<port>" and "ASK ..."
 *
 * Every key holds one hex digest in braces, its hash tag: the same
 * configuration works on one server and on a cluster, and a key never
 * holds a signature, a nonce, an UploadId or a role in clear.
 */

#ifndef STS_REDIS_H_INCLUDED
#define STS_REDIS_H_INCLUDED


#include "sts_util.h"


#define STS_REDIS_DIGEST_LEN     32
#define STS_REDIS_PREFIX_MAX     64
#define STS_REDIS_KIND_MAX       64
#define STS_REDIS_KEY_MAX        (STS_REDIS_PREFIX_MAX + STS_REDIS_KIND_MAX \
                                  + 2 * STS_REDIS_DIGEST_LEN + 4)
#define STS_REDIS_SLOTS          16384
#define STS_REDIS_HOST_MAX       255


/*
 * sts_redis_key writes the NUL-terminated name "<prefix><kind>{<hex>}" of
 * the key of |digest| into |out| (STS_REDIS_KEY_MAX bytes) and sets *len.
 * |prefix| and |kind| may not hold '{', '}', spaces or control bytes.
 * STS_OK, or STS_EINVAL.
 */
int sts_redis_key(char out[STS_REDIS_KEY_MAX], size_t *len, sts_str_t prefix,
    const char *kind, const unsigned char digest[STS_REDIS_DIGEST_LEN])
    STS_WUR;

/*
 * sts_redis_name_ok is 1 when |s| may be a prefix (or a kind): at most
 * STS_REDIS_PREFIX_MAX bytes of visible ASCII without '{' and '}'.
 */
int sts_redis_name_ok(sts_str_t s);

/*
 * sts_redis_slot returns the Redis Cluster hash slot of |key|: CRC16
 * (XMODEM) of the key, or of the text between its first '{' and the next
 * '}' when that is not empty, modulo 16384.
 */
unsigned sts_redis_slot(const char *key, size_t len);

/* sts_redis_crc16 is the CRC16 (XMODEM) the slots are computed with */
unsigned sts_redis_crc16(const unsigned char *p, size_t len);

/*
 * sts_redis_redirect parses the text of an error reply a cluster node
 * sends for a key it does not serve: "MOVED <slot> <host>:<port>" or
 * "ASK <slot> <host>:<port>" (the host may be an IPv6 address; the last
 * ':' separates the port).  Sets *ask (1 for ASK), *slot, the host
 * (pointing into |msg|) and *port.  STS_OK, STS_ENOTFOUND for any other
 * error, STS_EINVAL for a malformed redirection.
 */
int sts_redis_redirect(const char *msg, size_t len, int *ask,
    unsigned *slot, sts_str_t *host, unsigned *port) STS_WUR;


/*
 * The scripts, each one atomic on the server (one key each: fine on a
 * cluster).  Times are milliseconds; every key written gets an expiry.
 *
 * STS_REDIS_USES: KEYS[1] a presigned URL's uses, ARGV[1] the limit,
 * ARGV[2] how long the count is kept.  Returns the use counted (1 ..
 * limit), or 0 when the limit was reached (nothing is counted then).
 *
 * STS_REDIS_LIMIT: KEYS[1] a leaky bucket, ARGV[1] the rate in requests
 * per 1000 s, ARGV[2] the burst in requests * 1000.  The server's clock
 * is the only one: gateways' clocks do not matter.  Returns 1 when the
 * call is taken, 0 when it is over the limit.
 *
 * STS_REDIS_REVOKED: KEYS[1] the set of revocation rules, KEYS[2] its
 * version, ARGV[1] the version the caller holds ("" for none).  Returns
 * {version} when it is the caller's, else {version, {rules...}}.
 *
 * STS_REDIS_REVOKE: KEYS as above, ARGV[1] "add" or "remove", then the
 * rules.  Adds or removes them and counts a new version; returns it.
 */
extern const char  sts_redis_script_uses[];
extern const char  sts_redis_script_limit[];
extern const char  sts_redis_script_revoked[];
extern const char  sts_redis_script_revoke[];

/* the keys of the revocation rules under a prefix (both in one slot) */
#define STS_REDIS_REVOKED_KEY      "{revoked}"
#define STS_REDIS_REVOKED_VERSION  "{revoked}:version"


#endif /* STS_REDIS_H_INCLUDED */
