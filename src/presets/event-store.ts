import { defineCatalog } from '../core/catalog.js';

/**
 * An event store's numeric error codes as a faultline catalog, grouped by category ranges
 * (1xxx read, 2xxx write, 2020–2029 schema, …, 11xxx server health).
 *
 * The reference gives codes, names and meanings but no HTTP statuses; the statuses,
 * retryability and side effects here are derived from each meaning:
 * - not found → 404, `after-change` (the request works once the aggregate exists);
 * - optimistic concurrency → 409, `after-change` (re-read, then write again);
 * - follower / backpressure / busy / lock timeouts → 503, `yes`, and no side effect,
 *   because the request was refused before it was applied;
 * - replication or fsync failures of a mutation → `maybe`, unless the reference says the
 *   write did not land (2008);
 * - internal read failures → 500, `yes`, no side effect — except 1003, whose meaning points
 *   at the disk or `--data-root`, which a retry does not repair (`no`);
 * - data that is gone for good (trimmed index 1000, non-recreatable aggregate 2006) → 410;
 * - malformed requests → 400; well-formed values that break a rule → 422;
 * - identity and API keys → 401 (who are you) or 403 (not allowed).
 *
 * @example
 * ```ts
 * import { eventStore } from 'faultline/presets';
 * eventStore.get(2002)?.successEquivalent; // true: the write already landed
 * eventStore.categoryOf(2021)?.id; // 'Schema'
 * ```
 */
