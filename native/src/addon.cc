// The node-addon-api binding: the TypeScript side's typed door to the native
// part. It only converts values and errors; sandboxes are created by the
// launcher process (never by forking Node), reached through the C client.
#define NAPI_VERSION 8
#include <napi.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nsb.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace {


// An Error like Node's own system errors: message, code, errno, syscall.
Napi::Error SystemError(Napi::Env env, const nsb_error &e) {
  Napi::Error err = Napi::Error::New(env, e.message);
  err.Set("code", Napi::String::New(env, nsb_errno_name(e.err)));
  err.Set("errno", Napi::Number::New(env, e.err));
  err.Set("syscall", Napi::String::New(env, e.syscall));
  return err;
}

Napi::Error ErrnoError(Napi::Env env, int err, const char *syscall, const std::string &what) {
  nsb_error e;
  nsb_error_set(&e, err, syscall, "%s: %s", what.c_str(), strerror(err));
  return SystemError(env, e);
}

// Owns the strings a spec points to, so the worker thread can use them.
struct OwnedSpec {
  nsb_spec spec;
  std::string path, hostname, cgroup, netns, mntns, tmpfs, cwd, timeOffsets;
  std::vector<std::string> argv, envp, cgroupV1;

  void Finish() {
    spec.path = path.c_str();
    spec.hostname = hostname.empty() ? nullptr : hostname.c_str();
    spec.cgroup = cgroup.empty() ? nullptr : cgroup.c_str();
    spec.netns = netns.empty() ? nullptr : netns.c_str();
    spec.mntns = mntns.empty() ? nullptr : mntns.c_str();
    spec.tmpfs = tmpfs.empty() ? nullptr : tmpfs.c_str();
    spec.cwd = cwd.empty() ? nullptr : cwd.c_str();
    spec.time_offsets = timeOffsets.empty() ? nullptr : timeOffsets.c_str();
    spec.argc = (unsigned)argv.size();
    for (size_t i = 0; i < argv.size(); i++) spec.argv[i] = argv[i].c_str();
    spec.argv[argv.size()] = nullptr;
    spec.envc = (unsigned)envp.size();
    for (size_t i = 0; i < envp.size(); i++) spec.envp[i] = envp[i].c_str();
    spec.envp[envp.size()] = nullptr;
    for (size_t i = 0; i < cgroupV1.size(); i++) spec.cgroup_v1[i] = cgroupV1[i].c_str();
  }
};

std::vector<std::string> StringArray(Napi::Value v, const char *field, size_t max) {
  std::vector<std::string> out;
  if (v.IsUndefined()) return out;
  if (!v.IsArray()) throw std::string(field) + " must be an array of strings";
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > max) throw std::string(field) + " has too many entries";
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value item = a.Get(i);
    if (!item.IsString()) throw std::string(field) + " must be an array of strings";
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

