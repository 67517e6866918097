/* memory: bandwidth and page-fault rate.
 *   memory bandwidth [SIZE] [ROUNDS]   copy and triad over three arrays of SIZE bytes each (default 64M, 5)
 *   memory faults [SIZE] [ROUNDS]      mmap, touch every page, munmap (default 64M, 20)
 * Prints one JSON line: copyMBPerSec/triadMBPerSec, or faultsPerSec/nsPerFault. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "common.h"

static int usage(void) {
    fprintf(stderr, "usage: memory bandwidth|faults [SIZE] [ROUNDS]\n");
    return 2;
}

static int bandwidth(uint64_t size, long rounds) {
    size_t n = (size_t)(size / sizeof(double));
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    if (!a || !b || !c) {
        fprintf(stderr, "memory: cannot allocate 3 × %llu bytes\n", (unsigned long long)size);
        return 1;
    }
    for (size_t i = 0; i < n; i++) a[i] = 1.0, b[i] = 2.0, c[i] = 0.0;
    signal_ready();
    uint64_t best_copy = UINT64_MAX, best_triad = UINT64_MAX, start = now_ns();
    for (long r = 0; r < rounds; r++) {
        uint64_t t0 = now_ns();
        memcpy(c, a, n * sizeof *a);
        uint64_t t1 = now_ns();
        for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
        uint64_t t2 = now_ns();
        if (t1 - t0 < best_copy) best_copy = t1 - t0;
        if (t2 - t1 < best_triad) best_triad = t2 - t1;
    }
    uint64_t elapsed = now_ns() - start;
    double mb = (double)(n * sizeof(double)) / 1048576.0;
    printf("{\"sizeBytes\":%llu,\"rounds\":%ld,\"elapsedNs\":%llu,\"copyMBPerSec\":%.1f,\"triadMBPerSec\":%.1f,\"check\":%.1f}\n",
           (unsigned long long)size, rounds, (unsigned long long)elapsed, 2 * mb * 1e9 / (double)best_copy,
           3 * mb * 1e9 / (double)best_triad, a[n / 2]);
    return 0;
}

static int faults(uint64_t size, long rounds) {
    long page = sysconf(_SC_PAGESIZE);
    signal_ready();
    uint64_t t0 = now_ns(), touched = 0;
    for (long r = 0; r < rounds; r++) {
        char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            fprintf(stderr, "memory: mmap %llu: failed\n", (unsigned long long)size);
            return 1;
        }
        for (uint64_t i = 0; i < size; i += (uint64_t)page) p[i] = 1;
        touched += size / (uint64_t)page;
        munmap(p, size);
    }
    uint64_t el = now_ns() - t0;
    printf("{\"sizeBytes\":%llu,\"rounds\":%ld,\"faults\":%llu,\"elapsedNs\":%llu,\"faultsPerSec\":%.1f,\"nsPerFault\":%.1f}\n",
           (unsigned long long)size, rounds, (unsigned long long)touched, (unsigned long long)el,
           (double)touched * 1e9 / (double)el, (double)el / (double)touched);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) return usage();
    int bw = strcmp(argv[1], "bandwidth") == 0;
    if (!bw && strcmp(argv[1], "faults") != 0) return usage();
    uint64_t size = argc > 2 ? parse_size(argv[2]) : (64u << 20);
    long rounds = argc > 3 ? strtol(argv[3], NULL, 10) : (bw ? 5 : 20);
    if (size < 4096 || rounds < 1) return usage();
    return bw ? bandwidth(size, rounds) : faults(size, rounds);
}
