/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_revoke: the revocation rules of a fleet on Redis.  A rule is
 * checked with the gateway's own parser before it is written, so that
 * what the gateways read is what was meant; the set and its version are
 * changed in one script, atomically.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "sts_redis.h"
#include "sts_revoke.h"
#include "stsctl_revoke.h"
#include "stsctl_usage.h"


#define STSCTL_REVOKE_PW_MAX  512


static int stsctl_revoke_password(const char *path, char *pw, size_t len);
static int stsctl_revoke_rule_ok(const char *arg);
static int stsctl_revoke_hostport(const char *redis, char *host, size_t size,
    int *port);
static redisContext *stsctl_revoke_connect(const char *host, int port,
    const char *pwfile, int ask);
static int stsctl_revoke_print(redisContext *c, redisReply *reply,
    const char *what, int nrules);


int
stsctl_revoke(int argc, char **argv)
{
    int             i, port, nrules, status, redirects, ask;
    unsigned        slot, toport;
    sts_str_t       to, pfx;
    char            host[256];
    char            k1[STS_REDIS_PREFIX_MAX + 32];
    char            k2[STS_REDIS_PREFIX_MAX + 32];
    size_t         *argvlen;
    const char     *redis, *prefix, *pwfile, *what, *usage, **args;
    redisReply     *reply;
    redisContext   *c;

    what = argv[0];
    usage = strcmp(what, "add") == 0 ? "revoke add"
            : strcmp(what, "remove") == 0 ? "revoke remove" : "revoke list";
    redis = NULL;
    prefix = "sts:";
    pwfile = NULL;
    nrules = 0;

    args = calloc((size_t) argc + 8, sizeof(char *));
    argvlen = calloc((size_t) argc + 8, sizeof(size_t));
    if (args == NULL || argvlen == NULL) {
        fprintf(stderr, "stsctl: out of memory\n");
        free(args);
        free(argvlen);
        return 1;
    }

    /* EVAL script 2 k1 k2 add|remove rules... */
    args[0] = "EVAL";
    args[1] = sts_redis_script_revoke;
    args[2] = "2";
    args[3] = k1;
    args[4] = k2;
    args[5] = strcmp(what, "add") == 0 ? "add" : "remove";

    status = -1;

    for (i = 1; i < argc && status < 0; i++) {
        if (strcmp(argv[i], "--redis") == 0 && i + 1 < argc) {
            redis = argv[++i];

        } else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
            prefix = argv[++i];

        } else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc) {
            pwfile = argv[++i];

        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            status = stsctl_usage(stderr, usage, 2);

        } else if (!stsctl_revoke_rule_ok(argv[i])) {
            status = 2;

        } else {
            args[6 + nrules++] = argv[i];
        }
    }

    pfx.data = prefix;
    pfx.len = strlen(prefix);

    if (status < 0
        && (redis == NULL || !sts_redis_name_ok(pfx)
            || (strcmp(what, "list") != 0 && nrules == 0)
            || (strcmp(what, "list") == 0 && nrules != 0)))
    {
        status = stsctl_usage(stderr, usage, 2);
    }

    if (status < 0 && stsctl_revoke_hostport(redis, host, sizeof(host), &port)
                      != 0)
    {
        status = 2;
    }

    c = NULL;

    if (status < 0) {
        c = stsctl_revoke_connect(host, port, pwfile, 0);
        if (c == NULL) {
            status = 1;
        }
    }

    if (status >= 0) {
        free(args);
        free(argvlen);
        return status;
    }

    snprintf(k1, sizeof(k1), "%s%s", prefix, STS_REDIS_REVOKED_KEY);
    snprintf(k2, sizeof(k2), "%s%s", prefix, STS_REDIS_REVOKED_VERSION);

    for (redirects = 0; /* void */ ; redirects++) {

        if (strcmp(what, "list") == 0) {
            reply = redisCommand(c, "SMEMBERS %s", k1);

        } else {
            for (i = 0; i < 6 + nrules; i++) {
                argvlen[i] = strlen(args[i]);
            }

            reply = redisCommandArgv(c, 6 + nrules, args, argvlen);
        }

        /* a cluster node that does not serve the rules' slot */

        if (reply == NULL || reply->type != REDIS_REPLY_ERROR || redirects == 5
            || sts_redis_redirect(reply->str, reply->len, &ask, &slot, &to,
                                  &toport)
               != STS_OK
            || to.len >= sizeof(host))
        {
            break;
        }

        memcpy(host, to.data, to.len);
        host[to.len] = '\0';
        freeReplyObject(reply);
        redisFree(c);

        c = stsctl_revoke_connect(host, (int) toport, pwfile, ask);
        if (c == NULL) {
            free(args);
            free(argvlen);
            return 1;
        }
    }

    status = stsctl_revoke_print(c, reply, what, nrules);

    if (reply) {
        freeReplyObject(reply);
    }

    redisFree(c);
    free(args);
    free(argvlen);

    return status;
}


