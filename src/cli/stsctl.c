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
#include "stsctl_revoke.h"


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


typedef struct {
    char        *rp[STSCTL_MAX_POLICIES];
    size_t       nrp;
    long         duration;
    int          duration_set;
    int64_t      issued_at;
    const char  *keys;
    const char  *role_arn;
    const char  *sp;
    const char  *name;
    const char  *src;
    const char  *role_id;
    const char  *dir;
    const char  *caller_key;
    const char  *external_id;
} stsctl_issue_t;


/* the options of "issue": 0, or -1 for the usage */
static int
issue_options(int argc, char **argv, stsctl_issue_t *it)
{
    int    i;
    char  *end;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            return -1;
        }

        if (strcmp(argv[i], "--keys") == 0) {
            it->keys = argv[++i];

        } else if (strcmp(argv[i], "--role-arn") == 0) {
            it->role_arn = argv[++i];

        } else if (strcmp(argv[i], "--role-policy") == 0) {
            if (it->nrp == STSCTL_MAX_POLICIES) {
                die("at most %d role policies", STSCTL_MAX_POLICIES);
            }

            it->rp[it->nrp++] = argv[++i];

        } else if (strcmp(argv[i], "--session-policy") == 0) {
            it->sp = argv[++i];

        } else if (strcmp(argv[i], "--duration") == 0) {
            it->duration = strtol(argv[++i], &end, 10);
            if (*end != '\0' || it->duration < STS_DURATION_MIN
                || it->duration > STS_DURATION_MAX)
            {
                die("--duration must be %d..%d seconds", STS_DURATION_MIN,
                    STS_DURATION_MAX);
            }

            it->duration_set = 1;

        } else if (strcmp(argv[i], "--directory") == 0) {
            it->dir = argv[++i];

        } else if (strcmp(argv[i], "--caller-key-id") == 0) {
            it->caller_key = argv[++i];

        } else if (strcmp(argv[i], "--external-id") == 0) {
            it->external_id = argv[++i];

        } else if (strcmp(argv[i], "--session-name") == 0) {
            it->name = argv[++i];

        } else if (strcmp(argv[i], "--source-arn") == 0) {
            it->src = argv[++i];

        } else if (strcmp(argv[i], "--role-id") == 0) {
            it->role_id = argv[++i];

        } else if (strcmp(argv[i], "--issued-at") == 0) {
            /* offline issuing and tests: back-date or post-date */
            it->issued_at = strtoll(argv[++i], &end, 10);
            if (*end != '\0' || it->issued_at <= 0) {
                die("--issued-at must be Unix seconds");
            }

        } else {
            return -1;
        }
    }

    return 0;
}


/*
 * The account and role name of --role-arn (acs:ram::<account>:role/<name>)
 * and of --session-name checked; the copy of the ARN they point into.
 */
static char *
issue_names(const stsctl_issue_t *it, char **acct, char **role_name)
{
    char    *arn_copy, *colon;
    size_t   len;

    arn_copy = strdup(it->role_arn);
    if (arn_copy == NULL || strncmp(arn_copy, "acs:ram::", 9) != 0
        || (colon = strchr(arn_copy + 9, ':')) == NULL
        || strncmp(colon + 1, "role/", 5) != 0 || colon[6] == '\0'
        || colon == arn_copy + 9)
    {
        die("--role-arn must look like acs:ram::<account>:role/<name>");
    }

    *colon = '\0';
    *acct = arn_copy + 9;
    *role_name = colon + 6;
    if (strchr(*role_name, '/') != NULL) {
        die("--role-arn must look like acs:ram::<account>:role/<name>");
    }

    len = strlen(it->name);
    if (len < 2 || len > 64 || strspn(it->name, "abcdefghijklmnopqrstuvwxyz"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_") != len)
    {
        die("--session-name must be 2..64 characters of [A-Za-z0-9.@_-]");
    }

    return arn_copy;
}


/* the answer of "issue", shaped as AssumeRole's */
static void
issue_print(const stsctl_issue_t *it, const sts_session_t *s,
    const char *token, const char *role_name)
{
    char     *out;
    char      exp[STS_ISO8601_LEN + 1], rid[STS_REQUEST_ID_LEN + 1];
    char      buf[512];
    json_t   *o;

    sts_format_iso8601(exp, s->expiration);
    sts_request_id(rid);

    o = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}",
                  "RequestId", rid,
                  "AssumedRoleUser",
                      "Arn", "",
                      "AssumedRoleId", "",
                  "Credentials",
                      "AccessKeyId", s->access_key_id,
                      "AccessKeySecret", s->access_key_secret,
                      "SecurityToken", token,
                      "Expiration", exp);
    if (o == NULL) {
        die("out of memory");
    }

    /* as AssumeRole says it: acs:ram::<acct>:role/<role>/<session> */
    snprintf(buf, sizeof(buf), "acs:ram::%s:role/%s/%s", s->account_id,
             role_name, it->name);
    json_object_set_new(json_object_get(o, "AssumedRoleUser"), "Arn",
                        json_string(buf));
    snprintf(buf, sizeof(buf), "%s:%s",
             it->role_id ? it->role_id : role_name, it->name);
    json_object_set_new(json_object_get(o, "AssumedRoleUser"),
                        "AssumedRoleId", json_string(buf));

    out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (out == NULL) {
        die("out of memory");
    }

    puts(out);
    sts_wipe(out, strlen(out));
    free(out);
}


