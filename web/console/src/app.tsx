import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from './components/document-title.js';
import { usePath } from './router/router.js';
import { ACCOUNT_PAGES } from './session/account-pages.js';
import { LoginPage } from './session/login-page.js';
import { useSession } from './session/session.js';
import { Shell } from './shell/shell.js';

export function App() {
  const { state } = useSession();
  const accountPage = ACCOUNT_PAGES[usePath()];
  // A mailed link (reset, invitation) opens its page even in a browser where someone is signed in.
  if (accountPage && (state.status === 'anonymous' || state.status === 'authenticated')) return accountPage();
  switch (state.status) {
    case 'loading':
      return <Splash />;
    case 'unavailable':
      return <Unavailable />;
    case 'anonymous':
      // Any /agent/* address shows the sign-in form, then the page that was asked for.
      // Keyed so a session ending while the form is already shown still says so.
      return <LoginPage key={state.expired ? 'expired' : 'signed-out'} expired={state.expired} />;
    case 'authenticated':
      return <Shell />;
  }
}

function Splash() {
  const { t } = useTranslation();
  return (
    <div className="splash" role="status">
      {t('app.loading')}
    </div>
  );
}

function Unavailable() {
  const { t } = useTranslation();
  const { retry } = useSession();
  useDocumentTitle(t('unavailable.title'));
  return (
    <main className="login-main">
      <section className="panel login-card" aria-labelledby="unavailable-title">
        <h1 id="unavailable-title">{t('unavailable.title')}</h1>
        <p className="muted">{t('unavailable.body')}</p>
        <button type="button" className="button button-primary" onClick={retry}>
          {t('unavailable.retry')}
        </button>
      </section>
    </main>
  );
}
