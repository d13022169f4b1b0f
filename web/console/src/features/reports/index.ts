import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const reportsArea: ModuleArea = {
  key: 'reports',
  path: '/reports',
  icon: 'reports',
  Page: lazy(() => import('./reports-page.js').then((m) => ({ default: m.ReportsPage }))),
};