static int
cmd_issue(int argc, char **argv)
{
    int              i;
    char            *token, *acct, *role_name, *arn_copy;
    char             akid[STS_AKID_LEN + 1], secret[STS_SECRET_LEN + 1];
    size_t           len;
    sts_session_t    s;
    sts_keyring_t   *kr;
    stsctl_issue_t   it;

    memset(&it, 0, sizeof(it));
    it.name = "stsctl";
    it.duration = 3600;

    if (issue_options(argc, argv, &it) != 0) {
        return usage("issue");
    }

    if (it.dir != NULL || it.caller_key != NULL) {
        if (it.dir == NULL || it.caller_key == NULL || it.role_arn == NULL) {
            fprintf(stderr, "%s: --directory needs --caller-key-id and "
                    "--role-arn\n", progname);
            return usage("issue");
        }

        if (it.nrp || it.src != NULL || it.role_id != NULL) {
            die("with --directory the role's policies, id and the caller "
                "come from the directory: no --role-policy, --role-id or "
                "--source-arn");
        }

        return issue_from_directory(it.keys, it.dir, it.caller_key,
                                    it.role_arn, it.name, it.sp,
                                    it.duration_set ? it.duration : 0,
                                    it.external_id, it.issued_at);
    }

    if (it.role_arn == NULL || it.nrp == 0) {
        fprintf(stderr, "%s: --role-arn and at least one --role-policy "
                "are required\n", progname);
        return usage("issue");
    }

    arn_copy = issue_names(&it, &acct, &role_name);

    kr = load_keys(it.keys);

    memset(&s, 0, sizeof(s));
    for (i = 0; i < (int) it.nrp; i++) {
        it.rp[i] = check_policy(it.rp[i]);
    }

    if (sts_credentials_generate(akid, secret) != STS_OK) {
        die("the random number generator failed");
    }

    s.version = STS_CLAIMS_VERSION;
    s.access_key_id = akid;
    s.access_key_secret = secret;
    s.issued_at = it.issued_at ? it.issued_at : time(NULL);
    s.expiration = s.issued_at + it.duration;
    s.account_id = acct;
    s.role_arn = (char *) it.role_arn;
    s.role_id = (char *) (it.role_id ? it.role_id : "");
    s.session_name = (char *) it.name;
    s.source_arn = (char *) (it.src ? it.src : "");
    s.role_policies = it.rp;
    s.num_role_policies = it.nrp;
    s.session_policy = it.sp ? check_policy(it.sp) : NULL;

    switch (sts_token_seal(A, kr, &s, &token, &len)) {
    case STS_OK:
        break;
    case STS_ETOOBIG:
        die("the token would be larger than %d bytes: use smaller policies",
            STS_TOKEN_MAX);
    default:
        die("cannot seal the token");
    }

    issue_print(&it, &s, token, role_name);

    sts_wipe(secret, sizeof(secret));
    free(token);
    for (i = 0; i < (int) it.nrp; i++) {
        free(it.rp[i]);
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


typedef struct {
    int                 v4;
    int                 as_json;
    int                 path_only;
    long                presign;
    int64_t             now;
    const char         *method;
    char               *path;
    const char         *host;
    const char         *scheme;
    const char         *endpoint;
    const char         *region;
    const char         *fixed_bucket;
    const char         *ctype;
    const char         *md5;
    stsctl_creds_t      c;
    size_t              n;
    sts_header_t        h[STSCTL_MAX_HEADERS];
    char                date[STS_RFC1123_LEN + 1];
    char                isodate[STS_ISO8601_BASIC_LEN + 1];
} stsctl_sign_t;


/* the options of "sign": 0, or -1 for the usage */
static int
sign_options(int argc, char **argv, stsctl_sign_t *s)
{
    int    i;
    char  *p, *name, *value;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--v4") == 0) {
            s->v4 = 1;
            continue;
        }

        if (strcmp(argv[i], "--json") == 0) {
            s->as_json = 1;
            continue;
        }

        if (strcmp(argv[i], "--path-only") == 0) {
            s->path_only = 1;
            continue;
        }

        if (argv[i][0] != '-' || argv[i][1] != '-') {
            if (s->method == NULL) {
                s->method = argv[i];
            } else if (s->path == NULL) {
                s->path = argv[i];
            } else {
                return -1;
            }

            continue;
        }

        if (i + 1 >= argc) {
            return -1;
        }

        if (strcmp(argv[i], "--credentials") == 0) {
            load_credentials(argv[++i], &s->c);

        } else if (strcmp(argv[i], "--access-key-id") == 0) {
            s->c.access_key_id = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--secret-file") == 0) {
            s->c.secret = trim_eol(read_file(argv[++i], NULL));

        } else if (strcmp(argv[i], "--security-token") == 0) {
            s->c.token = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--region") == 0) {
            s->region = argv[++i];

        } else if (strcmp(argv[i], "--presign") == 0) {
            s->presign = strtol(argv[++i], &p, 10);
            if (*p != '\0' || s->presign < 1
                || s->presign > STS_V4_MAX_EXPIRES)
            {
                die("--presign must be 1..%d seconds", STS_V4_MAX_EXPIRES);
            }

        } else if (strcmp(argv[i], "--host") == 0) {
            s->host = argv[++i];

        } else if (strcmp(argv[i], "--endpoint") == 0) {
            s->endpoint = argv[++i];

        } else if (strcmp(argv[i], "--bucket") == 0) {
            s->fixed_bucket = argv[++i];

        } else if (strcmp(argv[i], "--content-type") == 0) {
            s->ctype = argv[++i];

        } else if (strcmp(argv[i], "--content-md5") == 0) {
            s->md5 = argv[++i];

        } else if (strcmp(argv[i], "--date") == 0) {
            s->now = strtoll(argv[++i], &p, 10);
            if (*p != '\0') {
                die("--date must be Unix seconds");
            }

        } else if (strcmp(argv[i], "--header") == 0) {
            name = argv[++i];
            value = strchr(name, ':');
            if (value == NULL || value == name) {
                die("--header must be NAME:VALUE");
            }

            if (s->n + 4 >= STSCTL_MAX_HEADERS) {
                die("too many headers");
            }

            s->h[s->n].name.data = name;
            s->h[s->n].name.len = (size_t) (value - name);
            value++;
            s->h[s->n].value.data = value;
            s->h[s->n].value.len = strlen(value);
            s->n++;

        } else {
            return -1;
        }
    }

    return 0;
}


