import type { SegmentRuleProblemWire } from '../../contracts/customers.js';
import { AppError, errorOf } from '../../core/errors.js';

/** Every error the customers module throws on purpose: code → HTTP status, and its message. */
export const customerErrors = {
  identityTaken: (kind: string, value: string) =>
    new AppError('IDENTITY_TAKEN', 409, `This ${kind} already belongs to a customer of this workspace`, { kind, value }),
  identityIsPrimaryEmail: () =>
    new AppError('IDENTITY_PRIMARY_EMAIL', 409, 'The primary e-mail cannot be removed; make another e-mail primary first'),
  attributeUnknown: (key: string) =>
    new AppError('ATTRIBUTE_UNKNOWN', 400, `No customer attribute is defined with the key ${key}`, { key }),
  attributeInvalid: (key: string, type: string, reason: string) =>
    new AppError('ATTRIBUTE_INVALID', 400, `The value of ${key} must be ${reason}`, { key, type }),
  attributeTaken: (key: string) =>
    new AppError('ATTRIBUTE_TAKEN', 409, `An attribute with the key ${key} already exists`, { key }),
  companyTaken: (name: string) =>
    new AppError('COMPANY_TAKEN', 409, 'A company with this name already exists', { name }),
  companyDomainTaken: (domain: string) =>
    new AppError('COMPANY_DOMAIN_TAKEN', 409, 'Another company of this workspace has this domain', { domain }),
  productTaken: (model: string) =>
    new AppError('PRODUCT_TAKEN', 409, 'A product with this model already exists', { model }),
  serialTaken: (serial: string) =>
    new AppError('SERIAL_TAKEN', 409, 'This serial number of this product is already registered', { serial }),
  warrantyBeforePurchase: () =>
    new AppError('WARRANTY_BEFORE_PURCHASE', 400, 'The warranty cannot end before the purchase date', { field: 'warrantyUntil' }),
  orderReferenceTaken: (reference: string) =>
    new AppError('ORDER_REFERENCE_TAKEN', 409, 'An order with this reference already exists', { reference }),
  purposeTaken: (key: string) =>
    new AppError('CONSENT_PURPOSE_TAKEN', 409, `A consent purpose with the key ${key} already exists`, { key }),
  customerErased: () =>
    new AppError('CUSTOMER_ERASED', 410, 'This customer\'s personal data has been erased'),
  emailIsPrimary: () =>
    new AppError('EMAIL_ALREADY_PRIMARY', 409, 'This e-mail is already your sign-in address'),
  mergeSame: () =>
    new AppError('MERGE_SAME_CUSTOMER', 400, 'A customer cannot be merged into themself'),
  /** An id in the body that is not the workspace's (or does not exist): the same answer either way. */
  referenceNotFound: (field: string) =>
    new AppError('REFERENCE_NOT_FOUND', 422, `${field} names nothing in this workspace`, { field }),
  orderTooLarge: (max: string) =>
    new AppError('ORDER_TOO_LARGE', 400, `An order totals at most ${max}`, { max }),
  identityInvalid: (kind: string) =>
    new AppError('IDENTITY_INVALID', 400, `This is not a valid ${kind}`, { kind }),
  // The CSV import: the message names what is wrong with the file.
  csvUnreadable: errorOf('CSV_UNREADABLE', 400),
  csvEmpty: errorOf('CSV_EMPTY', 400),
  csvColumnsInvalid: errorOf('CSV_COLUMNS_INVALID', 400),
  csvTooManyRows: errorOf('CSV_TOO_MANY_ROWS', 400),
  csvTooLarge: errorOf('CSV_TOO_LARGE', 413),
  // Saved segments: problems are [{path, message}] with the path into the rule (conditions.1.value).
  segmentRuleInvalid: (problems: SegmentRuleProblemWire[]) =>
    new AppError('SEGMENT_RULE_INVALID', 400, `The segment's rule is not valid at ${problems[0]?.path || 'its top'}: ${problems[0]?.message ?? ''}`, { problems }),
  segmentReferenceUnknown: (problems: SegmentRuleProblemWire[]) =>
    new AppError('SEGMENT_REFERENCE_UNKNOWN', 400, `The segment's rule names something this workspace does not have at ${problems[0]?.path}: ${problems[0]?.message ?? ''}`, { problems }),
  segmentNameTaken: (name: string) =>
    new AppError('SEGMENT_NAME_TAKEN', 409, 'A segment with this name already exists', { name }),
  notFound: (what: 'segment' | 'customer' | 'company' | 'product' | 'registration' | 'order' | 'consent purpose' | 'identity' | 'import' | 'erasure') =>
    new AppError(`${what.toUpperCase().replace(' ', '_')}_NOT_FOUND`, 404, `${what} not found`),
} as const;
