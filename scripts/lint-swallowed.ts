// The rule Biome has no switch for: an error caught and dropped says why. A `catch` that does nothing with what it
// caught (an empty block, or only `return;`, `continue`, `break`, `return undefined/null`) and a `.catch(handler)`
// whose handler does nothing (`() => undefined`, `() => {}`, `() => null`) must carry a comment — in the block, on
// the line of the catch or on the line above it. A catch that returns a fallback value, records or rethrows is
// handling the error, and is left alone. Part of `npm run lint` (and so of `npm test`); exits 1 listing each
// one as file:line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const DIRS = ['src', 'scripts', 'scenarios', 'deploy', 'test'];

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Nothing, or a value that means nothing: undefined, null, void 0. */
const isNothing = (e: ts.Expression | undefined): boolean =>
  !e ||
  (ts.isIdentifier(e) && e.text === 'undefined') ||
  e.kind === ts.SyntaxKind.NullKeyword ||
  ts.isVoidExpression(e) ||
  (ts.isParenthesizedExpression(e) && isNothing(e.expression));

/** A block that does nothing with an error: no statements, or only a bare return, continue or break. */
const doesNothing = (b: ts.Block): boolean =>
  b.statements.every(
    (st) =>
      (ts.isReturnStatement(st) && isNothing(st.expression)) || ts.isContinueStatement(st) || ts.isBreakStatement(st),
  );

/** A comment on the lines from the one above `from` to the one holding `to`. */
function hasComment(sf: ts.SourceFile, from: number, to: number): boolean {
  const first = Math.max(0, sf.getLineAndCharacterOfPosition(from).line - 1);
  const last = sf.getLineAndCharacterOfPosition(to).line;
  const starts = sf.getLineStarts();
  return /\/\/|\/\*/.test(sf.text.slice(starts[first], starts[last + 1] ?? sf.text.length));
}

const problems: string[] = [];
for (const file of DIRS.flatMap((d) => files(join(ROOT, d)))) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const report = (node: ts.Node, what: string) =>
    problems.push(`${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (n: ts.Node): void => {
    if (ts.isCatchClause(n)) {
      if (doesNothing(n.block) && !hasComment(sf, n.getStart(), n.block.getEnd()))
        report(n, 'an error caught and dropped without a comment saying why');
    }
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'catch' &&
      n.arguments.length === 1
    ) {
      const h = n.arguments[0] as ts.Expression;
      if (ts.isArrowFunction(h) || ts.isFunctionExpression(h)) {
        const nothing = ts.isBlock(h.body) ? doesNothing(h.body) : isNothing(h.body);
        if (nothing && !hasComment(sf, n.expression.name.getStart(), h.getEnd()))
          report(n.expression.name, '.catch() drops the error without a comment saying why');
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
if (problems.length) {
  process.stderr.write(
    `${problems.join('\n')}\n${problems.length} swallowed error(s): say why in a comment, or handle them\n`,
  );
  process.exit(1);
}
