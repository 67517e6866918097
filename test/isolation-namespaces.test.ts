import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/errors/index.ts';
import { NAMESPACES, namespaceBits, PRESETS, parseNamespaceList, setId } from '../src/isolation/index.ts';
import { namespacesSchema } from '../src/results/index.ts';
import { all, bare, eachAlone, powerset, preset } from '../src/scenario/index.ts';
import { parseVariantSpec, parseVariantSpecs } from '../src/scenario/variant-spec.ts';
import { parseOrFail } from '../src/util/schema.ts';

test('namespace lists parse in canonical order, with bare and all', () => {
  assert.deepEqual(parseNamespaceList('net,user+pid', 'x'), ['user', 'pid', 'net']);
  assert.deepEqual(parseNamespaceList('bare', 'x'), []);
  assert.deepEqual(parseNamespaceList('all', 'x'), [...NAMESPACES]);
  assert.deepEqual(parseNamespaceList('PID, pid', 'x'), ['pid']);
});

test('an unknown namespace names itself, the place and the known names', () => {
  assert.throws(
    () => parseNamespaceList('user,nett', '--ns'),
    (e: unknown) =>
      e instanceof UserError &&
      e.message ===
        '--ns: unknown namespace "nett" (did you mean "net"? known: user, pid, mnt, net, ipc, uts, cgroup, time)',
  );
  assert.throws(
    () => parseOrFail(namespacesSchema, ['pid', 3], 'variants[0].ns', '.'),
    /variants\[0\]\.ns\[1\]: unknown namespace 3/,
  );
  assert.throws(
    () => parseOrFail(namespacesSchema, ['nett'], 'ns', '.'),
    /ns\[0\]: unknown namespace "nett" \(did you mean "net"\? known: user/,
  );
  assert.deepEqual(
    parseOrFail(namespacesSchema, ['net', 'pid', 'net'], 'ns'),
    ['pid', 'net'],
    'canonical order, no duplicates',
  );
  assert.throws(() => parseOrFail(namespacesSchema, 'pid', 'v.ns', '.'), /v\.ns: expected an array of namespace names/);
});

test('bits follow the native table order', () => {
  assert.equal(namespaceBits([]), 0);
  assert.equal(namespaceBits(['user']), 1);
  assert.equal(namespaceBits(['time']), 128);
  assert.equal(namespaceBits([...NAMESPACES]), 255);
});

test('set ids are stable', () => {
  assert.equal(setId([]), 'bare');
  assert.equal(setId(['net', 'user']), 'user+net');
  assert.equal(setId([...NAMESPACES].reverse()), 'all');
});

test('variant helpers: bare, each alone, all, powerset, presets', () => {
  assert.deepEqual(bare().ns, []);
  assert.deepEqual(
    eachAlone().map((v) => v.id),
    [...NAMESPACES],
  );
  assert.equal(all().ns.length, 8);
  const ps = powerset(['user', 'pid', 'net']);
  assert.equal(ps.length, 8);
  assert.equal(new Set(ps.map((v) => v.id)).size, 8);
  assert.equal(powerset().length, 256);
  assert.deepEqual(preset('runc').ns, ['pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup']);
  assert.ok(!preset('all-but-net').ns.includes('net'));
  assert.throws(() => preset('nope'), /unknown preset/);
  for (const p of PRESETS) assert.ok(p.ns.length > 0 && p.description.length > 0);
});

test('--ns words: lists win over preset names, presets and keywords expand', () => {
  assert.deepEqual(
    parseVariantSpec('all').map((v) => v.id),
    ['all'],
  );
  assert.deepEqual(
    parseVariantSpec('runc').map((v) => v.id),
    ['preset:runc'],
  );
  assert.deepEqual(
    parseVariantSpec('preset:docker').map((v) => v.id),
    ['preset:docker'],
  );
  assert.equal(parseVariantSpec('each').length, 8);
  assert.deepEqual(
    parseVariantSpecs(['bare', 'pid', 'bare', 'user,pid']).map((v) => v.id),
    ['bare', 'pid', 'user+pid'],
  );
  assert.throws(() => parseVariantSpec('preset:nope'), /unknown preset "nope"/);
  assert.throws(
    () => parseVariantSpec('nett'),
    /--ns: "nett" is no namespace, preset or keyword \(did you mean "net"\?\)/,
  );
  assert.throws(() => parseVariantSpec('dockr'), /\(did you mean "docker"\?\)/);
  assert.throws(() => parseVariantSpec('bare,pid'), /"bare" \(no namespaces\) and "pid" contradict each other/);
});
