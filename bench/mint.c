/*
 * Copyright (C) nginx-sts authors
 *
 * bench/mint: a wrk script that sends N requests, each with its own token.
 *
 *   mint KEYS N HOST:PORT PATH POLICY > requests.lua
 *
 * Mints N distinct tokens with the issuing key of the keyring file KEYS
 * (fresh credentials each, the role policy read from the file POLICY,
 * valid one hour), signs for each a V1 header GET of PATH (path style:
 * /<bucket>/<key>, as sent) for the Host HOST:PORT, dated now, and writes
 * a wrk Lua script to stdout: the N requests pre-formatted with
 * wrk.format in each wrk thread's init(), and a request() that sends them
 * in order, then starts over.  done() prints "mint: N distinct requests,
 * all sent: yes" once every wrk thread has sent each of them at least
 * once ("no" otherwise).
 *
 * The script is written as the tokens are minted: mint itself stays
 * small whatever N is.  About 600 bytes of script per request with a
 * one-statement policy (58 MB for 100,000); wrk holds each request,
 * about 700 bytes once formatted, in its thread.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sts_token.h"
#include "sts_sign.h"
#include "sts_oss.h"


#define MINT_POLICY_MAX   65536
#define MINT_CHUNK        1000     /* requests per Lua function */


static const sts_allocator_t  *A = &sts_malloc_allocator;


static void
die(const char *msg, const char *arg)
{
    fprintf(stderr, "mint: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}


static char *
read_policy(const char *path)
{
    char    *p;
    size_t   n;
    FILE    *f;

    f = fopen(path, "r");
    if (f == NULL) {
        die("cannot open the policy", path);
    }

    p = malloc(MINT_POLICY_MAX + 1);
    if (p == NULL) {
        die("out of memory", NULL);
    }

    n = fread(p, 1, MINT_POLICY_MAX + 1, f);
    if (ferror(f) || n > MINT_POLICY_MAX) {
        die("cannot read the policy (at most 64 KiB)", path);
    }

    fclose(f);
    p[n] = '\0';

    return p;
}


/* a Lua string literal */
static void
lua_string(FILE *out, const char *s, size_t len)
{
    size_t          i;
    unsigned char   c;

    putc('"', out);

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            putc('\\', out);
            putc(c, out);

        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\%03u", c);

        } else {
            putc(c, out);
        }
    }

    putc('"', out);
}


static void
usage(void)
{
    fprintf(stderr,
            "usage: mint KEYS N HOST:PORT PATH POLICY > requests.lua\n"
            "  N >= 1 requests, each with its own token: signed OSS V1\n"
            "  GETs of PATH (/<bucket>/<key>) for Host HOST:PORT, as a wrk\n"
            "  script\n");
    exit(2);
}


