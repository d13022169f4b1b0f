import { lazy } from 'react';
import type { ModuleArea } from '../area.js';

export const helpCentreArea: ModuleArea = {
  key: 'helpCentre',
  path: '/help-centre',
  icon: 'helpCentre',
  Page: lazy(() => import('./help-centre-page.js').then((m) => ({ default: m.HelpCentrePage }))),
};
