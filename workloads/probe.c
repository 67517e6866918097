/* probe: what a sandbox can see and do — the isolation matrix's eyes inside.
 *
 *   probe target DIR SHMKEY MQNAME
 *       Runs on the host (bare), as the objects the sandbox must not reach:
 *       a SysV shared-memory segment (key SHMKEY, holding a marker), a SysV
 *       message queue (key SHMKEY+1) and a POSIX message queue MQNAME. A
 *       SIGUSR1 is recorded by creating DIR/out/signaled. Signals ready once
 *       all exist; SIGTERM removes them and exits.
 *
 *   probe inside DIR TARGETPID PORT SHMKEY MQNAME HOSTUTSNS
 *       Runs in the sandbox. Phase 1 looks and acts: pid and /proc, kill(2)
 *       of the target, hostname, a tmpfs mount on DIR/inner, the mount table,
 *       interfaces, listening sockets and a connect to 127.0.0.1:PORT, the
 *       IPC objects, ids and capabilities, chmod of the host-owned
 *       DIR/host-file, /proc/self/cgroup, clocks. It then creates
 *       DIR/out/phase1 and waits (10 s at most) for DIR/out/go, made by the
 *       harness once it has checked the host side and mounted DIR/late;
 *       phase 2 looks for that mount, removes its own, and prints one JSON
 *       line. It only ever touches objects the harness made for it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "common.h"

#define MARKER "nsb-isolation-marker"

static int usage(void) {
    fprintf(stderr, "usage: probe target DIR SHMKEY MQNAME | probe inside DIR TARGETPID PORT SHMKEY MQNAME HOSTUTSNS\n");
    return 2;
}

/* ---- target (host side) ---- */

static volatile sig_atomic_t stop;
static char signaled_path[4096];

static void on_usr1(int sig) {
    (void)sig;
    int fd = open(signaled_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
}
static void on_term(int sig) { (void)sig; stop = 1; }

static int target(const char *dir, key_t key, const char *mq) {
    snprintf(signaled_path, sizeof signaled_path, "%s/out/signaled", dir);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    int shm = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    if (shm < 0) { perror("probe target: shmget"); return 1; }
    char *p = shmat(shm, NULL, 0);
    if (p == (void *)-1) { perror("probe target: shmat"); shmctl(shm, IPC_RMID, NULL); return 1; }
    strcpy(p, MARKER);
    shmdt(p);
    int msq = msgget(key + 1, IPC_CREAT | IPC_EXCL | 0600);
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 16};
    mqd_t q = mq_open(mq, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    int rc = 0;
    if (msq < 0 || q == (mqd_t)-1) {
        perror("probe target: msgget/mq_open");
        rc = 1;
    } else {
        signal_ready();
        while (!stop) pause();
    }
    shmctl(shm, IPC_RMID, NULL);
    if (msq >= 0) msgctl(msq, IPC_RMID, NULL);
    if (q != (mqd_t)-1) { mq_close(q); mq_unlink(mq); }
    return rc;
}

/* ---- inside (sandbox side) ---- */

static void json_str(const char *key, const char *s) {
    printf(",\"%s\":\"", key);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') printf("\\n");
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}
static void json_num(const char *key, long long v) { printf(",\"%s\":%lld", key, v); }

static size_t read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { buf[0] = 0; return 0; }
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)r;
    close(fd);
    buf[n] = 0;
    return n;
}

