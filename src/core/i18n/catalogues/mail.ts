import type { Widen } from './widen.js';

/** E-mail templates: `mail.<template>.subject` / `.body`, rendered in the recipient's language. */
export const en = {
  passwordReset: {
    subject: 'Reset your {{workspace}} password',
    body: 'Hello {{name}},\n\nSomeone asked to reset the password of your {{workspace}} account. To choose a new password, open this link within one hour:\n\n{{link}}\n\nIf it was not you, ignore this e-mail; your password stays the same.',
  },
  csatRequest: {
    subject: 'How did we do? Your request #{{number}}',
    body: 'Hello {{name}},\n\nyour request #{{number}} "{{subject}}" has been solved. Please tell us how we did; it takes a moment:\n\n{{link}}\n\nIf something is still not right, reply on the request page and we will pick it up again.\n\n{{workspace}}',
  },
};

export const zhCN: Widen<typeof en> = {
  passwordReset: {
    subject: '重置您的{{workspace}}账号密码',
    body: '{{name}}，您好：\n\n有人请求重置您在{{workspace}}的账号密码。请在一小时内打开以下链接设置新密码：\n\n{{link}}\n\n如果不是您本人操作，请忽略本邮件，您的密码不会改变。',
  },
  csatRequest: {
    subject: '您对我们的服务满意吗？请求 #{{number}}',
    body: '{{name}}，您好：\n\n您的请求 #{{number}}“{{subject}}”已经解决。请花一点时间告诉我们您是否满意：\n\n{{link}}\n\n如果问题仍未解决，请在请求页面回复，我们会继续处理。\n\n{{workspace}}',
  },
};
