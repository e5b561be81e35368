/** The Japanese words staff read for the codes the store keeps: on the pages, in their CSV and on the command line. */
export const LABELS = {
  kind: { decision_review: '要審査（判定不能）', large_change: '大きな額の変更', stop: '支給停止', failed_transfer: '振込不能', missing_account: '口座未登録', recovery: '返還' },
  // awaiting_reply is no stored status: an open or held item whose last action was a 照会 (case-reads.service.ts).
  status: { open: '未処理', held: '保留中', resolved: '処理済み', awaiting_reply: '照会中（回答待ち）' },
  outcome: { eligible: '支給', ineligible: '不支給', review: '要審査' },
  change: { new: '新規', amount_changed: '額の変更', stopped: '支給停止', restarted: '支給再開', outcome_changed: '判定の変更', recipient_changed: '受給者の変更', confirmed: '職員による確認' },
  action: { approve: '承認', reject: '却下', hold: '保留', request_info: '本人への照会', override: '判定の変更（上書き）', confirm: '上書きの確認' },
  line: { due: '支払予定', held: '保留', exported: '振込データ作成済み', failed: '振込不能', cancelled: '取消' },
  residentStatus: { resident: '住民', moved_out: '転出', deceased: '死亡' },
  role: { viewer: '閲覧者', reviewer: '審査担当', supervisor: '監督者', admin: '管理者', operator: 'システム運用者' },
  circumstance: {
    public_servant: '公務員（勤務先が児童手当を支給）',
    facility_placement: '施設入所・里親委託（措置）',
    supported_student: '監護・生計維持している22歳年度末までの子（確認書）',
    declined: '受給の辞退（辞退届）',
  },
} as const;

export function label<K extends keyof typeof LABELS>(group: K, key: string | null | undefined): string {
  if (!key) return '';
  const labels = LABELS[group] as Record<string, string>;
  return Object.hasOwn(labels, key) ? labels[key] : key;
}

/** True when `key` is one of the group's own keys (not `toString` or another prototype name). */
export function isLabel<K extends keyof typeof LABELS>(group: K, key: unknown): key is keyof (typeof LABELS)[K] & string {
  return typeof key === 'string' && Object.hasOwn(LABELS[group], key);
}
