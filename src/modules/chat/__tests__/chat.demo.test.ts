import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { createDemoApp } from '../../../../test/helpers/demo.js';

let t: TestApp;
let workspaceId: string;
beforeAll(async () => { ({ t, workspaceId } = await createDemoApp()); });
afterAll(async () => { await t?.close(); });

describe('the demo workspace', () => {
  it('has a chat an agent answered and the visitor rated, counted on the wallboard, and every agent offline again', async () => {
    const rated = await t.database.db.selectFrom('chat_sessions').select(['id', 'status', 'rating', 'rating_comment', 'answered_by'])
      .where('workspace_id', '=', workspaceId).where('rating', 'is not', null).execute();
    expect(rated).toMatchObject([{ status: 'ended', rating: 5, rating_comment: 'Fast and clear, solved in two minutes.' }]);
    const { conversation, messages } = await t.services.chat.log.conversation(workspaceId, rated[0]!.id);
    expect(conversation.rating).toMatchObject({ score: 5 });
    expect(messages.map((m) => m.author.type)).toEqual(expect.arrayContaining(['visitor', 'agent', 'system']));
    expect(await t.services.chat.metrics.wallboard(workspaceId)).toMatchObject({ ratedToday: 1, averageRatingToday: 5, waiting: 0 });
    expect((await t.services.routing.agents(workspaceId)).filter((a) => a.availability !== 'offline')).toEqual([]);
  });
});
