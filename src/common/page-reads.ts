import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { ReadGate } from './read-gate';

/**
 * The one gate every paged read that may scan (history, sync, changes) goes through, so that
 * together they never ask the database for more than PAGE_READS_IN_FLIGHT at once.
 */
@Injectable()
export class PageReads extends ReadGate {
  constructor(config: ConfigService<Environment, true>, metrics: MetricsService) {
    super(
      {
        inFlight: config.get('PAGE_READS_IN_FLIGHT', { infer: true }),
        queued: config.get('PAGE_READS_QUEUED', { infer: true }),
        maxWaitMs: config.get('PAGE_READ_WAIT_MS', { infer: true }),
      },
      () => metrics.pageReadsShed.inc(),
      undefined,
      () => metrics.pageReadsAbandoned.inc(),
    );
  }
}
