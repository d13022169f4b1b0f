import type { DemoWorld } from '../../core/module.js';
import type { RuleInput } from '../../contracts/triage.js';
import type { TriageService } from './triage.service.js';

/** What the demo needs of tickets: the departments, and opening the parked spam mail. */
export interface DemoTickets {
  departments(workspaceId: string): Promise<{ id: string; key: string }[]>;
  open(workspaceId: string, input: { subject: string; body: string; channel: 'email'; customer: { email: string; name: string } }, actor: { type: 'system'; id: null }): Promise<{ id: string }>;
}

/**
 * The printer maker's rules, in both languages: invoices and refunds go to finance, job
 * applications to HR, outages are critical, lottery mail is spam with no acknowledgement, VIP
 * customers' requests are urgent and the admins hear of them. Then the classifiers learn from the demo tickets people settled (skipped while there are too few). The
 * automations are on (remind after 4 hours, escalate to urgent after 24 hours or on an SLA
 * warning, close pending tickets after 7 days, merge duplicates within 10 minutes, park spam at a
 * score of 5), and one bulk mail from a blocked sender waits in the spam view.
 */
export async function seedTriageDemo(triage: TriageService, tickets: DemoTickets, { workspaceId }: DemoWorld): Promise<void> {
  const departments = await tickets.departments(workspaceId);
  const department = (key: string) => departments.find((d) => d.key === key)!.id;
  const rules: RuleInput[] = [
    { name: '中奖 / lottery spam', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['中奖', '彩票', 'lottery', 'you have won'], match: 'any' }],
      actions: [{ type: 'markSpam' }, { type: 'suppressAck' }] },
    { name: '发票与退款 → 财务 / invoices and refunds → finance', enabled: true,
      conditions: [{ type: 'words', field: 'any', words: ['发票', '退款', '报销', 'invoice', 'refund'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: department('finance') }] },
    { name: '求职 → 人力资源 / job applications → HR', enabled: true,
      conditions: [{ type: 'words', field: 'any', words: ['简历', '应聘', '招聘', 'job application', 'resume'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: department('hr') }] },
    { name: '停机 → 严重 / outages → critical', enabled: true,
      conditions: [{ type: 'words', field: 'any', words: ['停机', '全部无法打印', 'outage', 'production stopped'], match: 'any' }],
      actions: [{ type: 'setUrgency', urgency: 3 }, { type: 'addTags', tags: ['outage'] }] },
    // The customer database's tags (customers' demo: VIP accounts).
    { name: 'VIP 客户 → 紧急并通知管理员 / VIP customers → urgent, tell the admins', enabled: true,
      conditions: [{ type: 'customerTags', in: ['vip'] }], actions: [{ type: 'setUrgency', urgency: 2 }, { type: 'notify', agentId: null }] },
  ];
  for (const rule of rules) await triage.createRule(workspaceId, rule);
  await triage.train(workspaceId);
  await triage.automations.saveSettings(workspaceId, {
    remind: { enabled: true, afterHours: 4 },
    escalate: { enabled: true, afterHours: 24, onSlaWarning: true, raiseUrgencyTo: 2, departmentId: null, notify: true },
    autoClose: { enabled: true, afterDays: 7 },
    duplicates: { enabled: true, windowMinutes: 10 },
    spam: { enabled: true, threshold: 5, blocklist: ['toner-deals.example'] },
  }, SYSTEM_ACTOR);
  const spam = await tickets.open(workspaceId, {
    subject: '墨盒特价 Toner 90% off', channel: 'email', customer: { email: 'offers@toner-deals.example', name: 'Toner Deals' },
    body: '限时特价！Limited time offer: https://toner-deals.example/a https://toner-deals.example/b https://toner-deals.example/c',
  }, SYSTEM_ACTOR);
  // Decided now, not when the relay delivers ticket.created: the demo shows it parked at once.
  await triage.decide(workspaceId, spam.id);
}

const SYSTEM_ACTOR = { type: 'system' as const, id: null };
