/**
 * Spam and bulk scoring of a new ticket, and the duplicate test (issue 14, item 5). Pure: the
 * service reads the mail's header fields and the workspace's settings and hands them in.
 *
 * Each signal adds points; at or above the workspace's threshold (default 5) the ticket is parked
 * as spam. The weights make one strong sign of bulk mail (list headers, Precedence: bulk) short of
 * the default on its own, since newsletters people answer are mail a team may want; two signs, or
 * spam words with many links, reach it. A sender on the blocklist is spam whatever else it says.
 */

export interface SpamInput {
  subject: string;
  body: string;
  /** The sender's address, lower case; null when unknown (a web form without an address). */
  sender: string | null;
  /** The mail's header fields, names in lower case; undefined for tickets that came by no mail. */
  headers: ReadonlyMap<string, string> | undefined;
  blocklist: readonly string[];
}

export interface SpamScore {
  score: number;
  /** Which signals counted, e.g. ['list-headers', 'spam-words:中奖'], for the agent and the record. */
  signals: string[];
}

/** Far above any threshold an admin can choose (at most 20): a blocked sender is always spam. */
const BLOCKED = 100;
const WEIGHTS = { listHeaders: 3, precedence: 3, autoSubmitted: 2, manyRecipients: 2, links: 2, spamWord: 1 } as const;
/** Spam words count one point each, up to this many. */
const MAX_SPAM_WORD_POINTS = 4;
const MANY_RECIPIENTS = 10;
/** Links per word of text above which a message is mostly links (and at least this many links). */
const LINKS_PER_WORD = 0.1;
const MIN_LINKS = 3;

/**
 * Phrases of unsolicited mail seen in both languages. Chinese ones are whole phrases (代开发票, not
 * 发票: a customer asking about an invoice is no spammer); English ones match as whole words.
 */
const SPAM_WORDS_EN = [
  'lottery', 'you have won', 'claim your prize', 'viagra', 'casino', 'free money', 'act now', 'limited time offer', '100% free',
  'double your income', 'work from home', 'crypto investment', 'wire transfer fee', 'no credit check', 'click here',
];
const SPAM_WORDS_ZH = ['中奖', '彩票', '代开发票', '博彩', '赌场', '刷单', '兼职日结', '无抵押贷款', '免费领取', '点击领取', '加微信', '稳赚', '返利'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ENGLISH = SPAM_WORDS_EN.map((phrase) => ({ phrase, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(phrase)}(?![\\p{L}\\p{N}])`, 'iu') }));

/** Whether the sender, or its domain or a parent domain of it, is on the list. */
export function blocked(sender: string | null, blocklist: readonly string[]): boolean {
  if (!sender) return false;
  const list = new Set(blocklist);
  if (list.has(sender)) return true;
  const labels = (sender.split('@')[1] ?? '').split('.');
  return labels.some((_, i) => i < labels.length - 1 && list.has(labels.slice(i).join('.')));
}

/** How many addresses a header field such as To or Cc names (groups and display names aside). */
function addressCount(value: string | undefined): number {
  return value ? (value.match(/[^\s<>,;:"]+@[^\s<>,;:"]+/g) ?? []).length : 0;
}

export function spamScore(input: SpamInput): SpamScore {
  const signals: string[] = [];
  let score = 0;
  const add = (signal: string, points: number) => { signals.push(signal); score += points; };
  if (blocked(input.sender, input.blocklist)) add('blocklist', BLOCKED);
  const h = input.headers;
  if (h) {
    if (h.has('list-unsubscribe') || h.has('list-id')) add('list-headers', WEIGHTS.listHeaders);
    const precedence = h.get('precedence')?.trim().toLowerCase();
    if (precedence && ['bulk', 'junk', 'list'].includes(precedence)) add(`precedence-${precedence}`, WEIGHTS.precedence);
    const autoSubmitted = h.get('auto-submitted')?.trim().toLowerCase();
    if (autoSubmitted && autoSubmitted !== 'no') add('auto-submitted', WEIGHTS.autoSubmitted);
    if (addressCount(h.get('to')) + addressCount(h.get('cc')) >= MANY_RECIPIENTS) add('many-recipients', WEIGHTS.manyRecipients);
  }
  const text = `${input.subject}\n${input.body}`;
  const links = (text.match(/\bhttps?:\/\/[^\s<>"]+/gi) ?? []).length;
  // A run of Chinese characters is one "word" to \p{L}+: count its characters by two, as words of two.
  const words = text.replace(/\bhttps?:\/\/[^\s<>"]+/gi, ' ').match(/\p{Script=Han}|[\p{L}\p{N}]+/gu)?.reduce((n, w) => n + (/\p{Script=Han}/u.test(w) ? 0.5 : 1), 0) ?? 0;
  if (links >= MIN_LINKS && links / Math.max(words, 1) >= LINKS_PER_WORD) add('links', WEIGHTS.links);
  const found = [...ENGLISH.filter((w) => w.pattern.test(text)).map((w) => w.phrase), ...SPAM_WORDS_ZH.filter((w) => text.includes(w))];
  found.slice(0, MAX_SPAM_WORD_POINTS).forEach((word) => add(`spam-words:${word}`, WEIGHTS.spamWord));
  return { score, signals };
}

/** Text compared for duplicates: case, spacing and punctuation aside, so a re-sent form or mail matches. */
export function duplicateText(subject: string, body: string): string {
  return `${subject}\n${body}`.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
