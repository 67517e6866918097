/* nsb-launcher: the small single-threaded process that creates sandboxes.
 *
 *   nsb-launcher serve          requests on stdin, results on stdout (the harness's channel)
 *   nsb-launcher run [options] -- PROGRAM [ARGS...]
 *                               one-shot: launch, print one JSON line per launch
 *   nsb-launcher probe          print kernel features as JSON
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "nsb.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* The most worker processes one scale request starts. */
#define NSB_SCALE_MAX_WORKERS 256

extern char **environ;


static void json_str(FILE *f, const char *s, size_t len) {
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static void print_result(FILE *f, const struct nsb_result *r, uint32_t ns) {
    char nsbuf[128];
    nsb_ns_format(ns, nsbuf, sizeof nsbuf);
    fprintf(f, "{\"ns\":\"%s\",\"state\":\"%s\",\"exitCode\":%d,\"signal\":%d,\"pid\":%d,\"clonePath\":\"%s\",\"ready\":%s",
            nsbuf, nsb_state_name(r->state), r->exit_code, r->term_signal, r->pid, nsb_clone_path_name(r->clone_path),
            r->ready ? "true" : "false");
    fprintf(f, ",\"requestMonoNs\":%llu,\"createMethod\":\"%s\"", (unsigned long long)r->t[NSB_T_REQUEST],
            nsb_create_method_name(r->create_method));
    fprintf(f, ",\"offsetsNs\":{");
    for (int i = 0; i < NSB_T_COUNT; i++) {
        long long off = r->t[i] ? (long long)(r->t[i] - r->t[NSB_T_REQUEST]) : -1;
        fprintf(f, "%s\"%s\":%lld", i ? "," : "", nsb_ts_names[i], off);
    }
    fprintf(f, "},\"setupNs\":{");
    for (int i = 0; i < NSB_SETUP_COUNT; i++) fprintf(f, "%s\"%s\":%llu", i ? "," : "", nsb_setup_names[i], (unsigned long long)r->setup_ns[i]);
    fprintf(f, "},\"prevExitAgoNs\":%lld,\"gapWaitNs\":%llu", r->t_prev_exit ? (long long)(r->t[NSB_T_REQUEST] - r->t_prev_exit) : -1LL,
            (unsigned long long)r->gap_wait_ns);
    fprintf(f, ",\"childUserUs\":%lld,\"childSysUs\":%lld,\"childMaxRssKb\":%lld,\"launcherUserUs\":%lld,\"launcherSysUs\":%lld",
            (long long)r->child_utime_us, (long long)r->child_stime_us, (long long)r->child_maxrss_kb,
            (long long)r->launcher_utime_us, (long long)r->launcher_stime_us);
    if (r->state >= NSB_SETUP_FAILED) {
        fprintf(f, ",\"error\":{\"code\":\"%s\",\"syscall\":", nsb_errno_name(r->error.err));
        json_str(f, r->error.syscall, strlen(r->error.syscall));
        fprintf(f, ",\"message\":");
        json_str(f, r->error.message, strlen(r->error.message));
        fprintf(f, "}");
    }
    fprintf(f, ",\"stdout\":");
    json_str(f, r->out, r->stdout_len);
    fprintf(f, ",\"stderr\":");
    json_str(f, r->errbuf, r->stderr_len);
    fprintf(f, "}\n");
}

/* Held sandboxes (NSB_OP_START), until NSB_OP_STOP or the launcher quits. */
struct held {
    struct nsb_sandbox *v;
    size_t n, cap;
};

static struct nsb_sandbox *held_add(struct held *h) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct nsb_sandbox *v = realloc(h->v, cap * sizeof *v);
        if (!v) return NULL;
        h->v = v;
        h->cap = cap;
    }
    return &h->v[h->n++];
}

static struct nsb_sandbox *held_find(struct held *h, uint64_t id) {
    for (size_t i = h->n; i-- > 0;)
        if (h->v[i].id == id) return &h->v[i];
    return NULL;
}

static void held_remove(struct held *h, struct nsb_sandbox *sb) {
    *sb = h->v[--h->n];
}