/* what "sign" needs beyond the options' syntax: 0, or -1 for the usage */
static int
sign_check(stsctl_sign_t *s)
{
    size_t       hlen;
    const char  *host;

    if (s->method == NULL || s->path == NULL || s->path[0] != '/') {
        fprintf(stderr, "%s: METHOD and an absolute PATH (with its query, "
                "URL-encoded as it will be sent) are required\n", progname);
        return -1;
    }

    if (s->endpoint != NULL) {
        /* http[s]://HOST[:PORT][/]: the URL's scheme, the host signed */
        if (strncmp(s->endpoint, "http://", 7) == 0) {
            host = s->endpoint + 7;

        } else if (strncmp(s->endpoint, "https://", 8) == 0) {
            s->scheme = "https";
            host = s->endpoint + 8;

        } else {
            host = NULL;
        }

        hlen = host ? strcspn(host, "/?#") : 0;

        if (hlen == 0
            || (host[hlen] != '\0' && strcmp(host + hlen, "/") != 0))
        {
            fprintf(stderr, "%s: --endpoint must be http[s]://HOST[:PORT]\n",
                    progname);
            return -1;
        }

        s->host = strndup(host, hlen);
        if (s->host == NULL) {
            die("out of memory");
        }
    }

    if (s->c.access_key_id == NULL || s->c.secret == NULL) {
        die("credentials are required (--credentials FILE, or "
            "--access-key-id and --secret-file)");
    }

    if (s->v4 && s->region == NULL) {
        die("--v4 needs --region (e.g. cn-hangzhou)");
    }

    return 0;
}


