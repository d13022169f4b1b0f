import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { createLogger } from '../../../core/logger.js';
import type { Wallboard } from '../../../contracts/chat.js';
import { ChatPush, type ChatNotifier } from '../chat.push.js';
import { addAgent, chatWorkspace, connectAgent, connected, settle, useChatServer, waitFor } from './chat.harness.js';

/** The wallboard is computed only for a workspace whose agents may see it, once per burst of changes. */

const log = createLogger('silent');
const COALESCE_MS = 400;

function recordingNotifier(listening: boolean) {
  const pushed: Wallboard[] = [];
  const notifier: ChatNotifier = {
    toVisitor: () => {}, toAgent: () => {},
    toAgents: (_workspaceId, event, ...args) => { if (event === 'wallboard') pushed.push(args[0] as Wallboard); },
    agentsListening: () => listening,
  };
  return { notifier, pushed };
}

describe('ChatPush.wallboardChanged', () => {
  it('computes nothing while no agent of the workspace listens', async () => {
    let computed = 0;
    const push = new ChatPush(async () => { computed++; return {} as Wallboard; }, log);
    push.wallboardChanged('w1'); // before any socket layer: the silent notifier
    const { notifier, pushed } = recordingNotifier(false);
    push.useNotifier(notifier);
    push.wallboardChanged('w1');
    await settle(COALESCE_MS);
    expect(computed).toBe(0);
    expect(pushed).toEqual([]);
    push.close();
  });

  it('pushes one board for a burst of changes when an agent listens', async () => {
    const boards: string[] = [];
    const push = new ChatPush(async (workspaceId) => { boards.push(workspaceId); return { waiting: boards.length } as unknown as Wallboard; }, log);
    const { notifier, pushed } = recordingNotifier(true);
    push.useNotifier(notifier);
    push.wallboardChanged('w1');
    push.wallboardChanged('w1');
    push.wallboardChanged('w1');
    await settle(COALESCE_MS);
    expect(boards).toEqual(['w1']);
    expect(pushed).toEqual([{ waiting: 1 }]);
    push.close();
  });
});

describe('the socket layer tells who listens', () => {
  let t: TestApp;
  let url: string;
  const track = useChatServer((server) => { t = server.test; url = server.url; });

  it('while an agent of the workspace is connected, and only that workspace', async () => {
    const setup = await chatWorkspace(t);
    const other = await chatWorkspace(t);
    const ann = await addAgent(t, setup.workspace, 'Ann');
    const { push } = t.services.chat;
    expect(push.agentsListening(setup.workspace.id)).toBe(false);

    const agent = track(connectAgent(url, ann.cookie));
    await connected(agent);
    expect(push.agentsListening(setup.workspace.id)).toBe(true);
    expect(push.agentsListening(other.workspace.id)).toBe(false);
    // A change now reaches the connected agent as a board.
    push.wallboardChanged(setup.workspace.id);
    await waitFor<Wallboard>(agent, 'wallboard');

    agent.socket.disconnect();
    for (let waited = 0; push.agentsListening(setup.workspace.id) && waited < 5000; waited += 20) await settle(20);
    expect(push.agentsListening(setup.workspace.id)).toBe(false);
  });
});
