import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import type { NestApplicationOptions } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { trustedProxies } from './common/client-address';
import { DrainService } from './common/drain.service';
import { completeDocument } from './common/openapi/complete-document';
import { HttpErrorFilter } from './common/filters/http-error.filter';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { SocketIoAdapter } from './common/socket-io.adapter';
import { requireUtf8Body } from './common/validation/utf8-input';
import { MetricsService } from './metrics/metrics.service';
import type { Environment } from './environment';
import { FanoutLinks } from './realtime/fanout-links';

/**
 * How main.ts and the tests create the app. JSON is the only body parser (configureApp adds it):
 * Nest's default would also parse HTML form posts, which any site can make a browser send.
 */
export const APP_OPTIONS: NestApplicationOptions = { bufferLogs: true, bodyParser: false };

const DOCS_PATH = '/api/docs';

/** Everything main.ts and the tests apply to the app alike, so tests run the production shape. */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  const origins = config.get('CORS_ORIGINS', { infer: true });
  const production = config.get('NODE_ENV', { infer: true }) === 'production';

  app.useLogger(app.get(Logger));
  // On shutdown, requests under way finish before the database closes; new ones get a 503.
  const drain = app.get(DrainService);
  app.use((_request: IncomingMessage, response: Response, next: () => void) => {
    if (drain.admit(response)) return next();
    response.status(503).json({
      statusCode: 503,
      error: 'UNAVAILABLE',
      message: 'The server is shutting down; retry',
    });
  });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.set('trust proxy', trustedProxies(config.get('TRUST_PROXY', { infer: true })));
  const docs = config.get('API_DOCS', { infer: true }) ?? (production ? 'false' : 'true');
  // Security headers on every response, with helmet's strict Content-Security-Policy (the page
  // and files set their own) except on the API docs, whose Swagger UI runs inline scripts.
  const headers = helmet();
  const docsHeaders = helmet({ contentSecurityPolicy: false });
  app.use((request: Request, response: Response, next: () => void) =>
    (docs === 'true' && request.path.startsWith(DOCS_PATH) ? docsHeaders : headers)(
      request,
      response,
      next,
    ),
  );
  app.useBodyParser('json', { limit: '64kb', verify: requireUtf8Body });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(app.get(MetricsService)));
  app.useWebSocketAdapter(
    new SocketIoAdapter(app, {
      corsOrigins: origins,
      maxFrameBytes: config.get('SOCKET_MAX_FRAME_BYTES', { infer: true }),
      fanout: app.get(FanoutLinks).clients,
    }),
  );
  if (origins.length > 0) app.enableCors({ origin: origins.includes('*') ? true : origins });
  app.disable('x-powered-by');

  if (docs !== 'true') return;
  const document = completeDocument(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Chat server')
        .setDescription(
          'REST API of the chat server. The socket.io protocol (namespace `/chat`) is in docs/socket-protocol.md.',
        )
        .setVersion('1')
        .addBearerAuth()
        .build(),
    ),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
