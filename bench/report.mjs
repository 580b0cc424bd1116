// The benchmark's markdown report: the throughput table, the product against the relay, and
// one line for each other scenario.
import { filesMarkdown } from './files.mjs';
import { BODY_BYTES } from './harness.mjs';

/** The product's closed loops as fractions of the relay's in the same run (#18's targets). */
function againstRelay(runs) {
  const closed = (label, name) =>
    runs.find((r) => r.scenario === `${label}, ${name}` && r.loop === 'closed');
  const lines = [];
  for (const name of ['1:1', '10-member groups']) {
    const [product, relay] = [closed('product', name), closed('relay', name)];
    if (!product || !relay) continue;
    const percent = (key) => `${Math.round((100 * product[key]) / relay[key])}%`;
    const cpu =
      product.serverCpuUsPerDelivery && relay.serverCpuUsPerDelivery
        ? `${(product.serverCpuUsPerDelivery / relay.serverCpuUsPerDelivery).toFixed(1)}×`
        : '–';
    lines.push(
      `Product against the relay, ${name}, closed loop: ${percent('ackedPerSecond')} of its acked/s, ${percent('deliveriesPerSecond')} of its deliveries/s, ${cpu} its server CPU a delivery.`,
      '',
    );
  }
  return lines;
}

export function markdown(report) {
  const S = report.settings;
  const row = (r) =>
    `| ${r.scenario} | ${r.loop} | ${r.ackedPerSecond} | ${r.deliveriesPerSecond} | ${r.sendToAckMs.p50} / ${r.sendToAckMs.p95} / ${r.sendToAckMs.p99} | ${r.sendToDeliverMs.p50} / ${r.sendToDeliverMs.p95} / ${r.sendToDeliverMs.p99} | ${r.errors} | ${r.serverCpuPercent ?? '–'} | ${r.serverCpuUsPerDelivery ?? '–'} | ${r.serverPeakRssMb ?? '–'} | ${r.databaseCpuPercent ?? '–'} |`;
  return [
    `# Benchmark ${report.date}${report.quick ? ' (quick)' : ''}`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGb} GiB, Node ${report.machine.node}, database ${report.machine.database}. Messages of ${BODY_BYTES} bytes; ${S.users} users over ${S.loaders} load processes; ${S.durationMs / 1000} s measured after ${S.warmupMs / 1000} s warm-up.`,
    '',
    '| scenario | loop | acked/s | deliveries/s | send→ack ms p50/p95/p99 | send→deliver ms p50/p95/p99 | errors | server CPU % | server CPU µs a delivery | server peak RSS MB | database CPU % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.runs.map(row),
    '',
    ...againstRelay(report.runs),
    `db-ceiling: ${report.dbCeiling.storedPerSecond} stored/s (driver insertMany, batches of 100, same write concern).`,
    '',
    `Idle: ${report.idle.sockets} authenticated sockets cost ${report.idle.kibPerSocket} KiB of server RSS each (${report.idle.rssBeforeMb} → ${report.idle.rssAfterMb} MB).`,
    '',
    `History in a conversation of ${report.history.messages} messages: latest page p50 ${report.history.latestPageMs.p50} ms, p99 ${report.history.latestPageMs.p99} ms; deep page p50 ${report.history.deepPageMs.p50} ms, p99 ${report.history.deepPageMs.p99} ms.`,
    filesMarkdown(report.files),
    '',
  ].join('\n');
}
