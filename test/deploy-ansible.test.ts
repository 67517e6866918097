// The Ansible playbook (deploy/ansible/playbook.yml) for real, against four
// hosts made here: each a network namespace with its own address in
// 10.213.0.0/16, its own hostname (a UTS namespace) and its own sshd listening
// on that address. ansible-playbook reaches them over SSH, puts the commit in
// each host's own folder, runs nsbench there and fetches the results; the
// fourth host's sshd is stopped once it measures: it is reported as failed,
// and the three other results files are merged and reported on. Everything
// the test made is removed afterwards.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { ipAvailable } from '../src/network/index.ts';
import { hasCommand, needsRootAndBuild, processTable, tempDir } from './helpers/env.ts';

const HOSTS = 4;
const tag = process.pid % 10000;
const ns = (i: number) => `nsb-fleet-${tag}-${i}`;
const hostname = (i: number) => `nsb-fleet-${i}`;
const addr = (i: number) => `10.213.${(tag % 200) + i}.2`;
const workdir = (i: number) => `/var/tmp/nsb-fleet-${tag}-${hostname(i)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const git = (...args: string[]) => spawnSync('git', ['-C', PROJECT_ROOT, ...args], { encoding: 'utf8' });

const why =
  needsRootAndBuild ||
  (!ipAvailable() ? 'ip (iproute2) not installed' : false) ||
  (!hasCommand('ansible-playbook') ? 'ansible is not installed (apt-get install ansible)' : false) ||
  (!hasCommand('sshd') ? 'sshd is not installed (apt-get install openssh-server)' : false) ||
  (!hasCommand('ssh-keygen') ? 'ssh-keygen is not installed (apt-get install openssh-client)' : false) ||
  (git('rev-parse', 'HEAD').status !== 0 ? 'not a git checkout (the playbook runs a commit)' : false);

describe('the Ansible playbook across three hosts', { skip: why }, () => {
  const dir = tempDir('nsb-test-fleet-');
  const sshd: ChildProcess[] = [];

  const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
  /** Every process inside host i's network namespace (started through its sshd, or the sshd itself). */
  const inside = (i: number) => {
    try {
      return run('ip', 'netns', 'pids', ns(i)).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };

  function makeHosts(): void {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation folder
    run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client'));
    run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey'));
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
    for (let i = 1; i <= HOSTS; i++) {
      const net = `10.213.${(tag % 200) + i}`;
      const [a, b] = [`nsb-fa${tag}${i}`, `nsb-fb${tag}${i}`];
      run('ip', 'netns', 'add', ns(i));
      run('ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b);
      run('ip', 'link', 'set', b, 'netns', ns(i));
      run('ip', 'addr', 'add', `${net}.1/24`, 'dev', a);
      run('ip', 'link', 'set', a, 'up');
      run('ip', 'netns', 'exec', ns(i), 'ip', 'addr', 'add', `${net}.2/24`, 'dev', b);
      run('ip', 'netns', 'exec', ns(i), 'ip', 'link', 'set', b, 'up');
      run('ip', 'netns', 'exec', ns(i), 'ip', 'link', 'set', 'lo', 'up');
      const conf = join(dir, `sshd${i}.conf`);
      writeFileSync(
        conf,
        [
          `ListenAddress ${net}.2`,
          'Port 22',
          `HostKey ${join(dir, 'hostkey')}`,
          `PidFile ${join(dir, `sshd${i}.pid`)}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PasswordAuthentication no',
          'StrictModes no',
          'UsePAM no',
          'Subsystem sftp internal-sftp',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      // its own hostname: nsbench records it, and merge keys the fleet by it
      sshd.push(
        spawn(
          'ip',
          [
            'netns',
            'exec',
            ns(i),
            'unshare',
            '--uts',
            '--',
            'sh',
            '-c',
            `hostname ${hostname(i)} && exec /usr/sbin/sshd -D -e -f ${conf}`,
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    writeFileSync(
      join(dir, 'inventory.ini'),
      `[nsbench]\n${Array.from({ length: HOSTS }, (_, k) => `${hostname(k + 1)} ansible_host=${addr(k + 1)}`).join('\n')}\n\n[nsbench:vars]\nansible_user=root\nansible_ssh_private_key_file=${join(dir, 'client')}\nansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o ServerAliveInterval=2 -o ServerAliveCountMax=2 -o KexAlgorithms=curve25519-sha256'\nansible_python_interpreter=/usr/bin/python3\n`,
    );
  }

  async function waitListening(): Promise<void> {
    for (let i = 1; i <= HOSTS; i++) {
      const end = Date.now() + 10_000;
      while (
        spawnSync('ip', ['netns', 'exec', ns(i), 'ss', '-ltnH', `src ${addr(i)}:22`], {
          encoding: 'utf8',
        }).stdout.trim() === '' &&
        Date.now() < end
      )
        await sleep(50);
    }
  }

  /** ansible-playbook, asynchronously (a test may act while it runs); its exit code and output. */
  function playbook(
    fetch: string,
    extra: Record<string, unknown>,
  ): { done: Promise<{ code: number | null; out: string }> } {
    const vars = {
      nsbench_source: 'prebuilt',
      nsbench_install_prereqs: false,
      nsbench_fetch_dir: fetch,
      nsbench_workdir: `/var/tmp/nsb-fleet-${tag}-{{ inventory_hostname }}`,
      nsbench_scenarios: ['boot'],
      ...extra,
    };
    const child = spawn(
      'ansible-playbook',
      ['-i', join(dir, 'inventory.ini'), join(PROJECT_ROOT, 'deploy/ansible/playbook.yml'), '-e', JSON.stringify(vars)],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          ANSIBLE_HOME: join(dir, 'ansible'),
          ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
          ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
          ANSIBLE_HOST_KEY_CHECKING: 'False',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_FORCE_COLOR: '0',
          ANSIBLE_RETRY_FILES_ENABLED: 'False',
          ANSIBLE_PIPELINING: 'True',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    return { done: new Promise((r) => child.once('exit', (code) => r({ code, out }))) };
  }

  after(() => {
    for (const p of sshd) if (p.pid && p.exitCode === null) p.kill('SIGKILL');
    // ansible's ssh control masters (ControlPersist) for our hosts: started by our playbooks
    for (const p of processTable().filter((x) => x.comm === 'ssh')) {
      try {
        if (readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(join(dir, 'cp'))) process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (let i = 1; i <= HOSTS; i++) {
      for (const pid of inside(i)) {
        try {
          process.kill(pid, 'SIGKILL'); // started through our sshd in our namespace
        } catch {
          /* gone */
        }
      }
      spawnSync('ip', ['netns', 'del', ns(i)]);
      rmSync(workdir(i), { recursive: true, force: true });
    }
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'cleanup'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
  });

  test('three hosts run, fetched, merged and reported; the fourth, whose sshd stops mid-run, is reported as failed', {
    timeout: 600_000,
  }, async () => {
    makeHosts();
    await waitListening();
    const fetch = join(dir, 'fleet');
    const pb = playbook(fetch, {
      nsbench_rounds: 3,
      nsbench_timeout: 300,
      nsbench_extra_args: ['--ns', 'bare', '--ns', 'net', '--warmup', '0'],
    });
    // mid-run: once the fourth host writes samples, its sshd and every session of it go
    const last = HOSTS;
    const samples = () =>
      existsSync(join(workdir(last), 'results'))
        ? readdirSync(join(workdir(last), 'results')).filter((f) => f.endsWith('.samples.jsonl'))
        : [];
    const end = Date.now() + 300_000;
    while (!samples().length && Date.now() < end) await sleep(50);
    assert.ok(samples().length, `${hostname(last)} began measuring`);
    const listener = sshd[last - 1]?.pid as number;
    const tree = (root: number) => {
      const all = processTable();
      const out = new Set([root]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const p of all)
          if (out.has(p.ppid) && !out.has(p.pid) && p.comm.startsWith('sshd')) {
            out.add(p.pid);
            grew = true;
          }
      }
      return [...out];
    };
    for (const pid of tree(listener).reverse()) {
      try {
        process.kill(pid, 'SIGKILL'); // our sshd and its sessions
      } catch {
        /* gone */
      }
    }
    const { code, out } = await pb.done;
    assert.notEqual(code, 0, 'the play says a host failed');
    assert.match(out, new RegExp(`${hostname(last)}\\s*:.*(unreachable=1|failed=1)`), out.slice(-3000));
    for (let i = 1; i < last; i++) {
      assert.match(out, new RegExp(`${hostname(i)}\\s*:.*unreachable=0\\s+failed=0`), `${hostname(i)} ran through`);
      const files = readdirSync(join(fetch, hostname(i)));
      assert.ok(
        files.some((f) => /^\d{8}-\d{6}-[0-9a-f]+\.json$/.test(f)) && files.some((f) => f.endsWith('.samples.jsonl')),
        `${hostname(i)}: its results and samples files fetched (${files.join(', ')})`,
      );
    }
    const fleet = JSON.parse(readFileSync(join(fetch, 'fleet.json'), 'utf8')) as {
      hosts: { key: string; run: { scenarios: { name: string }[] } }[];
      failed: { host: string; reason: string }[];
    };
    assert.deepEqual(
      fleet.hosts.map((h) => h.key).sort(),
      [1, 2, 3].map(hostname),
      "the three results merged, keyed by each host's own fingerprint",
    );
    assert.ok(fleet.hosts.every((h) => h.run.scenarios[0]?.name === 'boot'));
    assert.deepEqual(
      fleet.failed.map((f) => f.host),
      [hostname(last)],
    );
    const html = readFileSync(join(fetch, 'reports', 'fleet.html'), 'utf8');
    for (let i = 1; i < last; i++) assert.match(html, new RegExp(`<td>${hostname(i)}</td>`));
    assert.match(
      readFileSync(join(fetch, 'reports', 'fleet.md'), 'utf8'),
      new RegExp(`failed: ${hostname(last)} \\(no results`),
    );
    for (let i = 1; i < last; i++)
      assert.deepEqual(
        processTable().filter((p) => inside(i).includes(p.pid) && p.comm !== 'sshd'),
        [],
        `nothing left running on ${hostname(i)}`,
      );
  });
});
