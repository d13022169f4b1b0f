import type { Widen } from './widen.js';

/** The help centre: portal pages, search, troubleshooting trees, subscriptions. */
export const en = {
  title: 'Help centre',
};

export const zhCN: Widen<typeof en> = {
  title: '帮助中心',
};
