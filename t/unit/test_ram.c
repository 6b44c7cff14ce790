/*
 * Copyright (C) nginx-sts authors
 *
 * test_ram: the RAM directory (loading, validation messages that name
 * the entry, lookups, system policies, derived ids), the AssumeRole
 * decision in every branch, and whole STS API requests through sts_ram_rpc
 * (signatures, nonces, STS callers, errors, JSON and XML, the issuance
 * limit hook, sts_revoked).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tap.h"
#include "sts_ram.h"
#include "sts_rpc.h"


/* the case tables below leave trailing fields out: they are NULL */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif


#define NOW  1715776245         /* 2024-05-15T12:30:45Z */
#define K1   "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"


static const sts_allocator_t  *A = &sts_malloc_allocator;


static sts_str_t
S(const char *s)
{
    sts_str_t  r;

    r.data = s;
    r.len = s ? strlen(s) : 0;

    return r;
}


/* JSON written with ' for ", so that it reads in C */
static char *
J(const char *s)
{
    char    *p;
    size_t   i;

    p = strdup(s);
    for (i = 0; p[i]; i++) {
        if (p[i] == '\'') {
            p[i] = '"';
        }
    }

    return p;
}


#define TRUST(who)                                                          \
    "{'Statement':[{'Action':'sts:AssumeRole','Effect':'Allow',"            \
    "'Principal':{'RAM':['" who "']}}],'Version':'1'}"

static const char  directory[] =
    "{'Accounts':["
    "{'AccountId':'11223344','Alias':'example',"
    " 'AccessKeys':[{'AccessKeyId':'LTAIroot11223344',"
    "   'AccessKeySecret':'RootSecret11223344xxxx'}],"
    " 'Policies':["
    "  {'PolicyName':'no-assume-admin','PolicyDocument':{'Version':'1',"
    "   'Statement':[{'Effect':'Deny','Action':'sts:AssumeRole',"
    "   'Resource':'acs:ram::11223344:role/admin'}]}},"
    "  {'PolicyName':'assume-and-read','PolicyDocument':"
    "   '{\\'Version\\':\\'1\\',\\'Statement\\':[{\\'Effect\\':\\'Allow\\',"
    "\\'Action\\':[\\'sts:AssumeRole\\',\\'oss:Get*\\'],"
    "\\'Resource\\':\\'*\\'}]}'}],"
    " 'Users':["
    "  {'UserName':'appserver','AccessKeys':["
    "   {'AccessKeyId':'LTAIappserver0001',"
    "    'AccessKeySecret':'AppServerSecret000000001'},"
    "   {'AccessKeyId':'LTAIappserverOld1',"
    "    'AccessKeySecret':'AppServerSecret000000002','Status':'Inactive'}],"
    "   'AttachedPolicies':['AliyunSTSAssumeRoleAccess','no-assume-admin']},"
    "  {'UserName':'reader','UserId':'200000000000000042','AccessKeys':["
    "   {'AccessKeyId':'LTAIreader000001',"
    "    'AccessKeySecret':'ReaderSecret000000000001'}],"
    "   'AttachedPolicies':['AliyunOSSReadOnlyAccess']},"
    "  {'UserName':'ops','AccessKeys':["
    "   {'AccessKeyId':'LTAIops000000001',"
    "    'AccessKeySecret':'OpsSecret00000000000001'}],"
    "   'AttachedPolicies':['assume-and-read']}],"
    " 'Roles':["
    "  {'RoleName':'oss-readonly','AssumeRolePolicyDocument':"
    TRUST("acs:ram::11223344:root") ","
    "   'AttachedPolicies':['AliyunOSSReadOnlyAccess']},"
    "  {'RoleName':'Uploader','RoleId':'300000000000000007',"
    "   'MaxSessionDuration':43200,'AssumeRolePolicyDocument':"
    TRUST("acs:ram::11223344:user/appserver") ","
    "   'AttachedPolicies':['AliyunOSSFullAccess']},"
    "  {'RoleName':'admin','AssumeRolePolicyDocument':"
    TRUST("acs:ram::11223344:root") ","
    "   'AttachedPolicies':['AliyunOSSFullAccess']},"
    "  {'RoleName':'partner','AssumeRolePolicyDocument':"
    "   {'Statement':[{'Action':'sts:AssumeRole','Effect':'Allow',"
    "    'Principal':{'RAM':['acs:ram::99887766:root']},"
    "    'Condition':{'StringEquals':{'sts:ExternalId':'abcd-1234'}}}],"
    "    'Version':'1'},"
    "   'AttachedPolicies':['AliyunOSSReadOnlyAccess']},"
    "  {'RoleName':'chainer','AssumeRolePolicyDocument':"
    TRUST("acs:ram::11223344:root") ","
    "   'AttachedPolicies':['AliyunSTSAssumeRoleAccess']},"
    "  {'RoleName':'chained','AssumeRolePolicyDocument':"
    TRUST("acs:ram::11223344:role/chainer") ","
    "   'AttachedPolicies':['AliyunOSSReadOnlyAccess']},"
    "  {'RoleName':'nobody','AssumeRolePolicyDocument':"
    TRUST("acs:ram::55555555:root") "}]},"
    "{'AccountId':'99887766','Users':["
    " {'UserName':'partner','AccessKeys':["
    "  {'AccessKeyId':'LTAIpartner00001',"
    "   'AccessKeySecret':'PartnerSecret0000000001'}],"
    "  'AttachedPolicies':['AliyunSTSAssumeRoleAccess']}]}"
    "]}";


static sts_ram_t *
load_dir(const char *quoted, char *err, size_t err_len)
{
    int         rc;
    char       *json;
    sts_ram_t  *ram;

    json = J(quoted);
    rc = sts_ram_parse(A, json, strlen(json), &ram, err, err_len);
    free(json);

    return rc == STS_OK ? ram : NULL;
}


