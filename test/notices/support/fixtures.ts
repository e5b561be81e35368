import type { NoticeContent } from '../../../src/notices/notice-content.ts';

export const yokohama: NoticeContent['municipality'] = {
  name: '横浜市',
  mayor: '山中 竹春',
  address: '〒231-0005 横浜市中区本町6丁目50番地の10',
  department: 'こども青少年局 こども家庭課 児童手当係',
  phone: '045-671-2345',
};

/** A 支給決定 (a 処分 of 児童手当, 法定受託事務: the 審査請求 goes to the governor) with a breakdown. */
export const granted: NoticeContent = {
  noticeId: 'N-2024-000123',
  kind: '支給決定',
  issuedOn: '2024-12-13',
  municipality: yokohama,
  recipient: { postalCode: '231-0017', address: '神奈川県横浜市中区港町1丁目1番地 グランドメゾン関内1203号室', name: '髙﨑 花子' },
  programName: '児童手当',
  title: '児童手当 支給決定通知書',
  summary: 'あなたの児童手当の額を次のとおり決定しましたので通知します。令和6年12月分から、偶数月に前2か月分をお支払いします。',
  amountYen: 40000,
  amountLabel: '月額',
  breakdown: [
    { label: '第1子（10歳）3歳以上高校生年代まで', amountYen: 10000 },
    { label: '第3子（2歳）3歳未満・第3子以降', amountYen: 30000 },
  ],
  period: '令和6年12月分から',
  paymentDate: '2025-02-14',
  account: { bankName: '横浜銀行', branchName: '関内支店', accountType: '普通', maskedNumber: '****567' },
  reasons: [
    '○ 児童を養育している（値：はい、基準：はいと等しい、根拠：児童手当法第4条）',
    '○ 高校生年代までの児童が1人以上いる（値：2、基準：1以上、根拠：児童手当法第4条第1項）',
    '世帯の構成は令和6年12月1日時点の住民記録によります。',
  ],
  appeal: { body: '神奈川県知事' },
};

/** A 不支給 of a 要綱 benefit: not a 処分, so no 教示. */
export const refused: NoticeContent = {
  noticeId: 'N-2024-000124',
  kind: '不支給',
  issuedOn: '2024-12-13',
  municipality: yokohama,
  recipient: { postalCode: '231-0023', address: '横浜市中区山下町2番地', name: '佐藤 一郎' },
  programName: '住民税非課税世帯等臨時特別給付金',
  title: '臨時特別給付金 不支給決定通知書',
  summary: '住民税非課税世帯等臨時特別給付金について、次の理由により支給しないことに決定しましたので通知します。',
  reasons: ['× 世帯全員が住民税均等割非課税である（値：いいえ、基準：はいと等しい、根拠：給付金支給要綱第3条）'],
};

/** A request to register an account: no amount, no postal code on record. */
export const accountRequest: NoticeContent = {
  noticeId: 'N-2024-000125',
  kind: '口座登録のお願い',
  issuedOn: '2024-12-13',
  municipality: yokohama,
  recipient: { postalCode: null, address: '横浜市西区みなとみらい2丁目3番1号', name: 'Smith John' },
  programName: '出産祝金',
  title: '出産祝金 振込口座登録のお願い',
  summary: '出産祝金の支給対象となりましたが、振込先の口座が登録されていません。同封の口座登録届に記入のうえ、令和7年1月31日までにご返送ください。',
  reasons: ['令和6年度中にお子さんが生まれた世帯であること（出産祝金支給要綱第2条）'],
};
