import type { FastifyInstance } from 'fastify';
import { rowFromObject } from '../../changes/csv-rows.ts';
import { ingestRows, type IngestContext } from '../../changes/import.service.ts';
import { RECORD_KINDS } from '../../changes/record-schemas.ts';
import type { RecordKind } from '../../db/schema.ts';
import { staffOnly } from '../session-auth.ts';

const MAX_ROWS = 10_000;

/**
 * POST /v1/changes: the rows of an input file as JSON, with the same validation and rejections
 * as `benefit import`. A row for another municipality than the signed-in user's is rejected.
 */
export function changesRoutes(app: FastifyInstance, ctx: IngestContext): void {
  app.post<{ Body: { kind: RecordKind; rows: Record<string, unknown>[] } }>(
    '/v1/changes',
    {
      ...staffOnly(ctx.db, 'admin'),
      schema: {
        summary: 'Submit resident, income, account or circumstance rows as changes (the rows of residents.csv, income.csv, accounts.csv or circumstances.csv)',
        body: {
          type: 'object',
          required: ['kind', 'rows'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: RECORD_KINDS },
            rows: { type: 'array', minItems: 1, maxItems: MAX_ROWS, items: { type: 'object' } },
          },
        },
      },
    },
    async (request) => {
      const { kind, rows } = request.body;
      const own = request.session!.user.municipalityCode;
      const raw = rows.map((object, i) => rowFromObject(kind, i + 1, object, own));
      const summary = await ingestRows(ctx, kind, `api:${request.session!.user.login}`, [raw]);
      return {
        import_id: summary.importId,
        rows: summary.rowsRead,
        accepted: summary.accepted,
        duplicates: summary.duplicates,
        rejected_rows: summary.rejectedRows,
        rejections: summary.rejections.map((r) => ({ line: r.line, change_id: r.changeId, field: r.field, reason: r.reason })),
      };
    },
  );
}
