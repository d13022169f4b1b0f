import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../core/config.js';
import { bareMessageId, oneLine, parseMailbox, referencesChain, withoutReplyPrefix } from '../outbound.headers.js';
import { classifySmtpError } from '../outbound.transport.js';

describe('header values', () => {
  it('accepts one address, bare or named, and refuses anything that could add a header or a recipient', () => {
    expect(parseMailbox('Li.Na@Example.COM')).toEqual({ address: 'li.na@example.com' });
    expect(parseMailbox('"李娜" <li.na@example.com>')).toEqual({ address: 'li.na@example.com', name: '李娜' });
    expect(parseMailbox('Support Team <support@acme.example>')).toEqual({ address: 'support@acme.example', name: 'Support Team' });
    for (const bad of ['a@example.com\r\nBcc: x@evil.example', 'a@example.com\nx', 'a@example.com, b@example.com', 'a@b@example.com',
      'no-at-sign', '', '<>', 'a@-bad-.example', 'Name <a@example.com> <b@example.com>', 'a@example.com\0']) {
      expect(parseMailbox(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('folds free text to one line', () => {
    expect(oneLine('Hi\r\nBcc: x@evil.example\r\n\r\nbody')).toBe('Hi Bcc: x@evil.example body');
    expect(oneLine('tab\there\u2028sep')).toBe('tab here sep');
    expect(oneLine('x'.repeat(1000), 10)).toHaveLength(10);
  });

  it('keeps well-formed Message-IDs without brackets and drops the rest', () => {
    expect(bareMessageId('<abc@example.com>')).toBe('abc@example.com');
    expect(bareMessageId('abc@example.com')).toBe('abc@example.com');
    for (const bad of ['no-at', 'a b@example.com', 'a@example.com\r\nBcc: x', '<a@b>c@d>', '']) expect(bareMessageId(bad), bad).toBeUndefined();
  });

  it('trims long reference chains to the root and the latest ids, without repeats', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `m${i}@x`);
    const chain = referencesChain([...ids, 'm29@x']);
    expect(chain).toHaveLength(20);
    expect(chain[0]).toBe('m0@x');
    expect(chain.at(-1)).toBe('m29@x');
    expect(referencesChain(['a@x', 'b@x', 'a@x'])).toEqual(['a@x', 'b@x']);
  });

  it('strips reply prefixes in English and Chinese', () => {
    expect(withoutReplyPrefix('Re: RE: Fwd: Invoice')).toBe('Invoice');
    expect(withoutReplyPrefix('回复：答复: 发票')).toBe('发票');
    expect(withoutReplyPrefix('Regarding the invoice')).toBe('Regarding the invoice');
  });
});

describe('SMTP failures', () => {
  it('retries 4xx and network failures, gives up on 5xx and unbuildable messages', () => {
    expect(classifySmtpError({ responseCode: 451, response: '451 4.7.1 Greylisted', code: 'EENVELOPE' })).toEqual({ permanent: false, code: 451, response: '451 4.7.1 Greylisted' });
    expect(classifySmtpError({ responseCode: 550, response: '550 5.1.1 No such user', code: 'EENVELOPE' })).toMatchObject({ permanent: true, code: 550 });
    expect(classifySmtpError({ responseCode: 535, response: '535 Authentication failed', code: 'EAUTH' })).toMatchObject({ permanent: true });
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']) expect(classifySmtpError({ code, message: 'down' })).toMatchObject({ permanent: false, code: null });
    expect(classifySmtpError({ code: 'EMESSAGE', message: 'bad' })).toMatchObject({ permanent: true });
    expect(classifySmtpError(new Error('anything else'))).toMatchObject({ permanent: false, response: 'anything else' });
  });
});

describe('outbound settings', () => {
  it('reads the SMTP URL with its credentials, default ports and TLS mode', () => {
    expect(loadConfig({ KEFU_SMTP_URL: 'smtp://relay%40acme:p%3Ass@mail.acme.example' }).mailOutbound.smtp)
      .toEqual({ host: 'mail.acme.example', port: 587, secure: false, user: 'relay@acme', password: 'p:ss' });
    expect(loadConfig({ KEFU_SMTP_URL: 'smtps://mail.acme.example' }).mailOutbound.smtp).toMatchObject({ port: 465, secure: true, user: undefined });
    expect(loadConfig({}).mailOutbound).toMatchObject({ smtp: undefined, maxAttempts: 10, retryDelayMs: 60_000, dkim: undefined });
  });

  it('lists every bad outbound setting, and half a DKIM setting', () => {
    try {
      loadConfig({ KEFU_SMTP_URL: 'http://mail.example', KEFU_MAIL_FROM: 'a@example.com\r\nBcc: x@evil.example', KEFU_DKIM_DOMAIN: 'acme.example', KEFU_MAIL_MAX_ATTEMPTS: '0' });
      expect.unreachable();
    } catch (error) {
      const problems = (error as { details: string[] }).details.join('\n');
      for (const name of ['KEFU_SMTP_URL', 'KEFU_MAIL_FROM', 'KEFU_MAIL_MAX_ATTEMPTS', 'KEFU_DKIM_SELECTOR', 'KEFU_DKIM_PRIVATE_KEY_FILE']) expect(problems).toContain(name);
    }
  });
});
