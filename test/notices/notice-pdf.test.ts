import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NoticeContent } from '../../src/notices/notice-content.ts';
import { renderNoticeFile, renderNotices } from '../../src/notices/notice-pdf.ts';
import { accountRequest, granted, refused } from './support/fixtures.ts';
import { HAS_PDFTOPPM, HAS_PDFTOTEXT, pdfPageCount, pdfPagesText, squash } from './support/pdf-tools.ts';

const OUT = fileURLToPath(new URL('../../test-output/notices/', import.meta.url));

async function render(notices: NoticeContent[], name: string): Promise<string> {
  const path = `${OUT}${name}`;
  await renderNotices(notices, createWriteStream(path));
  return path;
}

beforeAll(() => {
  mkdirSync(OUT, { recursive: true });
  if (!HAS_PDFTOTEXT) console.log('pdftotext not installed (Debian package poppler-utils): reading the text back with the test reader for pdfkit output');
});

describe('a print run of three notices', () => {
  let path: string;
  let pages: string[];

  beforeAll(async () => {
    path = await render([granted, refused, accountRequest], 'three-notices.pdf');
    pages = pdfPagesText(path).map(squash);
  });

  it('has one page per notice', () => {
    expect(pdfPageCount(path)).toBe(3);
    expect(pages).toHaveLength(3);
  });

  it('prints the 支給決定 with amount, breakdown, dates in 和暦, masked account and address block', () => {
    const text = pages[0];
    expect(text).toContain('児童手当支給決定通知書');
    expect(text).toContain('40,000円');
    expect(text).toContain('10,000円');
    expect(text).toContain('30,000円');
    expect(text).toContain('令和6年12月13日'); // issued
    expect(text).toContain('令和7年2月14日'); // payment date
    expect(text).toContain('****567');
    expect(text).toContain('〒231-0017');
    expect(text).toContain('髙﨑花子様'); // 髙 and 﨑 come from the fallback slices of the font
    expect(text).toContain('横浜市長山中竹春');
    expect(text).toContain('児童を養育している');
    expect(text).toContain('N-2024-000123');
  });

  it('prints the 教示 only on the notice that has an appeal body', () => {
    const [withAppeal, ...without] = pages;
    for (const phrase of ['審査請求', '3か月', '6か月', '神奈川県知事に対して審査請求', '横浜市を被告として', '1年を経過', '正当な理由']) {
      expect(withAppeal).toContain(phrase);
    }
    for (const text of without) {
      for (const phrase of ['審査請求', '3か月', '6か月', '教示']) expect(text).not.toContain(phrase);
    }
  });

  it('prints the 不支給 and the request for an account', () => {
    expect(pages[1]).toContain('佐藤一郎様');
    expect(pages[1]).toContain('令和6年12月13日');
    expect(pages[1]).toContain('世帯全員が住民税均等割非課税である');
    expect(pages[2]).toContain('SmithJohn様');
    expect(pages[2]).toContain('振込口座登録のお願い');
    expect(pages[2].match(/〒/g)).toHaveLength(1); // the municipality's: none on record for the recipient
    expect(pages[2]).not.toMatch(/\d円/); // no amount
  });

  it('draws every character with a real glyph', () => {
    for (const text of pages) {
      expect(text).not.toContain('\u3013'); // 〓: the stand-in for a character no font slice has
      expect(text).not.toContain('\ufffd');
    }
  });

  it.runIf(HAS_PDFTOPPM)('saves a PNG of the first page to look at', () => {
    const png = `${OUT}three-notices-page1`;
    rmSync(`${png}.png`, { force: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', path, png]);
    expect(statSync(`${png}.png`).size).toBeGreaterThan(10_000);
    console.log(`first page: ${png}.png`);
  });
});

describe('a notice longer than a page', () => {
  it('continues on the next page instead of running off the bottom', async () => {
    const reasons = Array.from(
      { length: 40 },
      (_, i) => `○ 理由${i + 1}：世帯の構成は令和6年12月1日時点の住民記録によります。これは折り返しを確かめるための長い行で、一行には収まりません。`,
    );
    const path = await render([{ ...granted, reasons }], 'forty-reasons.pdf');
    const count = pdfPageCount(path);
    expect(count).toBeGreaterThanOrEqual(2);
    const pages = pdfPagesText(path).map(squash);
    expect(pages).toHaveLength(count);
    // Every reason is printed, in order, and the last ones are past the first page.
    const all = pages.join('');
    let at = 0;
    for (let i = 1; i <= 40; i++) {
      const next = all.indexOf(`理由${i}：`, at);
      expect(next, `reason ${i}`).toBeGreaterThan(at - 1);
      at = next;
    }
    expect(pages[0]).not.toContain('理由40：');
    expect(pages[count - 1]).toContain('（続き）');
    expect(pages[count - 1]).toContain(`${count}/${count}`);
    // The 教示 is printed once, after the reasons.
    expect(all.split('審査請求をすることができます').length - 1).toBe(1);
    expect(all.indexOf('不服申立て')).toBeGreaterThan(all.indexOf('理由40：'));
  });
});

describe('a print run of 1,000 notices', () => {
  it('renders into one PDF of 1,000 pages', async () => {
    const fixtures = [granted, refused, accountRequest];
    const notices = Array.from({ length: 1000 }, (_, i): NoticeContent => {
      const base = fixtures[i % 3];
      return { ...base, noticeId: `N-2024-${String(i + 1).padStart(6, '0')}`, recipient: { ...base.recipient, name: `山田 太郎${i + 1}` } };
    });
    const started = performance.now();
    const path = await render(notices, 'print-run-1000.pdf');
    const ms = performance.now() - started;
    const size = statSync(path).size;
    console.log(`1,000 notices: ${ms.toFixed(0)} ms, ${(size / 1024 / 1024).toFixed(1)} MB`);
    expect(pdfPageCount(path)).toBe(1000);
  });
});

describe('renderNoticeFile', () => {
  it('writes one notice to a file', async () => {
    const path = `${OUT}single-notice.pdf`;
    await renderNoticeFile(refused, path);
    expect(pdfPageCount(path)).toBe(1);
    expect(squash(pdfPagesText(path)[0])).toContain('佐藤一郎様');
  });

  it('refuses a notice with a date that is not a date, before creating the file', async () => {
    const path = `${OUT}bad-notice.pdf`;
    rmSync(path, { force: true });
    await expect(renderNoticeFile({ ...refused, issuedOn: '2024-13-45' }, path)).rejects.toThrow(/N-2024-000124.*issuedOn/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an account number that is not masked, and an empty print run', async () => {
    const account = { bankName: '横浜銀行', branchName: '関内支店', accountType: '普通', maskedNumber: '1234567' };
    await expect(renderNoticeFile({ ...granted, account }, `${OUT}bad-notice.pdf`)).rejects.toThrow(/not masked/);
    await expect(renderNotices([], new PassThrough())).rejects.toThrow(/no notices/);
  });
});
