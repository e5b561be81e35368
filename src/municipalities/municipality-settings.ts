import { z } from 'zod';

/**
 * What a municipality sets once for payments and notices (`benefit municipality set`). Kept
 * in municipalities.settings; nothing here is personal data.
 */
export const MunicipalitySettingsSchema = z
  .object({
    /** e.g. 横浜市: printed on notices; its 長 is the mayor. */
    name: z.string().min(1),
    /** The mayor's name, printed as 横浜市長 山中 竹春. */
    mayor: z.string().min(1),
    /** The office's address, printed on notices. */
    address: z.string().min(1),
    /** The section residents ask, e.g. こども青少年局 こども家庭課. */
    department: z.string().min(1),
    phone: z.string().min(1),
    /**
     * The section residents ask about one program, by program id, where it is not `department`
     * (a 給付金 is often run by another office than 児童手当); its letters print it as the contact.
     */
    contacts: z.record(z.string(), z.object({ department: z.string().min(1), phone: z.string().min(1), address: z.string().min(1).optional() }).strict()).optional(),
    /** Who hears a 審査請求 against a 法定受託事務 (児童手当): the prefectural governor, e.g. 神奈川県知事. */
    prefectural_governor: z.string().min(1),
    /** The day of the month payments are made; a bank holiday moves it to the business day before. */
    payment_day: z.number().int().min(1).max(28),
    /**
     * Bank business days staff have to hold a payment an item may stop (大きな額の変更, 支給停止):
     * a line whose item was opened by a decision made fewer days than this before the payment
     * date stays out of that date's Zengin file and is paid on the next one unless held
     * (docs/municipality-settings.md). 0: no window.
     */
    review_days: z.number().int().min(0).max(20).default(3),
    /** The paying account and the bank's codes for the Zengin file. */
    requester: z
      .object({
        /** 依頼人コード, 10 digits, given by the bank. */
        code: z.string().regex(/^\d{10}$/, 'must be 10 digits'),
        /** 依頼人名 in katakana, e.g. ﾖｺﾊﾏｼ or ヨコハマシ. */
        name_kana: z.string().min(1),
        bank_code: z.string().regex(/^\d{4}$/, 'must be 4 digits'),
        branch_code: z.string().regex(/^\d{3}$/, 'must be 3 digits'),
        account_type: z.union([z.literal(1), z.literal(2), z.literal(4)]),
        account_number: z.string().regex(/^\d{7}$/, 'must be 7 digits'),
      })
      .strict(),
  })
  .strict();

export type MunicipalitySettings = z.infer<typeof MunicipalitySettingsSchema>;

/** Who hears a 審査請求 for a program whose `appeal_to` is 都道府県知事 or 市町村長. */
export function appealBody(settings: MunicipalitySettings, appealTo: string): string {
  return appealTo === '都道府県知事' ? settings.prefectural_governor : `${settings.name}長`;
}
