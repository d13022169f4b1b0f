import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import type { DB } from '../../core/db/database.js';
import type { Locale } from '../../core/i18n/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import { TEMPLATE_PLACEHOLDERS, type TemplateInput } from '../../contracts/triage.js';
import { isUniqueViolation } from '../../core/db/unique-violation.js';
import { triageErrors } from './triage.errors.js';
import type { TemplateRow } from './triage.schema.js';
import type { TriageConfigCache } from './triage.config.js';

/**
 * Acknowledgement templates per department × urgency × language (either may be "any"). A ticket
 * gets the most specific template in its language: its department and urgency, else its
 * department, else its urgency, else the one for any; none, and the mail module's standard text.
 * Acknowledgements choose from the workspace's triage configuration (triage.config.ts), which a
 * change here refreshes.
 */
export class TriageTemplates {
  constructor(
    private readonly tenancy: Tenancy<DB>,
    private readonly departments: (workspaceId: string) => Promise<{ id: string }[]>,
    private readonly clock: Clock,
    private readonly config: TriageConfigCache,
  ) {}

  private in(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  list(workspaceId: string): Promise<TemplateRow[]> {
    return this.in(workspaceId).selectFrom('triage_templates').selectAll()
      .orderBy('locale').orderBy('department_id', (ob) => ob.nullsFirst()).orderBy('urgency', (ob) => ob.nullsFirst()).execute();
  }

  async create(workspaceId: string, input: TemplateInput): Promise<TemplateRow> {
    await this.check(workspaceId, input);
    const row = await this.taken(() => this.in(workspaceId).insertInto('triage_templates').values(columns(input)).returningAll().executeTakeFirstOrThrow());
    await this.config.changed(workspaceId);
    return row;
  }

  async update(workspaceId: string, id: string, input: TemplateInput): Promise<TemplateRow> {
    await this.check(workspaceId, input);
    const row = await this.taken(() => this.in(workspaceId).updateTable('triage_templates').set({ ...columns(input), updated_at: this.clock.now() })
      .where('id', '=', id).returningAll().executeTakeFirst());
    if (!row) throw notFound('triage_template');
    await this.config.changed(workspaceId);
    return row;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    const result = await this.in(workspaceId).deleteFrom('triage_templates').where('id', '=', id).executeTakeFirst();
    if (!Number(result.numDeletedRows)) throw notFound('triage_template');
    await this.config.changed(workspaceId);
  }

  /** One template, or undefined (deleted since a rule named it). */
  async find(workspaceId: string, id: string): Promise<TemplateRow | undefined> {
    return (await this.config.get(workspaceId)).templates.find((t) => t.id === id);
  }

  /** The most specific template for a ticket in a language, or undefined. */
  async choose(workspaceId: string, ticket: { departmentId: string | null; urgency: number }, locale: Locale): Promise<TemplateRow | undefined> {
    const candidates = (await this.config.get(workspaceId)).templates.filter((t) => t.locale === locale
      && (t.department_id === null || t.department_id === ticket.departmentId) && (t.urgency === null || t.urgency === ticket.urgency));
    // The department says more about what the customer needs than the urgency: it counts double.
    const score = (t: TemplateRow) => (t.department_id ? 2 : 0) + (t.urgency !== null ? 1 : 0);
    return candidates.sort((a, b) => score(b) - score(a))[0];
  }

  /** Unknown placeholders and foreign departments are refused with the problems by path. */
  private async check(workspaceId: string, input: TemplateInput): Promise<void> {
    const problems: { path: string; code: string; message: string }[] = [];
    for (const field of ['subject', 'body'] as const) {
      const unknown = [...input[field].matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!).filter((name) => !(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name));
      if (unknown.length) problems.push({ path: field, code: 'PLACEHOLDER_UNKNOWN', message: `Unknown placeholders: ${unknown.join(', ')} (known: ${TEMPLATE_PLACEHOLDERS.join(', ')})` });
    }
    if (input.departmentId && !(await this.departments(workspaceId)).some((d) => d.id === input.departmentId)) {
      problems.push({ path: 'departmentId', code: 'DEPARTMENT_UNKNOWN', message: 'There is no such department in this workspace' });
    }
    if (problems.length) throw triageErrors.templateInvalid(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  }

  private async taken<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw triageErrors.templateTaken('There is already a template for this department, urgency and language', undefined, { cause: error });
      throw error;
    }
  }
}

const columns = (input: TemplateInput) => ({
  department_id: input.departmentId, urgency: input.urgency, locale: input.locale, subject: input.subject, body: input.body,
});