static void
test_load(void)
{
    int                  rc;
    char                 err[STS_RAM_ERR_LEN];
    size_t               na, nu, nr, nk;
    sts_ram_t           *ram, *again;
    sts_ram_role_t       role, r2;
    sts_ram_principal_t  p;
    const sts_policy_t *const  *pol;
    size_t                      npol;

    ram = load_dir(directory, err, sizeof(err));
    if (!ok(ram != NULL, "the test directory loads")) {
        printf("#   %s\n", err);
        return;
    }

    sts_ram_counts(ram, &na, &nu, &nr, &nk);
    ok(na == 2 && nu == 4 && nr == 7 && nk == 6,
       "2 accounts, 4 users, 7 roles, 6 keys (%zu %zu %zu %zu)", na, nu, nr,
       nk);

    rc = sts_ram_find_access_key(ram, S("LTAIappserver0001"), &p);
    is_int(rc, STS_OK, "appserver's key is found");
    ok(p.kind == STS_RAM_USER && strcmp(p.user_name, "appserver") == 0
       && strcmp(p.account_id, "11223344") == 0 && p.active,
       "it is appserver's, active");
    is_str(p.arn, "acs:ram::11223344:user/appserver", "user ARN");
    ok(sts_str_eq(p.secret, "AppServerSecret000000001"), "its secret");
    is_int(p.num_policies, 2, "two attached policies");
    ok(strlen(p.user_id) == 18 && p.user_id[0] == '2',
       "a derived UserId %s", p.user_id);

    rc = sts_ram_find_access_key(ram, S("LTAIappserverOld1"), &p);
    ok(rc == STS_EDENIED && !p.active && p.arn != NULL,
       "an Inactive key is reported, filled, and refused");

    rc = sts_ram_find_access_key(ram, S("LTAIroot11223344"), &p);
    ok(rc == STS_OK && p.kind == STS_RAM_ROOT && p.user_name == NULL
       && p.num_policies == 0, "a root key");
    is_str(p.arn, "acs:ram::11223344:root", "root ARN");

    rc = sts_ram_find_access_key(ram, S("LTAIreader000001"), &p);
    is_str(p.user_id, "200000000000000042", "an explicit UserId");

    rc = sts_ram_find_access_key(ram, S("LTAInobody"), &p);
    is_int(rc, STS_ENOTFOUND, "an unknown key");
    rc = sts_ram_find_access_key(ram, S("LTAIappserver000"), &p);
    is_int(rc, STS_ENOTFOUND, "a prefix of a key is not the key");
    rc = sts_ram_find_access_key(ram, S(""), &p);
    is_int(rc, STS_ENOTFOUND, "an empty key");

    rc = sts_ram_find_role(ram, S("acs:ram::11223344:role/OSS-ReadOnly"),
                           &role);
    is_int(rc, STS_OK, "a role by ARN, any case");
    is_str(role.arn, "acs:ram::11223344:role/oss-readonly",
           "its ARN has the lower-case name");
    is_str(role.name, "oss-readonly", "and its name as written");
    ok(strlen(role.role_id) == 19 && role.role_id[0] == '3',
       "a derived RoleId %s", role.role_id);
    is_int(role.max_session_duration, 3600, "default MaxSessionDuration");
    ok(role.num_policies == 1
       && strcmp(role.policy_names[0], "AliyunOSSReadOnlyAccess") == 0,
       "AliyunOSSReadOnlyAccess attached");
    is_str(role.policy_texts[0],
           "{\"Statement\":[{\"Action\":[\"oss:Get*\",\"oss:List*\"],"
           "\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"1\"}",
           "its documented content");

    rc = sts_ram_find_role(ram, S("acs:ram::11223344:role/uploader"), &role);
    ok(rc == STS_OK && strcmp(role.role_id, "300000000000000007") == 0
       && role.max_session_duration == 43200
       && strcmp(role.arn, "acs:ram::11223344:role/uploader") == 0
       && strcmp(role.name, "Uploader") == 0,
       "an explicit RoleId and MaxSessionDuration");

    rc = sts_ram_find_role(ram, S("acs:ram::99887766:role/oss-readonly"),
                           &role);
    is_int(rc, STS_ENOTFOUND, "roles belong to their account");
    rc = sts_ram_find_role(ram, S("acs:ram::11223344:user/appserver"),
                           &role);
    is_int(rc, STS_EINVAL, "a user ARN is not a role ARN");

    rc = sts_ram_role_policies(ram, S("acs:ram::11223344:role/admin"), &pol,
                               &npol);
    ok(rc == STS_OK && npol == 1 && pol[0] != NULL,
       "live role policies for the gateway");
    rc = sts_ram_role_policies(ram, S("acs:ram::11223344:role/gone"), &pol,
                               &npol);
    ok(rc == STS_ENOTFOUND && npol == 0, "a removed role has none");

    /* ids are stable from one load to the next */
    again = load_dir(directory, err, sizeof(err));
    rc = sts_ram_find_role(ram, S("acs:ram::11223344:role/admin"), &role);
    rc |= sts_ram_find_role(again, S("acs:ram::11223344:role/admin"), &r2);
    ok(rc == STS_OK && strcmp(role.role_id, r2.role_id) == 0,
       "derived RoleIds are stable across loads");
    sts_ram_free(A, again);

    sts_ram_free(A, ram);
    sts_ram_free(A, NULL);
}


