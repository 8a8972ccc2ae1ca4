/**
 * The HTTP face of the example: fastify routes over {@link CacheAside}.
 *
 *   GET    /docs/:id   the document (header x-cache: hit | miss), 404 when the origin has none
 *   PUT    /docs/:id   stores a JSON body (content-type application/json); 204
 *   DELETE /docs/:id   204, or 404 when there was nothing
 *   GET    /stats      the cache's stats (hits, misses, evictions, medium...) and origin calls
 *
 * Closing the server closes the cache: the service owns it.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { MAX_KEY_BYTES } from '@pmem-modes/core';
import { CacheAside } from './cache-aside.js';
import { errorBody, toHttpError, type ErrorBody } from './http-errors.js';

interface IdParams {
  id: string;
}

export function buildServer(store: CacheAside, maxDocBytes: number): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Pretty-printed JSON may be twice its compact size; the cache then checks the real size.
    bodyLimit: 2 * maxDocBytes + 1024,
    routerOptions: {
      // fastify's default (100) would turn long ids into 404s; let them reach the key check, which
      // answers ERR_INVALID_KEY past 1024 UTF-8 bytes (up to 9 characters each when %-encoded).
      maxParamLength: 9 * MAX_KEY_BYTES + 64,
    },
    frameworkErrors: (err, _request, reply) => void sendError(reply, toHttpError(err)),
  });

  // Documents are JSON: without this, fastify's built-in text/plain parser would store any text.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err, request, reply) => {
    const body = toHttpError(err);
    if (body.statusCode >= 500) console.error(`${request.method} ${request.url}:`, err);
    return sendError(reply, body);
  });

  // While closing, answers tell keep-alive clients to go, so close() need not wait out their
  // idle timeout; requests already in flight still finish.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => store.cache.close());

  app.get<{ Params: IdParams }>('/docs/:id', async (request, reply) => {
    const found = await store.read(request.params.id);
    if (!found) return sendError(reply, errorBody(404, 'ERR_NOT_FOUND', `No document ${JSON.stringify(request.params.id)} at the origin.`));
    // Serialise here: fastify would send a string document as text/plain.
    return reply.header('x-cache', found.cache).type('application/json').send(JSON.stringify(found.doc));
  });

  app.put<{ Params: IdParams }>('/docs/:id', async (request, reply) => {
    await store.write(request.params.id, request.body);
    return reply.code(204).send();
  });

  app.delete<{ Params: IdParams }>('/docs/:id', async (request, reply) => {
    if (await store.remove(request.params.id)) return reply.code(204).send();
    return sendError(reply, errorBody(404, 'ERR_NOT_FOUND', `No document ${JSON.stringify(request.params.id)} to delete.`));
  });

  app.get('/stats', async () => ({
    adapter: store.cache.adapter,
    capabilities: store.cache.capabilities,
    ...store.cache.stats(),
    origin: { reads: store.origin.reads, writes: store.origin.writes },
  }));

  return app;
}

function sendError(reply: FastifyReply, body: ErrorBody): FastifyReply {
  return reply.code(body.statusCode).type('application/json').send(body);
}
