import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../../errors.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { BullJobQueue } from '../../queue/bullmq-job-queue.ts';
import type { JobQueue } from '../../queue/job-queue.ts';
import { QUEUE, type QueueName } from '../../queue/queue-names.ts';
import { staffOnly } from '../session-auth.ts';
import { html, page } from './html.ts';

const BASE = '/admin/queues';

/**
 * bull-board for admins: the BullMQ queues, their jobs and failures, retry and clean. Without
 * Redis the jobs run inside each command, so there is nothing to show but that.
 */
export async function adminQueuesPage(app: FastifyInstance, db: Kysely<DB>, jobs: JobQueue): Promise<void> {
  const admin = staffOnly(db, 'admin');
  if (!(jobs instanceof BullJobQueue)) {
    app.get(BASE, { ...admin, schema: { hide: true } }, async (request, reply) =>
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
          await (admin.onRequest as (request: FastifyRequest, reply: FastifyReply) => Promise<void>)(request, reply);
        } catch (error) {
          if (error instanceof UnauthenticatedError) return reply.redirect('/login', 303);
          return reply.code(403).type('text/html').send(page('ジョブキュー', request.session, html`<p class="error" role="alert">ジョブキューは管理者だけが使えます。</p>`));
        }
      });
      scope.addHook('preValidation', admin.preValidation as never);
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: BASE },
  );
}
