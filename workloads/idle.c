/* idle: signals ready and sleeps until killed — the tenant of a density ramp. */
#include "common.h"

int main(void) {
    signal_ready();
    for (;;) pause();
}
