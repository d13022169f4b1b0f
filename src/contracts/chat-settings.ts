import { z } from 'zod';

/**
 * A workspace's chat settings on the wire (`/api/v1/chat/settings`): what the chat module's routes
 * answer with and take (a change names only the fields it changes). Kept apart from contracts/chat.ts,
 * the socket protocol, which a client bundle imports whole and so stays free of zod.
 */

export const ChatSettingsView = z.object({
  offerTimeoutSeconds: z.number().int().min(5).max(600),
  acwSeconds: z.number().int().min(0).max(3600),
  serviceLevelSeconds: z.number().int().min(1).max(3600),
  costPerAgentHour: z.number().min(0).max(1_000_000),
  respectBusinessHours: z.boolean(),
  defaultDepartmentId: z.string().uuid().nullable(),
});
export const ChatSettingsPatch = ChatSettingsView.partial().strict();

export type ChatSettingsWire = z.infer<typeof ChatSettingsView>;
export type ChatSettingsPatchBody = z.input<typeof ChatSettingsPatch>;
