/*
 * Copyright (C) nginx-sts authors
 *
 * replay_main: runs one fuzz target's LLVMFuzzerTestOneInput on its
 * committed seeds without libFuzzer, so every compiler (and "make unit")
 * checks the regression inputs.  Linked with t/fuzz/fuzz_<target>.c.
 *
 *   build/t/test_fuzz_<target>                  the target's seed directory
 *   build/t/test_fuzz_<target> FILE|DIR ...     these files and directories
 *
 * Every input is handed over as an exact-size copy, as libFuzzer does,
 * after the empty input libFuzzer always tries first.  Prints TAP: one
 * test for the target with the number of inputs.  A target aborts on a
 * violated invariant: the abort is reported with the input's name and
 * the run fails.
 */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#ifndef STS_REPLAY_TARGET
#define STS_REPLAY_TARGET  "fuzz"
#endif


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path);
static int replay_dir(const char *path);
static int replay_path(const char *path);
static void replay_abort(int sig);
static void say(const char *s);


static const char  *replay_current = "(empty input)";
static unsigned     replay_count;


int
main(int argc, char **argv)
{
    int                i, rc;
    struct sigaction   sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = replay_abort;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;

    if (sigaction(SIGABRT, &sa, NULL) != 0
        || sigaction(SIGSEGV, &sa, NULL) != 0
        || sigaction(SIGBUS, &sa, NULL) != 0
        || sigaction(SIGFPE, &sa, NULL) != 0)
    {
        printf("1..1\nnot ok 1 - %s: sigaction: %s\n", STS_REPLAY_TARGET,
               strerror(errno));
        return 1;
    }

    printf("1..1\n");
    fflush(stdout);

    LLVMFuzzerTestOneInput((const uint8_t *) "", 0);

    rc = 0;

    if (argc > 1) {
        for (i = 1; i < argc && rc == 0; i++) {
            rc = replay_path(argv[i]);
        }

    } else {
#ifdef STS_REPLAY_CORPUS
        rc = replay_dir(STS_REPLAY_CORPUS);
#else
        printf("# no seed directory compiled in; name files or"
               " directories\n");
        rc = -1;
#endif
    }

    if (rc == 0 && replay_count == 0) {
        printf("# no seeds found\n");
        rc = -1;
    }

    if (rc != 0) {
        printf("not ok 1 - %s: seeds replayed\n", STS_REPLAY_TARGET);
        return 1;
    }

    printf("ok 1 - %s: %u seeds replayed, and the empty input\n",
           STS_REPLAY_TARGET, replay_count);

    return 0;
}


static int
replay_path(const char *path)
{
    struct stat  st;

    if (stat(path, &st) != 0) {
        printf("# %s: %s\n", path, strerror(errno));
        return -1;
    }

    return S_ISDIR(st.st_mode) ? replay_dir(path) : replay_file(path);
}


static int
replay_dir(const char *path)
{
    int              i, n, rc;
    char            *name;
    size_t           len;
    struct stat      st;
    struct dirent  **list;

    n = scandir(path, &list, NULL, alphasort);

    if (n < 0) {
        printf("# %s: %s\n", path, strerror(errno));
        return -1;
    }

    rc = 0;

    for (i = 0; i < n; i++) {

        if (rc == 0 && list[i]->d_name[0] != '.') {
            len = strlen(path) + 1 + strlen(list[i]->d_name) + 1;
            name = malloc(len);

            if (name == NULL) {
                printf("# out of memory\n");
                rc = -1;

            } else {
                snprintf(name, len, "%s/%s", path, list[i]->d_name);

                if (stat(name, &st) != 0) {
                    printf("# %s: %s\n", name, strerror(errno));
                    rc = -1;

                } else if (S_ISREG(st.st_mode)) {
                    rc = replay_file(name);
                }

                free(name);
            }
        }

        free(list[i]);
    }

    free(list);

    return rc;
}


static int
replay_file(const char *path)
{
    FILE     *f;
    size_t    size, cap, n;
    uint8_t  *data, *p, *input;

    f = fopen(path, "rb");

    if (f == NULL) {
        printf("# %s: %s\n", path, strerror(errno));
        return -1;
    }

    size = 0;
    cap = 4096;
    data = malloc(cap);

    while (data != NULL) {
        n = fread(data + size, 1, cap - size, f);
        size += n;

        if (size < cap) {
            break;
        }

        cap *= 2;
        p = realloc(data, cap);

        if (p == NULL) {
            free(data);
        }

        data = p;
    }

    if (data == NULL || ferror(f)) {
        printf("# %s: cannot read\n", path);
        free(data);
        fclose(f);
        return -1;
    }

    fclose(f);

    /* exact size: a read past the end is a read past the allocation */

    input = malloc(size ? size : 1);

    if (input == NULL) {
        printf("# %s: out of memory\n", path);
        free(data);
        return -1;
    }

    memcpy(input, data, size);
    free(data);

    replay_current = path;
    LLVMFuzzerTestOneInput(input, size);
    replay_current = NULL;

    free(input);
    replay_count++;

    return 0;
}


static void
replay_abort(int sig)
{
    say("# ");
    say(STS_REPLAY_TARGET);
    say(": ");
    say(sig == SIGABRT ? "abort" : "crash");
    say(" on ");
    say(replay_current ? replay_current : "(between inputs)");
    say("\nnot ok 1 - " STS_REPLAY_TARGET ": seeds replayed\n");

    raise(sig);
}


static void
say(const char *s)
{
    ssize_t  n;
    size_t   len;

    len = strlen(s);

    while (len > 0) {
        n = write(STDOUT_FILENO, s, len);

        if (n <= 0) {
            return;
        }

        s += n;
        len -= (size_t) n;
    }
}
