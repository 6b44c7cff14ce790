/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_lint: `stsctl policy lint`, static checks of policy files (see
 * sts_lint.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_util.h"
#include "sts_policy.h"
#include "sts_lint.h"
#include "stsctl_lint.h"
#include "stsctl_policy.h"
#include "stsctl_usage.h"


#define STSCTL_LINT_OK            0
#define STSCTL_LINT_INVALID       1
#define STSCTL_LINT_USAGE         2
#define STSCTL_LINT_ERRORS        3
#define STSCTL_LINT_WARNINGS      4

#define STSCTL_LINT_MAX_FILES     64


static int stsctl_lint_file(const char *file, int kind, json_t *jf,
    size_t *errors, size_t *warnings, int *invalid);
static void stsctl_lint_text(const char *file, const sts_lint_t *l);
static json_t *stsctl_lint_json(const sts_lint_t *l);


/* lint */

int
stsctl_policy_lint(int argc, char **argv)
{
    int            i, kind, json, warnings_ok, invalid;
    char          *text;
    size_t         nfiles, errors, warnings, f;
    json_t        *root, *files, *jf;
    const char    *file[STSCTL_LINT_MAX_FILES];

    kind = STS_POLICY_IDENTITY;
    json = 0;
    warnings_ok = 0;
    nfiles = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--warnings-ok") == 0) {
            warnings_ok = 1;

        } else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
            i++;

            if (strcmp(argv[i], "identity") == 0) {
                kind = STS_POLICY_IDENTITY;

            } else if (strcmp(argv[i], "trust") == 0) {
                kind = STS_POLICY_TRUST;

            } else {
                fprintf(stderr, "stsctl policy lint: --kind is identity or "
                        "trust\n");
                return STSCTL_LINT_USAGE;
            }

        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            i++;

            if (strcmp(argv[i], "text") == 0 || strcmp(argv[i], "json") == 0)
            {
                json = argv[i][0] == 'j';

            } else {
                fprintf(stderr, "stsctl policy lint: --format is text or "
                        "json\n");
                return STSCTL_LINT_USAGE;
            }

        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "stsctl policy lint: unknown option or missing "
                    "value \"%s\"\n", argv[i]);
            return stsctl_usage(stderr, "policy lint", STSCTL_LINT_USAGE);

        } else if (nfiles == STSCTL_LINT_MAX_FILES) {
            fprintf(stderr, "stsctl policy lint: more than %d files\n",
                    STSCTL_LINT_MAX_FILES);
            return STSCTL_LINT_USAGE;

        } else {
            file[nfiles++] = argv[i];
        }
    }

    if (nfiles == 0) {
        return stsctl_usage(stderr, "policy lint", STSCTL_LINT_USAGE);
    }

    root = json_object();
    files = json_array();
    if (root == NULL || files == NULL
        || json_object_set_new(root, "files", files) != 0)
    {
        fprintf(stderr, "stsctl policy lint: out of memory\n");
        return STSCTL_LINT_INVALID;
    }

    errors = 0;
    warnings = 0;
    invalid = 0;

    for (f = 0; f < nfiles; f++) {
        jf = json_object();
        if (jf == NULL || json_array_append_new(files, jf) != 0
            || json_object_set_new(jf, "file", json_string(file[f])) != 0)
        {
            json_decref(root);
            return STSCTL_LINT_INVALID;
        }

        if (stsctl_lint_file(file[f], kind, json ? jf : NULL, &errors,
                             &warnings, &invalid)
            != STSCTL_LINT_OK)
        {
            json_decref(root);
            return STSCTL_LINT_INVALID;
        }
    }

    if (json) {
        json_object_set_new(root, "errors", json_integer((json_int_t) errors));
        json_object_set_new(root, "warnings",
                            json_integer((json_int_t) warnings));
        text = json_dumps(root, JSON_INDENT(2));

        if (text != NULL) {
            puts(text);
            free(text);
        }

    } else {
        printf("%zu error%s, %zu warning%s in %zu file%s\n", errors,
               errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
               nfiles, nfiles == 1 ? "" : "s");
    }

    json_decref(root);

    if (invalid) {
        return STSCTL_LINT_INVALID;
    }

    if (errors) {
        return STSCTL_LINT_ERRORS;
    }

    if (warnings && !warnings_ok) {
        return STSCTL_LINT_WARNINGS;
    }

    return STSCTL_LINT_OK;
}


/*
 * One file linted: its findings printed, or set in |jf| for JSON, and
 * added to *errors and *warnings; a policy that does not compile sets
 * *invalid.  STSCTL_LINT_INVALID when the linter itself fails.
 */
static int
stsctl_lint_file(const char *file, int kind, json_t *jf, size_t *errors,
    size_t *warnings, int *invalid)
{
    int            rc;
    char           err[STS_POLICY_ERR_LEN];
    sts_lint_t     l;
    sts_policy_t  *p;

    if (stsctl_policy_compile(file, kind, &p, err, sizeof(err))
        != STSCTL_LINT_OK)
    {
        *invalid = 1;

        if (jf != NULL) {
            json_object_set_new(jf, "invalid", json_string(err));

        } else {
            printf("%s: invalid policy: %s\n", file, err);
        }

        return STSCTL_LINT_OK;
    }

    sts_lint_init(&l, &sts_malloc_allocator);
    rc = sts_lint_policy(&l, p);
    sts_policy_free(&sts_malloc_allocator, p);

    if (rc != STS_OK) {
        fprintf(stderr, "stsctl policy lint: %s: %s\n", file,
                sts_strerror(rc));
        sts_lint_free(&l);
        return STSCTL_LINT_INVALID;
    }

    *errors += l.errors;
    *warnings += l.warnings;

    if (jf != NULL) {
        json_object_set_new(jf, "findings", stsctl_lint_json(&l));

    } else {
        stsctl_lint_text(file, &l);
    }

    sts_lint_free(&l);

    return STSCTL_LINT_OK;
}


static void
stsctl_lint_text(const char *file, const sts_lint_t *l)
{
    size_t                     i;
    const sts_lint_finding_t  *f;

    for (i = 0; i < l->num; i++) {
        f = &l->items[i];
        printf("%s: %s: %s %s: %s\n    fix: %s\n", file, f->location,
               sts_lint_severity_name(f->severity), f->code, f->message,
               f->hint);
    }

    if (l->truncated) {
        printf("%s: more than %d findings, the rest not shown\n", file,
               STS_LINT_MAX_FINDINGS);
    }
}


static json_t *
stsctl_lint_json(const sts_lint_t *l)
{
    size_t                     i;
    json_t                    *a, *o;
    const sts_lint_finding_t  *f;

    a = json_array();

    for (i = 0; a != NULL && i < l->num; i++) {
        f = &l->items[i];
        o = json_pack("{s:s, s:s, s:s, s:s, s:s}",
                      "code", f->code,
                      "severity", sts_lint_severity_name(f->severity),
                      "location", f->location,
                      "message", f->message,
                      "hint", f->hint);

        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }

    return a;
}


