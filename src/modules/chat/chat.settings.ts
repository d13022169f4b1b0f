import { SYSTEM_ACTOR, type AccountsService, type Actor } from '../accounts/index.js';
import type { Clock } from '../../core/clock.js';
import type { TicketsService } from '../tickets/index.js';
import { chatErrors } from './chat.errors.js';
import type { ChatRepo } from './chat.repo.js';
import type { SettingsRow } from './chat.schema.js';
import type { ChatSettingsWire } from '../../contracts/chat-settings.js';

/** The settings are what the wire carries (src/contracts/chat-settings.ts). */
export type ChatSettings = ChatSettingsWire;

/** A workspace's chat settings (defaults until an admin changes them) and the teams chats go to. */
export class ChatSettingsService {
  constructor(
    private readonly repo: ChatRepo,
    private readonly tickets: Pick<TicketsService, 'departments'>,
    private readonly accounts: Pick<AccountsService, 'audit'>,
    private readonly clock: Clock,
  ) {}

  async get(workspaceId: string): Promise<ChatSettings> {
    return settingsView(await this.repo.settings(this.repo.in(workspaceId)));
  }

  async update(workspaceId: string, patch: Partial<ChatSettings>, actor: Actor = SYSTEM_ACTOR): Promise<ChatSettings> {
    if (patch.defaultDepartmentId) await this.department(workspaceId, patch.defaultDepartmentId);
    const current = await this.get(workspaceId);
    const next = { ...current, ...patch };
    const row = await this.repo.upsertSettings(this.repo.in(workspaceId), {
      offer_timeout_seconds: next.offerTimeoutSeconds, acw_seconds: next.acwSeconds, service_level_seconds: next.serviceLevelSeconds,
      cost_per_agent_hour: next.costPerAgentHour, respect_business_hours: next.respectBusinessHours,
      default_department_id: next.defaultDepartmentId, updated_at: this.clock.now(),
    });
    await this.accounts.audit(workspaceId, actor, 'chat.settings_updated', 'chat_settings', null, patch);
    return settingsView(row);
  }

  /** The team (queue) a chat goes to: the one named, else the `service` team, else the first; DEPARTMENT_UNKNOWN otherwise. */
  async department(workspaceId: string, departmentId?: string) {
    const departments = await this.tickets.departments(workspaceId);
    const found = departmentId ? departments.find((d) => d.id === departmentId) : departments.find((d) => d.key === 'service') ?? departments[0];
    if (!found) throw chatErrors.departmentUnknown();
    return found;
  }
}

function settingsView(row: SettingsRow | undefined): ChatSettings {
  return {
    offerTimeoutSeconds: row?.offer_timeout_seconds ?? 20,
    acwSeconds: row?.acw_seconds ?? 30,
    serviceLevelSeconds: row?.service_level_seconds ?? 20,
    costPerAgentHour: Number(row?.cost_per_agent_hour ?? 0),
    respectBusinessHours: row?.respect_business_hours ?? true,
    defaultDepartmentId: row?.default_department_id ?? null,
  };
}
