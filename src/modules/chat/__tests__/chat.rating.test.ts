import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import type { DomainEvent } from '../../../core/events/index.js';
import type { ChatMetrics, ConversationView, Wallboard } from '../../../contracts/chat.js';
import { answeredChat, chatWorkspace, ok, startChat, useChatServer, waitFor } from './chat.harness.js';

/**
 * The visitor's rating after a chat: once per conversation, only once an agent's chat has ended and
 * within the window, with the visitor's own token; the agent sees it, the figures count it and
 * webhooks hear `chat.rated`.
 */
let t: TestApp;
let url: string;
const track = useChatServer((server) => { t = server.test; url = server.url; });

const answered = () => answeredChat(t, url, track);

const rate = (conversationId: string, token: string | undefined, payload: Record<string, unknown> | string) => t.app.http.inject({
  method: 'POST', url: `/api/v1/chat/conversations/${conversationId}/rating${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  ...(typeof payload === 'string' ? { payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : { payload }),
});

describe('rating a chat', () => {
  it('takes one rating after the agent ended the chat: the agent sees it, the figures count it, webhooks hear it', async () => {
    const { setup, ann, agent, conversation, token } = await answered();
    const heard: DomainEvent<'chat.rated'>[] = [];
    const stop = t.bus.subscribe('chat.rated', (event) => { if (event.workspaceId === setup.workspace.id) heard.push(event); });
    try {
      expect((await rate(conversation.id, token, { score: 5 })).json().error.code).toBe('CONVERSATION_ACTIVE');
      await ok(agent, 'agent:end', { conversationId: conversation.id });

      // Bad input changes nothing.
      for (const bad of [{ score: 0 }, { score: 6 }, { score: 2.5 }, { score: 'great' }, {}, { score: 4, comment: 'x'.repeat(1001) }, { score: 4, extra: true }]) {
        const refused = await rate(conversation.id, token, bad);
        expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      }
      const stored = async () => (await t.app.http.inject({ url: `/api/v1/chat/conversations/${conversation.id}`, headers: { cookie: ann.cookie } })).json().conversation as ConversationView;
      expect((await stored()).rating).toBeNull();

      // The widget sends a form with the token in the query (no CORS preflight).
      const rated = await rate(conversation.id, token, 'score=4&comment=Quick+and+kind');
      expect(rated.statusCode).toBe(201);
      expect(rated.json().rating).toMatchObject({ score: 4, comment: 'Quick and kind' });
      expect((await stored()).rating).toMatchObject({ score: 4, comment: 'Quick and kind' });
      await waitFor<ConversationView>(agent, 'chat:state', (c) => c.id === conversation.id && c.rating?.score === 4);

      const again = await rate(conversation.id, token, { score: 1 });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('ALREADY_RATED');
      expect((await stored()).rating?.score).toBe(4);

      const day = { from: new Date(Date.parse(conversation.queuedAt) - 60_000).toISOString(), to: new Date(t.clock.now().getTime() + 60_000).toISOString() };
      const metrics = (await t.app.http.inject({ url: `/api/v1/chat/metrics?from=${day.from}&to=${day.to}`, headers: { cookie: ann.cookie } })).json<ChatMetrics>();
      expect(metrics).toMatchObject({ answered: 1, rated: 1, averageRating: 4 });
      const mine = (await t.app.http.inject({ url: `/api/v1/chat/metrics?from=${day.from}&to=${day.to}&agentId=${ann.id}`, headers: { cookie: ann.cookie } })).json<ChatMetrics>();
      expect(mine).toMatchObject({ rated: 1, averageRating: 4 });
      const board = (await t.app.http.inject({ url: '/api/v1/chat/wallboard', headers: { cookie: ann.cookie } })).json<Wallboard>();
      expect(board).toMatchObject({ ratedToday: 1, averageRatingToday: 4 });

      await t.jobs.drain();
      expect(heard.map((e) => e.payload)).toEqual([{ conversationId: conversation.id, ticketId: conversation.ticketId, agentId: ann.id, rating: 4, hasComment: true }]);
    } finally {
      stop();
    }
  });

  it('refuses a rating without the chat\'s own token, and another workspace\'s chat is not found', async () => {
    const one = await answered();
    const two = await answered();
    await ok(one.agent, 'agent:end', { conversationId: one.conversation.id });
    await ok(two.agent, 'agent:end', { conversationId: two.conversation.id });
    expect((await rate(one.conversation.id, undefined, { score: 5 })).json().error.code).toBe('TOKEN_INVALID');
    expect((await rate(one.conversation.id, `${one.token}x`, { score: 5 })).json().error.code).toBe('TOKEN_INVALID');
    // The other workspace's visitor names this chat: their token opens only their own.
    const foreign = await rate(one.conversation.id, two.token, { score: 1 });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('CONVERSATION_NOT_FOUND');
    const view = (await t.app.http.inject({ url: `/api/v1/chat/conversations/${one.conversation.id}`, headers: { cookie: one.ann.cookie } })).json().conversation as ConversationView;
    expect(view.rating).toBeNull();
  });

  it('closes the rating a day after the end, and for chats no agent answered', async () => {
    const late = await answered();
    await ok(late.agent, 'agent:end', { conversationId: late.conversation.id });
    t.clock.set(new Date(Date.now() + 25 * 3_600_000));
    try {
      const refused = await rate(late.conversation.id, late.token, { score: 3 });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('RATING_CLOSED');
    } finally {
      t.clock.reset();
    }

    const { workspace } = await chatWorkspace(t);
    const unanswered = await startChat(url, workspace.slug, 'Wen');
    track(unanswered.visitor);
    expect(['offline', 'abandoned']).toContain((await ok<{ conversation: ConversationView }>(unanswered.visitor, 'chat:end', {})).conversation.status);
    expect((await rate(unanswered.conversation.id, unanswered.token, { score: 1 })).json().error.code).toBe('RATING_CLOSED');
  });
});
