import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Compiles a vega-lite spec and renders it to an SVG string in Node (no browser, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
