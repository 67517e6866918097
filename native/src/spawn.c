/* Sandbox creation: clone3() (or clone()) with CLONE_NEW* flags, uid/gid maps
 * written while the child waits, child-side namespace setup, exec, and the
 * wait for ready/exit with a timeout. Timestamps are CLOCK_MONOTONIC.
 *
 * The launcher is single-threaded, so the child of a raw clone may use the
 * process's memory freely; still, between clone and execve it only makes
 * system calls (async-signal-safe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "nsb.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define DEFAULT_HOSTNAME "nsb-sandbox"
#define OUTPUT_DRAIN_MAX (1u << 20) /* bytes read after exit before we stop draining */

struct clone_args_v2 { /* struct clone_args up to the cgroup field (CLONE_ARGS_SIZE_VER2) */
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

/* Written by the child before exec, read by the launcher after reaping. */
struct child_page {
    uint64_t t_child_start, t_maps_done, t_setup_begin, t_setup_done, t_exec;
    uint64_t setup[NSB_SETUP_COUNT];
    int32_t err;
    char syscall[32];
    char stage_buf[32];
};

/* The vfork-style child's stack: the child path is one function with a few locals (an ifreq the largest). */
#define NSB_VSTACK_SIZE (256 * 1024)

struct nsb_core {
    struct child_page *page;
    int devnull;
    int own_netns; /* to return to after cloning into another network namespace */
    int own_mntns; /* likewise for a mount namespace */
    int own_cwd;   /* the working directory to return to (entering a mount namespace moves it to its root) */
    void *vstack;  /* the stack a vfork-style child runs on (the launcher is suspended meanwhile) */
    int has_clone3;
    uid_t euid;
    gid_t egid;
};

static int probe_clone3(void) {
    /* clone3 with a NULL argument fails with EFAULT/EINVAL where it exists. */
    long r = syscall(SYS_clone3, NULL, 0);
    return !(r < 0 && errno == ENOSYS);
}

int nsb_core_init(struct nsb_core **out, struct nsb_error *err) {
    /* Keep fds 0-2 occupied so that pipes never land there (the child's dup2
     * sequence relies on it). */
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) < 0) {
            int n = open("/dev/null", O_RDWR);
            if (n < 0) { nsb_error_set(err, errno, "open", "cannot open /dev/null"); return -1; }
        }
    }
    struct nsb_core *c = calloc(1, sizeof *c);
    if (!c) { nsb_error_set(err, ENOMEM, "calloc", "out of memory"); return -1; }
    c->page = mmap(NULL, sizeof(struct child_page), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c->page == MAP_FAILED) {
        nsb_error_set(err, errno, "mmap", "cannot map the shared child page");
        free(c);
        return -1;
    }
    c->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (c->devnull < 0) {
        nsb_error_set(err, errno, "open", "cannot open /dev/null");
        munmap(c->page, sizeof(struct child_page));
        free(c);
        return -1;
    }
    c->own_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    c->own_mntns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    c->own_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    c->vstack = mmap(NULL, NSB_VSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (c->vstack == MAP_FAILED) c->vstack = NULL; /* then fork-style only */
    c->has_clone3 = probe_clone3();
    c->euid = geteuid();
    c->egid = getegid();
    *out = c;
    return 0;
}

void nsb_core_free(struct nsb_core *c) {
    if (!c) return;
    munmap(c->page, sizeof(struct child_page));
    close(c->devnull);
    nsb_close_fd(&c->own_netns);
    nsb_close_fd(&c->own_mntns);
    nsb_close_fd(&c->own_cwd);
    if (c->vstack) munmap(c->vstack, NSB_VSTACK_SIZE);
    free(c);
}

int nsb_core_has_clone3(const struct nsb_core *c) { return c->has_clone3; }

/* ---- child side (raw system calls only) ----------------------------------- */
/*
 * After a fork-style clone the child shares no page-table entries for file
 * mappings: every code page it touches costs a page fault (a few µs in a VM).
 * So the child path is one function with inline system calls -- no libc
 * wrappers, no vDSO -- and stays on a page or two. That keeps the harness's
 * own footprint out of the boot time it measures.
 */
