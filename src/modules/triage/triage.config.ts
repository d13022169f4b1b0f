import type { EventBus } from '../../core/events/index.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import type { AutomationSettings } from '../../contracts/triage.js';
import type { TriageRepo } from './triage.repo.js';
import { ruleOf, type Rule } from './triage.rules.js';
import type { TemplateRow } from './triage.schema.js';

/** The longest a node triages with settings or rules changed elsewhere, should it miss `triage.settings_changed`. */
const CONFIG_TTL_MS = 10_000;

/**
 * What a new ticket's triage reads of its workspace: the settings row (undefined: none saved), the
 * automations document as stored, the rules in order, and the acknowledgement templates.
 */
export interface TriageConfig {
  settings: { enabled: boolean; auto_apply_threshold: number } | undefined;
  automations: Partial<AutomationSettings> | undefined;
  rules: Rule[];
  templates: TemplateRow[];
}

/**
 * A workspace's triage settings, automations settings, rules and acknowledgement templates, kept
 * briefly per node (core/workspace-cache.ts): every new ticket's decision read the first three
 * (issue 14's hot path: three statements a ticket), every acknowledgement the templates (issue 15),
 * and admins change them rarely. Other nodes forget them on `triage.settings_changed`.
 */
export class TriageConfigCache {
  private readonly cached = new WorkspaceCache(CONFIG_TTL_MS, (workspaceId) => this.load(workspaceId));

  constructor(private readonly repo: TriageRepo, private readonly bus?: Pick<EventBus, 'publish'>) {}

  get(workspaceId: string): Promise<TriageConfig> {
    return this.cached.get(workspaceId);
  }

  /** Drops this node's copy of the workspace's triage configuration (it changed). */
  forget(workspaceId: string): void {
    this.cached.forget(workspaceId);
  }

  /** After a change: this node forgets at once, the others on the event. */
  async changed(workspaceId: string): Promise<void> {
    this.forget(workspaceId);
    await this.bus?.publish('triage.settings_changed', workspaceId, {});
  }

  private async load(workspaceId: string): Promise<TriageConfig> {
    const db = this.repo.in(workspaceId);
    const [settings, automations, rules, templates] = await Promise.all([
      this.repo.settings(workspaceId), this.repo.automationSettings(workspaceId), this.repo.rules(db), this.repo.templates(db),
    ]);
    // The nightly retraining visits the workspaces triage has seen: the first ticket registers one.
    if (!settings) await this.repo.ensureSettings(workspaceId);
    return {
      settings: settings && { enabled: settings.enabled, auto_apply_threshold: settings.auto_apply_threshold },
      automations,
      rules: rules.map(ruleOf),
      templates,
    };
  }
}
