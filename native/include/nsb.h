/* nsbench native core: sandbox creation, timing and the launcher wire format.
 *
 * This header has no N-API in it: the core builds and tests as a plain C
 * program (native/Makefile), and the node-addon-api binding (src/addon.cc)
 * only converts values to and from these structs.
 */
#ifndef NSB_H
#define NSB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- namespaces --------------------------------------------------------- */

/* Our own bit per namespace; nsb_ns_table maps it to CLONE_* and /proc/self/ns. */
enum {
    NSB_NS_USER = 1u << 0,
    NSB_NS_PID = 1u << 1,
    NSB_NS_MNT = 1u << 2,
    NSB_NS_NET = 1u << 3,
    NSB_NS_IPC = 1u << 4,
    NSB_NS_UTS = 1u << 5,
    NSB_NS_CGROUP = 1u << 6,
    NSB_NS_TIME = 1u << 7,
    NSB_NS_ALL = (1u << 8) - 1,
};

struct nsb_ns_info {
    const char *name;      /* user, pid, mnt, net, ipc, uts, cgroup, time */
    uint32_t bit;          /* NSB_NS_* */
    uint64_t clone_flag;   /* CLONE_NEW* */
    const char *proc_file; /* file under /proc/<pid>/ns/ */
};

extern const struct nsb_ns_info nsb_ns_table[];
extern const unsigned nsb_ns_count;

/* Parses "user,pid+net" (',' or '+' separated, "all", "none"/"bare").
 * Returns 0 and sets *bits, or -1 and copies the unknown name to bad. */
int nsb_ns_parse(const char *list, uint32_t *bits, char *bad, size_t badlen);
uint64_t nsb_ns_clone_flags(uint32_t bits);
/* Writes "user,pid,..." for bits into out. */
void nsb_ns_format(uint32_t bits, char *out, size_t outlen);

/* ---- errors ------------------------------------------------------------- */

/* One convention for the functions of the core: an int, 0 (or a count) on
 * success, -1 on failure with the caller's nsb_error filled (for a launch, the
 * error inside its nsb_result). nsb_wait is the one two-way outcome (0 ready,
 * 1 reaped); nsb_run fills its result whatever happens and returns nothing. */

struct nsb_error {
    int err;            /* errno, 0 when none */
    char syscall[32];   /* the failing call, e.g. "clone3" */
    char message[256];  /* what failed, with the hint for the user */
};

void nsb_error_set(struct nsb_error *e, int err, const char *syscall, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Closes *fd if it is open and marks it closed (-1): safe to call twice. */
static inline void nsb_close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}
/* A short hint for errno err returned by syscall with namespaces bits, or "". */
const char *nsb_hint(int err, const char *syscall, uint32_t bits);
const char *nsb_errno_name(int err);

/* ---- a sandbox request and its result ----------------------------------- */

#define NSB_MAX_ARGS 128
#define NSB_STRINGS_MAX 16384
#define NSB_STDOUT_MAX 65536
#define NSB_STDERR_MAX 4096
#define NSB_READY_FD 3 /* the workload writes one byte here when ready */

enum nsb_opt {
    NSB_OPT_FORCE_CLONE = 1u << 0, /* use clone() even where clone3() exists */
    NSB_OPT_NO_PROC = 1u << 1,     /* skip the fresh /proc in pid+mnt */
    NSB_OPT_NO_LO = 1u << 2,       /* leave lo down in a new net namespace */
    NSB_OPT_DISCARD_OUTPUT = 1u << 3, /* stdout/stderr to /dev/null (implied for held sandboxes) */
    NSB_OPT_CGROUP_BY_WRITE = 1u << 4, /* v2: place by a cgroup.procs write even where CLONE_INTO_CGROUP works */
    NSB_OPT_NO_SETUP = 1u << 5,    /* no in-sandbox setup at all: no propagation change, /proc, lo or hostname */
    NSB_OPT_VFORK = 1u << 6,       /* vfork-style: CLONE_VM | CLONE_VFORK, the child on a stack of the launcher's own
                                      (as posix_spawn does), writing its own single-id maps; fork-style where it cannot */
};

