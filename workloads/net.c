#define _GNU_SOURCE
/* net: TCP stream throughput and request/response latency.
 *   net server PORT [BIND_ADDR]                  serve until killed (each connection in a child)
 *   net client ADDR PORT stream SECONDS [MSGSIZE] send for SECONDS (default message 128K)
 *   net client ADDR PORT rr COUNT [MSGSIZE]       COUNT round trips of MSGSIZE bytes (default 1)
 *   net loop stream SECONDS [MSGSIZE] | net loop rr COUNT [MSGSIZE]
 *                                                server and client on 127.0.0.1 of this network namespace
 * A connection starts with a mode byte ('S' stream, 'R' request/response) and a
 * 4-byte message size. The client prints one JSON line. Only the given address
 * is contacted, and only if it is loopback (127/8) or in nsbench's own range
 * (10.213/16, used only inside namespaces nsbench creates). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "common.h"

#define MAX_MSG (16u << 20)

static int usage(void) {
    fprintf(stderr,
            "usage: net server PORT [BIND_ADDR]\n"
            "       net client ADDR PORT stream SECONDS [MSGSIZE] | net client ADDR PORT rr COUNT [MSGSIZE]\n"
            "       net loop stream SECONDS [MSGSIZE] | net loop rr COUNT [MSGSIZE]\n");
    return 2;
}

static int full_io(int fd, void *buf, size_t len, int writing) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = writing ? write(fd, (char *)buf + done, len - done) : read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

static void serve_one(int c) {
    unsigned char mode;
    uint32_t size;
    if (full_io(c, &mode, 1, 0) < 0 || full_io(c, &size, 4, 0) < 0 || size == 0 || size > MAX_MSG) _exit(1);
    char *buf = malloc(size);
    if (!buf) _exit(1);
    if (mode == 'S') {
        uint64_t total = 0;
        ssize_t n;
        while ((n = read(c, buf, size)) > 0) total += (uint64_t)n;
        full_io(c, &total, sizeof total, 1);
    } else {
        while (full_io(c, buf, size, 0) == 0)
            if (full_io(c, buf, size, 1) < 0) break;
    }
    _exit(0);
}

static int listen_on(const char *addr, int port, int *bound_port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) return -1;
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 128) < 0) {
        fprintf(stderr, "net: listen %s:%d: %s\n", addr, port, strerror(errno));
        return -1;
    }
    socklen_t len = sizeof sa;
    getsockname(s, (struct sockaddr *)&sa, &len);
    if (bound_port) *bound_port = ntohs(sa.sin_port);
    return s;
}

static void accept_loop(int s) {
    signal(SIGCHLD, SIG_IGN); /* handlers are reaped by the kernel */
    for (;;) {
        int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR) continue;
            _exit(1);
        }
        pid_t p = fork();
        if (p == 0) {
            close(s);
            serve_one(c);
        }
        close(c);
    }
}

/* The only destinations: loopback, or nsbench's own range inside namespaces it made. */
static int allowed_destination(struct in_addr a) {
    uint32_t h = ntohl(a.s_addr);
    return (h >> 24) == 127 || (h >> 16) == ((10u << 8) | 213u);
}