double NumberOr(Napi::Object o, const char *key, double dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

std::string StringOr(Napi::Object o, const char *key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

// Throws std::string on a malformed spec (converted to a TypeError by the caller).
std::unique_ptr<OwnedSpec> ToSpec(Napi::Object o) {
  auto s = std::make_unique<OwnedSpec>();
  memset(&s->spec, 0, sizeof s->spec);
  s->spec.ns = (uint32_t)NumberOr(o, "ns", 0);
  if (s->spec.ns & ~(uint32_t)NSB_NS_ALL) throw std::string("ns has unknown namespace bits");
  s->spec.opts = (uint32_t)NumberOr(o, "opts", 0);
  s->spec.map_uid = (int64_t)NumberOr(o, "mapUid", -1);
  s->spec.map_gid = (int64_t)NumberOr(o, "mapGid", -1);
  double timeout = NumberOr(o, "timeoutNs", 0);
  if (timeout < 0) throw std::string("timeoutNs must be >= 0");
  s->spec.timeout_ns = (uint64_t)timeout;
  double gap = NumberOr(o, "gapNs", 0);
  if (gap < 0) throw std::string("gapNs must be >= 0");
  s->spec.gap_ns = (uint64_t)gap;
  s->path = StringOr(o, "path");
  if (s->path.empty()) throw std::string("path is required");
  s->hostname = StringOr(o, "hostname");
  s->cgroup = StringOr(o, "cgroup");
  s->netns = StringOr(o, "netns");
  s->mntns = StringOr(o, "mntns");
  s->tmpfs = StringOr(o, "tmpfs");
  s->cwd = StringOr(o, "cwd");
  s->timeOffsets = StringOr(o, "timeOffsets");
  s->argv = StringArray(o.Get("argv"), "argv", NSB_MAX_ARGS);
  if (s->argv.empty()) s->argv.push_back(s->path);
  s->envp = StringArray(o.Get("env"), "env", NSB_MAX_ARGS);
  s->cgroupV1 = StringArray(o.Get("cgroupV1"), "cgroupV1", 8);
  s->Finish();
  return s;
}

Napi::Object FromResult(Napi::Env env, const nsb_result &r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Napi::Number::New(env, (double)r.id));
  o.Set("state", Napi::String::New(env, nsb_state_name(r.state)));
  o.Set("exitCode", Napi::Number::New(env, r.exit_code));
  o.Set("signal", Napi::Number::New(env, r.term_signal));
  o.Set("pid", Napi::Number::New(env, r.pid));
  o.Set("clonePath", Napi::String::New(env, nsb_clone_path_name(r.clone_path)));
  o.Set("cgroupMethod", Napi::String::New(env, nsb_cgroup_method_name(r.cgroup_method)));
  o.Set("createMethod", Napi::String::New(env, nsb_create_method_name(r.create_method)));
  o.Set("ready", Napi::Boolean::New(env, r.ready != 0));
  o.Set("requestMonoNs", Napi::BigInt::New(env, (uint64_t)r.t[NSB_T_REQUEST]));
  // Offsets from the request, in ns (small enough for doubles); -1: did not happen.
  Napi::Object off = Napi::Object::New(env);
  for (int i = 0; i < NSB_T_COUNT; i++)
    off.Set(nsb_ts_names[i], Napi::Number::New(env, r.t[i] ? (double)(int64_t)(r.t[i] - r.t[NSB_T_REQUEST]) : -1));
  o.Set("offsetsNs", off);
  o.Set("setupBeginOffsetNs", Napi::Number::New(env, r.t_setup_begin ? (double)(int64_t)(r.t_setup_begin - r.t[NSB_T_REQUEST]) : -1));
  Napi::Object setup = Napi::Object::New(env);
  for (int i = 0; i < NSB_SETUP_COUNT; i++) setup.Set(nsb_setup_names[i], Napi::Number::New(env, (double)r.setup_ns[i]));
  o.Set("setupNs", setup);
  // the gap since the launcher reaped the launch before this one (-1: none), and how much of it was a deliberate wait
  o.Set("prevExitAgoNs", Napi::Number::New(env, r.t_prev_exit && r.t[NSB_T_REQUEST] ? (double)(int64_t)(r.t[NSB_T_REQUEST] - r.t_prev_exit) : -1));
  o.Set("gapWaitNs", Napi::Number::New(env, (double)r.gap_wait_ns));

  Napi::Object child = Napi::Object::New(env);
  child.Set("userUs", Napi::Number::New(env, (double)r.child_utime_us));
  child.Set("sysUs", Napi::Number::New(env, (double)r.child_stime_us));
  child.Set("maxRssKb", Napi::Number::New(env, (double)r.child_maxrss_kb));
  child.Set("minorFaults", Napi::Number::New(env, (double)r.child_minflt));
  child.Set("majorFaults", Napi::Number::New(env, (double)r.child_majflt));
  child.Set("voluntaryCtxSwitches", Napi::Number::New(env, (double)r.child_nvcsw));
  child.Set("involuntaryCtxSwitches", Napi::Number::New(env, (double)r.child_nivcsw));
  o.Set("child", child);
  Napi::Object launcher = Napi::Object::New(env);
  launcher.Set("userUs", Napi::Number::New(env, (double)r.launcher_utime_us));
  launcher.Set("sysUs", Napi::Number::New(env, (double)r.launcher_stime_us));
  o.Set("launcher", launcher);
  if (r.state == NSB_SETUP_FAILED || r.state == NSB_CLONE_FAILED) {
    Napi::Error err = SystemError(env, r.error);
    if (r.error_stage[0]) err.Set("stage", Napi::String::New(env, r.error_stage));
    o.Set("error", err.Value());
  }
  o.Set("stdout", Napi::String::New(env, r.out, r.stdout_len));
  o.Set("stderr", Napi::String::New(env, r.errbuf, r.stderr_len));
  return o;
}

class Launcher;

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, Napi::Object self, Launcher *owner, uint32_t op, std::unique_ptr<OwnedSpec> spec,
            uint64_t target = 0, int sig = 0, uint64_t timeout_ns = 0, uint32_t count = 0)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), self_(Napi::Persistent(self)),
        owner_(owner), op_(op), spec_(std::move(spec)), target_(target), sig_(sig), timeout_ns_(timeout_ns),
        count_(count), result_(new nsb_result[count > 1 ? count : 1]) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (failed_) deferred_.Reject(SystemError(Env(), err_).Value());
    else if (op_ == NSB_OP_PING) deferred_.Resolve(Env().Undefined());
    else if (count_ == 0) deferred_.Resolve(FromResult(Env(), result_[0]));
    else {
      Napi::Array a = Napi::Array::New(Env(), count_);
      for (uint32_t k = 0; k < count_; k++) a.Set(k, FromResult(Env(), result_[k]));
      deferred_.Resolve(a);
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference self_; // keeps the Launcher alive while the request is in flight
  Launcher *owner_;
  uint32_t op_;
  std::unique_ptr<OwnedSpec> spec_; // null for ping and stop
  uint64_t target_;
  int sig_;
  uint64_t timeout_ns_;
  uint32_t count_; // holdMany: results as an array
  std::unique_ptr<nsb_result[]> result_;
  nsb_error err_{};
  bool failed_ = false;
};