/* the request view signed: method, host, path, query and the headers */
static void
sign_request(stsctl_sign_t *s, sts_http_request_t *r)
{
    char          *qm;
    size_t         n;
    sts_header_t  *h;

    h = s->h;
    n = s->n;

    r->method.data = s->method;
    r->method.len = strlen(s->method);
    r->host.data = s->host;
    r->host.len = strlen(s->host);
    qm = strchr(s->path, '?');
    r->raw_path.data = s->path;
    r->raw_path.len = qm ? (size_t) (qm - s->path) : strlen(s->path);
    r->raw_query.data = qm ? qm + 1 : "";
    r->raw_query.len = qm ? strlen(qm + 1) : 0;
    r->now = s->now;

    if (s->ctype != NULL) {
        h[n].name.data = "Content-Type";
        h[n].name.len = 12;
        h[n].value.data = s->ctype;
        h[n++].value.len = strlen(s->ctype);
    }

    if (s->md5 != NULL) {
        h[n].name.data = "Content-MD5";
        h[n].name.len = 11;
        h[n].value.data = s->md5;
        h[n++].value.len = strlen(s->md5);
    }

    if (!s->presign) {
        if (s->v4) {
            sts_format_iso8601_basic(s->isodate, s->now);
            h[n].name.data = "x-oss-date";
            h[n].name.len = 10;
            h[n].value.data = s->isodate;
            h[n++].value.len = STS_ISO8601_BASIC_LEN;

        } else {
            sts_format_rfc1123(s->date, s->now);
            h[n].name.data = "Date";
            h[n].name.len = 4;
            h[n].value.data = s->date;
            h[n++].value.len = STS_RFC1123_LEN;
        }

        if (s->c.token != NULL) {
            h[n].name.data = "x-oss-security-token";
            h[n].name.len = 20;
            h[n].value.data = s->c.token;
            h[n++].value.len = strlen(s->c.token);
        }
    }

    s->n = n;
    r->headers = h;
    r->num_headers = n;
}


/* a presigned request: a URL curl takes, or the request target alone */
static void
sign_print_url(const stsctl_sign_t *s, const sts_http_request_t *r,
    const sts_buf_t *out)
{
    char       *url;
    sts_buf_t   target;

    sts_buf_init(&target, A, 0);

    if (!s->path_only) {
        (void) sts_buf_appendf(&target, "%s://%s", s->scheme, s->host);
    }

    (void) sts_buf_appendf(&target, "%.*s?%s", (int) r->raw_path.len,
                           r->raw_path.data, out->data);
    if (sts_buf_ok(&target) != STS_OK) {
        die("out of memory");
    }

    url = target.data;

    if (s->as_json) {
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
}


/* a signed request's headers, Authorization last */
static void
sign_print_headers(const stsctl_sign_t *s, const sts_buf_t *out)
{
    int                  i;
    const sts_header_t  *h;

    h = s->h;

    if (s->as_json) {
        json_t  *o, *hs;
        char    *text;

        o = json_object();
        hs = json_object();
        if (o == NULL || hs == NULL) {
            die("out of memory");
        }

        for (i = 0; i < (int) s->n; i++) {
            char  *hname = strndup(h[i].name.data, h[i].name.len);

            json_object_set_new(hs, hname,
                                json_stringn(h[i].value.data,
                                             h[i].value.len));
            free(hname);
        }

        json_object_set_new(hs, "Authorization", json_string(out->data));
        json_object_set_new(o, "headers", hs);

        text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text == NULL) {
            die("out of memory");
        }

        puts(text);
        free(text);
        json_decref(o);

    } else {
        for (i = 0; i < (int) s->n; i++) {
            printf("%.*s: %.*s\n", (int) h[i].name.len, h[i].name.data,
                   (int) h[i].value.len, h[i].value.data);
        }

        printf("Authorization: %s\n", out->data);
    }
}


