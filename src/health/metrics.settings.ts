import { IsOptional, IsString, MinLength } from 'class-validator';
import { Setting } from '../config/setting';

/** Who may scrape `/metrics`. */
export class MetricsSettings {
  /**
   * The bearer token a Prometheus scraper sends to `/metrics`. Unset: open in development and
   * tests, switched off (404) in production.
   */
  @Setting('`/metrics` wants `Authorization: Bearer <METRICS_TOKEN>`; unset: 404 in production', {
    allowed: '≥ 16 characters',
    shownDefault: '— (open; off in production)',
  })
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;
}
