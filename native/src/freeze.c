/* Freeze and thaw a cgroup, timed in C.
 *   v2 (and the unified hierarchy of a hybrid machine): write cgroup.freeze, then
 *      wait for "frozen 0|1" in cgroup.events, woken by the kernel's POLLPRI.
 *   v1: write freezer.state, then poll it until FROZEN/THAWED. A freezer stuck
 *      in FREEZING (a task that does not reach the refrigerator) is detected,
 *      the write is retried and counted, and after the timeout we give up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "nsb.h"

#define V1_FIRST_SLEEP_NS 20000ull   /* 20 µs: most freezes of small groups finish by then */
#define V1_MAX_SLEEP_NS 1000000ull   /* back off to 1 ms between reads */
#define OBSERVER_NICE (-20)          /* the timing thread must not queue behind the busy processes it thaws */

/* Raises the calling thread's priority for the measurement (root only; else
 * it stays as it is) and returns the old nice value to restore. */
static int observer_begin(void) {
    pid_t tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    int old = getpriority(PRIO_PROCESS, (id_t)tid);
    if (errno == 0) setpriority(PRIO_PROCESS, (id_t)tid, OBSERVER_NICE);
    return errno == 0 ? old : 0;
}

static void observer_end(int old) {
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), old);
}

static int write_str(const char *path, const char *text, struct nsb_error *err) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        nsb_error_set(err, errno, "open", "cannot open %s", path);
        return -1;
    }
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    if (n < 0) {
        nsb_error_set(err, saved, "write", "cannot write \"%s\" to %s", text, path);
        return -1;
    }
    return 0;
}

static int read_at(int fd, char *buf, size_t cap) {
    ssize_t n = pread(fd, buf, cap - 1, 0);
    if (n < 0) return -1;
    buf[n] = 0;
    return 0;
}

static void sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    nanosleep(&ts, NULL);
}

/* Opens dir/name for reading the state from; path gets the full name. */
static int open_state(const char *dir, const char *name, const char *what, char *path, size_t cap, struct nsb_error *err) {
    snprintf(path, cap, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) nsb_error_set(err, errno, "open", "cannot open %s (is this a %s?)", path, what);
    return fd;
}

static int freeze_v2(const char *dir, int freeze, uint64_t timeout_ns, struct nsb_freeze_result *out,
                     struct nsb_error *err) {
    char path[4096], buf[512];
    memset(out, 0, sizeof *out);
    int ev = open_state(dir, "cgroup.events", "cgroup v2 directory", path, sizeof path, err);
    if (ev < 0) return -1;
    const char *want = freeze ? "frozen 1" : "frozen 0";
    snprintf(path, sizeof path, "%s/cgroup.freeze", dir);
    uint64_t t0 = nsb_now_ns();
    if (write_str(path, freeze ? "1" : "0", err) < 0) {
        close(ev);
        return -1;
    }
    uint64_t deadline = t0 + timeout_ns;
    for (;;) {
        if (read_at(ev, buf, sizeof buf) < 0) {
            nsb_error_set(err, errno, "read", "cannot read %s/cgroup.events", dir);
            close(ev);
            return -1;
        }
        out->polls++;
        if (strstr(buf, want)) break;
        uint64_t now = nsb_now_ns();
        if (now >= deadline) {
            out->timed_out = 1;
            break;
        }
        struct pollfd p = {ev, POLLPRI, 0};
        uint64_t left = deadline - now;
        struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
        ppoll(&p, 1, &ts, NULL);
    }
    out->latency_ns = nsb_now_ns() - t0;
    close(ev);
    return 0;
}

static int freeze_v1(const char *dir, int freeze, uint64_t timeout_ns, uint64_t retry_ns,
                     struct nsb_freeze_result *out, struct nsb_error *err) {
    char path[4096], buf[64];
    memset(out, 0, sizeof *out);
    int fd = open_state(dir, "freezer.state", "v1 freezer cgroup", path, sizeof path, err);
    if (fd < 0) return -1;
    const char *target = freeze ? "FROZEN" : "THAWED";
    uint64_t t0 = nsb_now_ns(), deadline = t0 + timeout_ns, next_retry = t0 + retry_ns;
    if (write_str(path, target, err) < 0) {
        close(fd);
        return -1;
    }
    uint64_t pause = V1_FIRST_SLEEP_NS;
    for (;;) {
        if (read_at(fd, buf, sizeof buf) < 0) {
            nsb_error_set(err, errno, "read", "cannot read %s", path);
            close(fd);
            return -1;
        }
        out->polls++;
        if (strncmp(buf, target, strlen(target)) == 0) break;
        uint64_t now = nsb_now_ns();
        if (now >= deadline) {
            out->timed_out = 1;
            out->stuck = strncmp(buf, "FREEZING", 8) == 0;
            break;
        }
        if (freeze && retry_ns && now >= next_retry) { /* stuck in FREEZING: write again */
            out->retries++;
            next_retry = now + retry_ns;
            if (write_str(path, target, err) < 0) {
                close(fd);
                return -1;
            }
        }
        sleep_ns(pause);
        if (pause < V1_MAX_SLEEP_NS) pause *= 2;
    }
    out->latency_ns = nsb_now_ns() - t0;
    close(fd);
    return 0;
}

int nsb_freeze_v2(const char *dir, int freeze, uint64_t timeout_ns, struct nsb_freeze_result *out,
                  struct nsb_error *err) {
    int old = observer_begin();
    int rc = freeze_v2(dir, freeze, timeout_ns, out, err);
    observer_end(old);
    return rc;
}

int nsb_freeze_v1(const char *dir, int freeze, uint64_t timeout_ns, uint64_t retry_ns,
                  struct nsb_freeze_result *out, struct nsb_error *err) {
    int old = observer_begin();
    int rc = freeze_v1(dir, freeze, timeout_ns, retry_ns, out, err);
    observer_end(old);
    return rc;
}
