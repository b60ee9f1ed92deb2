import { defineCatalog } from '../core/catalog.js';

/**
 * The Sequin API as a faultline catalog. Sequin's errors are keyed by HTTP status alone, so
 * each code here is the status number; the body is `{summary}`, and a 422 adds
 * `validation_errors` (rendered by the Sequin wire format from the error's field errors).
 *
 * @example
 * ```ts
 * import { sequin } from 'faultline/presets';
 * throw sequin.create(422, undefined, {
 *   fieldErrors: [{ path: ['name'], message: 'is required' }],
 * });
 * ```
 */
export const sequin = defineCatalog({
  name: 'sequin',
  title: 'Sequin',
  description:
    'Errors of the Sequin API. Codes are HTTP statuses; the body is {summary}, plus validation_errors on 422.',
  typeBase: 'https://faultline.dev/presets/sequin#',
  entries: {
    400: {
      name: 'Bad Request',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request is invalid',
      meaning: 'The request could not be understood: malformed syntax or wrong parameters.',
      fix: 'Correct the request as the summary describes.',
    },
    401: {
      name: 'Unauthorized',
      status: 401,
      retry: 'no',
      sideEffect: 'no',
      message: 'The API key is not valid',
      meaning: 'The API key is missing or does not match any key of the account.',
      fix: 'Send a valid API key.',
    },
    404: {
      name: 'Not Found',
      status: 404,
      retry: 'no',
      sideEffect: 'no',
      message: 'The object was not found',
      meaning: 'Nothing exists under the identifier in the request.',
      fix: 'Check the identifier; list the objects to find the right one.',
    },
    422: {
      name: 'Unprocessable Entity',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request failed validation',
      meaning:
        'The request was well-formed but some fields hold values that are not accepted; validation_errors lists the reasons per field.',
      fix: 'Fix each field listed in validation_errors.',
    },
    429: {
      name: 'Too Many Requests',
      status: 429,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Too many requests',
      meaning: 'The caller went over the rate limit; the request was not processed.',
      fix: 'Slow down and retry with backoff.',
    },
    500: {
      name: 'Internal Server Error',
      status: 500,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The server had a problem',
      meaning: 'An unexpected failure on the server; the request may have been applied.',
      fix: 'Retry later with backoff, idempotently.',
    },
    502: {
      name: 'Bad Gateway',
      status: 502,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The service failed while processing the request',
      meaning: 'A service behind the API failed; the request may have been applied.',
      fix: 'Retry later with backoff, idempotently.',
    },
    504: {
      name: 'Gateway Timeout',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The request took too long',
      meaning: 'Processing did not finish in time; the request may have been applied.',
      fix: 'Retry later with backoff, idempotently.',
    },
  },
});
