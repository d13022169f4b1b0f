import { describe, expect, it } from 'vitest';
import { PRESETS, filtersFromSearch, filtersToSearch, sameFilters, statusChoice, statusesFor, ticketNumberOf, urgencyPreset } from './inbox-filters.js';
import { DEFAULT_FILTERS, filtersFromSaved, inboxQuery, savedFilters, type InboxFilters } from './tickets-api.js';

const filters = (over: Partial<InboxFilters>): InboxFilters => ({ ...DEFAULT_FILTERS, status: [...DEFAULT_FILTERS.status], ...over });

describe('inbox filters', () => {
  it('round-trips through the address bar, the default being no query at all', () => {
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe('');
    expect(filtersFromSearch('')).toEqual(DEFAULT_FILTERS);
    const custom = filters({ view: 'all', status: [], urgency: [4, 3], departmentId: ['6f1c2a3e-0000-4000-8000-000000000001'], tag: 'p200', q: '卡纸', sort: 'due' });
    expect(filtersFromSearch(filtersToSearch(custom))).toEqual(custom);
  });

  it('tells "any status" apart from the default unsolved statuses', () => {
    const any = filters({ view: 'mine', status: [] });
    expect(filtersToSearch(any)).toContain('status=');
    expect(filtersFromSearch(filtersToSearch(any)).status).toEqual([]);
    expect(filtersFromSearch('?view=mine').status).toEqual(['new', 'open', 'pending', 'on_hold']);
  });

  it('drops what it does not know instead of sending it to the server', () => {
    const read = filtersFromSearch('?view=everything&status=open,archived&urgency=9,2&department=../x&sort=random');
    expect(read).toMatchObject({ view: 'mine', status: ['open'], urgency: [2], departmentId: [], sort: 'updated' });
  });

  it('compares filters by meaning, not order or case', () => {
    expect(sameFilters(filters({ status: ['open', 'new'] }), filters({ status: ['new', 'open'] }))).toBe(true);
    expect(sameFilters(filters({ tag: 'P200 ' }), filters({ tag: 'p200' }))).toBe(true);
    expect(sameFilters(filters({ view: 'all' }), filters({ view: 'mine' }))).toBe(false);
  });

  it('names the built-in views and the urgency views', () => {
    expect(PRESETS.map((p) => p.key)).toEqual(['mine', 'unassigned', 'team', 'all', 'breaching', 'spam']);
    expect(PRESETS.find((p) => p.key === 'spam')?.filters).toMatchObject({ view: 'all', status: [], tag: 'spam' });
    expect(PRESETS.find((p) => p.key === 'breaching')?.filters.sort).toBe('due');
    expect(urgencyPreset(4)).toMatchObject({ view: 'all', urgency: [4] });
  });

  it('maps the status list to the filter bar\'s single choice and back', () => {
    expect(statusChoice([])).toBe('any');
    expect(statusChoice(['on_hold', 'new', 'pending', 'open'])).toBe('unsolved');
    expect(statusChoice(['solved'])).toBe('solved');
    expect(statusChoice(['solved', 'closed'])).toBe('custom');
    expect(statusesFor('custom', ['solved', 'closed'])).toEqual(['solved', 'closed']);
    expect(statusesFor('any', ['open'])).toEqual([]);
  });

  it('builds the list query and the saved view body', () => {
    const custom = filters({ view: 'team', status: ['open', 'pending'], urgency: [3], tag: ' P200 ', q: '#42' });
    const query = new URLSearchParams(inboxQuery(custom, { cursor: 'abc', limit: 25 }));
    expect(query.getAll('status')).toEqual(['open', 'pending']);
    expect(query.get('tag')).toBe('p200');
    expect(query.get('q')).toBe('#42');
    expect(query.get('cursor')).toBe('abc');
    expect(query.get('limit')).toBe('25');
    expect(savedFilters(custom)).toEqual({ view: 'team', sort: 'updated', status: ['open', 'pending'], urgency: [3], tag: 'p200', q: '#42' });
    expect(filtersFromSaved(savedFilters(custom))).toEqual({ ...custom, tag: 'p200' });
  });

  it('reads ticket numbers from inbox paths', () => {
    expect(ticketNumberOf('/inbox')).toBeNull();
    expect(ticketNumberOf('/inbox/42')).toBe(42);
    expect(ticketNumberOf('/inbox/0')).toBe('invalid');
    expect(ticketNumberOf('/inbox/abc')).toBe('invalid');
    expect(ticketNumberOf('/inbox/42/x')).toBe('invalid');
  });
});