#if defined(__x86_64__)
static inline __attribute__((always_inline)) long csys6(long n, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
    return ret; /* -errno on failure */
}
#else
static inline long csys6(long n, long a, long b, long c, long d, long e, long f) {
    long r = syscall(n, a, b, c, d, e, f);
    return r < 0 ? -errno : r;
}
#endif
#define CSYS(n, a, b, c) csys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define CSYS5(n, a, b, c, d, e) csys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static inline __attribute__((always_inline)) uint64_t child_now_ns(void) {
    struct timespec ts;
    CSYS(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline __attribute__((always_inline)) void copy_str(char *dst, size_t cap, const char *src) {
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = src[i];
    dst[i] = 0;
}

#define CHILD_FAIL(stage, call, negerr)                              \
    do {                                                             \
        pg->err = (int)-(negerr);                                    \
        copy_str(pg->stage_buf, sizeof pg->stage_buf, (stage));      \
        copy_str(pg->syscall, sizeof pg->syscall, (call));           \
        CSYS(SYS_exit_group, 127, 0, 0);                             \
        __builtin_unreachable();                                     \
    } while (0)

struct child_fds { int sync_r, ready_w, out_w, err_w, devnull; };

/* vfork-style with a user namespace: the maps the child writes itself (its own ids, one line each), made ready by
 * the launcher; NULL fork-style, where the launcher writes them while the child waits. */
struct child_maps { char uid[32], gid[32]; size_t uid_len, gid_len; };

static inline __attribute__((always_inline)) long child_write_file(const char *path, const char *text, size_t len) {
    int f = (int)CSYS(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
    if (f < 0) return f;
    long r = CSYS(SYS_write, f, text, len);
    CSYS(SYS_close, f, 0, 0);
    return r == (long)len ? 0 : r < 0 ? r : -EIO;
}

__attribute__((noreturn, noinline, hot)) static void child_main(struct nsb_core *core, const struct nsb_spec *spec,
                                                              const struct child_fds *fd, int become_root,
                                                              const char *const *envp, const struct child_maps *maps) {
    struct child_page *pg = core->page;
    long r;
    pg->t_child_start = child_now_ns();
    /* a sandbox never outlives its launcher: if the launcher is killed, so is the sandbox
     * (and, as pid 1 of a pid namespace, everything in it) */
    CSYS(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0);

    if (fd->sync_r >= 0) { /* wait until the launcher wrote our maps / placed us */
        char c;
        do r = CSYS(SYS_read, fd->sync_r, &c, 1); while (r == -EINTR);
        if (r != 1) CSYS(SYS_exit_group, 126, 0, 0); /* the launcher gave up on us */
    }
    if (maps) { /* vfork-style: the launcher is suspended until our exec, so we write our own maps */
        if ((r = child_write_file("/proc/self/uid_map", maps->uid, maps->uid_len)) < 0) CHILD_FAIL("write uid_map", "write", r);
        if ((r = child_write_file("/proc/self/setgroups", "deny\n", 5)) < 0) CHILD_FAIL("deny setgroups", "write", r);
        if ((r = child_write_file("/proc/self/gid_map", maps->gid, maps->gid_len)) < 0) CHILD_FAIL("write gid_map", "write", r);
        pg->t_maps_done = child_now_ns();
    }
    if (become_root) { /* uid 0 inside maps to an unprivileged host uid */
        if ((r = CSYS(SYS_setgroups, 0, 0, 0)) < 0) CHILD_FAIL("drop groups", "setgroups", r);
        if ((r = CSYS(SYS_setresgid, 0, 0, 0)) < 0) CHILD_FAIL("become root", "setresgid", r);
        if ((r = CSYS(SYS_setresuid, 0, 0, 0)) < 0) CHILD_FAIL("become root", "setresuid", r);
    }
    if (spec->time_offsets) { /* a time namespace with offsets: made here, entered by the execve below */
        if ((r = CSYS(SYS_unshare, CLONE_NEWTIME, 0, 0)) < 0) CHILD_FAIL("time namespace", "unshare", r);
        int tfd = (int)CSYS(SYS_openat, AT_FDCWD, "/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (tfd < 0) CHILD_FAIL("set clock offsets", "open", tfd);
        size_t len = 0;
        while (spec->time_offsets[len]) len++;
        if ((r = CSYS(SYS_write, tfd, spec->time_offsets, len)) != (long)len) CHILD_FAIL("set clock offsets", "write", r < 0 ? r : -EIO);
        CSYS(SYS_close, tfd, 0, 0);
    }
    /* the setup a usable sandbox needs inside, each step timed (a cost of its own, apart from the namespaces') */
    const int setup = !(spec->opts & NSB_OPT_NO_SETUP);
    uint64_t t = child_now_ns(), t_next;
    pg->t_setup_begin = t;
#define STEP_DONE(step) (t_next = child_now_ns(), pg->setup[(step)] = t_next - t, t = t_next)
    if (setup && (spec->ns & NSB_NS_MNT)) {
        if ((r = CSYS5(SYS_mount, 0, "/", 0, MS_REC | MS_PRIVATE, 0)) < 0) CHILD_FAIL("private propagation", "mount", r);
        STEP_DONE(NSB_SETUP_PROPAGATION);
        if ((spec->ns & NSB_NS_PID) && !(spec->opts & NSB_OPT_NO_PROC)) {
            if ((r = CSYS5(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0)) < 0) CHILD_FAIL("mount /proc", "mount", r);
            STEP_DONE(NSB_SETUP_PROC);
        }
        if (spec->tmpfs) {
            if ((r = CSYS5(SYS_mount, "tmpfs", spec->tmpfs, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")) < 0) CHILD_FAIL("mount tmpfs", "mount", r);
            STEP_DONE(NSB_SETUP_TMPFS);
        }
    }
    if (setup && (spec->ns & NSB_NS_NET) && !(spec->opts & NSB_OPT_NO_LO)) {
        int s = (int)CSYS(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) CHILD_FAIL("bring lo up", "socket", s);
        struct ifreq ifr;
        for (size_t i = 0; i < sizeof ifr; i++) ((char *)&ifr)[i] = 0;
        copy_str(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        if ((r = CSYS(SYS_ioctl, s, SIOCGIFFLAGS, &ifr)) < 0) CHILD_FAIL("bring lo up", "ioctl", r);
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if ((r = CSYS(SYS_ioctl, s, SIOCSIFFLAGS, &ifr)) < 0) CHILD_FAIL("bring lo up", "ioctl", r);
        CSYS(SYS_close, s, 0, 0);
        STEP_DONE(NSB_SETUP_LO);
    }
    if (setup && (spec->ns & NSB_NS_UTS)) {
        const char *h = spec->hostname ? spec->hostname : DEFAULT_HOSTNAME;
        size_t len = 0;
        while (h[len]) len++;
        if ((r = CSYS(SYS_sethostname, h, len, 0)) < 0) CHILD_FAIL("set hostname", "sethostname", r);
        STEP_DONE(NSB_SETUP_HOSTNAME);
    }
#undef STEP_DONE
    if (spec->cwd && (r = CSYS(SYS_chdir, spec->cwd, 0, 0)) < 0) CHILD_FAIL("change directory", "chdir", r);
    pg->t_setup_done = child_now_ns();

    /* stdin /dev/null, stdout/stderr to the launcher, the ready pipe on fd 3.
     * fds 0-2 are always open in the launcher, so no source is overwritten
     * before it is used; every other fd of the launcher is O_CLOEXEC. */
    const int src[4] = {fd->devnull, fd->out_w, fd->err_w, fd->ready_w};
    for (int dst = 0; dst <= NSB_READY_FD; dst++) {
        r = src[dst] == dst ? CSYS(SYS_fcntl, dst, F_SETFD, 0) /* dup2 would keep O_CLOEXEC */
                            : CSYS(SYS_dup2, src[dst], dst, 0);
        if (r < 0) CHILD_FAIL("set up fds", "dup2", r);
    }
    pg->t_exec = child_now_ns();
    r = CSYS(SYS_execve, spec->path, spec->argv, envp);
    CHILD_FAIL("exec workload", "execve", r);
}

/* ---- launcher side -------------------------------------------------------- */

static int write_proc_file(pid_t pid, const char *name, const char *text, struct nsb_error *err) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        nsb_error_set(err, errno, "open", "cannot open %s", path);
        return -1;
    }
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)len) {
        char call[32];
        snprintf(call, sizeof call, "write %s", name);
        nsb_error_set(err, n < 0 ? saved : EIO, call, "cannot write \"%.*s\" to %s", (int)len - 1, text, path);
        return -1;
    }
    return 0;
}

static int write_pid_to(const char *file, pid_t pid, struct nsb_error *err) {
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        nsb_error_set(err, errno, "open", "cannot open %s", file);
        return -1;
    }
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%d\n", (int)pid);
    ssize_t n = write(fd, buf, (size_t)len);
    int saved = errno;
    close(fd);
    if (n != len) {
        nsb_error_set(err, n < 0 ? saved : EIO, "write cgroup.procs", "cannot move pid %d into %s", (int)pid, file);
        return -1;
    }
    return 0;
}

static int64_t tv_us(struct timeval tv) { return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec; }

static void fail_result(struct nsb_result *res, int state, const struct nsb_error *e, uint32_t ns) {
    res->state = state;
    res->error = *e;
    const char *hint = nsb_hint(e->err, e->syscall, ns);
    if (*hint) {
        size_t used = strlen(res->error.message);
        snprintf(res->error.message + used, sizeof res->error.message - used, ": %s", hint);
    }
}

/* One read into buf (or a scratch buffer past cap), after poll said the pipe
 * is readable; the pipes block, so there is no fcntl per launch. Returns 1 at
 * EOF/error or past the drain limit: stop polling it. */
static int capture_read(int fd, char *buf, uint32_t cap, uint32_t *len, uint32_t *drained) {
    char scratch[4096];
    char *dst = *len < cap ? buf + *len : scratch;
    size_t room = *len < cap ? cap - *len : sizeof scratch;
    ssize_t n;
    do n = read(fd, dst, room); while (n < 0 && errno == EINTR);
    if (n <= 0) return 1;
    if (dst != scratch) *len += (uint32_t)n;
    *drained += (uint32_t)n;
    return *drained > OUTPUT_DRAIN_MAX;
}

/* What the workload wrote just before exiting. Descendants that outlive it may
 * hold the pipe open, so read only what is there now, never wait for EOF. */
static void capture_drain(int fd, char *buf, uint32_t cap, uint32_t *len, uint32_t *drained) {
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP)) && !capture_read(fd, buf, cap, len, drained)) {}
}

