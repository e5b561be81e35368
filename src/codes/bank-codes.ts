import { createRequire } from 'node:module';

/**
 * The 全銀 bank and branch code list, from the maintained `zengin-code` package (DOMAIN.md:
 * the source of truth; an unknown code is an error, never a guess). Loaded on first use: it
 * is a few megabytes.
 */
export interface Branch {
  code: string;
  name: string;
  kana: string;
}
export interface Bank extends Branch {
  branches: Record<string, Branch>;
}

let banks: Record<string, Bank> | undefined;

function all(): Record<string, Bank> {
  banks ??= createRequire(import.meta.url)('zengin-code') as Record<string, Bank>;
  return banks;
}

export function findBank(bankCode: string): Bank | undefined {
  return all()[bankCode];
}

export function findBranch(bankCode: string, branchCode: string): Branch | undefined {
  return findBank(bankCode)?.branches[branchCode];
}
