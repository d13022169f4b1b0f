import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../../components/document-title.js';
import { Link, isWithin, usePath } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { AddressesTab } from './addresses-tab.js';
import { MailboxesTab } from './mailboxes-tab.js';
import { OutboxMailView } from './outbox-mail.js';
import { OutboxTab } from './outbox-tab.js';
import { ParkedTab } from './parked-tab.js';
import './settings.css';

const MAIL_ROOT = '/settings/mail';
const MAIL_TABS = ['outbox', 'addresses', 'mailboxes', 'parked'] as const;
type MailTab = (typeof MAIL_TABS)[number];

/**
 * Workspace settings, admin only: `/settings/mail/<tab>[/<id>]`. Each screen is an address, so an
 * admin can reload or share it (`/settings/mail/outbox/<id>` is one mail).
 */
export function SettingsPage() {
  const { t } = useTranslation();
  const session = useSignedIn();
  const path = usePath();
  const [tab = 'outbox', ...rest] = isWithin(path, MAIL_ROOT) ? path.slice(MAIL_ROOT.length + 1).split('/').filter(Boolean) : [];
  const current: MailTab = (MAIL_TABS as readonly string[]).includes(tab) ? (tab as MailTab) : 'outbox';
  useDocumentTitle(`${t('settings.mail.title')} · ${t(`settings.mail.tabs.${current}`)}`);

  return (
    <section className="page settings" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.settings')}</h1>
      </header>
      {session.agent.role !== 'admin' ? (
        <p className="notice settings-error" role="alert">{t('settings.adminOnly')}</p>
      ) : (
        <div className="settings-layout">
          <nav className="settings-sections" aria-label={t('nav.settings')}>
            <Link to={`${MAIL_ROOT}/outbox`} className="settings-section" aria-current="page">{t('settings.mail.title')}</Link>
          </nav>
          <div className="settings-body">
            <nav className="settings-tabs" aria-label={t('settings.mail.title')}>
              {MAIL_TABS.map((name) => (
                <Link key={name} to={`${MAIL_ROOT}/${name}`} className="settings-tab" aria-current={name === current ? 'page' : undefined}>
                  {t(`settings.mail.tabs.${name}`)}
                </Link>
              ))}
            </nav>
            {screen(current, rest[0])}
          </div>
        </div>
      )}
    </section>
  );
}

function screen(tab: MailTab, id: string | undefined) {
  switch (tab) {
    case 'outbox':
      return id ? <OutboxMailView key={id} id={id} back={`${MAIL_ROOT}/outbox`} /> : <OutboxTab base={`${MAIL_ROOT}/outbox`} />;
    case 'addresses':
      return <AddressesTab />;
    case 'mailboxes':
      return <MailboxesTab />;
    case 'parked':
      return <ParkedTab />;
  }
}
