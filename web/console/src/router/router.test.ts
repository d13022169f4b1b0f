import { describe, expect, it } from 'vitest';
import { isWithin, toConsolePath, toHref } from './router.js';

describe('console router paths', () => {
  it('reads the path below /agent, ignoring trailing slashes', () => {
    expect(toConsolePath('/agent')).toBe('/');
    expect(toConsolePath('/agent/')).toBe('/');
    expect(toConsolePath('/agent/inbox/42/')).toBe('/inbox/42');
    expect(toConsolePath('/agentx')).toBe('/');
  });

  it('builds hrefs under /agent', () => {
    expect(toHref('/')).toBe('/agent');
    expect(toHref('/customers')).toBe('/agent/customers');
  });

  it('treats sub-paths as within their area, but home only as itself', () => {
    expect(isWithin('/inbox/42', '/inbox')).toBe(true);
    expect(isWithin('/inboxes', '/inbox')).toBe(false);
    expect(isWithin('/inbox', '/')).toBe(false);
    expect(isWithin('/', '/')).toBe(true);
  });
});