static int
cmd_sign(int argc, char **argv)
{
    int                     rc;
    sts_buf_t               out;
    sts_str_t               bucket, key;
    stsctl_sign_t           s;
    sts_oss_conf_t          oc;
    sts_sign_creds_t        sc;
    sts_http_request_t      r;
    const sts_oss_error_t  *err;

    memset(&s, 0, sizeof(s));
    memset(&r, 0, sizeof(r));
    s.host = "127.0.0.1";
    s.scheme = "http";
    s.now = time(NULL);

    if (sign_options(argc, argv, &s) != 0 || sign_check(&s) != 0) {
        return usage("sign");
    }

    sign_request(&s, &r);

    memset(&oc, 0, sizeof(oc));
    if (s.fixed_bucket != NULL) {
        oc.mode = STS_ADDR_BUCKET;
        oc.bucket.data = s.fixed_bucket;
        oc.bucket.len = strlen(s.fixed_bucket);

    } else {
        oc.mode = STS_ADDR_PATH;
    }

    if (sts_oss_locate(A, &oc, &r, &bucket, &key, &err) != STS_OK) {
        die("cannot find bucket and key in \"%s\": %s", s.path,
            err ? err->message : "out of memory");
    }

    memset(&sc, 0, sizeof(sc));
    sc.access_key_id.data = s.c.access_key_id;
    sc.access_key_id.len = strlen(s.c.access_key_id);
    sc.secret.data = s.c.secret;
    sc.secret.len = strlen(s.c.secret);
    sc.security_token.data = s.c.token ? s.c.token : "";
    sc.security_token.len = s.c.token ? strlen(s.c.token) : 0;
    sc.region.data = s.region ? s.region : "";
    sc.region.len = s.region ? strlen(s.region) : 0;

    sts_buf_init(&out, A, 0);

    if (s.presign && s.v4) {
        rc = sts_sign_v4_presign(&out, &r, bucket, key, &sc, s.now,
                                 s.presign, (sts_str_t) sts_null_string);

    } else if (s.presign) {
        rc = sts_sign_v1_presign(&out, &r, bucket, key, &sc,
                                 s.now + s.presign);

    } else if (s.v4) {
        rc = sts_sign_v4_header(&out, &r, bucket, key, &sc,
                                (sts_str_t) sts_null_string);

    } else {
        rc = sts_sign_v1_header(&out, &r, bucket, key, &sc);
    }

    if (rc != STS_OK) {
        die("cannot sign: %s", sts_strerror(rc));
    }

    if (s.presign) {
        sign_print_url(&s, &r, &out);

    } else {
        sign_print_headers(&s, &out);
    }

    sts_buf_wipe_free(&out);
    sts_wipe(s.c.secret, strlen(s.c.secret));
    free(s.c.secret);
    free(s.c.access_key_id);
    free(s.c.token);

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


/* a connection to |u|, with 30 s timeouts */
static int
http_connect(const stsctl_url_t *u)
{
    int               fd, rc;
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

    return fd;
}


/* the request written to |fd|, with |body| (form-encoded) if any */
static void
http_send(int fd, const stsctl_url_t *u, const char *method,
    const char *target, const char *body)
{
    size_t     len, blen;
    ssize_t    n;
    sts_buf_t  req;

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
}


/* all |fd| sends until it closes, NUL-terminated, |*len| bytes */
static char *
http_read(int fd, size_t *len)
{
    char     *buf;
    size_t    cap;
    ssize_t   n;

    cap = 8192;
    *len = 0;
    buf = malloc(cap + 1);

    for ( ;; ) {
        if (buf == NULL) {
            die("out of memory");
        }

        n = read(fd, buf + *len, cap - *len);
        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n < 0) {
            die("cannot read the response: %s", strerror(errno));
        }

        if (n == 0) {
            break;
        }

        *len += (size_t) n;

        if (*len == cap) {
            if (cap >= STSCTL_RESPONSE_MAX) {
                die("the response is larger than %d bytes",
                    STSCTL_RESPONSE_MAX);
            }

            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }

    buf[*len] = '\0';

    return buf;
}


/* one request, Connection: close; the response body NUL-terminated */
static char *
http_request(const stsctl_url_t *u, const char *method, const char *target,
    const char *body, int *status)
{
    int      fd;
    char    *buf, *p, *end;
    size_t   len;

    fd = http_connect(u);
    http_send(fd, u, method, target, body);
    buf = http_read(fd, &len);
    close(fd);

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


typedef struct {
    int              assume;
    long             duration;
    stsctl_creds_t   c;
    const char      *endpoint;
    const char      *role_arn;
    const char      *name;
    const char      *policy_file;
    const char      *external_id;
    const char      *method;
    const char      *format;
} stsctl_rpc_t;


/* the options of an RPC: 0, or -1 for the usage */
static int
rpc_options(int argc, char **argv, stsctl_rpc_t *o)
{
    int    i;
    char  *end;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            return -1;
        }

        if (strcmp(argv[i], "--endpoint") == 0) {
            o->endpoint = argv[++i];

        } else if (strcmp(argv[i], "--credentials") == 0) {
            load_credentials(argv[++i], &o->c);

        } else if (strcmp(argv[i], "--access-key-id") == 0) {
            o->c.access_key_id = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--secret-file") == 0) {
            o->c.secret = trim_eol(read_file(argv[++i], NULL));

        } else if (strcmp(argv[i], "--security-token") == 0) {
            o->c.token = strdup(argv[++i]);

        } else if (strcmp(argv[i], "--method") == 0) {
            o->method = argv[++i];
            if (strcmp(o->method, "GET") != 0
                && strcmp(o->method, "POST") != 0)
            {
                die("--method must be GET or POST");
            }

        } else if (strcmp(argv[i], "--format") == 0) {
            o->format = argv[++i];

        } else if (o->assume && strcmp(argv[i], "--role-arn") == 0) {
            o->role_arn = argv[++i];

        } else if (o->assume && strcmp(argv[i], "--session-name") == 0) {
            o->name = argv[++i];

        } else if (o->assume && strcmp(argv[i], "--policy") == 0) {
            o->policy_file = argv[++i];

        } else if (o->assume && strcmp(argv[i], "--external-id") == 0) {
            o->external_id = argv[++i];

        } else if (o->assume && strcmp(argv[i], "--duration") == 0) {
            o->duration = strtol(argv[++i], &end, 10);
            if (*end != '\0' || o->duration <= 0) {
                die("--duration must be seconds");
            }

        } else {
            return -1;
        }
    }

    if (o->endpoint == NULL || (o->assume && o->role_arn == NULL)) {
        fprintf(stderr, "%s: --endpoint%s required\n", progname,
                o->assume ? " and --role-arn are" : " is");
        return -1;
    }

    if (o->c.access_key_id == NULL || o->c.secret == NULL) {
        die("credentials are required (--credentials FILE, or "
            "--access-key-id and --secret-file)");
    }

    return 0;
}


