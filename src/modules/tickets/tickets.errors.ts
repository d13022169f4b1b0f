import { errorOf } from '../../core/errors.js';

/** Every error the tickets module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const ticketErrors = {
  assigneeUnknown: errorOf('ASSIGNEE_UNKNOWN', 400),
  attachmentTooMany: errorOf('ATTACHMENT_TOO_MANY', 413),
  departmentUnknown: errorOf('DEPARTMENT_UNKNOWN', 400),
  messageDuplicate: errorOf('MESSAGE_DUPLICATE', 409),
  ticketClosed: errorOf('TICKET_CLOSED', 409),
  ticketLinkInvalid: errorOf('TICKET_LINK_INVALID', 400),
  ticketMergeInvalid: errorOf('TICKET_MERGE_INVALID', 409),
  ticketNotSolved: errorOf('TICKET_NOT_SOLVED', 409),
  ticketSplitInvalid: errorOf('TICKET_SPLIT_INVALID', 409),
};
