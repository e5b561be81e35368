export { ZenginFileError, ZenginInputError } from './zengin-errors.ts';
export { isZenginText, padNumber, padZengin, toZenginKana, truncateZengin } from './zengin-kana.ts';
export {
  RECORD_BYTES,
  TRANSFER_KIND_TELEGRAPHIC,
  parseZenginTransferFile,
  writeZenginTransferFile,
  type ParsedZenginFile,
  type ParsedZenginHeader,
  type ParsedZenginTransfer,
  type ZenginAccountType,
  type ZenginRequester,
  type ZenginTransfer,
} from './zengin-writer.ts';
export {
  ZENGIN_RESULT_CODE_BYTE,
  ZENGIN_RESULT_CODES,
  parseZenginResultFile,
  type ZenginResult,
  type ZenginResultFile,
  type ZenginResultRecord,
} from './zengin-result.ts';
