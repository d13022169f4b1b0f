import type { Widen } from '../../core/i18n/index.js';

/** Names the console and the portal show for the customer record's fixed vocabularies. */
export const en = {
  identityKinds: {
    email: 'E-mail', phone: 'Phone', chat_visitor: 'Chat visitor', portal_account: 'Portal account',
    wechat_openid: 'WeChat (OpenID)', wechat_unionid: 'WeChat (UnionID)', wecom_external: 'WeCom contact',
  },
  attributeTypes: { text: 'Text', number: 'Number', date: 'Date', choice: 'Choice' },
  consentChannels: { portal: 'Help centre', email: 'E-mail', chat: 'Chat', phone: 'Phone', console: 'Agent console', api: 'API', import: 'Import' },
  consent: { granted: 'Agreed', withdrawn: 'Withdrawn', never: 'Not asked yet', wording: 'Wording version {{version}}' },
  warranty: { until: 'Under warranty until {{date}}', expired: 'Warranty ended on {{date}}', unknown: 'Warranty unknown' },
};

export const zhCN: Widen<typeof en> = {
  identityKinds: {
    email: '电子邮箱', phone: '电话', chat_visitor: '在线咨询访客', portal_account: '帮助中心账号',
    wechat_openid: '微信（OpenID）', wechat_unionid: '微信（UnionID）', wecom_external: '企业微信联系人',
  },
  attributeTypes: { text: '文本', number: '数字', date: '日期', choice: '选项' },
  consentChannels: { portal: '帮助中心', email: '电子邮件', chat: '在线咨询', phone: '电话', console: '客服工作台', api: 'API', import: '导入' },
  consent: { granted: '已同意', withdrawn: '已撤回', never: '尚未征询', wording: '条款版本 {{version}}' },
  warranty: { until: '保修期至 {{date}}', expired: '保修已于 {{date}} 到期', unknown: '保修期未知' },
};
