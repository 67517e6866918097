/* The core as a plain program: no N-API, no Node. For everyone: the request
 * rules, the wire round trip, the parsers, the name tables, the hints and
 * pacing. As root also: launches the no-op in each namespace alone and all
 * together, a timeout, a failing exec, a held sandbox. Prints TAP; exits
 * non-zero on a failure. */
#define _GNU_SOURCE
#include <errno.h>
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

static void set_no_program(struct nsb_spec *s) { s->argc = 0; }
static void set_offsets_no_time(struct nsb_spec *s) { s->time_offsets = "monotonic 1 0\n"; }
static void set_time(struct nsb_spec *s) { s->ns |= NSB_NS_TIME; }
static void set_time_forced(struct nsb_spec *s) { s->ns |= NSB_NS_TIME; s->opts |= NSB_OPT_FORCE_CLONE; }
static void set_netns_both(struct nsb_spec *s) { s->netns = "/run/netns/nsb-x"; s->ns |= NSB_NS_NET; }
static void set_tmpfs_no_mnt(struct nsb_spec *s) { s->tmpfs = "/dev/shm"; }
static void set_tmpfs_no_setup(struct nsb_spec *s) { s->tmpfs = "/dev/shm"; s->ns |= NSB_NS_MNT; s->opts |= NSB_OPT_NO_SETUP; }

/* What needs no root and no kernel: the request rules, the wire, the parsers,
 * the name tables, the hints, pacing. Run for everyone. */
static void pure_checks(const char *noop) {
    struct nsb_error err = {0};
    struct nsb_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.map_uid = spec.map_gid = -1;
    spec.path = noop;
    spec.argv[0] = noop;
    spec.argc = 1;

    /* the request rules (nsb_spec_check), each broken once */
    ok(nsb_spec_check(&spec, 1, &err) == 0, "a plain request keeps the rules", NULL);
    struct { const char *what, *expect; void (*set)(struct nsb_spec *); int has_clone3; } rules[] = {
        {"no program", "no program to run", set_no_program, 1},
        {"clock offsets without a time namespace", "clock offsets need a time namespace", set_offsets_no_time, 1},
        {"a time namespace without clone3", "needs clone3()", set_time, 0},
        {"a time namespace with clone() forced", "needs clone3()", set_time_forced, 1},
        {"a network namespace joined and created", "not both", set_netns_both, 1},
        {"a tmpfs without a mount namespace", "needs a mount namespace", set_tmpfs_no_mnt, 1},
        {"a tmpfs without the setup", "and its setup", set_tmpfs_no_setup, 1},
    };
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        struct nsb_spec bad = spec;
        rules[k].set(&bad);
        memset(&err, 0, sizeof err);
        char what[128];
        snprintf(what, sizeof what, "nsb_spec_check refuses %s (EINVAL, says why)", rules[k].what);
        ok(nsb_spec_check(&bad, rules[k].has_clone3, &err) < 0 && err.err == EINVAL && strstr(err.message, rules[k].expect) != NULL,
           what, NULL);
    }
    {
        struct nsb_spec t = spec;
        set_time(&t);
        ok(nsb_spec_check(&t, 1, &err) == 0, "a time namespace through clone3 keeps the rules", NULL);
    }

    /* the name tables: one per enum, every entry named */
    int named = nsb_ts_names[NSB_T_REQUEST] && strcmp(nsb_ts_names[NSB_T_EXIT], "exit") == 0 &&
                strcmp(nsb_setup_names[NSB_SETUP_HOSTNAME], "hostname") == 0 && strcmp(nsb_state_name(NSB_RUNNING), "running") == 0 &&
                strcmp(nsb_state_name(99), "clone-failed") == 0 && strcmp(nsb_clone_path_name(NSB_PATH_CLONE3), "clone3") == 0 &&
                strcmp(nsb_cgroup_method_name(NSB_CG_INTO | NSB_CG_PROCS_WRITE), "clone-into-cgroup+procs-write") == 0;
    for (int k = 0; k < NSB_T_COUNT; k++) named = named && nsb_ts_names[k] && *nsb_ts_names[k];
    for (int k = 0; k < NSB_SETUP_COUNT; k++) named = named && nsb_setup_names[k] && *nsb_setup_names[k];
    ok(named, "states, timestamps, setup steps, clone paths and cgroup methods have one name each", NULL);

    /* hints name what a user can do */
    ok(strstr(nsb_hint(EPERM, "mount", NSB_NS_MNT), "setup: false") != NULL && strstr(nsb_hint(EPERM, "mount", 0), "NO_PROC") == NULL,
       "the mount hint names what a scenario can set", NULL);
    ok(strstr(nsb_hint(EPERM, "clone3", NSB_NS_USER), "user namespaces") != NULL && *nsb_hint(EINVAL, "request", 0) == 0,
       "hints match by errno, call and namespace; a request error has none", NULL);

    /* pacing: the gap after the previous exit is kept by sleeping */
    {
        uint64_t prev = nsb_now_ns();
        uint64_t waited = nsb_keep_gap(prev, 20000000ull);
        ok(waited >= 15000000ull && nsb_now_ns() - prev >= 20000000ull, "nsb_keep_gap sleeps until the gap has passed", NULL);
        ok(nsb_keep_gap(prev, 1000ull) == 0 && nsb_keep_gap(0, 20000000ull) == 0, "no wait once the gap has passed, or with no launch before", NULL);
    }

    struct nsb_wire_req *req = malloc(sizeof *req);
    struct nsb_spec back;
    spec.path = noop;
    spec.argv[0] = noop;
    spec.argv[1] = NULL;
    spec.argc = 1;
    spec.hostname = "h1";
    spec.envp[0] = "A=1";
    spec.envc = 1;
    spec.gap_ns = 1234567;
    ok(nsb_wire_pack(&spec, NSB_OP_RUN, 7, req, &err) == 0 && nsb_wire_unpack(req, &back, &err) == 0 &&
           strcmp(back.path, noop) == 0 && strcmp(back.hostname, "h1") == 0 && back.argc == 1 &&
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
    free(req);

}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: core-test NOOP\n"); return 2; }
    pure_checks(argv[1]);
    if (geteuid() != 0) {
        /* only the launches need root: every pure check above has run */
        printf("# SKIP the launches: creating every namespace needs root\n1..%d\n", n_test);
        return n_fail ? 1 : 0;
    }
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

    spec.ns = NSB_NS_USER | NSB_NS_PID;
    spec.opts = NSB_OPT_FORCE_CLONE;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_EXITED && r->clone_path == NSB_PATH_CLONE, "clone() fallback works and is reported", r);
    spec.ns = NSB_NS_TIME;
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_CLONE_FAILED && strstr(r->error.message, "clone3"), "time namespace refused on clone()", r);
    spec.opts = 0;

    /* a child that cannot be placed is killed and reaped before the result comes back (kill_reap_fail) */
    spec.ns = NSB_NS_PID;
    spec.cgroup_v1[0] = "/nonexistent/nsb-core-test/cgroup.procs";
    nsb_run(core, &spec, nsb_now_ns(), r);
    ok(r->state == NSB_CLONE_FAILED && r->pid > 0 && kill(r->pid, 0) < 0 && errno == ESRCH && r->t[NSB_T_CLONE_DONE] > 0 &&
           r->clone_path == NSB_PATH_CLONE3,
       "a child whose placement fails is killed, reaped and reported with its pid and clone path", r);
    spec.cgroup_v1[0] = NULL;

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

    printf("1..%d\n", n_test);
    free(r);
    nsb_core_free(core);
    return n_fail ? 1 : 0;
}
