import type { Widen } from '../../core/i18n/index.js';

/** The line a ticket's triage decision shows an agent (GET /triage/tickets/:id, `summary`). */
export const en = {
  none: {
    department: 'No rule or model chose a department.',
    urgency: 'No rule or model chose an urgency.',
  },
  rule: {
    applied: { department: 'A rule set the department.', urgency: 'A rule set the urgency.' },
    suggested: { department: 'A rule chose a department, but someone had changed it already.', urgency: 'A rule chose an urgency, but someone had changed it already.' },
  },
  model: {
    applied: { department: 'The classifier set the department ({{confidence}} % sure).', urgency: 'The classifier set the urgency ({{confidence}} % sure).' },
    suggested: { department: 'The classifier suggests a department ({{confidence}} % sure): accept or choose another.', urgency: 'The classifier suggests an urgency ({{confidence}} % sure): accept or choose another.' },
  },
  spam: 'Marked as spam by a rule and parked in the spam view.',
  spamScored: 'Parked in the spam view (spam score {{score}}).',
  duplicate: 'The same customer sent the same text minutes before: merged into that ticket.',
};

export const zhCN: Widen<typeof en> = {
  none: {
    department: '没有规则或模型选择部门。',
    urgency: '没有规则或模型选择紧急程度。',
  },
  rule: {
    applied: { department: '规则设置了部门。', urgency: '规则设置了紧急程度。' },
    suggested: { department: '规则选择了部门，但已有人先改过。', urgency: '规则选择了紧急程度，但已有人先改过。' },
  },
  model: {
    applied: { department: '分类器设置了部门（把握 {{confidence}}%）。', urgency: '分类器设置了紧急程度（把握 {{confidence}}%）。' },
    suggested: { department: '分类器建议一个部门（把握 {{confidence}}%）：请确认或另选。', urgency: '分类器建议一个紧急程度（把握 {{confidence}}%）：请确认或另选。' },
  },
  spam: '已被规则标记为垃圾邮件，并移入垃圾邮件视图。',
  spamScored: '已移入垃圾邮件视图（垃圾评分 {{score}}）。',
  duplicate: '同一客户几分钟前发送过相同内容：已合并到那张工单。',
};
