/* The one clock every timestamp of nsbench comes from. */
#define _GNU_SOURCE
#include <time.h>
#include "nsb.h"

uint64_t nsb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