class Launcher : public Napi::ObjectWrap<Launcher> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Launcher",
                       {InstanceMethod("run", &Launcher::Run), InstanceMethod("hold", &Launcher::Hold),
                        InstanceMethod("holdMany", &Launcher::HoldMany), InstanceMethod("runMany", &Launcher::RunMany),
                        InstanceMethod("release", &Launcher::Release), InstanceMethod("ping", &Launcher::Ping),
                        InstanceMethod("close", &Launcher::Close), InstanceAccessor("pid", &Launcher::Pid, nullptr)});
  }

  explicit Launcher(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Launcher>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "new Launcher(path): path to nsb-launcher required").ThrowAsJavaScriptException();
      return;
    }
    std::string path = info[0].As<Napi::String>().Utf8Value();
    nsb_error err{};
    if (nsb_client_start(&client_, path.c_str(), &err) < 0) {
      if (client_.pid > 0) nsb_client_stop(&client_);
      SystemError(env, err).ThrowAsJavaScriptException();
      return;
    }
    started_ = true;
  }
  ~Launcher() override {
    if (started_) nsb_client_stop(&client_);
  }

  int Request(uint32_t op, const nsb_spec *spec, uint64_t target, int sig, uint64_t timeout_ns, uint32_t count,
              nsb_result *res, nsb_error *err) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) {
      nsb_error_set(err, EBADF, "write", "the launcher was closed");
      return -1;
    }
    switch (op) {
      case NSB_OP_RUN: return count ? nsb_client_run_many(&client_, spec, count, res, err) : nsb_client_run(&client_, spec, res, err);
      case NSB_OP_START: return count ? nsb_client_hold_many(&client_, spec, count, res, err) : nsb_client_hold(&client_, spec, res, err);
      case NSB_OP_STOP: return nsb_client_release(&client_, target, sig, timeout_ns, res, err);
      default: return nsb_client_ping(&client_, err);
    }
  }

 private:
  Napi::Value Queue(RunWorker *w) {
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
  }
  Napi::Value WithSpec(const Napi::CallbackInfo &info, uint32_t op, const char *name) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, std::string(name) + "(spec): spec object required").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::unique_ptr<OwnedSpec> spec;
    try {
      spec = ToSpec(info[0].As<Napi::Object>());
    } catch (const std::string &msg) {
      Napi::TypeError::New(env, std::string(name) + "(spec): " + msg).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Queue(new RunWorker(env, info.This().As<Napi::Object>(), this, op, std::move(spec)));
  }
  Napi::Value Run(const Napi::CallbackInfo &info) { return WithSpec(info, NSB_OP_RUN, "run"); }
  Napi::Value Hold(const Napi::CallbackInfo &info) { return WithSpec(info, NSB_OP_START, "hold"); }
  // holdMany(spec, count) / runMany(spec, count): one request, `count` results
  Napi::Value Many(const Napi::CallbackInfo &info, uint32_t op, const char *name, uint32_t max) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber()) {
      Napi::TypeError::New(env, std::string(name) + "(spec, count): spec object and count required").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t count = info[1].As<Napi::Number>().Uint32Value();
    if (count < 1 || count > max) {
      Napi::TypeError::New(env, std::string(name) + "(spec, count): count must be 1.." + std::to_string(max)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::unique_ptr<OwnedSpec> spec;
    try {
      spec = ToSpec(info[0].As<Napi::Object>());
    } catch (const std::string &msg) {
      Napi::TypeError::New(env, std::string(name) + "(spec): " + msg).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Queue(new RunWorker(env, info.This().As<Napi::Object>(), this, op, std::move(spec), 0, 0, 0, count));
  }
  Napi::Value HoldMany(const Napi::CallbackInfo &info) { return Many(info, NSB_OP_START, "holdMany", 4096); }
  Napi::Value RunMany(const Napi::CallbackInfo &info) { return Many(info, NSB_OP_RUN, "runMany", 1000); }
  Napi::Value Release(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "release(id, signal, timeoutNs): numbers required").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    double timeout = info[2].As<Napi::Number>().DoubleValue();
    return Queue(new RunWorker(env, info.This().As<Napi::Object>(), this, NSB_OP_STOP, nullptr,
                               (uint64_t)info[0].As<Napi::Number>().DoubleValue(), info[1].As<Napi::Number>().Int32Value(),
                               timeout > 0 ? (uint64_t)timeout : 0));
  }
  Napi::Value Ping(const Napi::CallbackInfo &info) {
    return Queue(new RunWorker(info.Env(), info.This().As<Napi::Object>(), this, NSB_OP_PING, nullptr));
  }
  Napi::Value Close(const Napi::CallbackInfo &info) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return info.Env().Null();
    started_ = false;
    int status = nsb_client_stop(&client_);
    return Napi::Number::New(info.Env(), status);
  }
  Napi::Value Pid(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), started_ ? client_.pid : -1);
  }

  nsb_client client_{};
  bool started_ = false;
  std::mutex mu_;
};

