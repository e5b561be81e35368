// Name lists for synthetic residents: kanji (or, for some foreign residents, Latin) names
// with their katakana readings.
//
// Why these lists: the engine's importer checks kana fields, the Zengin export converts
// them to half-width kana (voiced and semi-voiced marks take two bytes, small kana are
// written large, ー becomes "-"), and the notices print the kanji. The lists therefore
// deliberately include voiced kana (ガ, ザ, バ, ダ), semi-voiced ones (パ, ペ, ポ), small kana
// (ッ, ャ, ュ, ョ, ェ, ィ), the long vowel ー, ヴ, and a full-width space inside a kana name.
// Family-name weights follow the real frequency ranking (approximate numbers of bearers in
// 10,000s), and given names follow the fashions of the birth era, so that a 1940s woman is
// 和子 and a 2020s girl is 陽葵.

import { WeightedTable } from './random.ts';

/** A written name and its reading. */
export interface Name {
  readonly kanji: string;
  readonly kana: string;
}

const n = (kanji: string, kana: string): Name => ({ kanji, kana });

/** Japanese family names, weighted by approximate number of bearers (in 10,000s). */
export const FAMILY_NAMES = new WeightedTable<Name>([
  [n('佐藤', 'サトウ'), 187], [n('鈴木', 'スズキ'), 180], [n('高橋', 'タカハシ'), 142],
  [n('田中', 'タナカ'), 134], [n('伊藤', 'イトウ'), 108], [n('渡辺', 'ワタナベ'), 107],
  [n('山本', 'ヤマモト'), 107], [n('中村', 'ナカムラ'), 105], [n('小林', 'コバヤシ'), 104],
  [n('加藤', 'カトウ'), 89], [n('吉田', 'ヨシダ'), 84], [n('山田', 'ヤマダ'), 82],
  [n('佐々木', 'ササキ'), 68], [n('山口', 'ヤマグチ'), 64], [n('松本', 'マツモト'), 63],
  [n('井上', 'イノウエ'), 61], [n('木村', 'キムラ'), 58], [n('林', 'ハヤシ'), 54],
  [n('斎藤', 'サイトウ'), 54], [n('清水', 'シミズ'), 53], [n('山崎', 'ヤマザキ'), 48],
  [n('森', 'モリ'), 46], [n('池田', 'イケダ'), 44], [n('橋本', 'ハシモト'), 43],
  [n('阿部', 'アベ'), 43], [n('石川', 'イシカワ'), 42], [n('山下', 'ヤマシタ'), 41],
  [n('中島', 'ナカジマ'), 40], [n('石井', 'イシイ'), 39], [n('小川', 'オガワ'), 39],
  [n('前田', 'マエダ'), 38], [n('岡田', 'オカダ'), 38], [n('長谷川', 'ハセガワ'), 38],
  [n('藤田', 'フジタ'), 37], [n('後藤', 'ゴトウ'), 36], [n('近藤', 'コンドウ'), 35],
  [n('村上', 'ムラカミ'), 34], [n('遠藤', 'エンドウ'), 33], [n('青木', 'アオキ'), 32],
  [n('坂本', 'サカモト'), 32], [n('斉藤', 'サイトウ'), 31], [n('福田', 'フクダ'), 31],
  [n('太田', 'オオタ'), 30], [n('西村', 'ニシムラ'), 30], [n('藤井', 'フジイ'), 29],
  [n('金子', 'カネコ'), 29], [n('岡本', 'オカモト'), 29], [n('藤原', 'フジワラ'), 29],
  [n('中野', 'ナカノ'), 28], [n('三浦', 'ミウラ'), 28], [n('原田', 'ハラダ'), 27],
  [n('中川', 'ナカガワ'), 27], [n('松田', 'マツダ'), 27], [n('竹内', 'タケウチ'), 27],
  [n('小野', 'オノ'), 27], [n('田村', 'タムラ'), 26], [n('中山', 'ナカヤマ'), 26],
  [n('和田', 'ワダ'), 26], [n('石田', 'イシダ'), 25], [n('森田', 'モリタ'), 25],
  [n('上田', 'ウエダ'), 25], [n('原', 'ハラ'), 25], [n('柴田', 'シバタ'), 24],
  [n('酒井', 'サカイ'), 24], [n('工藤', 'クドウ'), 24], [n('横山', 'ヨコヤマ'), 24],
  [n('宮崎', 'ミヤザキ'), 23], [n('宮本', 'ミヤモト'), 23], [n('内田', 'ウチダ'), 23],
  [n('高木', 'タカギ'), 23], [n('安藤', 'アンドウ'), 23], [n('島田', 'シマダ'), 22],
  [n('谷口', 'タニグチ'), 22], [n('大野', 'オオノ'), 22], [n('高田', 'タカダ'), 22],
  [n('丸山', 'マルヤマ'), 21], [n('今井', 'イマイ'), 21], [n('河野', 'コウノ'), 21],
  [n('藤本', 'フジモト'), 21], [n('村田', 'ムラタ'), 21], [n('武田', 'タケダ'), 21],
  [n('上野', 'ウエノ'), 21], [n('杉山', 'スギヤマ'), 21], [n('増田', 'マスダ'), 20],
  [n('平野', 'ヒラノ'), 20], [n('大塚', 'オオツカ'), 20], [n('千葉', 'チバ'), 20],
  [n('久保', 'クボ'), 20], [n('松井', 'マツイ'), 20], [n('小島', 'コジマ'), 20],
  [n('岩崎', 'イワサキ'), 20], [n('桜井', 'サクライ'), 19], [n('野口', 'ノグチ'), 19],
  [n('松尾', 'マツオ'), 19], [n('野村', 'ノムラ'), 19], [n('木下', 'キノシタ'), 19],
  [n('菊地', 'キクチ'), 19], [n('佐野', 'サノ'), 19], [n('大西', 'オオニシ'), 19],
  [n('杉本', 'スギモト'), 19], [n('新井', 'アライ'), 19], [n('服部', 'ハットリ'), 17],
  [n('渋谷', 'シブヤ'), 8], [n('熊谷', 'クマガイ'), 12], [n('今野', 'コンノ'), 9],
  [n('庄司', 'ショウジ'), 5], [n('東海林', 'ショウジ'), 2], [n('堀田', 'ホッタ'), 5],
  [n('八田', 'ハッタ'), 3], [n('別府', 'ベップ'), 2], [n('中條', 'チュウジョウ'), 1],
  [n('茶谷', 'チャタニ'), 1], [n('城島', 'ジョウジマ'), 1], [n('日比野', 'ヒビノ'), 2],
]);

