import type { ConsoleArea } from '../area.js';
import { HomePage } from './home-page.js';

// Home is where every session starts, so it ships in the main bundle rather than a lazy chunk.
export const homeArea: ConsoleArea = {
  key: 'home',
  path: '/',
  icon: 'home',
  Page: HomePage,
};
