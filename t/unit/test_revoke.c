/*
 * Copyright (C) nginx-sts authors
 *
 * Unit tests for sts_revoke: the rule syntax with its messages, each kind
 * of rule matching what it names and nothing else, the most specific
 * rule reported, repeated rules, the file checks, and a token sealed and
 * opened again being matched as the gateway matches it.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sts_revoke.h"
#include "tap.h"


#define ROLE   "acs:ram::1234567890123456:role/app-reader"
#define AKID   "STS.TestAccessKeyId0000000000000"

static const sts_allocator_t  *A = &sts_malloc_allocator;


static void
session_init(sts_session_t *s)
{
    memset(s, 0, sizeof(*s));
    s->version = 1;
    s->access_key_id = AKID;
    s->access_key_secret = "TestSecret0123456789abcdefghijklmnopqrstu";
    s->issued_at = 1715776245;               /* 2024-05-15T12:30:45Z */
    s->expiration = 1715776245 + 3600;
    s->account_id = "1234567890123456";
    s->role_arn = ROLE;
    s->role_id = "300800000000000001";
    s->session_name = "alice-phone";
    s->source_arn = "acs:ram::1234567890123456:user/appserver";
}


static sts_revoked_t *
list(const char *text, char *err, size_t err_len)
{
    sts_revoked_t  *rv;

    if (sts_revoked_parse(A, text, strlen(text), &rv, err, err_len)
        != STS_OK)
    {
        return NULL;
    }

    return rv;
}


/* the kind of the rule that revokes |s| under |text|, or -1 */
static int
kind_for(const char *text, const sts_session_t *s, size_t *line)
{
    int                  rc;
    char                 err[256];
    sts_revoked_t       *rv;
    sts_revoke_match_t   m;

    rv = list(text, err, sizeof(err));
    if (rv == NULL) {
        printf("# parse: %s\n", err);
        return -1;
    }

    rc = sts_revoked_check(rv, s, &m);
    sts_revoked_free(A, rv);

    if (line) {
        *line = m.line;
    }

    if (rc == STS_OK) {
        return m.kind == STS_REVOKE_NONE ? STS_REVOKE_NONE : -1;
    }

    return rc == STS_EDENIED ? (int) m.kind : -1;
}


static void
test_syntax(void)
{
    size_t          i;
    char            err[256];
    sts_revoked_t  *rv;

    static const struct {
        const char  *text;
        const char  *msg;
    } bad[] = {
        { "nope STS.abc\n", "line 1: unknown rule \"nope\"" },
        { "\n\nakid\n", "line 3: \"akid\" takes 1 value, not 0" },
        { "akid STS.a STS.b\n", "line 1: \"akid\" takes 1 value, not 2" },
        { "akid LTAI5tAppServer1\n", "line 1: \"LTAI5tAppServer1\" is not "
          "an STS AccessKeyId" },
        { "akid STS.\n", "is not an STS AccessKeyId" },
        { "akid STS.ab-c\n", "is not an STS AccessKeyId" },
        { "role acs:ram::12:user/x\n", "line 1: \"acs:ram::12:user/x\" is "
          "not a role ARN" },
        { "role acs:ram::12:role/\n", "is not a role ARN" },
        { "role acs:ram:::role/x\n", "is not a role ARN" },
        { "session " ROLE "\n", "line 1: \"session\" takes 2 values, not 1" },
        { "before " ROLE " yesterday\n", "line 1: \"yesterday\" is not a "
          "time" },
        { "before " ROLE " 2024-02-30T00:00:00Z\n", "is not a time" },
        { "before " ROLE " 99999999999999999999\n", "is not a time" },
        { "before " ROLE " 253402300800\n", "is not a time" },
        { "akid STS.abc\nrole " ROLE " x y z\n", "line 2: too many values" },
        { "akid STS.\xc3\xa9t\xc3\xa9\n", "line 1: byte 0xc3 is not "
          "allowed" },
        { "akid STS.abc\x01\n", "byte 0x01 is not allowed" },
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        rv = list(bad[i].text, err, sizeof(err));
        ok(rv == NULL && strstr(err, bad[i].msg) != NULL,
           "refused with \"%s\": %s", bad[i].msg, err);
        sts_revoked_free(A, rv);
    }

    /* a NUL byte inside a line */
    {
        static const char  nul[] = "akid STS.abc\0def\n";

        rv = NULL;
        ok(sts_revoked_parse(A, nul, sizeof(nul) - 1, &rv, err, sizeof(err))
           == STS_EINVAL && strstr(err, "line 1: byte 0x00") != NULL,
           "NUL byte refused: %s", err);
        sts_revoked_free(A, rv);
    }

    rv = list("", err, sizeof(err));
    ok(rv != NULL && sts_revoked_count(rv) == 0, "empty list is valid");
    sts_revoked_free(A, rv);

    rv = list("# nothing revoked yet\n\n   \n\t# indented comment\r\n", err,
              sizeof(err));
    ok(rv != NULL && sts_revoked_count(rv) == 0, "comments and blanks only");
    sts_revoked_free(A, rv);

    rv = list("akid STS.abc\r\n"
              "role  " ROLE "   # the whole role\n"
              "session\t" ROLE "\talice-phone\n"
              "before " ROLE " 2024-05-15T12:30:45Z\n"
              "before " ROLE " 1715776245\n"
              "akid STS.abc\n"
              "akid STS.abd",                  /* no final newline */
              err, sizeof(err));
    ok(rv != NULL, "CRLF, tabs, comments, no final newline: %s",
       rv ? "" : err);
    is_int(sts_revoked_count(rv), 5, "repeated rules kept once");
    sts_revoked_free(A, rv);

    ok(sts_revoked_count(NULL) == 0, "count of NULL");
    sts_revoked_free(A, NULL);
}


