/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl: the command-line tool of nginx-sts, on the same core as the
 * module.
 *
 * Every command, its handler and its usage are in stsctl_commands[]
 * below: "stsctl help", "stsctl --help", "stsctl CMD --help" and the
 * usage errors all print from it.
 *
 * Exit status: 0 success, 1 failure, 2 usage error (policy simulate: 3 for
 * a denial; policy lint: 3 errors, 4 warnings only; policy replay: 3
 * decisions change).
 */

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sts_util.h"
#include "sts_error.h"
#include "sts_http.h"
#include "sts_oss.h"
#include "sts_policy.h"
#include "sts_pop.h"
#include "sts_ram.h"
#include "sts_sign.h"
#include "sts_token.h"
#include "stsctl_lint.h"
#include "stsctl_policy.h"
#include "stsctl_usage.h"


#define STSCTL_MAX_POLICIES  16
#define STSCTL_MAX_HEADERS   32
#define STSCTL_FILE_MAX      (1024 * 1024)
#define STSCTL_RESPONSE_MAX  (1024 * 1024)
#define STSCTL_RPC_PARAMS    24


static const sts_allocator_t  *A = &sts_malloc_allocator;
static const char             *progname = "stsctl";


/* a usage error of |command|: its usage on stderr, exit status 2 */
static int
usage(const char *command)
{
    return stsctl_usage(stderr, command, 2);
}


static void
die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
    va_list  ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);

    exit(1);
}


/* reads a whole file (or stdin for "-"); NUL-terminated */
static char *
read_file(const char *path, size_t *out_len)
{
    FILE    *f;
    char    *buf;
    size_t   n, cap;

    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        die("cannot open \"%s\": %s", path, strerror(errno));
    }

    cap = 4096;
    buf = malloc(cap);
    n = 0;

    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, f);

        if (n < cap - 1) {
            break;
        }

        if (cap >= STSCTL_FILE_MAX) {
            die("\"%s\" is larger than %d bytes", path, STSCTL_FILE_MAX);
        }

        cap *= 2;
        buf = realloc(buf, cap);
    }

    if (buf == NULL) {
        die("out of memory");
    }

    if (ferror(f)) {
        die("cannot read \"%s\"", path);
    }

    if (f != stdin) {
        fclose(f);
    }

    buf[n] = '\0';

    if (out_len != NULL) {
        *out_len = n;
    }

    return buf;
}


static char *
trim_eol(char *s)
{
    size_t  n;

    n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) {
        s[--n] = '\0';
    }

    return s;
}


static sts_keyring_t *
load_keys(const char *path)
{
    char            err[512];
    sts_keyring_t  *kr;

    if (path == NULL) {
        die("--keys FILE is required");
    }

    if (sts_keyring_load(A, path, &kr, err, sizeof(err)) != STS_OK) {
        die("%s", err);
    }

    return kr;
}


/* keygen */

static int
cmd_keygen(int argc, char **argv)
{
    int         i;
    char        line[128], kid[STS_KID_MAX + 1];
    time_t      now;
    struct tm   tm;
    const char *k;

    k = NULL;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--kid") == 0 && i + 1 < argc) {
            k = argv[++i];

        } else {
            return usage("keygen");
        }
    }

    if (k == NULL) {
        now = time(NULL);
        gmtime_r(&now, &tm);
        strftime(kid, sizeof(kid), "k%Y%m%d%H%M%S", &tm);
        k = kid;
    }

    if (sts_keygen_line(line, sizeof(line), k) != STS_OK) {
        die("invalid key id \"%s\" (1 to %d characters of [A-Za-z0-9_-])",
            k, STS_KID_MAX);
    }

    fputs(line, stdout);
    sts_wipe(line, sizeof(line));

    return 0;
}


/* issue: an offline AssumeRole */

static char *
check_policy(const char *path)
{
    char           err[STS_POLICY_ERR_LEN];
    char          *text;
    size_t         len;
    sts_policy_t  *p;

    text = read_file(path, &len);

    if (sts_policy_compile(A, text, len, STS_POLICY_IDENTITY, &p, err,
                           sizeof(err))
        != STS_OK)
    {
        die("policy \"%s\": %s", path, err);
    }

    sts_policy_free(A, p);

    return text;
}


/*
 * issue --directory: AssumeRole offline, decided from the RAM directory
 * exactly as the endpoint decides it, as the owner of |caller_key|.
 */
static int
issue_from_directory(const char *keys, const char *dir,
    const char *caller_key, const char *role_arn, const char *name,
    const char *sp, long duration, const char *external_id,
    int64_t issued_at)
{
    int                     rc;
    char                    err[STS_RAM_ERR_LEN + 256], why[256];
    char                    dur[32], exp[STS_ISO8601_LEN + 1];
    char                    rid[STS_POP_REQUEST_ID_LEN + 1];
    char                    arn[STS_RAM_ARN_MAX + 80];
    char                    role_id[STS_RAM_ARN_MAX + 80];
    char                   *policy, *token, *out;
    size_t                  len;
    json_t                 *o;
    sts_ram_t              *ram;
    sts_session_t          *s;
    sts_keyring_t          *kr;
    sts_ram_caller_t        caller;
    sts_ram_assume_t        req;
    sts_ram_principal_t     p;
    const sts_pop_error_t  *e;

    kr = load_keys(keys);

    if (sts_ram_load(A, dir, &ram, err, sizeof(err)) != STS_OK) {
        die("%s", err);
    }

    rc = sts_ram_find_access_key(ram, (sts_str_t) { strlen(caller_key),
                                                    caller_key }, &p);
    if (rc == STS_ENOTFOUND) {
        die("no AccessKey \"%s\" in \"%s\"", caller_key, dir);
    }

    if (rc != STS_OK) {
        die("the AccessKey \"%s\" of %s is Inactive", caller_key, p.arn);
    }

    sts_ram_caller_from_key(&caller, &p);

    policy = sp ? read_file(sp, &len) : NULL;

    memset(&req, 0, sizeof(req));
    req.role_arn.data = role_arn;
    req.role_arn.len = strlen(role_arn);
    req.session_name.data = name;
    req.session_name.len = strlen(name);
    req.policy.data = policy;
    req.policy.len = policy ? len : 0;
    req.external_id.data = external_id;
    req.external_id.len = external_id ? strlen(external_id) : 0;
    req.now = issued_at ? issued_at : (int64_t) time(NULL);

    if (duration) {
        snprintf(dur, sizeof(dur), "%ld", duration);
        req.duration.data = dur;
        req.duration.len = strlen(dur);
    }

    rc = sts_ram_assume_role(A, ram, &caller, &req, &s, &e, why,
                             sizeof(why));
    if (rc != STS_OK) {
        die("%s: %s", e ? e->code : "InternalError", why);
    }

    switch (sts_token_seal(A, kr, s, &token, &len)) {
    case STS_OK:
        break;
    case STS_ETOOBIG:
        die("the token would be larger than %d bytes: use smaller policies",
            STS_TOKEN_MAX);
    default:
        die("cannot seal the token");
    }

    sts_format_iso8601(exp, s->expiration);
    sts_pop_request_id(rid);
    snprintf(arn, sizeof(arn), "%s/%s", s->role_arn, s->session_name);
    snprintf(role_id, sizeof(role_id), "%s:%s", s->role_id,
             s->session_name);

    /* what the endpoint answers (doc/protocol.md 5.5) */
    o = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}",
                  "RequestId", rid,
                  "AssumedRoleUser",
                      "Arn", arn,
                      "AssumedRoleId", role_id,
                  "Credentials",
                      "AccessKeyId", s->access_key_id,
                      "AccessKeySecret", s->access_key_secret,
                      "SecurityToken", token,
                      "Expiration", exp);
    if (o == NULL) {
        die("out of memory");
    }

    out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (out == NULL) {
        die("out of memory");
    }

    puts(out);
    sts_wipe(out, strlen(out));
    free(out);

    sts_wipe(token, len);
    free(token);
    free(policy);
    sts_session_free(A, s);
    sts_ram_caller_release(A, &caller);
    sts_ram_free(A, ram);
    sts_keyring_free(A, kr);

    return 0;
}