/* Kill and reap everything still held: the launcher never leaves sandboxes behind. */
static void held_kill_all(struct nsb_core *core, struct held *h, struct nsb_result *res) {
    while (h->n > 0) {
        nsb_stop(core, &h->v[h->n - 1], SIGKILL, 0, res);
        h->n--;
    }
}

/* One launch of a RUN request, paced: no sooner than spec->gap_ns after the
 * previous launch was reaped. Nothing else happens between launches: work
 * the launcher did there (reading /proc, say) would land on the next boot. */
static void run_paced(struct nsb_core *core, const struct nsb_spec *spec, int first, uint64_t t_frame,
                      uint64_t *last_exit, struct nsb_result *res) {
    uint64_t waited = nsb_keep_gap(*last_exit, spec->gap_ns);
    uint64_t t_request = first && !waited ? t_frame : nsb_now_ns();
    uint64_t prev = *last_exit;
    nsb_run(core, spec, t_request, res);
    if (res->t[NSB_T_EXIT]) *last_exit = res->t[NSB_T_EXIT];
    res->t_prev_exit = prev;
    res->gap_wait_ns = waited;
}

static int serve(void) {
    struct nsb_error err = {0};
    struct nsb_core *core;
    if (nsb_core_init(&core, &err) < 0) {
        fprintf(stderr, "nsb-launcher: %s (%s: %s)\n", err.message, err.syscall, strerror(err.err));
        return 1;
    }
    struct nsb_wire_req *req = malloc(sizeof *req);
    struct nsb_result *res = malloc(sizeof *res);
    struct held held = {0};
    uint64_t last_exit = 0; /* when the launcher last reaped a RUN launch: the gap is kept from here */
    if (!req || !res) {
        fprintf(stderr, "nsb-launcher: out of memory for a request and its result\n");
        free(req);
        free(res);
        nsb_core_free(core);
        return 1;
    }
    int code = 0;
    for (;;) {
        uint32_t len;
        if (nsb_read_frame(0, req, sizeof *req, &len, &err) < 0) {
            if (err.err != ECONNRESET) { /* ECONNRESET: the harness went away, quit quietly */
                fprintf(stderr, "nsb-launcher: %s\n", err.message);
                code = 1;
            }
            break;
        }
        uint64_t t_request = nsb_now_ns();
        if (len < offsetof(struct nsb_wire_req, strings)) {
            fprintf(stderr, "nsb-launcher: short request frame\n");
            code = 1;
            break;
        }
        memset(res, 0, offsetof(struct nsb_result, out));
        if (req->op == NSB_OP_QUIT) break;
        if (req->op == NSB_OP_RUN || req->op == NSB_OP_START) {
            struct nsb_spec spec;
            struct nsb_sandbox sb;
            uint32_t count = req->count > 1 ? req->count : 1;
            int failed = 0;
            if (nsb_wire_unpack(req, &spec, &err) < 0) {
                res->state = NSB_CLONE_FAILED;
                res->error = err;
                failed = 1;
                count = 1;
            } else if (req->op == NSB_OP_START) {
                spec.opts |= NSB_OPT_DISCARD_OUTPUT; /* nobody reads a held one's pipes */
            }
            for (uint32_t k = 0; k < count; k++) {
                uint64_t t_k = k == 0 ? t_request : nsb_now_ns();
                if (failed && k > 0) { /* the batch stopped at a failure */
                    memset(res, 0, offsetof(struct nsb_result, out));
                    res->state = NSB_CLONE_FAILED;
                    nsb_error_set(&res->error, ECANCELED, "request", "not started: an earlier sandbox of the batch failed");
                } else if (!failed && req->op == NSB_OP_RUN) {
                    run_paced(core, &spec, k == 0, t_request, &last_exit, res); /* a failed launch does not end a run of them */
                } else if (!failed) {
                    if (nsb_spawn(core, &spec, t_k, res, &sb) == 0 && nsb_wait(core, &sb, res, 1) == 0) {
                        struct nsb_sandbox *slot = held_add(&held);
                        if (!slot) {
                            nsb_stop(core, &sb, SIGKILL, 0, res);
                            nsb_error_set(&res->error, ENOMEM, "realloc", "cannot hold another sandbox");
                            res->state = NSB_CLONE_FAILED;
                        } else {
                            sb.id = req->id + k;
                            *slot = sb;
                        }
                    }
                    if (req->op == NSB_OP_START && res->state != NSB_RUNNING) failed = 1;
                }
                res->id = req->id + k;
                if (k + 1 < count && nsb_result_send(1, res, &err) < 0) goto out;
            }
        } else if (req->op == NSB_OP_STOP) {
            struct nsb_sandbox *sb = held_find(&held, req->target);
            if (!sb) {
                res->state = NSB_CLONE_FAILED;
                nsb_error_set(&res->error, ESRCH, "request", "no held sandbox with id %llu", (unsigned long long)req->target);
            } else {
                nsb_stop(core, sb, req->signal, req->timeout_ns, res);
                held_remove(&held, sb);
            }
        } else if (req->op != NSB_OP_PING) {
            res->state = NSB_CLONE_FAILED;
            nsb_error_set(&res->error, EPROTO, "request", "unknown op %u", req->op);
        }
        if (req->op != NSB_OP_RUN && req->op != NSB_OP_START) res->id = req->id;
        if (nsb_result_send(1, res, &err) < 0) break;
    }
out:
    held_kill_all(core, &held, res);
    free(held.v);
    free(req);
    free(res);
    nsb_core_free(core);
    return code;
}

