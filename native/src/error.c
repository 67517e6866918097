/* Errors with errno, the failing call and a hint the user can act on. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "nsb.h"

void nsb_error_set(struct nsb_error *e, int err, const char *syscall, const char *fmt, ...) {
    if (!e) return;
    e->err = err;
    snprintf(e->syscall, sizeof e->syscall, "%s", syscall ? syscall : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

const char *nsb_errno_name(int err) {
    const char *name = strerrorname_np(err);
    return name ? name : "EUNKNOWN";
}

struct hint {
    int err;
    const char *syscall_prefix; /* "" matches any call */
    uint32_t needs_ns;          /* 0: any namespace set */
    const char *text;
};

static const struct hint hints[] = {
    {EPERM, "clone", NSB_NS_USER,
     "user namespaces are not allowed here: sysctl kernel.unprivileged_userns_clone=1 or "
     "kernel.apparmor_restrict_unprivileged_userns=0, and check user.max_user_namespaces"},
    {EPERM, "clone", 0, "creating namespaces needs CAP_SYS_ADMIN: run as root, or add the user namespace"},
    {ENOSPC, "clone", 0, "namespace limit reached: raise /proc/sys/user/max_*_namespaces"},
    {EUSERS, "clone", 0, "user namespace nesting limit reached (32 levels)"},
    {EINVAL, "clone", NSB_NS_TIME, "this kernel has no time namespaces (needs Linux 5.6+ with CONFIG_TIME_NS)"},
    {EINVAL, "clone", 0, "a requested namespace type is not built into this kernel: see `nsbench doctor`"},
    {ENOSYS, "clone3", 0, "clone3() is missing (Linux < 5.3): nsbench falls back to clone()"},
    {EPERM, "write uid_map", 0, "the launcher may not map that uid: run as root or map to your own uid"},
    {EPERM, "mount", 0, "a mount inside the sandbox was refused (for /proc: the host's /proc has locked over-mounts, as in a container): give the variant setup: false (a launch scenario skips the in-sandbox setup), or leave out the mnt namespace"},
    {ENOENT, "execve", 0, "the program (or its interpreter) does not exist inside the sandbox: check the path; nsbench's own workloads are built by `npm install`"},
    {EACCES, "execve", 0, "the workload is not executable by the sandbox's uid: check its mode and the uid map"},
    {EMFILE, "", 0, "too many open files: raise `ulimit -n`"},
    {EAGAIN, "clone", 0, "process limit reached: check ulimit -u, pids.max and kernel.pid_max"},
};

const char *nsb_hint(int err, const char *syscall, uint32_t bits) {
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        const struct hint *h = &hints[i];
        if (h->err != err) continue;
        if (strncmp(syscall ? syscall : "", h->syscall_prefix, strlen(h->syscall_prefix)) != 0) continue;
        if (h->needs_ns && !(bits & h->needs_ns)) continue;
        return h->text;
    }
    return "";
}
