import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { PageReadsSettings } from './page-reads.settings';
import { MetricsService } from '../metrics/metrics.service';
import { ReadGate, shareOf } from './read-gate';

/**
 * The one gate every paged read that may scan (history, sync, changes) goes through, so that
 * together they never ask the database for more than PAGE_READS_IN_FLIGHT at once. One user holds
 * at most an eighth of its places (running and waiting), so one cannot push everyone else into
 * UNAVAILABLE.
 */
@Injectable()
export class PageReads extends ReadGate {
  constructor(config: ConfigService<PageReadsSettings, true>, metrics: MetricsService) {
    const inFlight = config.get('PAGE_READS_IN_FLIGHT', { infer: true });
    const queued = config.get('PAGE_READS_QUEUED', { infer: true });
    super(
      {
        inFlight,
        queued,
        maxWaitMs: config.get('PAGE_READ_WAIT_MS', { infer: true }),
        perOwner: shareOf(inFlight + queued),
      },
      () => metrics.pageReadsShed.inc(),
      undefined,
      () => metrics.pageReadsAbandoned.inc(),
    );
  }
}