static int
cmd_issue(int argc, char **argv)
{
    int             i;
    char           *token, *rp[STSCTL_MAX_POLICIES], *colon, *slash;
    char           *acct, *role_name, *arn_copy, *out;
    char            akid[STS_AKID_LEN + 1], secret[STS_SECRET_LEN + 1];
    char            exp[STS_ISO8601_LEN + 1], rid[STS_REQUEST_ID_LEN + 1];
    size_t          len, nrp;
    long            duration;
    int64_t         issued_at;
    json_t         *o;
    sts_session_t   s;
    sts_keyring_t  *kr;
    const char     *keys, *role_arn, *sp, *name, *src, *role_id;
    const char     *dir, *caller_key, *external_id;
    int             duration_set;

    dir = NULL;
    caller_key = NULL;
    external_id = NULL;
    duration_set = 0;
    keys = NULL;
    role_arn = NULL;
    sp = NULL;
    name = "stsctl";
    src = NULL;
    role_id = NULL;
    duration = 3600;
    issued_at = 0;
    nrp = 0;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            return usage("issue");
        }

        if (strcmp(argv[i], "--keys") == 0) {
            keys = argv[++i];

        } else if (strcmp(argv[i], "--role-arn") == 0) {
            role_arn = argv[++i];

        } else if (strcmp(argv[i], "--role-policy") == 0) {
            if (nrp == STSCTL_MAX_POLICIES) {
                die("at most %d role policies", STSCTL_MAX_POLICIES);
            }

            rp[nrp++] = argv[++i];

        } else if (strcmp(argv[i], "--session-policy") == 0) {
            sp = argv[++i];

        } else if (strcmp(argv[i], "--duration") == 0) {
            duration = strtol(argv[++i], &colon, 10);
            if (*colon != '\0' || duration < STS_DURATION_MIN
                || duration > STS_DURATION_MAX)
            {
                die("--duration must be %d..%d seconds", STS_DURATION_MIN,
                    STS_DURATION_MAX);
            }

            duration_set = 1;

        } else if (strcmp(argv[i], "--directory") == 0) {
            dir = argv[++i];

        } else if (strcmp(argv[i], "--caller-key-id") == 0) {
            caller_key = argv[++i];

        } else if (strcmp(argv[i], "--external-id") == 0) {
            external_id = argv[++i];

        } else if (strcmp(argv[i], "--session-name") == 0) {
            name = argv[++i];

        } else if (strcmp(argv[i], "--source-arn") == 0) {
            src = argv[++i];

        } else if (strcmp(argv[i], "--role-id") == 0) {
            role_id = argv[++i];

        } else if (strcmp(argv[i], "--issued-at") == 0) {
            /* offline issuing and tests: back-date or post-date */
            issued_at = strtoll(argv[++i], &colon, 10);
            if (*colon != '\0' || issued_at <= 0) {
                die("--issued-at must be Unix seconds");
            }

        } else {
            return usage("issue");
        }
    }

    if (dir != NULL || caller_key != NULL) {
        if (dir == NULL || caller_key == NULL || role_arn == NULL) {
            fprintf(stderr, "%s: --directory needs --caller-key-id and "
                    "--role-arn\n", progname);
            return usage("issue");
        }

        if (nrp || src != NULL || role_id != NULL) {
            die("with --directory the role's policies, id and the caller "
                "come from the directory: no --role-policy, --role-id or "
                "--source-arn");
        }

        return issue_from_directory(keys, dir, caller_key, role_arn, name,
                                    sp, duration_set ? duration : 0,
                                    external_id, issued_at);
    }

    if (role_arn == NULL || nrp == 0) {
        fprintf(stderr, "%s: --role-arn and at least one --role-policy "
                "are required\n", progname);
        return usage("issue");
    }

    /* acs:ram::<account>:role/<name> */
    arn_copy = strdup(role_arn);
    if (arn_copy == NULL || strncmp(arn_copy, "acs:ram::", 9) != 0
        || (colon = strchr(arn_copy + 9, ':')) == NULL
        || strncmp(colon + 1, "role/", 5) != 0 || colon[6] == '\0'
        || colon == arn_copy + 9)
    {
        die("--role-arn must look like acs:ram::<account>:role/<name>");
    }

    *colon = '\0';
    acct = arn_copy + 9;
    role_name = colon + 6;
    slash = strchr(role_name, '/');
    if (slash != NULL) {
        die("--role-arn must look like acs:ram::<account>:role/<name>");
    }

    len = strlen(name);
    if (len < 2 || len > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_") != len)
    {
        die("--session-name must be 2..64 characters of [A-Za-z0-9.@_-]");
    }

    kr = load_keys(keys);

    memset(&s, 0, sizeof(s));
    for (i = 0; i < (int) nrp; i++) {
        rp[i] = check_policy(rp[i]);
    }

    if (sts_credentials_generate(akid, secret) != STS_OK) {
        die("the random number generator failed");
    }

    s.version = STS_CLAIMS_VERSION;
    s.access_key_id = akid;
    s.access_key_secret = secret;
    s.issued_at = issued_at ? issued_at : time(NULL);
    s.expiration = s.issued_at + duration;
    s.account_id = acct;
    s.role_arn = (char *) role_arn;
    s.role_id = (char *) (role_id ? role_id : "");
    s.session_name = (char *) name;
    s.source_arn = (char *) (src ? src : "");
    s.role_policies = rp;
    s.num_role_policies = nrp;
    s.session_policy = sp ? check_policy(sp) : NULL;

    switch (sts_token_seal(A, kr, &s, &token, &len)) {
    case STS_OK:
        break;
    case STS_ETOOBIG:
        die("the token would be larger than %d bytes: use smaller policies",
            STS_TOKEN_MAX);
    default:
        die("cannot seal the token");
    }

    sts_format_iso8601(exp, s.expiration);
    sts_request_id(rid);

    o = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}",
                  "RequestId", rid,
                  "AssumedRoleUser",
                      "Arn", "",
                      "AssumedRoleId", "",
                  "Credentials",
                      "AccessKeyId", akid,
                      "AccessKeySecret", secret,
                      "SecurityToken", token,
                      "Expiration", exp);
    if (o == NULL) {
        die("out of memory");
    }

    {
        char  buf[512];

        /* as AssumeRole says it: acs:ram::<acct>:role/<role>/<session> */
        snprintf(buf, sizeof(buf), "acs:ram::%s:role/%s/%s", acct,
                 role_name, name);
        json_object_set_new(json_object_get(o, "AssumedRoleUser"), "Arn",
                            json_string(buf));
        snprintf(buf, sizeof(buf), "%s:%s", role_id ? role_id : role_name,
                 name);
        json_object_set_new(json_object_get(o, "AssumedRoleUser"),
                            "AssumedRoleId", json_string(buf));
    }

    out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (out == NULL) {
        die("out of memory");
    }

    puts(out);
    sts_wipe(out, strlen(out));
    free(out);

    sts_wipe(secret, sizeof(secret));
    free(token);
    for (i = 0; i < (int) nrp; i++) {
        free(rp[i]);
    }

    free(s.session_policy);
    free(arn_copy);
    sts_keyring_free(A, kr);

    return 0;
}