static void
test_example(void)
{
    int                  rc;
    char                 err[STS_RAM_ERR_LEN];
    char                *text;
    long                 n;
    FILE                *f;
    sts_ram_t           *ram;
    sts_ram_role_t       role;
    sts_ram_principal_t  p;

    f = fopen("conf/directory.example.json", "rb");
    if (!ok(f != NULL, "conf/directory.example.json is there")) {
        return;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc((size_t) n + 1);
    n = (long) fread(text, 1, (size_t) n, f);
    fclose(f);

    rc = sts_ram_parse(A, text, (size_t) n, &ram, err, sizeof(err));
    free(text);

    if (!ok(rc == STS_OK, "the example directory loads")) {
        printf("#   %s\n", err);
        return;
    }

    rc = sts_ram_find_access_key(ram, S("LTAI5tExampleAppServer1"), &p);
    ok(rc == STS_OK && strcmp(p.user_name, "appserver") == 0,
       "the example's appserver");
    rc = sts_ram_find_role(ram, S("acs:ram::11223344:role/oss-readonly"),
                           &role);
    is_int(rc, STS_OK, "the example's oss-readonly role");

    sts_ram_free(A, ram);
}


static void
test_errors(void)
{
    size_t      i;
    char        err[STS_RAM_ERR_LEN];
    sts_ram_t  *ram;

    static const struct {
        const char  *json;
        const char  *expect;
    } cases[] = {
        { "{'Accounts': [", "line 1" },
        { "[]", "must be an object" },
        { "{}", "\"Accounts\" is required" },
        { "{'Accounts':[], 'Users':[]}", "unknown member \"Users\"" },
        { "{'Accounts':{}}", "\"Accounts\" must be an array" },
        { "{'Accounts':[{'AccountId':'11223344','Owner':'x'}]}",
          "Accounts[0](11223344): unknown member \"Owner\"" },
        { "{'Accounts':[{}]}", "Accounts[0]: \"AccountId\" is required" },
        { "{'Accounts':[{'AccountId':'11-22'}]}",
          "Accounts[0]: \"AccountId\" must be digits" },
        { "{'Accounts':[{'AccountId':1122}]}",
          "\"AccountId\" must be a string" },
        { "{'Accounts':[{'AccountId':'1'},{'AccountId':'1'}]}",
          "Accounts[1](1): AccountId is also Accounts[0]'s" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u',"
          "'AccessKeys':[{'AccessKeyId':'LTAIkey00001',"
          "'AccessKeySecret':'0123456789abcdef','Status':'Enabled'}]}]}]}",
          "Accounts[0](1).Users[0](u).AccessKeys[0](LTAIkey00001): "
          "\"Status\" must be \"Active\" or \"Inactive\"" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u',"
          "'AccessKeys':[{'AccessKeyId':'LTAIkey00001',"
          "'AccessKeySecret':'short'}]}]}]}",
          "Accounts[0](1).Users[0](u).AccessKeys[0](LTAIkey00001): "
          "\"AccessKeySecret\" must be 16 to 256 characters" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u',"
          "'AccessKeys':[{'AccessKeyId':'STS.key00001',"
          "'AccessKeySecret':'0123456789abcdef'}]}]}]}",
          "AccessKeys[0]: \"AccessKeyId\" must be [A-Za-z0-9]" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u',"
          "'AccessKeys':[{'AccessKeyId':'LTAIkey00001',"
          "'AccessKeySecret':'0123456789abcdef'},{'AccessKeyId':"
          "'LTAIkey00002','AccessKeySecret':'0123456789abcdef'},"
          "{'AccessKeyId':'LTAIkey00003','AccessKeySecret':"
          "'0123456789abcdef'}]}]}]}",
          "Accounts[0](1).Users[0](u): \"AccessKeys\" has more than 2" },
        { "{'Accounts':[{'AccountId':'1','AccessKeys':[{'AccessKeyId':"
          "'LTAIkey00001','AccessKeySecret':'0123456789abcdef'}]},"
          "{'AccountId':'2','Users':[{'UserName':'u','AccessKeys':["
          "{'AccessKeyId':'LTAIkey00001','AccessKeySecret':"
          "'0123456789abcdefg'}]}]}]}",
          "AccessKeyId \"LTAIkey00001\" is given twice (account 1, root; "
          "account 2, user u)" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u',"
          "'AttachedPolicies':['AliyunOSSWriteAccess']}]}]}",
          "Accounts[0](1).Users[0](u).AttachedPolicies[0]: no custom or "
          "system policy named \"AliyunOSSWriteAccess\"" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u',"
          "'AttachedPolicies':['AliyunOSSFullAccess',"
          "'AliyunOSSFullAccess']}]}]}",
          "AttachedPolicies[1]: \"AliyunOSSFullAccess\" is attached twice" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'u'},"
          "{'UserName':'U'}]}]}",
          "Accounts[0](1).Users: UserName \"U\" is given twice" },
        { "{'Accounts':[{'AccountId':'1','Users':[{'UserName':'a b'}]}]}",
          "Accounts[0](1).Users[0]: \"UserName\" must be [A-Za-z0-9._@-]" },
        { "{'Accounts':[{'AccountId':'1','Policies':[{'PolicyName':"
          "'aliyunossfullaccess','PolicyDocument':{}}]}]}",
          "Accounts[0](1).Policies[0]: \"aliyunossfullaccess\" is the name "
          "of a system policy" },
        { "{'Accounts':[{'AccountId':'1','Policies':[{'PolicyName':'p',"
          "'PolicyDocument':{'Version':'1','Statement':[{'Effect':"
          "'Allow','Action':'oss:*'}]}}]}]}",
          "Accounts[0](1).Policies[0](p).PolicyDocument: " },
        { "{'Accounts':[{'AccountId':'1','Policies':[{'PolicyName':'p',"
          "'PolicyDocument':'{not json'}]}]}",
          "Accounts[0](1).Policies[0](p).PolicyDocument: not a JSON "
          "document" },
        { "{'Accounts':[{'AccountId':'1','Roles':[{'RoleName':'r',"
          "'AssumeRolePolicyDocument':" TRUST("acs:ram::1:root") ","
          "'MaxSessionDuration':900}]}]}",
          "Accounts[0](1).Roles[0](r): \"MaxSessionDuration\" must be an "
          "integer from 3600 to 43200" },
        { "{'Accounts':[{'AccountId':'1','Roles':[{'RoleName':'r'}]}]}",
          "Accounts[0](1).Roles[0](r): \"AssumeRolePolicyDocument\" is "
          "required" },
        { "{'Accounts':[{'AccountId':'1','Roles':[{'RoleName':'r',"
          "'AssumeRolePolicyDocument':{'Version':'1','Statement':["
          "{'Effect':'Allow','Action':'oss:*','Resource':'*'}]}}]}]}",
          "Accounts[0](1).Roles[0](r).AssumeRolePolicyDocument: " },
        { "{'Accounts':[{'AccountId':'1','Roles':[{'RoleName':'r_1',"
          "'AssumeRolePolicyDocument':" TRUST("acs:ram::1:root") "}]}]}",
          "Accounts[0](1).Roles[0]: \"RoleName\" must be [A-Za-z0-9.-]" },
        { "{'Accounts':[{'AccountId':'1','Roles':[{'RoleName':'r',"
          "'AssumeRolePolicyDocument':" TRUST("acs:ram::1:root") "},"
          "{'RoleName':'R','AssumeRolePolicyDocument':"
          TRUST("acs:ram::1:root") "}]}]}",
          "Accounts[0](1).Roles: RoleName \"R\" is given twice" },
        { "{'Accounts':[{'AccountId':'1','Roles':[{'RoleName':'r',"
          "'Arn':'x','AssumeRolePolicyDocument':" TRUST("acs:ram::1:root")
          "}]}]}",
          "Accounts[0](1).Roles[0](r): unknown member \"Arn\"" },
        { NULL, NULL }
    };

    for (i = 0; cases[i].json != NULL; i++) {
        err[0] = '\0';
        ram = load_dir(cases[i].json, err, sizeof(err));
        ok(ram == NULL && strstr(err, cases[i].expect) != NULL,
           "refused: %s", err);
        if (strstr(err, cases[i].expect) == NULL) {
            printf("#   expected: %s\n", cases[i].expect);
        }

        sts_ram_free(A, ram);
    }

    /* attached policies too large for a token */
    {
        char    *big, *p;
        size_t   k;

        big = malloc(32768);
        p = big;
        p += sprintf(p, "{'Accounts':[{'AccountId':'1','Policies':["
                     "{'PolicyName':'big','PolicyDocument':{'Version':'1',"
                     "'Statement':[{'Effect':'Allow','Action':'oss:*',"
                     "'Resource':[");
        for (k = 0; k < 250; k++) {
            p += sprintf(p, "%s'acs:oss:*:*:a-longer-bucket-%03zu/*'",
                         k ? "," : "", k);
        }

        sprintf(p, "]}]}}],'Roles':[{'RoleName':'r',"
                "'AssumeRolePolicyDocument':" TRUST("acs:ram::1:root") ","
                "'AttachedPolicies':['big']}]}]}");

        ram = load_dir(big, err, sizeof(err));
        ok(ram == NULL && strstr(err, "Accounts[0](1).Roles[0](r): the "
                                 "attached policies are") != NULL,
           "refused: %s", err);
        free(big);
    }

    /* the file itself */
    {
        int   rc, fd;
        char  path[] = "/tmp/sts-ram-XXXXXX";
        char *json;

        fd = mkstemp(path);
        json = J(directory);
        if (write(fd, json, strlen(json)) < 0) {
            printf("# write failed\n");
        }

        close(fd);
        free(json);

        chmod(path, 0644);
        rc = sts_ram_load(A, path, &ram, err, sizeof(err));
        ok(rc == STS_EPERM && strstr(err, "chmod 600") != NULL,
           "a world-readable directory is refused: %s", err);

        chmod(path, 0600);
        rc = sts_ram_load(A, path, &ram, err, sizeof(err));
        is_int(rc, STS_OK, "mode 600 loads");
        sts_ram_free(A, ram);

        unlink(path);
        rc = sts_ram_load(A, path, &ram, err, sizeof(err));
        ok(rc == STS_EIO && strstr(err, path) != NULL,
           "a missing file is named: %s", err);

        rc = sts_ram_load(A, "/tmp", &ram, err, sizeof(err));
        ok(rc == STS_EIO, "a directory is not a file");
    }
}


static void
test_role_arn(void)
{
    size_t  i;
    char    out[STS_RAM_ARN_MAX];

    static const char  *good[] = {
        "acs:ram::11223344:role/oss-readonly",
        "acs:ram::1:role/A.b-C",
        NULL
    };

    static const char  *bad[] = {
        "", "acs:ram::11223344:role/", "acs:ram::11223344:user/u",
        "acs:ram::x1:role/r", "acs:ram:cn-hangzhou:1:role/r",
        "acs:ram::1:role/a/b", "acs:ram::1:role/a b", "arn:aws:iam::1:role/r",
        "acs:ram:::role/r", "acs:ram::1:role/r_1",
        NULL
    };

    for (i = 0; good[i]; i++) {
        ok(sts_ram_parse_role_arn(S(good[i]), out) == STS_OK,
           "role ARN %s", good[i]);
    }

    ok(sts_ram_parse_role_arn(S("acs:ram::1:role/A.b-C"), out) == STS_OK
       && strcmp(out, "acs:ram::1:role/a.b-c") == 0, "normalised %s", out);

    for (i = 0; bad[i]; i++) {
        ok(sts_ram_parse_role_arn(S(bad[i]), out) == STS_EINVAL,
           "not a role ARN: \"%s\"", bad[i]);
    }
}


/* AssumeRole decisions */

typedef struct {
    const char  *key;
    const char  *arn;
    const char  *name;
    const char  *policy;
    const char  *duration;
    const char  *external_id;
    const char  *source_identity;
} call_t;


static int
assume(sts_ram_t *ram, const call_t *c, sts_session_t **s,
    const sts_pop_error_t **err, char *why, size_t why_len)
{
    int                  rc;
    sts_ram_caller_t     caller;
    sts_ram_assume_t     req;
    sts_ram_principal_t  p;

    *s = NULL;

    rc = sts_ram_find_access_key(ram, S(c->key), &p);
    if (rc != STS_OK) {
        return -100;
    }

    sts_ram_caller_from_key(&caller, &p);

    memset(&req, 0, sizeof(req));
    req.role_arn = S(c->arn);
    req.session_name = S(c->name ? c->name : "alice");
    req.policy = S(c->policy);
    req.duration = S(c->duration);
    req.external_id = S(c->external_id);
    req.source_identity = S(c->source_identity);
    req.now = NOW;

    rc = sts_ram_assume_role(A, ram, &caller, &req, s, err, why, why_len);

    sts_ram_caller_release(A, &caller);

    return rc;
}


