import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StateGauge } from './state-gauge';

export type WriterLoad = Record<'queued' | 'committing' | 'seq_lookups', number>;
export type RoutingLoad = Record<'leases_held' | 'forwards_waiting', number>;

/**
 * The server's Prometheus metrics. One registry per app instance (not prom-client's global
 * one), so several instances in one process, as in the tests, do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connectedSockets = new Gauge({
    name: 'chat_connected_sockets',
    help: 'socket.io connections open on this process',
    registers: [this.registry],
  });

  readonly messagesStored = new Counter({
    name: 'chat_messages_stored_total',
    help: 'Messages stored (duplicates of a clientMsgId are not counted)',
    registers: [this.registry],
  });

  readonly messageBatchSize = new Histogram({
    name: 'chat_message_batch_size',
    help: 'Messages per insert of the group commit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });

  readonly writerLoad = new StateGauge<keyof WriterLoad>(
    'chat_message_writer_load',
    'Sends waiting for a batch (queued), batches being inserted (committing) and conversations whose next seq is being read (seq_lookups), on this process',
    this.registry,
  );

  readonly routingLoad = new StateGauge<keyof RoutingLoad>(
    'chat_send_routing',
    'Conversations whose writer lease this process holds (leases_held) and sends it forwarded to another process awaiting an answer (forwards_waiting)',
    this.registry,
  );

  readonly fanoutResyncCuts = new Counter({
    name: 'chat_fanout_resync_cuts_total',
    help: 'Connections closed so their clients catch up, after fan-out through Redis may have lost packets for them',
    registers: [this.registry],
  });

  readonly sendsForwarded = new Counter({
    name: 'chat_sends_forwarded_total',
    help: 'Sends forwarded to the process holding their conversation’s writer lease, by outcome (stored, refused, not-holder, unreachable, not-listening, timed-out)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly sendLatency = new Histogram({
    name: 'chat_send_ack_seconds',
    help: 'From a send arriving to its ack or REST answer, stored and emitted',
    labelNames: ['transport', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly fanoutDeliveries = new Counter({
    name: 'chat_fanout_deliveries_total',
    help: 'Users an event was emitted to (each reaches all of that user’s sockets)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly databaseErrors = new Counter({
    name: 'chat_database_errors_total',
    help: 'Operations that failed because the database was unavailable',
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: 'chat_redis_errors_total',
    help: 'Redis connection errors and failed Redis commands',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'chat_rate_limited_total',
    help: 'Requests and events refused with RATE_LIMITED',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly pageReadsShed = new Counter({
    name: 'chat_page_reads_shed_total',
    help: 'History and sync reads refused with UNAVAILABLE because the database had enough to do',
    registers: [this.registry],
  });

  readonly pageReadsAbandoned = new Counter({
    name: 'chat_page_reads_abandoned_total',
    help: 'Sync and changes reads not run because the socket that asked had disconnected by their turn',
    registers: [this.registry],
  });

  readonly resendLookupsShed = new Counter({
    name: 'chat_resend_lookups_shed_total',
    help: 'Resent messages answered UNAVAILABLE because too many resend lookups were waiting',
    registers: [this.registry],
  });

  constructor() {
    // Includes nodejs_eventloop_lag_seconds, heap and CPU figures.
    collectDefaultMetrics({ register: this.registry });
  }
}
