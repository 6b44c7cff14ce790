/*
 * Copyright (C) nginx-sts authors
 *
 * tap.h: a tiny TAP producer for the C unit tests (header-only).
 *
 *   ok(cond, "name %d", i);       one assertion
 *   is_str(got, expected, name);  NUL-terminated strings, diff on failure
 *   is_int(got, expected, name);
 *   return tap_done();            prints the plan, exit status 0 or 1
 */

#ifndef STS_TAP_H_INCLUDED
#define STS_TAP_H_INCLUDED


#include <stdarg.h>
#include <stdio.h>
#include <string.h>


static int  tap_count;
static int  tap_failed;


static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list  ap;

    tap_count++;
    printf("%sok %d - ", cond ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");

    if (!cond) {
        tap_failed++;
        printf("#   Failed test at %s line %d.\n", file, line);
    }

    fflush(stdout);
    return cond;
}


static inline void
tap_diag_str(const char *what, const char *s)
{
    const char  *p;

    printf("#   %8s: '", what);
    for (p = s; p != NULL && *p; p++) {
        if (*p == '\n') {
            printf("\\n");
        } else {
            putchar(*p);
        }
    }
    printf("'\n");
}


#define ok(cond, ...)  tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

#define is_str(got, exp, ...)                                               \
    do {                                                                    \
        const char *tap_g_ = (got), *tap_e_ = (exp);                        \
        if (!ok(tap_g_ != NULL && tap_e_ != NULL                            \
                && strcmp(tap_g_, tap_e_) == 0, __VA_ARGS__))               \
        {                                                                   \
            tap_diag_str("got", tap_g_);                                    \
            tap_diag_str("expected", tap_e_);                               \
        }                                                                   \
    } while (0)

#define is_int(got, exp, ...)                                               \
    do {                                                                    \
        long long tap_g_ = (long long) (got), tap_e_ = (long long) (exp);   \
        if (!ok(tap_g_ == tap_e_, __VA_ARGS__)) {                           \
            printf("#        got: %lld\n#   expected: %lld\n",              \
                   tap_g_, tap_e_);                                         \
        }                                                                   \
    } while (0)


static inline int
tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}


#endif /* STS_TAP_H_INCLUDED */
