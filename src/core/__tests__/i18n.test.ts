import { describe, expect, it } from 'vitest';
import { chooseLocale, translator } from '../i18n/index.js';
import { en } from '../i18n/catalogues/en.js';
import { zhCN } from '../i18n/catalogues/zh-CN.js';

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('i18n', () => {
  it('has the same keys in both catalogues, none left empty', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
    for (const key of keys(zhCN)) expect(translator('zh-CN')(key), key).not.toBe('');
  });

  it('translates with variables', () => {
    expect(translator('zh-CN')('account.welcome', { name: '张伟' })).toBe('欢迎，张伟');
    expect(translator('en')('account.welcome', { name: 'Sam' })).toBe('Welcome, Sam');
  });

  it('prefers the user setting, then Accept-Language by weight, then the workspace default', () => {
    expect(chooseLocale('en', 'zh-CN,zh;q=0.9', 'zh-CN')).toBe('en');
    expect(chooseLocale(null, 'fr;q=1, en-GB;q=0.4, zh-TW;q=0.8', 'en')).toBe('zh-CN');
    expect(chooseLocale(null, 'de-DE', 'zh-CN')).toBe('zh-CN');
    expect(chooseLocale('klingon', undefined, 'en')).toBe('en');
  });
});