/** Birth-era buckets used to pick fashionable given names. */
export type NameEra = 'prewar' | 'showa' | 'heisei' | 'reiwa';

/** Which era's names to use for someone born in a given year. */
export function nameEra(birthYear: number): NameEra {
  if (birthYear < 1955) return 'prewar';
  if (birthYear < 1980) return 'showa';
  if (birthYear < 2000) return 'heisei';
  return 'reiwa';
}

const table = (names: readonly Name[]): WeightedTable<Name> =>
  new WeightedTable(names.map((name) => [name, 1] as const));

/** Male given names by birth era (about 100 in all). */
export const MALE_GIVEN_NAMES: Record<NameEra, WeightedTable<Name>> = {
  prewar: table([
    n('清', 'キヨシ'), n('茂', 'シゲル'), n('博', 'ヒロシ'), n('勇', 'イサム'), n('進', 'ススム'),
    n('正', 'タダシ'), n('実', 'ミノル'), n('勝', 'マサル'), n('武', 'タケシ'), n('昭', 'アキラ'),
    n('修', 'オサム'), n('豊', 'ユタカ'), n('和夫', 'カズオ'), n('正雄', 'マサオ'), n('幸雄', 'ユキオ'),
    n('義雄', 'ヨシオ'), n('三郎', 'サブロウ'), n('健治', 'ケンジ'), n('隆', 'タカシ'), n('勉', 'ツトム'),
    n('徹', 'トオル'), n('秀夫', 'ヒデオ'), n('善太郎', 'ゼンタロウ'), n('源蔵', 'ゲンゾウ'),
  ]),
  showa: table([
    n('誠', 'マコト'), n('浩', 'ヒロシ'), n('健一', 'ケンイチ'), n('哲也', 'テツヤ'), n('直樹', 'ナオキ'),
    n('聡', 'サトシ'), n('学', 'マナブ'), n('剛', 'ツヨシ'), n('大輔', 'ダイスケ'), n('浩二', 'コウジ'),
    n('和也', 'カズヤ'), n('隆之', 'タカユキ'), n('秀樹', 'ヒデキ'), n('淳', 'ジュン'),
    n('純一郎', 'ジュンイチロウ'), n('慎一', 'シンイチ'), n('俊介', 'シュンスケ'), n('裕之', 'ヒロユキ'),
    n('智之', 'トモユキ'), n('洋平', 'ヨウヘイ'), n('伸也', 'シンヤ'), n('一平', 'イッペイ'),
    n('謙吾', 'ケンゴ'), n('龍二', 'リュウジ'),
  ]),
  heisei: table([
    n('翔太', 'ショウタ'), n('拓也', 'タクヤ'), n('健太', 'ケンタ'), n('大樹', 'ダイキ'), n('翔', 'ショウ'),
    n('達也', 'タツヤ'), n('雄太', 'ユウタ'), n('亮', 'リョウ'), n('祐介', 'ユウスケ'), n('翼', 'ツバサ'),
    n('拓海', 'タクミ'), n('駿', 'シュン'), n('健太郎', 'ケンタロウ'), n('勇気', 'ユウキ'), n('涼', 'リョウ'),
    n('直人', 'ナオト'), n('優', 'ユウ'), n('大輝', 'ダイキ'), n('哲平', 'テッペイ'), n('航', 'ワタル'),
    n('純平', 'ジュンペイ'), n('隼人', 'ハヤト'), n('和樹', 'カズキ'), n('亮太', 'リョウタ'),
  ]),
  reiwa: table([
    n('蓮', 'レン'), n('陽翔', 'ハルト'), n('湊', 'ミナト'), n('悠真', 'ユウマ'), n('大翔', 'ヒロト'),
    n('蒼', 'アオイ'), n('樹', 'イツキ'), n('悠人', 'ユウト'), n('颯太', 'ソウタ'), n('陽太', 'ヒナタ'),
    n('律', 'リツ'), n('朝陽', 'アサヒ'), n('碧', 'アオイ'), n('結翔', 'ユイト'), n('新', 'アラタ'),
    n('奏太', 'カナタ'), n('颯', 'ハヤテ'), n('琉生', 'ルイ'), n('凪', 'ナギ'), n('隼', 'シュン'),
    n('陽向', 'ヒナタ'), n('瑛太', 'エイタ'), n('壮真', 'ソウマ'), n('煌', 'コウ'),
  ]),
};

