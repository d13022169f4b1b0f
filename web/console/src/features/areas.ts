import type { ConsoleArea } from './area.js';
import { homeArea } from './home/index.js';
import { moduleAreas } from './module-areas.js';

/** Everything in the navigation: home first, then the modules' areas. */
export const areas: readonly ConsoleArea[] = [homeArea, ...moduleAreas];

/** The area that owns a console path, or undefined (the shell then shows "page not found"). */
export function findArea(path: string): ConsoleArea | undefined {
  return areas.find((area) =>
    area.path === '/' ? path === '/' : path === area.path || path.startsWith(`${area.path}/`),
  );
}