int
main(int argc, char **argv)
{
    int                  rc;
    char                 err[256], *end, *policy, *rp[1], *token, *qm;
    char                 akid[STS_AKID_LEN + 1], secret[STS_SECRET_LEN + 1];
    char                 date[STS_RFC1123_LEN + 1];
    size_t               i, n, token_len, token_total;
    int64_t              now;
    sts_buf_t            auth;
    sts_str_t            bucket, key;
    sts_header_t         h[2];
    sts_session_t        s;
    sts_keyring_t       *kr;
    sts_oss_conf_t       oc;
    sts_sign_creds_t     sc;
    sts_http_request_t   r;
    const char          *host, *path;
    const sts_oss_error_t  *oerr;

    if (argc != 6) {
        usage();
    }

    n = strtoul(argv[2], &end, 10);
    if (*end != '\0' || argv[2][0] == '-' || n == 0) {
        usage();
    }

    host = argv[3];
    path = argv[4];

    if (path[0] != '/') {
        die("PATH must start with '/'", path);
    }

    if (sts_keyring_load(A, argv[1], &kr, err, sizeof(err)) != STS_OK) {
        die(err, NULL);
    }

    policy = read_policy(argv[5]);
    rp[0] = policy;

    /* the request view: the same method, host and target for every token */
    memset(&r, 0, sizeof(r));
    r.method.data = "GET";
    r.method.len = 3;
    r.host.data = host;
    r.host.len = strlen(host);
    qm = strchr(path, '?');
    r.raw_path.data = path;
    r.raw_path.len = qm ? (size_t) (qm - path) : strlen(path);
    r.raw_query.data = qm ? qm + 1 : "";
    r.raw_query.len = qm ? strlen(qm + 1) : 0;
    r.headers = h;
    r.num_headers = 2;

    memset(&oc, 0, sizeof(oc));
    oc.mode = STS_ADDR_PATH;

    if (sts_oss_locate(A, &oc, &r, &bucket, &key, &oerr) != STS_OK) {
        die("no bucket and key in the path",
            oerr ? oerr->message : "out of memory");
    }

    setvbuf(stdout, NULL, _IOFBF, 1 << 20);

    printf("-- wrk script written by bench/mint: %zu GET requests, each "
           "signed (OSS V1)\n-- with its own security token\n\n", n);
    printf("local host, path = ");
    lua_string(stdout, host, strlen(host));
    printf(", ");
    lua_string(stdout, path, strlen(path));
    printf("\nlocal reqs = {}\nlocal chunks = {}\n\n"
           "local function add(date, token, authorization)\n"
           "    reqs[#reqs + 1] = wrk.format(\"GET\", path, {\n"
           "        [\"Host\"] = host,\n"
           "        [\"Date\"] = date,\n"
           "        [\"x-oss-security-token\"] = token,\n"
           "        [\"Authorization\"] = authorization })\n"
           "end\n");

    token_total = 0;
    sts_buf_init(&auth, A, 0);

    for (i = 0; i < n; i++) {
        if (sts_credentials_generate(akid, secret) != STS_OK) {
            die("the random number generator failed", NULL);
        }

        now = time(NULL);

        memset(&s, 0, sizeof(s));
        s.version = STS_CLAIMS_VERSION;
        s.access_key_id = akid;
        s.access_key_secret = secret;
        s.issued_at = now;
        s.expiration = now + 3600;
        s.account_id = "1234567890123456";
        s.role_arn = "acs:ram::1234567890123456:role/bench";
        s.role_id = "300800000000000001";
        s.session_name = "bench-session";
        s.source_arn = "acs:ram::1234567890123456:user/appserver";
        s.role_policies = rp;
        s.num_role_policies = 1;

        rc = sts_token_seal(A, kr, &s, &token, &token_len);
        if (rc != STS_OK) {
            die("cannot seal a token", sts_strerror(rc));
        }

        token_total += token_len;

        sts_format_rfc1123(date, now);
        h[0].name.data = "Date";
        h[0].name.len = 4;
        h[0].value.data = date;
        h[0].value.len = STS_RFC1123_LEN;
        h[1].name.data = "x-oss-security-token";
        h[1].name.len = 20;
        h[1].value.data = token;
        h[1].value.len = token_len;
        r.now = now;

        memset(&sc, 0, sizeof(sc));
        sc.access_key_id.data = akid;
        sc.access_key_id.len = strlen(akid);
        sc.secret.data = secret;
        sc.secret.len = strlen(secret);
        sc.security_token.data = token;
        sc.security_token.len = token_len;

        auth.len = 0;
        rc = sts_sign_v1_header(&auth, &r, bucket, key, &sc);
        if (rc != STS_OK) {
            die("cannot sign", sts_strerror(rc));
        }

        /* LuaJIT limits the constants of one function: chunks of them */
        if (i % MINT_CHUNK == 0) {
            printf("%schunks[#chunks + 1] = function()\n",
                   i ? "end\n" : "\n");
        }

        printf("add(");
        lua_string(stdout, date, STS_RFC1123_LEN);
        printf(", ");
        lua_string(stdout, token, token_len);
        printf(", ");
        lua_string(stdout, auth.data, auth.len);
        printf(")\n");

        sts_wipe(secret, sizeof(secret));
        sts_free(A, token);
    }

    sts_buf_wipe_free(&auth);

    printf("end\n");

    printf("\n"
           "-- the requests are built in the wrk threads only, not in the\n"
           "-- main script state that runs setup() and done()\n"
           "function init(args)\n"
           "    for _, f in ipairs(chunks) do f() end\n"
           "    chunks = nil\n"
           "end\n"
           "\n"
           "-- wrk calls request() once before the run to check what it\n"
           "-- returns, and does not send that one (the first): every\n"
           "-- request has gone out once \"sent\" is over #reqs\n"
           "sent = 0\n"
           "local i = 0\n"
           "\n"
           "function request()\n"
           "    i = i %% #reqs + 1\n"
           "    sent = sent + 1\n"
           "    return reqs[i]\n"
           "end\n"
           "\n"
           "local threads = {}\n"
           "\n"
           "function setup(thread)\n"
           "    threads[#threads + 1] = thread\n"
           "end\n"
           "\n"
           "function done(summary, latency, requests)\n"
           "    local n, all = %zu, true\n"
           "    for _, t in ipairs(threads) do\n"
           "        all = all and t:get(\"sent\") > n\n"
           "    end\n"
           "    io.write(string.format(\"mint: %%d distinct requests, all "
           "sent: %%s\\n\",\n"
           "                           n, all and \"yes\" or \"no\"))\n"
           "end\n", n);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        die("cannot write the script", NULL);
    }

    fprintf(stderr, "mint: %zu tokens, %zu bytes each on average\n", n,
            n ? token_total / n : 0);

    free(policy);
    sts_keyring_free(A, kr);

    return 0;
}