/* The steps of the in-sandbox setup, each timed by the child (ns; 0 where not done). */
enum nsb_setup_step {
    NSB_SETUP_PROPAGATION, /* mount --make-rprivate / (mnt) */
    NSB_SETUP_PROC,        /* a fresh /proc (pid+mnt) */
    NSB_SETUP_TMPFS,       /* the variant's tmpfs (mnt) */
    NSB_SETUP_LO,          /* lo up (net) */
    NSB_SETUP_HOSTNAME,    /* sethostname (uts) */
    NSB_SETUP_COUNT
};

struct nsb_spec {
    uint32_t ns;           /* NSB_NS_* bits */
    uint32_t opts;         /* NSB_OPT_* bits */
    int64_t map_uid;       /* host uid that uid 0 inside maps to; -1: the launcher's euid */
    int64_t map_gid;       /* likewise for gid */
    uint64_t timeout_ns;   /* 0: none */
    const char *path;      /* program to execve */
    const char *hostname;  /* set in a new uts namespace; NULL: "nsb-sandbox" */
    const char *cgroup;    /* v2: directory to clone into (CLONE_INTO_CGROUP); NULL: none */
    const char *cgroup_v1[8]; /* v1: cgroup.procs files written before exec */
    const char *netns;     /* join this network namespace (e.g. /run/netns/nsb-...) instead of a new one */
    const char *mntns;     /* create the sandbox from this mount namespace (its mount table copied by a new one) */
    const char *tmpfs;     /* mount a fresh tmpfs on this directory (needs a mount namespace) */
    const char *cwd;       /* working directory of the workload (default: the launcher's) */
    const char *time_offsets; /* with NSB_NS_TIME: "monotonic S NS\nboottime S NS\n" written to the new time namespace */
    uint64_t gap_ns;       /* NSB_OP_RUN: start no sooner than this long after the launcher reaped its previous launch */
    unsigned argc;
    const char *argv[NSB_MAX_ARGS + 1];
    unsigned envc;
    const char *envp[NSB_MAX_ARGS + 1];
};

/* Timestamps, CLOCK_MONOTONIC ns; 0 where the step did not happen. */
enum nsb_ts {
    NSB_T_REQUEST,     /* request received by the launcher */
    NSB_T_CLONE_START, /* just before clone3()/clone() */
    NSB_T_CLONE_DONE,  /* clone returned in the launcher (vfork-style: the child's first instruction; the launcher waits for its exec) */
    NSB_T_CHILD_START, /* first instruction of the child */
    NSB_T_MAPS_DONE,   /* uid/gid maps written (user namespace) */
    NSB_T_CGROUP_DONE, /* cgroup placement by cgroup.procs writes done, child released */
    NSB_T_SETUP_DONE,  /* child finished namespace setup (/proc, lo, hostname) */
    NSB_T_EXEC,        /* child calls execve */
    NSB_T_READY,       /* launcher read the workload's ready byte */
    NSB_T_EXIT,        /* launcher reaped the child */
    NSB_T_COUNT
};

enum nsb_state {
    NSB_EXITED = 0,       /* ran and exited (exit_code says how) */
    NSB_SIGNALED = 1,     /* killed by a signal it did not get from us */
    NSB_TIMEOUT = 2,      /* outlived timeout_ns, killed via pidfd */
    NSB_SETUP_FAILED = 3, /* the child failed before exec (err says where) */
    NSB_CLONE_FAILED = 4, /* clone itself or the launcher's setup failed */
    NSB_RUNNING = 5,      /* started and ready, held by the launcher until stopped */
};

enum nsb_clone_path { NSB_PATH_NONE = 0, NSB_PATH_CLONE = 2, NSB_PATH_CLONE3 = 3 };
/* How the sandbox's first process was made: fork-style (a copy of the launcher's address space) as asked, vfork-style,
 * or fork-style because vfork-style was asked for and the request rules it out (the reason in the name). */