static int send_kill(int pidfd, pid_t pid, int sig) {
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0) return 0;
    return kill(pid, sig); /* only if pidfd signalling is missing; pid is our unreaped child */
}

static int do_clone(struct nsb_core *core, uint64_t flags, int cgroup_fd, int force_clone,
                    int *pidfd, int *path, struct nsb_error *err) {
    if (core->has_clone3 && !force_clone) {
        struct clone_args_v2 a;
        memset(&a, 0, sizeof a);
        a.flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
        a.pidfd = (uint64_t)(uintptr_t)pidfd;
        a.exit_signal = SIGCHLD;
        a.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0;
        *path = NSB_PATH_CLONE3;
        long r = syscall(SYS_clone3, &a, sizeof a);
        if (r >= 0) return (int)r;
        if (errno != ENOSYS) {
            nsb_error_set(err, errno, "clone3", "clone3 failed");
            return -1;
        }
        core->has_clone3 = 0; /* and fall through to clone() */
    }
    *path = NSB_PATH_CLONE;
    /* x86-64/arm64 argument order: flags, stack, parent_tid, child_tid, tls.
     * With CLONE_PIDFD the pidfd is stored at parent_tid. */
    long r = syscall(SYS_clone, (unsigned long)flags | CLONE_PIDFD | SIGCHLD, NULL, pidfd, NULL, 0);
    if (r < 0) {
        nsb_error_set(err, errno, "clone", "clone failed");
        return -1;
    }
    return (int)r;
}

