import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../locales/en.json' with { type: 'json' };
import zhCN from '../locales/zh-CN.json' with { type: 'json' };
import chatEn from '../features/chat/locales/en.json' with { type: 'json' };
import chatZhCN from '../features/chat/locales/zh-CN.json' with { type: 'json' };
import helpCentreEn from '../features/help-centre/locales/en.json' with { type: 'json' };
import helpCentreZhCN from '../features/help-centre/locales/zh-CN.json' with { type: 'json' };
import treesEn from '../features/help-centre/trees/locales/en.json' with { type: 'json' };
import treesZhCN from '../features/help-centre/trees/locales/zh-CN.json' with { type: 'json' };
import settingsEn from '../features/settings/locales/en.json' with { type: 'json' };
import settingsZhCN from '../features/settings/locales/zh-CN.json' with { type: 'json' };
import customersEn from '../features/customers/locales/en.json' with { type: 'json' };
import customersZhCN from '../features/customers/locales/zh-CN.json' with { type: 'json' };

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

// Feature folders own their strings (`chat.*`, `helpCentre.*`, `trees.*`, `settings.*`, `customers.*`) beside the shell's.
const enCatalogue = { ...en, chat: chatEn, helpCentre: helpCentreEn, trees: treesEn, settings: settingsEn, customers: customersEn };
// The type annotation makes `tsc` fail when the Chinese catalogue lacks a key of the English one.
const zhCatalogue: typeof enCatalogue = { ...zhCN, chat: chatZhCN, helpCentre: helpCentreZhCN, trees: treesZhCN, settings: settingsZhCN, customers: customersZhCN };

export const resources = {
  en: { translation: enCatalogue },
  'zh-CN': { translation: zhCatalogue },
} as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof enCatalogue };
  }
}

const STORAGE_KEY = 'kefu.console.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Maps a BCP 47 tag (navigator.language, a stored choice) to a console locale, or null. */
export function toLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const lower = tag.toLowerCase();
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  // Simplified Chinese is the only Chinese catalogue; zh-TW readers are closer to it than to English.
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  return null;
}

/** The language before anyone signs in: the last choice made here, else the browser's languages. */
export function pickInitialLocale(stored: string | null, browser: readonly string[]): Locale {
  const fromStore = toLocale(stored);
  if (fromStore) return fromStore;
  for (const tag of browser) {
    const locale = toLocale(tag);
    if (locale) return locale;
  }
  return 'en';
}

function readStoredLocale(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (privacy mode): fall back to the browser's languages
  }
}

/** Remembers the language on this device, so the sign-in page after a sign-out keeps it. */
export function rememberLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not fatal: the agent's saved preference still applies after sign-in.
  }
}

export function createI18n(): i18n {
  const browser = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  const instance = i18next.createInstance();
  instance.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  void instance.use(initReactI18next).init({
    resources,
    lng: pickInitialLocale(readStoredLocale(), browser),
    fallbackLng: 'en',
    supportedLngs: LOCALES,
    load: 'currentOnly',
    initAsync: false, // resources are bundled: initialise synchronously, before the first render
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  return instance;
}
