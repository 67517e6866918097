/* noop: the boot-time probe. Signals ready on the inherited fd named by
 * NSB_READY_FD (one byte) and exits 0. Static, so exec costs no dynamic loading. */
#include "common.h"

int main(void) {
    signal_ready();
    return 0;
}
