import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Global: every feature records into the same registry (HealthModule serves it at /metrics). */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
