// No unused exports, and no `export *`: every name a module in src/ exports is imported by some other file (src/,
// the tests, the scripts, the scenarios, deploy/), and every name a folder's index.ts exports is imported from
// outside that folder — the index is the folder's public surface, curated, not a pass-through. src/index.ts, the
// package's entry (`import … from 'nsbench'`), is the exception: what it exports is for users. Part of
// `npm run lint`; exits 1 listing each unused export as file:line name.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const SCAN = ['src', 'test', 'scripts', 'scenarios', 'deploy'];
const ENTRY = join(ROOT, 'src/index.ts');

const files = SCAN.flatMap((d) =>
  readdirSync(join(ROOT, d), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name)),
).concat(join(ROOT, 'bench.config.ts'), join(ROOT, 'bin/nsbench.js'), join(ROOT, 'scripts/build-js.mjs'));

interface Exported {
  name: string;
  line: number;
}
const exportsOf = new Map<string, Exported[]>();
/** file → names other files take from it ('*' for all) */
const used = new Map<string, Set<string>>();
const problems: string[] = [];
const use = (file: string, name: string) => {
  if (!used.has(file)) used.set(file, new Set());
  used.get(file)?.add(name);
};

function target(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const p = resolve(dirname(from), spec);
  return p.endsWith('.ts') ? p : null;
}

for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const mine: Exported[] = [];
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const t = target(file, n.moduleSpecifier.text);
      const b = n.importClause?.namedBindings;
      if (t) {
        if (n.importClause?.name) use(t, 'default');
        if (b && ts.isNamespaceImport(b)) use(t, '*');
        if (b && ts.isNamedImports(b)) for (const e of b.elements) use(t, (e.propertyName ?? e.name).text);
      }
    } else if (ts.isExportDeclaration(n)) {
      const t =
        n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) ? target(file, n.moduleSpecifier.text) : null;
      if (!n.exportClause) {
        if (t) use(t, '*');
        problems.push(`${relative(ROOT, file)}:${line(n)} export * — name what this module passes on`);
      } else if (ts.isNamedExports(n.exportClause)) {
        for (const e of n.exportClause.elements) {
          if (t) use(t, (e.propertyName ?? e.name).text);
          mine.push({ name: e.name.text, line: line(e) });
        }
      }
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      // `const { a, b } = await import('./x.ts')` and `(await import('./x.ts')).a` take what they name; any other use
      // of import() takes everything
      const a = n.arguments[0];
      const t = a && ts.isStringLiteral(a) ? target(file, a.text) : null;
      const decl = ts.isAwaitExpression(n.parent) && ts.isVariableDeclaration(n.parent.parent) ? n.parent.parent : null;
      const paren =
        ts.isAwaitExpression(n.parent) && ts.isParenthesizedExpression(n.parent.parent) ? n.parent.parent : null;
      if (t && paren && ts.isPropertyAccessExpression(paren.parent)) use(t, paren.parent.name.text);
      else if (t && decl && ts.isObjectBindingPattern(decl.name))
        for (const e of decl.name.elements) use(t, ((e.propertyName ?? e.name) as ts.Identifier).text);
      else if (t) use(t, '*');
    } else if (ts.isExportAssignment(n)) {
      mine.push({ name: 'default', line: line(n) });
    } else if (
      (ts.isFunctionDeclaration(n) ||
        ts.isClassDeclaration(n) ||
        ts.isInterfaceDeclaration(n) ||
        ts.isTypeAliasDeclaration(n) ||
        ts.isEnumDeclaration(n) ||
        ts.isVariableStatement(n)) &&
      n.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    ) {
      const isDefault = n.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(n)) {
        for (const d of n.declarationList.declarations)
          if (ts.isIdentifier(d.name)) mine.push({ name: d.name.text, line: line(d) });
      } else if (isDefault) mine.push({ name: 'default', line: line(n) });
      else if (n.name) mine.push({ name: n.name.text, line: line(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  exportsOf.set(file, mine);
}

for (const [file, names] of exportsOf) {
  if (!file.startsWith(join(ROOT, 'src/')) || file === ENTRY) continue;
  const taken = used.get(file) ?? new Set<string>();
  if (taken.has('*')) continue;
  for (const e of names)
    if (!taken.has(e.name)) problems.push(`${relative(ROOT, file)}:${e.line} ${e.name} is exported and never imported`);
}
if (problems.length) {
  process.stderr.write(`${problems.sort().join('\n')}\n${problems.length} unused export(s) or export *\n`);
  process.exit(1);
}
