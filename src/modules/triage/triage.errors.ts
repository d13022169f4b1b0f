import { errorOf } from '../../core/errors.js';

/** Every error the triage module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const triageErrors = {
  /** Training found examples of one label only: a classifier needs at least two to tell apart. */
  oneClass: errorOf('TRIAGE_ONE_CLASS', 422),
  /** Training found no labelled example with any text. */
  noExamples: errorOf('TRIAGE_NO_EXAMPLES', 422),
  /** A text to classify with no words in it (empty, or punctuation only). */
  emptyText: errorOf('TRIAGE_EMPTY_TEXT', 400),
  /** A rule that cannot be saved as it is: the details list each problem with the path of its field. */
  ruleInvalid: errorOf('TRIAGE_RULE_INVALID', 400),
  /** An enabled rule with the same conditions as another that sets the department or urgency differently. */
  ruleContradicts: errorOf('TRIAGE_RULE_CONTRADICTS', 409),
  /** A template with unknown placeholders or a foreign department: the details list each problem by path. */
  templateInvalid: errorOf('TRIAGE_TEMPLATE_INVALID', 400),
  /** The workspace already has a template for that department, urgency and language. */
  templateTaken: errorOf('TRIAGE_TEMPLATE_TAKEN', 409),
  /** Automation settings that cannot be saved (an escalation that does nothing, a foreign team): the details list each problem by path. */
  automationsInvalid: errorOf('TRIAGE_AUTOMATIONS_INVALID', 400),
  /** "Not spam" on a ticket that is not marked as spam. */
  notSpam: errorOf('TRIAGE_NOT_SPAM', 409),
};
