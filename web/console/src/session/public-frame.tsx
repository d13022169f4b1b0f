import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Logo } from '../components/icon.js';
import { LanguageSwitch } from '../components/language-switch.js';
import { useSession } from './session.js';

/** The frame of the pages shown before anyone is signed in: sign-in, forgot password, reset, invitation. */
export function PublicFrame({ titleId, children }: { titleId: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { changeLocale } = useSession();
  return (
    <div className="login">
      <header className="login-top">
        <span className="brand">
          <Logo />
          <span className="brand-name">{t('app.name')}</span>
        </span>
        <LanguageSwitch onChange={(locale) => void changeLocale(locale)} />
      </header>
      <main className="login-main">
        <section className="panel login-card" aria-labelledby={titleId}>
          <p className="eyebrow">{t('app.product')}</p>
          {children}
        </section>
      </main>
      <footer className="login-footer">{t('login.footer')}</footer>
    </div>
  );
}
