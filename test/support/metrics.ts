/** A series' value in a server's /metrics (0 before it is first counted). */
export async function metricOf(server: { url: string }, series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
