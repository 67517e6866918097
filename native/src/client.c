/* The harness side of the launcher channel. posix_spawn (vfork-style) starts
 * the launcher without copying the caller's page tables. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nsb.h"

extern char **environ;

int nsb_client_start(struct nsb_client *c, const char *launcher_path, struct nsb_error *err) {
    int to[2], from[2];
    memset(c, 0, sizeof *c);
    c->pid = -1;
    c->to_fd = c->from_fd = -1;
    if (pipe2(to, O_CLOEXEC) < 0) {
        nsb_error_set(err, errno, "pipe2", "cannot create the launcher channel");
        return -1;
    }
    if (pipe2(from, O_CLOEXEC) < 0) {
        nsb_error_set(err, errno, "pipe2", "cannot create the launcher channel");
        close(to[0]);
        close(to[1]);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    char *argv[] = {(char *)launcher_path, (char *)"serve", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, launcher_path, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(to[0]);
    close(from[1]);
    if (rc != 0) {
        nsb_error_set(err, rc, "posix_spawn", "cannot start the launcher %s", launcher_path);
        close(to[1]);
        close(from[0]);
        return -1;
    }
    c->pid = pid;
    c->to_fd = to[1];
    c->from_fd = from[0];
    c->next_id = 1;
    return nsb_client_ping(c, err);
}

static int roundtrip_ex(struct nsb_client *c, const struct nsb_spec *spec, uint32_t op, uint64_t target,
                        int32_t sig, uint64_t timeout_ns, uint32_t count, struct nsb_result *res, struct nsb_error *err) {
    static __thread struct nsb_wire_req req; /* 16 KiB: not on the stack */
    if (c->to_fd < 0) {
        nsb_error_set(err, EBADF, "write", "the launcher is not running");
        return -1;
    }
    if (count == 0) count = 1;
    uint64_t id = c->next_id;
    c->next_id += count;
    if (nsb_wire_pack(spec, op, id, &req, err) < 0) return -1;
    req.count = count;
    if (op == NSB_OP_STOP) {
        req.target = target;
        req.signal = sig;
        req.timeout_ns = timeout_ns;
    }
    uint32_t len = (uint32_t)offsetof(struct nsb_wire_req, strings) + req.strings_len;
    if (nsb_write_frame(c->to_fd, &req, len, err) < 0) return -1;
    for (uint32_t k = 0; k < count; k++) {
        if (nsb_result_recv(c->from_fd, &res[k], err) < 0) return -1;
        if (res[k].id != id + k) {
            nsb_error_set(err, EPROTO, "read", "launcher answered request %llu, expected %llu",
                          (unsigned long long)res[k].id, (unsigned long long)(id + k));
            return -1;
        }
    }
    return 0;
}

static int roundtrip(struct nsb_client *c, const struct nsb_spec *spec, uint32_t op, struct nsb_result *res,
                     struct nsb_error *err) {
    return roundtrip_ex(c, spec, op, 0, 0, 0, 1, res, err);
}

int nsb_client_run(struct nsb_client *c, const struct nsb_spec *spec, struct nsb_result *res,
                   struct nsb_error *err) {
    return roundtrip(c, spec, NSB_OP_RUN, res, err);
}

int nsb_client_hold(struct nsb_client *c, const struct nsb_spec *spec, struct nsb_result *res,
                    struct nsb_error *err) {
    return roundtrip(c, spec, NSB_OP_START, res, err);
}

int nsb_client_release(struct nsb_client *c, uint64_t target, int sig, uint64_t timeout_ns,
                       struct nsb_result *res, struct nsb_error *err) {
    return roundtrip_ex(c, NULL, NSB_OP_STOP, target, sig, timeout_ns, 1, res, err);
}

int nsb_client_hold_many(struct nsb_client *c, const struct nsb_spec *spec, uint32_t count, struct nsb_result *res,
                         struct nsb_error *err) {
    return roundtrip_ex(c, spec, NSB_OP_START, 0, 0, 0, count, res, err);
}

int nsb_client_run_many(struct nsb_client *c, const struct nsb_spec *spec, uint32_t count, struct nsb_result *res,
                        struct nsb_error *err) {
    return roundtrip_ex(c, spec, NSB_OP_RUN, 0, 0, 0, count, res, err);
}

int nsb_client_ping(struct nsb_client *c, struct nsb_error *err) {
    struct nsb_result *res = malloc(sizeof *res);
    if (!res) {
        nsb_error_set(err, ENOMEM, "malloc", "out of memory");
        return -1;
    }
    int rc = roundtrip(c, NULL, NSB_OP_PING, res, err);
    free(res);
    return rc;
}

int nsb_client_stop(struct nsb_client *c) {
    if (c->pid < 0) return -1;
    struct nsb_error err;
    if (c->to_fd >= 0) {
        struct nsb_wire_req *req = malloc(sizeof *req);
        if (req && nsb_wire_pack(NULL, NSB_OP_QUIT, c->next_id++, req, &err) == 0)
            nsb_write_frame(c->to_fd, req, (uint32_t)offsetof(struct nsb_wire_req, strings), &err);
        free(req);
        nsb_close_fd(&c->to_fd);
    }
    nsb_close_fd(&c->from_fd);
    int status = -1;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {}
    c->pid = -1;
    return status;
}
