import { useSyncExternalStore } from 'react';

export type Route =
  | { readonly page: 'dashboard' }
  | { readonly page: 'containers' }
  | { readonly page: 'container'; readonly id: string; readonly tab: ContainerTab }
  | { readonly page: 'images' }
  | { readonly page: 'volumes' }
  | { readonly page: 'networks' };

export const containerTabs = ['logs', 'terminal', 'stats', 'processes', 'env', 'mounts', 'ports', 'inspect'] as const;
export type ContainerTab = (typeof containerTabs)[number];

const isContainerTab = (value: string | undefined): value is ContainerTab => containerTabs.some((tab) => tab === value);

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'containers': {
      if (parts[1] === undefined) return { page: 'containers' };
      const tab = isContainerTab(parts[2]) ? parts[2] : 'logs';
      return { page: 'container', id: decodeURIComponent(parts[1]), tab };
    }
    case 'images':
      return { page: 'images' };
    case 'volumes':
      return { page: 'volumes' };
    case 'networks':
      return { page: 'networks' };
    default:
      return { page: 'dashboard' };
  }
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return '#/';
    case 'container':
      return `#/containers/${encodeURIComponent(route.id)}/${route.tab}`;
    default:
      return `#/${route.page}`;
  }
}

export function navigate(route: Route): void {
  location.hash = hrefFor(route);
}

const subscribe = (callback: () => void): (() => void) => {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}
