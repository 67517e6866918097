/* The core as a plain program: no N-API, no Node. Launches the no-op in each
 * namespace alone and all together, checks the wire round trip, a timeout and
 * a failing exec. Prints TAP; exits non-zero on a failure. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include "nsb.h"

static int n_test, n_fail;

static void ok(int cond, const char *what, const struct nsb_result *r) {
    n_test++;
    if (cond) { printf("ok %d - %s\n", n_test, what); return; }
    n_fail++;
    printf("not ok %d - %s (state %d, exit %d, error %s: %s)\n", n_test, what, r ? r->state : -1,
           r ? r->exit_code : -1, r ? r->error.syscall : "", r ? r->error.message : "");
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: core-test NOOP\n"); return 2; }
    if (geteuid() != 0) { printf("1..0 # SKIP needs root to create every namespace\n"); return 0; }
    struct nsb_error err = {0};
    struct nsb_core *core;
    if (nsb_core_init(&core, &err) < 0) { fprintf(stderr, "init: %s\n", err.message); return 1; }
    struct nsb_result *r = malloc(sizeof *r);
    struct nsb_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.map_uid = spec.map_gid = -1;
    spec.path = argv[1];
    spec.argv[0] = argv[1];
    spec.argc = 1;
    spec.timeout_ns = 5000000000ull;

    for (unsigned i = 0; i <= nsb_ns_count; i++) {
        spec.ns = i < nsb_ns_count ? nsb_ns_table[i].bit : NSB_NS_ALL;
        nsb_run(core, &spec, nsb_now_ns(), r);
        char what[96];
        snprintf(what, sizeof what, "noop in %s: exited 0, ready, timestamps ordered",
                 i < nsb_ns_count ? nsb_ns_table[i].name : "all eight");
        ok(r->state == NSB_EXITED && r->exit_code == 0 && r->ready && r->t[NSB_T_CLONE_DONE] >= r->t[NSB_T_REQUEST] &&
               r->t[NSB_T_EXEC] >= r->t[NSB_T_SETUP_DONE] && r->t[NSB_T_EXIT] >= r->t[NSB_T_READY] &&
               r->clone_path == NSB_PATH_CLONE3,
           what, r);
    }

    /* the setup steps are timed, and skipped on request */
    spec.ns = NSB_NS_PID | NSB_NS_MNT | NSB_NS_NET | NSB_NS_UTS;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_EXITED && r->setup_ns[NSB_SETUP_PROPAGATION] > 0 && r->setup_ns[NSB_SETUP_PROC] > 0 &&
           r->setup_ns[NSB_SETUP_LO] > 0 && r->setup_ns[NSB_SETUP_HOSTNAME] > 0 && r->setup_ns[NSB_SETUP_TMPFS] == 0 &&
           r->t_setup_begin >= r->t[NSB_T_CHILD_START] && r->t_setup_begin <= r->t[NSB_T_SETUP_DONE],
       "each setup step is timed (propagation, /proc, lo, hostname)", r);
    spec.opts = NSB_OPT_NO_SETUP;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_EXITED && r->setup_ns[NSB_SETUP_PROPAGATION] == 0 && r->setup_ns[NSB_SETUP_LO] == 0 &&
           r->setup_ns[NSB_SETUP_HOSTNAME] == 0, "NSB_OPT_NO_SETUP skips the setup", r);
    spec.tmpfs = "/dev/shm";
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_CLONE_FAILED && strstr(r->error.message, "tmpfs"), "a tmpfs without the setup is refused", r);
    spec.tmpfs = NULL;
    spec.opts = 0;

    /* pacing: the gap after the previous exit is kept by sleeping */
    {
        uint64_t prev = nsb_now_ns();
        uint64_t waited = nsb_keep_gap(prev, 20000000ull);
        ok(waited >= 15000000ull && nsb_now_ns() - prev >= 20000000ull, "nsb_keep_gap sleeps until the gap has passed", NULL);
        ok(nsb_keep_gap(prev, 1000ull) == 0 && nsb_keep_gap(0, 20000000ull) == 0, "no wait once the gap has passed, or with no launch before", NULL);
    }

    spec.ns = NSB_NS_USER | NSB_NS_PID;
    spec.opts = NSB_OPT_FORCE_CLONE;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_EXITED && r->clone_path == NSB_PATH_CLONE, "clone() fallback works and is reported", r);
    spec.ns = NSB_NS_TIME;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_CLONE_FAILED && strstr(r->error.message, "clone3"), "time namespace refused on clone()", r);
    spec.opts = 0;

    const char *sleep_argv[] = {"/bin/sleep", "30", NULL};
    spec.ns = NSB_NS_PID;
    spec.path = "/bin/sleep";
    spec.argv[0] = sleep_argv[0];
    spec.argv[1] = sleep_argv[1];
    spec.argc = 2;
    spec.timeout_ns = 200000000ull;
    uint64_t t0 = nsb_now_ns();
    nsb_run(core, &spec, t0, r);
    ok(r->state == NSB_TIMEOUT && nsb_now_ns() - t0 < 5000000000ull, "timeout kills the sandbox", r);

    spec.path = "/nonexistent/nsb-program";
    spec.argv[0] = spec.path;
    spec.argc = 1;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_SETUP_FAILED && r->error.err == 2 && strcmp(r->error.syscall, "execve") == 0,
       "a missing program is a setup failure with errno and syscall", r);

    /* hold: spawn, wait for ready, keep running, then stop it */
    {
        const char *sh = "/bin/sh";
        struct nsb_sandbox sb;
        spec.ns = NSB_NS_PID | NSB_NS_USER;
        spec.path = sh;
        spec.argv[0] = sh;
        spec.argv[1] = "-c";
        spec.argv[2] = "printf r >&3; exec sleep 30";
        spec.argc = 3;
        spec.timeout_ns = 5000000000ull;
        spec.opts = NSB_OPT_DISCARD_OUTPUT;
        int spawned = nsb_spawn(core, &spec, nsb_now_ns(), r, &sb) == 0;
        int held = spawned && nsb_wait(core, &sb, r, 1) == 0 && r->state == NSB_RUNNING && r->ready;
        ok(held && kill(sb.pid, 0) == 0, "a held sandbox is ready and still running", r);
        if (spawned && held) {
            nsb_stop(core, &sb, SIGKILL, 2000000000ull, r);
            ok(r->state == NSB_SIGNALED && r->term_signal == SIGKILL && r->t[NSB_T_EXEC] > 0 && r->t[NSB_T_READY] > r->t[NSB_T_EXEC],
               "stopping it reaps it with its whole timeline", r);
        }
        spec.opts = 0;
    }

    struct nsb_wire_req *req = malloc(sizeof *req);
    struct nsb_spec back;
    spec.path = argv[1];
    spec.argv[0] = argv[1];
    spec.argv[1] = NULL;
    spec.argc = 1;
    spec.hostname = "h1";
    spec.envp[0] = "A=1";
    spec.envc = 1;
    spec.gap_ns = 1234567;
    ok(nsb_wire_pack(&spec, NSB_OP_RUN, 7, req, &err) == 0 && nsb_wire_unpack(req, &back, &err) == 0 &&
           strcmp(back.path, argv[1]) == 0 && strcmp(back.hostname, "h1") == 0 && back.argc == 1 &&
           strcmp(back.envp[0], "A=1") == 0 && back.ns == spec.ns && req->id == 7 && back.gap_ns == 1234567,
       "wire pack/unpack round trip", NULL);
    req->magic = 0;
    ok(nsb_wire_unpack(req, &back, &err) < 0, "a request with a bad magic is refused", NULL);

    uint32_t bits = 0;
    char bad[32];
    ok(nsb_ns_parse("user,pid+net", &bits, bad, sizeof bad) == 0 && bits == (NSB_NS_USER | NSB_NS_PID | NSB_NS_NET),
       "namespace list parses", NULL);
    ok(nsb_ns_parse("user,nett", &bits, bad, sizeof bad) < 0 && strcmp(bad, "nett") == 0,
       "unknown namespace name is reported", NULL);

    printf("1..%d\n", n_test);
    free(req);
    free(r);
    nsb_core_free(core);
    return n_fail ? 1 : 0;
}
