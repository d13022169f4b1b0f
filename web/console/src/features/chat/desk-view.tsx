import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ChatMessage, ChatOffer, ConversationView } from '@contracts/chat.js';
import { Link } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { CustomerPanel } from '../inbox/customer-panel.js';
import { cannedForReply, fillPlaceholders, insertAt } from '../inbox/canned.js';
import { useCustomer, useInboxData, useNames } from '../inbox/inbox-data.js';
import { localName } from '../inbox/format.js';
import { useNow } from '../inbox/ticket-bits.js';
import { attachmentLimits, checkAttachments, ticketById, type AttachmentLimits } from '../inbox/tickets-api.js';
import { chatErrorKey, useSecondsLeft, type ChatErrorKey } from './chat-bits.js';
import type { ChatDesk, ChatTab, DeskSnapshot } from './chat-desk.js';

const TYPING_IDLE_MS = 3_000;

/** Closed for the business hours says so (an online agent waits for nothing); else what would bring a chat. */
function deskEmptyMessage(snapshot: DeskSnapshot, t: TFunction, language: string): string {
  const state = snapshot.state;
  if (state && !state.hours.open) {
    if (!state.hours.opensAt) return t('chat.desk.closed');
    const when = new Intl.DateTimeFormat(language, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(state.hours.opensAt));
    return t('chat.desk.closedUntil', { when });
  }
  return t(state?.presence === 'online' ? 'chat.desk.emptyOnline' : 'chat.desk.empty');
}

/** The agent's desk: the offer ringing now, then the active chats as tabs. */
export function DeskView({ desk, snapshot }: { desk: ChatDesk; snapshot: DeskSnapshot }) {
  const { t, i18n } = useTranslation();
  const [selected, setSelected] = useState<string | null>(null);
  const tabs = snapshot.tabs;
  const current = tabs.find((tab) => tab.conversation.id === selected) ?? tabs[0] ?? null;

  return (
    <div className="chat-desk">
      {snapshot.offer ? (
        <OfferCard key={snapshot.offer.conversation.id} desk={desk} offer={snapshot.offer} clockOffsetMs={snapshot.clockOffsetMs} onAccepted={setSelected} />
      ) : snapshot.offerWithdrawn ? (
        <p className="notice chat-withdrawn" role="status">
          {t(`chat.offer.withdrawn.${snapshot.offerWithdrawn}`)}
        </p>
      ) : null}
      {tabs.length === 0 ? (
        <div className="panel empty-state">
          <p className="muted" data-testid="desk-empty">{deskEmptyMessage(snapshot, t, i18n.language)}</p>
        </div>
      ) : (
        <>
          <div role="tablist" aria-label={t('chat.desk.tabs')} className="chat-tabs" onKeyDown={(event) => moveBetweenTabs(event, tabs, current, setSelected)}>
            {tabs.map((tab) => {
              const active = tab === current;
              return (
                <button
                  key={tab.conversation.id}
                  role="tab"
                  type="button"
                  id={`chat-tab-${tab.conversation.id}`}
                  aria-selected={active}
                  aria-controls={`chat-panel-${tab.conversation.id}`}
                  tabIndex={active ? 0 : -1}
                  className={`chat-tab${tab.conversation.status === 'ended' || tab.movedAway ? ' chat-tab-done' : ''}`}
                  onClick={() => setSelected(tab.conversation.id)}
                >
                  {tab.conversation.visitor.name}
                  {tab.visitorTyping ? <span className="chat-tab-typing" aria-hidden="true">…</span> : null}
                </button>
              );
            })}
          </div>
          {current ? <Conversation key={current.conversation.id} desk={desk} tab={current} /> : null}
        </>
      )}
    </div>
  );
}

