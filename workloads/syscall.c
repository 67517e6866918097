/* syscall: a cheap system call in a loop, the floor any isolation may touch.
 *   syscall [COUNT]   default 1000000 getppid() calls (not cached by libc)
 * Prints {"calls":..,"elapsedNs":..,"nsPerCall":..}. */
#include <stdio.h>
#include <sys/syscall.h>
#include "common.h"

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (argc > 2 || count < 1) {
        fprintf(stderr, "usage: syscall [COUNT >= 1]\n");
        return 2;
    }
    signal_ready();
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) syscall(SYS_getppid);
    uint64_t el = now_ns() - t0;
    printf("{\"calls\":%ld,\"elapsedNs\":%llu,\"nsPerCall\":%.2f}\n", count, (unsigned long long)el, (double)el / (double)count);
    return 0;
}
