import { errorOf } from '../../core/errors.js';

/** Every error the SLA module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const slaErrors = {
  departmentUnknown: errorOf('DEPARTMENT_UNKNOWN', 400),
  slaBusy: errorOf('SLA_BUSY', 503),
  slaCalendarInvalid: errorOf('SLA_CALENDAR_INVALID', 400),
  slaEscalationInvalid: errorOf('SLA_ESCALATION_INVALID', 400),
  slaPolicyConflict: errorOf('SLA_POLICY_CONFLICT', 409),
};
