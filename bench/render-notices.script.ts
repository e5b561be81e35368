import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { fontRuns } from '../src/notices/fonts.ts';
import type { NoticeContent } from '../src/notices/notice-content.ts';
import { renderNoticeFile } from '../src/notices/notice-pdf.ts';

/**
 * Child process of the notices bench: `render-notices.script.ts MODE N DIR` renders N notices
 * one PDF each into DIR, as the notices worker does (MODE notices), or, as the baseline, N
 * one-line PDFs with the same embedded Japanese font (MODE baseline). Prints the seconds.
 */
const [mode, count, dir] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true });
const municipality = { name: '横浜市', mayor: '山中 竹春', address: '〒231-0005 横浜市中区本町6丁目50番地の10', department: 'こども青少年局 こども家庭課', phone: '045-671-2345' };
const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const GIVEN = ['花子', '太郎', '陽菜', '蓮', '結衣', '大翔', '美咲', '翔太'];

function notice(i: number): NoticeContent {
  const amount = 10000 * (1 + (i % 3)) + 15000 * (i % 2);
  return {
    noticeId: `N${String(i).padStart(16, '0')}`,
    kind: i % 10 === 9 ? '口座登録のお願い' : '支給決定',
    issuedOn: '2024-12-13',
    municipality,
    recipient: { postalCode: '231-0017', address: `神奈川県横浜市中区港町${1 + (i % 9)}丁目${1 + (i % 30)}番地${i % 50}号`, name: `${FAMILY[i % 10]} ${GIVEN[i % 8]}` },
    programName: '児童手当',
    title: '児童手当 支給決定通知書',
    summary: 'あなたの児童手当について、次のとおり支給することに決定しましたので通知します。偶数月に前月までの2か月分をお支払いします。',
    amountYen: amount,
    amountLabel: '月額',
    breakdown: [
      { label: '第1子（10歳）3歳以上高校生年代まで', amountYen: 10000 },
      { label: '第2子（2歳）3歳未満', amountYen: amount - 10000 },
    ],
    period: '令和6年12月分から',
    paymentDate: '2025-02-14',
    account: { bankName: '横浜', branchName: '本店営業部', accountType: '普通', maskedNumber: `****${String(i % 1000).padStart(3, '0')}` },
    reasons: ['○ 児童を養育している（値：はい、基準：はいと等しい、根拠：児童手当法第4条）', '世帯の構成は令和6年11月30日時点の住民記録によります。'],
    appeal: { body: '神奈川県知事' },
  };
}

async function baseline(i: number, file: string): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: 0 });
  const out = fs.createWriteStream(file);
  const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
  doc.pipe(out);
  for (const run of fontRuns(`${FAMILY[i % 10]} ${GIVEN[i % 8]} 様 児童手当 支給決定通知書`, 400)) {
    doc.registerFont(run.face.key, run.face.bytes);
    doc.font(run.face.key).fontSize(12).text(run.text);
  }
  doc.end();
  await closed;
}

const start = process.hrtime.bigint();
for (let i = 0; i < Number(count); i++) {
  const file = path.join(dir, `${i}.pdf`);
  if (mode === 'baseline') await baseline(i, file);
  else await renderNoticeFile(notice(i), file);
}
process.stdout.write(`${Number(process.hrtime.bigint() - start) / 1e9}\n`);
