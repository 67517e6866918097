/* crowd N: a crowded mount table. In the mount namespace it was started in (a private one of nsbench's own: the
 * launcher made its propagation private), mounts a tmpfs on its working directory and makes N bind mounts inside
 * it, then signals ready and sleeps until killed. Sandboxes created from its namespace copy every one of those
 * mounts; the namespace and its mounts end with the process, nothing of them is ever seen on the host. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "common.h"

#define CROWD_MAX 100000

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : -1;
    if (n < 0 || n > CROWD_MAX) {
        fprintf(stderr, "usage: crowd N (0..%d bind mounts)\n", CROWD_MAX);
        return 2;
    }
    char here[4096];
    if (!getcwd(here, sizeof here)) {
        perror("crowd: getcwd");
        return 1;
    }
    if (mount("nsb-crowd", here, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") < 0 || chdir(here) < 0) {
        fprintf(stderr, "crowd: mount tmpfs on %s: %s\n", here, strerror(errno));
        return 1;
    }
    if (mkdir("src", 0700) < 0) {
        perror("crowd: mkdir src");
        return 1;
    }
    for (long i = 0; i < n; i++) {
        char dir[32];
        snprintf(dir, sizeof dir, "m%ld", i);
        if (mkdir(dir, 0700) < 0 || mount("src", dir, NULL, MS_BIND, NULL) < 0) {
            fprintf(stderr, "crowd: bind mount %ld of %ld: %s\n", i + 1, n, strerror(errno));
            return 1;
        }
    }
    signal_ready();
    for (;;) pause();
}
