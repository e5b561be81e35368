import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { IngestContext } from '../changes/import.service.ts';
import { AppError, httpStatusOf } from '../errors.ts';
import { changesRoutes } from './routes/changes.route.ts';
import { sessionRoutes } from './routes/session.route.ts';

/**
 * `benefit serve`: the HTTP API under /v1 (CONTRACT.md). Every route but login and health
 * needs a signed-in staff session.
 */
export async function buildServer(ctx: IngestContext): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.logger as FastifyBaseLogger, bodyLimit: 20 * 1024 * 1024 });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Benefit engine API', version: '1' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'benefit_session' } } },
      security: [{ session: [] }],
    },
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(httpStatusOf(error)).send({ error: error.code, message: error.message });
    }
    if (error.validation) return reply.status(400).send({ error: 'bad_request', message: error.message });
    request.log.error({ err: error.message }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });

  app.get('/health', { schema: { summary: 'Liveness and database check', security: [] } }, async () => {
    await sql`select 1`.execute(ctx.db);
    return { status: 'ok', queue: ctx.jobs.kind };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  sessionRoutes(app, ctx.db);
  changesRoutes(app, ctx);
  return app;
}
