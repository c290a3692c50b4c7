import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../config/app-config';
import { ProblemError } from '../problem/problem';
import { credentialParameter } from '../logging/redact';
import { API_KEY_REGISTRY, ApiKeyRegistry, type Caller } from './api-keys';

const ROLES_KEY = 'roles';
const PUBLIC_KEY = 'public';

/** The roles that may call a route; admin may call every route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** A route anyone may call (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

/** Global guard: every route needs a key unless marked public, and a listed role. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_REGISTRY) private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      const inQuery = Object.keys((request.query ?? {}) as object).filter(credentialParameter);
      throw unauthenticated(
        inQuery.length > 0
          ? `API keys are not taken from the query string (${inQuery.join(', ')}), where they end up in logs and histories: send Authorization: Bearer <key>, and replace a key that was sent in a URL.`
          : 'An API key is required: send Authorization: Bearer <key>.',
        inQuery.length > 0 ? 'invalid_request' : null,
      );
    }
    const caller = this.keys.identify(match[1]);
    if (!caller) throw unauthenticated('The API key is not known.', 'invalid_token');
    request.caller = caller;
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (caller.role !== 'admin' && !allowed.includes(caller.role)) {
      throw new ProblemError(403, 'FORBIDDEN_ROLE', `The ${caller.role} role may not call this route; it needs ${allowed.join(' or ') || 'admin'}.`);
    }
    return true;
  }
}

/**
 * 401 with the challenge RFC 6750 asks for, so a client knows the scheme it must use;
 * `error` says a bad key from a missing one (none when no credential was sent at all).
 */
function unauthenticated(detail: string, error: 'invalid_request' | 'invalid_token' | null): ProblemError {
  const challenge = `Bearer realm="treatment-timeline"${error === null ? '' : `, error="${error}"`}`;
  return new ProblemError(401, 'UNAUTHENTICATED', detail, undefined, {}, { 'www-authenticate': challenge });
}
