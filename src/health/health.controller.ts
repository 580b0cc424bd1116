import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../identity/public.decorator';
import { DatabaseHealthIndicator } from './database.health';

@ApiTags('health')
@Public()
// Named: a bare @SkipThrottle() skips only a throttler called `default`, and ours are not.
@SkipThrottle({ requests: true, auth: true })
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  /** Liveness: the process is serving. */
  @Get()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: 503 UNAVAILABLE while the database does not answer a ping. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.ping('database', 1500)]);
  }
}
