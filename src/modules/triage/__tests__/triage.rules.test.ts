import { describe, expect, it } from 'vitest';
import { applyRules, containsPhrase, contradiction, factsNeeded, languageOf, regexProblem, ruleProblems, type Rule, type TriageInput } from '../triage.rules.js';
import { words } from '../../../core/learn/index.js';

const FINANCE = '00000000-0000-4000-8000-000000000001';
const HR = '00000000-0000-4000-8000-000000000002';
const input = (over: Partial<TriageInput> = {}): TriageInput => ({
  subject: '', body: '', channel: 'email', sender: 'li.wei@customer.example', tags: [], attachments: 0, addressIds: [], insideBusinessHours: null, customerTags: [], customerSegments: [], ...over,
});
const rule = (id: string, over: Partial<Rule>): Rule => ({ id, name: id, enabled: true, conditions: [], actions: [], ...over });

describe('rule conditions', () => {
  it('matches Chinese words on word boundaries, also when jieba cuts the text differently', () => {
    expect(containsPhrase(words('我上个月的发票开错了'), '发票')).toBe(true);
    expect(containsPhrase(words('打印机卡纸了怎么办'), '卡纸')).toBe(true);
    expect(containsPhrase(words('请问保修期多长'), '发票')).toBe(false);
    // English words are whole words, not substrings: "art" is not in "start".
    expect(containsPhrase(words('How do I start the printer?'), 'art')).toBe(false);
    expect(containsPhrase(words('There is a Paper JAM again'), 'paper jam')).toBe(true);
  });

  it('tells Chinese from English text', () => {
    expect(languageOf('我的打印机 P200 不能打印')).toBe('zh-CN');
    expect(languageOf('My printer P200 does not print')).toBe('en');
    expect(languageOf('')).toBe('en');
  });

  it('routes by channel, sender, domain, words, pattern, language, tags and attachments; the first rule per field wins, tags add up', () => {
    const rules: Rule[] = [
      rule('spam', { conditions: [{ type: 'words', field: 'any', words: ['中奖'], match: 'any' }], actions: [{ type: 'markSpam' }, { type: 'suppressAck' }] }),
      rule('invoice', { conditions: [{ type: 'words', field: 'subject', words: ['发票', 'invoice'], match: 'any' }, { type: 'channel', in: ['email'] }],
        actions: [{ type: 'setDepartment', departmentId: FINANCE }, { type: 'addTags', tags: ['billing'] }] }),
      rule('vip', { conditions: [{ type: 'senderDomain', in: ['bigcorp.example'] }], actions: [{ type: 'setUrgency', urgency: 2 }, { type: 'setDepartment', departmentId: HR }] }),
      rule('billing-followup', { conditions: [{ type: 'tags', in: ['billing'] }, { type: 'attachments', present: true }], actions: [{ type: 'addTags', tags: ['has-receipt'] }] }),
      rule('order', { conditions: [{ type: 'regex', field: 'body', pattern: 'order\\s+#?\\d{6}' }, { type: 'language', in: ['en'] }], actions: [{ type: 'addTags', tags: ['order'] }] }),
      rule('off', { enabled: false, conditions: [{ type: 'channel', in: ['email'] }], actions: [{ type: 'setUrgency', urgency: 4 }] }),
    ];
    const zh = applyRules(rules, input({ subject: '发票抬头写错了', sender: 'cfo@mail.bigcorp.example', attachments: 1 }));
    expect(zh).toMatchObject({ department: { value: FINANCE, ruleId: 'invoice' }, urgency: { value: 2, ruleId: 'vip' }, tags: ['billing', 'has-receipt'], spam: false, suppressAck: false });
    expect(zh.matched).toEqual(['invoice', 'vip', 'billing-followup']);

    const en = applyRules(rules, input({ subject: 'Question', body: 'About order #123456 please', channel: 'web' }));
    expect(en).toMatchObject({ tags: ['order'], matched: ['order'] });
    expect(en.department).toBeUndefined();

    expect(applyRules(rules, input({ body: '恭喜您中奖了' }))).toMatchObject({ spam: true, suppressAck: true, tags: ['spam'] });
    expect(applyRules(rules, input({ sender: null, body: 'nothing' })).matched).toEqual([]);
  });
});

describe('conditions on facts beyond the ticket, and actions beyond its fields', () => {
  const BILLING = '00000000-0000-4000-8000-0000000000b1';
  const RESELLERS = '00000000-0000-4000-8000-0000000000c1';
  const LI = '00000000-0000-4000-8000-0000000000a1';
  const rules: Rule[] = [
    rule('billing', { conditions: [{ type: 'address', in: [BILLING] }], actions: [{ type: 'assignAgent', agentId: LI }, { type: 'notify', agentId: null }] }),
    rule('night', { conditions: [{ type: 'businessHours', inside: false }], actions: [{ type: 'replyWithTemplate', templateId: HR }, { type: 'notify', agentId: LI }] }),
    rule('vip', { conditions: [{ type: 'customerTags', in: ['vip'] }], actions: [{ type: 'setUrgency', urgency: 3 }, { type: 'notify', agentId: null }] }),
    rule('resellers', { conditions: [{ type: 'customerSegment', in: [RESELLERS] }], actions: [{ type: 'assignAgent', agentId: HR }] }),
  ];

  it('holds on the address, business hours, customer tags and segments; the first agent and template win, each person is told once', () => {
    expect(applyRules(rules, input({ addressIds: [BILLING], insideBusinessHours: false, customerTags: ['vip'], customerSegments: [RESELLERS] }))).toEqual({
      tags: [], suppressAck: false, spam: false, matched: ['billing', 'night', 'vip', 'resellers'], urgency: { value: 3, ruleId: 'vip' },
      assignee: { value: LI, ruleId: 'billing' }, replyTemplate: { value: HR, ruleId: 'night' }, notify: [null, LI],
    });
    // Inside business hours, another address, no tags or segments: nothing holds.
    expect(applyRules(rules, input({ addressIds: ['00000000-0000-4000-8000-0000000000b2'], insideBusinessHours: true })).matched).toEqual([]);
    // Business hours not worked out (no rule asked): neither inside nor outside holds.
    expect(applyRules(rules, input({ insideBusinessHours: null })).matched).toEqual([]);
  });

  it('looks a fact up only when an enabled rule asks for it', () => {
    expect(factsNeeded(rules)).toEqual({ address: true, businessHours: true, customerTags: true, segments: [RESELLERS] });
    expect(factsNeeded(rules.map((r) => ({ ...r, enabled: false })))).toEqual({ address: false, businessHours: false, customerTags: false, segments: [] });
  });
});