static void
test_assume(void)
{
    int                     rc;
    char                    err[STS_RAM_ERR_LEN], why[256];
    char                    policy[2100];
    size_t                  i;
    sts_ram_t              *ram;
    sts_session_t          *s;
    const sts_pop_error_t  *e;

    static const char  seeds_policy[] =
        "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
        "[\"oss:GetObject\"],\"Resource\":[\"acs:oss:*:*:sample-bucket/"
        "2015/01/01/*.jpg\"]}]}";

    static const struct {
        call_t                   c;
        int                      rc;
        const sts_pop_error_t   *err;
        const char              *title;
    } cases[] = {
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly" },
          STS_OK, NULL, "appserver assumes oss-readonly" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/OSS-READONLY" },
          STS_OK, NULL, "role names compare ignoring case" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/uploader", "s1",
            NULL, "43200" },
          STS_OK, NULL, "the user a trust policy names, 12 hours" },
        { { "LTAIops000000001", "acs:ram::11223344:role/uploader" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "a user the trust policy does not name" },
        { { "LTAIops000000001", "acs:ram::11223344:role/oss-readonly" },
          STS_OK, NULL, "a custom policy allowing sts:AssumeRole" },
        { { "LTAIroot11223344", "acs:ram::11223344:role/oss-readonly" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "a root key may not assume roles" },
        { { "LTAIreader000001", "acs:ram::11223344:role/oss-readonly" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "a user without sts:AssumeRole" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/admin" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "an explicit Deny in the caller's policies" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/nobody" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "a trust policy naming another account" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/missing" },
          STS_ENOTFOUND, &sts_pop_err_role_not_found, "no such role" },
        { { "LTAIreader000001", "acs:ram::11223344:role/missing" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "no such role, and no permission: NoPermission first" },
        { { "LTAIpartner00001", "acs:ram::11223344:role/partner", "p1",
            NULL, NULL, "abcd-1234" },
          STS_OK, NULL, "cross-account with the right ExternalId" },
        { { "LTAIpartner00001", "acs:ram::11223344:role/partner", "p1" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "cross-account without ExternalId" },
        { { "LTAIpartner00001", "acs:ram::11223344:role/partner", "p1",
            NULL, NULL, "abcd-9999" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "cross-account with another ExternalId" },
        { { "LTAIpartner00001", "acs:ram::11223344:role/oss-readonly" },
          STS_EDENIED, &sts_pop_err_no_permission,
          "another account's user, not trusted" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", seeds_policy },
          STS_OK, NULL, "the seeds' session policy" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", "{\"Version\":\"1\",\"Statement\":[{\"Effect\":"
            "\"Allow\",\"Action\":\"oss:GetObject\"}]}" },
          STS_EINVAL, &sts_pop_err_policy_grammar,
          "a session policy without Resource" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", "undefined" },
          STS_EINVAL, &sts_pop_err_policy_grammar,
          "pop-core's \"undefined\" as Policy" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, "900" },
          STS_OK, NULL, "DurationSeconds 900" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, "899" },
          STS_EINVAL, &sts_pop_err_duration, "DurationSeconds 899" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, "3601" },
          STS_EINVAL, &sts_pop_err_duration,
          "DurationSeconds over the role's maximum" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, "1e3" },
          STS_EINVAL, &sts_pop_err_duration, "DurationSeconds 1e3" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, "-900" },
          STS_EINVAL, &sts_pop_err_duration, "DurationSeconds -900" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, "99999999999999999999" },
          STS_EINVAL, &sts_pop_err_duration, "DurationSeconds overflow" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "a" },
          STS_EINVAL, &sts_pop_err_session_name, "RoleSessionName \"a\"" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice smith" },
          STS_EINVAL, &sts_pop_err_session_name,
          "RoleSessionName with a space" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "a.b@c_d-e" },
          STS_OK, NULL, "RoleSessionName a.b@c_d-e" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "0123456789012345678901234567890123456789012345678901234567890"
            "1234" },
          STS_EINVAL, &sts_pop_err_session_name, "RoleSessionName of 65" },
        { { "LTAIappserver0001", "acs:ram::11223344:role" },
          STS_EINVAL, &sts_pop_err_role_arn, "RoleArn without a name" },
        { { "LTAIappserver0001", "11223344:oss-readonly" },
          STS_EINVAL, &sts_pop_err_role_arn, "RoleArn in no ARN form" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, NULL, "x" },
          STS_EINVAL, &sts_pop_err_external_id, "ExternalId of 1" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, NULL, "a b" },
          STS_EINVAL, &sts_pop_err_external_id, "ExternalId with a space" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, NULL, NULL, "acs:x" },
          STS_EINVAL, &sts_pop_err_source_identity,
          "SourceIdentity acs:x" },
        { { "LTAIappserver0001", "acs:ram::11223344:role/oss-readonly",
            "alice", NULL, NULL, NULL, "Alice" },
          STS_OK, NULL, "SourceIdentity Alice" },
        { { NULL } }
    };

    ram = load_dir(directory, err, sizeof(err));
    if (ram == NULL) {
        return;
    }

    for (i = 0; cases[i].c.key != NULL; i++) {
        why[0] = '\0';
        e = NULL;
        rc = assume(ram, &cases[i].c, &s, &e, why, sizeof(why));
        ok(rc == cases[i].rc && (rc == STS_OK ? s != NULL && e == NULL
                                              : s == NULL
                                                && e == cases[i].err),
           "%s (%s)", cases[i].title, why[0] ? why : "allowed");
        if (rc != cases[i].rc) {
            printf("#   got %d (%s)\n", rc, e ? e->code : "-");
        }

        sts_session_free(A, s);
    }

    /* the session built */
    {
        call_t  c = { "LTAIappserver0001",
                      "acs:ram::11223344:role/Oss-ReadOnly", "alice",
                      seeds_policy, "1800" };

        rc = assume(ram, &c, &s, &e, why, sizeof(why));
        if (ok(rc == STS_OK, "the seeds' AssumeRole")) {
            ok(strncmp(s->access_key_id, "STS.", 4) == 0
               && strlen(s->access_key_id) == STS_AKID_LEN,
               "an STS. AccessKeyId");
            ok(strlen(s->access_key_secret) == STS_SECRET_LEN, "a secret");
            is_int(s->issued_at, NOW, "issued now");
            is_int(s->expiration, NOW + 1800, "for DurationSeconds");
            is_str(s->account_id, "11223344", "the role's account");
            is_str(s->role_arn, "acs:ram::11223344:role/oss-readonly",
                   "the normalised role ARN");
            ok(strlen(s->role_id) == 19, "the RoleId");
            is_str(s->session_name, "alice", "the session name");
            is_str(s->source_arn, "acs:ram::11223344:user/appserver",
                   "the caller");
            ok(s->num_role_policies == 1
               && strstr(s->role_policies[0], "oss:List*") != NULL,
               "the role's policy as text");
            is_str(s->session_policy, seeds_policy,
                   "the session policy as sent");
        }

        sts_session_free(A, s);
    }

    /* Policy size: 2048 is the limit */
    memset(policy, ' ', sizeof(policy));
    memcpy(policy, seeds_policy, sizeof(seeds_policy) - 1);
    policy[2048] = '\0';
    {
        call_t  c = { "LTAIappserver0001",
                      "acs:ram::11223344:role/oss-readonly", "alice",
                      policy };

        rc = assume(ram, &c, &s, &e, why, sizeof(why));
        ok(rc == STS_OK, "a Policy of 2048 bytes");
        sts_session_free(A, s);

        policy[2048] = ' ';
        policy[2049] = '\0';
        rc = assume(ram, &c, &s, &e, why, sizeof(why));
        ok(rc == STS_EINVAL && e == &sts_pop_err_policy_size,
           "a Policy of 2049 bytes: %s", why);
    }

    /* a role session calling AssumeRole: role chaining */
    {
        call_t            c = { "LTAIappserver0001",
                                "acs:ram::11223344:role/chainer", "c1" };
        sts_session_t    *chain, *s2;
        sts_ram_caller_t  caller;
        sts_ram_assume_t  req;

        rc = assume(ram, &c, &chain, &e, why, sizeof(why));
        ok(rc == STS_OK, "appserver assumes chainer");

        if (chain != NULL) {
            rc = sts_ram_caller_from_session(A, ram, chain, &caller);
            is_int(rc, STS_OK, "a caller from the session");
            is_str(caller.principal_arn, "acs:ram::11223344:role/chainer",
                   "its principal is the role");
            is_str(caller.identity_arn,
                   "acs:ram::11223344:assumed-role/chainer/c1",
                   "its identity is the assumed role");

            memset(&req, 0, sizeof(req));
            req.role_arn = S("acs:ram::11223344:role/chained");
            req.session_name = S("c2");
            req.now = NOW;

            rc = sts_ram_assume_role(A, ram, &caller, &req, &s2, &e, why,
                                     sizeof(why));
            ok(rc == STS_OK && s2 != NULL
               && strcmp(s2->source_arn,
                         "acs:ram::11223344:assumed-role/chainer/c1") == 0,
               "chainer assumes chained, trusted by role");
            sts_session_free(A, s2);

            req.role_arn = S("acs:ram::11223344:role/uploader");
            rc = sts_ram_assume_role(A, ram, &caller, &req, &s2, &e, why,
                                     sizeof(why));
            ok(rc == STS_EDENIED && e == &sts_pop_err_no_permission,
               "but not a role that trusts only appserver: %s", why);

            sts_ram_caller_release(A, &caller);
            sts_session_free(A, chain);
        }

        /* a session of oss-readonly may not assume anything */
        c.arn = "acs:ram::11223344:role/oss-readonly";
        rc = assume(ram, &c, &chain, &e, why, sizeof(why));

        if (chain != NULL) {
            rc = sts_ram_caller_from_session(A, ram, chain, &caller);

            memset(&req, 0, sizeof(req));
            req.role_arn = S("acs:ram::11223344:role/chained");
            req.session_name = S("c2");
            req.now = NOW;

            rc = sts_ram_assume_role(A, ram, &caller, &req, &s2, &e, why,
                                     sizeof(why));
            ok(rc == STS_EDENIED, "a read-only session cannot chain: %s",
               why);

            sts_ram_caller_release(A, &caller);
            sts_session_free(A, chain);
        }
    }

    sts_ram_free(A, ram);
}


