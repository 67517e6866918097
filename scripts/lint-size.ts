// No function over 80 lines in runner/ and cli/ (the run's lifecycle and the commands: read in one sitting). Prints
// the longest functions of src/ with --all. Part of `npm run lint`; exits 1 listing each one too long as
// file:line name (lines).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const LIMIT = 80;
const CHECKED = ['src/runner/', 'src/cli/'];

interface Fn {
  file: string;
  line: number;
  name: string;
  lines: number;
}
const fns: Fn[] = [];
const files = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => join(e.parentPath, e.name));
for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart()).line;
      const end = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const named = (n as { name?: ts.Node }).name;
      const parent = n.parent;
      const name = named
        ? named.getText(sf)
        : ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)
          ? parent.name.getText(sf)
          : '(anonymous)';
      fns.push({ file: relative(ROOT, file), line: start + 1, name, lines: end - start + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
fns.sort((a, b) => b.lines - a.lines);
if (process.argv.includes('--all')) {
  for (const f of fns.slice(0, 25)) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line} ${f.name}`);
} else {
  const long = fns.filter((f) => f.lines > LIMIT && CHECKED.some((d) => f.file.startsWith(d)));
  if (long.length) {
    process.stderr.write(
      `${long.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`).join('\n')}\n${long.length} function(s) in runner/ or cli/ over ${LIMIT} lines: split them\n`,
    );
    process.exit(1);
  }
}
