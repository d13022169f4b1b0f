import { Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorKey } from '../api/error-key.js';
import { useDocumentTitle } from '../components/document-title.js';
import { Icon, Logo } from '../components/icon.js';
import { LanguageSwitch } from '../components/language-switch.js';
import { areas, findArea } from '../features/areas.js';
import type { Locale } from '../i18n/i18n.js';
import { Link, isWithin, usePath } from '../router/router.js';
import { useSession, useSignedIn } from '../session/session.js';
import { NotFoundPage } from './not-found-page.js';

type Notice = 'localeSaveFailed' | 'signOutFailed';

/** The signed-in frame: top bar, navigation, and the current area's page. */
export function Shell() {
  const { t } = useTranslation();
  const { agent, workspace } = useSignedIn();
  const { signOut, changeLocale } = useSession();
  const path = usePath();
  const area = findArea(path);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  useDocumentTitle(area ? t(`nav.${area.key}`) : t('notFound.title'));

  // After an in-app navigation, move focus to the new content, as a full page load would.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [area]);

  const onLocale = (locale: Locale) => {
    setNotice(null);
    changeLocale(locale).catch((error: unknown) => {
      if (errorKey(error) !== 'UNAUTHENTICATED') setNotice('localeSaveFailed');
    });
  };

  const onSignOut = () => {
    setNotice(null);
    setSigningOut(true);
    signOut().catch(() => {
      setSigningOut(false);
      setNotice('signOutFailed');
    });
  };

  const Page = area?.Page ?? NotFoundPage;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <Logo />
          <span className="brand-name">{t('app.name')}</span>
        </Link>
        <span className="workspace-name">
          <span className="sr-only">{t('shell.workspace')}: </span>
          {workspace.name}
        </span>
        <div className="topbar-actions">
          <LanguageSwitch onChange={onLocale} />
          <div className="account" role="group" aria-label={t('shell.account')}>
            <span className="avatar" aria-hidden="true">
              {initials(agent.name)}
            </span>
            <span className="account-text">
              <span className="account-name">{agent.name}</span>
              <span className="account-role">{t(`roles.${agent.role}`)}</span>
            </span>
          </div>
          <button type="button" className="button button-quiet" onClick={onSignOut} disabled={signingOut}>
            <Icon name="signOut" />
            <span>{signingOut ? t('shell.signingOut') : t('shell.signOut')}</span>
          </button>
        </div>
      </header>
      <div className="notice-region" role="status" aria-live="polite">
        {notice && (
          <p className="notice">
            <span>{t(`shell.${notice}`)}</span>
            <button type="button" className="button button-quiet button-small" onClick={() => setNotice(null)}>
              {t('shell.dismiss')}
            </button>
          </p>
        )}
      </div>
      <div className="shell-body">
        <nav className="sidenav" aria-label={t('shell.mainNav')}>
          <ul>
            {areas.map((item) => (
              <li key={item.key}>
                <Link
                  to={item.path}
                  className="nav-link"
                  aria-current={isWithin(path, item.path) ? 'page' : undefined}
                >
                  <Icon name={item.icon} />
                  <span>{t(`nav.${item.key}`)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="main" tabIndex={-1} ref={mainRef}>
          <Suspense fallback={<PageLoading />}>
            <Page />
          </Suspense>
        </main>
      </div>
    </div>
  );
}

/** Shown while an area's code loads; only after a moment, so a fast load doesn't flash it. */
function PageLoading() {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setVisible(true), 300);
    return () => clearTimeout(timer);
  }, []);
  return (
    <p className="loading" role="status">
      {visible ? t('app.loading') : ''}
    </p>
  );
}

/** "Ada Lovelace" → "AL"; "王小明" → "王". */
function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  if (words.length === 1) return Array.from(words[0] ?? '')[0]?.toUpperCase() ?? '?';
  return words
    .slice(0, 2)
    .map((word) => Array.from(word)[0]?.toUpperCase() ?? '')
    .join('');
}