static int usage(FILE *f, int code) {
    fprintf(f,
            "usage: nsb-launcher serve\n"
            "       nsb-launcher probe\n"
            "       nsb-launcher run [--ns LIST] [--count N] [--timeout-ms MS] [--hostname NAME]\n"
            "                        [--map-uid UID] [--map-gid GID] [--force-clone] [--no-proc]\n"
            "                        [--no-setup] [--vfork] [--gap-ms MS] [--cgroup DIR] -- PROGRAM [ARGS...]\n"
            "       nsb-launcher scale --workers K [the options of run] -- PROGRAM [ARGS...]\n"
            "                        K worker processes, released together, each --count launches in a row;\n"
            "                        a line per launch, then {\"scale\":...} with the wall and CPU time of all\n"
            "  LIST: comma-separated of user,pid,mnt,net,ipc,uts,cgroup,time, or all, or bare\n");
    return code;
}

/* The options run and scale share: the spec, the count and (scale) the workers. 0, or an exit code. */
static int parse_run_args(int argc, char **argv, struct nsb_spec *spec, long *count, long *workers) {
    static const struct option opts[] = {
        {"ns", required_argument, 0, 'n'},       {"count", required_argument, 0, 'c'},
        {"timeout-ms", required_argument, 0, 't'}, {"hostname", required_argument, 0, 'h'},
        {"map-uid", required_argument, 0, 'u'},  {"map-gid", required_argument, 0, 'g'},
        {"force-clone", no_argument, 0, 'F'},    {"no-proc", no_argument, 0, 'P'},
        {"cgroup", required_argument, 0, 'C'},   {"no-setup", no_argument, 0, 'S'},
        {"gap-ms", required_argument, 0, 'G'},   {"workers", required_argument, 0, 'w'},
        {"vfork", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    memset(spec, 0, sizeof *spec);
    spec->map_uid = spec->map_gid = -1;
    *count = 1;
    int o;
    while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        char bad[64];
        switch (o) {
        case 'n':
            if (nsb_ns_parse(optarg, &spec->ns, bad, sizeof bad) < 0) {
                fprintf(stderr, "nsb-launcher: unknown namespace \"%s\" (known: user, pid, mnt, net, ipc, uts, cgroup, time)\n", bad);
                return 2;
            }
            break;
        case 'c': *count = strtol(optarg, NULL, 10); break;
        case 't': spec->timeout_ns = (uint64_t)strtoull(optarg, NULL, 10) * 1000000ull; break;
        case 'h': spec->hostname = optarg; break;
        case 'u': spec->map_uid = strtoll(optarg, NULL, 10); break;
        case 'g': spec->map_gid = strtoll(optarg, NULL, 10); break;
        case 'F': spec->opts |= NSB_OPT_FORCE_CLONE; break;
        case 'P': spec->opts |= NSB_OPT_NO_PROC; break;
        case 'C': spec->cgroup = optarg; break;
        case 'S': spec->opts |= NSB_OPT_NO_SETUP; break;
        case 'V': spec->opts |= NSB_OPT_VFORK; break;
        case 'G': spec->gap_ns = (uint64_t)(strtod(optarg, NULL) * 1e6); break;
        case 'w':
            if (!workers) return usage(stderr, 2);
            *workers = strtol(optarg, NULL, 10);
            break;
        default: return usage(stderr, 2);
        }
    }
    if (optind >= argc || *count < 1 || *count > 1000000) return usage(stderr, 2);
    if (workers && (*workers < 1 || *workers > NSB_SCALE_MAX_WORKERS)) {
        fprintf(stderr, "nsb-launcher: --workers must be 1..%d\n", NSB_SCALE_MAX_WORKERS);
        return 2;
    }
    spec->path = argv[optind];
    for (int i = optind; i < argc && spec->argc < NSB_MAX_ARGS; i++) spec->argv[spec->argc++] = argv[i];
    for (char **e = environ; *e && spec->envc < NSB_MAX_ARGS; e++) spec->envp[spec->envc++] = *e;
    return 0;
}

/* count launches in a row, a result line each through print (stdout, or a worker's atomic writes). 1 if any failed. */
static int run_loop(const struct nsb_spec *spec, long count, void (*print)(const struct nsb_result *, uint32_t)) {
    struct nsb_error err = {0};
    struct nsb_core *core;
    if (nsb_core_init(&core, &err) < 0) {
        fprintf(stderr, "nsb-launcher: %s (%s: %s)\n", err.message, err.syscall, strerror(err.err));
        return 1;
    }
    struct nsb_result *res = malloc(sizeof *res);
    if (!res) {
        fprintf(stderr, "nsb-launcher: out of memory for a result\n");
        nsb_core_free(core);
        return 1;
    }
    int failed = 0;
    uint64_t last_exit = 0;
    for (long i = 0; i < count; i++) {
        run_paced(core, spec, 1, nsb_now_ns(), &last_exit, res);
        print(res, spec->ns);
        failed |= res->state != NSB_EXITED || res->exit_code != 0;
    }
    free(res);
    nsb_core_free(core);
    return failed;
}

static void print_stdout(const struct nsb_result *r, uint32_t ns) {
    print_result(stdout, r, ns);
}

static int run_cli(int argc, char **argv) {
    struct nsb_spec spec;
    long count;
    int bad = parse_run_args(argc, argv, &spec, &count, NULL);
    if (bad) return bad;
    return run_loop(&spec, count, print_stdout) ? 1 : 0;
}

/* A worker's result line, written to stdout in one write(): lines of several workers never interleave (a pipe
 * keeps a write of up to PIPE_BUF bytes whole; a longer line — a workload that printed — is cut to fit). */
static int scale_worker_index;
static void print_worker(const struct nsb_result *r, uint32_t ns) {
    char buf[PIPE_BUF];
    struct nsb_result slim = *r;
    slim.stdout_len = slim.stdout_len > 256 ? 256 : slim.stdout_len;
    slim.stderr_len = slim.stderr_len > 256 ? 256 : slim.stderr_len;
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f) return;
    fprintf(f, "{\"worker\":%d,\"launch\":", scale_worker_index);
    print_result(f, &slim, ns);
    long len = ftell(f);
    fclose(f);
    if (len <= 0 || len >= (long)sizeof buf || buf[len - 1] != '\n') return; /* did not fit: the summary counts it */
    buf[len - 1] = '}';
    buf[len] = '\n';
    if (write(1, buf, (size_t)len + 1) < 0) _exit(1);
}

