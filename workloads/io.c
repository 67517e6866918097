/* io: file create/write/fsync/read/unlink loop in a directory.
 *   io DIR [FILES] [SIZE] [fsync|nofsync]   defaults: 200 files of 64K, fsync
 * Prints {"files":..,"bytes":..,"elapsedNs":..,"opsPerSec":..,"writeMBPerSec":..,"readMBPerSec":..}.
 * An op is one file's create+write(+fsync)+close+open+read+close+unlink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "common.h"

int main(int argc, char **argv) {
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: io DIR [FILES] [SIZE] [fsync|nofsync]\n");
        return 2;
    }
    const char *dir = argv[1];
    long files = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
    uint64_t size = argc > 3 ? parse_size(argv[3]) : 65536;
    int do_fsync = argc > 4 ? strcmp(argv[4], "nofsync") != 0 : 1;
    if (files < 1 || size < 1 || size > (1u << 30) || (argc > 4 && strcmp(argv[4], "fsync") && strcmp(argv[4], "nofsync"))) {
        fprintf(stderr, "usage: io DIR [FILES >= 1] [SIZE] [fsync|nofsync]\n");
        return 2;
    }
    char *buf = malloc(size), *back = malloc(size);
    if (!buf || !back) return 1;
    for (uint64_t i = 0; i < size; i++) buf[i] = (char)(i * 31);
    /* DIR is created (and removed again) when it does not exist */
    int made = mkdir(dir, 0700) == 0;
    if (!made && errno != EEXIST) {
        fprintf(stderr, "io: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char path[4096];
    signal_ready();
    uint64_t t0 = now_ns(), write_ns = 0, read_ns = 0;
    for (long f = 0; f < files; f++) {
        snprintf(path, sizeof path, "%s/nsb-io-%d-%ld", dir, (int)getpid(), f);
        uint64_t w0 = now_ns();
        int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, buf, size) != (ssize_t)size || (do_fsync && fsync(fd) < 0)) {
            fprintf(stderr, "io: write %s: %s\n", path, strerror(errno));
            return 1;
        }
        close(fd);
        uint64_t r0 = now_ns();
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, back, size) != (ssize_t)size) {
            fprintf(stderr, "io: read %s: %s\n", path, strerror(errno));
            return 1;
        }
        close(fd);
        uint64_t r1 = now_ns();
        if (unlink(path) < 0) {
            fprintf(stderr, "io: unlink %s: %s\n", path, strerror(errno));
            return 1;
        }
        write_ns += r0 - w0;
        read_ns += r1 - r0;
    }
    uint64_t el = now_ns() - t0;
    if (made) rmdir(dir);
    double mb = (double)size * (double)files / 1048576.0;
    printf("{\"files\":%ld,\"fileBytes\":%llu,\"fsync\":%d,\"elapsedNs\":%llu,\"opsPerSec\":%.1f,\"writeMBPerSec\":%.1f,\"readMBPerSec\":%.1f}\n",
           files, (unsigned long long)size, do_fsync, (unsigned long long)el, (double)files * 1e9 / (double)el,
           mb * 1e9 / (double)write_ns, mb * 1e9 / (double)read_ns);
    return 0;
}
