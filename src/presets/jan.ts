import { defineCatalog } from '../core/catalog.js';
import { t } from '../core/schema.js';

// Codes listed in more than one group must agree on their semantics (including details),
// so the shared parts are written once; each group keeps its own meaning.
const rateLimitDetails = {
  limit: t.optional(t.integer({ minimum: 0, description: 'Requests allowed per window.' })),
  remaining: t.optional(t.integer({ minimum: 0, description: 'Requests left in the window.' })),
  reset_at: t.optional(
    t.string({ format: 'date-time', description: 'When the window starts again.' }),
  ),
};

const rateLimitExceeded = {
  name: 'RateLimitExceeded',
  status: 429,
  retry: 'yes',
  sideEffect: 'no',
  retryAfter: 60,
  message: 'Rate limit exceeded',
  details: rateLimitDetails,
  fix: 'Wait for Retry-After (also retry_after in the body and X-RateLimit-Reset), then retry with exponential backoff.',
} as const;

const timeout = {
  name: 'Timeout',
  status: 504,
  retry: 'yes',
  sideEffect: 'maybe',
  message: 'The operation timed out',
  fix: 'Retry with exponential backoff; a side effect of the first attempt may already exist.',
} as const;

const invalidParameters = {
  name: 'InvalidParameters',
  status: 422,
  retry: 'no',
  sideEffect: 'no',
  message: 'Invalid parameters',
  fix: 'Correct the parameters the errors list names.',
} as const;

/**
 * Jan Server's API errors as a faultline catalog: the general codes of its envelope
 * (`{error, code, message, details, request_id, timestamp}`) and the per-service tables.
 * TIMEOUT, INVALID_PARAMETERS and RATE_LIMIT_EXCEEDED are listed in two groups each, with
 * one set of semantics and a meaning per group.
 *
 * Retries follow Jan's guidance: server errors (5xx) with exponential backoff, client errors
 * (4xx) not, except 429.
 *
 * @example
 * ```ts
 * import { jan } from 'faultline/presets';
 * jan.get('TIMEOUT')?.groups; // ['Response API', 'MCP Tools']
 * ```
 */
