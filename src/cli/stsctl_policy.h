/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_policy: the `stsctl policy` subcommands.
 */

#ifndef STSCTL_POLICY_H_INCLUDED
#define STSCTL_POLICY_H_INCLUDED


#include <stddef.h>

#include "sts_policy.h"


/*
 * The subcommands get argv[0] = the subcommand's name ("check") and the
 * arguments after it, and return the exit status; messages go to stderr.
 * None calls exit().  Their usage is stsctl's (stsctl_usage.h).
 *
 *   policy check [--trust] FILE
 *       validates the policy and prints its normalised JSON: 0 valid,
 *       1 an unreadable or invalid policy, 2 a usage error.
 *   policy simulate --role-policy FILE [--role-policy FILE ...]
 *       [--session-policy FILE] --action A --resource R
 *       [--context KEY=VALUE ...]
 *   policy simulate --trust-policy FILE --principal P
 *       [--principal-type ram|service|federated] [--context KEY=VALUE ...]
 *       prints Allow, ExplicitDeny or ImplicitDeny and what decided: 0
 *       allowed, 3 denied, 1 an unreadable or invalid policy, 2 a usage
 *       error.
 *   policy lint (stsctl_lint.c), policy replay (stsctl_replay.c): see
 *       stsctl_lint.h.
 */
int stsctl_policy_check(int argc, char **argv);
int stsctl_policy_simulate(int argc, char **argv);

/*
 * stsctl_policy_read reads a whole policy file ("-" is stdin, at most
 * 1 MiB), NUL-terminated, into malloc'd memory and stores its length in
 * *out_len; NULL, with a message on stderr, on error.
 */
char *stsctl_policy_read(const char *path, size_t *out_len);

/*
 * stsctl_policy_compile reads and compiles the policy file |path| of
 * |kind| (STS_POLICY_IDENTITY or STS_POLICY_TRUST) into *out: 0, or 1
 * with *out NULL and why in |err| ("unreadable", the reason already on
 * stderr, or the compiler's message).
 */
int stsctl_policy_compile(const char *path, int kind, sts_policy_t **out,
    char *err, size_t err_len);


#endif /* STSCTL_POLICY_H_INCLUDED */