describe('rule checks', () => {
  it('refuses regular expressions that can backtrack catastrophically, and ones that do not compile', () => {
    for (const pattern of ['(a+)+$', '(a*)*b', '(\\w+\\s?)*$', '(a|aa)+', '(x+x+)+y', '(.*a){12}', '^(a|b|ab)*c', '(\\d+)\\1', 'a*a*a*b']) {
      expect(regexProblem(pattern)?.code, pattern).toBe('REGEX_BACKTRACKS');
    }
    expect(regexProblem('order (')?.code).toBe('REGEX_INVALID');
    for (const pattern of ['order\\s+#?\\d{6}', '^(re|fw):', '[a-z]+@example\\.com', 'invoice(s)?', '退款|退货', '(?:urgent)?\\s*help']) {
      expect(regexProblem(pattern), pattern).toBeUndefined();
    }
  });

  it('finishes a permitted pattern quickly on a hostile 2,000-character text', () => {
    const started = performance.now();
    applyRules([rule('r', { conditions: [{ type: 'regex', field: 'body', pattern: '\\s*x\\s*$' }], actions: [{ type: 'markSpam' }] })], input({ body: `${' '.repeat(100_000)}y` }));
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses a rule that sets two values for one field, or adds a tag its own conditions test (a loop)', () => {
    const codes = ruleProblems({
      conditions: [{ type: 'tags', in: ['vip'] }, { type: 'regex', field: 'any', pattern: '(a+)+' }],
      actions: [{ type: 'setDepartment', departmentId: FINANCE }, { type: 'setDepartment', departmentId: HR }, { type: 'addTags', tags: ['vip'] }],
    }).map((p) => [p.path, p.code]);
    expect(codes).toEqual([['conditions.1.pattern', 'REGEX_BACKTRACKS'], ['actions.1', 'RULE_SELF_CONTRADICTS'], ['actions.2.tags', 'RULE_LOOPS']]);
  });

  it('refuses words to look for that are only punctuation or symbols', () => {
    expect(ruleProblems({ conditions: [{ type: 'words', field: 'any', words: ['发票', '？！', '...'], match: 'any' }], actions: [{ type: 'markSpam' }] }))
      .toEqual([
        { path: 'conditions.0.words.1', code: 'WORDS_EMPTY', message: expect.any(String) },
        { path: 'conditions.0.words.2', code: 'WORDS_EMPTY', message: expect.any(String) },
      ]);
  });

  it('runs rules that would feed each other in a cycle once each, in one forward pass', () => {
    // a → b, b → a, and a later rule that sets the other urgency for the same tag: each rule is tried once, in order.
    const cycle = [
      rule('ab', { conditions: [{ type: 'tags', in: ['a'] }], actions: [{ type: 'addTags', tags: ['b'] }, { type: 'setUrgency', urgency: 2 }] }),
      rule('ba', { conditions: [{ type: 'tags', in: ['b'] }], actions: [{ type: 'addTags', tags: ['a'] }, { type: 'setUrgency', urgency: 4 }] }),
    ];
    expect(applyRules(cycle, input({ tags: ['a'] }))).toMatchObject({ matched: ['ab', 'ba'], tags: ['b', 'a'], urgency: { value: 2, ruleId: 'ab' } });
    expect(applyRules(cycle, input({ tags: ['b'] }))).toMatchObject({ matched: ['ba'], tags: ['a'], urgency: { value: 4, ruleId: 'ba' } });
  });

  it('finds an enabled rule with the same conditions that sets another value', () => {
    const invoice = rule('invoice', { conditions: [{ type: 'channel', in: ['email'] }, { type: 'words', field: 'any', words: ['发票'], match: 'any' }], actions: [{ type: 'setDepartment', departmentId: FINANCE }] });
    const sameOtherOrder = { enabled: true, conditions: [...invoice.conditions].reverse(), actions: [{ type: 'setDepartment' as const, departmentId: HR }] };
    expect(contradiction(sameOtherOrder, [invoice])?.id).toBe('invoice');
    expect(contradiction({ ...sameOtherOrder, actions: [{ type: 'setDepartment', departmentId: FINANCE }] }, [invoice])).toBeUndefined();
    expect(contradiction({ ...sameOtherOrder, enabled: false }, [invoice])).toBeUndefined();
    expect(contradiction(sameOtherOrder, [{ ...invoice, enabled: false }])).toBeUndefined();
  });
});
