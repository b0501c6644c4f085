/**
 * What the portal's scripts share: calls to this origin's API with the page's session cookie and
 * CSRF token, and the refusals as stable codes (src/platform/errors.ts) for the page to explain.
 */

/** A refusal by the server, with its stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ApiError';
  }
}

/** The CSRF token the page was rendered with (`<meta name="csrf-token">`). */
export function csrfToken(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]');
  return meta?.content ?? '';
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: { json: unknown } | { bytes: Blob | Uint8Array },
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  let payload: BodyInit | undefined;
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body) {
    headers['content-type'] = 'application/octet-stream';
    payload = body.bytes instanceof Blob ? body.bytes : new Blob([body.bytes as Uint8Array<ArrayBuffer>]);
  }
  const res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
    throw new ApiError(
      res.status,
      typeof e.code === 'string' ? e.code : 'HTTP_ERROR',
      typeof e.message === 'string' ? e.message : res.statusText,
      e.details,
    );
  }
  return parsed as T;
}
