/** Called as the bytes go out: how many were sent of how many. */
export type UploadProgress = (sent: number, total: number) => void;

export interface TransferResult {
  status: number;
  /** The answer's JSON, or null when it had none. */
  body: unknown;
}

/** What of XMLHttpRequest this uses (typed here: the package also compiles without the DOM lib). */
interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  upload: { onprogress: ((event: { loaded: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  readonly status: number;
  readonly responseText: string;
  abort(): void;
  send(body: FormData): void;
}

/**
 * One multipart POST of `form`: through XMLHttpRequest where there is one (browsers: it reports
 * upload progress), else fetch (Node: progress only at the start and the end). Resolves with the
 * answer whatever its status; rejects only when no answer came (network, abort).
 */
export function postForm(
  url: string,
  headers: Record<string, string>,
  form: FormData,
  total: number,
  onProgress?: UploadProgress,
  signal?: AbortSignal,
): Promise<TransferResult> {
  onProgress?.(0, total);
  const Xhr = (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest;
  if (!Xhr) {
    return fetch(url, { method: 'POST', headers, body: form, signal }).then(async (response) => {
      onProgress?.(total, total);
      const body: unknown = await response.json().catch(() => null);
      return { status: response.status, body };
    });
  }
  return new Promise((resolve, reject) => {
    const request = new Xhr();
    request.open('POST', url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress?.(event.loaded, total);
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // Not JSON (a proxy's page): the status says enough.
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => reject(new Error('network error'));
    request.onabort = () => reject(new Error('aborted'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}
