import { defineCatalog } from '../../core/catalog.js';
import { CLIENT_TYPE_BASE } from '../codes.js';

/**
 * The codes `faultline/client` gives failures that no server answered, as a documented
 * catalog (for the docs, OpenAPI and other tools). The client itself carries the same entries
 * without the prose (`CLIENT_ENTRIES`), to stay small.
 *
 * @example
 * ```ts
 * import { clientCatalog } from 'faultline/client/catalog';
 * clientCatalog.get('circuit_open')?.fix;
 * ```
 */
export const clientCatalog = defineCatalog({
  name: 'faultline-client',
  title: 'faultline client',
  description:
    'Failures the faultline client reports itself, when no server answered. Each status is the one a gateway would send for the same failure; the error says whether the request was sent.',
  typeBase: CLIENT_TYPE_BASE,
  entries: {
    connect_error: {
      name: 'ConnectError',
      status: 503,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Could not connect',
      meaning:
        'No connection could be opened (name resolution failed, the connection was refused, the host is unreachable), so the request was never sent.',
      fix: 'Check the base URL and that the server is up; any request, even a POST, is safe to repeat.',
    },
    network_error: {
      name: 'NetworkError',
      status: 502,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The connection failed',
      meaning:
        'The connection broke after the request may have been sent (reset, closed early, a body cut short), or the runtime does not say when it broke (browsers). The server may have acted on it.',
      fix: 'Repeat only idempotent requests or requests with an Idempotency-Key; the client does this by itself.',
    },
    timeout: {
      name: 'Timeout',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The attempt timed out',
      meaning:
        'No complete answer came within the per-attempt timeout. The request was sent and may have taken effect.',
      fix: 'Raise the timeout if the operation is slow by nature; otherwise treat it like a network error.',
    },
    deadline_exceeded: {
      name: 'DeadlineExceeded',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The deadline passed',
      meaning:
        'The overall deadline of the request (all attempts and waits) passed while an attempt was under way.',
      fix: 'Give the request a longer deadline, or try again later.',
    },
    circuit_open: {
      name: 'CircuitOpen',
      status: 503,
      retry: 'yes',
      sideEffect: 'no',
      message: 'The circuit is open',
      meaning:
        'Recent attempts to this origin failed so often that the circuit breaker stopped sending; this request was not sent.',
      fix: 'Wait until retryAt, when the breaker lets a probe through; fix the server if the outage persists.',
    },
    throttled: {
      name: 'Throttled',
      status: 429,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Held back by a rate limit',
      meaning:
        'The server asked clients of this origin to wait (a 429 hint or an exhausted RateLimit quota), and the wait ends after the deadline or beyond the longest hint accepted; the request was not sent.',
      fix: 'Try again at retryAt, or give the request a longer deadline.',
    },
    aborted: {
      name: 'Aborted',
      status: 499,
      retry: 'no',
      sideEffect: 'maybe',
      message: 'Aborted by the caller',
      meaning:
        "The caller's AbortSignal fired, during an attempt or while waiting between attempts.",
      fix: 'Nothing to fix; mayHaveTakenEffect says whether an attempt may have reached the server.',
    },
    invalid_response: {
      name: 'InvalidResponse',
      status: 502,
      retry: 'no',
      sideEffect: 'maybe',
      message: 'The response is not JSON',
      meaning: 'A JSON helper got a success response whose body is not valid JSON.',
      fix: 'Check the endpoint and its content type; read the body with send() if it is not JSON.',
    },
  },
});
