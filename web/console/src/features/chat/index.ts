import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const chatArea: ModuleArea = {
  key: 'chat',
  path: '/chat',
  icon: 'chat',
  Page: lazy(() => import('./chat-page.js').then((m) => ({ default: m.ChatPage }))),
};