/** Arrow keys, Home and End move between the chat tabs (the ARIA tabs pattern). */
function moveBetweenTabs(event: KeyboardEvent<HTMLDivElement>, tabs: ChatTab[], current: ChatTab | null, select: (id: string) => void): void {
  const index = current ? tabs.indexOf(current) : -1;
  const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (target === undefined || tabs.length === 0) return;
  event.preventDefault();
  const next = tabs[(target + tabs.length) % tabs.length]!;
  select(next.conversation.id);
  document.getElementById(`chat-tab-${next.conversation.id}`)?.focus();
}

function OfferCard({ desk, offer, clockOffsetMs, onAccepted }: { desk: ChatDesk; offer: ChatOffer; clockOffsetMs: number; onAccepted: (id: string) => void }) {
  const { t } = useTranslation();
  const left = useSecondsLeft(offer.expiresAt, clockOffsetMs) ?? offer.timeoutSeconds;
  const [error, setError] = useState<ChatErrorKey | null>(null);
  const [busy, setBusy] = useState(false);
  const accept = useRef<HTMLButtonElement>(null);
  const { customer, recentTickets } = offer.screenPop;
  const question = offer.messages.find((m) => m.author.type === 'visitor');

  // The offer rings: put the keyboard on "Accept" so Enter takes it — unless the agent is typing
  // somewhere (a reply in another chat), where a stolen Enter would accept by accident.
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body || !active.matches('input, textarea, select, [contenteditable]')) accept.current?.focus();
  }, []);

  const act = (action: () => Promise<void>, accepted: boolean) => {
    setBusy(true);
    setError(null);
    action().then(
      () => {
        if (accepted) onAccepted(offer.conversation.id);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(chatErrorKey(failure));
      },
    );
  };

  return (
    <section className="panel chat-offer" role="alertdialog" aria-labelledby="chat-offer-title" aria-describedby="chat-offer-who">
      <header className="chat-offer-head">
        <h2 id="chat-offer-title">{t('chat.offer.title')}</h2>
        <span className="chat-countdown" role="timer" aria-live="off">
          {t('chat.offer.countdown', { seconds: left })}
        </span>
      </header>
      <p id="chat-offer-who" className="chat-offer-who">
        {t('chat.offer.from', { name: customer.name, email: customer.email })}
      </p>
      {question ? <blockquote className="chat-offer-question">{question.text}</blockquote> : null}
      <h3 className="side-heading">{t('chat.offer.recentTickets')}</h3>
      {recentTickets.length === 0 ? (
        <p className="muted small">{t('chat.offer.noTickets')}</p>
      ) : (
        <ul className="mini-list">
          {recentTickets.slice(0, 5).map((ticket) => (
            <li key={ticket.id}>
              <Link to={`/inbox/${ticket.number}`} className="mini-link">
                <span className="ticket-number">#{ticket.number}</span> {ticket.subject}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <div className="chat-offer-actions">
        <button ref={accept} type="button" className="button button-primary" disabled={busy} onClick={() => act(() => desk.accept(offer.conversation.id), true)}>
          {t('chat.offer.accept')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => act(() => desk.decline(offer.conversation.id), false)}>
          {t('chat.offer.decline')}
        </button>
      </div>
      {error ? (
        <p className="inline-error" role="alert">
          {t(`chat.errors.${error}`)}
        </p>
      ) : null}
    </section>
  );
}

function Conversation({ desk, tab }: { desk: ChatDesk; tab: ChatTab }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const now = useNow();
  const { conversation } = tab;
  const customerId = useCustomerIdOf(tab);
  const { customer, failed } = useCustomer(customerId, conversation.lastSeq);
  const done = conversation.status === 'ended' || tab.movedAway;
  const lastSeq = tab.messages.at(-1)?.seq ?? 0;

  // The agent has this chat on screen: everything in it has been read.
  useEffect(() => {
    if (lastSeq > 0 && !done) desk.read(conversation.id, lastSeq);
  }, [desk, conversation.id, lastSeq, done]);

  return (
    <div className="chat-conversation" role="tabpanel" id={`chat-panel-${conversation.id}`} aria-labelledby={`chat-tab-${conversation.id}`}>
      <div className="chat-main">
        <div className="chat-conversation-head">
          <h2 className="chat-conversation-title">{t('chat.desk.conversation', { name: conversation.visitor.name })}</h2>
          <Link to={`/inbox/${conversation.ticketNumber}`} className="mini-link">
            {t('chat.desk.ticket', { number: conversation.ticketNumber })}
          </Link>
          {done ? (
            <button type="button" className="button button-small" onClick={() => desk.closeTab(conversation.id)}>
              {t('chat.desk.closeTab')}
            </button>
          ) : null}
        </div>
        <MessageList tab={tab} selfId={agent.id} />
        <p className="chat-typing" aria-live="polite">
          {tab.visitorTyping && !done ? t('chat.desk.typing', { name: conversation.visitor.name }) : ''}
        </p>
        {done ? (
          <>
            <p className="notice" role="status">
              {tab.movedAway ? t('chat.desk.movedAway') : t('chat.desk.ended')}
            </p>
            <ChatRatingNote conversation={conversation} />
          </>
        ) : (
          <>
            <ChatComposer desk={desk} conversation={conversation} language={tab.screenPop?.customer.locale ?? null} />
            <ChatActions desk={desk} conversationId={conversation.id} selfId={agent.id} />
          </>
        )}
      </div>
      <aside className="conversation-side chat-side">
        {customerId ? (
          <CustomerPanel customerId={customerId} customer={customer} failed={failed} currentId={conversation.ticketId} revision={conversation.transfers} now={now} />
        ) : null}
      </aside>
    </div>
  );
}

/** The visitor's rating once given (it arrives with the chat's state after the end). */
function ChatRatingNote({ conversation }: { conversation: ConversationView }) {
  const { t } = useTranslation();
  const rating = conversation.rating;
  if (conversation.status !== 'ended') return null;
  if (!rating) return conversation.answeredAt ? <p className="muted small">{t('chat.desk.ratingPending')}</p> : null;
  return (
    <div className="chat-rating" data-rating={rating.score}>
      <p>
        <span aria-hidden="true" className="chat-rating-stars">{'★'.repeat(rating.score)}{'☆'.repeat(5 - rating.score)}</span>{' '}
        {t('chat.desk.rated', { score: rating.score })}
      </p>
      {rating.comment ? <blockquote className="chat-rating-comment">{rating.comment}</blockquote> : null}
    </div>
  );
}

/**
 * Whose record the screen-pop shows: the offer's screen-pop names the customer; a chat that came
 * by transfer (or from another tab) has none, so its ticket says who the customer is.
 */
function useCustomerIdOf(tab: ChatTab): string | null {
  const fromOffer = tab.screenPop?.customer.id ?? null;
  const [fromTicket, setFromTicket] = useState<string | null>(null);
  const ticketId = tab.conversation.ticketId;
  useEffect(() => {
    if (fromOffer) return;
    let cancelled = false;
    ticketById(ticketId).then(
      (ticket) => {
        if (!cancelled) setFromTicket(ticket.customerId);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [fromOffer, ticketId]);
  return fromOffer ?? fromTicket;
}

function MessageList({ tab, selfId }: { tab: ChatTab; selfId: string }) {
  const { t } = useTranslation();
  const end = useRef<HTMLLIElement>(null);
  const count = tab.messages.length + tab.pending.length;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [count]);

  const authorName = (m: ChatMessage) => (m.author.type === 'system' ? t('chat.desk.system') : m.author.name || t('chat.desk.visitor'));
  const receipt = (m: ChatMessage) => {
    if (m.author.type !== 'agent') return null;
    if (m.seq <= tab.readUpTo) return t('chat.desk.read');
    if (m.seq <= tab.deliveredUpTo) return t('chat.desk.delivered');
    return null;
  };

  return (
    <ol className="chat-log" aria-live="polite" aria-relevant="additions" aria-label={t('chat.desk.conversation', { name: tab.conversation.visitor.name })}>
      {tab.messages.map((m) => (
        <li key={m.seq} className={`chat-msg chat-msg-${m.author.type}${m.author.id === selfId ? ' chat-msg-self' : ''}`} data-seq={m.seq}>
          <span className="chat-msg-author">{authorName(m)}</span>
          {/* Plain text, exactly as typed: React escapes it, so markup shows as characters. */}
          <span className="chat-msg-text">{m.text}</span>
          {m.attachments.map((file) => (
            <a key={file.id} className="chat-msg-file" href={file.url} target="_blank" rel="noopener noreferrer">
              {file.filename}
            </a>
          ))}
          <span className="chat-msg-meta muted small">
            <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleTimeString()}</time>
            {receipt(m) ? <span className="chat-receipt"> · {receipt(m)}</span> : null}
          </span>
        </li>
      ))}
      {tab.pending.map((p) => (
        <li key={p.clientMessageId} className="chat-msg chat-msg-agent chat-msg-self chat-msg-pending">
          <span className="chat-msg-text">{p.text}</span>
          <span className="chat-msg-meta muted small">{t('chat.desk.sending')}</span>
        </li>
      ))}
      <li ref={end} className="chat-log-end" aria-hidden="true" />
    </ol>
  );
}

/** The chat's message box, with the workspace's canned replies (in the customer's language first) a select away. */
function ChatComposer({ desk, conversation, language }: { desk: ChatDesk; conversation: ConversationView; language: string | null }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const { canned } = useInboxData();
  const names = useNames();
  const conversationId = conversation.id;
  const area = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState('');
  const typing = useRef<{ on: boolean; timer: ReturnType<typeof setTimeout> | null }>({ on: false, timer: null });
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [upload, setUpload] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [limits, setLimits] = useState<AttachmentLimits | null>(null);
  useEffect(() => {
    let live = true;
    void attachmentLimits().then((found) => live && setLimits(found));
    return () => {
      live = false;
    };
  }, []);

  /** Checked here against the server's limits for a quick answer; the server checks again. */
  const sendFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const { problem } = checkAttachments([], [file], limits);
    if (problem) {
      setUpload({ busy: false, error: t(`chat.errors.${problem.code === 'ATTACHMENT_TOO_LARGE' ? 'ATTACHMENT_TOO_LARGE' : 'ATTACHMENT_TYPE_FORBIDDEN'}`) });
      return;
    }
    setUpload({ busy: true, error: null });
    desk.sendFile(conversationId, file).then(
      () => setUpload({ busy: false, error: null }),
      (failure: unknown) => setUpload({ busy: false, error: t(`chat.errors.${chatErrorKey(failure)}`) }),
    );
  };

  const setTyping = (on: boolean) => {
    const state = typing.current;
    if (state.timer) clearTimeout(state.timer);
    state.timer = on ? setTimeout(() => setTyping(false), TYPING_IDLE_MS) : null;
    if (state.on !== on) {
      state.on = on;
      desk.typing(conversationId, on);
    }
  };
  useEffect(() => () => {
    if (typing.current.timer) clearTimeout(typing.current.timer);
  }, []);

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const body = text.trim();
    if (!body) return;
    desk.send(conversationId, body);
    setText('');
    setTyping(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) send(event);
  };
  const replyLanguage = language === 'en' || language === 'zh-CN' ? language : null;
  const replies = cannedForReply(canned, replyLanguage, names.locale);
  const insertCanned = (cannedId: string) => {
    const reply = replies.find((c) => c.id === cannedId);
    if (!reply) return;
    const snippet = fillPlaceholders(reply.body, {
      customer: { name: conversation.visitor.name, email: conversation.visitor.email },
      agent: { name: agent.name, email: agent.email },
      ticket: { number: conversation.ticketNumber, subject: '' },
    });
    const el = area.current;
    const { text: next, cursor } = insertAt(text, snippet, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length);
    setText(next);
    setTyping(true);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(cursor, cursor);
    });
  };

  return (
    <form className="chat-composer" onSubmit={send}>
      <label htmlFor={`${id}-text`} className="sr-only">
        {t('chat.desk.messageLabel')}
      </label>
      {replies.length > 0 && (
        <select className="chat-canned" aria-label={t('inbox.composer.canned')} value="" onChange={(e) => insertCanned(e.target.value)}>
          <option value="">{t('inbox.composer.canned')}</option>
          {replies.map((reply) => <option key={reply.id} value={reply.id}>{reply.title}</option>)}
        </select>
      )}
      <textarea
        ref={area}
        id={`${id}-text`}
        value={text}
        rows={2}
        placeholder={t('chat.desk.messagePlaceholder')}
        onChange={(e) => {
          setText(e.target.value);
          setTyping(e.target.value.length > 0);
        }}
        onKeyDown={onKeyDown}
      />
      <input ref={fileInput} id={`${id}-file`} type="file" className="sr-only" onChange={sendFile} disabled={upload.busy} data-chat-file />
      <button type="button" className="button chat-attach" disabled={upload.busy} onClick={() => fileInput.current?.click()} aria-describedby={upload.error ? `${id}-file-error` : undefined}>
        {upload.busy ? t('chat.desk.sendingFile') : t('chat.desk.attach')}
      </button>
      <button type="submit" className="button button-primary" disabled={!text.trim()}>
        {t('chat.desk.send')}
      </button>
      {upload.error ? <p className="inline-error chat-file-error" id={`${id}-file-error`} role="alert">{upload.error}</p> : null}
    </form>
  );
}

/** Transfer to an agent or a team (the history goes along), and end the chat. */
function ChatActions({ desk, conversationId, selfId }: { desk: ChatDesk; conversationId: string; selfId: string }) {
  const { t, i18n } = useTranslation();
  const { agents, departments } = useInboxData();
  const [target, setTarget] = useState('');
  const [error, setError] = useState<ChatErrorKey | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const locale = i18n.resolvedLanguage ?? i18n.language;

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action().then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setError(chatErrorKey(failure));
      },
    );
  };
  const transfer = (event: FormEvent) => {
    event.preventDefault();
    const [kind, targetId] = target.split(':');
    if (!targetId) return;
    run(() => desk.transfer(conversationId, kind === 'agent' ? { agentId: targetId } : { departmentId: targetId }));
  };

  return (
    <div className="chat-actions">
      <form className="chat-transfer" onSubmit={transfer}>
        <label htmlFor={`${id}-to`}>{t('chat.desk.transfer.label')}</label>
        <select id={`${id}-to`} value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">{t('chat.desk.transfer.choose')}</option>
          <optgroup label={t('chat.desk.transfer.agent')}>
            {agents.filter((a) => !a.disabled && a.id !== selfId).map((a) => (
              <option key={a.id} value={`agent:${a.id}`}>
                {a.name}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('chat.desk.transfer.team')}>
            {departments.map((d) => (
              <option key={d.id} value={`team:${d.id}`}>
                {localName(d.name, locale, d.key)}
              </option>
            ))}
          </optgroup>
        </select>
        <button type="submit" className="button button-small" disabled={!target || busy}>
          {t('chat.desk.transfer.submit')}
        </button>
      </form>
      <button type="button" className="button button-small chat-end" disabled={busy} onClick={() => run(() => desk.end(conversationId))}>
        {t('chat.desk.end')}
      </button>
      {error ? (
        <p className="inline-error" role="alert">
          {t(`chat.errors.${error}`)}
        </p>
      ) : null}
    </div>
  );
}
