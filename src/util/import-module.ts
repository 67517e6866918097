import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors/index.ts';
import { packageRoot } from './paths.ts';

/**
 * A scenario or config file that has not finished loading by then never will (a loop, a promise that never
 * settles); NSB_LOAD_TIMEOUT_MS raises it on an emulated machine (scripts/v2-vm.sh under TCG is ~20× slower).
 */
const LOAD_TIMEOUT_MS = Number(process.env.NSB_LOAD_TIMEOUT_MS) || 10_000;

/**
 * The loader: a worker thread that imports TypeScript (or JavaScript) module
 * files with tsx and sends back their default export as data. In a worker, a
 * file that never finishes loading — `while (true) {}` at import, a default
 * export that is a promise never settled — can be stopped (terminate()), and
 * the file named. tsImport loads it as TypeScript wherever it lies (also
 * outside a "type": "module" package, where tsx compiles it to CommonJS and the
 * default export arrives wrapped once more).
 */
/** The project's own folder: its scenario files load in one module graph. */
const PROJECT_URL = pathToFileURL(`${packageRoot(import.meta.url)}/`).href;
/**
 * The worker's source, made when the first file is loaded — not at import: a
 * scenario file outside the project imports the helpers (src/scenario/…) in a
 * graph tsx compiles to CommonJS, where import.meta.resolve does not exist.
 */
const workerSource = (tsxApi: string) => `
const { parentPort } = require('node:worker_threads');
// tsx's loader, registered once in this thread: the project's files share their imports (src/scenario/…);
// a file elsewhere (outside this "type": "module" package) goes through tsImport, which loads it as TypeScript there
// too
const api = import(${JSON.stringify(tsxApi)});
const ready = api.then(({ register }) => register());
parentPort.on('message', async ({ id, url, base, inProject }) => {
  try {
    await ready;
    const mod = inProject ? await import(url) : await (await api).tsImport(url, base);
    let d = await mod.default;
    if (d && typeof d === 'object' && d.__esModule && !('default' in d)) d = undefined;
    else if (d && typeof d === 'object' && 'default' in d && Object.keys(d).every((k) => k === 'default' || k === '__esModule')) d = await d.default;
    try {
      parentPort.postMessage({ id, ok: true, value: d });
    } catch (e) {
      parentPort.postMessage({ id, ok: false, kind: 'clone', message: String(e && e.message || e) });
    }
  } catch (e) {
    parentPort.postMessage({ id, ok: false, kind: 'load', message: String(e && e.message || e), stack: String(e && e.stack || '') });
  }
});
`;

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<
  number,
  { resolve: (v: { ok: true; value: unknown } | { ok: false; kind: string; message: string }) => void }
>();

function loader(): Worker {
  if (worker) return worker;
  const w = new Worker(workerSource(import.meta.resolve('tsx/esm/api')), { eval: true });
  w.unref(); // an idle loader never keeps nsbench running
  w.on('message', (m: { id: number; ok: boolean; value?: unknown; kind?: string; message?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    p?.resolve(m.ok ? { ok: true, value: m.value } : { ok: false, kind: m.kind ?? 'load', message: m.message ?? '' });
  });
  w.on('error', (e) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.resolve({ ok: false, kind: 'load', message: e.message });
    }
    worker = null;
  });
  w.on('exit', () => {
    if (worker === w) worker = null;
  });
  worker = w;
  return w;
}

/**
 * The cause of a load failure in one line: esbuild's "Transform failed with 1 error:" is followed by the real cause and
 * its place.
 */
function loadCause(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /ERROR: /.test(l));
  if (error) {
    const m = /^(?:.*?):(\d+):(\d+): ERROR: (.*)$/.exec(error);
    return m ? `${m[3]} (line ${m[1]}, column ${m[2]})` : error.replace(/^.*ERROR: /, '');
  }
  return lines[0] ?? message;
}

/** Imports a module file's default export (as data), within `timeoutMs`. */
async function importDefault(file: string, timeoutMs = LOAD_TIMEOUT_MS): Promise<unknown> {
  const w = loader();
  const id = nextId++;
  w.ref(); // while a file loads, the loader keeps nsbench alive
  let timer: NodeJS.Timeout | undefined;
  const result = await new Promise<{ ok: true; value: unknown } | { ok: false; kind: string; message: string }>(
    (resolve) => {
      pending.set(id, { resolve });
      timer = setTimeout(() => {
        pending.delete(id);
        void w.terminate(); // stuck in a loop or waiting forever: a fresh loader next time
        if (worker === w) worker = null;
        resolve({ ok: false, kind: 'timeout', message: `did not finish loading within ${timeoutMs / 1000} s` });
      }, timeoutMs);
      const url = pathToFileURL(file).href;
      w.postMessage({ id, url, base: import.meta.url, inProject: url.startsWith(PROJECT_URL) });
    },
  );
  clearTimeout(timer);
  if (worker === w) w.unref();
  if (!result.ok) throw Object.assign(new Error(result.message), { kind: result.kind });
  return result.value;
}

/**
 * importDefault, with a load failure (syntax error, missing import, a file that never finishes) as one UserError line.
 */
export async function importDefaultOrExplain(file: string, shown: string, fix: string): Promise<unknown> {
  try {
    return await importDefault(file);
  } catch (e) {
    const kind = (e as { kind?: string }).kind;
    const msg = e instanceof Error ? e.message : String(e);
    if (kind === 'timeout')
      throw new UserError(
        `${shown} ${msg} (an endless loop at import, or a default export that never settles)`,
        'make the file export its value at once',
      );
    if (kind === 'clone')
      throw new UserError(
        `${shown} exports something that is not plain data (${msg.split('\n')[0]})`,
        'export plain objects, arrays, strings, numbers and booleans (no functions or classes)',
      );
    throw new UserError(`${shown} could not be loaded: ${loadCause(msg)}`, fix);
  }
}
