import { plannedItems, runStage, type RunRef, type StageContext } from '../batch/batch-stage.service.ts';
import type { Logger } from '../logger.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { JOB, QUEUE, type JobRequest } from '../queue/queue-names.ts';
import { appliesTo, type Program } from '../rules/program-loader.ts';
import { paymentCandidates } from './create-payments.service.ts';
import { lastDuePeriod, monthlySchedule, nextPaymentDate } from './payment-schedule.ts';

export interface PaymentRunContext extends StageContext {
  logger: Logger;
  chunkHouseholds?: number;
}

export interface PaymentRunResult {
  /** The payment date each program's lines were made for. */
  paymentDates: Map<string, string>;
  payments_created: number;
  review_items: number;
  /** Periods not paid because of 時効 (児童手当法第23条), and what they would have paid. */
  lapsed_periods: number;
  lapsed_yen: number;
}

/**
 * The payment stage of a nightly run for one municipality: for each program, the next payment
 * date not yet exported, the households whose lines may change (found for every program before
 * any stage starts), and a stage (runStage) with one job per chunk of them on the payments
 * queue; then records the computation so the next run starts from it. The programs' stages
 * run side by side.
 */
export async function runPayments(
  ctx: PaymentRunContext,
  run: {
    run: RunRef; municipalityCode: string; date: string; settings: MunicipalitySettings; programs: Program[];
    /** The last run's knowledge time: households a change touched since may now be paid (an account registered). Null: a first or full run. */
    changesSince: Date | null;
  },
): Promise<PaymentRunResult> {
  const { db } = ctx;
  const m = run.municipalityCode;
  const result: PaymentRunResult = { paymentDates: new Map(), payments_created: 0, review_items: 0, lapsed_periods: 0, lapsed_yen: 0 };
  const exported = new Set((await db.selectFrom('payment_exports').select('payment_date').where('municipality_code', '=', m).execute()).map((r) => r.payment_date));
  const paying = run.programs.filter((p) => appliesTo(p, m) && !(p.spec.period_kind === 'once' && run.date < p.spec.base_date!));
  // Every program's candidates are found before any stage writes a line. A candidates query
  // planned while another program's lines were being written took a sequential scan of
  // payment_lines per decision (the table looked empty when it was planned, and a scan still
  // reads the rows it cannot see): 450,000 households stuck for minutes.
  const computations = await Promise.all(paying.map(async ({ spec }) => {
    const next = nextPaymentDate(spec.payment.schedule, run.settings.payment_day, run.date, exported);
    const schedule = monthlySchedule(spec.payment.schedule);
    const lastPeriod = spec.period_kind === 'once' ? { start: spec.base_date!, end: spec.base_date! } : lastDuePeriod(schedule, next.month, run.date);
    // The last computation of an earlier run: a resumed run must not start from its own.
    const last = await db
      .selectFrom('payment_computations')
      .selectAll()
      .where('municipality_code', '=', m)
      .where('program', '=', spec.id)
      .where((eb) => eb.or([eb('run_id', 'is', null), eb('run_id', '!=', run.run.runId)]))
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const newPeriod = !last || last.last_period_start !== lastPeriod.start ? lastPeriod : null;
    const query = { program: spec.id, since: last?.started_at ?? null, newPeriod: spec.period_kind === 'monthly' ? newPeriod : null };
    return { spec, next, schedule, lastPeriod, startedAt: new Date(), stage: `payments:${spec.id}:${next.date}`, query };
  }));
  // Found for every program at once, the first time a stage has no stored plan (a resumed run
  // has them all).
  let candidates: ReturnType<typeof paymentCandidates> | undefined;
  const planned = await Promise.all(computations.map(async (c) => ({
    ...c,
    households: await plannedItems(db, run.run.runId, c.stage, async () => {
      candidates ??= paymentCandidates(db, m, computations.map((x) => x.query), run.changesSince);
      return (await candidates).get(c.spec.id)!;
    }),
  })));
  // A program's lines, items and computation are its own: a night with few changes waits for
  // one round of stages, not seven in turn.
  // Settled, not all: a stage that fails leaves the others to finish before the run stops.
  const stages = await Promise.allSettled(planned.map(async ({ spec, next, schedule, lastPeriod, startedAt, stage, households }) => {
    const prescription = spec.payment.prescription && { years: spec.payment.prescription.years, paymentDay: run.settings.payment_day };
    result.paymentDates.set(spec.id, next.date);
    const totals = await runStage(ctx, run.run, stage, {
      items: async () => households,
      chunkSize: ctx.chunkHouseholds ?? 1000,
      job: (list, chunk): Omit<JobRequest<typeof JOB.createPayments>, 'jobId'> => ({
        queue: QUEUE.payments,
        name: JOB.createPayments,
        data: {
          runId: run.run.runId, stage, chunk, municipalityCode: m, program: spec.id, periodKind: spec.period_kind, baseDate: spec.base_date,
          paymentDate: next.date, lastPeriodStart: lastPeriod.start, households: list,
          ...(spec.period_kind === 'monthly' ? { schedule, prescription } : {}),
        },
      }),
    });
    result.payments_created += (totals.payments_created as number | undefined) ?? 0;
    result.review_items += (totals.review_items as number | undefined) ?? 0;
    result.lapsed_periods += (totals.lapsed_periods as number | undefined) ?? 0;
    result.lapsed_yen += (totals.lapsed_yen as number | undefined) ?? 0;
    await db
      .insertInto('payment_computations')
      .values({ municipality_code: m, program: spec.id, payment_date: next.date, last_period_start: lastPeriod.start, started_at: startedAt, run_id: run.run.runId })
      .onConflict((c) => c.doNothing())
      .execute();
    ctx.logger.info(
      { municipality: m, program: spec.id, payment_date: next.date, lapsed_periods: totals.lapsed_periods ?? 0, lapsed_yen: totals.lapsed_yen ?? 0 },
      'payments computed',
    );
  }));
  const failed = stages.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}
