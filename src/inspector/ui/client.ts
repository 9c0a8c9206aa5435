/**
 * The page's side of the JSON API. The token comes from the URL fragment the server printed
 * (`#token=…`, never sent over the network) or from the token box; it is kept for this tab only.
 */
import type { Inspect } from '../../actors/inspect.js';
import type { ContainerDetail, ContainerHistory, ContainerList, NodeView, CommandOutcome } from '../api.js';
import type { Chart } from '../chart.js';
import type { JobView, QueueView } from '../queues.js';

const TOKEN_KEY = 'berth-inspector-token';

export interface ApiError {
  status: number;
  code: string;
  message: string;
}

export class RequestFailed extends Error {
  constructor(readonly detail: ApiError) {
    super(detail.message);
  }
}

export function takeTokenFromUrl(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m?.[1]) return;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method === 'POST') {
    const token = getToken();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (res.status === 304) {
    throw new RequestFailed({ status: 304, code: res.headers.get('X-Berth-Error') ?? 'ENOCHANGE', message: 'nothing to do: it already is so' });
  }
  const data = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & T;
  if (!res.ok) {
    throw new RequestFailed({ status: res.status, code: data.error?.code ?? 'EHTTP', message: data.error?.message ?? res.statusText });
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  chart: () => request<Chart>('GET', '/api/chart'),
  containers: () => request<ContainerList>('GET', '/api/containers'),
  container: (name: string) => request<ContainerDetail>('GET', `/api/containers/${enc(name)}`),
  history: (name: string) => request<ContainerHistory>('GET', `/api/containers/${enc(name)}/history`),
  nodes: () => request<{ nodes: NodeView[] }>('GET', '/api/nodes'),
  queues: () => request<{ queues: QueueView[] }>('GET', '/api/queues'),
  command: (name: string, command: string) => request<CommandOutcome>('POST', `/api/containers/${enc(name)}/${enc(command)}`, {}),
  retry: (node: string, jobId: string) => request<{ job: JobView }>('POST', `/api/queues/${enc(node)}/jobs/${enc(jobId)}/retry`, {}),
};

export type { Inspect };
