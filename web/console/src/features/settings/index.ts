import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const settingsArea: ModuleArea = {
  key: 'settings',
  path: '/settings',
  icon: 'settings',
  Page: lazy(() => import('./settings-page.js').then((m) => ({ default: m.SettingsPage }))),
};
