/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl: the command-line tool of nginx-sts, on the same core as the
 * module.
 *
 *   stsctl keygen [--kid KID]
 *   stsctl issue --keys FILE --role-arn ARN --role-policy FILE ...
 *                [--session-policy FILE] [--duration SECONDS]
 *                [--session-name NAME] [--source-arn ARN] [--role-id ID]
 *                [--issued-at UNIX]
 *   stsctl sign --credentials FILE | --access-key-id ID --secret-file FILE
 *                [--security-token TOKEN]
 *                [--v4 --region R] [--presign SECONDS]
 *                [--host HOST] [--content-type T] [--content-md5 M]
 *                [--header NAME:VALUE ...] [--bucket NAME] METHOD PATH
 *   stsctl inspect --keys FILE [--show-secret] TOKEN|-
 *   stsctl policy check|simulate ...
 *
 * Exit status: 0 success, 1 failure, 2 usage error (policy simulate: 3 for
 * a denial).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sts_util.h"
#include "sts_error.h"
#include "sts_http.h"
#include "sts_oss.h"
#include "sts_policy.h"
#include "sts_sign.h"
#include "sts_token.h"
#include "stsctl_policy.h"


#define STSCTL_MAX_POLICIES  16
#define STSCTL_MAX_HEADERS   32
#define STSCTL_FILE_MAX      (1024 * 1024)


static const sts_allocator_t  *A = &sts_malloc_allocator;
static const char             *progname = "stsctl";


static int
usage(void)
{
    fprintf(stderr,
        "usage:\n"
        "  stsctl keygen [--kid KID]\n"
        "  stsctl issue --keys FILE --role-arn ARN --role-policy FILE...\n"
        "               [--session-policy FILE] [--duration 900..43200]\n"
        "               [--session-name NAME] [--source-arn ARN]"
        " [--role-id ID]\n"
        "               [--issued-at UNIX]\n"
        "  stsctl sign (--credentials FILE | --access-key-id ID"
        " --secret-file FILE\n"
        "               [--security-token TOKEN]) [--v4 --region R]\n"
        "               [--presign SECONDS] [--host HOST]"
        " [--bucket NAME]\n"
        "               [--content-type T] [--content-md5 M]"
        " [--header NAME:VALUE]...\n"
        "               [--date UNIX] METHOD PATH\n"
        "  stsctl inspect --keys FILE [--show-secret] TOKEN|-\n"
        "  stsctl policy check FILE\n"
        "  stsctl policy simulate --role-policy FILE... [--session-policy"
        " FILE]\n"
        "               --action A --resource R [--context KEY=VALUE]...\n");

    return 2;
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
            return usage();
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
            return usage();
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
            return usage();
        }
    }

    if (role_arn == NULL || nrp == 0) {
        fprintf(stderr, "%s: --role-arn and at least one --role-policy "
                "are required\n", progname);
        return usage();
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

        /* acs:ram::<acct>:assumed-role/<role>/<session> */
        snprintf(buf, sizeof(buf), "acs:ram::%s:assumed-role/%s/%s", acct,
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
    int                 i, v4, rc;
    char               *p, *path, *qm, *name, *value;
    char                date[STS_RFC1123_LEN + 1];
    char                isodate[STS_ISO8601_BASIC_LEN + 1];
    long                presign;
    size_t              n;
    int64_t             now;
    sts_buf_t           out;
    sts_str_t           bucket, key;
    sts_header_t        h[STSCTL_MAX_HEADERS];
    stsctl_creds_t      c;
    sts_oss_conf_t      oc;
    sts_sign_creds_t    sc;
    sts_http_request_t  r;
    const sts_oss_error_t  *err;
    const char         *method, *host, *region, *fixed_bucket, *ctype, *md5;

    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    v4 = 0;
    presign = 0;
    host = "127.0.0.1";
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

        if (argv[i][0] != '-' || argv[i][1] != '-') {
            if (method == NULL) {
                method = argv[i];
            } else if (path == NULL) {
                path = argv[i];
            } else {
                return usage();
            }

            continue;
        }

        if (i + 1 >= argc) {
            return usage();
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
            return usage();
        }
    }

    if (method == NULL || path == NULL || path[0] != '/') {
        fprintf(stderr, "%s: METHOD and an absolute PATH (with its query, "
                "URL-encoded as it will be sent) are required\n", progname);
        return usage();
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

        printf("%.*s?%s\n", (int) r.raw_path.len, r.raw_path.data, out.data);

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

        for (i = 0; i < (int) n; i++) {
            printf("%.*s: %.*s\n", (int) h[i].name.len, h[i].name.data,
                   (int) h[i].value.len, h[i].value.data);
        }

        printf("Authorization: %s\n", out.data);
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
            return usage();
        }
    }

    if (arg == NULL) {
        return usage();
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


int
main(int argc, char **argv)
{
    if (argc < 2) {
        return usage();
    }

    if (strcmp(argv[1], "keygen") == 0) {
        return cmd_keygen(argc - 1, argv + 1);
    }

    if (strcmp(argv[1], "issue") == 0) {
        return cmd_issue(argc - 1, argv + 1);
    }

    if (strcmp(argv[1], "sign") == 0) {
        return cmd_sign(argc - 1, argv + 1);
    }

    if (strcmp(argv[1], "inspect") == 0) {
        return cmd_inspect(argc - 1, argv + 1);
    }

    if (strcmp(argv[1], "policy") == 0) {
        return stsctl_policy_main(argc - 1, argv + 1);
    }

    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage();
        return 0;
    }

    fprintf(stderr, "%s: unknown command \"%s\"\n", progname, argv[1]);

    return usage();
}