/* sign */

typedef struct {
    char  *access_key_id;
    char  *secret;
    char  *token;
} stsctl_creds_t;


static void
load_credentials(const char *path, stsctl_creds_t *c)
{
    char          *text;
    json_t        *o, *cr;
    json_error_t   jerr;

    text = read_file(path, NULL);
    o = json_loads(text, 0, &jerr);
    sts_wipe(text, strlen(text));
    free(text);

    if (o == NULL) {
        die("\"%s\": not JSON (line %d: %s)", path, jerr.line, jerr.text);
    }

    /* the output of "stsctl issue" or of AssumeRole */
    cr = json_object_get(o, "Credentials");
    if (cr == NULL) {
        cr = o;
    }

    if (!json_is_string(json_object_get(cr, "AccessKeyId"))
        || !json_is_string(json_object_get(cr, "AccessKeySecret")))
    {
        die("\"%s\": no Credentials.AccessKeyId / AccessKeySecret", path);
    }

    c->access_key_id = strdup(json_string_value(json_object_get(cr,
                                                        "AccessKeyId")));
    c->secret = strdup(json_string_value(json_object_get(cr,
                                                        "AccessKeySecret")));
    if (json_is_string(json_object_get(cr, "SecurityToken"))) {
        c->token = strdup(json_string_value(json_object_get(cr,
                                                        "SecurityToken")));
    }

    json_decref(o);
}


