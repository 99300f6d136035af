import * as session from './session';
import type { ApiErrorBody } from './types';

// One function for every API call. It calls the same JSON API a script would and turns any non-2xx
// answer into an ApiError carrying the API's {type, code, message, doc_url}, which pages render.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** A JSON body. */
  json?: unknown;
  /** A text/plain body (the raw job form). */
  text?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Reply<T> {
  data: T;
  headers: Headers;
}

function url(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorBody(v: unknown): v is ApiErrorBody {
  const o = v as Partial<ApiErrorBody> | null;
  return typeof o?.code === 'string' && typeof o.message === 'string' && typeof o.type === 'string';
}

/** Calls `method path`; resolves with the parsed body (JSON, text, or undefined for 204). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<Reply<T>> {
  const headers = new Headers(opts.headers);
  session.authorize(method, headers);
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(opts.json);
  } else if (opts.text !== undefined) {
    headers.set('content-type', 'text/plain; charset=utf-8');
    body = opts.text;
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body, signal: opts.signal, credentials: 'same-origin' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, {
      type: 'network_error',
      code: 'network_unreachable',
      message: 'tikops could not be reached. Check the connection and try again.',
      doc_url: '',
    });
  }
  const type = res.headers.get('content-type') ?? '';
  const parsed: unknown = res.status === 204 ? undefined : type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, isErrorBody(parsed) ? parsed : {
      type: 'api_error',
      code: `http_${res.status}`,
      message: `The server answered HTTP ${res.status}.`,
      doc_url: '',
    });
    if (res.status === 401) session.expired(err.message);
    throw err;
  }
  return { data: parsed as T, headers: res.headers };
}
