/**
 * The Japanese a clerk reads in FILE.rejected.csv (column `reason_ja`) for each reason the
 * validation gives in English (column `reason`, kept as it is for the scripts that read it:
 * CONTRACT.md fixes the columns). One pattern per reason the import can give; a reason without
 * one is shown as it is.
 */
const REASONS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^required$/, () => '必須の項目が空です'],
  [/^longer than (\d+) characters$/, (m) => `${m[1]}文字を超えています`],
  [/^not a real date in YYYY-MM-DD form$/, () => '実在する日付を YYYY-MM-DD の形で書いてください'],
  [/^must be (\d+) digits$/, (m) => `${m[1]}桁の数字で書いてください`],
  [/^must be whole yen/, () => '円単位の整数（数字のみ。符号・カンマ・小数点なし）で書いてください'],
  [/^must be true or false$/, () => 'true または false で書いてください'],
  [/^must be a whole number of persons/, () => '人数を 0〜999 の整数で書いてください'],
  [/^must be full-width katakana/, () => '全角カタカナで書いてください'],
  [/^must be katakana \(full- or half-width\)$/, () => 'カタカナ（全角または半角）で書いてください'],
  [/^not a 6-digit 全国地方公共団体コード/, () => '検査数字の正しい6桁の全国地方公共団体コードではありません'],
  [/^not a 続柄/, () => '続柄として読めません（世帯主、妻、子、子の妻 など）'],
  [/^must be 1 \(male\) or 2 \(female\)$/, () => '性別は 1（男）または 2（女）で書いてください'],
  [/^must be resident, moved_out or deceased$/, () => 'resident（住民）、moved_out（転出）、deceased（死亡）のいずれかで書いてください'],
  [/^before birth_date$/, () => '生年月日より前の日付です'],
  [/^must be a 4-digit fiscal year/, () => '課税年度を 2024 のような4桁の年で書いてください'],
  [/^given without dependent_of$/, () => 'dependent_of（扶養者）がないのに書かれています'],
  [/^a person cannot be their own dependant$/, () => '本人を自分の扶養親族にはできません'],
  [/^more than total_income \((\d+)\)/, (m) => `合計所得金額（${m[1]}円）を超えています（その一部のはずです）`],
  [/^given without dependants/, () => '扶養親族等の数（dependants）がないのに書かれています'],
  [/^more than dependants \((\d+)\)/, (m) => `扶養親族等の数（${m[1]}人）を超えています（その一部のはずです）`],
  [/^must be one of (.+)$/, (m) => `次のいずれかで書いてください: ${m[1]}`],
  [/^must be true \(from effective_date on\) or false/, () => 'true（effective_date から）または false（終了）で書いてください'],
  [/^not a program id/, () => '制度ID（英小文字・数字・-）ではありません'],
  [/^required when circumstance is declined/, () => '辞退（declined）には、辞退した制度ID（program）が必要です'],
  [/^not in the 全銀 bank code list$/, () => '全銀の金融機関コード一覧にない金融機関コードです'],
  [/^must be 1 \(普通\), 2 \(当座\) or 4 \(貯蓄\)$/, () => '預金種目は 1（普通）、2（当座）、4（貯蓄）のいずれかで書いてください'],
  [/^must be koukin or registered$/, () => 'koukin（公金受取口座）または registered（届出口座）で書いてください'],
  [/^not a branch of bank (\d+)$/, (m) => `金融機関 ${m[1]} の支店コードではありません`],
  [/^household (.+) would have (\d+) 世帯主 on (\S+); exactly one is required$/, (m) => `世帯 ${m[1]} の世帯主が ${m[3]} に ${m[2]}人になります（世帯主はちょうど1人です）`],
  [/^household (.+) would have no 世帯主 on (\S+); exactly one is required$/, (m) => `世帯 ${m[1]} に ${m[2]} の世帯主がいなくなります（世帯主はちょうど1人です）`],
  [/^already received with different content/, () => 'この change_id は別の内容で受け付け済みです（change_id は一度しか使えません）'],
  [/^unknown column for (.+)$/, (m) => `${m[1]} にない列です`],
  [/^(\d+) cells but the header has (\d+) columns$/, (m) => `セルが${m[1]}個ありますが、見出し行の列は${m[2]}個です`],
  [/^bytes that are not valid text in this encoding/, () => 'この文字コードでは読めないバイトがあります（Shift_JIS なら --encoding shift_jis を付けてください）'],
  [/^contains a NUL character/, () => 'NUL 文字（U+0000）は保存できません。取り除いてください'],
  [/^contains half of a UTF-16 surrogate pair/, () => '壊れた文字（サロゲートの片割れ）があり、保存できません'],
  [/^not your municipality \((\d+)\)$/, (m) => `送信元の市区町村（${m[1]}）のデータではありません`],
];

export function reasonJa(reason: string): string {
  for (const [pattern, text] of REASONS) {
    const m = reason.match(pattern);
    if (m) return text(m);
  }
  return reason;
}