static int connect_to(const char *addr, int port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "net: not an IPv4 address: %s\n", addr);
        return -1;
    }
    if (!allowed_destination(sa.sin_addr)) {
        fprintf(stderr, "net: %s is neither loopback nor in nsbench's 10.213.0.0/16: refused\n", addr);
        return -1;
    }
    for (int tries = 0; connect(s, (struct sockaddr *)&sa, sizeof sa) < 0; tries++) {
        if (tries > 200 || (errno != ECONNREFUSED && errno != EINTR)) {
            fprintf(stderr, "net: connect %s:%d: %s\n", addr, port, strerror(errno));
            return -1;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return s;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int client(const char *addr, int port, int stream, double amount, uint32_t size) {
    int s = connect_to(addr, port);
    if (s < 0) return 1;
    char *buf = malloc(size);
    if (!buf) return 1;
    memset(buf, 'x', size);
    unsigned char mode = stream ? 'S' : 'R';
    if (full_io(s, &mode, 1, 1) < 0 || full_io(s, &size, 4, 1) < 0) return 1;
    signal_ready();
    if (stream) {
        uint64_t t0 = now_ns(), end = t0 + (uint64_t)(amount * 1e9), sent = 0, got = 0;
        while (now_ns() < end) {
            if (full_io(s, buf, size, 1) < 0) return 1;
            sent += size;
        }
        shutdown(s, SHUT_WR);
        if (full_io(s, &got, sizeof got, 0) < 0) return 1;
        uint64_t el = now_ns() - t0;
        printf("{\"mode\":\"stream\",\"msgBytes\":%u,\"bytes\":%llu,\"receivedBytes\":%llu,\"elapsedNs\":%llu,\"throughputMbitPerSec\":%.1f}\n",
               size, (unsigned long long)sent, (unsigned long long)got, (unsigned long long)el, (double)got * 8e3 / (double)el);
        return got == sent ? 0 : 1;
    }
    long count = (long)amount;
    uint64_t *lat = malloc((size_t)count * sizeof *lat);
    if (!lat) return 1;
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) {
        uint64_t a = now_ns();
        if (full_io(s, buf, size, 1) < 0 || full_io(s, buf, size, 0) < 0) {
            fprintf(stderr, "net: round trip %ld failed\n", i);
            return 1;
        }
        lat[i] = now_ns() - a;
    }
    uint64_t el = now_ns() - t0;
    qsort(lat, (size_t)count, sizeof *lat, cmp_u64);
    printf("{\"mode\":\"rr\",\"msgBytes\":%u,\"count\":%ld,\"elapsedNs\":%llu,\"p50Ns\":%llu,\"p99Ns\":%llu,\"meanNs\":%.1f,\"opsPerSec\":%.1f}\n",
           size, count, (unsigned long long)el, (unsigned long long)lat[count / 2], (unsigned long long)lat[(count * 99) / 100],
           (double)el / (double)count, (double)count * 1e9 / (double)el);
    close(s);
    return 0;
}

/* "stream SECONDS [MSGSIZE]" or "rr COUNT [MSGSIZE]" at argv[0..] */
static int parse_mode(int argc, char **argv, int *stream, double *amount, uint32_t *size) {
    if (argc < 2 || argc > 3) return -1;
    *stream = strcmp(argv[0], "stream") == 0;
    if (!*stream && strcmp(argv[0], "rr") != 0) return -1;
    *amount = strtod(argv[1], NULL);
    uint64_t sz = argc > 2 ? parse_size(argv[2]) : (*stream ? 131072 : 1);
    if (*amount <= 0 || sz < 1 || sz > MAX_MSG || (!*stream && *amount > 10000000)) return -1;
    *size = (uint32_t)sz;
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 3 && strcmp(argv[1], "server") == 0 && argc <= 4) {
        int port = atoi(argv[2]);
        int s = listen_on(argc > 3 ? argv[3] : "0.0.0.0", port, NULL);
        if (s < 0 || port <= 0) return s < 0 ? 1 : usage();
        signal_ready();
        accept_loop(s);
    }
    int stream;
    double amount;
    uint32_t size;
    if (argc >= 6 && strcmp(argv[1], "client") == 0) {
        if (parse_mode(argc - 4, argv + 4, &stream, &amount, &size) < 0 || atoi(argv[3]) <= 0) return usage();
        return client(argv[2], atoi(argv[3]), stream, amount, size);
    }
    if (argc >= 4 && strcmp(argv[1], "loop") == 0) {
        if (parse_mode(argc - 2, argv + 2, &stream, &amount, &size) < 0) return usage();
        int port;
        int s = listen_on("127.0.0.1", 0, &port);
        if (s < 0) return 1;
        pid_t server = fork();
        if (server == 0) accept_loop(s);
        close(s);
        int rc = client("127.0.0.1", port, stream, amount, size);
        kill(server, SIGKILL); /* our own child, by pid; its handlers exit on EOF */
        waitpid(server, NULL, 0);
        return rc;
    }
    return usage();
}
