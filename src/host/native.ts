import { createRequire } from 'node:module';
import type { NativeBinding } from '../../native/nsb.d.ts';
import { NATIVE_PATHS, requireBuilt } from './paths.ts';

let cached: NativeBinding | undefined;

/** The node-addon-api binding, loaded once. */
export function nativeBinding(): NativeBinding {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = require(requireBuilt(NATIVE_PATHS.addon, 'the native binding')) as NativeBinding;
  }
  return cached;
}
