import { AGENT_ROLES } from '@contracts/enums.js';
import type { AgentWire, InvitationPreviewWire, NotificationPreferencesWire, PasswordChangeInput, WorkspaceWire } from '@contracts/accounts.js';
import { isLocale, type Locale } from '../i18n/i18n.js';
import { ApiError, isRecord, request, setCsrfToken } from './http.js';

/** The signed-in agent (the session's `agent`); a locale of null: not chosen, the console keeps the browser's language. */
export type Agent = Omit<AgentWire, 'disabled' | 'locale'> & { locale: Locale | null };
/** The session's workspace: its name is in the session's language (the server picks it from the agent's locale or the request). */
export type Workspace = Pick<WorkspaceWire, 'id' | 'name' | 'slug'>;
export interface Session { agent: Agent; workspace: Workspace }

/** POST /api/v1/auth/login. Throws ApiError: INVALID_CREDENTIALS, RATE_LIMITED, VALIDATION_FAILED… */
export async function login(email: string, password: string): Promise<Session> {
  const body = await request('POST', '/api/v1/auth/login', {
    body: { email, password },
    expectUnauthenticated: true,
  });
  return acceptSession(body);
}

/** GET /api/v1/auth/me: the current session, or null when nobody is signed in. */
export async function currentSession(): Promise<Session | null> {
  try {
    return acceptSession(await request('GET', '/api/v1/auth/me', { expectUnauthenticated: true }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // Signed out, yet a write such as sign-in needs the token while a stale session cookie is
      // still around; keep it if the server hands it out here.
      if (isRecord(error.details) && typeof error.details.csrfToken === 'string') setCsrfToken(error.details.csrfToken);
      return null;
    }
    throw error;
  }
}

export async function logout(): Promise<void> {
  // The CSRF token stays: the server ties it to the browser (its kefu_csrf cookie), not to the
  // session, and a later sign-in still needs it while any session cookie is around.
  await request('POST', '/api/v1/auth/logout');
}

export async function updateLocale(locale: Locale): Promise<Session> {
  return acceptSession(await request('PATCH', '/api/v1/auth/me', { body: { locale } }));
}

/** POST /api/v1/auth/password-reset: always accepted, whether or not the address has an account (RATE_LIMITED aside). */
export async function requestPasswordReset(email: string): Promise<void> {
  await request('POST', '/api/v1/auth/password-reset', { body: { email }, expectUnauthenticated: true });
}

/** Sets a new password with a mailed reset link. Throws RESET_TOKEN_INVALID, VALIDATION_FAILED (too short). */
export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password }, expectUnauthenticated: true });
}

/** Who an invitation link invites. Throws INVITATION_INVALID, _USED, _EXPIRED, _REVOKED. */
export async function previewInvitation(token: string): Promise<InvitationPreviewWire> {
  const body = await request('POST', '/api/v1/auth/invitation', { body: { token }, expectUnauthenticated: true });
  if (!isRecord(body) || typeof body.email !== 'string' || typeof body.name !== 'string' || typeof body.workspace !== 'string') {
    throw new ApiError('UNKNOWN', 200, 'unexpected invitation body from the server');
  }
  return body as InvitationPreviewWire;
}

/** Chooses a password for an invitation; the new agent is signed in. */
export async function acceptInvitation(token: string, password: string): Promise<Session> {
  return acceptSession(await request('POST', '/api/v1/auth/invitation/accept', { body: { token, password }, expectUnauthenticated: true }));
}

/** The signed-in agent's new password; their other sessions end. Throws CURRENT_PASSWORD_WRONG, VALIDATION_FAILED. */
export async function changePassword(input: PasswordChangeInput): Promise<void> {
  await request('POST', '/api/v1/auth/me/password', { body: input });
}

export type NotificationPreferences = NotificationPreferencesWire;

/** Which notification mails the signed-in agent gets. */
export async function notificationPreferences(): Promise<NotificationPreferences> {
  const body = await request('GET', '/api/v1/auth/me/notifications');
  if (!isRecord(body) || typeof body.assigned !== 'boolean' || typeof body.customerReplied !== 'boolean' || typeof body.slaWarning !== 'boolean') {
    throw new ApiError('UNKNOWN', 200, 'unexpected notification preferences from the server');
  }
  return { assigned: body.assigned, customerReplied: body.customerReplied, slaWarning: body.slaWarning };
}

export async function saveNotificationPreferences(preferences: NotificationPreferences): Promise<void> {
  await request('PUT', '/api/v1/auth/me/notifications', { body: preferences });
}

/** Checks a session body from the server and keeps its CSRF token for later writes. */
function acceptSession(body: unknown): Session {
  const session = parseSession(body);
  if (!session) throw new ApiError('UNKNOWN', 200, 'unexpected session body from the server');
  setCsrfToken(session.csrfToken);
  return { agent: session.agent, workspace: session.workspace };
}

export function parseSession(body: unknown): (Session & { csrfToken: string }) | null {
  if (!isRecord(body) || !isRecord(body.agent) || !isRecord(body.workspace)) return null;
  const { agent, workspace, csrfToken } = body;
  if (
    typeof csrfToken !== 'string' ||
    !isId(agent.id) ||
    typeof agent.name !== 'string' ||
    typeof agent.email !== 'string' ||
    !(AGENT_ROLES as readonly unknown[]).includes(agent.role) ||
    !isId(workspace.id) ||
    typeof workspace.name !== 'string' ||
    typeof workspace.slug !== 'string'
  ) {
    return null;
  }
  return {
    csrfToken,
    agent: {
      id: String(agent.id),
      name: agent.name,
      email: agent.email,
      role: agent.role as Agent['role'],
      // null (no choice yet), or a locale this console doesn't have: keep the current language.
      locale: isLocale(agent.locale) ? agent.locale : null,
    },
    workspace: { id: String(workspace.id), name: workspace.name, slug: workspace.slug },
  };
}

function isId(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}
