/* nsb-refloop: the reference nsbench is held to. A plain C loop of
 * clone3(CLONE_NEW*) + execve + waitpid, with no harness around it: what the
 * kernel itself costs for a namespace set. Shares no code with the launcher
 * on purpose, so that a slow launcher cannot slow its own yardstick.
 *
 *   nsb-refloop [--setup] [--hold] NS_LIST COUNT PROGRAM
 *     NS_LIST  comma-separated namespaces, or "bare"
 *     --setup  also do what a usable sandbox needs inside (private mounts,
 *              fresh /proc, lo up, hostname), as the launcher does
 *     --hold   keep every child alive (PROGRAM must stay up after its ready
 *              byte, e.g. the idle workload): a density ramp; all are killed
 *              and reaped at the end, and "heldNs" is the whole ramp's time
 * Prints one JSON line: {"ns":..., "readyNs":[...], "wallNs":[...]}: from just
 * before clone to the no-op's ready byte (boot), and to the child reaped.
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

int main(int argc, char **argv) {
    int setup = 0, hold = 0;
    for (;;) {
        if (argc > 1 && strcmp(argv[1], "--setup") == 0) { setup = 1; argv++; argc--; continue; }
        if (argc > 1 && strcmp(argv[1], "--hold") == 0) { hold = 1; argv++; argc--; continue; }
        break;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: nsb-refloop [--setup] [--hold] NS_LIST COUNT PROGRAM\n");
        return 2;
    }
    unsigned long flags = 0;
    char list[256];
    snprintf(list, sizeof list, "%s", argv[1]);
    for (char *tok = strtok(list, ",+"); tok; tok = strtok(NULL, ",+")) {
        int found = strcmp(tok, "bare") == 0;
        for (size_t i = 0; i < sizeof NS / sizeof NS[0]; i++)
            if (strcmp(tok, NS[i].name) == 0) { flags |= NS[i].flag; found = 1; }
        if (!found) { fprintf(stderr, "nsb-refloop: unknown namespace %s\n", tok); return 2; }
    }
    long count = strtol(argv[2], NULL, 10);
    const char *prog = argv[3];
    char *const cargv[] = {(char *)prog, NULL};
    char *const cenvp[] = {(char *)"NSB_READY_FD=3", NULL};
    char map[64];
    snprintf(map, sizeof map, "0 %d 1\n", (int)geteuid());
    char gmap[64];
    snprintf(gmap, sizeof gmap, "0 %d 1\n", (int)getegid());

    uint64_t *wall = calloc((size_t)count, sizeof *wall);
    uint64_t *ready = calloc((size_t)count, sizeof *ready);
    pid_t *kids = calloc((size_t)count, sizeof *kids);
    uint64_t ramp0 = now_ns();
    for (long i = 0; i < count; i++) {
        int sync[2] = {-1, -1}, rdy[2];
        uint64_t t0 = now_ns(); /* per-sandbox work starts here, pipes included, as in the launcher */
        if ((flags & CLONE_NEWUSER) && pipe2(sync, O_CLOEXEC) < 0) { perror("pipe2"); return 1; }
        if (pipe2(rdy, O_CLOEXEC) < 0) { perror("pipe2"); return 1; }
        struct clone_args_min a;
        memset(&a, 0, sizeof a);
        a.flags = flags;
        a.exit_signal = SIGCHLD;
        long pid = syscall(SYS_clone3, &a, sizeof a);
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
        wall[i] = now_ns() - t0;
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
    printf("{\"ns\":\"%s\",\"setup\":%s,\"hold\":%s,\"heldNs\":%llu,\"readyNs\":[", argv[1], setup ? "true" : "false",
           hold ? "true" : "false", (unsigned long long)held_ns);
    for (long i = 0; i < count; i++) printf("%s%llu", i ? "," : "", (unsigned long long)ready[i]);
    printf("],\"wallNs\":[");
    for (long i = 0; i < count; i++) printf("%s%llu", i ? "," : "", (unsigned long long)wall[i]);
    printf("]}\n");
    free(wall);
    free(ready);
    return 0;
}
