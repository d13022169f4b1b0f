import type { Widen } from './widen.js';

/** Live chat: the widget, queue announcements, transcripts. */
export const en = {
  title: 'Live chat',
};

export const zhCN: Widen<typeof en> = {
  title: '在线客服',
};
