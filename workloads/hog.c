/* hog: resource hogs for cgroup tests and antagonists.
 *   hog mem SIZE        touch SIZE bytes in 1 MiB steps, report, exit
 *   hog fork MAX        fork sleeping children until MAX or fork fails, report, kill them, exit
 *   hog procs N busy|sleep
 *                       become N processes (N-1 children) that spin or sleep; ready once all
 *                       exist; runs until killed (for freeze/thaw timing)
 *   hog spin MS         spin on the CPU for MS ms of wall time, report CPU time got
 *   hog linger N MS     leave N processes behind that spin for MS ms after it exited (work
 *                       left for whatever runs next: a known carry-over); exits at once
 * Antagonists for noisy-neighbour scenarios (ready at once, run until killed; run them in a
 * pid namespace and a cgroup so that one kill ends every process they made):
 *   hog membw N SIZE    N processes each copying a SIZE buffer forever (memory bandwidth)
 *   hog forkstorm MAX   every process forks, and so do its children: at most MAX processes
 *                       (a shared count), fewer where pids.max says so; failed forks are retried
 *   hog ioflood DIR SIZE   write SIZE to a file in DIR with fsync, unlink, repeat
 *   hog pagecache DIR SIZE write SIZE to a file in DIR without fsync (dirty page cache), read
 *                       it back, unlink, repeat
 *   hog nschurn SET MAX create and drop namespaces of SET (net, mnt, user, ipc, uts, pid, cgroup,
 *                       time, comma-separated, or all) as fast as it can: a child unshares them and
 *                       exits, MAX times at most, then it waits to be killed; the kernel tears each
 *                       one down after (net: cleanup_net on a kernel worker, outside this cgroup)
 * Each finite mode prints one JSON line; bad arguments exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "common.h"

#define MIB (1u << 20)

static int usage(void) {
    fprintf(stderr, "usage: hog mem SIZE | hog fork MAX | hog procs N busy|sleep | hog spin MS | hog linger N MS | hog membw N SIZE |"
                    " hog forkstorm MAX | hog ioflood DIR SIZE | hog pagecache DIR SIZE | hog nschurn SET MAX\n");
    return 2;
}

static int mem(uint64_t size) {
    signal_ready();
    uint64_t t0 = now_ns(), touched = 0;
    while (touched < size) {
        size_t step = size - touched < MIB ? (size_t)(size - touched) : MIB;
        char *p = mmap(NULL, step, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("{\"touchedBytes\":%llu,\"error\":\"mmap: %s\"}\n", (unsigned long long)touched, strerror(errno));
            return 1;
        }
        for (size_t i = 0; i < step; i += 4096) p[i] = 1;
        touched += step;
    }
    uint64_t elapsed = now_ns() - t0;
    printf("{\"touchedBytes\":%llu,\"elapsedNs\":%llu,\"touchMBPerSec\":%.1f}\n", (unsigned long long)touched,
           (unsigned long long)elapsed, elapsed ? (double)touched / MIB * 1e9 / (double)elapsed : 0.0);
    return 0;
}

static int fork_until(long max) {
    pid_t *kids = calloc((size_t)max, sizeof *kids);
    if (!kids) return 1;
    signal_ready();
    long n = 0;
    int err = 0;
    while (n < max) {
        pid_t p = fork();
        if (p < 0) {
            err = errno;
            break;
        }
        if (p == 0) {
            pause();
            _exit(0);
        }
        kids[n++] = p;
    }
    for (long i = 0; i < n; i++) kill(kids[i], SIGKILL); /* our own children, by pid */
    for (long i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
    printf("{\"forked\":%ld,\"forkErrno\":%d,\"forkError\":\"%s\"}\n", n, err, err ? strerror(err) : "");
    free(kids);
    return 0;
}

static void spin_forever(void) {
    volatile uint64_t x = 0;
    for (;;) x++;
}

static int procs(long n, int busy) {
    /* Busy children wait for the go (EOF on this pipe) so that they do not
     * starve the parent while it is still forking the rest. */
    int go[2];
    if (pipe(go) < 0) {
        fprintf(stderr, "hog: pipe: %s\n", strerror(errno));
        return 1;
    }
    for (long i = 1; i < n; i++) {
        pid_t p = fork();
        if (p < 0) {
            fprintf(stderr, "hog: fork %ld of %ld: %s\n", i, n - 1, strerror(errno));
            return 1;
        }
        if (p == 0) {
            close(go[1]);
            char c;
            while (read(go[0], &c, 1) > 0) {}
            close(go[0]);
            if (busy) spin_forever();
            for (;;) pause();
        }
    }
    close(go[0]);
    close(go[1]);
    printf("{\"processes\":%ld}\n", n);
    fflush(stdout);
    signal_ready();
    if (busy) spin_forever();
    for (;;) pause();
}

static void spin_until(uint64_t end) {
    volatile uint64_t x = 0;
    while (now_ns() < end)
        for (int i = 0; i < 10000; i++) x++;
}

/* Forks n spinners that outlive this process by ms (they reparent and end by themselves). */
static int linger(long n, long ms) {
    signal_ready();
    uint64_t end = now_ns() + (uint64_t)ms * 1000000ull;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            spin_until(end);
            _exit(0);
        }
        if (pid < 0) return 1;
    }
    printf("{\"lingering\":%ld,\"forMs\":%ld}\n", n, ms);
    return 0;
}

static int spin(long ms) {
    signal_ready();
    uint64_t t0 = now_ns(), c0 = cpu_ns(), end = t0 + (uint64_t)ms * 1000000ull;
    volatile uint64_t x = 0;
    while (now_ns() < end)
        for (int i = 0; i < 10000; i++) x++;
    uint64_t wall = now_ns() - t0, cpu = cpu_ns() - c0;
    printf("{\"wallNs\":%llu,\"cpuNs\":%llu,\"cpuShare\":%.4f}\n", (unsigned long long)wall, (unsigned long long)cpu,
           wall ? (double)cpu / (double)wall : 0.0);
    return 0;
}

