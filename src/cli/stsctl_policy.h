/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_policy: the `stsctl policy` subcommands (check, simulate).
 */

#ifndef STSCTL_POLICY_H_INCLUDED
#define STSCTL_POLICY_H_INCLUDED


/*
 * stsctl_policy_main runs `stsctl policy ...`; argv[0] is "policy".
 *
 *   policy check [--trust] FILE
 *       validates the policy and prints its normalised JSON.
 *   policy simulate --role-policy FILE [--role-policy FILE ...]
 *       [--session-policy FILE] --action A --resource R
 *       [--context KEY=VALUE ...]
 *   policy simulate --trust-policy FILE --principal P
 *       [--principal-type ram|service|federated] [--context KEY=VALUE ...]
 *       prints Allow, ExplicitDeny or ImplicitDeny and what decided.
 *
 * Returns the exit status: 0 valid / allowed, 3 denied (simulate),
 * 1 an unreadable or invalid policy, 2 a usage error.  Messages for 1 and
 * 2 go to stderr.  Does not call exit().
 */
int stsctl_policy_main(int argc, char **argv);


#endif /* STSCTL_POLICY_H_INCLUDED */