static void
test_match(void)
{
    int                  rc;
    char                 buf[256];
    size_t               line, n;
    sts_session_t        s, other;
    sts_revoke_match_t   m;

    session_init(&s);
    session_init(&other);
    other.access_key_id = "STS.SomeoneElse0000000000000000";
    other.role_arn = "acs:ram::1234567890123456:role/app-writer";
    other.session_name = "bob";

    /* no list, empty list */
    rc = sts_revoked_check(NULL, &s, &m);
    ok(rc == STS_OK && m.kind == STS_REVOKE_NONE, "no list: not revoked");
    is_int(kind_for("", &s, NULL), STS_REVOKE_NONE, "empty list");

    /* akid */
    is_int(kind_for("akid " AKID "\n", &s, &line), STS_REVOKE_AKID,
           "akid rule revokes its token");
    is_int(line, 1, "akid rule on line 1");
    is_int(kind_for("akid " AKID "\n", &other, NULL), STS_REVOKE_NONE,
           "akid rule spares another token");
    is_int(kind_for("akid STS.testaccesskeyid0000000000000\n", &s, NULL),
           STS_REVOKE_NONE, "AccessKeyIds are compared exactly");
    is_int(kind_for("akid STS.TestAccessKeyId000000000000\n", &s, NULL),
           STS_REVOKE_NONE, "a prefix of the AccessKeyId is not it");

    /* role, ignoring the case of the role name */
    is_int(kind_for("role " ROLE "\n", &s, NULL), STS_REVOKE_ROLE,
           "role rule revokes the role's tokens");
    is_int(kind_for("role acs:ram::1234567890123456:role/App-Reader\n", &s,
                    NULL),
           STS_REVOKE_ROLE, "role names ignore case (rule)");
    s.role_arn = "acs:ram::1234567890123456:role/APP-READER";
    is_int(kind_for("role " ROLE "\n", &s, NULL), STS_REVOKE_ROLE,
           "role names ignore case (token)");
    s.role_arn = ROLE;
    is_int(kind_for("role " ROLE "\n", &other, NULL), STS_REVOKE_NONE,
           "role rule spares another role");
    is_int(kind_for("role acs:ram::1234567890123457:role/app-reader\n", &s,
                    NULL),
           STS_REVOKE_NONE, "same role name in another account is spared");
    is_int(kind_for("role acs:ram::1234567890123456:role/app\n", &s, NULL),
           STS_REVOKE_NONE, "a prefix of the role name is not it");

    /* session */
    is_int(kind_for("session " ROLE " alice-phone\n", &s, NULL),
           STS_REVOKE_SESSION, "session rule revokes that session");
    is_int(kind_for("session " ROLE " alice-laptop\n", &s, NULL),
           STS_REVOKE_NONE, "session rule spares another session");
    is_int(kind_for("session " ROLE " Alice-Phone\n", &s, NULL),
           STS_REVOKE_NONE, "session names are compared exactly");
    is_int(kind_for("session acs:ram::1234567890123456:role/app-writer "
                    "alice-phone\n", &s, NULL),
           STS_REVOKE_NONE, "same session name of another role is spared");

    /* before: issued strictly before T */
    is_int(kind_for("before " ROLE " 2024-05-15T12:30:46Z\n", &s, NULL),
           STS_REVOKE_BEFORE, "issued one second before T: revoked");
    is_int(kind_for("before " ROLE " 2024-05-15T12:30:45Z\n", &s, NULL),
           STS_REVOKE_NONE, "issued at T: valid");
    is_int(kind_for("before " ROLE " 1715776246\n", &s, NULL),
           STS_REVOKE_BEFORE, "Unix time form");
    is_int(kind_for("before " ROLE " 20240515T123046Z\n", &s, NULL),
           STS_REVOKE_BEFORE, "ISO 8601 basic form");
    is_int(kind_for("before " ROLE " 1715776240\n"
                    "before " ROLE " 1715776246\n"
                    "before " ROLE " 1715776200\n", &s, &line),
           STS_REVOKE_BEFORE, "several times for a role: the latest counts");
    is_int(line, 2, "... and its line is reported");
    is_int(kind_for("before " ROLE " 1715776246\n", &other, NULL),
           STS_REVOKE_NONE, "before rule spares another role");

    /* the most specific rule is the one reported */
    is_int(kind_for("before " ROLE " 1715776246\n"
                    "role " ROLE "\n"
                    "session " ROLE " alice-phone\n"
                    "akid " AKID "\n", &s, &line),
           STS_REVOKE_AKID, "akid wins over the others");
    is_int(line, 4, "... on its line");
    is_int(kind_for("before " ROLE " 1715776246\n"
                    "role " ROLE "\n"
                    "session " ROLE " alice-phone\n", &s, NULL),
           STS_REVOKE_SESSION, "then session");
    is_int(kind_for("before " ROLE " 1715776246\n"
                    "role " ROLE "\n", &s, NULL),
           STS_REVOKE_ROLE, "then role");

    /* a repeated rule keeps its first line */
    is_int(kind_for("role " ROLE "\n# x\nrole " ROLE "\n", &s, &line),
           STS_REVOKE_ROLE, "repeated rule");
    is_int(line, 1, "... reported at its first line");

    /* a token whose role is not a role ARN matches no role rule */
    other.role_arn = "not-an-arn";
    is_int(kind_for("role " ROLE "\nakid STS.xyz\n", &other, NULL),
           STS_REVOKE_NONE, "token with an odd role ARN, no match");

    /* describe */
    {
        char                 err[256];
        sts_revoked_t       *rv;

        rv = list("\nbefore " ROLE " 1715776246\n", err, sizeof(err));
        rc = sts_revoked_check(rv, &s, &m);
        n = sts_revoke_describe(&m, &s, buf, sizeof(buf));
        is_str(buf, "line 2: before " ROLE " 2024-05-15T12:30:46Z",
               "describe before");
        is_int(n, strlen(buf), "describe returns the length");
        sts_revoked_free(A, rv);

        rv = list("akid " AKID "\n", err, sizeof(err));
        rc = sts_revoked_check(rv, &s, &m);
        (void) sts_revoke_describe(&m, &s, buf, sizeof(buf));
        is_str(buf, "line 1: akid " AKID, "describe akid");
        ok(strstr(buf, s.access_key_secret) == NULL, "no secret in it");
        n = sts_revoke_describe(&m, &s, buf, 8);
        ok(n == 7 && strlen(buf) == 7, "describe cut to the buffer");
        sts_revoked_free(A, rv);

        rv = list("session " ROLE " alice-phone\n", err, sizeof(err));
        rc = sts_revoked_check(rv, &s, &m);
        (void) sts_revoke_describe(&m, &s, buf, sizeof(buf));
        is_str(buf, "line 1: session " ROLE " alice-phone",
               "describe session");
        sts_revoked_free(A, rv);
        (void) rc;
    }
}


