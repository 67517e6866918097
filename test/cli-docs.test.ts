// The README is the front door and docs/ the reference: every relative link in them lands on a file
// (and a heading, where it names one), and every command and option they show exists in `--help`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const CLI = join(ROOT, 'bin/nsbench.js');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

test('the README stays a front door (≤ ~300 lines) and links the reference in docs/', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.split('\n').length <= 300, `README: ${readme.split('\n').length} lines`);
  for (const page of [
    'usage',
    'scenarios',
    'measurement',
    'kernel',
    'results',
    'reports-and-ci',
    'statistics',
    'fleets',
    'harness',
    'layout',
  ])
    assert.match(readme, new RegExp(`\\(docs/${page}\\.md\\)`), `README links docs/${page}.md`);
});

test('every relative link in the README and docs/ lands on a file, and on a heading where it names one', () => {
  const bad: string[] = [];
  for (const file of DOCS) {
    const text = withoutCode(readFileSync(join(ROOT, file), 'utf8'));
    for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = m[1] as string;
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path, hash] = target.split('#') as [string, string | undefined];
      const abs = path ? resolve(dirname(join(ROOT, file)), path) : join(ROOT, file);
      if (!existsSync(abs)) {
        bad.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (hash && abs.endsWith('.md')) {
        const headings = readFileSync(abs, 'utf8')
          .split('\n')
          .filter((l) => /^#{1,6} /.test(l))
          .map((l) => anchor(l.replace(/^#+ /, '')));
        if (!headings.includes(hash)) bad.push(`${file}: ${target} (no heading #${hash})`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('every command and option the README and docs/usage.md show is in --help', () => {
  const help = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const top = help([]);
  const cache = new Map<string, string>();
  const bad: string[] = [];
  let shown = 0;
  let options = 0;
  for (const file of ['README.md', 'docs/usage.md']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      let cmd: string | null = null;
      for (const line of (block[1] as string).split('\n')) {
        const code = line.replace(/\s*#.*$/, ''); // the comment explains, the code must run
        if (!code.trim()) continue; // a comment line goes on the command above
        const m = /^nsbench ([a-z]+)/.exec(code);
        if (m) {
          cmd = m[1] as string;
          shown++;
          if (!new RegExp(`^\\s+${cmd}\\b`, 'm').test(top)) bad.push(`${file}: nsbench ${cmd} is not a command`);
        } else if (!/^\s/.test(code)) cmd = null; // another program's line (npm, apt-get, …)
        if (!cmd) continue;
        if (!cache.has(cmd)) cache.set(cmd, help([cmd]));
        for (const opt of code.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b/g)) {
          const o = opt[1] as string;
          options++;
          if (!new RegExp(`(^|[\\s,])${o.replace(/[-]/g, '\\-')}([\\s,=<[]|$)`, 'm').test(cache.get(cmd) as string))
            bad.push(`${file}: nsbench ${cmd} ${o} is not in its --help`);
        }
      }
    }
  }
  assert.ok(shown >= 15 && options >= 40, `commands shown: ${shown}, options: ${options}`);
  assert.deepEqual(bad, []);
});