/** Female given names by birth era (about 100 in all). */
export const FEMALE_GIVEN_NAMES: Record<NameEra, WeightedTable<Name>> = {
  prewar: table([
    n('和子', 'カズコ'), n('幸子', 'サチコ'), n('節子', 'セツコ'), n('洋子', 'ヨウコ'), n('恵子', 'ケイコ'),
    n('京子', 'キョウコ'), n('久子', 'ヒサコ'), n('美代子', 'ミヨコ'), n('文子', 'フミコ'), n('春子', 'ハルコ'),
    n('静江', 'シズエ'), n('千代', 'チヨ'), n('信子', 'ノブコ'), n('光子', 'ミツコ'), n('照子', 'テルコ'),
    n('敏子', 'トシコ'), n('弘子', 'ヒロコ'), n('良子', 'ヨシコ'), n('澄子', 'スミコ'), n('百合子', 'ユリコ'),
    n('君江', 'キミエ'), n('絹子', 'キヌコ'), n('ミツ', 'ミツ'), n('トメ', 'トメ'),
  ]),
  showa: table([
    n('由美子', 'ユミコ'), n('裕子', 'ユウコ'), n('真由美', 'マユミ'), n('久美子', 'クミコ'), n('智子', 'トモコ'),
    n('恵美', 'エミ'), n('直美', 'ナオミ'), n('明美', 'アケミ'), n('陽子', 'ヨウコ'), n('美穂', 'ミホ'),
    n('香織', 'カオリ'), n('亮子', 'リョウコ'), n('順子', 'ジュンコ'), n('典子', 'ノリコ'), n('麻美', 'アサミ'),
    n('恭子', 'キョウコ'), n('千秋', 'チアキ'), n('由香', 'ユカ'), n('紀子', 'ノリコ'), n('祥子', 'ショウコ'),
    n('純子', 'ジュンコ'), n('留美', 'ルミ'), n('美樹', 'ミキ'), n('房江', 'フサエ'),
  ]),
  heisei: table([
    n('美咲', 'ミサキ'), n('愛', 'アイ'), n('彩', 'アヤ'), n('沙織', 'サオリ'), n('舞', 'マイ'),
    n('麻衣', 'マイ'), n('千尋', 'チヒロ'), n('遥', 'ハルカ'), n('優子', 'ユウコ'), n('萌', 'モエ'),
    n('彩香', 'アヤカ'), n('七海', 'ナナミ'), n('菜々子', 'ナナコ'), n('沙耶', 'サヤ'), n('瞳', 'ヒトミ'),
    n('奈央', 'ナオ'), n('杏奈', 'アンナ'), n('梓', 'アズサ'), n('茜', 'アカネ'), n('栞', 'シオリ'),
    n('美優', 'ミユ'), n('友梨', 'ユリ'), n('絢子', 'アヤコ'), n('珠美', 'タマミ'),
  ]),
  reiwa: table([
    n('陽葵', 'ヒマリ'), n('凛', 'リン'), n('結菜', 'ユイナ'), n('紬', 'ツムギ'), n('芽依', 'メイ'),
    n('葵', 'アオイ'), n('結衣', 'ユイ'), n('莉子', 'リコ'), n('澪', 'ミオ'), n('咲良', 'サクラ'),
    n('美桜', 'ミオ'), n('心春', 'コハル'), n('さくら', 'サクラ'), n('陽菜', 'ヒナ'), n('杏', 'アン'),
    n('彩葉', 'イロハ'), n('詩', 'ウタ'), n('琴音', 'コトネ'), n('楓', 'カエデ'), n('花', 'ハナ'),
    n('日葵', 'ヒマリ'), n('柚葉', 'ユズハ'), n('実桜', 'ミオ'), n('千紗', 'チサ'),
  ]),
};

