/** The widget's own strings (it ships without i18next: every byte is downloaded by every visitor). */

export type WidgetLocale = 'en' | 'zh-CN';

const en = {
  open: 'Chat with us',
  close: 'Close chat',
  title: 'Chat',
  intro: 'Tell us who you are and what it is about; an agent will join you.',
  name: 'Your name',
  email: 'E-mail',
  topic: 'Topic',
  topicAny: 'General question',
  firstMessage: 'How can we help?',
  start: 'Start chat',
  required: 'Please fill in this field.',
  invalidEmail: 'Please enter a valid e-mail address.',
  suggestionsTitle: 'These articles may answer your question',
  suggestionsSkip: 'No, talk to a person',
  suggestionsSolved: 'That solved it',
  queued: 'You are number {position} in line.',
  queuedWait: 'Estimated wait: about {minutes} min.',
  queuedSoon: 'An agent will be with you shortly.',
  messagePlaceholder: 'Type a message',
  send: 'Send',
  attach: 'Attach a file',
  uploading: 'Uploading {name}…',
  uploadFailed: 'The file could not be sent.',
  typing: '{name} is typing…',
  agentFallback: 'Agent',
  you: 'You',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent — will retry',
  reconnecting: 'Reconnecting…',
  transcript: 'E-mail me the transcript',
  transcriptSent: 'We sent a link to {email}: open it to receive the transcript.',
  offlineTitle: 'Leave a message',
  offlineIntro: 'Nobody is available right now. Leave a message and we will reply by e-mail.',
  closedIntro: 'Chat is closed outside our business hours; we open again {when}. Leave a message and we will reply by e-mail.',
  closedIntroNoTime: 'Chat is closed outside our business hours. Leave a message and we will reply by e-mail.',
  offlineSend: 'Send message',
  offlineThanks: 'Thank you. We received your message and will reply by e-mail (request #{number}).',
  offlineThanksNoNumber: 'Thank you. We received your message and will reply by e-mail.',
  newChat: 'Start a new chat',
  end: 'End chat',
  fileTooLarge: 'The file is too large (at most {size}).',
  error: 'Something went wrong. Please try again.',
  rateLimited: 'You are sending too fast; please wait a moment.',
  tooLong: 'The message is too long.',
  rateTitle: 'How was this chat?',
  rateScore: '{score} of 5',
  rateComment: 'Anything to add? (optional)',
  rateSend: 'Send rating',
  rateThanks: 'Thank you for your rating.',
  ALREADY_RATED: 'This chat has already been rated.',
  RATING_CLOSED: 'This chat can no longer be rated.',
} as const;

export type StringKey = keyof typeof en;
type Catalogue = Record<StringKey, string>;

const zhCN: Catalogue = {
  open: '在线客服',
  close: '关闭对话',
  title: '在线咨询',
  intro: '请留下您的称呼和问题，客服人员会尽快接入。',
  name: '您的称呼',
  email: '电子邮箱',
  topic: '咨询类别',
  topicAny: '一般咨询',
  firstMessage: '请问有什么可以帮您？',
  start: '开始咨询',
  required: '请填写此项。',
  invalidEmail: '请输入有效的电子邮箱地址。',
  suggestionsTitle: '以下文章也许能解答您的问题',
  suggestionsSkip: '不用了，转人工客服',
  suggestionsSolved: '问题已解决',
  queued: '您当前排在第 {position} 位。',
  queuedWait: '预计等待约 {minutes} 分钟。',
  queuedSoon: '客服人员马上就来。',
  messagePlaceholder: '请输入消息',
  send: '发送',
  attach: '发送文件',
  uploading: '正在上传 {name}…',
  uploadFailed: '文件发送失败。',
  typing: '{name} 正在输入…',
  agentFallback: '客服',
  you: '我',
  sending: '发送中',
  sent: '已发送',
  delivered: '已送达',
  read: '已读',
  failed: '未发送，稍后重试',
  reconnecting: '正在重新连接…',
  transcript: '将聊天记录发到我的邮箱',
  transcriptSent: '我们已向 {email} 发送一封确认邮件，打开其中的链接即可收到聊天记录。',
  offlineTitle: '留言',
  offlineIntro: '目前没有客服在线。请留言，我们会通过电子邮件回复您。',
  closedIntro: '现在不在在线客服的服务时间，我们将于{when}恢复服务。请留言，我们会通过电子邮件回复您。',
  closedIntroNoTime: '现在不在在线客服的服务时间。请留言，我们会通过电子邮件回复您。',
  offlineSend: '提交留言',
  offlineThanks: '谢谢！我们已收到您的留言，会通过电子邮件回复（工单 #{number}）。',
  offlineThanksNoNumber: '谢谢！我们已收到您的留言，会通过电子邮件回复。',
  newChat: '开始新的对话',
  end: '结束对话',
  fileTooLarge: '文件太大（最大 {size}）。',
  error: '出了点问题，请重试。',
  rateLimited: '发送太快了，请稍候。',
  tooLong: '消息太长了。',
  rateTitle: '您对本次服务满意吗？',
  rateScore: '{score} 分（满分 5 分）',
  rateComment: '还有什么想说的？（选填）',
  rateSend: '提交评价',
  rateThanks: '感谢您的评价。',
  ALREADY_RATED: '本次对话已经评价过了。',
  RATING_CLOSED: '本次对话已无法评价。',
};

const catalogues: Record<WidgetLocale, Catalogue> = { en, 'zh-CN': zhCN };

/** `data-locale` wins; else the first browser language we have; else English. */
export function pickLocale(attribute: string | null | undefined, browser: readonly string[]): WidgetLocale {
  for (const tag of [attribute, ...browser]) {
    const lower = tag?.toLowerCase();
    if (!lower) continue;
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

export type Translate = (key: StringKey, values?: Record<string, string | number>) => string;

export function translator(locale: WidgetLocale): Translate {
  const catalogue = catalogues[locale];
  return (key, values = {}) => catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
