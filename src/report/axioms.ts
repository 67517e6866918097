import type { IsolationCell } from '../isolation/index.ts';

// How an isolation cell is drawn (the three axioms' figures are computed in results/findings.ts).

const SYMBOL: Record<IsolationCell['status'], string> = { isolated: '✓', 'not-isolated': '✗', 'n/a': '–' };
export const cellSymbol = (c: IsolationCell | null): string => (c ? SYMBOL[c.status] : '?');