/* ---- vfork-style creation ---------------------------------------------------
 * CLONE_VM | CLONE_VFORK, as posix_spawn does: no copy of the launcher's page
 * tables, the launcher suspended until the child's execve (or exit). The
 * child runs child_main on a stack of its own (core->vstack); clone3 has no
 * libc wrapper that takes a function, so the child side is entered here. */
struct vfork_arg {
    struct nsb_core *core;
    const struct nsb_spec *spec;
    const struct child_fds *fd;
    const char *const *envp;
    const struct child_maps *maps;
};

__attribute__((noreturn)) static void vfork_child(void *p) {
    const struct vfork_arg *a = p;
    child_main(a->core, a->spec, a->fd, 0, a->envp, a->maps);
}

#if defined(__x86_64__)
/* clone3 with the child on args->stack: the child calls fn(arg) and never returns here. -errno on failure. */
static long clone3_on_stack(struct clone_args_v2 *args, void (*fn)(void *), void *arg) {
    register long r12 __asm__("r12") = (long)fn;
    register long r13 __asm__("r13") = (long)arg;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "mov %%r13, %%rdi\n\t"
                     "call *%%r12\n\t"
                     "mov $231, %%eax\n\t" /* exit_group(127): fn does not return */
                     "mov $127, %%edi\n\t"
                     "syscall\n\t"
                     "1:\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_clone3), "D"(args), "S"(sizeof *args), "r"(r12), "r"(r13)
                     : "rcx", "r11", "memory");
    return ret;
}
#endif

/* How this request's sandbox is made when vfork-style is asked for: vfork-style, or why fork-style. */
static int vfork_method(const struct nsb_core *core, int force_clone, int become_root, unsigned n_v1, int v2_by_write) {
#if !defined(__x86_64__)
    (void)core; (void)force_clone; (void)become_root; (void)n_v1; (void)v2_by_write;
    return NSB_CREATE_FORK_ARCH;
#else
    if (!core->has_clone3 || force_clone || !core->vstack) return NSB_CREATE_FORK_CLONE;
    if (become_root) return NSB_CREATE_FORK_MAPS;
    if (n_v1 || v2_by_write) return NSB_CREATE_FORK_CGROUP;
    return NSB_CREATE_VFORK;
#endif
}

static int do_vfork(struct nsb_core *core, uint64_t flags, int cgroup_fd, int *pidfd, struct vfork_arg *arg,
                    struct nsb_error *err) {
#if defined(__x86_64__)
    struct clone_args_v2 a;
    memset(&a, 0, sizeof a);
    a.flags = flags | CLONE_VM | CLONE_VFORK | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
    a.pidfd = (uint64_t)(uintptr_t)pidfd;
    a.exit_signal = SIGCHLD;
    a.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0;
    a.stack = (uint64_t)(uintptr_t)core->vstack;
    a.stack_size = NSB_VSTACK_SIZE;
    long r = clone3_on_stack(&a, vfork_child, arg);
    if (r < 0) {
        nsb_error_set(err, (int)-r, "clone3", "clone3 (vfork-style) failed");
        return -1;
    }
    return (int)r;
#else
    (void)core; (void)flags; (void)cgroup_fd; (void)pidfd; (void)arg;
    nsb_error_set(err, ENOSYS, "clone3", "vfork-style creation is built for x86-64 only");
    return -1;
#endif
}

static void sandbox_close(struct nsb_sandbox *sb) {
    nsb_close_fd(&sb->pidfd);
    nsb_close_fd(&sb->ready_fd);
    nsb_close_fd(&sb->out_fd);
    nsb_close_fd(&sb->err_fd);
}