/* whole requests */

#define MAX_SEEN  64

typedef struct {
    unsigned char  d[MAX_SEEN][STS_POP_DIGEST_LEN];
    size_t         n;
    int            full;
    int            denied;         /* the caller holds its share */
    char           caller[128];    /* of the last call */
    int64_t        expires;
} seen_t;


static int
nonce_check(void *data, const unsigned char digest[STS_POP_DIGEST_LEN],
    sts_str_t caller, int64_t expires)
{
    size_t   i;
    seen_t  *s;

    s = data;

    snprintf(s->caller, sizeof(s->caller), "%.*s", (int) caller.len,
             caller.data);
    s->expires = expires;

    if (s->full) {
        return STS_ENOMEM;
    }

    if (s->denied) {
        return STS_EDENIED;
    }

    for (i = 0; i < s->n; i++) {
        if (memcmp(s->d[i], digest, STS_POP_DIGEST_LEN) == 0) {
            return STS_EDUP;
        }
    }

    if (s->n < MAX_SEEN) {
        memcpy(s->d[s->n++], digest, STS_POP_DIGEST_LEN);
    }

    return STS_OK;
}


typedef struct {
    sts_ram_t       *ram;
    sts_keyring_t   *kr;
    seen_t           seen;
    int              nonce_seq;
    sts_revoked_t   *revoked;
    int              limits;         /* install the limit hook */
    int              refuse;         /* the kind it refuses, or 0 */
    int              calls;          /* calls of the hook */
    char             seen_key[512];  /* "kind:key;" for each call */
} env_t;


/* the issuance limit hook: records its calls, refuses |refuse| */
static int
limit_check(void *data, int kind, sts_str_t key)
{
    env_t   *env = data;
    size_t   n;

    env->calls++;
    n = strlen(env->seen_key);
    snprintf(env->seen_key + n, sizeof(env->seen_key) - n, "%d:%.*s;",
             kind, (int) key.len, key.data);

    return kind == env->refuse ? STS_EDENIED : STS_OK;
}


/*
 * Signs |kv| ("Name=Value" strings, not encoded; common parameters are
 * added unless given) with |secret|, runs it through sts_ram_rpc and
 * returns the parsed JSON body (or the raw body for XML in |raw|).
 */
static json_t *
rpc(env_t *env, const char *method, const char *secret,
    const char *const *kv, int tamper, int64_t now,
    sts_ram_rpc_result_t *res, char **raw)
{
    int            rc;
    char           nonce[32], *items_text[24];
    size_t         i, n;
    json_t        *j;
    sts_buf_t      b;
    sts_param_t    it[24];
    sts_params_t   p, parsed;
    sts_ram_rpc_t  req;
    json_error_t   jerr;
    const char    *eq;

    static const char  *common[] = {
        "Version=2015-04-01", "SignatureMethod=HMAC-SHA1",
        "SignatureVersion=1.0", "Timestamp=2024-05-15T12:30:45Z",
        "Format=JSON", NULL
    };

    n = 0;
    snprintf(nonce, sizeof(nonce), "SignatureNonce=n-%d", env->nonce_seq++);

    for (i = 0; kv[i] != NULL; i++) {
        items_text[n] = strdup(kv[i]);
        n++;
    }

    for (i = 0; common[i] != NULL; i++) {
        size_t  k, l;

        l = strchr(common[i], '=') - common[i];
        for (k = 0; kv[k] != NULL; k++) {
            if (strncmp(kv[k], common[i], l + 1) == 0) {
                break;
            }
        }

        if (kv[k] == NULL) {
            items_text[n++] = strdup(common[i]);
        }
    }

    for (i = 0; kv[i] != NULL; i++) {
        if (strncmp(kv[i], "SignatureNonce=", 15) == 0) {
            break;
        }
    }

    if (kv[i] == NULL) {
        items_text[n++] = strdup(nonce);
    }

    for (i = 0; i < n; i++) {
        eq = strchr(items_text[i], '=');
        it[i].name.data = items_text[i];
        it[i].name.len = (size_t) (eq - items_text[i]);
        it[i].value = S(eq + 1);
        it[i].has_eq = 1;
    }

    p.items = it;
    p.num = n;

    sts_buf_init(&b, A, 0);
    rc = sts_pop_sign_request(&b, S(method), &p, S(secret));
    for (i = 0; i < n; i++) {
        free(items_text[i]);
    }

    if (rc != STS_OK) {
        sts_buf_free(&b);
        return NULL;
    }

    if (tamper) {
        /* the last character of the signature */
        b.data[b.len - 4] = b.data[b.len - 4] == 'A' ? 'B' : 'A';
    }

    rc = sts_query_parse(A, S(b.data), &parsed);
    sts_buf_free(&b);
    if (rc != STS_OK) {
        return NULL;
    }

    memset(&req, 0, sizeof(req));
    req.ram = env->ram;
    req.keyring = env->kr;
    req.method = S(method);
    req.params = &parsed;
    req.now = now;
    req.max_skew = 900;
    req.client_addr = S("192.0.2.7");
    req.host = S("sts.example.com");
    req.nonce = nonce_check;
    req.nonce_data = &env->seen;
    req.revoked = env->revoked;

    if (env->limits) {
        req.limit = limit_check;
        req.limit_data = env;
    }

    rc = sts_ram_rpc(A, &req, res);
    sts_free(A, parsed.items);

    if (rc != STS_OK) {
        return NULL;
    }

    if (raw != NULL) {
        *raw = strdup(res->body.data);
    }

    j = json_loads(res->body.data, 0, &jerr);

    return j;
}


