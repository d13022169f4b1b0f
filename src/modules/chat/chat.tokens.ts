import type { Clock } from '../../core/clock.js';

/** Signs and checks with the app's secret (Fastify's cookie signer: HMAC-SHA256). */
export interface Signer {
  sign(value: string): string;
  unsign(value: string): { valid: boolean; value: string | null };
}

/** A visitor may resume a conversation for this long after the token was issued. */
const TOKEN_DAYS = 7;
/** A transcript link mailed to the visitor works this long. */
const TRANSCRIPT_LINK_DAYS = 7;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * Workspace, session and expiry, signed, under a version prefix naming what the token is for: a
 * token of one kind is never accepted as another.
 */
function sessionTokens(signer: Signer, clock: Clock, prefix: string, days: number) {
  const payload = new RegExp(`^${prefix}\\.(${UUID})\\.(${UUID})\\.(\\d{1,12})$`);
  return {
    issue(workspaceId: string, sessionId: string): string {
      const expires = Math.floor(clock.now().getTime() / 1000) + days * 86_400;
      return signer.sign(`${prefix}.${workspaceId}.${sessionId}.${expires}`);
    },
    /** The workspace and session the token names, or null when forged, malformed, expired or of another kind. */
    verify(token: unknown): { workspaceId: string; sessionId: string } | null {
      if (typeof token !== 'string' || token.length > 300) return null;
      const unsigned = signer.unsign(token);
      const match = unsigned.valid && unsigned.value ? payload.exec(unsigned.value) : null;
      if (!match || Number(match[3]) * 1000 < clock.now().getTime()) return null;
      return { workspaceId: match[1]!, sessionId: match[2]! };
    },
  };
}

/**
 * The visitor's proof of a conversation. Without it nobody can read or write a conversation,
 * whatever id they send; a token of another workspace is refused.
 */
export function visitorTokens(signer: Signer, clock: Clock) {
  return sessionTokens(signer, clock, 'v1', TOKEN_DAYS);
}
export type VisitorTokens = ReturnType<typeof visitorTokens>;

/** The link in the mail that confirms the visitor's address: opening it sends the transcript there. */
export function transcriptLinks(signer: Signer, clock: Clock) {
  return sessionTokens(signer, clock, 't1', TRANSCRIPT_LINK_DAYS);
}