static void launcher_cpu(struct nsb_sandbox *sb, struct nsb_result *res) {
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    res->launcher_utime_us = tv_us(self.ru_utime) - sb->launcher_utime0_us;
    res->launcher_stime_us = tv_us(self.ru_stime) - sb->launcher_stime0_us;
}

/* Writes maps and cgroup.procs while the child waits, then releases it. */
static int place_and_release(struct nsb_core *core, const struct nsb_spec *spec, struct nsb_sandbox *sb,
                             int sync_w, int become_root, int64_t map_uid, int64_t map_gid, unsigned n_v1,
                             int v2_by_write, struct nsb_error *e) {
    int rc = 0;
    (void)core;
    if (spec->ns & NSB_NS_USER) {
        char map[64];
        snprintf(map, sizeof map, "0 %lld 1\n", (long long)map_uid);
        rc = write_proc_file(sb->pid, "uid_map", map, e);
        if (rc == 0 && !become_root) rc = write_proc_file(sb->pid, "setgroups", "deny\n", e);
        snprintf(map, sizeof map, "0 %lld 1\n", (long long)map_gid);
        if (rc == 0) rc = write_proc_file(sb->pid, "gid_map", map, e);
        sb->t[NSB_T_MAPS_DONE] = nsb_now_ns();
    }
    if (rc == 0 && v2_by_write) {
        char procs[4096];
        snprintf(procs, sizeof procs, "%s/cgroup.procs", spec->cgroup);
        rc = write_pid_to(procs, sb->pid, e);
    }
    for (unsigned i = 0; rc == 0 && i < n_v1; i++) rc = write_pid_to(spec->cgroup_v1[i], sb->pid, e);
    if (rc == 0 && (v2_by_write || n_v1)) sb->t[NSB_T_CGROUP_DONE] = nsb_now_ns();
    if (rc == 0 && write(sync_w, "g", 1) != 1) {
        nsb_error_set(e, errno, "write", "cannot release the child");
        rc = -1;
    }
    return rc;
}

int nsb_spec_check(const struct nsb_spec *spec, int has_clone3, struct nsb_error *e) {
    int force_clone = (spec->opts & NSB_OPT_FORCE_CLONE) != 0;
    if (!spec->path || spec->argc == 0)
        nsb_error_set(e, EINVAL, "request", "no program to run");
    else if (spec->time_offsets && !(spec->ns & NSB_NS_TIME))
        nsb_error_set(e, EINVAL, "request", "clock offsets need a time namespace");
    else if ((spec->ns & NSB_NS_TIME) && !spec->time_offsets && (force_clone || !has_clone3))
        nsb_error_set(e, EINVAL, "request", "a time namespace needs clone3() (its flag collides with clone()'s exit signal)");
    else if (spec->netns && (spec->ns & NSB_NS_NET))
        nsb_error_set(e, EINVAL, "request", "join a network namespace or create one, not both");
    else if (spec->tmpfs && (!(spec->ns & NSB_NS_MNT) || (spec->opts & NSB_OPT_NO_SETUP)))
        nsb_error_set(e, EINVAL, "request", "a tmpfs of the sandbox's own needs a mount namespace and its setup (private propagation)");
    else
        return 0;
    return -1;
}

static void fill_common(const struct nsb_sandbox *sb, struct nsb_result *res) {
    memcpy(res->t, sb->t, sizeof res->t);
    memcpy(res->setup_ns, sb->setup_ns, sizeof res->setup_ns);
    res->t_setup_begin = sb->t_setup_begin;
    res->pid = sb->pid;
    res->clone_path = sb->clone_path;
    res->cgroup_method = sb->cgroup_method;
    res->create_method = sb->create_method;
    res->ready = sb->ready;
}

/* The one ending of a spawn or a wait that went wrong: a child that exists is
 * killed and reaped, the sandbox's descriptors closed, the result failed with
 * e (and its hint for ns), the launcher's CPU counted. Returns 1 (reaped). */
