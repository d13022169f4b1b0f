import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const customersArea: ModuleArea = {
  key: 'customers',
  path: '/customers',
  icon: 'customers',
  Page: lazy(() => import('./customers-page.js').then((m) => ({ default: m.CustomersPage }))),
};
