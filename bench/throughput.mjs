// The throughput scenario: real socket.io clients in separate load processes send in a closed
// loop (as fast as acks come back) or an open loop (a fixed rate), against one target (the
// product, the naive build, the relay); the figures of one run, with the server's and the
// database's CPU over it.
import { conversationsFor, log, procStats, runLoader, shapeName, summary } from './harness.mjs';

function runLoaders(S, url, users, mode, rate) {
  const slices = Array.from({ length: S.loaders }, (_, i) =>
    users.filter((_, j) => j % S.loaders === i),
  );
  return Promise.all(
    slices.map((slice) =>
      runLoader({
        url,
        users: slice,
        mode,
        rate: rate / S.loaders,
        warmupMs: S.warmupMs,
        durationMs: S.durationMs,
      }),
    ),
  );
}

/** Waits until the server has worked off any backlog, so one run does not bleed into the next. */
async function quiesce(pid, databasePid) {
  const until = Date.now() + 60_000;
  const busy = (before) => before.some(([id, cpu]) => procStats(id).cpuSeconds - cpu >= 0.1);
  for (;;) {
    // The server and the database both: one run's backlog must not bleed into the next.
    const before = [pid, databasePid].filter(Boolean).map((id) => [id, procStats(id).cpuSeconds]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (!busy(before) || Date.now() > until) return;
  }
}

/**
 * One run against a target: `S` the run's settings, `databasePid` the database's process (its
 * CPU is reported too).
 */
export async function measure({ S, databasePid }, label, url, serverPid, users, mode, rate = 0) {
  if (serverPid) await quiesce(serverPid, databasePid);
  const before = serverPid ? procStats(serverPid) : null;
  const databaseBefore = databasePid ? procStats(databasePid) : null;
  const parts = await runLoaders(S, url, users, mode, rate);
  const after = serverPid ? procStats(serverPid) : null;
  const databaseAfter = databasePid ? procStats(databasePid) : null;
  const seconds = S.durationMs / 1000;
  const sum = (key) => parts.reduce((total, part) => total + part[key], 0);
  const result = {
    scenario: label,
    loop: mode === 'closed' ? 'closed' : `open ${rate}/s`,
    ackedPerSecond: Math.round(sum('acked') / seconds),
    deliveriesPerSecond: Math.round(sum('deliveries') / seconds),
    errors: sum('errors'),
    sendToAckMs: summary(parts.flatMap((part) => part.ackLatencies)),
    sendToDeliverMs: summary(parts.flatMap((part) => part.deliverLatencies)),
    serverCpuPercent: before
      ? Math.round(
          ((after.cpuSeconds - before.cpuSeconds) / (seconds + S.warmupMs / 1000 + 1)) * 100,
        )
      : null,
    serverPeakRssMb: after ? Math.round(after.peakRssMb) : null,
    databaseCpuPercent: databaseBefore
      ? Math.round(
          ((databaseAfter.cpuSeconds - databaseBefore.cpuSeconds) /
            (seconds + S.warmupMs / 1000 + 1)) *
            100,
        )
      : null,
  };
  // CPU seconds a second over deliveries a second: the server's CPU time per delivered message.
  result.serverCpuUsPerDelivery =
    result.serverCpuPercent === null || result.deliveriesPerSecond === 0
      ? null
      : +((result.serverCpuPercent * 1e4) / result.deliveriesPerSecond).toFixed(1);
  log(
    `${label} ${result.loop}: ${result.ackedPerSecond} acked/s, ${result.deliveriesPerSecond} deliveries/s, ack p99 ${result.sendToAckMs.p99} ms, server CPU ${result.serverCpuPercent}% (${result.serverCpuUsPerDelivery} µs a delivery), database CPU ${result.databaseCpuPercent}%`,
  );
  return result;
}

/** One shape's closed loop (or open loop at `rate`) against each target (label, url, pid). */
export async function shapeLoops(context, shape, productUrl, users, targets, rate) {
  const assigned = await conversationsFor(shape, productUrl, users);
  const mode = rate > 0 ? 'open' : 'closed';
  const runs = [];
  for (const [label, url, pid] of targets) {
    runs.push(
      await measure(context, `${label}, ${shapeName(shape)}`, url, pid, assigned, mode, rate),
    );
  }
  return runs;
}
