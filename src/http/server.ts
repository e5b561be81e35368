import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { IngestContext } from '../changes/import.service.ts';
import { AppError, httpStatusOf, UnauthenticatedError } from '../errors.ts';
import { sessionFor, SignInLockedError } from '../staff/staff.service.ts';
import { safeBack } from './input.ts';
import { adminQueuesPage } from './pages/admin-queues.page.ts';
import { householdPages } from './pages/household.page.ts';
import { pageErrorText } from './pages/error-text.ts';
import { FONT_PATH, html, page, PAGE_SCRIPT, PAGE_SCRIPT_PATH, PAGE_STYLE } from './pages/html.ts';
import { loginPages } from './pages/login.page.ts';
import { reviewPages } from './pages/review.page.ts';
import { simulationPages } from './pages/simulation.page.ts';
import { staffAdminPages } from './pages/staff-admin.page.ts';
import { changesRoutes } from './routes/changes.route.ts';
import { circumstanceRoutes } from './routes/circumstances.route.ts';
import { reviewRoutes } from './routes/review.route.ts';
import { sessionRoutes } from './routes/session.route.ts';
import { SESSION_COOKIE, type HttpOptions } from './session-auth.ts';

/**
 * The pages' Content-Security-Policy: scripts and styles of this site only (the one inline
 * style block by its hash), no frames, forms posting here only. The simulation reports carry
 * their own style block (files written by the workers), so they may use inline styles; they
 * have no scripts. bull-board is an application of its own (its scripts and styles); it gets
 * frame-ancestors only.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
  "font-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
const REPORT_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
const QUEUES_CSP = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** True when a value of a parsed body holds a NUL anywhere, which PostgreSQL cannot store. */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v, depth + 1));
}
/**
 * `benefit serve`: the HTTP API under /v1 (CONTRACT.md) and the staff pages, rendered on the
 * server in Japanese. Every route but login and health needs a signed-in staff session.
 */
