import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { admitOrThrow, type AuthenticatedRequest, checkApiKey } from '../../platform/http/api-key-check';
import { type ApiKeyRole, PUBLIC_METADATA, ROLES_METADATA } from '../../platform/http/roles';
import { ApiKeyService } from './api-key.service';

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
    admitOrThrow(await checkApiKey(this.keys, request.headers.authorization, required, Date.now()), request);
    return true;
  }
}
