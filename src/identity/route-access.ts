import { SetMetadata } from '@nestjs/common';
import type { AppScope } from '../persistence/apps/app.schema';

export const ROUTE_ACCESS = 'routeAccess';

/**
 * Who besides a signed-in user may call a route (AuthGuard reads it). Without it a route is for
 * users only: API keys are refused.
 */
export type RouteAccess =
  { keys: 'also' | 'only'; scope: AppScope } | { keys: 'never'; instanceAdmin: true };

/** A user route an API key with `scope` may call too, as its app's bot. */
export const KeyScope = (scope: AppScope) =>
  SetMetadata(ROUTE_ACCESS, { keys: 'also', scope } satisfies RouteAccess);

/** A route for API keys with `scope` only; user tokens are refused. */
export const AppKeyRoute = (scope: AppScope) =>
  SetMetadata(ROUTE_ACCESS, { keys: 'only', scope } satisfies RouteAccess);

/** A route for instance admins (granted from the command line) only. */
export const InstanceAdminOnly = () =>
  SetMetadata(ROUTE_ACCESS, { keys: 'never', instanceAdmin: true } satisfies RouteAccess);
