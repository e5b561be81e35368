/**
 * 続柄 as the resident register writes them (DOMAIN.md, Codes): the basic terms, and "の"
 * chains of them such as 子の妻 or 妻の父.
 */
export const HEAD_OF_HOUSEHOLD = '世帯主';

const TERMS = ['夫', '妻', '子', '父', '母', '孫', '兄', '姉', '弟', '妹', '祖父', '祖母', '同居人', '縁故者'];
const CHAIN = new RegExp(`^(${TERMS.join('|')})(の(${TERMS.join('|')}))*$`, 'u');

export function isRelationship(value: string): boolean {
  return value === HEAD_OF_HOUSEHOLD || CHAIN.test(value);
}