void RunWorker::Execute() {
  failed_ = owner_->Request(op_, spec_ ? &spec_->spec : nullptr, target_, sig_, timeout_ns_, count_, result_.get(), &err_) < 0;
}

// Freeze/thaw timing runs in C on a worker thread (it blocks in poll or nanosleep).
class FreezeWorker : public Napi::AsyncWorker {
 public:
  FreezeWorker(Napi::Env env, bool v1, std::string dir, bool freeze, uint64_t timeout_ns, uint64_t retry_ns)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), v1_(v1), dir_(std::move(dir)),
        freeze_(freeze), timeout_ns_(timeout_ns), retry_ns_(retry_ns) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    failed_ = (v1_ ? nsb_freeze_v1(dir_.c_str(), freeze_, timeout_ns_, retry_ns_, &out_, &err_)
                   : nsb_freeze_v2(dir_.c_str(), freeze_, timeout_ns_, &out_, &err_)) < 0;
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (failed_) {
      deferred_.Reject(SystemError(env, err_).Value());
      return;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("latencyNs", Napi::Number::New(env, (double)out_.latency_ns));
    o.Set("polls", Napi::Number::New(env, out_.polls));
    o.Set("retries", Napi::Number::New(env, out_.retries));
    o.Set("timedOut", Napi::Boolean::New(env, out_.timed_out != 0));
    o.Set("stuck", Napi::Boolean::New(env, out_.stuck != 0));
    deferred_.Resolve(o);
  }

 private:
  Napi::Promise::Deferred deferred_;
  bool v1_;
  std::string dir_;
  bool freeze_;
  uint64_t timeout_ns_, retry_ns_;
  nsb_freeze_result out_{};
  nsb_error err_{};
  bool failed_ = false;
};

// freeze(kind: 'v1' | 'v2', dir, freeze, timeoutNs, retryNs)
Napi::Value Freeze(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsString() || !info[2].IsBoolean() || !info[3].IsNumber() ||
      !info[4].IsNumber()) {
    Napi::TypeError::New(env, "freeze(kind, dir, freeze, timeoutNs, retryNs)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  if (kind != "v1" && kind != "v2") {
    Napi::TypeError::New(env, "freeze: kind must be 'v1' or 'v2'").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto *w = new FreezeWorker(env, kind == "v1", info[1].As<Napi::String>().Utf8Value(), info[2].As<Napi::Boolean>().Value(),
                             (uint64_t)info[3].As<Napi::Number>().DoubleValue(), (uint64_t)info[4].As<Napi::Number>().DoubleValue());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value Namespaces(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env, nsb_ns_count);
  for (unsigned i = 0; i < nsb_ns_count; i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", nsb_ns_table[i].name);
    o.Set("bit", Napi::Number::New(env, nsb_ns_table[i].bit));
    o.Set("cloneFlag", Napi::Number::New(env, (double)nsb_ns_table[i].clone_flag));
    o.Set("procFile", nsb_ns_table[i].proc_file);
    a.Set(i, o);
  }
  return a;
}

int IntArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw std::string(what) + " must be a number";
  return info[i].As<Napi::Number>().Int32Value();
}

