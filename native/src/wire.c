/* The launcher's wire format: length-prefixed frames over a pipe pair. Both
 * ends are built from this source, on the same machine, so structs travel raw. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "nsb.h"

static int put(struct nsb_wire_req *r, const char *s, struct nsb_error *err) {
    size_t len = strlen(s ? s : "") + 1;
    if (r->strings_len + len > NSB_STRINGS_MAX) {
        nsb_error_set(err, E2BIG, "request", "arguments, environment and paths exceed %d bytes", NSB_STRINGS_MAX);
        return -1;
    }
    memcpy(r->strings + r->strings_len, s ? s : "", len);
    r->strings_len += (uint32_t)len;
    return 0;
}

int nsb_wire_pack(const struct nsb_spec *spec, uint32_t op, uint64_t id, struct nsb_wire_req *r,
                  struct nsb_error *err) {
    memset(r, 0, offsetof(struct nsb_wire_req, strings));
    r->magic = NSB_WIRE_MAGIC;
    r->version = NSB_WIRE_VERSION;
    r->op = op;
    r->id = id;
    if (!spec) return 0;
    if (spec->argc > NSB_MAX_ARGS || spec->envc > NSB_MAX_ARGS) {
        nsb_error_set(err, E2BIG, "request", "more than %d arguments or environment entries", NSB_MAX_ARGS);
        return -1;
    }
    r->ns = spec->ns;
    r->opts = spec->opts;
    r->map_uid = spec->map_uid;
    r->map_gid = spec->map_gid;
    r->timeout_ns = spec->timeout_ns;
    r->gap_ns = spec->gap_ns;
    r->argc = spec->argc;
    r->envc = spec->envc;
    while (r->ncgroup_v1 < 8 && spec->cgroup_v1[r->ncgroup_v1]) r->ncgroup_v1++;
    if (put(r, spec->path, err) || put(r, spec->hostname, err) || put(r, spec->cgroup, err) || put(r, spec->netns, err) ||
        put(r, spec->mntns, err) || put(r, spec->tmpfs, err) || put(r, spec->cwd, err) || put(r, spec->time_offsets, err))
        return -1;
    for (unsigned i = 0; i < r->ncgroup_v1; i++)
        if (put(r, spec->cgroup_v1[i], err)) return -1;
    for (unsigned i = 0; i < spec->argc; i++)
        if (put(r, spec->argv[i], err)) return -1;
    for (unsigned i = 0; i < spec->envc; i++)
        if (put(r, spec->envp[i], err)) return -1;
    return 0;
}

static const char *take(struct nsb_wire_req *r, uint32_t *pos) {
    if (*pos >= r->strings_len) return NULL;
    const char *s = r->strings + *pos;
    const char *end = memchr(s, 0, r->strings_len - *pos);
    if (!end) return NULL;
    *pos += (uint32_t)(end - s) + 1;
    return s;
}

int nsb_wire_unpack(struct nsb_wire_req *r, struct nsb_spec *spec, struct nsb_error *err) {
    memset(spec, 0, sizeof *spec);
    if (r->magic != NSB_WIRE_MAGIC || r->version != NSB_WIRE_VERSION) {
        nsb_error_set(err, EPROTO, "request", "not an nsbench request of wire version %u", NSB_WIRE_VERSION);
        return -1;
    }
    if (r->argc > NSB_MAX_ARGS || r->envc > NSB_MAX_ARGS || r->ncgroup_v1 > 8 || r->strings_len > NSB_STRINGS_MAX) {
        nsb_error_set(err, EPROTO, "request", "malformed request counts");
        return -1;
    }
    spec->ns = r->ns & NSB_NS_ALL;
    spec->opts = r->opts;
    spec->map_uid = r->map_uid;
    spec->map_gid = r->map_gid;
    spec->timeout_ns = r->timeout_ns;
    spec->gap_ns = r->gap_ns;
    uint32_t pos = 0;
    const char *hostname, *cgroup, *netns, *mntns, *tmpfs, *cwd, *toff;
    if (!(spec->path = take(r, &pos)) || !(hostname = take(r, &pos)) || !(cgroup = take(r, &pos)) ||
        !(netns = take(r, &pos)) || !(mntns = take(r, &pos)) || !(tmpfs = take(r, &pos)) || !(cwd = take(r, &pos)) || !(toff = take(r, &pos)))
        goto bad;
    spec->cwd = *cwd ? cwd : NULL;
    spec->time_offsets = *toff ? toff : NULL;
    spec->hostname = *hostname ? hostname : NULL;
    spec->cgroup = *cgroup ? cgroup : NULL;
    spec->netns = *netns ? netns : NULL;
    spec->mntns = *mntns ? mntns : NULL;
    spec->tmpfs = *tmpfs ? tmpfs : NULL;
    for (unsigned i = 0; i < r->ncgroup_v1; i++)
        if (!(spec->cgroup_v1[i] = take(r, &pos))) goto bad;
    spec->argc = r->argc;
    for (unsigned i = 0; i < r->argc; i++)
        if (!(spec->argv[i] = take(r, &pos))) goto bad;
    spec->envc = r->envc;
    for (unsigned i = 0; i < r->envc; i++)
        if (!(spec->envp[i] = take(r, &pos))) goto bad;
    return 0;
bad:
    nsb_error_set(err, EPROTO, "request", "truncated request strings");
    return -1;
}

static int write_all(int fd, const struct iovec *iov_in, int cnt, struct nsb_error *err) {
    struct iovec iov[4];
    memcpy(iov, iov_in, sizeof(struct iovec) * (size_t)cnt);
    int i = 0;
    while (i < cnt) {
        ssize_t n = writev(fd, iov + i, cnt - i);
        if (n < 0) {
            if (errno == EINTR) continue;
            nsb_error_set(err, errno, "write", "the launcher channel is closed");
            return -1;
        }
        while (i < cnt && (size_t)n >= iov[i].iov_len) n -= (ssize_t)iov[i++].iov_len;
        if (i < cnt) {
            iov[i].iov_base = (char *)iov[i].iov_base + n;
            iov[i].iov_len -= (size_t)n;
        }
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len, struct nsb_error *err) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            nsb_error_set(err, n == 0 ? ECONNRESET : errno, "read", "the launcher channel is closed");
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

int nsb_write_frame(int fd, const void *buf, uint32_t len, struct nsb_error *err) {
    struct iovec iov[2] = {{&len, sizeof len}, {(void *)buf, len}};
    return write_all(fd, iov, 2, err);
}

int nsb_read_frame(int fd, void *buf, uint32_t cap, uint32_t *len, struct nsb_error *err) {
    if (read_all(fd, len, sizeof *len, err) < 0) return -1;
    if (*len > cap) {
        nsb_error_set(err, EPROTO, "read", "frame of %u bytes exceeds %u", *len, cap);
        return -1;
    }
    return read_all(fd, buf, *len, err);
}

int nsb_result_send(int fd, const struct nsb_result *res, struct nsb_error *err) {
    uint32_t head = (uint32_t)offsetof(struct nsb_result, out);
    uint32_t len = head + res->stdout_len + res->stderr_len;
    struct iovec iov[4] = {{&len, sizeof len},
                           {(void *)res, head},
                           {(void *)res->out, res->stdout_len},
                           {(void *)res->errbuf, res->stderr_len}};
    return write_all(fd, iov, 4, err);
}

int nsb_result_recv(int fd, struct nsb_result *res, struct nsb_error *err) {
    uint32_t len, head = (uint32_t)offsetof(struct nsb_result, out);
    if (read_all(fd, &len, sizeof len, err) < 0) return -1;
    if (len < head || read_all(fd, res, head, err) < 0) {
        if (len < head) nsb_error_set(err, EPROTO, "read", "short result frame");
        return -1;
    }
    if (res->stdout_len > NSB_STDOUT_MAX || res->stderr_len > NSB_STDERR_MAX ||
        len != head + res->stdout_len + res->stderr_len) {
        nsb_error_set(err, EPROTO, "read", "malformed result frame");
        return -1;
    }
    if (read_all(fd, res->out, res->stdout_len, err) < 0) return -1;
    return read_all(fd, res->errbuf, res->stderr_len, err);
}
