/** Reason phrases for the HTTP status codes the seeds and common APIs use. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  418: "I'm a teapot",
  422: 'Unprocessable Content',
  423: 'Locked',
  425: 'Too Early',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  520: 'Unknown Error',
  521: 'Web Server Is Down',
  522: 'Connection Timed Out',
  523: 'Origin Is Unreachable',
  524: 'A Timeout Occurred',
};

/** The reason phrase of `status`, or a generic one for its class. */
export function reasonPhrase(status: number): string {
  return (
    REASON_PHRASES[status] ??
    (status >= 500 ? 'Server Error' : status >= 400 ? 'Client Error' : 'HTTP Status')
  );
}

/** Whether `status` is an integer HTTP status code (100–599). */
export function isHttpStatus(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
}

/** A header bag in any of the shapes runtimes hand out. */
export type HeadersLike =
  | Headers
  | Readonly<Record<string, string | readonly string[] | number | undefined>>
  | readonly (readonly [string, string])[];

/** Reads one header, case-insensitively, from any {@link HeadersLike}. Never throws. */
export function getHeader(
  headers: HeadersLike | undefined | null,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  try {
    if (typeof (headers as Headers).get === 'function') {
      return (headers as Headers).get(name) ?? undefined;
    }
    const lower = name.toLowerCase();
    if (Array.isArray(headers)) {
      for (const pair of headers as readonly (readonly [string, string])[]) {
        if (Array.isArray(pair) && String(pair[0]).toLowerCase() === lower) return String(pair[1]);
      }
      return undefined;
    }
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() !== lower) continue;
      const value = (headers as Record<string, unknown>)[key];
      if (value === undefined || value === null) return undefined;
      return Array.isArray(value) ? value.map(String).join(', ') : String(value);
    }
  } catch {
    // A hostile headers object (throwing getters) reads as "absent".
  }
  return undefined;
}
