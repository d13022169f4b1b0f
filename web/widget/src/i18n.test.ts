import { describe, expect, it } from 'vitest';
import { pickLocale, translator } from './i18n.js';

describe('the widget language', () => {
  it('takes data-locale first, then the browser languages, then English', () => {
    expect(pickLocale('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLocale('en', ['zh-CN'])).toBe('en');
    expect(pickLocale(null, ['fr-FR', 'zh-TW', 'en'])).toBe('zh-CN');
    expect(pickLocale('', ['en-GB'])).toBe('en');
    expect(pickLocale('de', ['fr'])).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translator('en')('queued', { position: 3 })).toBe('You are number 3 in line.');
    expect(translator('zh-CN')('queued', { position: 3 })).toBe('您当前排在第 3 位。');
    expect(translator('en')('typing')).toBe('{name} is typing…');
  });
});
