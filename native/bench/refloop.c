/* nsb-refloop: the reference nsbench is held to. A plain C loop of
 * clone3(CLONE_NEW*) + execve + waitpid, with no harness around it: what the
 * kernel itself costs for a namespace set. Shares no code with the launcher
 * on purpose, so that a slow launcher cannot slow its own yardstick.
 *
 *   nsb-refloop [--setup] [--hold] [--vfork] [--gap-ms MS] NS_LIST COUNT PROGRAM
 *   nsb-refloop [--setup] [--vfork] --schedule FILE PROGRAM
 *     NS_LIST  comma-separated namespaces, or "bare"
 *     --setup  also do what a usable sandbox needs inside (private mounts,
 *              fresh /proc, lo up, hostname), as the launcher does
 *     --hold   keep every child alive (PROGRAM must stay up after its ready
 *              byte, e.g. the idle workload): a density ramp; all are killed
 *              and reaped at the end, and "heldNs" is the whole ramp's time
 *     --vfork  create each child vfork-style (CLONE_VM | CLONE_VFORK, on a
 *              stack of its own, as posix_spawn does; the child writes its
 *              own uid/gid maps): the fastest creation the kernel allows
 *     --gap-ms start each launch no sooner than MS after the previous child
 *              was reaped (sleeping on CLOCK_MONOTONIC)
 *     --schedule  launch the lines of FILE in order, each "NS_LIST GAP_NS":
 *              that set, no sooner than GAP_NS after the previous reap (the
 *              order and gaps of another run, replayed)
 * Prints one JSON line: {"ns":..., "readyNs":[...], "wallNs":[...], "cloneNs":[...]}:
 * from just before clone to the no-op's ready byte (boot), and to the child
 * reaped; the clone3 call alone, as the parent sees it return;
 * with --schedule also "sets":[...] and "gapNs":[...] (previous reap → this
 * launch's start, as kept).
 * With a user namespace the child waits on a pipe while uid/gid maps are written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static const struct { const char *name; unsigned long flag; } NS[] = {
    {"user", CLONE_NEWUSER}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},       {"net", CLONE_NEWNET},
    {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

struct clone_args_min { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; };

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void write_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) { perror(path); exit(1); }
    close(fd);
}

static void child_setup(unsigned long flags) {
    if (flags & CLONE_NEWNS) {
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) _exit(120);
        if ((flags & CLONE_NEWPID) && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) _exit(121);
    }
    if (flags & CLONE_NEWNET) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        strcpy(ifr.ifr_name, "lo");
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0) _exit(122);
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) _exit(122);
        close(s);
    }
    if ((flags & CLONE_NEWUTS) && sethostname("nsb-ref", 7) < 0) _exit(123);
}

/* ---- vfork-style: the child on a stack of its own, entered by hand (clone3 has no libc wrapper taking a function) */
struct vchild {
    unsigned long flags;
    int setup, ready_w;
    const char *prog, *map, *gmap;
    char *const *argv, *const *envp;
};

static int write_self(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok ? 0 : -1;
}

__attribute__((noreturn)) static void vchild_main(void *p) {
    const struct vchild *c = p;
    if ((c->flags & CLONE_NEWUSER) && (write_self("/proc/self/uid_map", c->map) < 0 ||
                                       write_self("/proc/self/setgroups", "deny\n") < 0 ||
                                       write_self("/proc/self/gid_map", c->gmap) < 0))
        _exit(126);
    if (c->setup) child_setup(c->flags);
    if (dup2(c->ready_w, 3) < 0) _exit(125);
    execve(c->prog, c->argv, c->envp);
    _exit(127);
}

#define VSTACK_SIZE (256 * 1024)

static long vfork_clone3(struct clone_args_min *a, struct vchild *c) {
#if defined(__x86_64__)
    register long fn __asm__("r12") = (long)vchild_main;
    register long arg __asm__("r13") = (long)c;
    long ret;
    __asm__ volatile("syscall\n\ttest %%rax, %%rax\n\tjnz 1f\n\txor %%ebp, %%ebp\n\tmov %%r13, %%rdi\n\tcall *%%r12\n\t"
                     "mov $231, %%eax\n\tmov $127, %%edi\n\tsyscall\n1:\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_clone3), "D"(a), "S"(sizeof *a), "r"(fn), "r"(arg)
                     : "rcx", "r11", "memory");
    if (ret < 0) errno = (int)-ret;
    return ret < 0 ? -1 : ret;
#else
    (void)a; (void)c;
    errno = ENOSYS;
    return -1;
#endif
}