static int
cmd_sign(int argc, char **argv)
{
    int                 i, v4, rc, as_json, path_only;
    char               *p, *path, *qm, *name, *value, *url;
    char                date[STS_RFC1123_LEN + 1];
    char                isodate[STS_ISO8601_BASIC_LEN + 1];
    long                presign;
    size_t              n, hlen;
    int64_t             now;
    sts_buf_t           out, target;
    sts_str_t           bucket, key;
    sts_header_t        h[STSCTL_MAX_HEADERS];
    stsctl_creds_t      c;
    sts_oss_conf_t      oc;
    sts_sign_creds_t    sc;
    sts_http_request_t  r;
    const sts_oss_error_t  *err;
    const char         *method, *host, *region, *fixed_bucket, *ctype, *md5;
    const char         *scheme, *endpoint;

    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    v4 = 0;
    as_json = 0;
    path_only = 0;
    presign = 0;
    host = "127.0.0.1";
    scheme = "http";
    endpoint = NULL;
    region = NULL;
    fixed_bucket = NULL;
    ctype = NULL;
    md5 = NULL;
    now = time(NULL);
    n = 0;
    method = NULL;
    path = NULL;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--v4") == 0) {
            v4 = 1;
            continue;
        }

        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
            continue;
        }

        if (strcmp(argv[i], "--path-only") == 0) {
            path_only = 1;
            continue;
        }

        if (argv[i][0] != '-' || argv[i][1] != '-') {
            if (method == NULL) {
                method = argv[i];
            } else if (path == NULL) {
                path = argv[i];
            } else {
                return usage("sign");
            }

            continue;
        }

        if (i + 1 >= argc) {
            return usage("sign");
        }

        if (strcmp(argv[i], "--credentials") == 0) {
            load_credentials(argv[++i], &c);

        } else if (strcmp(argv[i], "--access-key-id") == 0) {
            c.access_key_id = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--secret-file") == 0) {
            c.secret = trim_eol(read_file(argv[++i], NULL));

        } else if (strcmp(argv[i], "--security-token") == 0) {
            c.token = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--region") == 0) {
            region = argv[++i];

        } else if (strcmp(argv[i], "--presign") == 0) {
            presign = strtol(argv[++i], &p, 10);
            if (*p != '\0' || presign < 1 || presign > STS_V4_MAX_EXPIRES) {
                die("--presign must be 1..%d seconds", STS_V4_MAX_EXPIRES);
            }

        } else if (strcmp(argv[i], "--host") == 0) {
            host = argv[++i];

        } else if (strcmp(argv[i], "--endpoint") == 0) {
            endpoint = argv[++i];

        } else if (strcmp(argv[i], "--bucket") == 0) {
            fixed_bucket = argv[++i];

        } else if (strcmp(argv[i], "--content-type") == 0) {
            ctype = argv[++i];

        } else if (strcmp(argv[i], "--content-md5") == 0) {
            md5 = argv[++i];

        } else if (strcmp(argv[i], "--date") == 0) {
            now = strtoll(argv[++i], &p, 10);
            if (*p != '\0') {
                die("--date must be Unix seconds");
            }

        } else if (strcmp(argv[i], "--header") == 0) {
            name = argv[++i];
            value = strchr(name, ':');
            if (value == NULL || value == name) {
                die("--header must be NAME:VALUE");
            }

            if (n + 4 >= STSCTL_MAX_HEADERS) {
                die("too many headers");
            }

            h[n].name.data = name;
            h[n].name.len = (size_t) (value - name);
            value++;
            h[n].value.data = value;
            h[n].value.len = strlen(value);
            n++;

        } else {
            return usage("sign");
        }
    }

    if (method == NULL || path == NULL || path[0] != '/') {
        fprintf(stderr, "%s: METHOD and an absolute PATH (with its query, "
                "URL-encoded as it will be sent) are required\n", progname);
        return usage("sign");
    }

    if (endpoint != NULL) {
        /* http[s]://HOST[:PORT][/]: the URL's scheme, the host signed */
        if (strncmp(endpoint, "http://", 7) == 0) {
            host = endpoint + 7;

        } else if (strncmp(endpoint, "https://", 8) == 0) {
            scheme = "https";
            host = endpoint + 8;

        } else {
            host = NULL;
        }

        hlen = host ? strcspn(host, "/?#") : 0;

        if (hlen == 0
            || (host[hlen] != '\0' && strcmp(host + hlen, "/") != 0))
        {
            fprintf(stderr, "%s: --endpoint must be http[s]://HOST[:PORT]\n",
                    progname);
            return usage("sign");
        }

        host = strndup(host, hlen);
        if (host == NULL) {
            die("out of memory");
        }
    }

    if (c.access_key_id == NULL || c.secret == NULL) {
        die("credentials are required (--credentials FILE, or "
            "--access-key-id and --secret-file)");
    }

    if (v4 && region == NULL) {
        die("--v4 needs --region (e.g. cn-hangzhou)");
    }

    r.method.data = method;
    r.method.len = strlen(method);
    r.host.data = host;
    r.host.len = strlen(host);
    qm = strchr(path, '?');
    r.raw_path.data = path;
    r.raw_path.len = qm ? (size_t) (qm - path) : strlen(path);
    r.raw_query.data = qm ? qm + 1 : "";
    r.raw_query.len = qm ? strlen(qm + 1) : 0;
    r.now = now;

    if (ctype != NULL) {
        h[n].name.data = "Content-Type";
        h[n].name.len = 12;
        h[n].value.data = ctype;
        h[n++].value.len = strlen(ctype);
    }

    if (md5 != NULL) {
        h[n].name.data = "Content-MD5";
        h[n].name.len = 11;
        h[n].value.data = md5;
        h[n++].value.len = strlen(md5);
    }

    if (!presign) {
        if (v4) {
            sts_format_iso8601_basic(isodate, now);
            h[n].name.data = "x-oss-date";
            h[n].name.len = 10;
            h[n].value.data = isodate;
            h[n++].value.len = STS_ISO8601_BASIC_LEN;

        } else {
            sts_format_rfc1123(date, now);
            h[n].name.data = "Date";
            h[n].name.len = 4;
            h[n].value.data = date;
            h[n++].value.len = STS_RFC1123_LEN;
        }

        if (c.token != NULL) {
            h[n].name.data = "x-oss-security-token";
            h[n].name.len = 20;
            h[n].value.data = c.token;
            h[n++].value.len = strlen(c.token);
        }
    }

    r.headers = h;
    r.num_headers = n;

    memset(&oc, 0, sizeof(oc));
    if (fixed_bucket != NULL) {
        oc.mode = STS_ADDR_BUCKET;
        oc.bucket.data = fixed_bucket;
        oc.bucket.len = strlen(fixed_bucket);

    } else {
        oc.mode = STS_ADDR_PATH;
    }

    if (sts_oss_locate(A, &oc, &r, &bucket, &key, &err) != STS_OK) {
        die("cannot find bucket and key in \"%s\": %s", path,
            err ? err->message : "out of memory");
    }

    memset(&sc, 0, sizeof(sc));
    sc.access_key_id.data = c.access_key_id;
    sc.access_key_id.len = strlen(c.access_key_id);
    sc.secret.data = c.secret;
    sc.secret.len = strlen(c.secret);
    sc.security_token.data = c.token ? c.token : "";
    sc.security_token.len = c.token ? strlen(c.token) : 0;
    sc.region.data = region ? region : "";
    sc.region.len = region ? strlen(region) : 0;

    sts_buf_init(&out, A, 0);

    if (presign) {
        if (v4) {
            rc = sts_sign_v4_presign(&out, &r, bucket, key, &sc, now,
                                     presign, (sts_str_t) sts_null_string);
        } else {
            rc = sts_sign_v1_presign(&out, &r, bucket, key, &sc,
                                     now + presign);
        }

        if (rc != STS_OK) {
            die("cannot sign: %s", sts_strerror(rc));
        }

        /* a URL curl takes, or the request target alone */
        sts_buf_init(&target, A, 0);

        if (!path_only) {
            (void) sts_buf_appendf(&target, "%s://%s", scheme, host);
        }

        (void) sts_buf_appendf(&target, "%.*s?%s", (int) r.raw_path.len,
                               r.raw_path.data, out.data);
        if (sts_buf_ok(&target) != STS_OK) {
            die("out of memory");
        }

        url = target.data;

        if (as_json) {
            json_t  *o;
            char    *text;

            o = json_pack("{s:s}", "url", url);
            text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
            if (text == NULL) {
                die("out of memory");
            }

            puts(text);
            free(text);
            json_decref(o);

        } else {
            puts(url);
        }

        sts_buf_free(&target);

    } else {
        if (v4) {
            rc = sts_sign_v4_header(&out, &r, bucket, key, &sc,
                                    (sts_str_t) sts_null_string);
        } else {
            rc = sts_sign_v1_header(&out, &r, bucket, key, &sc);
        }

        if (rc != STS_OK) {
            die("cannot sign: %s", sts_strerror(rc));
        }

        if (as_json) {
            json_t  *o, *hs;
            char    *text;

            o = json_object();
            hs = json_object();
            if (o == NULL || hs == NULL) {
                die("out of memory");
            }

            for (i = 0; i < (int) n; i++) {
                char  *hname = strndup(h[i].name.data, h[i].name.len);

                json_object_set_new(hs, hname,
                                    json_stringn(h[i].value.data,
                                                 h[i].value.len));
                free(hname);
            }

            json_object_set_new(hs, "Authorization", json_string(out.data));
            json_object_set_new(o, "headers", hs);

            text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            if (text == NULL) {
                die("out of memory");
            }

            puts(text);
            free(text);
            json_decref(o);

        } else {
            for (i = 0; i < (int) n; i++) {
                printf("%.*s: %.*s\n", (int) h[i].name.len, h[i].name.data,
                       (int) h[i].value.len, h[i].value.data);
            }

            printf("Authorization: %s\n", out.data);
        }
    }

    sts_buf_wipe_free(&out);
    sts_wipe(c.secret, strlen(c.secret));
    free(c.secret);
    free(c.access_key_id);
    free(c.token);

    return 0;
}


