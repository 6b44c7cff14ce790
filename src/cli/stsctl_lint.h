/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_lint: `stsctl policy lint` and `stsctl policy replay`.
 */

#ifndef STSCTL_LINT_H_INCLUDED
#define STSCTL_LINT_H_INCLUDED


/*
 * stsctl_policy_lint runs `stsctl policy lint ...` (argv[0] is "lint"):
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
 * stsctl_policy_replay (stsctl_replay.c) runs `stsctl policy replay ...`
 * (argv[0] is "replay"):
 *
 *   policy replay --log FILE --policy FILE [--policy FILE]...
 *       [--session FILE] [--role ARN] [--format text|json]
 *
 * Exit status: 0 no decision changes, 3 some do, 1 an unreadable log or
 * an unreadable or invalid policy, 2 a usage error.
 */
int stsctl_policy_replay(int argc, char **argv);


#endif /* STSCTL_LINT_H_INCLUDED */