static int parse_set(const char *text, unsigned long *flags) {
    char list[256];
    snprintf(list, sizeof list, "%s", text);
    *flags = 0;
    for (char *tok = strtok(list, ",+"); tok; tok = strtok(NULL, ",+")) {
        int found = strcmp(tok, "bare") == 0;
        for (size_t i = 0; i < sizeof NS / sizeof NS[0]; i++)
            if (strcmp(tok, NS[i].name) == 0) { *flags |= NS[i].flag; found = 1; }
        if (!found) { fprintf(stderr, "nsb-refloop: unknown namespace %s\n", tok); return -1; }
    }
    return 0;
}

/* Sleeps until `after` + gap (CLOCK_MONOTONIC); nothing for the first launch. */
static void keep_gap(uint64_t after, uint64_t gap) {
    if (!after || !gap) return;
    uint64_t until = after + gap;
    struct timespec ts = {(time_t)(until / 1000000000ull), (long)(until % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {}
}

int main(int argc, char **argv) {
    int setup = 0, hold = 0, vfork = 0;
    uint64_t gap_ns = 0;
    const char *schedule = NULL;
    for (;;) {
        if (argc > 1 && strcmp(argv[1], "--setup") == 0) { setup = 1; argv++; argc--; continue; }
        if (argc > 1 && strcmp(argv[1], "--hold") == 0) { hold = 1; argv++; argc--; continue; }
        if (argc > 1 && strcmp(argv[1], "--vfork") == 0) { vfork = 1; argv++; argc--; continue; }
        if (argc > 2 && strcmp(argv[1], "--gap-ms") == 0) { gap_ns = (uint64_t)(strtod(argv[2], NULL) * 1e6); argv += 2; argc -= 2; continue; }
        if (argc > 2 && strcmp(argv[1], "--schedule") == 0) { schedule = argv[2]; argv += 2; argc -= 2; continue; }
        break;
    }
    if (schedule ? argc != 2 || hold : argc != 4) {
        fprintf(stderr, "usage: nsb-refloop [--setup] [--hold] [--vfork] [--gap-ms MS] NS_LIST COUNT PROGRAM\n"
                        "       nsb-refloop [--setup] [--vfork] --schedule FILE PROGRAM\n");
        return 2;
    }
    /* the launches: one set COUNT times, or the schedule's lines */
    long count = 0;
    unsigned long *set_flags = NULL;
    uint64_t *set_gap = NULL;
    char (*set_name)[256] = NULL;
    if (schedule) {
        FILE *f = fopen(schedule, "r");
        if (!f) { perror(schedule); return 2; }
        char line[512];
        long cap = 0;
        while (fgets(line, sizeof line, f)) {
            char name[256];
            unsigned long long g = 0;
            if (sscanf(line, "%255s %llu", name, &g) < 1) continue;
            if (count == cap) {
                cap = cap ? cap * 2 : 256;
                set_flags = realloc(set_flags, (size_t)cap * sizeof *set_flags);
                set_gap = realloc(set_gap, (size_t)cap * sizeof *set_gap);
                set_name = realloc(set_name, (size_t)cap * sizeof *set_name);
                if (!set_flags || !set_gap || !set_name) { perror("realloc"); return 1; }
            }
            if (parse_set(name, &set_flags[count]) < 0) return 2;
            set_gap[count] = g;
            snprintf(set_name[count], sizeof set_name[count], "%s", name);
            count++;
        }
        fclose(f);
    } else {
        unsigned long flags;
        if (parse_set(argv[1], &flags) < 0) return 2;
        count = strtol(argv[2], NULL, 10);
        set_flags = calloc((size_t)(count > 0 ? count : 1), sizeof *set_flags);
        set_gap = calloc((size_t)(count > 0 ? count : 1), sizeof *set_gap);
        for (long i = 0; i < count; i++) { set_flags[i] = flags; set_gap[i] = gap_ns; }
    }
    const char *prog = schedule ? argv[1] : argv[3];
    char *const cargv[] = {(char *)prog, NULL};
    char *const cenvp[] = {(char *)"NSB_READY_FD=3", NULL};
    char map[64];
    snprintf(map, sizeof map, "0 %d 1\n", (int)geteuid());
    char gmap[64];
    snprintf(gmap, sizeof gmap, "0 %d 1\n", (int)getegid());

    uint64_t *wall = calloc((size_t)count, sizeof *wall);
    uint64_t *ready = calloc((size_t)count, sizeof *ready);
    uint64_t *gaps = calloc((size_t)count, sizeof *gaps);
    uint64_t *clones = calloc((size_t)count, sizeof *clones);
    pid_t *kids = calloc((size_t)count, sizeof *kids);
    void *vstack = NULL;
    if (vfork) {
        vstack = mmap(NULL, VSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (vstack == MAP_FAILED) { perror("mmap"); return 1; }
    }
    uint64_t ramp0 = now_ns(), last_reap = 0;
    for (long i = 0; i < count; i++) {
        unsigned long flags = set_flags[i];
        int sync[2] = {-1, -1}, rdy[2];
        keep_gap(last_reap, set_gap[i]);
        uint64_t t0 = now_ns(); /* per-sandbox work starts here, pipes included, as in the launcher */
        gaps[i] = last_reap ? t0 - last_reap : 0;
        if ((flags & CLONE_NEWUSER) && !vfork && pipe2(sync, O_CLOEXEC) < 0) { perror("pipe2"); return 1; }
        if (pipe2(rdy, O_CLOEXEC) < 0) { perror("pipe2"); return 1; }
        struct clone_args_min a;
        memset(&a, 0, sizeof a);
        a.flags = flags;
        a.exit_signal = SIGCHLD;
        uint64_t c0 = now_ns();
        struct vchild vc = {flags, setup, rdy[1], prog, map, gmap, cargv, cenvp};
        if (vfork) {
            a.flags |= CLONE_VM | CLONE_VFORK;
            a.stack = (uint64_t)(uintptr_t)vstack;
            a.stack_size = VSTACK_SIZE;
        }
        long pid = vfork ? vfork_clone3(&a, &vc) : syscall(SYS_clone3, &a, sizeof a);
        if (pid > 0) clones[i] = now_ns() - c0;
        if (pid < 0) { perror("clone3"); return 1; }
        if (pid == 0) {
            if (sync[0] >= 0) {
                char c;
                if (read(sync[0], &c, 1) != 1) _exit(126);
            }
            if (setup) child_setup(flags);
            if (dup2(rdy[1], 3) < 0) _exit(125);
            execve(prog, cargv, cenvp);
            _exit(127);
        }
        if (sync[0] >= 0) {
            close(sync[0]);
            write_file((pid_t)pid, "uid_map", map);
            write_file((pid_t)pid, "setgroups", "deny\n");
            write_file((pid_t)pid, "gid_map", gmap);
            if (write(sync[1], "g", 1) != 1) return 1;
            close(sync[1]);
        }
        close(rdy[1]);
        char byte;
        if (read(rdy[0], &byte, 1) == 1) ready[i] = now_ns() - t0;
        close(rdy[0]);
        if (hold) {
            kids[i] = (pid_t)pid;
            continue;
        }
        int status;
        if (waitpid((pid_t)pid, &status, 0) < 0) { perror("waitpid"); return 1; }
        last_reap = now_ns();
        wall[i] = last_reap - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "nsb-refloop: child failed (status %d)\n", status);
            return 1;
        }
    }
    uint64_t held_ns = now_ns() - ramp0;
    if (hold) {
        for (long i = 0; i < count; i++) kill(kids[i], SIGKILL); /* our own children, by pid */
        for (long i = 0; i < count; i++) waitpid(kids[i], NULL, 0);
    }
    printf("{\"ns\":\"%s\",\"setup\":%s,\"hold\":%s,\"heldNs\":%llu,\"readyNs\":[", schedule ? "schedule" : argv[1], setup ? "true" : "false",
           hold ? "true" : "false", (unsigned long long)held_ns);
    for (long i = 0; i < count; i++) printf("%s%llu", i ? "," : "", (unsigned long long)ready[i]);
    printf("],\"wallNs\":[");
    for (long i = 0; i < count; i++) printf("%s%llu", i ? "," : "", (unsigned long long)wall[i]);
    printf("],\"cloneNs\":[");
    for (long i = 0; i < count; i++) printf("%s%llu", i ? "," : "", (unsigned long long)clones[i]);
    printf("],\"gapNs\":[");
    for (long i = 0; i < count; i++) printf("%s%llu", i ? "," : "", (unsigned long long)gaps[i]);
    printf("]");
    if (schedule) {
        printf(",\"sets\":[");
        for (long i = 0; i < count; i++) printf("%s\"%s\"", i ? "," : "", set_name[i]);
        printf("]");
    }
    printf("}\n");
    free(wall);
    free(ready);
    free(gaps);
    free(set_flags);
    free(set_gap);
    free(set_name);
    return 0;
}
