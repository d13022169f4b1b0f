import type { Widen } from '../../core/i18n/index.js';

/** E-mail templates: `mail.<template>.subject` / `.body`, rendered in the recipient's language. */
export const en = {
  passwordReset: {
    subject: 'Reset your {{workspace}} password',
    body: 'Hello {{name}},\n\nSomeone asked to reset the password of your {{workspace}} account. To choose a new password, open this link within one hour:\n\n{{link}}\n\nIf it was not you, ignore this e-mail; your password stays the same.',
  },
  agentInvitation: {
    subject: '{{inviter}} invited you to {{workspace}}',
    body: 'Hello {{name}},\n\n{{inviter}} invited you to answer customers as an agent at {{workspace}}. To accept, open this link within seven days and choose your password; you will be signed in to the console:\n\n{{link}}\n\nThe link works once. If you did not expect this, ignore this e-mail: no account is made.',
  },
  agentAssigned: {
    subject: '[#{{number}}] assigned to you: {{subject}}',
    body: 'Hello {{name}},\n\nticket #{{number}} "{{subject}}" was assigned to you at {{workspace}}:\n\n{{link}}\n\nYou get this mail because "assigned to me" is on in your notification settings: {{settings}}',
  },
  agentCustomerReplied: {
    subject: '[#{{number}}] the customer replied: {{subject}}',
    body: 'Hello {{name}},\n\nthe customer replied on your ticket #{{number}} "{{subject}}" at {{workspace}}:\n\n{{link}}\n\nYou get this mail because "customer replied" is on in your notification settings: {{settings}}',
  },
  agentSlaWarning: {
    subject: '[#{{number}}] {{clock}} due soon: {{subject}}',
    body: 'Hello {{name}},\n\nthe {{clock}} target of your ticket #{{number}} "{{subject}}" at {{workspace}} is due by {{due}}:\n\n{{link}}\n\nYou get this mail because "SLA about to breach" is on in your notification settings: {{settings}}',
    clocks: { first_response: 'first response', next_response: 'next response', resolution: 'resolution' },
  },
  accountCreated: {
    subject: 'Your {{workspace}} account is ready',
    body: 'Hello {{name}},\n\nyour account at {{workspace}} has been created. Please confirm your e-mail address by opening this link within 24 hours; then sign in with it and the password you chose:\n\n{{link}}\n\nIf it was not you, ignore this e-mail or write to us.',
  },
  accountExists: {
    subject: 'You already have a {{workspace}} account',
    body: 'Hello {{name}},\n\nsomeone asked to create a {{workspace}} account with this address, which already has one. Nothing was changed.\n\nTo choose a password (also if you never set one), open this link within one hour:\n\n{{link}}\n\nIf it was not you, ignore this e-mail.',
  },
  emailVerification: {
    subject: 'Confirm your e-mail address for {{workspace}}',
    body: 'Hello {{name}},\n\nplease confirm that {{email}} is your address at {{workspace}} by opening this link within 24 hours:\n\n{{link}}\n\nUntil then the address is not verified. If it was not you, ignore this e-mail: nothing changes.',
  },
  erasureConfirm: {
    subject: 'Confirm the erasure of your {{workspace}} data',
    body: 'Hello {{name}},\n\nsomeone signed in to your {{workspace}} account asked to erase all your personal data. To confirm, open this link within 24 hours and press the button:\n\n{{link}}\n\nYour name, addresses, numbers, products and what you wrote will be erased for good. If you did not ask for this, ignore this e-mail and change your password: nothing is erased.',
  },
  autoresponse: {
    subject: 'We received your request: {{subject}} [#{{number}}]',
    body: 'Hello {{name}},\n\nthank you for writing to {{workspace}}. Your request has the number #{{number}}; reply to this e-mail, or keep [#{{number}}] in the subject, and your message joins it.\n\n{{expectation}}{{suggestions}}\n\nThis is an automatic confirmation; a person will answer you.\n\n{{workspace}}',
    expectedBy: 'You can expect our first answer by {{due}}.',
    expectedSoon: 'We will answer you as soon as we can, by the next working day at the latest.',
    urgent: 'We have marked your request as urgent.',
    suggestionsIntro: 'These articles may already answer your question:',
  },
  // The workspace's own acknowledgement text (triage's templates), its placeholders already filled in.
  autoresponseCustom: {
    subject: '{{customSubject}} [#{{number}}]',
    body: '{{customBody}}',
  },
  kbDigest: {
    subject: 'Updated help articles you follow at {{workspace}}',
    body: 'Hello {{name}},\n\nthese help articles you follow have changed:\n\n{{articles}}\n\nYou get this e-mail because you chose to follow them. To stop, open this link (one click):\n{{unsubscribeUrl}}\n\n{{workspace}}',
  },
  csatRequest: {
    subject: 'How did we do? Your request [#{{number}}]',
    body: 'Hello {{name}},\n\nyour request #{{number}} "{{subject}}" has been solved. Please tell us how we did; it takes a moment:\n\n{{link}}\n\nIf something is still not right, reply on the request page and we will pick it up again.\n\n{{workspace}}',
  },
  agentReply: {
    subject: 'Re: {{subject}} [#{{number}}]',
    body: '{{reply}}\n\n--\nRequest #{{number}} · reply to this e-mail or follow it online: {{link}}\n{{workspace}}',
  },
  chatTranscriptConfirm: {
    subject: 'Confirm your e-mail address for the chat transcript [#{{number}}]',
    body: 'Hello,\n\nsomebody asked {{workspace}} to send the transcript of chat #{{number}} to this address. To receive it, open this link:\n\n{{link}}\n\nIf it was not you, ignore this e-mail: nothing will be sent.\n\n{{workspace}}',
  },
  chatTranscript: {
    subject: 'Your chat transcript [#{{number}}]',
    body: 'Hello {{name}},\n\nhere is the transcript of your chat with {{workspace}}:\n\n{{transcript}}\n\nTo continue, reply to this e-mail.\n\n{{workspace}}',
  },
  // Triage's automations (triage.automations.ts): to the assignee, to whoever an escalation tells, to the customer.
  triageReminder: {
    subject: 'Waiting for your answer: request #{{number}}',
    body: 'Hello {{name}},\n\nrequest #{{number}} "{{subject}}" has waited {{hours}} hours for an answer since the customer last wrote. It is assigned to you.\n\n{{workspace}}',
  },
  triageRuleNotice: {
    subject: 'New request #{{number}}: {{subject}}',
    body: 'Hello {{name}},\n\nthe new request #{{number}} "{{subject}}" matched the triage rule "{{rule}}", which asks to tell you.\n\n{{workspace}}',
  },
  triageEscalated: {
    subject: 'Escalated: request #{{number}}',
    body: 'Hello {{name}},\n\nrequest #{{number}} "{{subject}}" was escalated: {{reason}}.\n\n{{workspace}}',
    noFirstReply: 'no first answer after {{hours}} hours',
    slaWarning: 'its SLA deadline is close',
  },
  triageAutoClosed: {
    subject: 'We have closed your request: {{subject}} [#{{number}}]',
    body: 'Hello {{name}},\n\nwe have not heard from you for {{days}} days about your request #{{number}} "{{subject}}", so we have closed it. If you still need help, simply write to us again and we will open a new request.\n\n{{workspace}}',
  },
  /** Internal notes the outbox adds to a ticket (not mail templates: no subject). */
  deliveryNote: {
    failed: 'The e-mail to {{to}} could not be delivered: {{reason}}. It is listed as failed in Settings → Mail, where it can be sent again.',
    notMailed: 'This reply was not e-mailed: the customer\'s address "{{to}}" is not a valid e-mail address.',
  },
};

