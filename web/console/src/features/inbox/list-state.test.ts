import { describe, expect, it } from 'vitest';
import { initialListState, listReducer, neighbour, type ListState } from './list-state.js';
import { DEFAULT_FILTERS, type Ticket } from './tickets-api.js';

const ticket = (n: number, over: Partial<Ticket> = {}): Ticket => ({
  id: `id-${n}`, number: n, subject: `Ticket ${n}`, status: 'new', urgency: 1, departmentId: null, assigneeId: null,
  customerId: 'c', channel: 'web', tags: [], mergedIntoId: null, firstResponseAt: null, firstResponseDueAt: null,
  nextResponseDueAt: null, resolutionDueAt: null, solvedAt: null, csat: null, senderVerification: 'verified', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

const loaded = (tickets: Ticket[]): ListState =>
  listReducer(initialListState(DEFAULT_FILTERS), { type: 'loaded', tickets, nextCursor: 'next' });

describe('inbox list state', () => {
  it('appends further pages without repeating a ticket', () => {
    const state = listReducer(loaded([ticket(3), ticket(2)]), { type: 'moreLoaded', tickets: [ticket(2), ticket(1)], nextCursor: null });
    expect(state.tickets.map((t) => t.number)).toEqual([3, 2, 1]);
    expect(state.nextCursor).toBeNull();
  });

  it('marks tickets that arrive with a live refresh and keeps the agent\'s place', () => {
    let state = loaded([ticket(3), ticket(2), ticket(1)]);
    state = listReducer(state, { type: 'activate', id: 'id-2' });
    state = listReducer(state, { type: 'select', id: 'id-1', selected: true });
    state = listReducer(state, { type: 'refreshed', tickets: [ticket(4), ticket(3), ticket(2), ticket(1)], nextCursor: null });
    expect(state.fresh).toEqual(['id-4']);
    expect(state.activeId).toBe('id-2');
    expect(state.selected).toEqual(['id-1']);
  });

  it('moves focus to the next row when the focused ticket leaves the list', () => {
    let state = listReducer(loaded([ticket(3), ticket(2), ticket(1)]), { type: 'activate', id: 'id-2' });
    state = listReducer(state, { type: 'select', id: 'id-2', selected: true });
    state = listReducer(state, { type: 'refreshed', tickets: [ticket(3), ticket(1)], nextCursor: null });
    expect(state.activeId).toBe('id-1');
    expect(state.selected).toEqual([]);
  });

  it('ignores a refresh that lands while the list is loading new filters', () => {
    const state = initialListState(DEFAULT_FILTERS);
    expect(listReducer(state, { type: 'refreshed', tickets: [ticket(1)], nextCursor: null })).toBe(state);
  });

  it('patches a listed ticket from an event', () => {
    const state = listReducer(loaded([ticket(1)]), { type: 'patch', ticket: { id: 'id-1', status: 'solved', urgency: 4 } });
    expect(state.tickets[0]).toMatchObject({ status: 'solved', urgency: 4, subject: 'Ticket 1' });
  });

  it('moves with j/k within the list\'s bounds', () => {
    let state = loaded([ticket(3), ticket(2), ticket(1)]);
    state = listReducer(state, { type: 'move', by: 1 });
    expect(state.activeId).toBe('id-3');
    state = listReducer(state, { type: 'move', by: -1 });
    expect(state.activeId).toBe('id-3');
    state = listReducer(listReducer(listReducer(state, { type: 'move', by: 1 }), { type: 'move', by: 1 }), { type: 'move', by: 1 });
    expect(state.activeId).toBe('id-1');
    expect(neighbour(state.tickets, 'id-2', 1)?.number).toBe(1);
    expect(neighbour(state.tickets, 'id-1', 1)).toBeNull();
  });

  it('selects all shown tickets and clears', () => {
    let state = listReducer(loaded([ticket(2), ticket(1)]), { type: 'selectAll', selected: true });
    expect(state.selected).toEqual(['id-2', 'id-1']);
    state = listReducer(state, { type: 'clearSelection' });
    expect(state.selected).toEqual([]);
  });
});
