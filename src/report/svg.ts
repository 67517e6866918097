// The renderer is util's (history's trend charts use it too).
export { renderSvg } from '../util/index.ts';
