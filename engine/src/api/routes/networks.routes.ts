import { invalidArgument } from '@berth/common';
import type { CreateNetworkRequest, EndpointConfig, NetworkService } from '../../services/networks/network-service.js';
import { presentNetwork } from '../presenters/network-presenter.js';
import { parseBoolean, parseFilters } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export function networkRoutes(networks: NetworkService): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/networks',
      handler: (context) => {
        const list = networks.list(parseFilters(context.query.get('filters')));
        context.send(
          200,
          list.map((network) => presentNetwork(network, networks.members(network))),
        );
      },
    },
    {
      method: 'POST',
      pattern: '/networks/create',
      handler: async (context) => {
        const body = await objectBody<CreateNetworkRequest>(context);
        const { network, warning } = await networks.create(body);
        context.send(201, { Id: network.id, Warning: warning });
      },
    },
    {
      method: 'POST',
      pattern: '/networks/prune',
      handler: async (context) => {
        const removed = await networks.prune(parseFilters(context.query.get('filters')));
        context.send(200, { NetworksDeleted: removed.length > 0 ? removed : null });
      },
    },
    {
      method: 'GET',
      pattern: '/networks/:id',
      handler: (context) => {
        const network = networks.get(param(context, 'id'));
        context.send(200, presentNetwork(network, networks.members(network)));
      },
    },
    {
      method: 'DELETE',
      pattern: '/networks/:id',
      handler: async (context) => {
        await networks.remove(param(context, 'id'));
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/networks/:id/connect',
      handler: async (context) => {
        const body = await objectBody<{ Container?: string; EndpointConfig?: EndpointConfig | null }>(context);
        if (body.Container === undefined || body.Container === '') throw invalidArgument('container is required');
        await networks.connect(param(context, 'id'), body.Container, body.EndpointConfig ?? {});
        context.empty(200);
      },
    },
    {
      method: 'POST',
      pattern: '/networks/:id/disconnect',
      handler: async (context) => {
        const body = await objectBody<{ Container?: string; Force?: boolean }>(context);
        if (body.Container === undefined || body.Container === '') throw invalidArgument('container is required');
        await networks.disconnect(
          param(context, 'id'),
          body.Container,
          body.Force === true || parseBoolean(context.query.get('force')),
        );
        context.empty(200);
      },
    },
  ];
}

async function objectBody<T>(context: RequestContext): Promise<T> {
  const body = await context.json<T>();
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalidArgument('invalid JSON body');
  return body;
}

function param(context: RequestContext, name: string): string {
  return context.params[name] ?? '';
}
