/* fault: workloads that fail on purpose, to prove nsbench records each failure and goes on.
 *   fault segv            dereference NULL (killed by SIGSEGV)
 *   fault abort           abort() (SIGABRT)
 *   fault hang            signal ready, then sleep forever (the run's timeout must kill it)
 *   fault exit CODE       exit with CODE after one line on stderr
 *   fault enospc SIZE     mount a SIZE tmpfs on /mnt (needs its own mount namespace) and write
 *                         until the disk is full: exits 1 with "No space left on device"
 *   fault forkfail        fork sleeping children until fork fails (pids.max): exits 1 with the error
 * Bad arguments exit 2. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include "common.h"

static int usage(void) {
    fprintf(stderr, "usage: fault segv|abort|hang|forkfail | fault exit CODE | fault enospc SIZE\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    const char *m = argv[1];
    signal_ready();
    if (!strcmp(m, "segv") && argc == 2) {
        volatile int *p = NULL;
        return *p;
    }
    if (!strcmp(m, "abort") && argc == 2) abort();
    if (!strcmp(m, "hang") && argc == 2)
        for (;;) pause();
    if (!strcmp(m, "exit") && argc == 3) {
        fprintf(stderr, "fault: exiting with %s on purpose\n", argv[2]);
        return atoi(argv[2]);
    }
    if (!strcmp(m, "enospc") && argc == 3) {
        char opts[64];
        snprintf(opts, sizeof opts, "size=%s", argv[2]);
        if (mount("nsb-fault", "/mnt", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
            fprintf(stderr, "fault: mount tmpfs on /mnt: %s\n", strerror(errno));
            return 3;
        }
        int fd = open("/mnt/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        static char buf[65536];
        memset(buf, 1, sizeof buf);
        for (;;) {
            if (write(fd, buf, sizeof buf) < 0) {
                fprintf(stderr, "fault: write /mnt/fill: %s\n", strerror(errno));
                return 1;
            }
        }
    }
    if (!strcmp(m, "forkfail") && argc == 2) {
        enum { MAX = 100000 };
        pid_t *kids = calloc(MAX, sizeof *kids);
        if (!kids) return 3;
        for (long n = 0; n < MAX; n++) {
            pid_t p = fork();
            if (p < 0) {
                fprintf(stderr, "fault: fork %ld: %s\n", n + 1, strerror(errno));
                for (long i = 0; i < n; i++) kill(kids[i], SIGKILL); /* its own children, by pid */
                for (long i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
                return 1;
            }
            if (p == 0) {
                pause();
                _exit(0);
            }
            kids[n] = p;
        }
        return 3;
    }
    return usage();
}
