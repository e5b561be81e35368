import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RULES = fileURLToPath(new URL('../../rules/', import.meta.url));

/** Every { title, url } object of a JSON document (citations, parameter sources, legal basis), with where it is. */
function citations(value: unknown, where: string): { where: string; title: string; article?: string; url?: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => citations(v, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  const own = typeof o.title === 'string' && ('url' in o || 'article' in o) ? [{ where, title: o.title, article: o.article as string | undefined, url: o.url as string | undefined }] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => citations(v, `${where}.${k}`))];
}

/** A municipality named as the source: 倉敷市「…」, 碧南市: …, （遠軽町による）, or its web site. */
const NAMES_A_MUNICIPALITY = /[\u4e00-\u9fff]{1,4}[市町村](「|: |：| Q&A|・|による|も同じ)/;
const MUNICIPAL_SITE = /\/\/(www\.)?(city|town|vill)\.|\.lg\.jp\/|engaru\.jp/;

/**
 * Issue 16 point 7: a 横浜市 decision cited 倉敷市's page. A program every municipality runs
 * ("municipalities": "all") is decided by each under the national law or 実施要領, and its
 * citations say so; where its wording was first read (another city's page) is in
 * docs/rounds-2023-2024.md, not on the decision.
 */
describe('citations of a program every municipality runs', () => {
  const programs = fs.readdirSync(RULES).filter((d) => fs.existsSync(path.join(RULES, d, 'program.json')));
  it.each(programs)('%s names no other municipality as its source', (program) => {
    const spec = JSON.parse(fs.readFileSync(path.join(RULES, program, 'program.json'), 'utf8')) as { municipalities: unknown };
    if (spec.municipalities !== 'all') return;
    const files = fs.readdirSync(path.join(RULES, program)).filter((f) => f.endsWith('.json') && f !== 'cases.json');
    const wrong = files.flatMap((f) =>
      citations(JSON.parse(fs.readFileSync(path.join(RULES, program, f), 'utf8')), f).filter(
        (c) => NAMES_A_MUNICIPALITY.test(c.title) || NAMES_A_MUNICIPALITY.test(c.article ?? '') || MUNICIPAL_SITE.test(c.url ?? ''),
      ),
    );
    expect(wrong.map((c) => `${c.where}: ${c.title} ${c.url ?? ''}`)).toEqual([]);
  });
});
