/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_lint: `stsctl policy lint` and `stsctl policy replay`.
 */

#ifndef STSCTL_LINT_H_INCLUDED
#define STSCTL_LINT_H_INCLUDED


/*
 * stsctl_policy_lint runs `stsctl policy lint ...` (argv[1] is "lint"):
 *
 *   policy lint [--kind identity|trust] [--format text|json]
 *       [--warnings-ok] FILE...
 *
 * Exit status: 0 no findings (or warnings only with --warnings-ok),
 * 1 an unreadable or invalid policy, 2 a usage error, 3 error findings,
 * 4 warning findings only.
 */
int stsctl_policy_lint(int argc, char **argv);

/*
 * stsctl_policy_replay runs `stsctl policy replay ...` (argv[1] is
 * "replay"):
 *
 *   policy replay --log FILE --policy FILE [--policy FILE]...
 *       [--session FILE] [--role ARN] [--format text|json]
 *
 * Exit status: 0 no decision changes, 3 some do, 1 an unreadable log or
 * an unreadable or invalid policy, 2 a usage error.
 */
int stsctl_policy_replay(int argc, char **argv);

/*
 * stsctl_policy_read (stsctl_policy.c) reads a whole policy file ("-" is
 * stdin, at most 1 MiB), NUL-terminated, into malloc'd memory and stores
 * its length in *out_len; NULL, with a message on stderr, on error.
 */
char *stsctl_policy_read(const char *path, size_t *out_len);


#endif /* STSCTL_LINT_H_INCLUDED */
