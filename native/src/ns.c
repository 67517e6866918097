/* The namespace table: one row per namespace, no chains of ifs. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include "nsb.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

const struct nsb_ns_info nsb_ns_table[] = {
    {"user", NSB_NS_USER, CLONE_NEWUSER, "user"},
    {"pid", NSB_NS_PID, CLONE_NEWPID, "pid"},
    {"mnt", NSB_NS_MNT, CLONE_NEWNS, "mnt"},
    {"net", NSB_NS_NET, CLONE_NEWNET, "net"},
    {"ipc", NSB_NS_IPC, CLONE_NEWIPC, "ipc"},
    {"uts", NSB_NS_UTS, CLONE_NEWUTS, "uts"},
    {"cgroup", NSB_NS_CGROUP, CLONE_NEWCGROUP, "cgroup"},
    {"time", NSB_NS_TIME, CLONE_NEWTIME, "time"},
};
const unsigned nsb_ns_count = sizeof(nsb_ns_table) / sizeof(nsb_ns_table[0]);

static int lookup(const char *name, size_t len, uint32_t *bit) {
    for (unsigned i = 0; i < nsb_ns_count; i++) {
        if (strlen(nsb_ns_table[i].name) == len && memcmp(nsb_ns_table[i].name, name, len) == 0) {
            *bit = nsb_ns_table[i].bit;
            return 0;
        }
    }
    if ((len == 3 && memcmp(name, "all", 3) == 0)) { *bit = NSB_NS_ALL; return 0; }
    if ((len == 4 && (memcmp(name, "none", 4) == 0 || memcmp(name, "bare", 4) == 0))) { *bit = 0; return 0; }
    return -1;
}

int nsb_ns_parse(const char *list, uint32_t *bits, char *bad, size_t badlen) {
    uint32_t acc = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",+ ");
        if (len > 0) {
            uint32_t bit;
            if (lookup(p, len, &bit) < 0) {
                if (bad && badlen) snprintf(bad, badlen, "%.*s", (int)len, p);
                return -1;
            }
            acc |= bit;
        }
        p += len;
        if (*p) p++;
    }
    *bits = acc;
    return 0;
}

uint64_t nsb_ns_clone_flags(uint32_t bits) {
    uint64_t flags = 0;
    for (unsigned i = 0; i < nsb_ns_count; i++)
        if (bits & nsb_ns_table[i].bit) flags |= nsb_ns_table[i].clone_flag;
    return flags;
}

void nsb_ns_format(uint32_t bits, char *out, size_t outlen) {
    size_t used = 0;
    if (outlen) out[0] = 0;
    for (unsigned i = 0; i < nsb_ns_count; i++) {
        if (!(bits & nsb_ns_table[i].bit)) continue;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", nsb_ns_table[i].name);
        if (n < 0 || (size_t)n >= outlen - used) return;
        used += (size_t)n;
    }
}