export async function buildServer(ctx: IngestContext & { draftsDir: string; reportsDir: string; http?: HttpOptions }): Promise<FastifyInstance> {
  const http = ctx.http ?? {};
  // Fastify's own request log carries the URL, and URLs carry 宛名番号 and searched names: each
  // request is logged here instead by its route pattern only.
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 20 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: http.trustProxy ?? false,
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  // A NUL byte in a path or query string (%00) is never a valid id, search or filter, and
  // PostgreSQL cannot store or compare it: refused before any route sees it.
  app.addHook('onRequest', async (request, reply) => {
    if (/%00|\0/i.test(request.raw.url ?? '')) {
      return reply.code(400).send({ error: 'bad_request', message: 'the URL holds a NUL byte (%00)' });
    }
  });
  // Nor in a body, except POST /v1/changes, which rejects such a row and stores the others.
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.url !== '/v1/changes' && holdsNul(request.body)) {
      throw Object.assign(new Error('the request body holds a NUL byte'), { statusCode: 400 });
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    const url = request.raw.url ?? '';
    const csp = url.startsWith('/admin/queues') ? QUEUES_CSP : /^\/simulations\/[^/]+\//.test(url) ? REPORT_CSP : PAGE_CSP;
    reply.header('content-security-policy', csp);
    return payload;
  });
  await app.register(cookie);
  await app.register(formbody);
  // The pages' one script (the print button), from this site: the CSP forbids inline scripts.
  app.get(PAGE_SCRIPT_PATH, { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=3600').send(PAGE_SCRIPT));
  // Browsers ask every site for an icon; there is none, and a 404 would be an error in the console
  // of every page (the simulation reports and bull-board included): nothing, said plainly.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());
  // The pages' Japanese font, from the npm package the notices use: no system font needed.
  await app.register(fastifyStatic, {
    root: path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-jp/400.css')),
    prefix: FONT_PATH,
    allowedPath: (file) => /^\/(?:[47]00\.css|files\/noto-sans-jp-(?:\d+|latin|latin-ext|cyrillic|vietnamese)-[47]00-normal\.woff2?)$/.test(file),
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
    // A value PostgreSQL refuses as data (class 22: out of range, bad text or byte sequence…)
    // came from the request: a 400, though the routes check their input before it gets there.
    const dataError = !(error instanceof AppError) && /^22[0-9A-Z]{3}$/.test(String((error as { code?: unknown }).code ?? ''));
    const fastifyStatus = error instanceof AppError ? 500 : (error.statusCode ?? 500);
    const status = error instanceof SignInLockedError
      ? 429
      : error instanceof AppError ? httpStatusOf(error) : error.validation || dataError ? 400 : fastifyStatus < 500 ? fastifyStatus : 500;
    const code = error instanceof AppError ? error.code : error.validation || dataError ? 'bad_request' : status === 429 ? 'too_many_requests' : status < 500 ? 'bad_request' : 'internal';
    if (status === 500) request.log.error({ err: error.message }, 'request failed');
    if (dataError) request.log.warn({ pg_code: (error as { code?: string }).code }, 'request refused by the database as data');
    if (error instanceof SignInLockedError) reply.header('retry-after', String(error.retryAfterSeconds));
    const message = status === 500 ? 'internal error' : dataError ? 'a value is out of range or malformed' : error.message;
    if (request.url.startsWith('/v1/') || request.url.startsWith('/health') || request.url.startsWith('/openapi')) {
      return reply.status(status).send({ error: code, message });
    }
    // The pages: a signed-out visitor goes to the login page; anything else is said in Japanese.
    if (error instanceof UnauthenticatedError) return reply.redirect('/login', 303);
    // The services' messages are English (the API's and the logs'); a page says it in Japanese.
    // Opening a page is not an 「操作」: a refused GET says the page may not be shown.
    const viewing = request.method === 'GET' || request.method === 'HEAD';
    const ja: Record<number, string> = { 400: '入力内容を確認してください。', 403: viewing ? 'このページを表示する権限がありません。' : 'この操作を行う権限がありません。', 404: '見つかりません。', 409: 'すでに処理されているか、新しい決定があります。', 429: '試行回数が多すぎます。しばらくしてからお試しください。' };
    // The detail only where it says more than the status's sentence (a role refusal says the same).
    const text = pageErrorText(error);
    const detail = text === ja[status] || (error instanceof AppError && error.code === 'role') ? undefined : text;
    // A refused form (a 却下 without its reason…) leads back to the page it was sent from, not only to the queue.
    const body = request.method === 'POST' && request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    const back = Object.hasOwn(body, 'back') ? safeBack(body.back, '') : '';
    return reply
      .status(status)
      .type('text/html')
      .send(page('エラー', request.session, html`<p class="error" role="alert">${ja[status] ?? 'エラーが発生しました。'}</p>${detail ? html`<p>${detail}</p>` : ''}${back ? html`<p><a href="${back}">${/^\/(decisions|households)\//.test(back) ? '審査項目の画面へ戻る' : '前の画面へ戻る'}</a></p>` : ''}<p><a href="/review">審査キューへ戻る</a></p>`));
  });

  // An unknown address: a browser (asking for HTML) gets the pages' 404 with the usual header;
  // the API and any other caller keep Fastify's JSON.
  app.setNotFoundHandler(async (request, reply) => {
    const api = request.url.startsWith('/v1/') || request.url.startsWith('/health') || request.url.startsWith('/openapi');
    if (api || !(request.headers.accept ?? '').includes('text/html')) {
      return reply.code(404).send({ message: `Route ${request.method}:${request.url} not found`, error: 'Not Found', statusCode: 404 });
    }
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await sessionFor(ctx.db, token) : undefined;
    return reply.code(404).type('text/html').send(page('エラー', session, html`<p class="error" role="alert">見つかりません。</p><p>アドレスを確認してください。</p><p><a href="/review">審査キューへ戻る</a></p>`));
  });

  app.get('/health', { schema: { summary: 'Liveness and database check', security: [] } }, async () => {
    await sql`select 1`.execute(ctx.db);
    return { status: 'ok', queue: ctx.jobs.kind };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  sessionRoutes(app, ctx.db, http);
  changesRoutes(app, ctx);
  reviewRoutes(app, ctx.db);
  circumstanceRoutes(app, ctx);
  loginPages(app, ctx.db, http);
  reviewPages(app, ctx.db);
  householdPages(app, ctx);
  simulationPages(app, ctx);
  staffAdminPages(app, ctx.db);
  await adminQueuesPage(app, ctx.db, ctx.jobs);
  return app;
}
