import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { I18nContext } from 'react-i18next';
import * as auth from '../api/auth.js';
import type { Session } from '../api/auth.js';
import { setUnauthorizedHandler } from '../api/http.js';
import { rememberLocale, type Locale } from '../i18n/i18n.js';

export type SessionState =
  | { status: 'loading' }
  /** `expired`: a call answered 401 while signed in, so the sign-in page says why it is back. */
  | { status: 'anonymous'; expired?: boolean }
  /** The first session check could not reach the server. */
  | { status: 'unavailable' }
  | { status: 'authenticated'; session: Session };

export interface SessionApi {
  state: SessionState;
  /** Throws ApiError (INVALID_CREDENTIALS, RATE_LIMITED, …) for the sign-in form to show. */
  signIn(email: string, password: string): Promise<void>;
  /** Accepts an invitation with the chosen password and signs the new agent in; throws ApiError (INVITATION_EXPIRED …). */
  acceptInvitation(token: string, password: string): Promise<void>;
  /** Throws ApiError when the server could not end the session. */
  signOut(): Promise<void>;
  /** Switches the UI at once; when signed in also saves it as the agent's preference (may throw). */
  changeLocale(locale: Locale): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  // The raw instance: useTranslation() hands out a new wrapper on every language change, which
  // would re-run the session check below each time.
  const { i18n } = useContext(I18nContext);
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // A language picked on the sign-in page, which the next sign-in saves as the agent's preference.
  const pickedWhileSignedOut = useRef<Locale | null>(null);

  // A fresh session body (after a locale change) for the same signed-in agent.
  const replaceSession = useCallback((session: Session) => {
    setState((current) => (current.status === 'authenticated' ? { status: 'authenticated', session } : current));
  }, []);

  // Once we know who signed in: a language picked on the sign-in page is saved as theirs;
  // otherwise their saved language, if they have one, replaces the browser's.
  const enter = useCallback(
    (session: Session) => {
      const picked = pickedWhileSignedOut.current;
      pickedWhileSignedOut.current = null;
      setState({ status: 'authenticated', session });
      if (picked && picked !== session.agent.locale) {
        // Best effort: if saving fails, the choice still holds until the next reload.
        auth.updateLocale(picked).then(replaceSession, () => undefined);
        return;
      }
      if (session.agent.locale) {
        rememberLocale(session.agent.locale);
        void i18n.changeLanguage(session.agent.locale);
      }
    },
    [i18n, replaceSession],
  );

  useEffect(() => {
    let cancelled = false;
    auth.currentSession().then(
      (session) => {
        if (cancelled) return;
        if (session) enter(session);
        else setState({ status: 'anonymous' });
      },
      () => {
        if (!cancelled) setState({ status: 'unavailable' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, enter]);

  useEffect(() => {
    setUnauthorizedHandler(() => setState({ status: 'anonymous', expired: true }));
    return () => setUnauthorizedHandler(null);
  }, []);

  const signIn = useCallback(
    async (email: string, password: string) => enter(await auth.login(email, password)),
    [enter],
  );

  const acceptInvitation = useCallback(
    async (token: string, password: string) => enter(await auth.acceptInvitation(token, password)),
    [enter],
  );

  const signOut = useCallback(async () => {
    await auth.logout();
    setState({ status: 'anonymous' });
  }, []);

  const changeLocale = useCallback(
    async (locale: Locale) => {
      rememberLocale(locale);
      await i18n.changeLanguage(locale);
      if (state.status !== 'authenticated') {
        pickedWhileSignedOut.current = locale;
        return;
      }
      // The answer carries the workspace name in the new language.
      replaceSession(await auth.updateLocale(locale));
    },
    [i18n, state.status, replaceSession],
  );

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const api = useMemo<SessionApi>(
    () => ({ state, signIn, acceptInvitation, signOut, changeLocale, retry }),
    [state, signIn, acceptInvitation, signOut, changeLocale, retry],
  );
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error('useSession() outside <SessionProvider>');
  return api;
}

/** For pages inside the shell, which only render while someone is signed in. */
export function useSignedIn(): Session {
  const { state } = useSession();
  if (state.status !== 'authenticated') throw new Error('useSignedIn() while signed out');
  return state.session;
}
