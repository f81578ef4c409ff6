import { http } from './test-app';

/**
 * The sum of a metric's samples in an API node's /metrics, over the label sets that contain
 * `labels` (e.g. 'queue="feedback"'); null when it has no such sample.
 */
export async function scrapeMetric(url: string, name: string, labels = ''): Promise<number | null> {
  const text = (await http(url, 'GET', '/metrics')).text;
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    const bare = line.startsWith(`${name} `);
    if (!bare && !line.startsWith(`${name}{`)) continue;
    if (labels && (bare || !line.slice(0, line.indexOf('}')).includes(labels))) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