/* inspect */

static int
cmd_inspect(int argc, char **argv)
{
    int             i, rc, show;
    char           *token;
    const char     *keys, *arg;
    sts_buf_t       out;
    sts_session_t  *s;
    sts_keyring_t  *kr;

    keys = NULL;
    arg = NULL;
    show = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc) {
            keys = argv[++i];

        } else if (strcmp(argv[i], "--show-secret") == 0) {
            show = 1;

        } else if (arg == NULL) {
            arg = argv[i];

        } else {
            return usage("inspect");
        }
    }

    if (arg == NULL) {
        return usage("inspect");
    }

    kr = load_keys(keys);
    token = strcmp(arg, "-") == 0 ? trim_eol(read_file("-", NULL))
                                  : strdup(arg);

    rc = sts_token_open(A, kr, token, strlen(token), time(NULL), &s);

    if (rc != STS_OK && rc != STS_ETOKEN_EXPIRED) {
        fprintf(stderr, "%s: invalid token: %s\n", progname,
                sts_strerror(rc));
        free(token);
        sts_keyring_free(A, kr);
        return 1;
    }

    sts_buf_init(&out, A, 0);
    if (sts_session_to_json(s, show, &out) != STS_OK) {
        die("out of memory");
    }

    puts(out.data);

    if (rc == STS_ETOKEN_EXPIRED) {
        fprintf(stderr, "%s: the token has expired\n", progname);
    }

    sts_buf_wipe_free(&out);
    sts_session_free(A, s);
    free(token);
    sts_keyring_free(A, kr);

    return rc == STS_OK ? 0 : 1;
}


/* assume-role, caller-identity: a live endpoint over plain HTTP */

typedef struct {
    char  host[256];
    char  port[8];
    char  path[1024];
} stsctl_url_t;


static void
parse_url(const char *url, stsctl_url_t *u)
{
    size_t       n;
    const char  *p, *slash, *colon;

    if (strncmp(url, "https://", 8) == 0) {
        die("stsctl speaks plain HTTP only; for HTTPS use an SDK, or reach "
            "the endpoint on a local plain-HTTP listener");
    }

    if (strncmp(url, "http://", 7) != 0) {
        die("--endpoint must be http://HOST[:PORT][/PATH]");
    }

    p = url + 7;
    slash = strchr(p, '/');
    n = slash ? (size_t) (slash - p) : strlen(p);

    colon = memchr(p, ':', n);

    if (n == 0 || (colon ? (size_t) (colon - p) : n) >= sizeof(u->host)) {
        die("--endpoint has no usable host");
    }

    if (colon != NULL) {
        if ((size_t) (p + n - colon - 1) >= sizeof(u->port)
            || p + n - colon - 1 == 0)
        {
            die("--endpoint has a bad port");
        }

        memcpy(u->host, p, (size_t) (colon - p));
        u->host[colon - p] = '\0';
        memcpy(u->port, colon + 1, (size_t) (p + n - colon - 1));
        u->port[p + n - colon - 1] = '\0';

    } else {
        memcpy(u->host, p, n);
        u->host[n] = '\0';
        strcpy(u->port, "80");
    }

    snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/");
}


/* one request, Connection: close; the response body NUL-terminated */
static char *
http_request(const stsctl_url_t *u, const char *method, const char *target,
    const char *body, int *status)
{
    int               fd, rc;
    char             *buf, *p, *end;
    size_t            len, cap, blen;
    ssize_t           n;
    sts_buf_t         req;
    struct timeval    tv;
    struct addrinfo   hints, *ai, *a;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    rc = getaddrinfo(u->host, u->port, &hints, &ai);
    if (rc != 0) {
        die("cannot resolve \"%s\": %s", u->host, gai_strerror(rc));
    }

    fd = -1;
    for (a = ai; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd == -1) {
            continue;
        }

        tv.tv_sec = 30;
        tv.tv_usec = 0;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            break;
        }

        close(fd);
        fd = -1;
    }

    freeaddrinfo(ai);

    if (fd == -1) {
        die("cannot connect to %s:%s: %s", u->host, u->port,
            strerror(errno));
    }

    blen = body ? strlen(body) : 0;

    sts_buf_init(&req, A, 0);
    (void) sts_buf_appendf(&req, "%s %s HTTP/1.1\r\nHost: %s%s%s\r\n"
                           "User-Agent: stsctl\r\nConnection: close\r\n"
                           "Content-Length: %zu\r\n", method, target,
                           u->host, strcmp(u->port, "80") ? ":" : "",
                           strcmp(u->port, "80") ? u->port : "", blen);
    if (blen) {
        (void) sts_buf_append_str(&req, "Content-Type: "
                                  "application/x-www-form-urlencoded\r\n");
    }

    (void) sts_buf_append_str(&req, "\r\n");
    if (blen) {
        (void) sts_buf_append(&req, body, blen);
    }

    if (sts_buf_ok(&req) != STS_OK) {
        die("out of memory");
    }

    for (len = 0; len < req.len; len += (size_t) n) {
        n = write(fd, req.data + len, req.len - len);
        if (n <= 0) {
            if (n == -1 && errno == EINTR) {
                n = 0;
                continue;
            }

            die("cannot send the request: %s", strerror(errno));
        }
    }

    sts_buf_free(&req);

    cap = 8192;
    len = 0;
    buf = malloc(cap + 1);

    for ( ;; ) {
        if (buf == NULL) {
            die("out of memory");
        }

        n = read(fd, buf + len, cap - len);
        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n < 0) {
            die("cannot read the response: %s", strerror(errno));
        }

        if (n == 0) {
            break;
        }

        len += (size_t) n;

        if (len == cap) {
            if (cap >= STSCTL_RESPONSE_MAX) {
                die("the response is larger than %d bytes",
                    STSCTL_RESPONSE_MAX);
            }

            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }

    close(fd);
    buf[len] = '\0';

    if (sscanf(buf, "HTTP/1.%*c %d", status) != 1) {
        die("not an HTTP response from %s:%s", u->host, u->port);
    }

    p = strstr(buf, "\r\n\r\n");
    if (p == NULL) {
        die("a truncated HTTP response");
    }

    *p = '\0';
    p += 4;
    end = buf + len;

    if (strstr(buf, "\nTransfer-Encoding: chunked") != NULL
        || strstr(buf, "\ntransfer-encoding: chunked") != NULL)
    {
        char   *w, *q;
        size_t  k;

        /* de-chunk in place */
        w = p;
        q = p;

        while (q < end) {
            k = strtoul(q, &q, 16);
            q = strstr(q, "\r\n");
            if (q == NULL || k == 0) {
                break;
            }

            q += 2;
            if ((size_t) (end - q) < k) {
                die("a truncated chunked response");
            }

            memmove(w, q, k);
            w += k;
            q += k + 2;
        }

        *w = '\0';
    }

    memmove(buf, p, strlen(p) + 1);

    return buf;
}


