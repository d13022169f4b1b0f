import { IANAZone } from 'luxon';
import { z } from 'zod';
import { PHONE_ONLY_DOMAIN } from '../../contracts/customers.js';
import { locales } from '../../core/i18n/index.js';
import { ATTRIBUTE_TYPES, CONSENT_CHANNELS, IDENTITY_KINDS, type AttributeDefinitionRow, type AttributeValue, type IdentityKind } from './customers.schema.js';

/** The strict inputs of the module's API; the service takes them parsed (routes parse with these). */

const Text = (max: number) => z.string().trim().min(1).max(max);
const Key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, starting with a letter');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => isCalendarDay(d), 'not a calendar date');
/** Up to 12 digits and 2 decimals, as a string: money is never a float. */
export const Money = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'an amount like 1299.00');
export const TimeZone = z.string().max(64).refine((zone) => IANAZone.isValidZone(zone), 'an IANA time zone such as Asia/Shanghai');

export const LocalisedText = z.strictObject({ en: Text(200), 'zh-CN': Text(200).optional() });

export const Address = z.strictObject({
  line1: Text(200).optional(), line2: Text(200).optional(), city: Text(100).optional(),
  region: Text(100).optional(), postalCode: Text(20).optional(), country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 code such as CN').optional(),
});

const Tags = z.array(z.string().trim().toLowerCase().min(1).max(40)).max(50).transform((tags) => [...new Set(tags)]);
/** Values are checked against the workspace's definitions by the service; null removes a value. */
const Attributes = z.record(Key, z.union([z.string().max(1000), z.number(), z.null()]));

export const IdentityInput = z.strictObject({
  kind: z.enum(IDENTITY_KINDS),
  value: Text(320),
  primary: z.boolean().default(false).describe('Only e-mails and phones have a primary; the primary e-mail is the sign-in address'),
  verified: z.boolean().default(false),
});

export const CustomerInput = z.strictObject({
  name: Text(200),
  email: z.string().trim().toLowerCase().email().max(320).nullable().default(null).describe('The primary e-mail; without one, a phone among the identities (the customer then gets an undeliverable address of their own)'),
  locale: z.enum(locales).nullable().default(null),
  timeZone: TimeZone.nullable().default(null),
  companyId: z.string().uuid().nullable().default(null),
  address: Address.nullable().default(null),
  tags: Tags.default([]),
  attributes: Attributes.default({}),
  identities: z.array(IdentityInput).max(20).default([]).describe('More e-mails, phones and channel identities'),
}).refine((c) => c.email !== null || c.identities.some((i) => i.kind === 'phone'), { message: 'an e-mail, or a phone among the identities', path: ['email'] });

export const CustomerPatch = z.strictObject({
  name: Text(200).optional(),
  locale: z.enum(locales).nullable().optional(),
  timeZone: TimeZone.nullable().optional(),
  companyId: z.string().uuid().nullable().optional(),
  address: Address.nullable().optional(),
  tags: Tags.optional(),
  attributes: Attributes.optional().describe('Merged into the current values; null removes one'),
});

export const AttributeDefinitionInput = z.strictObject({
  key: Key,
  labels: LocalisedText,
  type: z.enum(ATTRIBUTE_TYPES),
  choices: z.array(Text(100)).max(100).default([]),
}).refine((d) => (d.type === 'choice') === (d.choices.length > 0), { message: 'choices are given for a choice attribute, and only for one', path: ['choices'] });

/** A company's web and mail domain, lower-case, without a scheme or path (wenyin.example; IDNs in punycode, xn--…). */
const Domain = z.string().trim().toLowerCase().max(253).regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/, 'a domain such as wenyin.example');
export const CompanyInput = z.strictObject({ name: Text(200), domain: Domain.nullable().default(null), notes: z.string().max(5000).default('') });
export const CompanyPatch = z.strictObject({ name: Text(200).optional(), domain: Domain.nullable().optional(), notes: z.string().max(5000).optional() });

export const ProductInput = z.strictObject({ model: Text(80), names: LocalisedText, category: z.string().trim().max(80).default('') });
export const ProductPatch = z.strictObject({ names: LocalisedText.optional(), category: z.string().trim().max(80).optional() });

export const RegistrationInput = z.strictObject({
  productId: z.string().uuid(),
  serial: Text(80),
  purchasedOn: Day.nullable().default(null),
  warrantyUntil: Day.nullable().default(null),
  boughtFrom: z.string().trim().max(200).default(''),
}).refine((r) => !r.purchasedOn || !r.warrantyUntil || r.warrantyUntil >= r.purchasedOn, { message: 'the warranty ends after the purchase', path: ['warrantyUntil'] });

