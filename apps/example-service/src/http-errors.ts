/**
 * The one place errors become HTTP answers. A `CacheError` keeps its stable code in the body, so a
 * client can tell a bad key from a too-large document without parsing messages; fastify's own
 * request errors (body too large, malformed JSON, bad URL encoding) are given the CacheError code
 * of what they mean. Bad input is always a 4xx; only a fault of the server is a 5xx.
 */
import { CacheError, type CacheErrorCode } from '@pmem-modes/core';

/** The answer body of every error: fastify's shape, with `code` from the CacheError codes. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

/** Every code has a status: the compiler refuses this table when a code is added to core. */
const STATUS_OF: Record<CacheErrorCode, number> = {
  ERR_INVALID_KEY: 400,
  ERR_INVALID_DOC: 400,
  ERR_DOC_TOO_LARGE: 413,
  // A document that fits maxDocBytes but not the cache even when emptied: still the request's size.
  ERR_CAPACITY: 413,
  ERR_CLOSED: 503,
  ERR_REMOTE_UNAVAILABLE: 503,
  ERR_POOL_CORRUPT: 500,
  ERR_POOL_FOREIGN: 500,
  ERR_POOL_LOCKED: 500,
  ERR_NATIVE_UNAVAILABLE: 500,
  ERR_DIR_UNUSABLE: 500,
  ERR_INVALID_OPTION: 500,
  ERR_NOT_SUPPORTED: 500,
};

/** fastify's request errors, by their code, and the CacheError code they stand for. */
const FRAMEWORK_CODES: Record<string, CacheErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_DOC_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_INVALID_DOC',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ERR_INVALID_DOC',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_INVALID_DOC',
  FST_ERR_BAD_URL: 'ERR_INVALID_KEY',
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, code, error: REASON[statusCode] ?? 'Error', message };
}

/** The status and body for any error a route or fastify raised. */
export function toHttpError(err: unknown): ErrorBody {
  if (err instanceof CacheError) return errorBody(STATUS_OF[err.code], err.code, err.message);
  const e = err as { code?: string; statusCode?: number; message?: string };
  const status = e.statusCode ?? 500;
  if (status >= 500) {
    return errorBody(500, 'ERR_INTERNAL', 'The service failed on this request; see its log.');
  }
  const mapped = e.code === undefined ? undefined : FRAMEWORK_CODES[e.code];
  if (mapped) return errorBody(status, mapped, describeFrameworkError(mapped, e.message ?? ''));
  // JSON syntax errors and prototype-poisoning refusals from the body parser arrive as 400s.
  if (status === 400) return errorBody(400, 'ERR_INVALID_DOC', `The body is not an acceptable JSON document: ${e.message ?? 'unparsable'}. Send one JSON value with content-type application/json.`);
  return errorBody(status, e.code ?? 'ERR_REQUEST', e.message ?? 'Request refused.');
}

function describeFrameworkError(code: CacheErrorCode, detail: string): string {
  switch (code) {
    case 'ERR_DOC_TOO_LARGE':
      return `The request body is larger than this service accepts (${detail}). Store smaller documents.`;
    case 'ERR_INVALID_KEY':
      return 'The document id in the URL is not valid percent-encoded UTF-8. Encode ids with encodeURIComponent.';
    default:
      return `${detail}. Send one JSON value with content-type application/json.`;
  }
}
