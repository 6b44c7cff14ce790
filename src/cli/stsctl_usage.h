/*
 * Copyright (C) nginx-sts authors
 *
 * stsctl_usage: the usage of stsctl's commands, from its one table of
 * commands (stsctl.c).
 */

#ifndef STSCTL_USAGE_H_INCLUDED
#define STSCTL_USAGE_H_INCLUDED


#include <stdio.h>


/*
 * stsctl_usage prints to |f| the usage of |command| ("sign",
 * "policy lint"), of a group of commands ("policy") or, for NULL, of every
 * command, and returns |status|.
 */
int stsctl_usage(FILE *f, const char *command, int status);


#endif /* STSCTL_USAGE_H_INCLUDED */
