import { describe, expect, it } from 'vitest';
import { pickInitialLocale, resources, toLocale } from './i18n.js';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

describe('console locales', () => {
  it('maps browser language tags to a console locale', () => {
    expect(toLocale('zh-CN')).toBe('zh-CN');
    expect(toLocale('zh')).toBe('zh-CN');
    expect(toLocale('zh-Hant-TW')).toBe('zh-CN');
    expect(toLocale('en-GB')).toBe('en');
    expect(toLocale('fr-FR')).toBeNull();
    expect(toLocale(undefined)).toBeNull();
  });

  it('starts from the stored choice, then the first supported browser language, then English', () => {
    expect(pickInitialLocale('en', ['zh-CN'])).toBe('en');
    expect(pickInitialLocale(null, ['fr-FR', 'zh-CN', 'en'])).toBe('zh-CN');
    expect(pickInitialLocale('garbage', ['de'])).toBe('en');
  });

  it('has the same keys in both catalogues, none of them empty', () => {
    const en = keys(resources.en.translation).sort();
    expect(keys(resources['zh-CN'].translation).sort()).toEqual(en);
    for (const catalogue of [resources.en.translation, resources['zh-CN'].translation]) {
      const flat = JSON.stringify(catalogue);
      expect(flat).not.toMatch(/:""/);
    }
  });
});
