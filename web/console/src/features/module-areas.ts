import type { ModuleArea } from './area.js';
import { chatArea } from './chat/index.js';
import { customersArea } from './customers/index.js';
import { helpCentreArea } from './help-centre/index.js';
import { inboxArea } from './inbox/index.js';
import { settingsArea } from './settings/index.js';

/** The areas each module brings, in navigation order. A new module adds its feature folder's area here. */
export const moduleAreas: readonly ModuleArea[] = [
  inboxArea,
  chatArea,
  helpCentreArea,
  customersArea,
  settingsArea,
];