enum nsb_create_method {
    NSB_CREATE_NONE = 0,
    NSB_CREATE_FORK = 1,
    NSB_CREATE_VFORK = 2,
    NSB_CREATE_FORK_MAPS = 3,   /* the user namespace maps to another uid/gid: the launcher writes the maps */
    NSB_CREATE_FORK_CGROUP = 4, /* placement by cgroup.procs writes while the child waits */
    NSB_CREATE_FORK_CLONE = 5,  /* no clone3 (or clone() asked for) */
    NSB_CREATE_FORK_ARCH = 6,   /* vfork-style is built for x86-64 only */
};

/* bits: how the sandbox was placed in its cgroup(s) */
enum nsb_cgroup_method { NSB_CG_NONE = 0, NSB_CG_INTO = 1, NSB_CG_PROCS_WRITE = 2 };

struct nsb_result {
    uint64_t id;
    int32_t state;       /* enum nsb_state */
    int32_t exit_code;   /* NSB_EXITED */
    int32_t term_signal; /* NSB_SIGNALED / NSB_TIMEOUT */
    int32_t pid;         /* host pid of the sandbox's first process */
    int32_t clone_path;  /* enum nsb_clone_path */
    int32_t cgroup_method; /* enum nsb_cgroup_method bits */
    int32_t ready;       /* 1 if the ready byte arrived */
    int32_t create_method; /* enum nsb_create_method */
    uint64_t t[NSB_T_COUNT];
    /* rusage of the child (and its reaped descendants) */
    int64_t child_utime_us, child_stime_us, child_maxrss_kb, child_minflt, child_majflt;
    int64_t child_nvcsw, child_nivcsw;
    /* CPU the launcher itself spent on this sandbox (clone creates namespaces in
     * the parent's context, so namespace creation cost lands here) */
    int64_t launcher_utime_us, launcher_stime_us;
    uint64_t setup_ns[NSB_SETUP_COUNT]; /* the child's setup steps, timed (enum nsb_setup_step) */
    uint64_t t_setup_begin;  /* the child starts its setup (after maps, cgroup placement and clock offsets) */
    uint64_t t_prev_exit;    /* when the launcher reaped the launch before this one (0: none yet) */
    uint64_t gap_wait_ns;    /* how long the launcher waited to keep spec.gap_ns */
    struct nsb_error error; /* for SETUP_FAILED / CLONE_FAILED */
    char error_stage[32];   /* child step that failed, e.g. "mount /proc" */
    uint32_t stdout_len, stderr_len;
    char out[NSB_STDOUT_MAX];
    char errbuf[NSB_STDERR_MAX];
};

/* ---- names (names.c): the words results use for states, timestamps, steps -- */
extern const char *const nsb_ts_names[NSB_T_COUNT];        /* enum nsb_ts: "request", "cloneStart", ... */
extern const char *const nsb_setup_names[NSB_SETUP_COUNT]; /* enum nsb_setup_step: "propagation", ... */
const char *nsb_state_name(int32_t state);                 /* enum nsb_state: "exited", ...; "clone-failed" outside it */
const char *nsb_clone_path_name(int32_t path);             /* enum nsb_clone_path: "clone3", "clone", "none" */
const char *nsb_cgroup_method_name(int32_t method);        /* enum nsb_cgroup_method bits: "clone-into-cgroup", ... */
const char *nsb_create_method_name(int32_t method);        /* enum nsb_create_method: "fork", "vfork", "fork (...)" */

/* ---- the core ----------------------------------------------------------- */

struct nsb_core; /* per-process state: shared page, /dev/null, clone3 support */

int nsb_core_init(struct nsb_core **core, struct nsb_error *err);
void nsb_core_free(struct nsb_core *core);
int nsb_core_has_clone3(const struct nsb_core *core);

