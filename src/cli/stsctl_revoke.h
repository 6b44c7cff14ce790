/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_revoke: `stsctl revoke add|remove|list`, the revocation rules of
 * a fleet, kept on Redis (sts_state_use revoked).
 */

#ifndef STSCTL_REVOKE_H_INCLUDED
#define STSCTL_REVOKE_H_INCLUDED


/*
 *   revoke add --redis HOST:PORT [--prefix P] [--password-file FILE]
 *       RULE...
 *   revoke remove (the same)
 *       adds or removes the rules (one argument each, the format of
 *       sts_revoked's lines) and counts a new version of the set, which
 *       every gateway reads within a poll; each rule is checked first.
 *   revoke list --redis HOST:PORT [--prefix P] [--password-file FILE]
 *       prints the rules, one a line.
 *
 * argv[0] is "add", "remove" or "list"; 0 success, 1 failure (Redis
 * unreachable or refusing), 2 a usage error or an invalid rule.
 */
int stsctl_revoke(int argc, char **argv);


#endif /* STSCTL_REVOKE_H_INCLUDED */
