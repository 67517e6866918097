// Each installed engine launches a sandbox in the requested namespaces,
// verified from outside while it runs; an engine that cannot run here is a
// skip with the reason; nothing is left behind.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ENGINES, type EngineContext } from '../src/engines/index.ts';
import { builtinWorkload, detectCgroups } from '../src/host/index.ts';
import type { Namespace } from '../src/isolation/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { leftovers } from './helpers/cgroup.ts';
import { descendantsNamed, needsRootAndBuild, nsInode, waitFor } from './helpers/env.ts';

const NS: Namespace[] = ['pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'];

describe('engines launch into the requested namespaces', { skip: needsRootAndBuild }, () => {
  const ctx: EngineContext = { tag: `t${process.pid}`, noop: builtinWorkload('idle'), cgroups: detectCgroups() };
  for (const [name, engine] of Object.entries(ENGINES)) {
    const reason = engine.unsupported(NS, ctx);
    test(`${name}`, { skip: reason ? `${name}: ${reason}` : false }, async () => {
      const launcher = SandboxLauncher.start();
      try {
        const cmd = engine.command(NS, 1, ctx);
        const held = await launcher.hold({ ns: [], path: cmd.path, argv: cmd.argv, timeoutMs: 20_000 });
        assert.equal(held.state, 'running', `${held.state}: ${held.error?.message ?? held.stderr}`);
        const pid = await waitFor(
          () => descendantsNamed(held.pid, 'idle')[0],
          10_000,
          `the sandboxed program under ${name}`,
        );
        for (const ns of NS) assert.notEqual(nsInode(pid, ns), nsInode('self', ns), `${name}: ${ns} namespace is new`);
        assert.equal(nsInode(pid, 'time'), nsInode('self', 'time'), `${name}: no time namespace was asked for`);
        process.kill(pid, 'SIGKILL'); // the sandboxed program we started, by its pid
        const done = await launcher.release(held.id, { signal: 0, timeoutMs: 10_000 });
        assert.ok(done.state === 'exited' || done.state === 'signaled', done.state);
      } finally {
        launcher.close();
        engine.cleanup(ctx);
      }
      assert.deepEqual(leftovers(`nsb-${ctx.tag}`), [], 'no cgroup of the engine is left');
      assert.deepEqual(
        readdirSync('/var/tmp').filter((f) => f.startsWith(`nsb-${ctx.tag}`)),
        [],
        'no bundle is left',
      );
    });
  }

  test('crun on a cgroup v1 hybrid machine is refused with the reason', {
    skip: ctx.cgroups.mode === 'hybrid' ? false : 'not a hybrid machine',
  }, () => {
    const r = ENGINES.crun?.unsupported(NS, ctx) ?? '';
    assert.ok(/hybrid/.test(r) || /not installed/.test(r), r);
  });
});
