import { UnusableInputError } from '../../errors.ts';

/**
 * A value that cannot go into a Zengin 総合振込 file. `field` names the input (e.g.
 * `transfers[2].bankCode`, `requester.requesterName`) and the message says why, so the
 * payment can be corrected; nothing is written.
 */
export class ZenginInputError extends UnusableInputError {
  readonly field: string;

  constructor(field: string, reason: string, context: Record<string, unknown> = {}, code = 'ZENGIN_INVALID_FIELD') {
    super(code, `${field}: ${reason}`, { field, ...context });
    this.field = field;
  }
}

/** A Zengin file that does not follow the layout (found by `parseZenginTransferFile`). */
export class ZenginFileError extends UnusableInputError {
  readonly record: number | undefined;
  readonly field: string;

  constructor(record: number | undefined, field: string, reason: string) {
    const where = record === undefined ? field : field === 'record' ? `record ${record}` : `record ${record} ${field}`;
    super('ZENGIN_INVALID_FILE', `${where}: ${reason}`, { record, field });
    this.record = record;
    this.field = field;
  }
}
