import { errorMessage } from '../errors/index.ts';

/**
 * Everything nsbench creates on the machine is registered here the moment it
 * exists — the launcher (which kills whatever it holds when it closes), each
 * run's cgroups, network namespaces and links, mounts and work folders — by
 * the part that made it, with how to remove it. Normal code removes its own
 * objects and unregisters them; what is still registered when the run ends
 * abnormally (an uncaught exception, a second Ctrl-C, SIGHUP/SIGTERM twice)
 * is removed here, newest first. Only objects nsbench made are ever listed.
 */
interface Registered {
  what: string;
  remove: () => unknown;
  /** removed before the rest (the launcher: closing it kills the sandboxes it holds) */
  early: boolean;
}

export class CleanupRegistry {
  readonly #items = new Map<number, Registered>();
  #next = 0;
  #running: Promise<string[]> | null = null;

  /** Registers an object; the returned function unregisters it (call it once the owner removed the object). */
  add(what: string, remove: () => unknown, opts: { early?: boolean } = {}): () => void {
    const id = this.#next++;
    this.#items.set(id, { what, remove, early: opts.early ?? false });
    return () => {
      this.#items.delete(id);
    };
  }

  /** What is registered now, oldest first. */
  list(): string[] {
    return [...this.#items.values()].map((r) => r.what);
  }

  /**
   * Removes everything still registered, newest first; returns what failed. Safe to call twice (the second waits for
   * the first).
   */
  removeAll(): Promise<string[]> {
    this.#running ??= (async () => {
      const failed: string[] = [];
      const newestFirst = [...this.#items.entries()].reverse();
      for (const [id, item] of [
        ...newestFirst.filter(([, i]) => i.early),
        ...newestFirst.filter(([, i]) => !i.early),
      ]) {
        this.#items.delete(id);
        try {
          await item.remove();
        } catch (e) {
          failed.push(`${item.what}: ${errorMessage(e, true)}`);
        }
      }
      this.#running = null;
      return failed;
    })();
    return this.#running;
  }
}

/** The process-wide registry. */
export const registry = new CleanupRegistry();

/**
 * The emergency exit (a forced stop, an uncaught exception): removes everything registered, warns of what stayed, exits
 * with `code`.
 */
export function removeAllAndExit(code: number): void {
  void registry.removeAll().then((failed) => {
    for (const f of failed) process.stderr.write(`warning: could not remove ${f} — run \`nsbench cleanup\`\n`);
    process.exit(code);
  });
}
