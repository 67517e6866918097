/** Which way is better for a metric, from its name: rates and bandwidths up, times and sizes down. */
export function higherIsBetter(metric: string): boolean {
  return /(PerSec|PerCpuSec|Iops|bogoOps|events)$/.test(metric);
}