template <typename F>
Napi::Value Guard(const Napi::CallbackInfo &info, F f) {
  try {
    return f();
  } catch (const std::string &msg) {
    Napi::TypeError::New(info.Env(), msg).ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
}

Napi::Value PidfdOpen(const Napi::CallbackInfo &info) {
  return Guard(info, [&]() -> Napi::Value {
    int pid = IntArg(info, 0, "pid");
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
      ErrnoError(info.Env(), errno, "pidfd_open", "pidfd_open(" + std::to_string(pid) + ")").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return Napi::Number::New(info.Env(), (double)fd);
  });
}

Napi::Value PidfdSendSignal(const Napi::CallbackInfo &info) {
  return Guard(info, [&]() -> Napi::Value {
    int fd = IntArg(info, 0, "pidfd"), sig = IntArg(info, 1, "signal");
    if (syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) < 0)
      ErrnoError(info.Env(), errno, "pidfd_send_signal", "pidfd_send_signal").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  });
}

Napi::Value CloseFd(const Napi::CallbackInfo &info) {
  return Guard(info, [&]() -> Napi::Value {
    if (close(IntArg(info, 0, "fd")) < 0)
      ErrnoError(info.Env(), errno, "close", "close").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  });
}

Napi::Value GetAffinity(const Napi::CallbackInfo &info) {
  return Guard(info, [&]() -> Napi::Value {
    int pid = IntArg(info, 0, "pid");
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(pid, sizeof set, &set) < 0) {
      ErrnoError(info.Env(), errno, "sched_getaffinity", "sched_getaffinity").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    Napi::Array a = Napi::Array::New(info.Env());
    for (int c = 0, n = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &set)) a.Set(n++, Napi::Number::New(info.Env(), c));
    return a;
  });
}

Napi::Value SetAffinity(const Napi::CallbackInfo &info) {
  return Guard(info, [&]() -> Napi::Value {
    int pid = IntArg(info, 0, "pid");
    if (info.Length() < 2 || !info[1].IsArray()) throw std::string("cpus must be an array of numbers");
    Napi::Array a = info[1].As<Napi::Array>();
    cpu_set_t set;
    CPU_ZERO(&set);
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value v = a.Get(i);
      if (!v.IsNumber()) throw std::string("cpus must be an array of numbers");
      int c = v.As<Napi::Number>().Int32Value();
      if (c < 0 || c >= CPU_SETSIZE) throw std::string("cpu index out of range");
      CPU_SET(c, &set);
    }
    if (sched_setaffinity(pid, sizeof set, &set) < 0)
      ErrnoError(info.Env(), errno, "sched_setaffinity", "sched_setaffinity").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  });
}

Napi::Value ErrnoName(const Napi::CallbackInfo &info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), nsb_errno_name(IntArg(info, 0, "errno")));
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Launcher", Launcher::Init(env));
  exports.Set("namespaces", Napi::Function::New(env, Namespaces));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName));
  exports.Set("freeze", Napi::Function::New(env, Freeze));
  Napi::Object opts = Napi::Object::New(env);
  opts.Set("forceClone", Napi::Number::New(env, NSB_OPT_FORCE_CLONE));
  opts.Set("noProc", Napi::Number::New(env, NSB_OPT_NO_PROC));
  opts.Set("noLo", Napi::Number::New(env, NSB_OPT_NO_LO));
  opts.Set("cgroupByWrite", Napi::Number::New(env, NSB_OPT_CGROUP_BY_WRITE));
  opts.Set("noSetup", Napi::Number::New(env, NSB_OPT_NO_SETUP));
  opts.Set("vfork", Napi::Number::New(env, NSB_OPT_VFORK));
  exports.Set("options", opts);
  return exports;
}

}  // namespace

NODE_API_MODULE(nsb, Init)