static int
cmd_rpc(int argc, char **argv, const char *action)
{
    int             i, status, assume;
    char           *policy, *resp, *target;
    char            ts[STS_ISO8601_LEN + 1], nonce[33];
    char            dur[32];
    size_t          n;
    long            duration;
    sts_buf_t       signed_params;
    sts_param_t     it[STSCTL_RPC_PARAMS];
    sts_params_t    params;
    stsctl_url_t    u;
    stsctl_creds_t  c;
    unsigned char   rnd[16];
    const char     *endpoint, *role_arn, *name, *policy_file, *external_id;
    const char     *method, *format;

    memset(&c, 0, sizeof(c));
    endpoint = NULL;
    role_arn = NULL;
    name = "stsctl";
    policy_file = NULL;
    external_id = NULL;
    method = "POST";
    format = "JSON";
    duration = 0;
    assume = strcmp(action, "AssumeRole") == 0;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            return usage(assume ? "assume-role" : "caller-identity");
        }

        if (strcmp(argv[i], "--endpoint") == 0) {
            endpoint = argv[++i];

        } else if (strcmp(argv[i], "--credentials") == 0) {
            load_credentials(argv[++i], &c);

        } else if (strcmp(argv[i], "--access-key-id") == 0) {
            c.access_key_id = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--secret-file") == 0) {
            c.secret = trim_eol(read_file(argv[++i], NULL));

        } else if (strcmp(argv[i], "--security-token") == 0) {
            c.token = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--method") == 0) {
            method = argv[++i];
            if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
                die("--method must be GET or POST");
            }

        } else if (strcmp(argv[i], "--format") == 0) {
            format = argv[++i];

        } else if (assume && strcmp(argv[i], "--role-arn") == 0) {
            role_arn = argv[++i];

        } else if (assume && strcmp(argv[i], "--session-name") == 0) {
            name = argv[++i];

        } else if (assume && strcmp(argv[i], "--policy") == 0) {
            policy_file = argv[++i];

        } else if (assume && strcmp(argv[i], "--external-id") == 0) {
            external_id = argv[++i];

        } else if (assume && strcmp(argv[i], "--duration") == 0) {
            duration = strtol(argv[++i], &policy, 10);
            if (*policy != '\0' || duration <= 0) {
                die("--duration must be seconds");
            }

        } else {
            return usage(assume ? "assume-role" : "caller-identity");
        }
    }

    if (endpoint == NULL || (assume && role_arn == NULL)) {
        fprintf(stderr, "%s: --endpoint%s required\n", progname,
                assume ? " and --role-arn are" : " is");
        return usage(assume ? "assume-role" : "caller-identity");
    }

    if (c.access_key_id == NULL || c.secret == NULL) {
        die("credentials are required (--credentials FILE, or "
            "--access-key-id and --secret-file)");
    }

    parse_url(endpoint, &u);

    /* the common parameters, as pop-core sends them */
    if (sts_random(rnd, sizeof(rnd)) != STS_OK) {
        die("the random number generator failed");
    }

    sts_hex_encode(nonce, rnd, sizeof(rnd));
    nonce[32] = '\0';
    sts_format_iso8601(ts, time(NULL));

    policy = policy_file ? trim_eol(read_file(policy_file, NULL)) : NULL;

    n = 0;

#define stsctl_param(k, v)                                                  \
    it[n].name.data = k;                                                    \
    it[n].name.len = strlen(k);                                             \
    it[n].value.data = v;                                                   \
    it[n].value.len = strlen(v);                                            \
    it[n].has_eq = 1;                                                       \
    n++

    stsctl_param("Action", action);
    stsctl_param("Version", STS_POP_API_VERSION);
    stsctl_param("Format", format);
    stsctl_param("AccessKeyId", c.access_key_id);
    stsctl_param("SignatureMethod", "HMAC-SHA1");
    stsctl_param("SignatureVersion", "1.0");
    stsctl_param("SignatureNonce", nonce);
    stsctl_param("Timestamp", ts);

    if (c.token != NULL) {
        stsctl_param("SecurityToken", c.token);
    }

    if (assume) {
        stsctl_param("RoleArn", role_arn);
        stsctl_param("RoleSessionName", name);

        if (policy != NULL) {
            stsctl_param("Policy", policy);
        }

        if (external_id != NULL) {
            stsctl_param("ExternalId", external_id);
        }

        if (duration) {
            snprintf(dur, sizeof(dur), "%ld", duration);
            stsctl_param("DurationSeconds", dur);
        }
    }