static void
test_many(void)
{
    int              rc;
    char             err[256], *text, *p;
    size_t           i, n;
    sts_session_t    s;
    sts_revoked_t   *rv;
    sts_revoke_match_t  m;

    /* 20000 rules in scrambled order: lookups still exact */
    n = 20000;
    text = malloc(n * 64);
    if (text == NULL) {
        ok(0, "malloc");
        return;
    }

    p = text;
    for (i = 0; i < n; i++) {
        p += sprintf(p, "akid STS.K%07zu\n", (i * 7919) % n);
    }

    rc = sts_revoked_parse(A, text, (size_t) (p - text), &rv, err,
                           sizeof(err));
    ok(rc == STS_OK && sts_revoked_count(rv) == n, "%zu rules", n);

    session_init(&s);
    s.access_key_id = "STS.K0012345";
    ok(sts_revoked_check(rv, &s, &m) == STS_EDENIED
       && m.kind == STS_REVOKE_AKID, "one of them found");
    s.access_key_id = "STS.K0020000";
    ok(sts_revoked_check(rv, &s, &m) == STS_OK, "one more is not there");
    s.access_key_id = "STS.K0000000";
    ok(sts_revoked_check(rv, &s, &m) == STS_EDENIED, "the first");
    s.access_key_id = "STS.K0019999";
    ok(sts_revoked_check(rv, &s, &m) == STS_EDENIED, "the last");
    sts_revoked_free(A, rv);
    free(text);
}


