import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../common/errors/app-error';
import { ApiKeys, isApiKey } from './api-keys';
import { AuthService } from './auth.service';
import { AuthenticatedUser } from './authenticated-user';
import { FailedAuthentications } from './failed-authentications';
import { IS_PUBLIC } from './public.decorator';
import { ROUTE_ACCESS, RouteAccess } from './route-access';
import { UsersService } from './users.service';

export type AuthenticatedRequest = Request & { user: AuthenticatedUser };

/**
 * Global REST guard: every route needs a bearer token unless it is marked @Public(). A user's
 * access token reaches user routes; an app's API key (`chk_…`) only routes marked for keys, with
 * the scope they name; instance-admin routes read the caller's role on every request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly keys: ApiKeys,
    private readonly users: UsersService,
    private readonly reflector: Reflector,
    private readonly failures: FailedAuthentications,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) {
      throw new AppError('UNAUTHORIZED', 'A valid access token is required');
    }
    const key = isApiKey(token);
    // Only tokens that cost a read are counted against the address.
    request.user = await this.failures.guard(request.ip ?? '', () =>
      key ? this.keys.authenticate(token) : this.auth.authenticate(token),
    );
    if (key) {
      if (!access || access.keys === 'never') {
        throw new AppError('FORBIDDEN', 'API keys cannot use this route');
      }
      if (!request.user.app?.scopes.includes(access.scope)) {
        throw new AppError('FORBIDDEN', `This key lacks the ${access.scope} scope`);
      }
    } else if (access?.keys === 'only') {
      throw new AppError('FORBIDDEN', "This route is for apps' API keys");
    } else if (access?.keys === 'never') {
      if (!(await this.users.isInstanceAdmin(request.user.id)))
        throw new AppError('FORBIDDEN', 'Only instance admins may do this');
    }
    return true;
  }
}