#undef stsctl_param

    params.items = it;
    params.num = n;

    sts_buf_init(&signed_params, A, 0);

    if (sts_pop_sign_request(&signed_params,
                             (sts_str_t) { strlen(method), method }, &params,
                             (sts_str_t) { strlen(c.secret), c.secret })
        != STS_OK)
    {
        die("cannot sign the request");
    }

    if (strcmp(method, "GET") == 0) {
        n = strlen(u.path) + 1 + signed_params.len + 1;
        target = malloc(n);
        if (target == NULL) {
            die("out of memory");
        }

        snprintf(target, n, "%s?%s", u.path, signed_params.data);
        resp = http_request(&u, method, target, NULL, &status);
        free(target);

    } else {
        resp = http_request(&u, method, u.path, signed_params.data, &status);
    }

    fputs(resp, stdout);
    if (resp[0] != '\0' && resp[strlen(resp) - 1] != '\n') {
        fputc('\n', stdout);
    }

    if (status != 200) {
        fprintf(stderr, "%s: %s answered HTTP %d\n", progname, endpoint,
                status);
    }

    sts_wipe(resp, strlen(resp));
    free(resp);
    sts_buf_wipe_free(&signed_params);
    free(policy);
    sts_wipe(c.secret, strlen(c.secret));
    free(c.secret);
    free(c.access_key_id);
    free(c.token);

    return status == 200 ? 0 : 1;
}


static int
cmd_assume_role(int argc, char **argv)
{
    return cmd_rpc(argc, argv, "AssumeRole");
}


static int
cmd_caller_identity(int argc, char **argv)
{
    return cmd_rpc(argc, argv, "GetCallerIdentity");
}


/* the commands */

typedef struct {
    const char  *name;        /* "sign", "policy lint" */
    int        (*handler)(int argc, char **argv);
    const char  *synopsis;    /* the arguments, lines joined by '\n' */
    const char  *summary;     /* one line */
    const char  *details;     /* per-command help only, or NULL */
} stsctl_command_t;


#define STSCTL_CREDENTIALS                                                  \
    "(--credentials FILE | --access-key-id ID --secret-file FILE\n"        \
    "[--security-token TOKEN])"

#define STSCTL_EXIT_STATUS                                                  \
    "exit status: 0 success, 1 failure, 2 usage error\n"


static int cmd_help(int argc, char **argv);


/*
 * A command with several forms has one entry per form, the first with the
 * handler; the handler gets argv[0] = the command's last word.
 */
static const stsctl_command_t  stsctl_commands[] = {

    { "keygen", cmd_keygen,
      "[--kid KID]",
      "print a new keyring line: KID and 32 random bytes in base64",
      STSCTL_EXIT_STATUS },

    { "issue", cmd_issue,
      "--keys FILE --role-arn ARN --role-policy FILE...\n"
      "[--session-policy FILE] [--duration 900..43200]\n"
      "[--session-name NAME] [--source-arn ARN] [--role-id ID]\n"
      "[--issued-at UNIX]",
      "an offline AssumeRole: seal a token, print the Credentials JSON",
      NULL },

    { "issue", NULL,
      "--keys FILE --directory FILE --caller-key-id ID --role-arn ARN\n"
      "[--session-policy FILE] [--duration 900..43200]\n"
      "[--session-name NAME] [--external-id ID] [--issued-at UNIX]",
      "the same, decided from a RAM directory as the STS endpoint decides",
      STSCTL_EXIT_STATUS },

    { "assume-role", cmd_assume_role,
      "--endpoint http://HOST[:PORT][/PATH]\n"
      STSCTL_CREDENTIALS " --role-arn ARN\n"
      "[--session-name NAME] [--policy FILE] [--duration SECONDS]\n"
      "[--external-id ID] [--method GET|POST] [--format JSON|XML]",
      "AssumeRole at a live STS endpoint (plain HTTP), signed as the SDKs do",
      "exit status: 0 success, 1 failure or an answer other than HTTP 200,\n"
      "2 usage error\n" },

    { "caller-identity", cmd_caller_identity,
      "--endpoint http://HOST[:PORT][/PATH]\n"
      STSCTL_CREDENTIALS " [--method GET|POST] [--format JSON|XML]",
      "GetCallerIdentity at a live STS endpoint (plain HTTP)",
      "exit status: 0 success, 1 failure or an answer other than HTTP 200,\n"
      "2 usage error\n" },

    { "sign", cmd_sign,
      STSCTL_CREDENTIALS " [--v4 --region R]\n"
      "[--host HOST | --endpoint http[s]://HOST[:PORT]]\n"
      "[--presign SECONDS [--path-only]] [--bucket NAME]\n"
      "[--content-type T] [--content-md5 M] [--header NAME:VALUE]...\n"
      "[--date UNIX] [--json] METHOD PATH",
      "print the headers of a signed OSS request, or a presigned URL",
      "PATH is the request target as it will be sent (URL-encoded, with\n"
      "its query), /bucket/key unless --bucket names the bucket.  HOST\n"
      "(default 127.0.0.1) is the Host signed.  With --presign: a URL valid\n"
      "SECONDS, http://HOST/PATH?QUERY (with --endpoint its scheme and\n"
      "host), or with --path-only PATH?QUERY alone.\n"
      STSCTL_EXIT_STATUS },

    { "inspect", cmd_inspect,
      "--keys FILE [--show-secret] TOKEN|-",
      "open a token and print its claims (the secret only with --show-secret)",
      "exit status: 0 success, 1 an invalid or expired token, 2 usage error\n"
    },

    { "policy check", stsctl_policy_check,
      "[--trust] FILE",
      "validate a policy (a trust policy with --trust), print it normalised",
      "exit status: 0 valid, 1 invalid policy or unreadable file,\n"
      "2 usage error\n" },

    { "policy simulate", stsctl_policy_simulate,
      "--role-policy FILE [--role-policy FILE]...\n"
      "[--session-policy FILE] --action ACTION --resource ARN\n"
      "[--context KEY=VALUE]...",
      "decide one request: Allow, ExplicitDeny or ImplicitDeny and why",
      NULL },

    { "policy simulate", NULL,
      "--trust-policy FILE --principal PRINCIPAL\n"
      "[--principal-type ram|service|federated] [--context KEY=VALUE]...",
      "decide an AssumeRole by the role's trust policy",
      "prints the decision and the deciding statement, and the condition\n"
      "keys a statement wanted that the context lacks; acs:CurrentTime\n"
      "defaults to the current time\n"
      "exit status: 0 allowed, 3 denied, 1 invalid policy or unreadable\n"
      "file, 2 usage error\n" },

    { "policy lint", stsctl_policy_lint,
      "[--kind identity|trust] [--format text|json]\n"
      "[--warnings-ok] FILE...",
      "report what a policy likely gets wrong",
      "exit status: 0 no findings, 4 warnings only (0 with --warnings-ok),\n"
      "3 errors, 1 an unreadable or invalid policy, 2 usage error\n" },

    { "policy replay", stsctl_policy_replay,
      "--log FILE --policy FILE [--policy FILE]...\n"
      "[--session FILE] [--role ARN] [--format text|json]",
      "decide an audit log's requests again under other policies",
      "decides every logged request again under the given role policies\n"
      "(they replace the role's) and session policy, and prints the\n"
      "requests whose decision changes\n"
      "exit status: 0 no change, 3 changes, 1 an unreadable log or policy,\n"
      "2 usage error\n" },

    { "help", cmd_help,
      "[COMMAND [SUBCOMMAND]]",
      "the usage of every command, or of one",
      STSCTL_EXIT_STATUS },
};