/* ---- pacing: what the launcher does between launches --------------------- */
/* Sleeps until prev_exit + gap_ns (nothing when gap_ns or prev_exit is 0); returns the ns waited. */
uint64_t nsb_keep_gap(uint64_t prev_exit, uint64_t gap_ns);

/* Creates the sandbox, runs it to exit or timeout and fills res, whatever
 * happens: a sandbox that failed is a result too (res->state and res->error
 * say how). */
void nsb_run(struct nsb_core *core, const struct nsb_spec *spec, uint64_t t_request, struct nsb_result *res);

/* A sandbox between clone and reaping. */
struct nsb_sandbox {
    uint64_t id;
    pid_t pid;
    int pidfd, ready_fd, out_fd, err_fd;
    uint64_t deadline; /* 0: none */
    int killed, ready, page_taken;
    uint32_t ns;
    int64_t launcher_utime0_us, launcher_stime0_us;
    uint64_t t[NSB_T_COUNT];
    uint64_t t_setup_begin, setup_ns[NSB_SETUP_COUNT];
    int32_t clone_path, cgroup_method, create_method;
};

/* The rules a request must keep before anything is made (a program to run;
 * clock offsets only with a time namespace; a time namespace only through
 * clone3, which `has_clone3` says this kernel has and opts does not rule out;
 * a network namespace joined or created, not both; a tmpfs only with a mount
 * namespace and its setup). Returns 0 when it keeps them, else -1 with e set
 * (EINVAL, the rule broken). Pure: no root, no kernel. */
int nsb_spec_check(const struct nsb_spec *spec, int has_clone3, struct nsb_error *e);

/* Creates the sandbox. Returns 0 with sb filled while the child runs, or -1
 * when it failed before a child existed (res is final and says why: its state
 * and error; sb holds nothing). */
int nsb_spawn(struct nsb_core *core, const struct nsb_spec *spec, uint64_t t_request,
              struct nsb_result *res, struct nsb_sandbox *sb);
/* Waits for the ready byte (until_ready) or for the exit, killing at the
 * deadline. Returns 0 when ready and still running (res->state NSB_RUNNING,
 * sb stays open), 1 when reaped (res final, sb closed). Output is captured
 * into res->out/errbuf only while waiting for the exit. */
int nsb_wait(struct nsb_core *core, struct nsb_sandbox *sb, struct nsb_result *res, int until_ready);
/* Sends sig through the pidfd (0: none), sets a new deadline, waits for the exit. */
int nsb_stop(struct nsb_core *core, struct nsb_sandbox *sb, int sig, uint64_t timeout_ns,
             struct nsb_result *res);

uint64_t nsb_now_ns(void);

/* ---- freezer ------------------------------------------------------------ */

struct nsb_freeze_result {
    uint64_t latency_ns; /* write → the state confirmed (or → the timeout) */
    uint32_t polls;      /* reads of the state file */
    uint32_t retries;    /* v1: FROZEN rewritten while stuck in FREEZING */
    int32_t timed_out;   /* the state did not arrive within the timeout */
    int32_t stuck;       /* v1: still FREEZING at the timeout */
};

/* dir is the cgroup's directory. 0 on a timed (possibly timed-out) result, -1 with err. */
int nsb_freeze_v2(const char *dir, int freeze, uint64_t timeout_ns, struct nsb_freeze_result *out,
                  struct nsb_error *err);
int nsb_freeze_v1(const char *dir, int freeze, uint64_t timeout_ns, uint64_t retry_ns,
                  struct nsb_freeze_result *out, struct nsb_error *err);

/* ---- wire format between client and launcher ---------------------------- */

#define NSB_WIRE_MAGIC 0x4e534231u /* "NSB1" */
#define NSB_WIRE_VERSION 4u

enum nsb_op {
    NSB_OP_RUN = 1,   /* launch, wait for the exit, report; count > 1: that many back to back, one result frame each */
    NSB_OP_PING = 2,
    NSB_OP_QUIT = 3,  /* kill and reap every held sandbox, then exit */
    NSB_OP_START = 4, /* launch, wait for ready, hold it: result state NSB_RUNNING, id = handle */
    NSB_OP_STOP = 5,  /* signal a held sandbox (target), wait for its exit, report */
};

