import { describe, expect, it } from 'vitest';
import { parseSession } from './auth.js';

const body = {
  agent: { id: 'a1', name: 'Ada', email: 'ada@example.com', role: 'admin', locale: 'zh-CN' },
  workspace: { id: 'w1', name: 'Acme', slug: 'acme' },
  csrfToken: 'token',
};

describe('session bodies from the server', () => {
  it('accepts the login/me shape', () => {
    expect(parseSession(body)).toEqual(body);
  });

  it('rejects a body without a CSRF token or with an unknown role', () => {
    expect(parseSession({ ...body, csrfToken: undefined })).toBeNull();
    expect(parseSession({ ...body, agent: { ...body.agent, role: 'root' } })).toBeNull();
    expect(parseSession(null)).toBeNull();
  });

  it('reads a missing or unknown locale as "no preference"', () => {
    expect(parseSession({ ...body, agent: { ...body.agent, locale: null } })?.agent.locale).toBeNull();
    expect(parseSession({ ...body, agent: { ...body.agent, locale: 'fr' } })?.agent.locale).toBeNull();
  });

  it('accepts the extra workspace fields the server sends', () => {
    const session = parseSession({ ...body, workspace: { ...body.workspace, defaultLocale: 'en', timeZone: 'UTC' } });
    expect(session?.workspace).toEqual(body.workspace);
  });
});