export const zhCN: Widen<typeof en> = {
  passwordReset: {
    subject: '重置您的{{workspace}}账号密码',
    body: '{{name}}，您好：\n\n有人请求重置您在{{workspace}}的账号密码。请在一小时内打开以下链接设置新密码：\n\n{{link}}\n\n如果不是您本人操作，请忽略本邮件，您的密码不会改变。',
  },
  agentInvitation: {
    subject: '{{inviter}}邀请您加入{{workspace}}',
    body: '{{name}}，您好：\n\n{{inviter}}邀请您作为客服人员加入{{workspace}}。如需接受，请在七天内打开以下链接并设置密码，之后您将直接登录控制台：\n\n{{link}}\n\n该链接只能使用一次。如果您没有预料到这封邮件，请忽略它：不会创建任何账号。',
  },
  agentAssigned: {
    subject: '[#{{number}}] 已分配给您：{{subject}}',
    body: '{{name}}，您好：\n\n{{workspace}}的工单 #{{number}}“{{subject}}”已分配给您：\n\n{{link}}\n\n您收到这封邮件，是因为您在通知设置中开启了“分配给我”：{{settings}}',
  },
  agentCustomerReplied: {
    subject: '[#{{number}}] 客户已回复：{{subject}}',
    body: '{{name}}，您好：\n\n客户回复了您在{{workspace}}负责的工单 #{{number}}“{{subject}}”：\n\n{{link}}\n\n您收到这封邮件，是因为您在通知设置中开启了“客户回复”：{{settings}}',
  },
  agentSlaWarning: {
    subject: '[#{{number}}] {{clock}}即将超时：{{subject}}',
    body: '{{name}}，您好：\n\n您在{{workspace}}负责的工单 #{{number}}“{{subject}}”的{{clock}}目标将于 {{due}} 到期：\n\n{{link}}\n\n您收到这封邮件，是因为您在通知设置中开启了“SLA 即将超时”：{{settings}}',
    clocks: { first_response: '首次响应', next_response: '下次响应', resolution: '解决' },
  },
  accountCreated: {
    subject: '您的{{workspace}}账号已创建',
    body: '{{name}}，您好：\n\n您在{{workspace}}的账号已经创建。请在 24 小时内打开以下链接确认您的邮箱地址，然后使用该邮箱和设置的密码登录：\n\n{{link}}\n\n如果不是您本人操作，请忽略本邮件或与我们联系。',
  },
  accountExists: {
    subject: '您已有{{workspace}}账号',
    body: '{{name}}，您好：\n\n有人使用此邮箱申请创建{{workspace}}账号，而该邮箱已有账号。我们没有做任何更改。\n\n如需设置密码（包括您从未设置过密码的情况），请在一小时内打开以下链接：\n\n{{link}}\n\n如果不是您本人操作，请忽略本邮件。',
  },
  emailVerification: {
    subject: '请确认您在{{workspace}}的邮箱地址',
    body: '{{name}}，您好：\n\n请在 24 小时内打开以下链接，确认 {{email}} 是您在{{workspace}}使用的邮箱：\n\n{{link}}\n\n确认之前，该地址不会被标记为已验证。如果不是您本人操作，请忽略本邮件，什么都不会改变。',
  },
  erasureConfirm: {
    subject: '请确认删除您在{{workspace}}的数据',
    body: '{{name}}，您好：\n\n有人登录您在{{workspace}}的账户，请求删除您的全部个人数据。如需确认，请在 24 小时内打开以下链接并点击按钮：\n\n{{link}}\n\n您的姓名、邮箱、电话、产品和您写下的内容将被永久删除。如果不是您本人操作，请忽略本邮件并修改密码：不会删除任何数据。',
  },
  autoresponse: {
    subject: '我们已收到您的请求：{{subject}} [#{{number}}]',
    body: '{{name}}，您好：\n\n感谢您联系{{workspace}}。您的请求编号为 #{{number}}。直接回复本邮件，或在主题中保留 [#{{number}}]，您的消息就会归入此请求。\n\n{{expectation}}{{suggestions}}\n\n这是一封自动确认邮件，我们的客服人员会亲自答复您。\n\n{{workspace}}',
    expectedBy: '我们会在 {{due}} 之前给您首次答复。',
    expectedSoon: '我们会尽快答复您，最迟在下一个工作日。',
    urgent: '您的请求已被标记为紧急。',
    suggestionsIntro: '以下文章也许已经能解答您的问题：',
  },
  autoresponseCustom: {
    subject: '{{customSubject}} [#{{number}}]',
    body: '{{customBody}}',
  },
  kbDigest: {
    subject: '您关注的{{workspace}}帮助文章有更新',
    body: '{{name}}，您好：\n\n您关注的以下帮助文章有更新：\n\n{{articles}}\n\n您收到这封邮件是因为您选择了关注这些内容。如需退订，请打开此链接（一键退订）：\n{{unsubscribeUrl}}\n\n{{workspace}}',
  },
  csatRequest: {
    subject: '您对我们的服务满意吗？请求 [#{{number}}]',
    body: '{{name}}，您好：\n\n您的请求 #{{number}}“{{subject}}”已经解决。请花一点时间告诉我们您是否满意：\n\n{{link}}\n\n如果问题仍未解决，请在请求页面回复，我们会继续处理。\n\n{{workspace}}',
  },
  agentReply: {
    subject: '回复：{{subject}} [#{{number}}]',
    body: '{{reply}}\n\n--\n请求 #{{number}} · 直接回复本邮件，或在线查看：{{link}}\n{{workspace}}',
  },
  chatTranscriptConfirm: {
    subject: '请确认接收在线对话记录的邮箱 [#{{number}}]',
    body: '您好：\n\n有人请求{{workspace}}将在线对话 #{{number}} 的记录发送到此邮箱。如需接收，请打开以下链接：\n\n{{link}}\n\n如果不是您本人操作，请忽略本邮件，我们不会发送任何内容。\n\n{{workspace}}',
  },
  chatTranscript: {
    subject: '您的在线对话记录 [#{{number}}]',
    body: '{{name}}，您好：\n\n以下是您与{{workspace}}的在线对话记录：\n\n{{transcript}}\n\n如需继续，请直接回复本邮件。\n\n{{workspace}}',
  },
  triageReminder: {
    subject: '等待您的答复：请求 #{{number}}',
    body: '{{name}}，您好：\n\n分配给您的请求 #{{number}}“{{subject}}”自客户上次来信已等待答复 {{hours}} 小时。\n\n{{workspace}}',
  },
  triageRuleNotice: {
    subject: '新请求 #{{number}}：{{subject}}',
    body: '{{name}}，您好：\n\n新请求 #{{number}}“{{subject}}”符合分拣规则“{{rule}}”，该规则要求通知您。\n\n{{workspace}}',
  },
  triageEscalated: {
    subject: '已升级：请求 #{{number}}',
    body: '{{name}}，您好：\n\n请求 #{{number}}“{{subject}}”已升级：{{reason}}。\n\n{{workspace}}',
    noFirstReply: '{{hours}} 小时内没有首次答复',
    slaWarning: 'SLA 期限即将到期',
  },
  triageAutoClosed: {
    subject: '您的请求已关闭：{{subject}} [#{{number}}]',
    body: '{{name}}，您好：\n\n关于您的请求 #{{number}}“{{subject}}”，我们已有 {{days}} 天没有收到您的回复，因此已将其关闭。如仍需帮助，请直接再次来信，我们会为您新建请求。\n\n{{workspace}}',
  },
  deliveryNote: {
    failed: '发给 {{to}} 的邮件未能送达：{{reason}}。它在“设置 → 邮件”中显示为失败，可在那里重新发送。',
    notMailed: '此回复未通过邮件发送：客户的地址“{{to}}”不是有效的电子邮件地址。',
  },
};
