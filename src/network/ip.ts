import { execFileSync } from 'node:child_process';
import { UserError } from '../errors/index.ts';
import { which } from '../host/index.ts';

let ipPath: string | null | undefined;

/** Runs `ip` with an argument array (never a shell string). */
export function ip(...args: string[]): string {
  if (ipPath === undefined) ipPath = which('ip');
  if (!ipPath) throw new UserError('the ip command (iproute2) is not installed', 'apt-get install iproute2');
  try {
    return execFileSync(ipPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`);
  }
}

export function ipAvailable(): boolean {
  if (ipPath === undefined) ipPath = which('ip');
  return ipPath !== null;
}

/** Names of the named network namespaces (ip netns list). */
export function netnsList(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Names of the links in the host's network namespace. */
export function linkNames(): string[] {
  return ip('-o', 'link', 'show')
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter(Boolean);
}
