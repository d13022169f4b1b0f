import i18next from 'i18next';
import { en } from './catalogues/en.js';
import { zhCN } from './catalogues/zh-CN.js';
import { LOCALES } from '../../contracts/enums.js';

export const locales = LOCALES;
export type Locale = (typeof locales)[number];

const i18n = i18next.createInstance();
await i18n.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  fallbackLng: 'en',
  supportedLngs: [...locales],
  interpolation: { escapeValue: false }, // pages escape at render time; mail bodies are plain text
  initImmediate: false,
  showSupportNotice: false,
} as Parameters<typeof i18n.init>[0]);

export type { Widen } from './catalogues/widen.js';

/**
 * Adds a module's strings under its own key (`t('<namespace>.…')`); the platform merges every
 * module's catalogues at start (src/services.ts).
 */
export function addCatalogues(namespace: string, strings: Record<Locale, object>): void {
  for (const locale of locales) i18n.addResourceBundle(locale, 'translation', { [namespace]: strings[locale] }, true, true);
}

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

export function translator(locale: Locale): Translate {
  const t = i18n.getFixedT(locale) as unknown as (key: string, vars?: Record<string, unknown>) => string;
  return (key, vars) => t(key, vars);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/**
 * The user's own setting wins; else the best Accept-Language match (any zh-* reads Simplified
 * Chinese, any en-* English, by q-weight); else the workspace default.
 */
export function chooseLocale(setting: string | null | undefined, acceptLanguage: string | undefined, fallback: Locale): Locale {
  if (isLocale(setting)) return setting;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return fallback;
}