export const eventStore = defineCatalog({
  name: 'event-store',
  title: 'Event store',
  description:
    'Numeric error codes of an event store, grouped by category. Match on the code, never on the message. Unlisted codes inside a category range are reserved.',
  typeBase: 'https://faultline.dev/presets/event-store#',
  // Not `closed`: the protocol is pre-1.0 and its ranges reserve room for codes to come,
  // so a client must expect codes this catalog does not list yet.
  unlistedReserved: true,
  groups: {
    Read: {
      description: "Errors of reading an aggregate's events.",
      range: [1000, 1999],
      entries: {
        1000: {
          name: 'UnavailableBatchIndex',
          status: 410,
          retry: 'no',
          sideEffect: 'no',
          message: 'The batch index is before the start of the stream',
          meaning:
            'The read asked for a batch index that no longer exists, usually because the stream was trimmed past it.',
          fix: 'Read from the current start of the stream.',
        },
        1001: {
          name: 'AggregateNotExists',
          status: 404,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate does not exist',
          meaning: 'There is no aggregate with this id to read.',
          fix: 'Check the aggregate id; it can be read once something has written to it.',
        },
        1002: {
          name: 'CacheLoadLockTimeout',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Timed out waiting to load the aggregate into the cache',
          meaning:
            'Another request was loading the same aggregate into the cache and this one gave up waiting for it.',
          fix: 'Retry after a short backoff.',
        },
        1003: {
          name: 'CacheLoadFileScan',
          status: 500,
          retry: 'no',
          sideEffect: 'no',
          message: 'Scanning files to load the aggregate failed',
          meaning:
            "Loading the aggregate into the cache failed while scanning files on disk. It points at the server's disk or data directory, which retrying does not repair.",
          fix: 'Operators: check the disk and the --data-root setting.',
        },
        1004: {
          name: 'FetchDatablocks',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Reading data blocks from disk failed',
          meaning: "The server could not read the aggregate's data blocks from disk.",
          fix: 'Retry with backoff; if it persists, operators should check the disk.',
        },
        1005: {
          name: 'FetchMetablocks',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Reading metadata blocks from disk failed',
          meaning: "The server could not read the aggregate's metadata blocks from disk.",
          fix: 'Retry with backoff; if it persists, operators should check the disk.',
        },
      },
    },
    'Write and request': {
      description:
        'Errors of appending events and of requests in general. Codes 2020–2029 are the Schema category.',
      range: [2000, 2999],
      entries: {
        2000: {
          name: 'EmptyEventsList',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The write contains no events',
          meaning: 'A write request arrived with an empty list of events.',
          fix: 'Send at least one event, or skip the call.',
        },
        2001: {
          name: 'ZeroEventType',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'An event has event type major 0, which is reserved',
          meaning: 'The major event type 0 is reserved and cannot be written.',
          fix: 'Give every event a non-zero EventTypeMajor.',
        },
        2002: {
          name: 'ClientIdempotencyViolation',
          status: 409,
          retry: 'no',
          sideEffect: 'yes',
          successEquivalent: true,
          message: 'This client sequence has already been written',
          meaning:
            'A write with this client sequence already landed and is durable, so this attempt is a repeat. The outcome is success.',
          fix: 'Nothing to fix: treat it as success (a retry of a write that had landed).',
        },
        2003: {
          name: 'OptimisticConcurrencyViolation',
          status: 409,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate is past the expected version',
          meaning:
            'Someone wrote to the aggregate after the version this write expected; nothing was written.',
          fix: 'Re-read the aggregate, decide again, and write with the new expected version.',
        },
        2004: {
          name: 'FailedToSerialiseDatablocks',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'The events could not be serialised',
          meaning:
            "The write's payload could not be turned into data blocks, which usually means an event is malformed.",
          fix: 'Check the events of the write for malformed content.',
        },
        2005: {
          name: 'AggregateNotExists',
          status: 404,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate does not exist',
          meaning:
            'The write targets an aggregate that does not exist and did not allow creating it.',
          fix: 'Set allowCreate on the write, or create the aggregate first.',
        },
        2006: {
          name: 'AggregateRecreateNotAllowed',
          status: 410,
          retry: 'no',
          sideEffect: 'no',
          message: 'The aggregate was deleted and cannot be recreated',
          meaning: 'The aggregate was deleted without being marked recreatable, so its id is gone.',
          fix: 'Write to a new aggregate id.',
        },
        2007: {
          name: 'WriteReplicationError',
          status: 503,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Replication failed during the write',
          meaning:
            'Replicating the write to the follower failed (a disconnect or a corrupt batch). The write was not acknowledged and may or may not have landed.',
          fix: 'Retry with the same client sequence, so a write that did land is recognised (2002).',
        },
        2008: {
          name: 'WriteFsyncError',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'The leader failed to fsync the write',
          meaning:
            'The leader could not flush the write to disk. This write did not land; data acknowledged earlier is unaffected.',
          fix: "Retry with backoff; if it persists, operators should check the leader's disk.",
        },
        2009: {
          name: 'WriteCacheAggregateClientError',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Internal cache error while resolving the aggregate',
          meaning: 'The cache failed while looking up the aggregate, before anything was appended.',
          fix: 'Retry with backoff.',
        },
        2010: {
          name: 'WriteAggregateExistsCacheError',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Internal cache error while checking that the aggregate exists',
          meaning:
            'The cache failed while checking whether the aggregate exists, before anything was appended.',
          fix: 'Retry with backoff.',
        },
        2011: {
          name: 'NotLeader',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'This node is not the leader',
          meaning:
            'The write reached a follower, which does not accept writes. Official client pools redirect to the leader on their own.',
          fix: 'Send the write to the leader (raw clients must find it themselves).',
        },
        2012: {
          name: 'WriteReplicationBackpressure',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'The leader is shedding load',
          meaning:
            'The follower is falling behind, so the leader refuses writes for now; this write was not applied.',
          fix: 'Back off and retry.',
        },
        2013: {
          name: 'InflightDuplicateWrite',
          status: 409,
          retry: 'yes',
          sideEffect: 'maybe',
          notSuccess:
            'The earlier write with this client sequence is only fsynced on the leader, not yet replicated; a failover before replication loses it, so reporting success now could report a write that never survives.',
          message: 'A write with this client sequence is still being replicated',
          meaning:
            'A write with the same client sequence is durable on the leader but not yet confirmed by the follower. It is not success yet.',
          fix: 'Keep the client sequence, back off, and retry the same write until it succeeds or answers 2002.',
        },
      },
    },
    Schema: {
      description: 'Errors of registering event schemas and validating events against them.',
      range: [2020, 2029],
      entries: {
        2020: {
          name: 'RegisterSchemaAlreadyExists',
          status: 409,
          retry: 'no',
          sideEffect: 'no',
          message: 'A schema is already registered for this event type and version',
          meaning: 'The event type and version already have a registered schema.',
          fix: 'Register the schema under a new version, or keep the existing one.',
        },
        2021: {
          name: 'RegisterSchemaInvalid',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The schema is malformed',
          meaning: 'The schema submitted for registration could not be parsed as a schema.',
          fix: 'Correct the schema document.',
        },
        2022: {
          name: 'WriteSchemaValidationFailed',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'An event does not match its registered schema',
          meaning: 'An event of the write failed validation against the schema of its type.',
          fix: 'Make the event match the registered schema, or register a new version.',
        },
        2023: {
          name: 'WriteSchemaCompilationFailed',
          status: 500,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The compiled schema in the cache is corrupt',
          meaning:
            "The server's cached compiled form of the schema is damaged, so events of that type cannot be checked. Nothing was written.",
          fix: 'Register the schema again, then repeat the write.',
        },
        2024: {
          name: 'RegisterSchemaUnsupportedType',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'The schema uses a type the server cannot compile',
          meaning: 'The schema is well-formed but uses a type the server does not support.',
          fix: 'Express the schema with supported types.',
        },
        2025: {
          name: 'RegisterSchemaCacheLoadError',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Loading the schema registry cache failed',
          meaning:
            'The schema registry could not be loaded into the cache, before the registration was stored.',
          fix: 'Retry with backoff.',
        },
        2026: {
          name: 'RegisterSchemaFsyncError',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Flushing the registered schema to disk failed',
          meaning:
            'The fsync of the new schema failed; whether the registration survives is unknown.',
          fix: 'Retry; an answer of 2020 means the earlier attempt did land.',
        },
        2027: {
          name: 'RegisterSchemaCannotAcceptWrites',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'This node is a follower and cannot register schemas',
          meaning: 'Schema registrations go to the leader; this node is a follower.',
          fix: 'Send the registration to the leader.',
        },
        2028: {
          name: 'RegisterSchemaReplicationError',
          status: 503,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Replicating the schema registration failed',
          meaning:
            'The registration could not be replicated to the follower; it may or may not have been stored.',
          fix: 'Retry; an answer of 2020 means the earlier attempt did land.',
        },
        2029: {
          name: 'RegisterSchemaCoordinationFailed',
          status: 503,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Coordinating the schema across shards failed',
          meaning:
            'A transient failure while agreeing the schema across shards; some shards may have it already.',
          fix: 'Retry with backoff.',
        },
      },
    },
    Trim: {
      description: 'Errors of trimming old events from an aggregate.',
      range: [3000, 3999],
      entries: {
        3000: {
          name: 'TrimAggregateNotExists',
          status: 404,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate does not exist',
          meaning: 'There is no aggregate with this id to trim.',
          fix: 'Check the aggregate id.',
        },
        3001: {
          name: 'TrimCacheError',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Internal cache error during the trim',
          meaning: 'The cache failed during the trim; the trim may have been applied.',
          fix: 'Retry the same trim: trimming to the same index twice is harmless.',
        },
        3002: {
          name: 'TrimReplicationError',
          status: 503,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Replication failed during the trim',
          meaning: 'The trim could not be replicated; it may have been applied on the leader.',
          fix: 'Retry the same trim.',
        },
        3003: {
          name: 'TrimFsyncError',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Flushing the trim to disk failed',
          meaning: 'The fsync of the trim failed; whether it survives is unknown.',
          fix: 'Retry the same trim.',
        },
        3004: {
          name: 'TrimIndexOutOfRange',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'The trim index is outside the stream',
          meaning: "The trim index lies outside the stream's current range of indexes.",
          fix: "Read the stream's bounds and trim to an index inside them.",
        },
        3005: {
          name: 'TrimNotLeader',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'This node is not the leader',
          meaning: 'The trim reached a follower, which does not accept trims.',
          fix: 'Send the trim to the leader.',
        },
      },
    },
    Delete: {
      description: 'Errors of deleting aggregates.',
      range: [4000, 4999],
      entries: {
        4000: {
          name: 'DeleteAggregateNotExists',
          status: 404,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate does not exist',
          meaning: 'There is no aggregate with this id to delete.',
          fix: 'Check the aggregate id.',
        },
        4001: {
          name: 'DeleteEmptyDeleteList',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The delete request names no aggregates',
          meaning: 'A delete request arrived with an empty list of aggregates.',
          fix: 'Name at least one aggregate, or skip the call.',
        },
        4002: {
          name: 'DeleteOptimisticConcurrencyViolation',
          status: 409,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate is past the expected version',
          meaning:
            'Someone wrote to the aggregate after the version this delete expected; nothing was deleted.',
          fix: 'Re-read the aggregate, decide again, and delete with the new expected version.',
        },
        4003: {
          name: 'DeleteCacheError',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Internal cache error during the delete',
          meaning: 'The cache failed during the delete; the delete may have been applied.',
          fix: 'Retry; an answer of 4000 then means the earlier attempt did delete it.',
        },
        4004: {
          name: 'DeleteReplicationError',
          status: 503,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Replication failed during the delete',
          meaning: 'The delete could not be replicated; it may have been applied on the leader.',
          fix: 'Retry; an answer of 4000 then means the earlier attempt did delete it.',
        },
        4005: {
          name: 'DeleteFsyncError',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'Flushing the delete to disk failed',
          meaning: 'The fsync of the delete failed; whether it survives is unknown.',
          fix: 'Retry; an answer of 4000 then means the earlier attempt did delete it.',
        },
        4006: {
          name: 'DeleteNotLeader',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'This node is not the leader',
          meaning: 'The delete reached a follower, which does not accept deletes.',
          fix: 'Send the delete to the leader.',
        },
      },
    },
    Listing: {
      description: 'Errors of listing orgs, aggregate types and aggregates.',
      range: [5000, 5999],
      entries: {
        5000: {
          name: 'ListOrgsDiskRead',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Reading the list of orgs from disk failed',
          meaning: 'The server could not read the list of orgs from disk.',
          fix: 'Retry with backoff; if it persists, operators should check the disk.',
        },
        5001: {
          name: 'ListAggregateTypesDiskRead',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Reading the list of aggregate types from disk failed',
          meaning: 'The server could not read the list of aggregate types from disk.',
          fix: 'Retry with backoff; if it persists, operators should check the disk.',
        },
        5002: {
          name: 'ListAggregatesDiskRead',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Reading the list of aggregates from disk failed',
          meaning: 'The server could not read the list of aggregates from disk.',
          fix: 'Retry with backoff; if it persists, operators should check the disk.',
        },
      },
    },
    'Replication batch': {
      description:
        'Answers of the follower-facing replication port, seen by the leader when it ships a batch; client-port callers never receive these.',
      range: [6000, 6999],
      entries: {
        6000: {
          name: 'ReplicationBatchFsync',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'The follower failed to fsync the replication batch',
          meaning:
            'The follower could not flush the batch to disk; whether it survives is unknown.',
          fix: "The leader resends the batch; operators should check the follower's disk.",
        },
        6001: {
          name: 'ReplicationBatchSerialiseDatablocks',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: "The follower could not decode the leader's data blocks",
          meaning:
            "The batch's data blocks did not decode on the follower: the two run different versions, or the batch is corrupt.",
          fix: 'Run the same server version on leader and follower; check the link for corruption.',
        },
        6002: {
          name: 'ReplicationBatchWalSeqGap',
          status: 409,
          retry: 'after-change',
          sideEffect: 'no',
          message: "The replication batch does not follow the follower's last WAL sequence",
          meaning:
            'The follower received a batch that skips WAL sequence numbers; it catches up from S3 before accepting more.',
          fix: "Nothing by hand: replication resumes after the follower's S3 catch-up.",
        },
      },
    },
    'Exists / aggregate-details': {
      description: 'Errors of checking whether an aggregate exists and reading its details.',
      range: [7000, 7999],
      entries: {
        7000: {
          name: 'ExistsCacheError',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Internal cache error during the existence check',
          meaning: 'The cache failed while checking whether the aggregate exists.',
          fix: 'Retry with backoff.',
        },
        7001: {
          name: 'ExistsAggregateNotExists',
          status: 404,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'The aggregate does not exist',
          meaning: 'There is no aggregate with this id.',
          fix: 'Check the aggregate id.',
        },
        7002: {
          name: 'ExistsMetablockReadError',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Reading metadata blocks for the existence check failed',
          meaning: 'The server could not read the metadata blocks it needs to answer.',
          fix: 'Retry with backoff; if it persists, operators should check the disk.',
        },
      },
    },
    Watch: {
      description: 'Errors of watch sessions, which push notifications of new events.',
      range: [8000, 8999],
      entries: {
        8000: {
          name: 'WatchRequestInvalid',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The watch request is malformed',
          meaning: 'The watch request has no filters, or filters that contradict each other.',
          fix: 'Give the watch at least one filter and make the filters consistent.',
        },
        8001: {
          name: 'LatencyTooHigh',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'The requested latency is above the server maximum',
          meaning:
            'The watch asked for a latency larger than the server allows (--watch-max-requested-latency-ms).',
          fix: 'Request a lower latency.',
        },
        8002: {
          name: 'WatchReadIo',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'I/O error while reading events for a notification',
          meaning: 'Reading the events to notify about failed on disk.',
          fix: 'Open the watch again, resuming from the last notification received.',
        },
        8003: {
          name: 'WatchReadSerialization',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Serialising notifications failed',
          meaning: 'The server could not encode notifications for the session.',
          fix: 'Open the watch again, resuming from the last notification received.',
        },
        8004: {
          name: 'WatchReadOther',
          status: 500,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Internal error in the watch session',
          meaning: 'Any other internal failure of the watch session.',
          fix: 'Open the watch again, resuming from the last notification received.',
        },
      },
    },
    'Shard routing': {
      description: 'Errors of routing a request to a shard.',
      range: [9000, 9999],
      entries: {
        9000: {
          name: 'ShardRoutingNoKey',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: 'The request has no routing key',
          meaning: 'Without a routing key the server cannot choose a shard.',
          fix: 'Include the routing key the cluster routes by.',
        },
        9001: {
          name: 'ShardRoutingMultipleShards',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'The aggregates of the request live on different shards',
          meaning:
            'An atomic request spans aggregates that hash to different shards, which one request cannot do.',
          fix: 'Allocate ids that fall on the same shard (equal modulo the shard count), split the request, or change the routing rule.',
        },
        9002: {
          name: 'ShardRoutingIncompatibleFilters',
          status: 422,
          retry: 'no',
          sideEffect: 'no',
          message: 'The watch filters do not match the routing rule',
          meaning:
            "The watch filters cannot be routed under the cluster's rule, for example routing by org with no org filter.",
          fix: 'Add the filter the routing rule needs.',
        },
      },
    },
    'Identity and authentication': {
      description: 'Errors of the client identity handshake and of API-key checks.',
      range: [10000, 10999],
      entries: {
        10001: {
          name: 'IdentifyInvalidNonce',
          status: 401,
          retry: 'no',
          sideEffect: 'no',
          message: 'The nonce is expired or malformed',
          meaning: "The identity handshake's nonce is too old or not well-formed.",
          fix: 'Check the client clock against the server, then identify with a fresh nonce.',
        },
        10002: {
          name: 'IdentifyInvalidSignature',
          status: 401,
          retry: 'no',
          sideEffect: 'no',
          message: 'The signature does not verify',
          meaning: "The handshake signature does not verify against the client's public key.",
          fix: 'Sign with the private key that matches the registered public key.',
        },
        10003: {
          name: 'IdentifyMismatch',
          status: 403,
          retry: 'no',
          sideEffect: 'no',
          message: 'The clientId does not match the identified client',
          meaning: 'A write names a clientId other than the one the connection identified as.',
          fix: 'Use the identified clientId, or identify as the other client.',
        },
        10004: {
          name: 'IdentifyRequired',
          status: 401,
          retry: 'no',
          sideEffect: 'no',
          message: 'Client identity is required',
          meaning:
            'The server requires every client to identify itself (--require-client-identity) and this one did not.',
          fix: 'Perform the identity handshake before sending requests.',
        },
        10005: {
          name: 'AuthRequired',
          status: 401,
          retry: 'no',
          sideEffect: 'no',
          message: 'An API key is required',
          meaning: 'The server requires API-key authentication and the request carried no key.',
          fix: 'Send an API key.',
        },
        10006: {
          name: 'AuthInvalidKey',
          status: 401,
          retry: 'no',
          sideEffect: 'no',
          message: 'The API key is not valid',
          meaning: 'The API key does not match any stored key.',
          fix: 'Send a valid API key.',
        },
        10007: {
          name: 'AuthInsufficientPermissions',
          status: 403,
          retry: 'no',
          sideEffect: 'no',
          message: 'The API key is read-only',
          meaning: 'The request needs write permission and the API key only has read permission.',
          fix: 'Use an API key with write permission.',
        },
      },
    },
    'Server health': {
      description: "Errors that report the server's own load.",
      range: [11000, 11999],
      entries: {
        11000: {
          name: 'ServerBusy',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'The shard is busy',
          meaning:
            "A shard's inter-shard channel is full, so the request was not routed. If it keeps happening, the shard is overloaded.",
          fix: 'Back off and retry.',
        },
      },
    },
  },
});