/* |arg| is one rule the gateways read as it is meant */
static int
stsctl_revoke_rule_ok(const char *arg)
{
    char            err[256];
    sts_revoked_t  *one;

    one = NULL;
    err[0] = '\0';

    if (sts_revoked_parse(&sts_malloc_allocator, arg, strlen(arg), &one, err,
                          sizeof(err))
        != STS_OK
        || sts_revoked_count(one) != 1
        || strchr(arg, '\n') != NULL)
    {
        fprintf(stderr, "stsctl: not one revocation rule: \"%s\"%s%s\n",
                arg, err[0] ? ": " : "", err);
        sts_revoked_free(&sts_malloc_allocator, one);
        return 0;
    }

    sts_revoked_free(&sts_malloc_allocator, one);

    return 1;
}


/* HOST:PORT into |host| and *port: 0, or 2 with the reason printed */
static int
stsctl_revoke_hostport(const char *redis, char *host, size_t size, int *port)
{
    long   n;
    char  *colon, *end;

    colon = strrchr(redis, ':');
    n = colon ? strtol(colon + 1, &end, 10) : 0;

    if (colon == NULL || colon == redis || *end != '\0' || n < 1
        || n > 65535 || (size_t) (colon - redis) >= size)
    {
        fprintf(stderr, "stsctl: --redis wants HOST:PORT\n");
        return 2;
    }

    memcpy(host, redis, (size_t) (colon - redis));
    host[colon - redis] = '\0';
    *port = (int) n;

    return 0;
}


/*
 * A connection to |host|:|port|, authenticated with the password file if
 * there is one, after ASKING if |ask|; NULL with the reason printed.
 */
static redisContext *
stsctl_revoke_connect(const char *host, int port, const char *pwfile,
    int ask)
{
    char            pw[STSCTL_REVOKE_PW_MAX];
    redisReply     *reply;
    redisContext   *c;
    struct timeval  tv;

    tv.tv_sec = 5;
    tv.tv_usec = 0;

    c = redisConnectWithTimeout(host, port, tv);
    if (c == NULL || c->err) {
        fprintf(stderr, "stsctl: cannot reach Redis at %s:%d: %s\n", host,
                port, c ? c->errstr : "out of memory");
        if (c) {
            redisFree(c);
        }
        return NULL;
    }

    (void) redisSetTimeout(c, tv);

    if (pwfile != NULL) {
        if (stsctl_revoke_password(pwfile, pw, sizeof(pw)) != 0) {
            redisFree(c);
            return NULL;
        }

        reply = redisCommand(c, "AUTH %s", pw);
        memset(pw, 0, sizeof(pw));

        if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "stsctl: Redis refused the password%s%s\n",
                    reply ? ": " : "", reply ? reply->str : "");
            if (reply) {
                freeReplyObject(reply);
            }
            redisFree(c);
            return NULL;
        }

        freeReplyObject(reply);
    }

    if (ask) {
        reply = redisCommand(c, "ASKING");
        if (reply) {
            freeReplyObject(reply);
        }
    }

    return c;
}


/* what the command answered: 0, or 1 for an error */
static int
stsctl_revoke_print(redisContext *c, redisReply *reply, const char *what,
    int nrules)
{
    size_t  i;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "stsctl: Redis: %s\n",
                reply ? reply->str : c->errstr);
        return 1;
    }

    if (reply->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < reply->elements; i++) {
            if (reply->element[i]->type == REDIS_REPLY_STRING) {
                printf("%s\n", reply->element[i]->str);
            }
        }

        return 0;
    }

    printf("version %lld: %d rule%s %s\n", reply->integer, nrules,
           nrules == 1 ? "" : "s",
           strcmp(what, "add") == 0 ? "added" : "removed");

    return 0;
}


/* the first line of a file only its owner may read */
static int
stsctl_revoke_password(const char *path, char *pw, size_t len)
{
    int          fd;
    ssize_t      n;
    struct stat  st;

    fd = open(path, O_RDONLY);
    if (fd == -1) {
        fprintf(stderr, "stsctl: %s: %s\n", path, strerror(errno));
        return -1;
    }

    if (fstat(fd, &st) == -1 || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        fprintf(stderr, "stsctl: %s may be read by group or others: "
                "refused, it holds a password\n", path);
        close(fd);
        return -1;
    }

    n = read(fd, pw, len - 1);
    close(fd);

    if (n <= 0) {
        fprintf(stderr, "stsctl: %s: cannot read a password\n", path);
        return -1;
    }

    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r')) {
        n--;
    }

    pw[n] = '\0';

    return 0;
}
