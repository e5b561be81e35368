import { createRequire } from 'node:module';
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { IngestContext } from '../changes/import.service.ts';
import { AppError, httpStatusOf, UnauthenticatedError } from '../errors.ts';
import { adminQueuesPage } from './pages/admin-queues.page.ts';
import { householdPages } from './pages/household.page.ts';
import { FONT_PATH, html, page } from './pages/html.ts';
import { loginPages } from './pages/login.page.ts';
import { reviewPages } from './pages/review.page.ts';
import { simulationPages } from './pages/simulation.page.ts';
import { changesRoutes } from './routes/changes.route.ts';
import { circumstanceRoutes } from './routes/circumstances.route.ts';
import { reviewRoutes } from './routes/review.route.ts';
import { sessionRoutes } from './routes/session.route.ts';

/**
 * `benefit serve`: the HTTP API under /v1 (CONTRACT.md) and the staff pages, rendered on the
 * server in Japanese. Every route but login and health needs a signed-in staff session.
 */
export async function buildServer(ctx: IngestContext & { draftsDir: string; reportsDir: string }): Promise<FastifyInstance> {
  // Fastify's own request log carries the URL, and URLs carry 宛名番号 and searched names: each
  // request is logged here instead by its route pattern only.
  const app = Fastify({ loggerInstance: ctx.logger as FastifyBaseLogger, bodyLimit: 20 * 1024 * 1024, disableRequestLogging: true });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(rateLimit, { global: false });
  // The pages' Japanese font, from the npm package the notices use: no system font needed.
  await app.register(fastifyStatic, {
    root: path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-jp/400.css')),
    prefix: FONT_PATH,
    allowedPath: (file) => /^\/(?:[47]00\.css|files\/noto-sans-jp-\d+-[47]00-normal\.woff2)$/.test(file),
    maxAge: '30d',
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Benefit engine API', version: '1' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'benefit_session' } } },
      security: [{ session: [] }],
    },
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const status = error instanceof AppError ? httpStatusOf(error) : error.validation ? 400 : (error.statusCode ?? 500) < 500 ? error.statusCode! : 500;
    const code = error instanceof AppError ? error.code : error.validation ? 'bad_request' : status === 429 ? 'too_many_requests' : status < 500 ? 'bad_request' : 'internal';
    if (status === 500) request.log.error({ err: error.message }, 'request failed');
    const message = status === 500 ? 'internal error' : error.message;
    if (request.url.startsWith('/v1/') || request.url.startsWith('/health') || request.url.startsWith('/openapi')) {
      return reply.status(status).send({ error: code, message });
    }
    // The pages: a signed-out visitor goes to the login page; anything else is said in Japanese.
    if (error instanceof UnauthenticatedError) return reply.redirect('/login', 303);
    const ja: Record<number, string> = { 400: '入力内容を確認してください。', 403: 'この操作を行う権限がありません。', 404: '見つかりません。', 409: 'すでに処理されているか、新しい決定があります。', 429: '試行回数が多すぎます。しばらくしてからお試しください。' };
    return reply
      .status(status)
      .type('text/html')
      .send(page('エラー', request.session, html`<p class="error" role="alert">${ja[status] ?? 'エラーが発生しました。'}</p><p>${message}</p><p><a href="/review">審査キューへ戻る</a></p>`));
  });

  app.get('/health', { schema: { summary: 'Liveness and database check', security: [] } }, async () => {
    await sql`select 1`.execute(ctx.db);
    return { status: 'ok', queue: ctx.jobs.kind };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  sessionRoutes(app, ctx.db);
  changesRoutes(app, ctx);
  reviewRoutes(app, ctx.db);
  circumstanceRoutes(app, ctx);
  loginPages(app, ctx.db);
  reviewPages(app, ctx.db);
  householdPages(app, ctx);
  simulationPages(app, ctx);
  await adminQueuesPage(app, ctx.db, ctx.jobs);
  return app;
}
