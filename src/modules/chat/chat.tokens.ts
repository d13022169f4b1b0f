import type { Clock } from '../../core/clock.js';

/** Signs and checks with the app's secret (Fastify's cookie signer: HMAC-SHA256). */
export interface Signer {
  sign(value: string): string;
  unsign(value: string): { valid: boolean; value: string | null };
}

/** A visitor may resume a conversation for this long after the token was issued. */
const TOKEN_DAYS = 7;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PAYLOAD = new RegExp(`^v1\\.(${UUID})\\.(${UUID})\\.(\\d{1,12})$`);

/**
 * The visitor's proof of a conversation: workspace, session and expiry, signed. Without it nobody
 * can read or write a conversation, whatever id they send; a token of another workspace is refused.
 */
export function visitorTokens(signer: Signer, clock: Clock) {
  return {
    issue(workspaceId: string, sessionId: string): string {
      const expires = Math.floor(clock.now().getTime() / 1000) + TOKEN_DAYS * 86_400;
      return signer.sign(`v1.${workspaceId}.${sessionId}.${expires}`);
    },
    /** The workspace and session the token names, or null when forged, malformed or expired. */
    verify(token: unknown): { workspaceId: string; sessionId: string } | null {
      if (typeof token !== 'string' || token.length > 300) return null;
      const unsigned = signer.unsign(token);
      const match = unsigned.valid && unsigned.value ? PAYLOAD.exec(unsigned.value) : null;
      if (!match || Number(match[3]) * 1000 < clock.now().getTime()) return null;
      return { workspaceId: match[1]!, sessionId: match[2]! };
    },
  };
}
export type VisitorTokens = ReturnType<typeof visitorTokens>;
