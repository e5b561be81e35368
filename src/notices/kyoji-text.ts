/**
 * The 教示 printed on a notice that is an administrative disposition (処分): how to contest it.
 *
 * - 行政不服審査法第82条: a written 処分 must tell its addressee that a 審査請求 may be filed,
 *   to whom, and within what period.
 * - 行政不服審査法第18条: within 3 months of the day after the day the person learned of the
 *   処分 (第1項), and not after 1 year from the day after the 処分 (第2項), unless there is a
 *   legitimate reason (正当な理由).
 * - 行政事件訴訟法第46条 (教示), 第14条 (6 months from learning of the 処分, or of the 裁決 when a
 *   審査請求 was filed; not after 1 year without 正当な理由) and 第11条 (the defendant is the
 *   municipality, which its mayor represents in court).
 *
 * The wording follows the model text municipalities adopted with the 2016 revision of
 * 行政不服審査法. The 審査請求 goes to the body the program names: the prefectural governor for
 * 法定受託事務 such as 児童手当, otherwise the mayor.
 */
/** 全角スペース, after the paragraph numbers. */
const SPACE = '\u3000';

export function kyojiText(appealBody: string, municipalityName: string): string[] {
  const body = appealBody.trim();
  const city = municipalityName.trim();
  if (!body) throw new Error('kyojiText: the body that hears a 審査請求 is required');
  if (!city) throw new Error('kyojiText: the municipality is required');
  const decisionOrRuling = 'この処分（審査請求をした場合には、その審査請求に対する裁決）';
  return [
    `1${SPACE}この処分に不服がある場合は、この処分があったことを知った日の翌日から起算して3か月以内に、${body}に対して審査請求をすることができます。`,
    `2${SPACE}この処分の取消しを求める訴え（取消訴訟）は、この処分があったことを知った日の翌日から起算して6か月以内に、${city}を被告として（訴訟において${city}を代表する者は${city}長となります。）提起することができます。なお、上記1の審査請求をした場合には、処分の取消しの訴えは、その審査請求に対する裁決があったことを知った日の翌日から起算して6か月以内に提起することができます。`,
    `3${SPACE}ただし、上記の期間が経過する前であっても、${decisionOrRuling}があった日の翌日から起算して1年を経過した場合は、審査請求をすることや処分の取消しの訴えを提起することができなくなります。なお、正当な理由があるときは、上記の期間や${decisionOrRuling}があった日の翌日から起算して1年を経過した後であっても、審査請求をすることや処分の取消しの訴えを提起することが認められる場合があります。`,
  ];
}