/**
 * Names of foreign-born residents. The resident register holds their names as written in
 * their own script (Latin letters here, kanji for Chinese and Korean residents) with a
 * katakana reading; given names may contain a full-width space, U+3000 (ヴァン\u3000ミン).
 */
export interface ForeignNameSet {
  /** ISO 3166 alpha-2 code of the nationality (tax treaties differ by country). */
  readonly country: string;
  readonly family: readonly Name[];
  readonly male: readonly Name[];
  readonly female: readonly Name[];
}

export const FOREIGN_NAME_SETS = new WeightedTable<ForeignNameSet>([
  [{ // Vietnam
    country: 'VN',
    family: [n('NGUYEN', 'グエン'), n('TRAN', 'チャン'), n('LE', 'レ'), n('PHAM', 'ファム'), n('HOANG', 'ホアン'), n('VU', 'ヴー')],
    male: [n('VAN MINH', 'ヴァン\u3000ミン'), n('VAN NAM', 'ヴァン\u3000ナム'), n('DUC', 'ドゥック'), n('HUNG', 'フン'), n('QUANG', 'クアン'), n('TUAN', 'トゥアン')],
    female: [n('THI LAN', 'ティ\u3000ラン'), n('THI HUONG', 'ティ\u3000フオン'), n('HOA', 'ホア'), n('LINH', 'リン'), n('MAI', 'マイ'), n('THU', 'トゥー')],
  }, 35],
  [{ // China
    country: 'CN',
    family: [n('王', 'ワン'), n('李', 'リ'), n('張', 'チャン'), n('劉', 'リュウ'), n('陳', 'チン')],
    male: [n('偉', 'ウェイ'), n('磊', 'レイ'), n('軍', 'ジュン'), n('浩然', 'ハオラン'), n('子軒', 'ズーシュエン'), n('宇航', 'ユーハン')],
    female: [n('静', 'ジン'), n('麗', 'リー'), n('芳', 'ファン'), n('娜', 'ナー'), n('梓涵', 'ズーハン'), n('欣怡', 'シンイー')],
  }, 30],
  [{ // Korea
    country: 'KR',
    family: [n('金', 'キム'), n('李', 'イ'), n('朴', 'パク'), n('崔', 'チェ'), n('鄭', 'チョン')],
    male: [n('民俊', 'ミンジュン'), n('成浩', 'ソンホ'), n('俊秀', 'ジュンス'), n('志勲', 'ジフン'), n('賢宇', 'ヒョヌ'), n('道允', 'ドユン')],
    female: [n('智妍', 'ジヨン'), n('秀賢', 'スヒョン'), n('恩英', 'ウニョン'), n('瑞妍', 'ソヨン'), n('河恩', 'ハウン'), n('知友', 'ジウ')],
  }, 15],
  [{ // Philippines
    country: 'PH',
    family: [n('SANTOS', 'サントス'), n('REYES', 'レイエス'), n('CRUZ', 'クルス'), n('MENDOZA', 'メンドーサ')],
    male: [n('JOHN', 'ジョン'), n('MARK', 'マーク'), n('JOSE', 'ホセ'), n('CARLO', 'カルロ'), n('MIGUEL', 'ミゲル'), n('PAOLO', 'パオロ')],
    female: [n('MARICEL', 'マリセル'), n('JASMINE', 'ジャスミン'), n('ROWENA', 'ロウェナ'), n('ANGELICA', 'アンジェリカ'), n('KRISTINE', 'クリスティン'), n('JOY', 'ジョイ')],
  }, 10],
  [{ // Brazil
    country: 'BR',
    family: [n('SILVA', 'シルバ'), n('OLIVEIRA', 'オリヴェイラ'), n('SOUZA', 'ソウザ'), n('PEREIRA', 'ペレイラ')],
    male: [n('PAULO', 'パウロ'), n('PEDRO', 'ペドロ'), n('LUCAS', 'ルーカス'), n('MATEUS', 'マテウス'), n('GABRIEL', 'ガブリエル'), n('RAFAEL', 'ハファエル')],
    female: [n('MARIA', 'マリア'), n('VICTORIA', 'ヴィクトリア'), n('JULIANA', 'ジュリアナ'), n('ANA', 'アナ'), n('BEATRIZ', 'ベアトリス'), n('LARISSA', 'ラリッサ')],
  }, 10],
]);

/** Every kana string the lists can produce, for tests. */
export function allKana(): string[] {
  const out: string[] = [];
  for (const name of FAMILY_NAMES.items) out.push(name.kana);
  for (const tables of [MALE_GIVEN_NAMES, FEMALE_GIVEN_NAMES]) {
    for (const t of Object.values(tables)) for (const name of t.items) out.push(name.kana);
  }
  for (const set of FOREIGN_NAME_SETS.items) {
    for (const name of [...set.family, ...set.male, ...set.female]) out.push(name.kana);
  }
  return out;
}
