/* The names the launcher and the binding report states, timestamps, setup
 * steps and clone paths by: one table each, shared through nsb.h (the JSON of
 * nsb-launcher and the objects of the N-API binding use the same words). */
#include "nsb.h"

const char *const nsb_ts_names[NSB_T_COUNT] = {"request",    "cloneStart", "cloneDone", "childStart", "mapsDone",
                                                "cgroupDone", "setupDone",  "exec",      "ready",      "exit"};
const char *const nsb_setup_names[NSB_SETUP_COUNT] = {"propagation", "proc", "tmpfs", "lo", "hostname"};
static const char *const state_names[] = {"exited", "signaled", "timeout", "setup-failed", "clone-failed", "running"};

const char *nsb_state_name(int32_t state) {
    /* a state outside the enum can only be a launcher that failed before filling it */
    return state >= NSB_EXITED && state <= NSB_RUNNING ? state_names[state] : "clone-failed";
}

const char *nsb_clone_path_name(int32_t path) {
    return path == NSB_PATH_CLONE3 ? "clone3" : path == NSB_PATH_CLONE ? "clone" : "none";
}

const char *nsb_cgroup_method_name(int32_t method) {
    static const char *const methods[] = {"none", "clone-into-cgroup", "procs-write", "clone-into-cgroup+procs-write"};
    return methods[method & 3];
}

const char *nsb_create_method_name(int32_t method) {
    static const char *const methods[] = {"none", "fork", "vfork", "fork (vfork: maps to another id)",
                                          "fork (vfork: cgroup writes)", "fork (vfork: needs clone3)",
                                          "fork (vfork: x86-64 only)"};
    return method >= 0 && method <= NSB_CREATE_FORK_ARCH ? methods[method] : "none";
}
