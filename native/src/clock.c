/* The one clock every timestamp of nsbench comes from. */
#define _GNU_SOURCE
#include <time.h>
#include "nsb.h"

uint64_t nsb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t nsb_keep_gap(uint64_t prev_exit, uint64_t gap_ns) {
    if (!gap_ns || !prev_exit) return 0;
    uint64_t start = nsb_now_ns(), until = prev_exit + gap_ns;
    if (start >= until) return 0;
    struct timespec ts = {(time_t)(until / 1000000000ull), (long)(until % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {} /* EINTR: sleep on */
    return nsb_now_ns() - start;
}