/*
 * The parameters of |action| into |it| (STSCTL_RPC_PARAMS), the common
 * ones as pop-core sends them; their number.  |dur| holds the text of
 * DurationSeconds.
 */
static size_t
rpc_params(const stsctl_rpc_t *o, const char *action, const char *policy,
    const char *nonce, const char *ts, char *dur, size_t dur_len,
    sts_param_t *it)
{
    size_t  n;

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
    stsctl_param("Format", o->format);
    stsctl_param("AccessKeyId", o->c.access_key_id);
    stsctl_param("SignatureMethod", "HMAC-SHA1");
    stsctl_param("SignatureVersion", "1.0");
    stsctl_param("SignatureNonce", nonce);
    stsctl_param("Timestamp", ts);

    if (o->c.token != NULL) {
        stsctl_param("SecurityToken", o->c.token);
    }

    if (o->assume) {
        stsctl_param("RoleArn", o->role_arn);
        stsctl_param("RoleSessionName", o->name);

        if (policy != NULL) {
            stsctl_param("Policy", policy);
        }

        if (o->external_id != NULL) {
            stsctl_param("ExternalId", o->external_id);
        }

        if (o->duration) {
            snprintf(dur, dur_len, "%ld", o->duration);
            stsctl_param("DurationSeconds", dur);
        }
    }

#undef stsctl_param

    return n;
}


