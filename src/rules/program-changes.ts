import { addDays, firstOfMonth } from '../engine/calendar.ts';
import type { Program } from './program-loader.ts';

/** A day on which what a program decides may change by law alone: a version or a parameter value starts or stops. */
export interface ProgramChange {
  /** The first day the change is in force (for an end: the day after the `to`). */
  date: string;
  /** What changes, in words for the run's log: no personal data, only names from the folder. */
  what: string;
}

/**
 * Every change of the program's rules or parameters in force on a day in (after, upTo]: the
 * `from` of a version or of a parameter value, and the day after a `to`. Sorted by date, versions
 * before parameters, starts before ends.
 */
export function changesBetween(program: Program, after: string, upTo: string): ProgramChange[] {
  const found: { date: string; order: number; what: string }[] = [];
  const add = (date: string, order: number, what: string) => {
    if (after < date && date <= upTo) found.push({ date, order, what });
  };
  for (const v of program.versions) {
    add(v.from, 0, `version ${v.file} in force from ${v.from}`);
    if (v.to) add(addDays(v.to, 1), 1, `version ${v.file} in force until ${v.to}`);
  }
  for (const [name, p] of Object.entries(program.parameters)) {
    for (const v of p.values) {
      add(v.from, 2, `parameter ${name}: value from ${v.from}`);
      if (v.to) add(addDays(v.to, 1), 3, `parameter ${name}: value until ${v.to}`);
    }
  }
  found.sort((a, b) => a.date.localeCompare(b.date) || a.order - b.order || a.what.localeCompare(b.what));
  return found.map(({ date, what }) => ({ date, what }));
}

/**
 * The day whose rules and parameters a decision as of `asOf` reads: the first of the month for a
 * monthly program, the base date for a one-off program (none before it, when it decides nothing).
 * The engine's evaluation date (src/engine/evaluate-household.ts).
 */
export function ruleDate(program: Program, asOf: string): string | undefined {
  if (program.spec.period_kind === 'monthly') return firstOfMonth(asOf);
  return asOf >= program.spec.base_date! ? program.spec.base_date : undefined;
}

/**
 * The changes a run as of `date` reads that the run as of `lastRunDate` did not: those after the
 * last run's rule date, up to this run's. For a monthly program: a change in the month being
 * decided, or in a month no run decided since (the 2024-10-01 law change, at the first run of
 * October or later); for a one-off program: all of them at the first run on or after its base date,
 * none after. No last run: every change up to this run's rule date.
 */
export function changesSinceRun(program: Program, lastRunDate: string | undefined, date: string): ProgramChange[] {
  const now = ruleDate(program, date);
  if (!now) return [];
  const before = lastRunDate === undefined ? undefined : ruleDate(program, lastRunDate);
  if (before !== undefined && before >= now) return [];
  return changesBetween(program, before ?? '0000-01-01', now);
}
