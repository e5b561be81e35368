import type { ZenginRequester } from '../../../src/payments/zengin/zengin-writer.ts';

/** The paying municipality of the Zengin tests. */
export const requester: ZenginRequester = {
  requesterCode: '1234567890',
  requesterName: 'サンプルシ　フクシカ',
  bankCode: '0001', // みずほ
  branchCode: '100', // 本店
  accountType: 1,
  accountNumber: '1234567',
};