static long long us_between(struct timeval a, struct timeval b) {
    return (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_usec - a.tv_usec);
}

/* K workers released together, each `count` launches in a row; the wall time from the release to the last worker's
 * exit and the CPU time of the workers and every sandbox they reaped (RUSAGE_CHILDREN). The scale process and its
 * workers die with their parent (PR_SET_PDEATHSIG), their sandboxes with them. */
static int scale_cli(int argc, char **argv) {
    struct nsb_spec spec;
    long count, workers = 0;
    int bad = parse_run_args(argc, argv, &spec, &count, &workers);
    if (bad) return bad;
    pid_t harness = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != harness) return 1;
    setvbuf(stdout, NULL, _IONBF, 0);
    int go[2];
    if (pipe(go) < 0) return 1;
    pid_t pids[NSB_SCALE_MAX_WORKERS];
    for (long w = 0; w < workers; w++) {
        pid_t me = getpid();
        pids[w] = fork();
        if (pids[w] < 0) {
            fprintf(stderr, "nsb-launcher: fork of worker %ld: %s\n", w, strerror(errno));
            for (long i = 0; i < w; i++) kill(pids[i], SIGKILL);
            return 1;
        }
        if (pids[w] == 0) {
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != me) _exit(1);
            close(go[1]);
            char c;
            scale_worker_index = (int)w;
            while (read(go[0], &c, 1) < 0 && errno == EINTR) {
            }
            close(go[0]);
            _exit(run_loop(&spec, count, print_worker));
        }
    }
    close(go[0]);
    struct rusage before;
    getrusage(RUSAGE_CHILDREN, &before);
    usleep(20000); /* the workers reach the barrier */
    uint64_t t0 = nsb_now_ns();
    close(go[1]); /* every worker's read returns now */
    int failed = 0, status;
    for (long w = 0; w < workers; w++) {
        while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR) {
        }
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    uint64_t t1 = nsb_now_ns();
    struct rusage after;
    getrusage(RUSAGE_CHILDREN, &after);
    long long user = us_between(before.ru_utime, after.ru_utime), sys = us_between(before.ru_stime, after.ru_stime);
    printf("{\"scale\":{\"workers\":%ld,\"count\":%ld,\"startMonoNs\":%llu,\"wallNs\":%llu,\"userUs\":%lld,\"sysUs\":%lld,\"failed\":%s}}\n",
           workers, count, (unsigned long long)t0, (unsigned long long)(t1 - t0), user, sys, failed ? "true" : "false");
    return failed ? 1 : 0;
}

