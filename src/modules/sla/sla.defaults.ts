import type { PolicyValues } from './sla.repo.js';

/**
 * What a new workspace starts with, per urgency (0 thanks … 4 red alert), in business minutes of
 * its calendar (Mon–Fri 09:00–18:00: one business day is 540 minutes). Thanks need no answer.
 */
export const DEFAULT_POLICIES: PolicyValues[] = [
  {
    name: 'Red alert', urgency: 4, department_id: null, customer_tier: null,
    first_response_minutes: 30, next_response_minutes: 60, resolution_minutes: 480, warning_minutes: 10,
    escalations: [
      { on: 'warning', action: 'notify', notify: 'assignee' },
      { on: 'breach', action: 'notify', notify: 'admins' },
    ],
  },
  {
    name: 'Critical', urgency: 3, department_id: null, customer_tier: null,
    first_response_minutes: 60, next_response_minutes: 120, resolution_minutes: 1080, warning_minutes: 15,
    escalations: [
      { on: 'warning', action: 'notify', notify: 'assignee' },
      { on: 'breach', action: 'notify', notify: 'admins' },
      { on: 'breach', action: 'raise_urgency' },
    ],
  },
  {
    name: 'Urgent', urgency: 2, department_id: null, customer_tier: null,
    first_response_minutes: 240, next_response_minutes: 480, resolution_minutes: 1620, warning_minutes: 30,
    escalations: [
      { on: 'warning', action: 'notify', notify: 'assignee' },
      { on: 'breach', action: 'notify', notify: 'assignee' },
      { on: 'breach', action: 'raise_urgency', targets: ['first_response', 'next_response'] },
    ],
  },
  {
    name: 'Normal', urgency: 1, department_id: null, customer_tier: null,
    first_response_minutes: 540, next_response_minutes: 1080, resolution_minutes: 2700, warning_minutes: 60,
    escalations: [{ on: 'breach', action: 'notify', notify: 'assignee' }],
  },
  {
    name: 'Thanks', urgency: 0, department_id: null, customer_tier: null,
    first_response_minutes: null, next_response_minutes: null, resolution_minutes: null, warning_minutes: 0,
    escalations: [],
  },
];
