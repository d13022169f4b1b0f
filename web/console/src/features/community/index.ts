import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const communityArea: ModuleArea = {
  key: 'community',
  path: '/community',
  icon: 'community',
  Page: lazy(() => import('./community-page.js').then((m) => ({ default: m.CommunityPage }))),
};
