import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import type { CoreSettings } from '../config/core.settings';
import type { MetricsSettings } from './metrics.settings';
import { Public } from '../identity/public.decorator';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Prometheus scrape target at `/metrics` (outside `/api`), for the scraper only: with
 * METRICS_TOKEN set it wants `Authorization: Bearer <METRICS_TOKEN>`; without, it is open in
 * development and tests and answers 404 in production.
 */
@ApiExcludeController()
@Public()
// Named: a bare @SkipThrottle() skips only a throttler called `default`, and ours are not.
@SkipThrottle({ requests: true, auth: true })
@Controller('metrics')
export class MetricsController {
  private readonly token: Buffer | null;
  private readonly open: boolean;

  constructor(
    private readonly metrics: MetricsService,
    config: ConfigService<CoreSettings & MetricsSettings, true>,
  ) {
    const token = config.get('METRICS_TOKEN', { infer: true });
    this.token = token ? Buffer.from(`Bearer ${token}`) : null;
    this.open = !token && config.get('NODE_ENV', { infer: true }) !== 'production';
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    if (!this.open) this.authorize(authorization);
    return this.metrics.registry.metrics();
  }

  private authorize(authorization: string | undefined): void {
    if (!this.token) throw new AppError('NOT_FOUND', 'Cannot GET /metrics');
    const given = Buffer.from(authorization ?? '');
    if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
      throw new AppError('UNAUTHORIZED', 'A valid metrics token is required');
    }
  }
}
