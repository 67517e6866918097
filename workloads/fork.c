/* fork: fork+exit+wait rate inside the sandbox.
 *   fork [COUNT]   default 2000
 * Prints {"forks":..,"elapsedNs":..,"forksPerSec":..,"nsPerFork":..}. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "common.h"

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    if (argc > 2 || count < 1) {
        fprintf(stderr, "usage: fork [COUNT >= 1]\n");
        return 2;
    }
    signal_ready();
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) {
        pid_t p = fork();
        if (p < 0) {
            fprintf(stderr, "fork: %s after %ld forks\n", strerror(errno), i);
            return 1;
        }
        if (p == 0) _exit(0);
        if (waitpid(p, NULL, 0) < 0) return 1;
    }
    uint64_t el = now_ns() - t0;
    printf("{\"forks\":%ld,\"elapsedNs\":%llu,\"forksPerSec\":%.1f,\"nsPerFork\":%.1f}\n", count, (unsigned long long)el,
           (double)count * 1e9 / (double)el, (double)el / (double)count);
    return 0;
}
