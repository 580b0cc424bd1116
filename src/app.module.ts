import { randomUUID } from 'node:crypto';
import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { TransportSingleOptions } from 'pino';
import { APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountModule } from './account/account.module';
import { AppsModule } from './apps/apps.module';
import { ChatModule } from './chat/chat.module';
import { CommonModule } from './common/common.module';
import { Utf8QueryMiddleware } from './common/validation/utf8-input';
import { Environment, validateEnvironment } from './environment';
import { ConversationsModule } from './conversations/conversations.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { AuthGuard } from './identity/auth.guard';
import { IdentityModule } from './identity/identity.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { WebModule } from './web/web.module';
import { WebhooksModule } from './webhooks/webhooks.module';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** pino-pretty (a development dependency) on a worker thread; JSON where it is not installed. */
function prettyLogs(): TransportSingleOptions | undefined {
  try {
    require.resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return {
    target: 'pino-pretty',
    options: {
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
      singleLine: true,
    },
  };
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnvironment }),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ({
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          transport:
            config.get('LOG_FORMAT', { infer: true }) === 'pretty' ? prettyLogs() : undefined,
          // A caller's X-Request-Id is kept so logs correlate across services.
          genReqId: (request, response) => {
            const given = request.headers['x-request-id'];
            const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
            response.setHeader('X-Request-Id', id);
            return id;
          },
          // Tokens and passwords never reach the logs; bodies are not logged at all.
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        },
      }),
    }),
    // In-process events between feature modules (src/realtime/membership-events.ts).
    EventEmitterModule.forRoot(),
    CommonModule,
    MetricsModule,
    DatabaseModule,
    RedisModule,
    HealthModule,
    IdentityModule,
    RateLimitModule,
    ConversationsModule,
    ChatModule,
    AccountModule,
    AppsModule,
    WebhooksModule,
    WebModule,
  ],
  providers: [
    // In this order: the caller is known before the per-user rate limit is counted.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(Utf8QueryMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
