import type { IsolationCell } from '../isolation/index.ts';

// The three axioms' figures are computed in results/ (findings.ts); here only how a cell is drawn.
export { interferenceRows, isolationMatrix, type InterferenceRow, type MatrixRow } from '../results/index.ts';

const SYMBOL: Record<IsolationCell['status'], string> = { isolated: '✓', 'not-isolated': '✗', 'n/a': '–' };
export const cellSymbol = (c: IsolationCell | null): string => (c ? SYMBOL[c.status] : '?');