/** A registration's correction: what the customer bought stays, its serial and dates may change. */
export const RegistrationPatch = z.strictObject({
  serial: Text(80).optional(),
  purchasedOn: Day.nullable().optional(),
  warrantyUntil: Day.nullable().optional(),
  boughtFrom: z.string().trim().max(200).optional(),
});

export const OrderInput = z.strictObject({
  reference: Text(80).nullable().default(null).describe('Your order number; unique in the workspace'),
  orderedAt: z.coerce.date(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as CNY'),
  lines: z.array(z.strictObject({
    productId: z.string().uuid().nullable().default(null),
    description: Text(200),
    quantity: z.number().int().min(1).max(100000),
    amount: Money.describe('The line total'),
  })).min(1).max(200),
});

export const PurposeInput = z.strictObject({ key: Key, names: LocalisedText, wordingVersion: Text(40) });
export const PurposePatch = z.strictObject({ names: LocalisedText.optional(), wordingVersion: Text(40).optional() });

export const ConsentInput = z.strictObject({
  purposeId: z.string().uuid(),
  granted: z.boolean(),
  channel: z.enum(CONSENT_CHANNELS),
  wordingVersion: Text(40).optional().describe('The wording the customer was shown; default the purpose\'s current one'),
});

export const NoteInput = z.strictObject({ body: Text(10000) });

export type CustomerInput = z.infer<typeof CustomerInput>;
export type CustomerPatch = z.infer<typeof CustomerPatch>;
export type IdentityInput = z.infer<typeof IdentityInput>;
export type AttributeDefinitionInput = z.infer<typeof AttributeDefinitionInput>;
export type CompanyInput = z.infer<typeof CompanyInput>;
export type CompanyPatch = z.infer<typeof CompanyPatch>;
export type ProductInput = z.infer<typeof ProductInput>;
export type ProductPatch = z.infer<typeof ProductPatch>;
export type RegistrationInput = z.infer<typeof RegistrationInput>;
export type RegistrationPatch = z.infer<typeof RegistrationPatch>;
export type OrderInput = z.infer<typeof OrderInput>;
export type PurposeInput = z.infer<typeof PurposeInput>;
export type PurposePatch = z.infer<typeof PurposePatch>;
export type ConsentInput = z.infer<typeof ConsentInput>;

export function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/** Built once: making the schema costs ~25 µs, 20 times checking an address with it (an import checks every row's). */
const EmailAddress = z.string().email();

/**
 * One spelling per identity, so the same address or number never makes two customers:
 * e-mails lower-case, phones digits with an optional leading +; other kinds as given.
 * Undefined when the value cannot be of that kind.
 */
export function normaliseIdentity(kind: IdentityKind, value: string): string | undefined {
  const trimmed = value.trim();
  if (kind === 'email') {
    const email = trimmed.toLowerCase();
    return EmailAddress.safeParse(email).success ? email : undefined;
  }
  if (kind === 'phone') {
    const phone = trimmed.replace(/[\s().-]/g, '');
    return /^\+?\d{5,20}$/.test(phone) ? phone : undefined;
  }
  return trimmed.length ? trimmed : undefined;
}

/**
 * A customer known only by phone (an API call, an import row, an SMS or call-centre contact) still
 * needs accounts' sign-in address: a stable, undeliverable one of their own (RFC 2606 `.invalid`),
 * made from their phone (normalised), as the chat channels do for phone contacts. Mail is never sent to it.
 */
export const phoneOnlyAddress = (phone: string): string => `phone-${phone.replace(/\D/g, '')}@${PHONE_ONLY_DOMAIN}`;

/** Sums amounts given as decimal strings exactly (in cents). */
export function sumMoney(amounts: readonly string[]): string {
  const cents = amounts.reduce((total, amount) => {
    const [whole, fraction = ''] = amount.split('.');
    return total + BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  }, 0n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** Why `value` cannot be stored under `definition` ("a number"), or undefined when it can. */
export function attributeProblem(definition: Pick<AttributeDefinitionRow, 'type' | 'choices'>, value: AttributeValue): string | undefined {
  switch (definition.type) {
    case 'text': return typeof value === 'string' ? undefined : 'a text';
    case 'number': return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number';
    case 'date': return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && isCalendarDay(value) ? undefined : 'a date like 2026-12-31';
    case 'choice': return typeof value === 'string' && definition.choices.includes(value) ? undefined : `one of ${definition.choices.join(', ')}`;
  }
}