struct nsb_wire_req {
    uint32_t magic, version, op, ns, opts;
    uint32_t argc, envc, ncgroup_v1;
    int64_t map_uid, map_gid;
    uint64_t timeout_ns, id;
    uint64_t target;  /* NSB_OP_STOP: the id its NSB_OP_START had */
    int32_t signal;   /* NSB_OP_STOP: signal to send first (0: just wait) */
    uint32_t count;   /* NSB_OP_START: hold this many; NSB_OP_RUN: run this many in a row (ids id, id+1, ...), one result frame each; 0 means 1 */
    uint64_t gap_ns;  /* NSB_OP_RUN: spec.gap_ns */
    uint32_t strings_len; /* path\0 hostname\0 cgroup\0 netns\0 mntns\0 tmpfs\0 cwd\0 time_offsets\0 v1...\0 argv...\0 envp...\0 */
    char strings[NSB_STRINGS_MAX];
};

/* Packs spec into req; -1 with err set when it does not fit. */
int nsb_wire_pack(const struct nsb_spec *spec, uint32_t op, uint64_t id,
                  struct nsb_wire_req *req, struct nsb_error *err);
/* Unpacks req into spec (pointers into req->strings); -1 on a malformed request. */
int nsb_wire_unpack(struct nsb_wire_req *req, struct nsb_spec *spec, struct nsb_error *err);
/* Frames: u32 length, then that many bytes. Return 0, or -1 with err
 * (a closed peer reads as ECONNRESET). */
int nsb_write_frame(int fd, const void *buf, uint32_t len, struct nsb_error *err);
int nsb_read_frame(int fd, void *buf, uint32_t cap, uint32_t *len, struct nsb_error *err);
/* Results travel without the unused tails of out/errbuf. */
int nsb_result_send(int fd, const struct nsb_result *res, struct nsb_error *err);
int nsb_result_recv(int fd, struct nsb_result *res, struct nsb_error *err);

/* ---- client: the harness side of the channel ----------------------------- */

struct nsb_client {
    pid_t pid;
    int to_fd, from_fd;
    uint64_t next_id;
};

/* Starts the launcher binary (posix_spawn: no copy of the caller's memory). */
int nsb_client_start(struct nsb_client *c, const char *launcher_path, struct nsb_error *err);
int nsb_client_run(struct nsb_client *c, const struct nsb_spec *spec, struct nsb_result *res,
                   struct nsb_error *err);
int nsb_client_ping(struct nsb_client *c, struct nsb_error *err);
/* Runs `count` launches of one spec back to back in the launcher (spec->gap_ns apart,
 * no round trip between them); res must have room for count results. */
int nsb_client_run_many(struct nsb_client *c, const struct nsb_spec *spec, uint32_t count, struct nsb_result *res,
                        struct nsb_error *err);
/* Launch and hold: res->state NSB_RUNNING and res->id the handle, or a final result. */
int nsb_client_hold(struct nsb_client *c, const struct nsb_spec *spec, struct nsb_result *res,
                    struct nsb_error *err);
/* Holds `count` sandboxes of one spec in one request (ids are consecutive);
 * res must have room for count results. A failure ends the batch: the rest
 * come back as NSB_CLONE_FAILED with ECANCELED. */
int nsb_client_hold_many(struct nsb_client *c, const struct nsb_spec *spec, uint32_t count, struct nsb_result *res,
                         struct nsb_error *err);
/* Signals a held sandbox (0: none), waits up to timeout_ns for its exit. */
int nsb_client_release(struct nsb_client *c, uint64_t target, int sig, uint64_t timeout_ns,
                       struct nsb_result *res, struct nsb_error *err);
/* Asks the launcher to quit and reaps it; returns its wait status or -1. */
int nsb_client_stop(struct nsb_client *c);

#ifdef __cplusplus
}
#endif
#endif
