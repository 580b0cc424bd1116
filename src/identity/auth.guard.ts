import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../common/errors/app-error';
import { AuthService } from './auth.service';
import { AuthenticatedUser } from './authenticated-user';
import { FailedAuthentications } from './failed-authentications';
import { IS_PUBLIC } from './public.decorator';

export type AuthenticatedRequest = Request & { user: AuthenticatedUser };

/** Global REST guard: every route needs a bearer token unless it is marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    private readonly failures: FailedAuthentications,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) {
      throw new AppError('UNAUTHORIZED', 'A valid access token is required');
    }
    // Only tokens that cost a read are counted against the address.
    request.user = await this.failures.guard(request.ip ?? '', () => this.auth.authenticate(token));
    return true;
  }
}
