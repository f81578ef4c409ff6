import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyRole } from './api-key.entity';
import { ApiKeyService, type AuthenticatedKey } from './api-key.service';
import { PUBLIC_METADATA, ROLES_METADATA, roleSatisfies } from './roles.decorator';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  apiKey?: AuthenticatedKey;
}

/** Global guard: 401 without a valid key, 403 with a key whose role isn't allowed on the route. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const required = this.reflector.getAllAndOverride<ApiKeyRole[]>(ROLES_METADATA, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
    if (!match) throw new UnauthorizedException('missing API key: send "Authorization: Bearer <key>"');
    const key = await this.keys.authenticate(match[1], Date.now());
    if (!key) throw new UnauthorizedException('invalid or revoked API key');
    request.apiKey = key;
    if (!required || required.length === 0 || !roleSatisfies(key.role, required)) {
      throw new ForbiddenException(`this route needs role ${required?.join(' or ') ?? '(none configured)'}; the key has role ${key.role}`);
    }
    return true;
  }
}