static const char *
jget(json_t *o, const char *a, const char *b)
{
    if (b != NULL) {
        o = json_object_get(o, a);
        a = b;
    }

    return json_string_value(json_object_get(o, a));
}


static void
test_rpc(void)
{
    char                   err[STS_RAM_ERR_LEN];
    char                  *raw;
    char                   kvbuf[3][9000];
    json_t                *j;
    env_t                  env;
    sts_session_t         *s;
    sts_ram_rpc_result_t   res;
    const char            *akid, *secret, *token;

    memset(&env, 0, sizeof(env));
    env.ram = load_dir(directory, err, sizeof(err));

    if (sts_keyring_parse(A, K1, strlen(K1), &env.kr, err, sizeof(err))
        != STS_OK || env.ram == NULL)
    {
        ok(0, "environment");
        return;
    }

    /* AssumeRole, POST form, the seeds' call */
    {
        const char  *kv[] = {
            "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
            "RoleArn=acs:ram::11223344:role/oss-readonly",
            "RoleSessionName=alice", "DurationSeconds=900",
            "Policy={\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
            "\"Action\":[\"oss:GetObject\"],\"Resource\":[\"acs:oss:*:*:"
            "sample-bucket/2015/01/01/*.jpg\"]}]}", NULL
        };

        j = rpc(&env, "POST", "AppServerSecret000000001", kv, 0, NOW, &res,
                NULL);
        is_int(res.http_status, 200, "AssumeRole: 200 (%s)", res.why);
        ok(j != NULL && json_object_get(j, "Code") == NULL,
           "a JSON body without Code");
        ok(jget(j, "RequestId", NULL) != NULL
           && strlen(jget(j, "RequestId", NULL)) == 36, "RequestId");
        is_str(jget(j, "AssumedRoleUser", "Arn"),
               "acs:ram::11223344:role/oss-readonly/alice",
               "AssumedRoleUser.Arn");
        ok(jget(j, "AssumedRoleUser", "AssumedRoleId") != NULL
           && strstr(jget(j, "AssumedRoleUser", "AssumedRoleId"), ":alice")
           != NULL, "AssumedRoleUser.AssumedRoleId");
        is_str(jget(j, "Credentials", "Expiration"), "2024-05-15T12:45:45Z",
               "Expiration in 900 s, UTC");

        akid = jget(j, "Credentials", "AccessKeyId");
        secret = jget(j, "Credentials", "AccessKeySecret");
        token = jget(j, "Credentials", "SecurityToken");

        ok(akid != NULL && strncmp(akid, "STS.", 4) == 0, "STS. key id");
        ok(token != NULL && strncmp(token, "STS1.", 5) == 0, "a token");

        if (token != NULL
            && sts_token_open(A, env.kr, token, strlen(token), NOW + 10, &s)
               == STS_OK)
        {
            ok(strcmp(s->access_key_id, akid) == 0
               && strcmp(s->access_key_secret, secret) == 0,
               "the token opens to the same credentials");
            ok(s->session_policy != NULL
               && strstr(s->session_policy, "2015/01/01/*.jpg") != NULL,
               "with the session policy embedded");
            ok(s->num_role_policies == 1, "and the role's policy");
            sts_session_free(A, s);

        } else {
            ok(0, "the token opens");
        }

        is_str(res.role_arn, "acs:ram::11223344:role/oss-readonly",
               "result: role ARN for the log");
        is_str(res.access_key_id, "LTAIappserver0001", "result: the caller");
        ok(strcmp(res.issued_key_id, akid ? akid : "") == 0,
           "result: the issued key");

        /* keep the credentials for the STS-caller requests below */
        snprintf(kvbuf[0], sizeof(kvbuf[0]), "AccessKeyId=%s", akid);
        snprintf(kvbuf[1], sizeof(kvbuf[1]), "SecurityToken=%s", token);
        snprintf(kvbuf[2], sizeof(kvbuf[2]), "%s", secret);

        sts_ram_rpc_result_free(&res);
        json_decref(j);
    }

    /* the same request again is a replay: a new nonce each time here */
    {
        const char  *kv[] = {
            "Action=GetCallerIdentity", "AccessKeyId=LTAIappserver0001",
            "SignatureNonce=fixed-nonce", NULL
        };

        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW, &res,
                NULL);
        is_int(res.http_status, 200, "GetCallerIdentity of a user");
        is_str(jget(j, "IdentityType", NULL), "RAMUser", "IdentityType");
        is_str(jget(j, "Arn", NULL), "acs:ram::11223344:user/appserver",
               "Arn");
        is_str(jget(j, "AccountId", NULL), "11223344", "AccountId");
        ok(jget(j, "UserId", NULL) != NULL
           && strcmp(jget(j, "UserId", NULL), jget(j, "PrincipalId", NULL))
              == 0, "UserId = PrincipalId");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW + 60,
                &res, NULL);
        is_int(res.http_status, 400, "the nonce again: 400");
        is_str(jget(j, "Code", NULL), "SignatureNonceUsed",
               "SignatureNonceUsed");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        /* a bad signature does not use the nonce up */
        kv[2] = "SignatureNonce=other-nonce";
        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 1, NOW, &res,
                NULL);
        is_str(jget(j, "Code", NULL), "SignatureDoesNotMatch",
               "a tampered signature");
        is_int(res.http_status, 400, "400");
        ok(jget(j, "Message", NULL) != NULL
           && strstr(jget(j, "Message", NULL), "server string to sign is:GET"
                     "&%2F&AccessKeyId%3DLTAIappserver0001%26Action%3D")
              != NULL, "the message carries the StringToSign");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW, &res,
                NULL);
        is_int(res.http_status, 200, "then the right one with that nonce");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        env.seen.full = 1;
        kv[2] = "SignatureNonce=third-nonce";
        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW, &res,
                NULL);
        is_int(res.http_status, 503, "a full nonce cache refuses: 503");
        is_str(jget(j, "Code", NULL), "ServiceUnavailable",
               "ServiceUnavailable");
        env.seen.full = 0;
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        /* the nonce counts against the caller's key, Timestamp + skew */
        is_str(env.seen.caller, "LTAIappserver0001",
               "a long-term key's nonce counts against its AccessKeyId");
        is_int(env.seen.expires, 1715776245 + 900,
               "a nonce is kept until its Timestamp + the skew");

        kv[2] = "SignatureNonce=later-nonce";
        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW + 600,
                &res, NULL);
        is_int(res.http_status, 200, "a call 600 s after its Timestamp");
        is_int(env.seen.expires, 1715776245 + 900,
               "its nonce is kept until its Timestamp + the skew, not now's");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        env.seen.denied = 1;
        kv[2] = "SignatureNonce=fourth-nonce";
        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW, &res,
                NULL);
        is_int(res.http_status, 400, "a caller over its share: 400");
        is_str(jget(j, "Code", NULL), "Throttling.User", "Throttling.User");
        is_str(res.code, "Throttling.User", "result code Throttling.User");
        env.seen.denied = 0;
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        kv[2] = "SignatureNonce=fourth-nonce";
        j = rpc(&env, "GET", "AppServerSecret000000001", kv, 0, NOW, &res,
                NULL);
        is_int(res.http_status, 200, "and served once under it");
        sts_ram_rpc_result_free(&res);
        json_decref(j);
    }

    /* errors, each with its code and status */
    {
        static const struct {
            const char  *kv[8];
            const char  *secret;
            int64_t      now;
            int          status;
            const char  *code;
            const char  *title;
        } cases[] = {
            { { "Action=AssumeRole", "AccessKeyId=LTAIunknown00001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1" },
              "x0123456789abcdef", NOW, 404, "InvalidAccessKeyId.NotFound",
              "an unknown key" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserverOld1",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1" },
              "AppServerSecret000000002", NOW, 400,
              "InvalidAccessKeyId.Inactive", "an Inactive key" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1" },
              "AppServerSecret000000002", NOW, 400, "SignatureDoesNotMatch",
              "another key's secret" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIroot11223344",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1" },
              "RootSecret11223344xxxx", NOW, 403, "NoPermission",
              "a root key" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIreader000001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1" },
              "ReaderSecret000000000001", NOW, 403, "NoPermission",
              "no sts:AssumeRole" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/none",
                "RoleSessionName=a1" },
              "AppServerSecret000000001", NOW, 404, "EntityNotExist.Role",
              "no such role" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleSessionName=a1" },
              "AppServerSecret000000001", NOW, 400, "MissingRoleArn",
              "no RoleArn" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly" },
              "AppServerSecret000000001", NOW, 400,
              "MissingRoleSessionName", "no RoleSessionName" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=role/oss-readonly", "RoleSessionName=a1" },
              "AppServerSecret000000001", NOW, 400,
              "InvalidParameter.RoleArn", "a malformed RoleArn" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1", "DurationSeconds=7200" },
              "AppServerSecret000000001", NOW, 400,
              "InvalidParameter.DurationSeconds", "over MaxSessionDuration" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1", "Policy={" },
              "AppServerSecret000000001", NOW, 400,
              "InvalidParameter.PolicyGrammar", "a Policy that is no JSON" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a" },
              "AppServerSecret000000001", NOW, 400,
              "InvalidParameter.RoleSessionName", "a short session name" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1" },
              "AppServerSecret000000001", NOW + 901, 400,
              "InvalidTimeStamp.Expired", "a stale Timestamp" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=a1", "Timestamp=2024-05-15" },
              "AppServerSecret000000001", NOW, 400,
              "InvalidTimeStamp.Format", "a date as Timestamp" },
            { { "Action=ListRoles", "AccessKeyId=LTAIappserver0001" },
              "AppServerSecret000000001", NOW, 404, "InvalidAction.NotFound",
              "an unknown Action" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "Version=2014-01-01" },
              "AppServerSecret000000001", NOW, 400, "InvalidVersion",
              "another Version" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "SignatureMethod=HMAC-SHA256" },
              "AppServerSecret000000001", NOW, 400, "InvalidSignatureMethod",
              "HMAC-SHA256" },
            { { "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
                "Format=YAML" },
              "AppServerSecret000000001", NOW, 400, "InvalidParameter",
              "Format=YAML" },
            { { "AccessKeyId=LTAIappserver0001" },
              "AppServerSecret000000001", NOW, 400, "MissingAction",
              "no Action" },
            { { "Action=GetCallerIdentity", "AccessKeyId=STS.abc" },
              "AppServerSecret000000001", NOW, 400, "MissingSecurityToken",
              "an STS key without a token" },
            { { "Action=GetCallerIdentity", "AccessKeyId=STS.abc",
                "SecurityToken=STS1.AAAA" },
              "AppServerSecret000000001", NOW, 400,
              "InvalidSecurityToken.Malformed", "a malformed token" },
            { { NULL } }
        };

        size_t  i;

        for (i = 0; cases[i].kv[0] != NULL; i++) {
            j = rpc(&env, "POST", cases[i].secret, cases[i].kv, 0,
                    cases[i].now, &res, NULL);
            ok(res.http_status == cases[i].status
               && jget(j, "Code", NULL) != NULL
               && strcmp(jget(j, "Code", NULL), cases[i].code) == 0
               && strcmp(jget(j, "HostId", NULL), "sts.example.com") == 0
               && strlen(jget(j, "Message", NULL)) > 10,
               "%s: %d %s (%s)", cases[i].title, res.http_status,
               jget(j, "Code", NULL) ? jget(j, "Code", NULL) : "-",
               res.why);
            ok(strcmp(res.code, cases[i].code) == 0, "result code %s",
               res.code);
            sts_ram_rpc_result_free(&res);
            json_decref(j);
        }
    }

    /* the caller holds STS credentials */
    {
        const char  *kv[] = {
            "Action=GetCallerIdentity", kvbuf[0], kvbuf[1], NULL
        };

        j = rpc(&env, "POST", kvbuf[2], kv, 0, NOW + 30, &res, NULL);
        is_int(res.http_status, 200, "GetCallerIdentity with STS "
               "credentials (%s)", res.why);
        is_str(jget(j, "IdentityType", NULL), "AssumedRoleUser",
               "IdentityType AssumedRoleUser");
        is_str(env.seen.caller, "acs:ram::11223344:user/appserver",
               "an STS caller's nonce counts against who assumed the role");
        is_str(jget(j, "Arn", NULL),
               "acs:ram::11223344:assumed-role/oss-readonly/alice",
               "the assumed-role ARN");
        ok(jget(j, "PrincipalId", NULL) != NULL
           && strstr(jget(j, "PrincipalId", NULL), ":alice") != NULL
           && jget(j, "RoleId", NULL) != NULL, "RoleId, PrincipalId");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        /* past the token's expiry (900 s) */
        {
            const char  *kv3[] = {
                "Action=GetCallerIdentity", kvbuf[0], kvbuf[1],
                "Timestamp=2024-05-15T12:47:25Z", NULL
            };

            j = rpc(&env, "POST", kvbuf[2], kv3, 0, NOW + 1000, &res, NULL);
            is_str(jget(j, "Code", NULL), "InvalidSecurityToken.Expired",
                   "an expired token");
            sts_ram_rpc_result_free(&res);
            json_decref(j);
        }

        /* the token with another AccessKeyId */
        kv[1] = "AccessKeyId=STS.SomebodyElse000000000000000";
        j = rpc(&env, "POST", kvbuf[2], kv, 0, NOW + 30, &res, NULL);
        is_str(jget(j, "Code", NULL),
               "InvalidSecurityToken.MismatchWithAccessKey",
               "a token of another key");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        /* a read-only session may not assume roles */
        {
            const char  *kv2[] = {
                "Action=AssumeRole", kvbuf[0], kvbuf[1],
                "RoleArn=acs:ram::11223344:role/oss-readonly",
                "RoleSessionName=again", NULL
            };

            j = rpc(&env, "POST", kvbuf[2], kv2, 0, NOW + 30, &res, NULL);
            is_str(jget(j, "Code", NULL), "NoPermission",
                   "a read-only session may not assume roles (%s)", res.why);
            sts_ram_rpc_result_free(&res);
            json_decref(j);
        }
    }

    /* XML */
    {
        const char  *kv[] = {
            "Action=GetCallerIdentity", "AccessKeyId=LTAIroot11223344",
            "Format=XML", NULL
        };

        j = rpc(&env, "GET", "RootSecret11223344xxxx", kv, 0, NOW, &res,
                &raw);
        is_int(res.http_status, 200, "GetCallerIdentity of a root key, XML");
        ok(res.xml && raw != NULL
           && strncmp(raw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                      "<GetCallerIdentityResponse><RequestId>", 76) == 0
           && strstr(raw, "<IdentityType>Account</IdentityType><AccountId>"
                     "11223344</AccountId><Arn>acs:ram::11223344:root</Arn>")
              != NULL, "an XML document: %s", raw);
        free(raw);
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        kv[1] = "AccessKeyId=LTAIunknown00001";
        j = rpc(&env, "GET", "RootSecret11223344xxxx", kv, 0, NOW, &res,
                &raw);
        ok(raw != NULL && strstr(raw, "<Error><RequestId>") != NULL
           && strstr(raw, "<Code>InvalidAccessKeyId.NotFound</Code>") != NULL,
           "an XML error: %s", raw);
        free(raw);
        sts_ram_rpc_result_free(&res);
        json_decref(j);
    }

    sts_keyring_free(A, env.kr);
    sts_ram_free(A, env.ram);
}