static void
test_load(void)
{
    int             rc, fd;
    char            err[512], path[] = "/tmp/sts-rv-XXXXXX";
    sts_revoked_t  *rv;

    static const char  text[] = "# revoked\n\nakid STS.abc\nrole x\n";

    fd = mkstemp(path);
    if (fd == -1 || write(fd, text, sizeof(text) - 1) < 0) {
        ok(0, "temporary file");
        return;
    }

    close(fd);

    rc = sts_revoked_load(A, path, &rv, err, sizeof(err));
    ok(rc == STS_EINVAL && strstr(err, path) != NULL
       && strstr(err, "line 4: \"x\" is not a role ARN") != NULL,
       "load names the file and the line: %s", err);

    chmod(path, 0646);
    rc = sts_revoked_load(A, path, &rv, err, sizeof(err));
    ok(rc == STS_EPERM && strstr(err, "writable by others") != NULL,
       "a file others may write is refused: %s", err);

    chmod(path, 0644);
    fd = open(path, O_WRONLY | O_TRUNC);
    if (fd != -1) {
        if (write(fd, "akid STS.abc\n", 13) != 13) {
            ok(0, "write");
        }

        close(fd);
    }

    rc = sts_revoked_load(A, path, &rv, err, sizeof(err));
    ok(rc == STS_OK && sts_revoked_count(rv) == 1,
       "a readable file loads");
    sts_revoked_free(A, rv);
    unlink(path);

    rc = sts_revoked_load(A, path, &rv, err, sizeof(err));
    ok(rc == STS_EIO && strstr(err, "cannot open") != NULL,
       "missing file: %s", err);

    rc = sts_revoked_load(A, "/tmp", &rv, err, sizeof(err));
    ok(rc == STS_EIO && strstr(err, "not a regular file") != NULL,
       "directory: %s", err);
}


/* a real token, sealed and opened, is matched like the gateway does */
static void
test_token(void)
{
    int                  rc;
    char                *tok, err[256];
    size_t               tok_len;
    sts_session_t        s, *opened;
    sts_keyring_t       *kr;
    sts_revoked_t       *rv;
    sts_revoke_match_t   m;

    static const char  keys[] =
        "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";

    if (sts_keyring_parse(A, keys, sizeof(keys) - 1, &kr, err, sizeof(err))
        != STS_OK)
    {
        ok(0, "keyring: %s", err);
        return;
    }

    session_init(&s);
    s.role_policies = NULL;
    s.num_role_policies = 0;

    rc = sts_token_seal(A, kr, &s, &tok, &tok_len);
    ok(rc == STS_OK, "sealed");

    opened = NULL;
    if (rc == STS_OK) {
        rc = sts_token_open(A, kr, tok, tok_len, s.issued_at + 10, &opened);
        sts_free(A, tok);
    }

    ok(rc == STS_OK && opened != NULL, "opened");

    rv = list("session " ROLE " alice-phone\n", err, sizeof(err));
    ok(opened != NULL && sts_revoked_check(rv, opened, &m) == STS_EDENIED,
       "the opened token's session is revoked");
    sts_revoked_free(A, rv);

    rv = list("before " ROLE " 2024-05-15T12:30:45Z\n", err, sizeof(err));
    ok(opened != NULL && sts_revoked_check(rv, opened, &m) == STS_OK,
       "issued-at survives sealing (issued at T: valid)");
    sts_revoked_free(A, rv);

    sts_session_free(A, opened);
    sts_keyring_free(A, kr);
}


int
main(void)
{
    test_syntax();
    test_match();
    test_many();
    test_load();
    test_token();

    return tap_done();
}
