import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const inboxArea: ModuleArea = {
  key: 'inbox',
  path: '/inbox',
  icon: 'inbox',
  Page: lazy(() => import('./inbox-page.js').then((m) => ({ default: m.InboxPage }))),
};