/* Is PATH a mount point in this process's mount table (field 5 of mountinfo)? */
static int mounted(const char *path, long *lines) {
    static char buf[1 << 20];
    read_file("/proc/self/mountinfo", buf, sizeof buf);
    int found = 0;
    long n = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        n++;
        char mp[4096];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0) found = 1;
    }
    if (lines) *lines = n;
    return found;
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static int inside(const char *dir, pid_t target_pid, int port, key_t key, const char *mq, const char *host_uts) {
    signal_ready();
    char path[4096], buf[65536], tmp[4096];
    printf("{\"probe\":1");

    /* pid */
    json_num("pid", getpid());
    long procs = 0;
    DIR *d = opendir("/proc");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] >= '1' && e->d_name[0] <= '9') procs++;
        closedir(d);
    }
    json_num("procCount", procs);
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)target_pid);
    size_t n = read_file(path, buf, sizeof buf);
    int visible = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(buf + i, "target", 6) == 0 && i > 0 && buf[i - 1] == 0) visible = 1;
    json_num("targetVisible", visible);
    json_num("killErrno", kill(target_pid, SIGUSR1) == 0 ? 0 : errno);

    /* uts */
    struct utsname u;
    uname(&u);
    json_str("hostnameBefore", u.nodename);
    ssize_t l = readlink("/proc/self/ns/uts", tmp, sizeof tmp - 1);
    tmp[l > 0 ? l : 0] = 0;
    int own_uts = strcmp(tmp, host_uts) != 0;
    json_num("ownUtsNs", own_uts);
    /* in its own UTS namespace it renames itself; in the host's it only rewrites the same
     * name (harmless), which still tells whether it could rename the host */
    const char *name = own_uts ? "nsb-probe-renamed" : u.nodename;
    json_num("sethostnameErrno", sethostname(name, strlen(name)) == 0 ? 0 : errno);
    uname(&u);
    json_str("hostnameAfter", u.nodename);

    /* mnt */
    snprintf(path, sizeof path, "%s/host-mnt", dir);
    long mount_lines = 0;
    json_num("hostMountVisible", mounted(path, &mount_lines));
    json_num("mountCount", mount_lines);
    snprintf(path, sizeof path, "%s/inner", dir);
    int inner_err = mount("nsb-probe", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") == 0 ? 0 : errno;
    json_num("innerMountErrno", inner_err);

    /* net */
    read_file("/proc/net/dev", buf, sizeof buf);
    tmp[0] = 0;
    long ifaces = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        while (*line == ' ') line++;
        if (strlen(tmp) + strlen(line) + 2 < sizeof tmp) {
            if (ifaces++) strcat(tmp, ",");
            strcat(tmp, line);
        }
    }
    json_str("interfaces", tmp);
    json_num("interfaceCount", ifaces);
    long listening = 0;
    int listener_visible = 0;
    char want[32];
    snprintf(want, sizeof want, "0100007F:%04X", (unsigned)port);
    for (int v6 = 0; v6 < 2; v6++) {
        read_file(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", buf, sizeof buf);
        save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char local[64], st[8];
            if (sscanf(line, "%*s %63s %*s %7s", local, st) != 2 || strcmp(st, "0A") != 0) continue;
            listening++;
            if (strcmp(local, want) == 0) listener_visible = 1;
        }
    }
    json_num("listeningSockets", listening);
    json_num("hostListenerVisible", listener_visible);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = 1};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int connect_err = connect(s, (struct sockaddr *)&sin, sizeof sin) == 0 ? 0 : errno;
    if (!connect_err) (void)!write(s, "nsb-probe\n", 10);
    close(s);
    json_num("connectErrno", connect_err);

    /* ipc */
    int shm = shmget(key, 0, 0);
    json_num("shmErrno", shm >= 0 ? 0 : errno);
    int marker = 0;
    if (shm >= 0) {
        char *p = shmat(shm, NULL, SHM_RDONLY);
        if (p != (void *)-1) {
            marker = strncmp(p, MARKER, sizeof MARKER) == 0;
            shmdt(p);
        }
    }
    json_num("shmMarkerRead", marker);
    json_num("msgErrno", msgget(key + 1, 0) >= 0 ? 0 : errno);
    mqd_t q = mq_open(mq, O_RDONLY);
    json_num("mqErrno", q != (mqd_t)-1 ? 0 : errno);
    if (q != (mqd_t)-1) mq_close(q);

    /* user */
    json_num("uid", getuid());
    json_num("gid", getgid());
    read_file("/proc/self/uid_map", buf, sizeof buf);
    json_str("uidMap", buf);
    read_file("/proc/self/status", buf, sizeof buf);
    char *cap = strstr(buf, "CapEff:");
    char capeff[32] = "";
    if (cap) sscanf(cap, "CapEff: %31s", capeff);
    json_str("capEff", capeff);
    snprintf(path, sizeof path, "%s/host-file", dir);
    json_num("chmodErrno", chmod(path, 0604) == 0 ? 0 : errno);

    /* cgroup */
    read_file("/proc/self/cgroup", buf, sizeof buf);
    json_str("cgroup", buf);

    /* time */
    struct timespec mono, boot;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    json_num("monotonicSec", mono.tv_sec);
    json_num("boottimeSec", boot.tv_sec);
    read_file("/proc/self/timens_offsets", buf, sizeof buf);
    json_str("timensOffsets", buf);

    /* phase 2: the harness checks the host side, mounts DIR/late, then says go */
    fflush(stdout);
    snprintf(path, sizeof path, "%s/out/phase1", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0) close(fd);
    snprintf(path, sizeof path, "%s/out/go", dir);
    int go = 0;
    for (int i = 0; i < 10000 && !(go = exists(path)); i++) usleep(1000);
    json_num("go", go);
    snprintf(path, sizeof path, "%s/late", dir);
    json_num("lateMountVisible", go ? mounted(path, NULL) : -1);
    if (!inner_err) {
        snprintf(path, sizeof path, "%s/inner", dir);
        umount2(path, MNT_DETACH);
    }
    printf("}\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "target") == 0) {
        key_t key = (key_t)strtol(argv[3], NULL, 0);
        return key ? target(argv[2], key, argv[4]) : usage();
    }
    if (argc == 8 && strcmp(argv[1], "inside") == 0) {
        pid_t pid = (pid_t)strtol(argv[3], NULL, 10);
        int port = (int)strtol(argv[4], NULL, 10);
        key_t key = (key_t)strtol(argv[5], NULL, 0);
        if (pid <= 1 || port <= 0 || port > 65535 || !key) return usage();
        return inside(argv[2], pid, port, key, argv[6], argv[7]);
    }
    return usage();
}