#define STSCTL_NUM_COMMANDS                                                 \
    (sizeof(stsctl_commands) / sizeof(stsctl_commands[0]))


/* the lines of |text| after the first are indented by |indent| */
static void
print_indented(FILE *f, const char *text, const char *indent)
{
    for ( /* void */ ; *text; text++) {
        fputc(*text, f);

        if (*text == '\n' && text[1] != '\0') {
            fputs(indent, f);
        }
    }
}


/* |name| is |group| or a subcommand of it ("policy" and "policy lint") */
static int
in_group(const char *name, const char *group)
{
    size_t  n;

    n = strlen(group);

    return strncmp(name, group, n) == 0
           && (name[n] == '\0' || name[n] == ' ');
}


/*
 * The usage of |command| ("sign", "policy lint"), of a group of them
 * ("policy") or, for NULL, of every command; returns |status|.
 */
int
stsctl_usage(FILE *f, const char *command, int status)
{
    size_t                   i, found;
    const char              *details;
    const stsctl_command_t  *c;

    details = NULL;
    found = 0;

    for (i = 0; command != NULL && i < STSCTL_NUM_COMMANDS; i++) {
        c = &stsctl_commands[i];

        if (strcmp(c->name, command) != 0) {
            continue;
        }

        fprintf(f, "usage: %s %s ", progname, c->name);
        print_indented(f, c->synopsis, "       ");
        fprintf(f, "\n  %s\n", c->summary);

        if (c->details != NULL) {
            details = c->details;
        }

        found++;
    }

    if (found) {
        if (details != NULL) {
            fputs(details, f);
        }

        return status;
    }

    if (command != NULL) {
        fprintf(f, "usage: %s %s SUBCOMMAND ..., one of:\n", progname,
                command);

    } else {
        fputs("usage:\n", f);
    }

    for (i = 0; i < STSCTL_NUM_COMMANDS; i++) {
        c = &stsctl_commands[i];

        if (command != NULL && !in_group(c->name, command)) {
            continue;
        }

        fprintf(f, "  %s %s ", progname, c->name);
        print_indented(f, c->synopsis, "      ");
        fprintf(f, "\n      %s\n", c->summary);
    }

    fputs("exit status: 0 success, 1 failure, 2 usage error; policy "
          "simulate: 3 denied;\npolicy lint: 3 errors, 4 warnings only; "
          "policy replay: 3 decisions change\n"
          "one command's usage: stsctl help COMMAND, or stsctl COMMAND "
          "--help\n", f);

    return status;
}


/*
 * The command argv[0] (and argv[1]) names, as in the table: "sign",
 * "policy lint", or a group, "policy"; NULL if none.  *words is how many
 * words of argv it is.
 */
static const char *
find_command(int argc, char **argv, int *words,
    const stsctl_command_t **cmd)
{
    size_t                   i, n;
    const stsctl_command_t  *c;

    *cmd = NULL;
    *words = 0;

    for (i = 0; argc > 0 && i < STSCTL_NUM_COMMANDS; i++) {
        c = &stsctl_commands[i];
        n = strlen(argv[0]);

        if (strcmp(c->name, argv[0]) == 0 && strchr(c->name, ' ') == NULL) {
            *cmd = c;
            *words = 1;
            return c->name;
        }

        if (strncmp(c->name, argv[0], n) == 0 && c->name[n] == ' ') {
            if (argc > 1 && strcmp(c->name + n + 1, argv[1]) == 0) {
                *cmd = c;
                *words = 2;
                return c->name;
            }

            *words = 1;
        }
    }

    return *words ? argv[0] : NULL;
}


static int
unknown_command(int argc, char **argv)
{
    int                      words;
    const char              *group;
    const stsctl_command_t  *c;

    group = find_command(argc, argv, &words, &c);

    if (group != NULL && argc > 1) {
        fprintf(stderr, "%s: unknown command \"%s %s\"\n", progname, group,
                argv[1]);

    } else if (group == NULL) {
        fprintf(stderr, "%s: unknown command \"%s\"\n", progname, argv[0]);
    }

    return stsctl_usage(stderr, group, 2);
}


/* stsctl help [COMMAND [SUBCOMMAND]] */
static int
cmd_help(int argc, char **argv)
{
    int                      words;
    const char              *name;
    const stsctl_command_t  *c;

    if (argc < 2) {
        return stsctl_usage(stdout, NULL, 0);
    }

    name = find_command(argc - 1, argv + 1, &words, &c);

    if (name == NULL || (c == NULL && argc > 2) || words != argc - 1) {
        return unknown_command(argc - 1, argv + 1);
    }

    return stsctl_usage(stdout, name, 0);
}


int
main(int argc, char **argv)
{
    int                      i, words;
    const char              *name;
    const stsctl_command_t  *c;

    if (argc < 2) {
        return stsctl_usage(stderr, NULL, 2);
    }

    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        return stsctl_usage(stdout, NULL, 0);
    }

    name = find_command(argc - 1, argv + 1, &words, &c);

    if (name == NULL) {
        return unknown_command(argc - 1, argv + 1);
    }

    /* "stsctl CMD ... --help": CMD's usage on stdout, success */
    for (i = 1 + words; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (c == NULL && i > 1 + words) {
                /* "policy bogus --help" */
                return unknown_command(argc - 1, argv + 1);
            }

            return stsctl_usage(stdout, name, 0);
        }
    }

    if (c == NULL) {
        /* a group alone ("stsctl policy"), "stsctl policy help" */
        if (argc == 3 && strcmp(argv[2], "help") == 0) {
            return stsctl_usage(stdout, name, 0);
        }

        return unknown_command(argc - 1, argv + 1);
    }

    return c->handler(argc - words, argv + words);
}
