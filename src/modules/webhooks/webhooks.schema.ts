import type { ColumnType, Generated, Selectable } from 'kysely';
import { WEBHOOK_EVENT_PATTERNS, WEBHOOK_EVENT_TYPES, type DeliveryStatus } from '../../contracts/webhooks.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** The event catalogue, patterns and delivery statuses are the wire's (src/contracts/webhooks.ts). */
export { WEBHOOK_EVENT_PATTERNS, WEBHOOK_EVENT_TYPES, type DeliveryStatus };

export interface WebhooksTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  events: string[];
  active: ColumnType<boolean, boolean | undefined, boolean>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  workspace_id: WorkspaceId;
  webhook_id: string;
  event_id: string;
  event_type: string;
  occurred_at: ColumnType<Date, Date | string, never>;
  payload: ColumnType<unknown, string, never>;
  redelivery_of: ColumnType<string | null, string | null | undefined, never>;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: ColumnType<number, never, number>;
  response_status: ColumnType<number | null, never, number | null>;
  response_excerpt: ColumnType<string | null, never, string | null>;
  error: ColumnType<string | null, never, string | null>;
  duration_ms: ColumnType<number | null, never, number | null>;
  created_at: CreatedAt;
  last_attempt_at: ColumnType<Date | null, never, Date | null>;
  completed_at: ColumnType<Date | null, never, Date | null>;
}

export interface WebhookDeliveryAttemptsTable {
  id: Generated<number>;
  workspace_id: WorkspaceId;
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  succeeded: boolean;
}

export interface WebhooksTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookDeliveryAttemptsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends WebhooksTables {}
}
