import type { RequestContext } from './request-context.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export type RouteHandler = (context: RequestContext) => Promise<void> | void;

export interface Route {
  method: HttpMethod;
  /** Path pattern such as `/containers/:id/attach`; `:name` segments match one path segment. */
  pattern: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  regexp: RegExp;
  names: string[];
}

/** Finds the route for a method and path; a small table, matched in order. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: readonly Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const source = route.pattern
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(segment.slice(1));
          // Image names contain slashes (`127.0.0.1:5000/busybox`), so `:name*` matches the rest.
          return segment.endsWith('*') ? '(.+)' : '([^/]+)';
        })
        .join('/');
      this.routes.push({ ...route, regexp: new RegExp(`^${source}/?$`), names: names.map((name) => name.replace(/\*$/, '')) });
    }
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.regexp.exec(path);
      if (match === null) continue;
      pathMatched = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(match[index + 1] ?? '');
      });
      return { route, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}
