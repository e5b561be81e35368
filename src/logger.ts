import pino, { type Logger } from 'pino';

/**
 * Personal data must never reach the logs (DESIGN.md, privacy). The code never logs rows,
 * and as a second line of defence these keys are censored wherever they appear.
 */
export const PERSONAL_FIELDS = [
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'birth_date',
  'address',
  'postal_code',
  'account_number',
  'holder_kana',
  'password',
  'row',
  'payload',
  // A circumstance's free text (circumstances.csv, the staff form): never logged.
  'note',
];

const redactPaths = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export type { Logger };

/** JSON lines on stderr (stdout carries data), as the contract says. */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { pid: process.pid } }, destination);
}
