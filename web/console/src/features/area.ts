import type { ComponentType } from 'react';
import type { IconName } from '../components/icon.js';

/** The navigation keys (`nav.<key>` in the catalogues); each area has one. */
export type AreaKey = 'home' | 'inbox' | 'chat' | 'helpCentre' | 'customers' | 'settings';

/**
 * One entry of the console's navigation: what a feature folder exports from its `index.ts`.
 * The page owns every path at or below `path` (`/inbox/42` belongs to `/inbox`) and reads the
 * rest with `usePath()`.
 */
export interface ConsoleArea {
  key: AreaKey;
  /** Path below /agent: `/` for home, `/inbox`, … */
  path: string;
  icon: IconName;
  /** Usually `lazy(() => import('./x-page.js')…)`, so each area loads only when opened. */
  Page: ComponentType;
}

/** An area that a module fills (everything but home); its key also names `areas.<key>.description`. */
export interface ModuleArea extends ConsoleArea {
  key: Exclude<AreaKey, 'home'>;
}
