import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** The probes (liveness, readiness) and the Prometheus scrape route: what operators' tools call. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [DatabaseHealthIndicator],
})
export class HealthModule {}
