import { createRequire } from 'node:module';

type Pinyin = typeof import('pinyin-pro').pinyin;
let loaded: Pinyin | undefined;

/**
 * Toneless pinyin, one entry per character (other text as `nonZh` says). pinyin-pro's
 * dictionaries (some 15 MB once loaded) are read on the first call, not by every process that
 * imports a module using it: a server that indexes no Chinese title and makes no Chinese slug
 * never loads them.
 */
export function tonelessPinyin(text: string, options: { nonZh?: 'spaced' | 'consecutive' } = {}): string[] {
  loaded ??= (createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro')).pinyin;
  return loaded(text, { toneType: 'none', type: 'array', v: true, ...options });
}