static int membw(long n, uint64_t size) {
    for (long i = 1; i < n; i++) {
        pid_t p = fork();
        if (p < 0) break;
        if (p == 0) break;
    }
    char *a = malloc(size), *b = malloc(size);
    if (!a || !b) return 1;
    memset(a, 1, size);
    memset(b, 2, size);
    signal_ready();
    for (;;) {
        memcpy(b, a, size);
        memcpy(a, b, size);
    }
}

/* The namespace flags of a SET like "net,mnt" or "all"; 0 on a name it does not know. */
static int churn_flags(const char *set) {
    static const struct { const char *name; int flag; } NS[] = {
        {"user", CLONE_NEWUSER}, {"pid", CLONE_NEWPID},  {"mnt", CLONE_NEWNS},        {"net", CLONE_NEWNET},
        {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP}, {"time", 0x00000080 /* CLONE_NEWTIME */},
    };
    if (strcmp(set, "all") == 0) set = "user,pid,mnt,net,ipc,uts,cgroup,time";
    int flags = 0;
    char buf[128];
    if (strlen(set) >= sizeof buf) return 0;
    strcpy(buf, set);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (size_t i = 0; i < sizeof NS / sizeof NS[0]; i++)
            if (strcmp(t, NS[i].name) == 0) { flags |= NS[i].flag; found = 1; }
        if (!found) return 0;
    }
    return flags;
}

static int nschurn(int flags, long max) {
    signal_ready();
    for (long i = 0; i < max; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(unshare(flags) == 0 ? 0 : 1);
        if (pid < 0) { usleep(1000); continue; } /* pids.max: try again */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    for (;;) pause(); /* bounded: done, wait to be killed */
}

static int forkstorm(long max) {
    _Atomic long *count = mmap(NULL, sizeof *count, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (count == MAP_FAILED) return 1;
    atomic_store(count, 1);
    signal_ready();
    for (;;) {
        if (atomic_fetch_add(count, 1) >= max) {
            atomic_fetch_sub(count, 1);
            sched_yield(); /* at the cap: keep trying, as a fork bomb does */
            continue;
        }
        pid_t p = fork();
        if (p < 0) {
            atomic_fetch_sub(count, 1); /* pids.max (EAGAIN): retry */
            sched_yield();
        }
    }
}

static int write_loop(const char *dir, uint64_t size, int do_fsync, int read_back) {
    char path[4096];
    snprintf(path, sizeof path, "%s/nsb-hog.%d", dir, (int)getpid());
    static char buf[1 << 20];
    memset(buf, 0x5a, sizeof buf);
    signal_ready();
    for (;;) {
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            fprintf(stderr, "hog: %s: %s\n", path, strerror(errno));
            return 1;
        }
        for (uint64_t done = 0; done < size; done += sizeof buf) {
            if (write(fd, buf, sizeof buf) < 0) break; /* ENOSPC or a limit: start over */
            if (do_fsync) fdatasync(fd);
        }
        if (read_back) {
            lseek(fd, 0, SEEK_SET);
            while (read(fd, buf, sizeof buf) > 0) {}
        }
        close(fd);
        unlink(path);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return usage();
    if (strcmp(argv[1], "mem") == 0 && argc == 3) {
        uint64_t size = parse_size(argv[2]);
        return size ? mem(size) : usage();
    }
    if (strcmp(argv[1], "fork") == 0 && argc == 3) {
        long max = strtol(argv[2], NULL, 10);
        return max > 0 && max <= 1000000 ? fork_until(max) : usage();
    }
    if (strcmp(argv[1], "procs") == 0 && argc == 4) {
        long n = strtol(argv[2], NULL, 10);
        int busy = strcmp(argv[3], "busy") == 0;
        if (n < 1 || n > 100000 || (!busy && strcmp(argv[3], "sleep") != 0)) return usage();
        return procs(n, busy);
    }
    if (strcmp(argv[1], "spin") == 0 && argc == 3) {
        long ms = strtol(argv[2], NULL, 10);
        return ms > 0 ? spin(ms) : usage();
    }
    if (strcmp(argv[1], "linger") == 0 && argc == 4) {
        long n = strtol(argv[2], NULL, 10), ms = strtol(argv[3], NULL, 10);
        return n >= 1 && n <= 64 && ms >= 1 && ms <= 10000 ? linger(n, ms) : usage();
    }
    if (strcmp(argv[1], "membw") == 0 && argc == 4) {
        long n = strtol(argv[2], NULL, 10);
        uint64_t size = parse_size(argv[3]);
        return n >= 1 && n <= 1024 && size ? membw(n, size) : usage();
    }
    if (strcmp(argv[1], "forkstorm") == 0 && argc == 3) {
        long max = strtol(argv[2], NULL, 10);
        return max >= 1 && max <= 100000 ? forkstorm(max) : usage();
    }
    if (strcmp(argv[1], "nschurn") == 0 && argc == 4) {
        int flags = churn_flags(argv[2]);
        long max = strtol(argv[3], NULL, 10);
        return flags && max >= 1 && max <= 10000000 ? nschurn(flags, max) : usage();
    }
    if ((strcmp(argv[1], "ioflood") == 0 || strcmp(argv[1], "pagecache") == 0) && argc == 4) {
        uint64_t size = parse_size(argv[3]);
        int flood = argv[1][0] == 'i';
        return size ? write_loop(argv[2], size, flood, !flood) : usage();
    }
    return usage();
}