static int probe(void) {
    struct nsb_error err = {0};
    struct nsb_core *core;
    if (nsb_core_init(&core, &err) < 0) return 1;
    printf("{\"clone3\":%s,\"euid\":%d,\"namespaces\":{", nsb_core_has_clone3(core) ? "true" : "false", (int)geteuid());
    for (unsigned i = 0; i < nsb_ns_count; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", nsb_ns_table[i].proc_file);
        printf("%s\"%s\":%s", i ? "," : "", nsb_ns_table[i].name, access(path, F_OK) == 0 ? "true" : "false");
    }
    printf("}}\n");
    nsb_core_free(core);
    return 0;
}

int main(int argc, char **argv) {
    /* SIGPIPE keeps its default (a harness that went away ends the launcher):
     * an ignored SIGPIPE would be inherited by every workload through exec.
     * Close whatever the harness leaked to us, so sandboxes inherit nothing. */
    syscall(SYS_close_range, 3, ~0u, 0);
    /* Density runs hold thousands of sandboxes, each with a pidfd and a pipe. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (argc < 2) return usage(stderr, 2);
    if (strcmp(argv[1], "serve") == 0) return serve();
    if (strcmp(argv[1], "run") == 0) return run_cli(argc - 1, argv + 1);
    if (strcmp(argv[1], "scale") == 0) return scale_cli(argc - 1, argv + 1);
    if (strcmp(argv[1], "probe") == 0) return probe();
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return usage(stdout, 0);
    return usage(stderr, 2);
}
