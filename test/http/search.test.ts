import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { buildServer } from '../../src/http/server.ts';
import { formsPattern, parseBirthDate, searchKey } from '../../src/review/person-search.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';
import { signIn, type Client } from './support/api-client.ts';
import { PASSWORD } from './support/review-fixture.ts';

interface Found {
  rows: { person_id: string; family_name: string; given_name: string; address: string; status: string }[];
  total: number;
  page: number;
  pages: number;
}

/**
 * The resident search as staff use it at the counter: a name in kanji, hiragana or half-width
 * katakana, 異体字, with or without a space; a 宛名番号; part of an address; a birth date in 和暦.
 * Every hit is counted and paged, and each read is in the resident's access log.
 */
describe('the resident search', () => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  const m = freshMunicipality();
  const other = freshMunicipality();
  const suffix = Math.random().toString(36).slice(2, 8);
  const staff = `search-${suffix}`;
  const stranger = `search-other-${suffix}`;
  let c: Client;

  beforeAll(async () => {
    env = await postgresWithRedis();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-search-'));
    for (const [code, count] of [[m, 300], [other, 30]] as const) {
      const { files } = await generateMunicipality({ households: count, seed: `search-${code}`, municipalityCode: code, outDir: path.join(dir, code) });
      expect((await importFile(env, 'residents', files.residents)).rejectedRows).toBe(0);
    }
    await addUser(env.db, { login: staff, role: 'viewer', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: stranger, role: 'viewer', municipalityCode: other, password: PASSWORD });
    server = await buildServer(env);
    c = await signIn(server, staff);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const search = async (params: Record<string, string>, client = c): Promise<Found> => {
    const res = await server.inject({ method: 'GET', url: `/v1/persons?${new URLSearchParams({ purpose: 'counter', ...params })}`, headers: { cookie: client.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('folds what staff type: widths, kana, 異体字, spaces', () => {
    expect(searchKey('ﾔﾏﾓﾄ　ﾀﾛｳ')).toBe('ヤマモトタロウ');
    expect(searchKey('やまもと たろう')).toBe('ヤマモトタロウ');
    expect(searchKey('髙橋 﨑子')).toBe('高橋崎子');
    expect(searchKey('渡邊')).toBe(searchKey('渡邉'));
    expect(searchKey('０１２３')).toBe('0123');
    expect(parseBirthDate('昭和60年4月1日')).toBe('1985-04-01');
    expect(parseBirthDate('S60.4.1')).toBe('1985-04-01');
    expect(parseBirthDate('平成元年１月８日')).toBe('1989-01-08');
    expect(parseBirthDate('1985/4/1')).toBe('1985-04-01');
    expect(parseBirthDate('19850401')).toBe('1985-04-01');
    expect(parseBirthDate('2023-02-29')).toBeUndefined();
    expect(parseBirthDate('山本')).toBeUndefined();
    // The register side: each folded character matches all its forms.
    expect(formsPattern(searchKey('髙橋さ.'))).toBe('^[高髙]橋[サさ]\\.');
    expect(formsPattern(searchKey('斎'), true)).toBe('[斎齋齊斉]');
  });

  it('finds a family name written in kanji, hiragana, half-width katakana, every hit counted and paged', async () => {
    const { rows: [common] } = await sql<{ family_name: string; family_name_kana: string; n: number }>`
      select family_name, family_name_kana, count(*)::int as n from persons where municipality_code = ${m}
      group by 1, 2 order by 3 desc limit 1`.execute(env.db);
    // The same rule in JavaScript over the whole register: the start of 姓名 or of the given name.
    const { rows: all } = await sql<{ family_name: string; given_name: string; family_name_kana: string; given_name_kana: string }>`
      select family_name, given_name, family_name_kana, given_name_kana from persons where municipality_code = ${m}`.execute(env.db);
    const expected = (q: string) => all.filter((p) => [p.family_name + p.given_name, p.family_name_kana + p.given_name_kana, p.given_name, p.given_name_kana].some((n) => searchKey(n).startsWith(searchKey(q)))).length;
    const hiragana = common.family_name_kana.replace(/[\u30a1-\u30f6]/g, (k) => String.fromCharCode(k.charCodeAt(0) - 0x60));
    expect(common.n).toBeGreaterThan(3);
    for (const q of [common.family_name, hiragana, toHalfWidth(common.family_name_kana), common.family_name_kana]) {
      const found = await search({ q });
      expect(found.total, q).toBe(expected(q));
      expect(found.total, q).toBeGreaterThanOrEqual(common.n);
    }
    // Whatever a name search finds is counted: more than a page says so and pages on.
    const everyone = await search({ address: '町' });
    expect(everyone.total).toBe((await sql<{ n: number }>`select count(*)::int as n from persons where municipality_code = ${m} and address like '%町%'`.execute(env.db)).rows[0].n);
    expect(everyone.total).toBeGreaterThan(50);
    expect(everyone.rows).toHaveLength(50);
    expect(everyone.pages).toBe(Math.ceil(everyone.total / 50));
    const last = await search({ address: '町', page: String(everyone.pages) });
    expect(last.rows).toHaveLength(everyone.total - 50 * (everyone.pages - 1));
  });

  it('finds 髙橋 as 高橋, a full name with or without a space, a 宛名番号, an address and a 和暦 birth date; shows 転出 and 死亡', async () => {
    const { rows: [p] } = await sql<{ person_id: string; given_name: string; given_name_kana: string; address: string; birth_date: string }>`
      select person_id, given_name, given_name_kana, address, to_char(birth_date, 'YYYY-MM-DD') as birth_date
      from persons where municipality_code = ${m} and birth_date < '1989-01-01' order by person_id limit 1`.execute(env.db);
    await sql`update persons set family_name = '髙橋', family_name_kana = 'タカハシ', status = 'moved_out' where municipality_code = ${m} and person_id = ${p.person_id}`.execute(env.db);
    await sql`update persons set family_name = '高橋', family_name_kana = 'タカハシ', status = 'deceased' where municipality_code = ${m} and person_id = (select max(person_id) from persons where municipality_code = ${m})`.execute(env.db);
    for (const q of ['高橋', `高橋 ${p.given_name}`, `髙橋\u3000${p.given_name}`, `たかはし${p.given_name_kana}`, toHalfWidth(`タカハシ ${p.given_name_kana}`)]) {
      expect((await search({ q })).rows.map((r) => r.person_id), q).toContain(p.person_id);
    }
    expect((await search({ q: p.person_id })).rows.map((r) => r.person_id)).toEqual([p.person_id]);
    const showa = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date(p.birth_date));
    const byAddressAndBirth = await search({ address: p.address.slice(0, 8), birth_date: showa });
    expect(byAddressAndBirth.rows.map((r) => r.person_id)).toContain(p.person_id);
    expect(byAddressAndBirth.rows.every((r) => r.address.includes(p.address.slice(0, 8)))).toBe(true);

    // The page: count, address and status columns.
    const page = await server.inject({ method: 'GET', url: `/search?${new URLSearchParams({ q: 'たかはし', purpose: 'counter' })}`, headers: { cookie: c.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/\d+件（1 \/ \d+ページ/);
    expect(page.body).toContain('<th>住所</th><th>状態</th>');
    expect(page.body).toContain(p.address);
    expect(page.body).toContain('<td>転出</td>');
    expect(page.body).toContain('<td>死亡</td>');
    const bad = await server.inject({ method: 'GET', url: `/search?${new URLSearchParams({ birth_date: '昭和99年13月1日', purpose: 'counter' })}`, headers: { cookie: c.cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('生年月日は');
  });

  it('stays within the staff member\'s municipality and logs every resident it shows', async () => {
    const { rows: [p] } = await sql<{ person_id: string; family_name: string }>`select person_id, family_name from persons where municipality_code = ${m} order by person_id limit 1`.execute(env.db);
    const theirs = await search({ q: p.family_name }, await signIn(server, stranger));
    const { rows: otherIds } = await sql<{ person_id: string }>`select person_id from persons where municipality_code = ${other}`.execute(env.db);
    expect(theirs.rows.every((r) => otherIds.some((o) => o.person_id === r.person_id))).toBe(true);
    const ownHits = await search({ q: p.family_name });
    const { rows: logged } = await sql<{ person_id: string }>`
      select person_id from access_log where municipality_code = ${m} and staff_login = ${staff} and what = '検索結果' and purpose = 'counter'`.execute(env.db);
    const loggedIds = new Set(logged.map((l) => l.person_id));
    for (const r of ownHits.rows) expect(loggedIds.has(r.person_id), r.person_id).toBe(true);
  });
});

/** Full-width katakana to half-width (ｶﾅ), as some systems print them; dakuten become two characters. */
function toHalfWidth(text: string): string {
  const half = 'ｧｱｨｲｩｳｪｴｫｵｶｶﾞｷｷﾞｸｸﾞｹｹﾞｺｺﾞｻｻﾞｼｼﾞｽｽﾞｾｾﾞｿｿﾞﾀﾀﾞﾁﾁﾞｯﾂﾂﾞﾃﾃﾞﾄﾄﾞﾅﾆﾇﾈﾉﾊﾊﾞﾊﾟﾋﾋﾞﾋﾟﾌﾌﾞﾌﾟﾍﾍﾞﾍﾟﾎﾎﾞﾎﾟﾏﾐﾑﾒﾓｬﾔｭﾕｮﾖﾗﾘﾙﾚﾛﾜﾜｦﾝ';
  const full = 'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヲン';
  const map = new Map<string, string>();
  let i = 0;
  for (const f of full) {
    const next = half[i + 1] === 'ﾞ' || half[i + 1] === 'ﾟ' ? half.slice(i, i + 2) : half[i];
    map.set(f, next);
    i += next.length;
  }
  return [...text].map((ch) => (ch === 'ー' ? 'ｰ' : ch === ' ' || ch === '　' ? ' ' : map.get(ch) ?? ch)).join('');
}