static int
cmd_rpc(int argc, char **argv, const char *action)
{
    int             status;
    char           *policy, *resp, *target;
    char            ts[STS_ISO8601_LEN + 1], nonce[33];
    char            dur[32];
    size_t          n;
    sts_buf_t       signed_params;
    sts_param_t     it[STSCTL_RPC_PARAMS];
    sts_params_t    params;
    stsctl_url_t    u;
    stsctl_rpc_t    o;
    unsigned char   rnd[16];

    memset(&o, 0, sizeof(o));
    o.name = "stsctl";
    o.method = "POST";
    o.format = "JSON";
    o.assume = strcmp(action, "AssumeRole") == 0;

    if (rpc_options(argc, argv, &o) != 0) {
        return usage(o.assume ? "assume-role" : "caller-identity");
    }

    parse_url(o.endpoint, &u);

    /* the common parameters, as pop-core sends them */
    if (sts_random(rnd, sizeof(rnd)) != STS_OK) {
        die("the random number generator failed");
    }

    sts_hex_encode(nonce, rnd, sizeof(rnd));
    nonce[32] = '\0';
    sts_format_iso8601(ts, time(NULL));

    policy = o.policy_file ? trim_eol(read_file(o.policy_file, NULL)) : NULL;

    params.items = it;
    params.num = rpc_params(&o, action, policy, nonce, ts, dur, sizeof(dur),
                            it);

    sts_buf_init(&signed_params, A, 0);

    if (sts_pop_sign_request(&signed_params,
                             (sts_str_t) { strlen(o.method), o.method },
                             &params,
                             (sts_str_t) { strlen(o.c.secret), o.c.secret })
        != STS_OK)
    {
        die("cannot sign the request");
    }

    if (strcmp(o.method, "GET") == 0) {
        n = strlen(u.path) + 1 + signed_params.len + 1;
        target = malloc(n);
        if (target == NULL) {
            die("out of memory");
        }

        snprintf(target, n, "%s?%s", u.path, signed_params.data);
        resp = http_request(&u, o.method, target, NULL, &status);
        free(target);

    } else {
        resp = http_request(&u, o.method, u.path, signed_params.data,
                            &status);
    }

    fputs(resp, stdout);
    if (resp[0] != '\0' && resp[strlen(resp) - 1] != '\n') {
        fputc('\n', stdout);
    }

    if (status != 200) {
        fprintf(stderr, "%s: %s answered HTTP %d\n", progname, o.endpoint,
                status);
    }

    sts_wipe(resp, strlen(resp));
    free(resp);
    sts_buf_wipe_free(&signed_params);
    free(policy);
    sts_wipe(o.c.secret, strlen(o.c.secret));
    free(o.c.secret);
    free(o.c.access_key_id);
    free(o.c.token);

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

    { "revoke add", stsctl_revoke,
      "--redis HOST:PORT [--prefix P] [--password-file FILE] RULE...",
      "revoke across a fleet: add rules to the set on Redis",
      "each RULE is one argument in the format of sts_revoked's lines,\n"
      "e.g. \"akid STS.xxx\" or \"role acs:ram::123:role/app\"; every\n"
      "gateway with \"sts_state_use revoked\" enforces it within half a\n"
      "second.  P is the gateways' sts_state prefix (default \"sts:\").\n"
      "exit status: 0 success, 1 Redis unreachable or refusing, 2 usage\n"
      "error or an invalid rule\n" },

    { "revoke remove", stsctl_revoke,
      "--redis HOST:PORT [--prefix P] [--password-file FILE] RULE...",
      "lift revocations: remove rules from the set on Redis",
      STSCTL_EXIT_STATUS },

    { "revoke list", stsctl_revoke,
      "--redis HOST:PORT [--prefix P] [--password-file FILE]",
      "print the rules of the set on Redis",
      STSCTL_EXIT_STATUS },

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
