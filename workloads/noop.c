/* noop: the boot-time probe. Signals ready on the inherited fd named by
 * NSB_READY_FD (one byte) and exits 0. Static, so exec costs no dynamic loading. */
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    const char *fd = getenv("NSB_READY_FD");
    if (fd && *fd) {
        char byte = 'R';
        (void)!write(atoi(fd), &byte, 1);
    }
    return 0;
}
