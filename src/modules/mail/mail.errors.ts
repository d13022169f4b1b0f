import { errorOf } from '../../core/errors.js';

/** Every error the mail module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const mailErrors = {
  departmentUnknown: errorOf('DEPARTMENT_UNKNOWN', 400),
  inboundNotParked: errorOf('INBOUND_NOT_PARKED', 409),
  mailAddressInvalid: errorOf('MAIL_ADDRESS_INVALID', 400),
  mailAddressTaken: errorOf('MAIL_ADDRESS_TAKEN', 409),
  mailNotFailed: errorOf('MAIL_NOT_FAILED', 409),
  mailTooComplex: errorOf('MAIL_TOO_COMPLEX', 422),
  mailSmtpNotConfigured: errorOf('MAIL_SMTP_NOT_CONFIGURED', 409),
  mailboxHostForbidden: errorOf('MAILBOX_HOST_FORBIDDEN', 400),
  mailboxSecretUnreadable: errorOf('MAILBOX_SECRET_UNREADABLE', 500),
};
