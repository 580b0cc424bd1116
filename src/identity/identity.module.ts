import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import type { IdentitySettings } from './identity.settings';
import { ApiKeys } from './api-keys';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BlocksService } from './blocks.service';
import { LoginBackoff } from './login-backoff';
import { PasswordHashes } from './password-hashes';
import { PersistenceModule } from '../persistence/persistence.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { UsersController } from './users.controller';
import { FailedAuthentications } from './failed-authentications';
import { OWN_TOKENS } from './token-audience';
import { UsersService } from './users.service';

@Module({
  imports: [
    PersistenceModule,
    RateLimitModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<IdentitySettings, true>) => {
        // A KeyObject, made once: given the string, jsonwebtoken first tries it as a public key on
        // every call (and catches the failure): ~300 µs of CPU per verification, against ~5 µs.
        const secret: string = config.get('JWT_SECRET', { infer: true });
        const key = createSecretKey(Buffer.from(secret, 'utf8'));
        return {
          secretOrKeyProvider: () => key,
          // The algorithm is pinned both ways: `alg: none` or RS/HS confusion cannot verify.
          signOptions: {
            algorithm: 'HS256',
            expiresIn: config.get('JWT_EXPIRES_IN', { infer: true }),
            ...OWN_TOKENS,
          },
          verifyOptions: { algorithms: ['HS256'], ...OWN_TOKENS },
        };
      },
    }),
  ],
  controllers: [AuthController, SessionsController, UsersController],
  providers: [
    ApiKeys,
    AuthService,
    SessionsService,
    UsersService,
    BlocksService,
    PasswordHashes,
    LoginBackoff,
    FailedAuthentications,
  ],
  exports: [
    ApiKeys,
    AuthService,
    SessionsService,
    UsersService,
    BlocksService,
    FailedAuthentications,
  ],
})
export class IdentityModule {}
