import { isLocale, type Locale } from '../i18n/i18n.js';
import { ApiError, isRecord, request, setCsrfToken } from './http.js';

export const ROLES = ['admin', 'agent', 'editor'] as const;
export type Role = (typeof ROLES)[number];

export interface Agent {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** null: the agent has not chosen; the console keeps the browser's language. */
  locale: Locale | null;
}

export interface Workspace {
  id: string;
  /** In the session's language (the server picks it from the agent's locale or the request). */
  name: string;
  slug: string;
}

export interface Session {
  agent: Agent;
  workspace: Workspace;
}

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
    !(ROLES as readonly unknown[]).includes(agent.role) ||
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
      role: agent.role as Role,
      // null (no choice yet), or a locale this console doesn't have: keep the current language.
      locale: isLocale(agent.locale) ? agent.locale : null,
    },
    workspace: { id: String(workspace.id), name: workspace.name, slug: workspace.slug },
  };
}

function isId(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}
