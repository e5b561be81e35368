import { AppError } from '../../errors.ts';

/**
 * What a page says when a request is refused, in Japanese. The services' messages are English
 * for the API and the logs; staff on the pages read these instead, by the error's code. A code
 * not listed shows the status's sentence only (never the English text).
 */
const BY_CODE: Record<string, string> = {
  reason_required: '理由を入力してください。',
  reason_too_long: '理由は2,000文字以内で入力してください。',
  amount_required: '支給とする場合は、金額を1円以上の整数で入力してください。',
  outcome_required: '判定（支給・不支給）を選んでください。',
  no_recipient: 'この世帯には受給者が見つからないため承認できません。判定の変更（上書き）で判定と金額を指定してください。',
  reject_not_applicable: '却下できるのは、エンジンが判定できなかった項目（要審査）だけです。判定を変えるには上書きを使ってください。',
  override_not_applicable: '決定についての項目だけが上書きできます。',
  no_decision: 'この審査項目は決定についてのものではありません。',
  item_closed: 'この審査項目はすでに処理されています。',
  newer_decision: 'この決定は新しい決定に置き換えられています。新しい決定の方を審査してください。',
  already_confirmed: 'この上書きはすでに確認されています。',
  own_override: '上書きは、申請した本人以外の監督者が確認する必要があります。',
  override_not_found: '上書きが見つかりません。',
  review_item_not_found: '審査項目が見つかりません。',
  decision_not_found: '決定が見つかりません。',
  household_not_found: '世帯が見つかりません。',
  person_not_found: '住民が見つかりません。',
  no_open_item: 'この決定には未処理の審査項目がありません。',
  nothing_selected: '承認する項目を選んでください。',
  too_many_items: '一度に承認できるのは100件までです。',
  purpose_required: '閲覧の目的を選んでください。',
  query_required: '氏名・宛名番号、住所、生年月日のいずれかを入力してください。',
  query_too_long: '検索語は64文字以内で入力してください。',
  bad_birth_date: '生年月日は「1985-04-01」や「昭和60年4月1日」のように入力してください。',
  bad_id: '番号の形式が正しくありません。',
  bad_page: 'ページ番号が正しくありません。',
  bad_field: '入力内容の形式が正しくありません。',
  bad_date: '日付は「2024-12-13」の形式で入力してください。',
  not_a_member: 'その方はこの世帯の世帯員ではありません。',
  circumstance_rejected: '状況を記録できませんでした。入力内容（世帯員・状況・効力発生日・制度）を確認してください。',
  unknown_draft: 'そのルール案のフォルダはありません。',
  simulation_not_found: '終わった試算が見つかりません。',
  file_not_found: 'ファイルが見つかりません。',
  csrf: '画面の有効期限が切れました。ページを再読み込みしてから、もう一度操作してください。',
  role: 'この操作を行う権限がありません。',
  bad_login: 'ログインIDは、英数字と . _ @ - の3〜64文字です。',
  weak_password: 'パスワードは12文字以上にしてください。',
  login_taken: 'そのログインIDはすでに使われています。',
  account_not_found: '有効なアカウントが見つかりません。',
  own_account: '自分のアカウントは無効にできません。',
};

/** The page's detail sentence for an error, or undefined when only the status's sentence fits. */
export function pageErrorText(error: unknown): string | undefined {
  if (!(error instanceof AppError) || !Object.hasOwn(BY_CODE, error.code)) return undefined;
  // A refused circumstance names its fields (circumstance.service.ts): say which, in the form's words.
  const fields = Array.isArray(error.context.fields) ? error.context.fields.map((f) => FIELDS[String(f)] ?? String(f)) : [];
  return fields.length ? `${BY_CODE[error.code]}（確認が必要な項目: ${[...new Set(fields)].join('、')}）` : BY_CODE[error.code];
}

const FIELDS: Record<string, string> = { person_id: '世帯員', circumstance: '状況', active: '該当', program: '制度', effective_date: '効力発生日', note: '備考' };
