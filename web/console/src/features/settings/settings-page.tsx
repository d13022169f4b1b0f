import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../../components/document-title.js';
import { Link, usePath } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { AddressesTab } from './addresses-tab.js';
import { AgentsTab } from './agents-tab.js';
import { AuditTab } from './audit-tab.js';
import { CannedTab } from './canned-tab.js';
import { ChatQueuesTab, ChatSettingsTab } from './chat-tab.js';
import { HostnamesTab } from './hostnames-tab.js';
import { MailboxesTab } from './mailboxes-tab.js';
import { OutboxMailView } from './outbox-mail.js';
import { OutboxTab } from './outbox-tab.js';
import { ParkedTab } from './parked-tab.js';
import { ProfileTab } from './profile-tab.js';
import { CalendarTab, SlaPoliciesTab } from './sla-tab.js';
import { TeamsTab } from './teams-tab.js';
import { TokensTab } from './tokens-tab.js';
import { TriageClassifierTab, TriageRulesTab } from './triage-tab.js';
import { TriageAutomationsTab } from './triage-automations-tab.js';
import { TriageTemplatesTab } from './triage-templates-tab.js';
import { DeliveriesView, WebhooksTab } from './webhooks-tab.js';
import './settings.css';

const ROOT = '/settings';

/** The sections, in the order of the navigation; a section with tabs opens its first. */
const SECTIONS = {
  mail: ['outbox', 'addresses', 'mailboxes', 'parked'],
  hostnames: [],
  teams: [],
  agents: [],
  sla: ['policies', 'calendar'],
  chat: ['general', 'queues'],
  triage: ['rules', 'templates', 'classifier', 'automations'],
  canned: [],
  webhooks: [],
  tokens: [],
  audit: [],
  profile: [],
} as const satisfies Record<string, readonly string[]>;
type Section = keyof typeof SECTIONS;
const SECTION_NAMES = Object.keys(SECTIONS) as Section[];

/** What every agent may open: their own API tokens and their profile (password). */
const OWN_SECTIONS: Section[] = ['tokens', 'profile'];

/**
 * Workspace settings: `/settings/<section>[/<tab>][/<id>]`. Each screen is an address, so an admin
 * can reload or share it (`/settings/mail/outbox/<id>` is one mail). Every section but API tokens
 * and the profile is for admins; an agent manages their own tokens and password here too.
 */
export function SettingsPage() {
  const { t } = useTranslation();
  const session = useSignedIn();
  const admin = session.agent.role === 'admin';
  const path = usePath();
  const [first, ...rest] = path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1).split('/').filter(Boolean) : [];
  const sections = admin ? SECTION_NAMES : OWN_SECTIONS;
  const section: Section = sections.find((s) => s === first) ?? sections[0]!;
  const tabs: readonly string[] = SECTIONS[section];
  const tab = tabs.length ? (tabs.includes(rest[0] ?? '') ? rest[0]! : tabs[0]!) : undefined;
  const id = tabs.length ? rest[1] : rest[0];
  const sectionTitle = t(`settings.sections.${section}`);
  useDocumentTitle(tab ? `${sectionTitle} · ${tabLabel(t, section, tab)}` : sectionTitle);

  return (
    <section className="page settings" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.settings')}</h1>
      </header>
      {!admin && first !== undefined && !sections.some((s) => s === first) && <p className="notice settings-error" role="alert">{t('settings.adminOnly')}</p>}
      <div className="settings-layout">
        <nav className="settings-sections" aria-label={t('nav.settings')}>
          {sections.map((s) => (
            <Link key={s} to={`${ROOT}/${s}`} className="settings-section" aria-current={s === section ? 'page' : undefined}>{t(`settings.sections.${s}`)}</Link>
          ))}
        </nav>
        <div className="settings-body">
          <h2 className="settings-title">{sectionTitle}</h2>
          {tabs.length > 0 && (
            <nav className="settings-tabs" aria-label={sectionTitle}>
              {tabs.map((name) => (
                <Link key={name} to={`${ROOT}/${section}/${name}`} className="settings-tab" aria-current={name === tab ? 'page' : undefined}>
                  {tabLabel(t, section, name)}
                </Link>
              ))}
            </nav>
          )}
          {screen(section, tab, id, admin)}
        </div>
      </div>
    </section>
  );
}

type MailTab = (typeof SECTIONS.mail)[number];
type SlaTab = (typeof SECTIONS.sla)[number];
type ChatTab = (typeof SECTIONS.chat)[number];
type TriageTab = (typeof SECTIONS.triage)[number];

function tabLabel(t: TFunction, section: Section, tab: string): string {
  switch (section) {
    case 'sla': return t(`settings.sla.tabs.${tab as SlaTab}`);
    case 'chat': return t(`settings.chat.tabs.${tab as ChatTab}`);
    case 'triage': return t(`settings.triage.tabs.${tab as TriageTab}`);
    default: return t(`settings.mail.tabs.${tab as MailTab}`);
  }
}

function screen(section: Section, tab: string | undefined, id: string | undefined, admin: boolean) {
  const base = `${ROOT}/${section}${tab ? `/${tab}` : ''}`;
  switch (section) {
    case 'mail':
      switch (tab) {
        case 'addresses': return <AddressesTab />;
        case 'mailboxes': return <MailboxesTab />;
        case 'parked': return <ParkedTab />;
        default: return id ? <OutboxMailView key={id} id={id} back={base} /> : <OutboxTab base={base} />;
      }
    case 'hostnames': return <HostnamesTab />;
    case 'teams': return <TeamsTab />;
    case 'agents': return <AgentsTab />;
    case 'sla': return tab === 'calendar' ? <CalendarTab /> : <SlaPoliciesTab />;
    case 'chat': return tab === 'queues' ? <ChatQueuesTab /> : <ChatSettingsTab />;
    case 'triage':
      switch (tab) {
        case 'classifier': return <TriageClassifierTab />;
        case 'automations': return <TriageAutomationsTab />;
        case 'templates': return <TriageTemplatesTab />;
        default: return <TriageRulesTab />;
      }
    case 'canned': return <CannedTab />;
    case 'webhooks': return id ? <DeliveriesView key={id} id={id} back={base} /> : <WebhooksTab base={base} />;
    case 'tokens': return <TokensTab admin={admin} />;
    case 'audit': return <AuditTab />;
    case 'profile': return <ProfileTab />;
  }
}