static int kill_reap_fail(struct nsb_sandbox *sb, struct nsb_result *res, const struct nsb_error *e, uint32_t ns) {
    if (sb->pid > 0) {
        send_kill(sb->pidfd, sb->pid, SIGKILL);
        while (waitpid(sb->pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    fill_common(sb, res);
    sandbox_close(sb);
    fail_result(res, NSB_CLONE_FAILED, e, ns);
    launcher_cpu(sb, res);
    return -1;
}

static const char *ns_kind(int nstype) { return nstype == CLONE_NEWNS ? "mount" : "network"; }

/* Enters the network (CLONE_NEWNET) or mount (CLONE_NEWNS) namespace at path for the clone: 0 with *fd open, or -1
 * with e filled. */
static int enter_ns(const char *path, int nstype, int *fd, struct nsb_error *e) {
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        nsb_error_set(e, errno, "open", "cannot open %s namespace %s", ns_kind(nstype), path);
        return -1;
    }
    if (setns(*fd, nstype) < 0) {
        nsb_error_set(e, errno, "setns", "cannot enter %s namespace %s", ns_kind(nstype), path);
        return -1;
    }
    return 0;
}

/* Back to the launcher's own namespace of that type after a clone from another (a mount namespace: its working
 * directory too, which entering one moved to its root); a launcher that cannot go home must not go on. */
static void go_home(struct nsb_core *core, int nstype) {
    int mnt = nstype == CLONE_NEWNS;
    if (setns(mnt ? core->own_mntns : core->own_netns, nstype) < 0 ||
        (mnt && core->own_cwd >= 0 && fchdir(core->own_cwd) < 0)) {
        fprintf(stderr, "nsb-launcher: cannot return to its own %s namespace: %s\n", ns_kind(nstype), strerror(errno));
        abort();
    }
}

int nsb_spawn(struct nsb_core *core, const struct nsb_spec *spec, uint64_t t_request, struct nsb_result *res,
              struct nsb_sandbox *sb) {
    struct nsb_error e = {0};
    memset(res, 0, offsetof(struct nsb_result, out));
    memset(sb, 0, sizeof *sb);
    sb->pid = -1;
    sb->pidfd = sb->ready_fd = sb->out_fd = sb->err_fd = -1;
    sb->ns = spec->ns;
    sb->t[NSB_T_REQUEST] = t_request;
    res->t[NSB_T_REQUEST] = t_request;
    res->pid = -1;

    int force_clone = (spec->opts & NSB_OPT_FORCE_CLONE) != 0;
    if (nsb_spec_check(spec, core->has_clone3, &e) < 0) {
        fail_result(res, NSB_CLONE_FAILED, &e, 0);
        return -1;
    }

    /* environment: the caller's, plus where to signal ready */
    const char *envp[NSB_MAX_ARGS + 2];
    unsigned envc = 0;
    for (unsigned i = 0; i < spec->envc && i < NSB_MAX_ARGS; i++) envp[envc++] = spec->envp[i];
    envp[envc++] = "NSB_READY_FD=3";
    envp[envc] = NULL;

    int become_root = 0;
    int64_t map_uid = spec->map_uid < 0 ? (int64_t)core->euid : spec->map_uid;
    int64_t map_gid = spec->map_gid < 0 ? (int64_t)core->egid : spec->map_gid;
    if ((spec->ns & NSB_NS_USER) && (map_uid != (int64_t)core->euid || map_gid != (int64_t)core->egid))
        become_root = 1;

    unsigned n_v1 = 0;
    while (n_v1 < 8 && spec->cgroup_v1[n_v1]) n_v1++;
    int want_cgroup_v2 = spec->cgroup && *spec->cgroup;
    int use_clone3 = core->has_clone3 && !force_clone;
    /* no CLONE_INTO_CGROUP with clone(); or asked for, to compare the two */
    int v2_by_write = want_cgroup_v2 && (!use_clone3 || (spec->opts & NSB_OPT_CGROUP_BY_WRITE));
    int method = (spec->opts & NSB_OPT_VFORK) ? vfork_method(core, force_clone, become_root, n_v1, v2_by_write)
                                              : NSB_CREATE_FORK;
    int vfork = method == NSB_CREATE_VFORK;
    struct child_maps maps_buf;
    const struct child_maps *maps = NULL;
    if (vfork && (spec->ns & NSB_NS_USER)) { /* the child maps itself: its own ids, as the launcher would */
        maps_buf.uid_len = (size_t)snprintf(maps_buf.uid, sizeof maps_buf.uid, "0 %lld 1\n", (long long)map_uid);
        maps_buf.gid_len = (size_t)snprintf(maps_buf.gid, sizeof maps_buf.gid, "0 %lld 1\n", (long long)map_gid);
        maps = &maps_buf;
    }
    sb->create_method = method;
    int need_sync = ((spec->ns & NSB_NS_USER) && !vfork) || n_v1 > 0 || v2_by_write;
    int discard = (spec->opts & NSB_OPT_DISCARD_OUTPUT) != 0;

    int ready[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1}, sync[2] = {-1, -1};
    int cgroup_fd = -1, netns_fd = -1, joined = 0, mntns_fd = -1, mnt_joined = 0;
    struct rusage self0;
    getrusage(RUSAGE_SELF, &self0);
    sb->launcher_utime0_us = tv_us(self0.ru_utime);
    sb->launcher_stime0_us = tv_us(self0.ru_stime);

    if (pipe2(ready, O_CLOEXEC) < 0 || (!discard && (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)) ||
        (need_sync && pipe2(sync, O_CLOEXEC) < 0)) {
        nsb_error_set(&e, errno, "pipe2", "cannot create the sandbox's pipes");
        goto fail;
    }
    if (want_cgroup_v2 && !v2_by_write) {
        cgroup_fd = open(spec->cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cgroup_fd < 0) {
            nsb_error_set(&e, errno, "open", "cannot open cgroup %s", spec->cgroup);
            goto fail;
        }
    }

    /* the child inherits the launcher's network namespace: enter the one to join for the clone */
    if (spec->netns) {
        if (enter_ns(spec->netns, CLONE_NEWNET, &netns_fd, &e) < 0) goto fail;
        joined = 1;
    }
    /* a new mount namespace copies the launcher's mount table: enter the one to copy */
    if (spec->mntns) {
        if (enter_ns(spec->mntns, CLONE_NEWNS, &mntns_fd, &e) < 0) goto fail;
        mnt_joined = 1;
    }

    memset(core->page, 0, sizeof *core->page);
    struct child_fds cfd = {sync[0], ready[1], discard ? core->devnull : out[1], discard ? core->devnull : errp[1],
                            core->devnull};
    int path = NSB_PATH_NONE;
    sb->t[NSB_T_CLONE_START] = nsb_now_ns();
    uint64_t clone_flags = nsb_ns_clone_flags(spec->time_offsets ? spec->ns & ~(uint32_t)NSB_NS_TIME : spec->ns);
    pid_t pid;
    if (vfork) {
        struct vfork_arg va = {core, spec, &cfd, envp, maps};
        path = NSB_PATH_CLONE3;
        pid = do_vfork(core, clone_flags, cgroup_fd, &sb->pidfd, &va, &e);
        /* the launcher was suspended until the child's execve: the clone, as the child saw it, ended at its start */
        sb->t[NSB_T_CLONE_DONE] = pid > 0 && core->page->t_child_start ? core->page->t_child_start : nsb_now_ns();
    } else {
        pid = do_clone(core, clone_flags, cgroup_fd, force_clone, &sb->pidfd, &path, &e);
        if (pid == 0) child_main(core, spec, &cfd, become_root, envp, NULL);
        sb->t[NSB_T_CLONE_DONE] = nsb_now_ns();
    }
    if (joined) go_home(core, CLONE_NEWNET);
    joined = 0;
    nsb_close_fd(&netns_fd);
    if (mnt_joined) go_home(core, CLONE_NEWNS);
    mnt_joined = 0;
    nsb_close_fd(&mntns_fd);
    sb->clone_path = path;
    nsb_close_fd(&sync[0]);
    nsb_close_fd(&ready[1]);
    nsb_close_fd(&out[1]);
    nsb_close_fd(&errp[1]);
    nsb_close_fd(&cgroup_fd);
    if (pid < 0) goto fail;
    sb->pid = pid;
    sb->ready_fd = ready[0];
    sb->out_fd = out[0];
    sb->err_fd = errp[0];
    ready[0] = out[0] = errp[0] = -1;
    if (want_cgroup_v2) sb->cgroup_method |= v2_by_write ? NSB_CG_PROCS_WRITE : NSB_CG_INTO;
    if (n_v1) sb->cgroup_method |= NSB_CG_PROCS_WRITE;
    sb->deadline = spec->timeout_ns ? t_request + spec->timeout_ns : 0;

    if (need_sync) {
        int rc = place_and_release(core, spec, sb, sync[1], become_root, map_uid, map_gid, n_v1, v2_by_write, &e);
        nsb_close_fd(&sync[1]);
        if (rc < 0) return kill_reap_fail(sb, res, &e, spec->ns); /* a half-made child is killed and reaped before we return */
    }
    return 0;

fail:
    if (joined) go_home(core, CLONE_NEWNET);
    nsb_close_fd(&netns_fd);
    if (mnt_joined) go_home(core, CLONE_NEWNS);
    nsb_close_fd(&mntns_fd);
    nsb_close_fd(&sync[0]);
    nsb_close_fd(&sync[1]);
    nsb_close_fd(&ready[0]);
    nsb_close_fd(&ready[1]);
    nsb_close_fd(&out[0]);
    nsb_close_fd(&out[1]);
    nsb_close_fd(&errp[0]);
    nsb_close_fd(&errp[1]);
    nsb_close_fd(&cgroup_fd);
    return kill_reap_fail(sb, res, &e, spec->ns); /* no child exists here: sb->pid is -1 */
}

/* The child's own timestamps, from the shared page. */
static void take_page(struct nsb_core *core, struct nsb_sandbox *sb) {
    const struct child_page *pg = core->page;
    sb->t[NSB_T_CHILD_START] = pg->t_child_start;
    if (pg->t_maps_done) sb->t[NSB_T_MAPS_DONE] = pg->t_maps_done; /* vfork-style: the child wrote its own maps */
    sb->t[NSB_T_SETUP_DONE] = pg->t_setup_done;
    sb->t[NSB_T_EXEC] = pg->t_exec;
    sb->t_setup_begin = pg->t_setup_begin;
    memcpy(sb->setup_ns, pg->setup, sizeof sb->setup_ns);
    sb->page_taken = 1;
}

int nsb_wait(struct nsb_core *core, struct nsb_sandbox *sb, struct nsb_result *res, int until_ready) {
    struct nsb_error e = {0};
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (!until_ready) res->stdout_len = res->stderr_len = 0;
    uint32_t out_len = 0, out_drained = 0, err_len = 0, err_drained = 0;
    struct pollfd pfd[4] = {{sb->pidfd, POLLIN, 0},
                            {sb->ready || sb->ready_fd < 0 ? -1 : sb->ready_fd, POLLIN, 0},
                            {until_ready ? -1 : sb->out_fd, POLLIN, 0},
                            {until_ready ? -1 : sb->err_fd, POLLIN, 0}};
    for (;;) {
        if (until_ready && sb->ready) {
            fill_common(sb, res);
            res->state = NSB_RUNNING;
            nsb_close_fd(&sb->ready_fd); /* a held sandbox keeps only its pidfd: thousands fit the fd limit */
            launcher_cpu(sb, res);
            return 0;
        }
        struct timespec ts, *tsp = NULL;
        if (sb->deadline && !sb->killed) {
            uint64_t now = nsb_now_ns();
            if (now >= sb->deadline) {
                send_kill(sb->pidfd, sb->pid, SIGKILL);
                sb->killed = 1;
                continue;
            }
            uint64_t left = sb->deadline - now;
            ts.tv_sec = (time_t)(left / 1000000000ull);
            ts.tv_nsec = (long)(left % 1000000000ull);
            tsp = &ts;
        }
        int n = ppoll(pfd, 4, tsp, NULL);
        if (n < 0 && errno != EINTR) {
            nsb_error_set(&e, errno, "ppoll", "waiting for the sandbox failed");
            return kill_reap_fail(sb, res, &e, sb->ns);
        }
        if (n <= 0) continue;
        if (pfd[1].revents) {
            char b[64];
            ssize_t r = read(sb->ready_fd, b, sizeof b);
            if (r > 0 && !sb->ready) {
                sb->t[NSB_T_READY] = nsb_now_ns();
                sb->ready = 1;
                take_page(core, sb); /* before another sandbox reuses the page */
            }
            if (r == 0 || (r < 0 && errno != EINTR)) pfd[1].fd = -1;
        }
        if (pfd[2].revents && capture_read(sb->out_fd, res->out, NSB_STDOUT_MAX, &out_len, &out_drained)) pfd[2].fd = -1;
        if (pfd[3].revents && capture_read(sb->err_fd, res->errbuf, NSB_STDERR_MAX, &err_len, &err_drained)) pfd[3].fd = -1;
        if (pfd[0].revents) {
            pid_t w;
            do w = wait4(sb->pid, &status, 0, &ru); while (w < 0 && errno == EINTR);
            sb->t[NSB_T_EXIT] = nsb_now_ns();
            break;
        }
    }
    if (!until_ready) {
        if (pfd[2].fd >= 0) capture_drain(sb->out_fd, res->out, NSB_STDOUT_MAX, &out_len, &out_drained);
        if (pfd[3].fd >= 0) capture_drain(sb->err_fd, res->errbuf, NSB_STDERR_MAX, &err_len, &err_drained);
        res->stdout_len = out_len;
        res->stderr_len = err_len;
    }
    fill_common(sb, res);
    res->child_utime_us = tv_us(ru.ru_utime);
    res->child_stime_us = tv_us(ru.ru_stime);
    res->child_maxrss_kb = ru.ru_maxrss;
    res->child_minflt = ru.ru_minflt;
    res->child_majflt = ru.ru_majflt;
    res->child_nvcsw = ru.ru_nvcsw;
    res->child_nivcsw = ru.ru_nivcsw;

    /* Not ready yet: no other sandbox was created since, the page is still ours. */
    const struct child_page *pg = core->page;
    int setup_failed = !sb->page_taken && pg->err;
    if (!sb->page_taken) take_page(core, sb);
    fill_common(sb, res);
    if (sb->killed) {
        res->state = NSB_TIMEOUT;
        res->term_signal = SIGKILL;
    } else if (setup_failed) {
        nsb_error_set(&e, pg->err, pg->syscall, "sandbox setup failed at \"%s\" (%s)", pg->stage_buf, strerror(pg->err));
        fail_result(res, NSB_SETUP_FAILED, &e, sb->ns);
        snprintf(res->error_stage, sizeof res->error_stage, "%s", pg->stage_buf);
    } else if (WIFSIGNALED(status)) {
        res->state = NSB_SIGNALED;
        res->term_signal = WTERMSIG(status);
    } else {
        res->state = NSB_EXITED;
        res->exit_code = WEXITSTATUS(status);
    }
    sandbox_close(sb);
    launcher_cpu(sb, res);
    return 1;
}

int nsb_stop(struct nsb_core *core, struct nsb_sandbox *sb, int sig, uint64_t timeout_ns, struct nsb_result *res) {
    memset(res, 0, offsetof(struct nsb_result, out));
    if (sig > 0) send_kill(sb->pidfd, sb->pid, sig);
    sb->deadline = timeout_ns ? nsb_now_ns() + timeout_ns : 0;
    sb->killed = 0;
    return nsb_wait(core, sb, res, 0);
}

void nsb_run(struct nsb_core *core, const struct nsb_spec *spec, uint64_t t_request, struct nsb_result *res) {
    struct nsb_sandbox sb;
    if (nsb_spawn(core, spec, t_request, res, &sb) < 0) return; /* res says why */
    nsb_wait(core, &sb, res, 0);
}