export const jan = defineCatalog({
  name: 'jan',
  version: '0.0.14',
  title: 'Jan Server',
  description:
    'Errors of the Jan Server APIs. Bodies are {error, code, message, details, request_id, timestamp}; a 422 lists field problems in errors: [{field, message, code}].',
  typeBase: 'https://faultline.dev/presets/jan#',
  codes: 'string',
  groups: {
    General: {
      description: 'Codes any Jan service may answer.',
      entries: {
        INVALID_REQUEST: {
          name: 'InvalidRequest',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The request is invalid',
          details: {
            field: t.optional(t.string({ description: 'The offending field.' })),
            issue: t.optional(t.string({ description: 'What is wrong with it.' })),
          },
          meaning:
            'The request could not be used as sent: a required field is missing, the JSON does not parse, a parameter has the wrong type or an enum value is unknown.',
          fix: 'Correct the request as the details describe.',
        },
        INVALID_TOKEN: {
          name: 'InvalidToken',
          status: 401,
          retry: 'no',
          sideEffect: 'no',
          message: 'The token is invalid or expired',
          meaning:
            'The Authorization header is missing, or its bearer token is malformed, invalid or expired.',
          fix: 'Refresh the token and send the request again with the new one.',
        },
        INSUFFICIENT_PERMISSION: {
          name: 'InsufficientPermission',
          status: 403,
          retry: 'no',
          sideEffect: 'no',
          message: 'You lack permission for this resource',
          details: {
            required_role: t.optional(t.string({ description: 'The role the action needs.' })),
          },
          meaning:
            "The caller is authenticated but may not do this: a role is missing, the resource belongs to another user, or the feature is not in the caller's tier.",
          fix: 'Act with an account that has the required role, or leave the action out.',
        },
        RESOURCE_NOT_FOUND: {
          name: 'ResourceNotFound',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'The resource was not found',
          details: {
            resource: t.optional(t.string({ description: 'The kind of resource.' })),
            id: t.optional(t.string({ description: 'The id that was looked up.' })),
          },
          meaning: 'No resource has this id, or the endpoint does not exist.',
          fix: 'Check the id; create the resource if it should exist.',
        },
        RESOURCE_ALREADY_EXISTS: {
          name: 'ResourceAlreadyExists',
          status: 409,
          retry: 'no',
          sideEffect: 'no',
          message: 'The resource already exists',
          meaning:
            'The request conflicts with the current state: a unique value is taken, or a concurrent change got there first.',
          fix: 'Send different data (for example another unique value), or re-read and decide again.',
        },
        VALIDATION_FAILED: {
          name: 'ValidationFailed',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'Request validation failed',
          meaning:
            'The request is well-formed but values break rules (ranges, formats, business rules); errors lists each field with a message and a reason code.',
          fix: 'Correct each field in the errors list.',
        },
        RATE_LIMIT_EXCEEDED: {
          ...rateLimitExceeded,
          meaning:
            'The caller went over its rate limit; the request was refused. The body may carry limit, remaining, reset_at and retry_after.',
        },
        INTERNAL_ERROR: {
          name: 'InternalError',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'An unexpected error occurred',
          meaning:
            'Something failed on the server (an unhandled exception, a lost database connection, a failing dependency); the request may have been applied.',
          fix: 'Retry with exponential backoff, idempotently; quote the request_id when reporting it.',
        },
        SERVICE_UNAVAILABLE: {
          name: 'ServiceUnavailable',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          retryAfter: 300,
          message: 'The service is temporarily unavailable',
          meaning:
            'The service is down for maintenance or overloaded and did not process the request.',
          fix: 'Wait for Retry-After, then retry.',
        },
      },
    },
    'LLM API': {
      description: 'Codes of the chat and conversation API.',
      entries: {
        CONVERSATION_NOT_FOUND: {
          name: 'ConversationNotFound',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'The conversation was not found',
          meaning: 'No conversation has this id.',
          fix: 'Check the conversation id, or create the conversation.',
        },
        MESSAGE_NOT_FOUND: {
          name: 'MessageNotFound',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'The message was not found',
          meaning: 'No message has this id.',
          fix: 'Check the message id.',
        },
        MODEL_NOT_AVAILABLE: {
          name: 'ModelNotAvailable',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The model is not available',
          meaning: 'The requested model is not in the model catalog.',
          fix: 'Pick a model the catalog lists.',
        },
        CONTEXT_LENGTH_EXCEEDED: {
          name: 'ContextLengthExceeded',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The input is too long for the model',
          meaning: 'The messages exceed the context window of the chosen model.',
          fix: 'Shorten the input, or use a model with a larger context window.',
        },
        RATE_LIMIT_EXCEEDED: {
          ...rateLimitExceeded,
          meaning: 'Too many requests to the LLM API; the request was refused.',
        },
        INVALID_PARAMETERS: {
          ...invalidParameters,
          meaning: 'The model parameters (such as temperature or token limits) are not valid.',
        },
      },
    },
    'Response API': {
      description: 'Codes of response generation.',
      entries: {
        GENERATION_FAILED: {
          name: 'GenerationFailed',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Generating the response failed',
          meaning: 'Response generation failed on the server.',
          fix: 'Retry with exponential backoff.',
        },
        TIMEOUT: {
          ...timeout,
          meaning: 'Generating the response took too long.',
        },
        MODEL_ERROR: {
          name: 'ModelError',
          status: 502,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'The upstream model failed',
          meaning: 'The model serving the request returned an error.',
          fix: 'Retry with exponential backoff, or fall back to another model.',
        },
        QUOTA_EXCEEDED: {
          name: 'QuotaExceeded',
          status: 429,
          retry: 'yes',
          sideEffect: 'no',
          message: 'The generation quota is exceeded',
          meaning: 'The caller has used up its generation quota for now; nothing was generated.',
          fix: 'Wait for the quota to refill (see Retry-After), or raise the quota.',
        },
      },
    },
    'Media API': {
      description: 'Codes of file upload and storage.',
      entries: {
        FILE_TOO_LARGE: {
          name: 'FileTooLarge',
          status: 413,
          retry: 'no',
          sideEffect: 'no',
          message: 'The file is too large',
          meaning: 'The file is larger than the upload limit.',
          fix: 'Upload a smaller file, for example compressed or split.',
        },
        UNSUPPORTED_FORMAT: {
          name: 'UnsupportedFormat',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The file type is not supported',
          meaning: 'The media API does not accept files of this type.',
          fix: 'Convert the file to a supported type.',
        },
        STORAGE_FULL: {
          name: 'StorageFull',
          status: 507,
          // A 5xx, yet waiting does not free space: it succeeds only once storage is freed or
          // the quota raised, so it is not retried automatically.
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The storage quota is exceeded',
          meaning: 'There is no room left in the storage quota; the file was not stored.',
          fix: 'Delete files or raise the quota, then upload again.',
        },
        UPLOAD_FAILED: {
          name: 'UploadFailed',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'The upload failed',
          meaning: 'Storing the uploaded file failed on the server; it may have been stored.',
          fix: 'Retry with exponential backoff, idempotently.',
        },
      },
    },
    'MCP Tools': {
      description: 'Codes of tool execution through MCP.',
      entries: {
        TOOL_NOT_FOUND: {
          name: 'ToolNotFound',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'The tool was not found',
          meaning: 'No tool has this name.',
          fix: 'List the available tools and use one of them.',
        },
        TOOL_DISABLED: {
          name: 'ToolDisabled',
          status: 403,
          retry: 'no',
          sideEffect: 'no',
          message: 'The tool is disabled',
          meaning: 'The tool exists but is switched off.',
          fix: 'Enable the tool, or use another one.',
        },
        EXECUTION_FAILED: {
          name: 'ExecutionFailed',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'The tool execution failed',
          meaning: 'The tool failed while running; it may have done part of its work.',
          fix: 'Retry with backoff only if the tool is safe to run twice.',
        },
        TIMEOUT: {
          ...timeout,
          meaning: 'The tool ran longer than allowed.',
        },
        INVALID_PARAMETERS: {
          ...invalidParameters,
          meaning: "The arguments do not match the tool's input schema.",
        },
      },
    },
  },
});
