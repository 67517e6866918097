/* Shared by the built-in workloads: the ready signal and time. */
#ifndef NSB_WORKLOAD_COMMON_H
#define NSB_WORKLOAD_COMMON_H
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* One byte on the fd named by NSB_READY_FD: "ready, measure from here". */
static inline void signal_ready(void) {
    const char *fd = getenv("NSB_READY_FD");
    if (fd && *fd) {
        char byte = 'R';
        (void)!write(atoi(fd), &byte, 1);
    }
}

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Parses "64M", "1G", "4096" (binary units); 0 on error. */
static inline uint64_t parse_size(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return 0;
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: break;
    }
    return *end ? 0 : (uint64_t)v;
}
#endif
