import { Agent, request, type Dispatcher } from 'undici';
import { Transform, type Readable } from 'node:stream';
import { AppError, invalidArgument, notFound, repositoryName, type ImageReference } from '@berth/common';
import type { RegistryCredentials } from '../../core/images/image-service.js';
import {
  MediaTypes,
  type BlobResponse,
  type Descriptor,
  type FetchedManifest,
  type ImageManifest,
  type RegistryClient,
  type RegistryRequestOptions,
  type ResolvedImage,
  type UploadOptions,
} from '../../core/registry/registry-client.js';
import { isDigest, sha256Digest, type Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import { InsecureRegistries } from './insecure-registries.js';
import { formatPlatform, parsePlatform, selectPlatformManifest } from './platform-matcher.js';
import { RegistryError, registryStatusError } from './registry-error.js';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

export interface OciRegistryClientOptions {
  logger: Logger;
  /** `HOST`, `HOST:PORT` or IPv4 CIDR entries reachable over plain HTTP (loopback always is). */
  insecureRegistries?: readonly string[];
  /** Mirror base URLs (`https://mirror.example`, `http://127.0.0.1:5001`) tried before Docker Hub for docker.io. */
  registryMirrors?: readonly string[];
  userAgent?: string;
  /** Per-request header and idle-body timeouts (default 30 s / 60 s). */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

/** Registries whose API host differs from their name. */
const apiHosts: Record<string, string> = { 'docker.io': 'registry-1.docker.io' };
const manifestAccept = [
  MediaTypes.dockerManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerSchema1Signed,
].join(', ');
/** containerd's MaxManifestSize. */
const maxManifestBytes = 4 * 1048 * 1048;
const maxRedirects = 5;
const endpointCacheMs = 5 * 60 * 1000;

interface Endpoint {
  /** `https://host:port` (plus a path prefix for mirrors), no trailing slash. */
  base: string;
  dispatcher: Dispatcher;
  mirror: boolean;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/**
 * OCI distribution client on undici. Endpoint discovery as dockerd: TLS first, plain HTTP only for
 * insecure registries; Docker Hub through configured mirrors first. Auth: anonymous, Basic, or Bearer
 * tokens obtained from the challenge's realm and cached by scope. Redirects are followed by hand so
 * `Authorization` never leaves the registry's origin.
 */
export class OciRegistryClient implements RegistryClient {
  private readonly logger: Logger;
  private readonly insecure: InsecureRegistries;
  private readonly mirrors: string[];
  private readonly userAgent: string;
  private readonly secureAgent: Agent;
  private readonly insecureAgent: Agent;
  private readonly endpointCache = new Map<string, { endpoints: Endpoint[]; expiresAt: number }>();
  private readonly authCache = new Map<string, CachedToken>();

  constructor(options: OciRegistryClientOptions) {
    this.logger = options.logger;
    this.insecure = new InsecureRegistries(options.insecureRegistries ?? []);
    this.mirrors = (options.registryMirrors ?? []).map((url) => url.replace(/\/+$/, ''));
    this.userAgent = options.userAgent ?? 'berth/0.1 (linux)';
    const timeouts = { headersTimeout: options.headersTimeoutMs ?? 30_000, bodyTimeout: options.bodyTimeoutMs ?? 60_000 };
    this.secureAgent = new Agent({ ...timeouts, connect: { timeout: 10_000 } });
    this.insecureAgent = new Agent({ ...timeouts, connect: { timeout: 10_000, rejectUnauthorized: false } });
  }

  async close(): Promise<void> {
    await Promise.all([this.secureAgent.close(), this.insecureAgent.close()]);
  }

  async ping(registry: string, options: RegistryRequestOptions = {}): Promise<void> {
    await this.endpoints(registry, options.signal);
  }

  async fetchManifest(
    reference: ImageReference,
    tagOrDigest: string,
    options: RegistryRequestOptions = {},
  ): Promise<FetchedManifest> {
    const name = `${repositoryName(reference)}:${tagOrDigest}`.replace(/:sha256:/, '@sha256:');
    return this.withEndpoints(reference, options, async (endpoint) => {
      const response = await this.send(
        endpoint,
        reference,
        'GET',
        `/manifests/${tagOrDigest}`,
        { accept: manifestAccept },
        options,
      );
      if (response.statusCode !== 200) {
        const text = await readText(response.body, 64 * 1024);
        if (response.statusCode === 404) {
          throw new RegistryError('not-found', `manifest for ${name} not found: manifest unknown: manifest unknown`, false, {
            statusCode: 404,
          });
        }
        throw registryStatusError(response.statusCode, `fetching manifest ${name}`, text);
      }
      const bytes = await readLimited(response.body, maxManifestBytes, `manifest ${name}`);
      const digest = sha256Digest(bytes);
      if (isDigest(tagOrDigest) && digest !== tagOrDigest) {
        throw invalidArgument(`manifest verification failed for digest ${tagOrDigest}: content has digest ${digest}`);
      }
      const advertised = header(response.headers, 'docker-content-digest');
      if (!isDigest(tagOrDigest) && advertised !== undefined && advertised.startsWith('sha256:') && advertised !== digest) {
        throw invalidArgument(
          `manifest verification failed for ${name}: registry said ${advertised}, content has digest ${digest}`,
        );
      }
      const mediaType = detectManifestMediaType(bytes, header(response.headers, 'content-type'), name);
      return { digest, mediaType, bytes };
    });
  }

  async resolve(reference: ImageReference, options: RegistryRequestOptions & { platform?: string } = {}): Promise<ResolvedImage> {
    const wanted = parsePlatform(options.platform ?? 'linux/amd64');
    const top = await this.fetchManifest(reference, reference.digest ?? reference.tag ?? 'latest', options);
    if (top.mediaType === MediaTypes.dockerManifestList || top.mediaType === MediaTypes.ociIndex) {
      const index = parseJson(top.bytes, 'manifest list') as { manifests?: Descriptor[] };
      if (!Array.isArray(index.manifests)) throw invalidArgument(`invalid manifest list ${top.digest}: no manifests`);
      const chosen = selectPlatformManifest(index.manifests, wanted);
      if (!chosen) {
        throw notFound(`no matching manifest for ${formatPlatform(wanted)} in the manifest list entries`);
      }
      if (!isDigest(chosen.digest))
        throw invalidArgument(`manifest list ${top.digest} has an invalid entry digest ${String(chosen.digest)}`);
      const manifest = await this.fetchManifest(reference, chosen.digest, options);
      if (manifest.mediaType === MediaTypes.dockerManifestList || manifest.mediaType === MediaTypes.ociIndex) {
        throw invalidArgument(`manifest ${manifest.digest}: nested manifest lists are not supported`);
      }
      return { digest: top.digest, manifest, parsed: parseImageManifest(manifest), index: top };
    }
    return { digest: top.digest, manifest: top, parsed: parseImageManifest(top) };
  }

  async fetchBlob(
    reference: ImageReference,
    descriptor: Descriptor,
    options: RegistryRequestOptions & { offset?: number } = {},
  ): Promise<BlobResponse> {
    const offset = options.offset ?? 0;
    return this.withEndpoints(reference, options, async (endpoint) => {
      const headers: Record<string, string> = {};
      if (offset > 0) headers['range'] = `bytes=${offset}-`;
      let response = await this.send(endpoint, reference, 'GET', `/blobs/${descriptor.digest}`, headers, options);
      if (response.statusCode === 416) {
        await response.body.dump();
        response = await this.send(endpoint, reference, 'GET', `/blobs/${descriptor.digest}`, {}, options);
      }
      if (response.statusCode === 206 && offset > 0) {
        return withTotal({ body: response.body, offset }, descriptor.size);
      }
      if (response.statusCode === 200) {
        return withTotal({ body: response.body, offset: 0 }, descriptor.size);
      }
      const text = await readText(response.body, 64 * 1024);
      throw registryStatusError(
        response.statusCode,
        `fetching blob ${descriptor.digest} from ${repositoryName(reference)}`,
        text,
      );
    });
  }

  async login(registry: string, credentials: RegistryCredentials, options: { signal?: AbortSignal } = {}): Promise<void> {
    const endpoint = (await this.endpoints(registry, options.signal)).find((candidate) => !candidate.mirror);
    if (!endpoint) throw new RegistryError('unavailable', `registry ${registry} is unreachable`, true);
    const url = `${endpoint.base}/v2/`;
    const first = await this.raw(endpoint.dispatcher, 'GET', url, {}, options.signal);
    await first.body.dump();
    if (first.statusCode === 200) return;
    const challengeHeader = header(first.headers, 'www-authenticate');
    const failed = (status: number) =>
      new RegistryError('unauthorized', `login attempt to ${url} failed with status: ${status} ${statusText(status)}`, false, {
        statusCode: status,
      });
    if (first.statusCode !== 401 || !challengeHeader) throw failed(first.statusCode);
    const challenges = parseWwwAuthenticate(challengeHeader);
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    let auth: CachedToken | undefined;
    if (bearer) {
      try {
        // A login asks for no repository scope, only `account` (as dockerd does).
        auth = await this.fetchToken(endpoint, bearer, [], { credentials, ...options }, credentials.username);
      } catch (error) {
        if (error instanceof AppError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) {
          throw new RegistryError('unauthorized', `Get "${url}": unauthorized: incorrect username or password`, false);
        }
        throw error;
      }
    } else {
      auth = await this.authorize(endpoint, challenges, [], { credentials });
    }
    if (!auth) throw failed(401);
    const second = await this.raw(endpoint.dispatcher, 'GET', url, { authorization: auth.header }, options.signal);
    await second.body.dump();
    if (second.statusCode !== 200) throw failed(second.statusCode);
  }

  async blobExists(reference: ImageReference, digest: Digest, options: RegistryRequestOptions = {}): Promise<boolean> {
    const endpoint = await this.pushEndpoint(reference, options.signal);
    const response = await this.send(endpoint, reference, 'HEAD', `/blobs/${digest}`, {}, options, { push: true });
    await response.body.dump();
    if (response.statusCode === 200) return true;
    if (response.statusCode === 404) return false;
    throw registryStatusError(response.statusCode, `checking blob ${digest} in ${repositoryName(reference)}`, '');
  }

  async mountBlob(
    reference: ImageReference,
    digest: Digest,
    fromRepository: string,
    options: RegistryRequestOptions = {},
  ): Promise<boolean> {
    const endpoint = await this.pushEndpoint(reference, options.signal);
    const query = new URLSearchParams({ mount: digest, from: fromRepository }).toString();
    const response = await this.send(
      endpoint,
      reference,
      'POST',
      `/blobs/uploads/?${query}`,
      { 'content-length': '0' },
      options,
      { push: true, extraScopes: [`repository:${fromRepository}:pull`] },
    );
    const text = await readText(response.body, 64 * 1024);
    if (response.statusCode === 201) return true;
    if (response.statusCode === 202) {
      // The registry opened an ordinary upload instead: give it back, the caller uploads.
      const location = header(response.headers, 'location');
      if (location) await this.cancelUpload(endpoint, reference, location, options);
      return false;
    }
    throw registryStatusError(response.statusCode, `mounting blob ${digest} from ${fromRepository}`, text);
  }

  async uploadBlob(
    reference: ImageReference,
    descriptor: Descriptor,
    open: () => Promise<Readable>,
    options: UploadOptions = {},
  ): Promise<void> {
    const endpoint = await this.pushEndpoint(reference, options.signal);
    const what = `uploading blob ${descriptor.digest} to ${repositoryName(reference)}`;
    const push = { push: true };
    const started = await this.send(endpoint, reference, 'POST', '/blobs/uploads/', { 'content-length': '0' }, options, push);
    const startText = await readText(started.body, 64 * 1024);
    if (started.statusCode !== 202) throw registryStatusError(started.statusCode, what, startText);
    let location = uploadLocation(started.headers, endpoint.base, what);
    const progress = options.onProgress ?? (() => undefined);
    if (options.chunkSize === undefined) {
      const response = await this.send(
        endpoint,
        reference,
        'PUT',
        withDigest(location, descriptor.digest),
        { 'content-type': 'application/octet-stream', 'content-length': String(descriptor.size) },
        options,
        { ...push, body: async () => countBytes(await open(), progress) },
      );
      const text = await readText(response.body, 64 * 1024);
      if (response.statusCode !== 201) throw registryStatusError(response.statusCode, what, text);
      return;
    }
    let sent = 0;
    for await (const chunk of rechunk(await open(), options.chunkSize)) {
      const response = await this.send(
        endpoint,
        reference,
        'PATCH',
        location,
        {
          'content-type': 'application/octet-stream',
          'content-length': String(chunk.length),
          'content-range': `${sent}-${sent + chunk.length - 1}`,
        },
        options,
        { ...push, body: () => chunk },
      );
      const text = await readText(response.body, 64 * 1024);
      if (response.statusCode !== 202) throw registryStatusError(response.statusCode, what, text);
      location = uploadLocation(response.headers, endpoint.base, what);
      sent += chunk.length;
      progress(sent);
    }
    const response = await this.send(
      endpoint,
      reference,
      'PUT',
      withDigest(location, descriptor.digest),
      { 'content-length': '0' },
      options,
      push,
    );
    const text = await readText(response.body, 64 * 1024);
    if (response.statusCode !== 201) throw registryStatusError(response.statusCode, what, text);
  }

  async putManifest(
    reference: ImageReference,
    tagOrDigest: string,
    bytes: Buffer,
    mediaType: string,
    options: RegistryRequestOptions = {},
  ): Promise<Digest> {
    const endpoint = await this.pushEndpoint(reference, options.signal);
    const response = await this.send(
      endpoint,
      reference,
      'PUT',
      `/manifests/${tagOrDigest}`,
      { 'content-type': mediaType, 'content-length': String(bytes.length) },
      options,
      { push: true, body: () => bytes },
    );
    const text = await readText(response.body, 64 * 1024);
    if (response.statusCode !== 201) {
      throw registryStatusError(response.statusCode, `pushing manifest ${repositoryName(reference)}:${tagOrDigest}`, text);
    }
    const digest = sha256Digest(bytes);
    const advertised = header(response.headers, 'docker-content-digest');
    if (advertised !== undefined && advertised.startsWith('sha256:') && advertised !== digest) {
      throw invalidArgument(`registry stored manifest ${repositoryName(reference)} as ${advertised}, expected ${digest}`);
    }
    return digest;
  }

  private async cancelUpload(
    endpoint: Endpoint,
    reference: ImageReference,
    location: string,
    options: RegistryRequestOptions,
  ): Promise<void> {
    try {
      const url = new URL(location, endpoint.base).toString();
      const response = await this.send(endpoint, reference, 'DELETE', url, {}, options, { push: true });
      await response.body.dump();
    } catch (error) {
      this.logger.debug({ err: error }, 'cancelling an upload session failed');
    }
  }

  /** Pushes go to the registry itself, never a pull-through mirror. */
  private async pushEndpoint(reference: ImageReference, signal?: AbortSignal): Promise<Endpoint> {
    const endpoint = (await this.endpoints(reference.registry, signal)).find((candidate) => !candidate.mirror);
    if (!endpoint) throw new RegistryError('unavailable', `registry ${reference.registry} is unreachable`, true);
    return endpoint;
  }

  /** Runs `operation` against the registry's endpoints in order; falls through a mirror only when it lacks the content or fails. */
  private async withEndpoints<T>(
    reference: ImageReference,
    options: RegistryRequestOptions,
    operation: (endpoint: Endpoint) => Promise<T>,
  ): Promise<T> {
    const endpoints = await this.endpoints(reference.registry, options.signal);
    let lastError: unknown;
    for (const [i, endpoint] of endpoints.entries()) {
      try {
        return await operation(endpoint);
      } catch (error) {
        lastError = error;
        const canFallBack =
          endpoint.mirror && i < endpoints.length - 1 && !(error instanceof AppError && error.kind === 'canceled');
        if (!canFallBack) throw error;
        this.logger.info({ mirror: endpoint.base, err: error }, 'registry mirror failed, trying next endpoint');
      }
    }
    throw lastError;
  }

  /** The endpoints that answered `GET /v2/`, in preference order (cached for a few minutes). */
  private async endpoints(registry: string, signal?: AbortSignal): Promise<Endpoint[]> {
    const cached = this.endpointCache.get(registry);
    if (cached && cached.expiresAt > Date.now()) return cached.endpoints;
    const candidates = this.candidateEndpoints(registry);
    const working: Endpoint[] = [];
    const failures: string[] = [];
    for (const candidate of candidates) {
      // For a non-mirror registry the first endpoint that answers wins (TLS before plain HTTP).
      if (working.some((endpoint) => !endpoint.mirror)) break;
      try {
        const response = await this.raw(candidate.dispatcher, 'GET', `${candidate.base}/v2/`, {}, signal);
        await response.body.dump();
        if (response.statusCode >= 500) throw new Error(`HTTP ${response.statusCode}`);
        working.push(candidate);
      } catch (error) {
        if (signal?.aborted) throw new AppError('canceled', 'operation canceled', { cause: error });
        failures.push(`Get "${candidate.base}/v2/": ${describeNetworkError(error)}`);
        this.logger.debug({ endpoint: candidate.base, err: error }, 'registry endpoint ping failed');
      }
    }
    if (!working.some((endpoint) => !endpoint.mirror) && working.length === 0) {
      throw new RegistryError('unavailable', `registry ${registry} is unreachable: ${failures.join('; ')}`, true);
    }
    this.endpointCache.set(registry, { endpoints: working, expiresAt: Date.now() + endpointCacheMs });
    return working;
  }

  private candidateEndpoints(registry: string): Endpoint[] {
    const host = apiHosts[registry] ?? registry;
    const out: Endpoint[] = [];
    if (registry === 'docker.io') {
      for (const mirror of this.mirrors) {
        const url = new URL(mirror.includes('://') ? mirror : `https://${mirror}`);
        const insecure = url.protocol === 'http:' || this.insecure.isInsecure(url.host);
        out.push({
          base: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
          dispatcher: insecure ? this.insecureAgent : this.secureAgent,
          mirror: true,
        });
      }
    }
    const insecure = this.insecure.isInsecure(registry);
    out.push({ base: `https://${host}`, dispatcher: insecure ? this.insecureAgent : this.secureAgent, mirror: false });
    if (insecure) out.push({ base: `http://${host}`, dispatcher: this.insecureAgent, mirror: false });
    return out;
  }

  /**
   * A repository request with auth: cached credentials first, then one retry after answering a 401
   * challenge. `target` is a path under `/v2/<name>` or an absolute upload URL; `body` is a factory
   * because a streamed body cannot be replayed after the challenge.
   */
  private async send(
    endpoint: Endpoint,
    reference: ImageReference,
    method: HttpMethod,
    target: string,
    headers: Record<string, string>,
    options: RegistryRequestOptions,
    access: RequestAccess = {},
  ): Promise<Dispatcher.ResponseData> {
    const url = /^https?:\/\//.test(target) ? target : `${endpoint.base}/v2/${reference.repository}${target}`;
    const scopes = [`repository:${reference.repository}:${access.push ? 'pull,push' : 'pull'}`, ...(access.extraScopes ?? [])];
    const cacheKey = authCacheKey(endpoint.base, scopes.join(' '), options.credentials);
    const cached = this.authCache.get(cacheKey);
    const withAuth = (auth: string | undefined) => (auth ? { ...headers, authorization: auth } : headers);
    const body = async () => (access.body ? await access.body() : undefined);
    let response = await this.followRedirects(
      endpoint,
      method,
      url,
      withAuth(cached && cached.expiresAt > Date.now() ? cached.header : undefined),
      options.signal,
      await body(),
    );
    if (response.statusCode !== 401) return response;
    const challengeHeader = header(response.headers, 'www-authenticate');
    await response.body.dump();
    if (!challengeHeader) return this.unauthorized(reference, access, options);
    const auth = await this.authorize(endpoint, parseWwwAuthenticate(challengeHeader), scopes, options);
    if (!auth) return this.unauthorized(reference, access, options);
    this.authCache.set(cacheKey, auth);
    response = await this.followRedirects(endpoint, method, url, withAuth(auth.header), options.signal, await body());
    if (response.statusCode === 401) {
      await response.body.dump();
      this.authCache.delete(cacheKey);
      return this.unauthorized(reference, access, options);
    }
    return response;
  }

  private unauthorized(reference: ImageReference, access: RequestAccess, options: RegistryRequestOptions): never {
    if (access.push) {
      // dockerd's wording: without credentials the Basic handshake has nothing to send.
      const message = options.credentials === undefined ? 'no basic auth credentials' : 'unauthorized: authentication required';
      throw new RegistryError('unauthorized', message, false, { statusCode: 401 });
    }
    throw new RegistryError(
      'unauthorized',
      `pull access denied for ${repositoryName(reference)}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      false,
      { statusCode: 401 },
    );
  }

  /** Answers a challenge: Basic with the user's credentials, or a Bearer token from the realm. */
  private async authorize(
    endpoint: Endpoint,
    challenges: AuthChallenge[],
    scopes: string[],
    options: RegistryRequestOptions,
  ): Promise<CachedToken | undefined> {
    const credentials = options.credentials;
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer) {
      if (credentials?.registryToken) return { header: `Bearer ${credentials.registryToken}`, expiresAt: Date.now() + 60_000 };
      return this.fetchToken(endpoint, bearer, scopes, options);
    }
    const basic = challenges.find((challenge) => challenge.scheme === 'basic');
    if (basic && credentials?.username !== undefined) {
      const value = Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64');
      return { header: `Basic ${value}`, expiresAt: Number.MAX_SAFE_INTEGER };
    }
    return undefined;
  }

  private async fetchToken(
    endpoint: Endpoint,
    challenge: AuthChallenge,
    wantedScopes: string[],
    options: RegistryRequestOptions,
    account?: string,
  ): Promise<CachedToken> {
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError('unauthorized', `registry ${endpoint.base} sent a Bearer challenge without realm`, false);
    const realmUrl = new URL(realm);
    const service = challenge.params['service'];
    // The scopes this request needs (pull,push plus a mount source); the challenge's own scope is one of them.
    const scopes = [...new Set([...wantedScopes, ...(challenge.params['scope'] ? [challenge.params['scope']] : [])])];
    const scope = scopes.join(' ');
    const credentials = options.credentials;
    const dispatcher = realmUrl.protocol === 'http:' ? this.insecureAgent : this.secureAgent;
    let response: Dispatcher.ResponseData;
    if (credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'berth',
        scope,
      });
      if (service) form.set('service', service);
      response = await this.raw(
        dispatcher,
        'POST',
        realmUrl.toString(),
        { 'content-type': 'application/x-www-form-urlencoded' },
        options.signal,
        form.toString(),
      );
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      if (account !== undefined) realmUrl.searchParams.set('account', account);
      for (const one of scopes) realmUrl.searchParams.append('scope', one);
      const headers: Record<string, string> = {};
      if (credentials?.username !== undefined) {
        headers['authorization'] =
          `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`;
      }
      response = await this.raw(dispatcher, 'GET', realmUrl.toString(), headers, options.signal);
    }
    const text = await readText(response.body, 1024 * 1024);
    if (response.statusCode !== 200)
      throw registryStatusError(response.statusCode, `getting token from ${realmUrl.origin}`, text);
    const body = parseJson(Buffer.from(text), 'token response') as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('unauthorized', `token server ${realmUrl.origin} returned no token`, false);
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { header: `Bearer ${token}`, expiresAt: Date.now() + Math.max(lifetimeS - 10, 5) * 1000 };
  }

  /** Follows 3xx by hand; drops Authorization once the request leaves the original origin (CDN blob redirects). */
  private async followRedirects(
    endpoint: Endpoint,
    method: HttpMethod,
    url: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
    body?: RequestBody,
  ): Promise<Dispatcher.ResponseData> {
    const origin = new URL(url).origin;
    let current = url;
    let currentHeaders = headers;
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(current).origin === origin;
      const dispatcher = sameOrigin ? endpoint.dispatcher : this.secureAgent;
      const response = await this.raw(dispatcher, method, current, currentHeaders, signal, hop === 0 ? body : undefined);
      // Upload endpoints answer 201/202 with a Location that is not a redirect.
      if (method !== 'GET' && method !== 'HEAD') return response;
      const location = header(response.headers, 'location');
      if (![301, 302, 303, 307, 308].includes(response.statusCode) || !location) return response;
      await response.body.dump();
      if (hop >= maxRedirects) throw new RegistryError('unavailable', `too many redirects fetching ${url}`, false);
      current = new URL(location, current).toString();
      if (new URL(current).origin !== origin) {
        const { authorization: _dropped, ...rest } = currentHeaders;
        currentHeaders = rest;
      }
    }
  }

  private async raw(
    dispatcher: Dispatcher,
    method: HttpMethod,
    url: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
    body?: RequestBody,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        method,
        dispatcher,
        headers: { 'user-agent': this.userAgent, ...headers },
        ...(body === undefined ? {} : { body }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted) throw new AppError('canceled', 'operation canceled', { cause: error });
      throw new RegistryError('unavailable', `${method} "${url}": ${describeNetworkError(error)}`, true, { cause: error });
    }
  }
}

type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type RequestBody = string | Buffer | Readable;

interface RequestAccess {
  /** Ask for `pull,push` on the repository. */
  push?: boolean;
  /** More token scopes (a cross-repository mount's source). */
  extraScopes?: string[];
  body?: () => Promise<RequestBody | undefined> | RequestBody | undefined;
}

/** The upload session URL from a 202 (absolute or relative `Location`). */
function uploadLocation(headers: Dispatcher.ResponseData['headers'], base: string, what: string): string {
  const location = header(headers, 'location');
  if (!location) throw new RegistryError('internal', `${what}: the registry sent no upload location`, false);
  return new URL(location, base).toString();
}

/** Keeps the session's own query (`_state`) and adds `digest=`, as dockerd does. */
function withDigest(location: string, digest: Digest): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.toString();
}

function countBytes(source: Readable, onProgress: (sent: number) => void): Readable {
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      onProgress(sent);
      callback(null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}

/** Regroups a stream into buffers of exactly `size` bytes (the last one shorter). */
async function* rechunk(source: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let chunk = piece as Buffer;
    while (chunk.length > 0) {
      const take = Math.min(size - pendingBytes, chunk.length);
      pending.push(chunk.subarray(0, take));
      pendingBytes += take;
      chunk = chunk.subarray(take);
      if (pendingBytes === size) {
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

function statusText(status: number): string {
  return status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : '';
}

function withTotal(response: BlobResponse, total: number): BlobResponse {
  return Number.isFinite(total) && total >= 0 ? { ...response, total } : response;
}

function authCacheKey(base: string, scope: string, credentials: RegistryCredentials | undefined): string {
  const who = credentials ? sha256Digest(JSON.stringify(credentials)).slice(7, 23) : 'anonymous';
  return `${base}|${scope}|${who}`;
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as NodeJS.ErrnoException).code ?? (cause as NodeJS.ErrnoException | undefined)?.code;
    const detail = cause instanceof Error ? cause.message : error.message;
    return code && !detail.includes(code) ? `${code}: ${detail}` : detail;
  }
  return String(error);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalidArgument(`invalid ${what}: not JSON`, error);
  }
}

async function readLimited(body: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw invalidArgument(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readText(body: Readable, limit: number): Promise<string> {
  try {
    return (await readLimited(body, limit, 'error body')).toString('utf8');
  } catch {
    return '';
  }
}

/** Media type from the body (authoritative when present), else Content-Type; schema1 is refused. */
function detectManifestMediaType(bytes: Buffer, contentType: string | undefined, name: string): string {
  const parsed = parseJson(bytes, `manifest ${name}`) as {
    schemaVersion?: number;
    mediaType?: string;
    manifests?: unknown;
    layers?: unknown;
  };
  const declared = parsed.mediaType ?? contentType?.split(';')[0]?.trim();
  if (parsed.schemaVersion === 1 || declared === MediaTypes.dockerSchema1 || declared === MediaTypes.dockerSchema1Signed) {
    throw invalidArgument(
      `${name}: Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported; push the image again with a current client`,
    );
  }
  if (parsed.schemaVersion !== 2)
    throw invalidArgument(`${name}: unsupported manifest schemaVersion ${String(parsed.schemaVersion)}`);
  const known: string[] = [MediaTypes.dockerManifest, MediaTypes.dockerManifestList, MediaTypes.ociManifest, MediaTypes.ociIndex];
  if (declared && known.includes(declared)) return declared;
  // OCI allows omitting mediaType: tell an index from a manifest by shape.
  if (Array.isArray(parsed.manifests)) return MediaTypes.ociIndex;
  if (Array.isArray(parsed.layers)) return MediaTypes.ociManifest;
  throw invalidArgument(`${name}: unsupported manifest media type ${declared ?? '(none)'}`);
}

function parseDescriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    !d ||
    typeof d.mediaType !== 'string' ||
    typeof d.digest !== 'string' ||
    !isDigest(d.digest) ||
    typeof d.size !== 'number' ||
    d.size < 0
  ) {
    throw invalidArgument(`invalid descriptor in ${where}: ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest as Digest, size: d.size };
  if (d.urls) out.urls = d.urls;
  if (d.annotations) out.annotations = d.annotations;
  return out;
}

export function parseImageManifest(fetched: FetchedManifest): ImageManifest {
  const where = `manifest ${fetched.digest}`;
  const raw = parseJson(fetched.bytes, where) as { config?: unknown; layers?: unknown };
  if (!Array.isArray(raw.layers)) throw invalidArgument(`invalid ${where}: no layers`);
  return {
    schemaVersion: 2,
    mediaType: fetched.mediaType,
    config: parseDescriptor(raw.config, where),
    layers: raw.layers.map((layer) => parseDescriptor(layer, where)),
  };
}
