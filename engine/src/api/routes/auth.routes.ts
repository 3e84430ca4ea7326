import { invalidArgument } from '@berth/common';
import type { ImageService } from '../../core/images/image-service.js';
import type { Route } from '../router.js';

interface AuthConfigBody {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
}

/** `POST /auth` (`docker login`): `{"Status":"Login Succeeded","IdentityToken":""}` or 401 with the registry's reason. */
export function authRoutes(images: ImageService): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/auth',
      handler: async (context) => {
        const body = (await context.json<AuthConfigBody>()) ?? {};
        if (typeof body !== 'object' || body === null) throw invalidArgument('invalid auth configuration');
        let { username, password } = body;
        if (username === undefined && typeof body.auth === 'string' && body.auth !== '') {
          const decoded = Buffer.from(body.auth, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon > 0) {
            username = decoded.slice(0, colon);
            password = decoded.slice(colon + 1);
          }
        }
        await images.login(
          body.serveraddress ?? '',
          {
            ...(username ? { username } : {}),
            ...(password ? { password } : {}),
            ...(body.identitytoken ? { identityToken: body.identitytoken } : {}),
          },
          context.signal,
        );
        context.send(200, { Status: 'Login Succeeded', IdentityToken: '' });
      },
    },
  ];
}
