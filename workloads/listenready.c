/* listenready: run a server that knows nothing of nsbench's ready signal, and
 * signal ready once it listens.
 *   listenready PORT PROGRAM [ARGS...]
 * Starts PROGRAM, watches /proc/net/tcp{,6} (this network namespace's) for a
 * socket in LISTEN on PORT, then writes the ready byte; exits with PROGRAM's
 * status. PROGRAM dies with it (PR_SET_PDEATHSIG). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "common.h"

#define WAIT_LIMIT_NS 10000000000ull /* give up on the server after 10 s */

static int listening(const char *file, long port) {
    FILE *f = fopen(file, "r");
    if (!f) return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char local[128];
        unsigned st;
        if (sscanf(line, " %*d: %127s %*s %x", local, &st) != 2) continue;
        const char *colon = strrchr(local, ':');
        found = colon && strtol(colon + 1, NULL, 16) == port && st == 0x0A;
    }
    fclose(f);
    return found;
}

int main(int argc, char **argv) {
    long port = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
    if (argc < 3 || port <= 0 || port > 65535) {
        fprintf(stderr, "usage: listenready PORT PROGRAM [ARGS...]\n");
        return 2;
    }
    pid_t child = fork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execv(argv[2], argv + 2);
        fprintf(stderr, "listenready: cannot run %s\n", argv[2]);
        _exit(127);
    }
    uint64_t deadline = now_ns() + WAIT_LIMIT_NS;
    int status;
    while (!listening("/proc/net/tcp", port) && !listening("/proc/net/tcp6", port)) {
        if (waitpid(child, &status, WNOHANG) == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        if (now_ns() > deadline) {
            fprintf(stderr, "listenready: nothing listens on port %ld after 10 s\n", port);
            kill(child, SIGKILL); /* our own child, by pid */
            return 1;
        }
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    signal_ready();
    while (waitpid(child, &status, 0) < 0) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