/* a call through the hooks: its code ("" on success) */
static void
hook_call(env_t *env, const char *method, const char *secret,
    const char *const *kv, int tamper, char *code, size_t len)
{
    json_t                *j;
    sts_ram_rpc_result_t   res;

    env->calls = 0;
    env->seen_key[0] = '\0';

    j = rpc(env, method, secret, kv, tamper, NOW, &res, NULL);
    snprintf(code, len, "%s", res.code);

    if (res.http_status == 200 && j != NULL) {
        code[0] = '\0';
    }

    sts_ram_rpc_result_free(&res);
    json_decref(j);
}


/*
 * The issuance limits (called for an authentic AssumeRole, with the key
 * and, once allowed, the role) and sts_revoked at the endpoint.
 */
static void
test_rpc_hooks(void)
{
    char                   err[STS_RAM_ERR_LEN];
    char                   code[64], akid[80], tok[9000], secret[80];
    json_t                *j;
    env_t                  env;
    sts_ram_rpc_result_t   res;
    const char            *rules;

    static const char  *assume_ro[] = {
        "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
        "RoleArn=acs:ram::11223344:role/OSS-ReadOnly",
        "RoleSessionName=limits", NULL
    };

    static const char  *reader_ro[] = {
        "Action=AssumeRole", "AccessKeyId=LTAIreader000001",
        "RoleArn=acs:ram::11223344:role/oss-readonly",
        "RoleSessionName=limits", NULL
    };

    static const char  *identity[] = {
        "Action=GetCallerIdentity", "AccessKeyId=LTAIappserver0001", NULL
    };

    memset(&env, 0, sizeof(env));
    env.ram = load_dir(directory, err, sizeof(err));

    if (sts_keyring_parse(A, K1, strlen(K1), &env.kr, err, sizeof(err))
        != STS_OK || env.ram == NULL)
    {
        ok(0, "environment");
        return;
    }

    env.limits = 1;

    hook_call(&env, "POST", "AppServerSecret000000001", assume_ro, 0, code,
              sizeof(code));
    is_str(code, "", "limits: an AssumeRole within them is answered");
    is_str(env.seen_key, "1:LTAIappserver0001;"
           "2:acs:ram::11223344:role/oss-readonly;",
           "limits: the key, then the role's normalised ARN");

    env.refuse = STS_RAM_LIMIT_KEY;
    env.seen_key[0] = '\0';
    j = rpc(&env, "POST", "AppServerSecret000000001", assume_ro, 0, NOW,
            &res, NULL);
    is_int(res.http_status, 400, "limits: over the key's: 400");
    is_str(jget(j, "Code", NULL), "Throttling.User", "Throttling.User");
    is_str(jget(j, "Message", NULL),
           "Request was denied due to user flow control.", "its message");
    is_str(env.seen_key, "1:LTAIappserver0001;",
           "limits: the role is not counted when the key refuses");
    sts_ram_rpc_result_free(&res);
    json_decref(j);

    hook_call(&env, "POST", "AppServerSecret000000001", assume_ro, 1, code,
              sizeof(code));
    is_str(code, "SignatureDoesNotMatch", "limits: a forged call");
    is_int(env.calls, 0, "limits: is not counted");

    env.refuse = STS_RAM_LIMIT_ROLE;
    hook_call(&env, "POST", "AppServerSecret000000001", assume_ro, 0, code,
              sizeof(code));
    is_str(code, "Throttling.User", "limits: over the role's");

    hook_call(&env, "POST", "ReaderSecret000000000001", reader_ro, 0, code,
              sizeof(code));
    is_str(code, "NoPermission", "limits: a call that may not assume");
    is_str(env.seen_key, "1:LTAIreader000001;",
           "limits: counts for the key, not for the role");

    env.refuse = STS_RAM_LIMIT_KEY;
    hook_call(&env, "GET", "AppServerSecret000000001", identity, 0, code,
              sizeof(code));
    is_str(code, "", "limits: GetCallerIdentity");
    is_int(env.calls, 0, "limits: is never counted");

    env.refuse = 0;
    env.limits = 0;

    /* sts_revoked: credentials of the chainer role, then revoked */
    {
        static const char  *chain[] = {
            "Action=AssumeRole", "AccessKeyId=LTAIappserver0001",
            "RoleArn=acs:ram::11223344:role/chainer",
            "RoleSessionName=chain-one", NULL
        };

        const char  *id[] = { "Action=GetCallerIdentity", akid, tok, NULL };
        const char  *again[] = {
            "Action=AssumeRole", akid, tok,
            "RoleArn=acs:ram::11223344:role/chained",
            "RoleSessionName=chained-one", NULL
        };

        j = rpc(&env, "POST", "AppServerSecret000000001", chain, 0, NOW,
                &res, NULL);
        is_int(res.http_status, 200, "revoked: credentials of chainer");
        snprintf(akid, sizeof(akid), "AccessKeyId=%s",
                 jget(j, "Credentials", "AccessKeyId")
                 ? jget(j, "Credentials", "AccessKeyId") : "");
        snprintf(tok, sizeof(tok), "SecurityToken=%s",
                 jget(j, "Credentials", "SecurityToken")
                 ? jget(j, "Credentials", "SecurityToken") : "");
        snprintf(secret, sizeof(secret), "%s",
                 jget(j, "Credentials", "AccessKeySecret")
                 ? jget(j, "Credentials", "AccessKeySecret") : "");
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        hook_call(&env, "POST", secret, id, 0, code, sizeof(code));
        is_str(code, "", "revoked: not yet, GetCallerIdentity answers");
        hook_call(&env, "POST", secret, again, 0, code, sizeof(code));
        is_str(code, "", "revoked: not yet, the chained role is assumed");

        rules = "session acs:ram::11223344:role/Chainer chain-one\n";
        if (sts_revoked_parse(A, rules, strlen(rules), &env.revoked, err,
                              sizeof(err))
            != STS_OK)
        {
            ok(0, "revocation list: %s", err);
            return;
        }

        j = rpc(&env, "POST", secret, id, 0, NOW, &res, NULL);
        is_int(res.http_status, 400, "revoked: GetCallerIdentity 400");
        is_str(jget(j, "Code", NULL), "InvalidSecurityToken.Expired",
               "InvalidSecurityToken.Expired");
        ok(strstr(res.why, "revoked by sts_revoked line 1: session "
                  "acs:ram::11223344:role/chainer chain-one") != NULL,
           "the log names the rule: %s", res.why);
        sts_ram_rpc_result_free(&res);
        json_decref(j);

        hook_call(&env, "POST", secret, again, 0, code, sizeof(code));
        is_str(code, "InvalidSecurityToken.Expired",
               "revoked: no role chaining either");

        sts_revoked_free(A, env.revoked);
        env.revoked = NULL;

        rules = "akid STS.NotThisOne\n";
        if (sts_revoked_parse(A, rules, strlen(rules), &env.revoked, err,
                              sizeof(err))
            != STS_OK)
        {
            ok(0, "revocation list: %s", err);
            return;
        }

        hook_call(&env, "POST", secret, id, 0, code, sizeof(code));
        is_str(code, "", "revoked: another key's rule leaves it alone");

        sts_revoked_free(A, env.revoked);
        env.revoked = NULL;
    }

    sts_keyring_free(A, env.kr);
    sts_ram_free(A, env.ram);
}


int
main(void)
{
    test_load();
    test_example();
    test_errors();
    test_role_arn();
    test_assume();
    test_rpc();
    test_rpc_hooks();

    return tap_done();
}
