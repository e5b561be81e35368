import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../../errors.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { BullJobQueue } from '../../queue/bullmq-job-queue.ts';
import type { JobQueue } from '../../queue/job-queue.ts';
import { QUEUE, type QueueName } from '../../queue/queue-names.ts';
import { CSRF_HEADER, staffOnly } from '../session-auth.ts';
import { html, page } from './html.ts';

const BASE = '/admin/queues';

/**
 * bull-board for the system operator: the BullMQ queues, their jobs and failures, retry and
 * clean. The queues are shared by every municipality (one `decide` queue, jobs of each), so no
 * municipality's staff sees them, admins included: only an operator account, which belongs to
 * no municipality and reads no case data (docs/review.md). Without Redis the jobs run inside
 * each command, so there is nothing to show but that.
 *
 * A state-changing request (pause, retry, clean) needs the session's CSRF token in
 * x-csrf-token, or must come from bull-board's own page: a browser says so in
 * Sec-Fetch-Site, which no other site's page can set.
 */
export async function adminQueuesPage(app: FastifyInstance, db: Kysely<DB>, jobs: JobQueue): Promise<void> {
  const operator = staffOnly(db, 'operator');
  if (!(jobs instanceof BullJobQueue)) {
    app.get(BASE, { ...operator, schema: { hide: true } }, async (request, reply) =>
      reply.type('text/html').send(page('ジョブキュー', request.session, html`<p>REDIS_URL が設定されていないため、ジョブは各コマンドの中で実行されています。表示するキューはありません。</p>`)),
    );
    return;
  }
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BASE);
  createBullBoard({ queues: (Object.values(QUEUE) as QueueName[]).map((name) => new BullMQAdapter(jobs.queue(name))), serverAdapter });
  await app.register(
    async (scope) => {
      // bull-board answers its own errors, so a refusal is sent here rather than thrown.
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          await (operator.onRequest as (request: FastifyRequest, reply: FastifyReply) => Promise<void>)(request, reply);
        } catch (error) {
          if (error instanceof UnauthenticatedError) return reply.redirect('/login', 303);
          return reply.code(403).type('text/html').send(page('ジョブキュー', request.session, html`<p class="error" role="alert">ジョブキューはシステム運用者だけが使えます（すべての自治体のジョブが並ぶため）。</p>`));
        }
        if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
          const sameSite = request.headers['sec-fetch-site'] === 'same-origin';
          if (!sameSite && request.headers[CSRF_HEADER] !== request.session!.csrfToken) {
            const refusal = new ForbiddenError('csrf', `missing or wrong ${CSRF_HEADER} header`);
            return reply.code(403).send({ error: refusal.code, message: refusal.message });
          }
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: BASE },
  );
}
