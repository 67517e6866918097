/* sieve: primes up to N (Sieve of Eratosthenes), the compute-bound workload.
 *   sieve [N] [REPEAT]     defaults: N = 1000000, REPEAT = 1
 * Prints {"n":N,"primes":...,"elapsedNs":...,"cpuNs":...,"nsPerOp":...,"primesPerSec":...}. */
#include <stdio.h>
#include <string.h>
#include "common.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    long repeat = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
    if (n < 2 || n > 4000000000L || repeat < 1 || argc > 3) {
        fprintf(stderr, "usage: sieve [N >= 2] [REPEAT >= 1]\n");
        return 2;
    }
    unsigned char *composite = malloc((size_t)n + 1);
    if (!composite) {
        fprintf(stderr, "sieve: cannot allocate %ld bytes\n", n + 1);
        return 1;
    }
    signal_ready();
    uint64_t t0 = now_ns(), c0 = cpu_ns();
    long count = 0;
    for (long r = 0; r < repeat; r++) {
        memset(composite, 0, (size_t)n + 1);
        count = 0;
        for (long i = 2; i <= n; i++) {
            if (composite[i]) continue;
            count++;
            for (long j = i * i; j <= n && i <= n / i; j += i) composite[j] = 1;
        }
    }
    uint64_t elapsed = now_ns() - t0, cpu = cpu_ns() - c0;
    double ops = (double)n * (double)repeat;
    printf("{\"n\":%ld,\"repeat\":%ld,\"primes\":%ld,\"elapsedNs\":%llu,\"cpuNs\":%llu,\"nsPerOp\":%.4f,\"primesPerSec\":%.1f}\n",
           n, repeat, count, (unsigned long long)elapsed, (unsigned long long)cpu, elapsed / ops,
           elapsed ? (double)count * repeat * 1e9 / (double)elapsed : 0.0);
    free(composite);
    return 0;
}
