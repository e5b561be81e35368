const STRIDE = 122; // 120 bytes + CRLF, as writeZenginTransferFile writes

/** The bank's result file for a transfer file we wrote: the same records, with a result code at byte 112 of each data record. */
export function withResultCodes(file: Buffer, codes: string[]): Buffer {
  const out = Buffer.from(file);
  const dataRecords = out.length / STRIDE - 3;
  if (codes.length !== dataRecords) throw new Error(`test helper: ${codes.length} codes for ${dataRecords} data records`);
  codes.forEach((code, i) => {
    if (code.length !== 1) throw new Error(`test helper: result code "${code}" is not one character`);
    out.write(code, (i + 1) * STRIDE + 111, 'latin1');
  });
  return out;
}
