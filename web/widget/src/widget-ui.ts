/**
 * The widget's screens, rendered into its shadow root: launcher → pre-chat form → help-centre
 * suggestions (skippable) → queue and conversation → ended; or "leave a message" when nobody is
 * available. Keyboard first: focus moves to each screen's first control, Escape closes, and new
 * messages are announced through an aria-live log.
 */
import type { ChatEvent, PreChat, Suggestion, WidgetSettings } from './connection-types.js';
import { ChatRequestError, type ChatConnection } from './chat-connection.js';
import { h, icon, replace } from './dom.js';
import type { StringKey, Translate } from './i18n.js';
import type { LoggedMessage } from './message-log.js';
import { STYLES } from './styles.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TYPING_IDLE_MS = 3_000;

type Screen = 'prechat' | 'suggestions' | 'chat' | 'offline' | 'offline-sent';

export class WidgetUi {
  private readonly panel = h('section', { class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'kefu-title', hidden: true });
  private readonly launcher: HTMLButtonElement;
  private readonly body = h('div', { class: 'body' });
  private readonly statusLine = h('div', { class: 'status', role: 'status', hidden: true });
  private settings: WidgetSettings | null = null;
  private screen: Screen = 'prechat';
  private preChat: PreChat | null = null;
  private suggestions: Suggestion[] = [];
  private queue: { position: number; estimatedWaitSeconds: number | null } | null = null;
  private agentName: string | null = null;
  private typingName: string | null = null;
  private ended = false;
  private rated = false;
  private ticketNumber: number | null = null;
  private notice: string | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private typingSent = false;
  /** The highest agent message reported as read, so each is reported once. */
  private readUpTo = 0;
  private readonly logList = h('ol', { class: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': '' });
  private readonly typingLine = h('div', { class: 'typing', 'aria-live': 'polite' });

  constructor(
    private readonly root: ShadowRoot,
    private readonly connection: ChatConnection,
    private readonly t: Translate,
    /** Who the embedding page says the visitor is: the pre-chat form starts with it. */
    private readonly visitor: { name: string; email: string } = { name: '', email: '' },
  ) {
    this.launcher = h('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', onclick: () => void this.open() },
      icon('chat'), t('open'));
    const closeButton = h('button', { class: 'icon-button', type: 'button', 'aria-label': t('close'), onclick: () => this.close() }, '×');
    this.panel.append(
      h('header', { class: 'head' }, h('h2', { id: 'kefu-title' }, t('title')), closeButton),
      this.statusLine,
      this.body,
    );
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
    root.append(h('style', {}, STYLES), h('div', { class: 'root' }, this.panel, this.launcher));
    this.logList.setAttribute('aria-label', t('title'));
    connection.log.onChange(() => this.renderLog());
    connection.onEvent((event) => this.handle(event));
  }

  /** A conversation from an earlier page of this site may still be going: reconnect and show it. */
  resume(): void {
    this.screen = 'chat';
    this.connection.connect().catch(() => undefined);
  }

  private async open(): Promise<void> {
    this.launcher.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.panel.hidden = false;
    if (!this.settings) {
      replace(this.body, h('p', { class: 'muted' }, '…'));
      try {
        this.settings = await this.connection.settings();
      } catch {
        replace(this.body, h('p', { class: 'alert', role: 'alert' }, this.t('error')));
        return;
      }
      if (!this.settings.online && this.screen === 'prechat') this.screen = 'offline';
    }
    this.render();
  }

  private close(): void {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  private go(screen: Screen): void {
    this.screen = screen;
    this.render();
  }

  private render(): void {
    const view = {
      prechat: () => this.contactForm('live'),
      suggestions: () => this.suggestionsStep(),
      chat: () => this.chatView(),
      offline: () => this.contactForm('offline'),
      'offline-sent': () => this.offlineSent(),
    }[this.screen]();
    replace(this.body, view);
    this.focusFirst();
  }

  private focusFirst(): void {
    const target = this.body.querySelector<HTMLElement>('[data-autofocus]') ?? this.body.querySelector<HTMLElement>('input, select, textarea, button');
    target?.focus();
  }

  // ---- pre-chat, and "leave a message" when nobody is available --------------------------------

  /**
   * Name, e-mail, (topic,) question. Live: the topic is asked and help-centre answers come first.
   * Offline: the same form becomes a ticket answered by e-mail (or, if somebody came online
   * meanwhile, a live chat after all: the server decides when the chat starts).
   */
  /** Closed for the business hours says so, with the next opening in the visitor's own time zone. */
  private offlineIntro(): string {
    const opensAt = this.settings!.opensAt;
    if (opensAt === undefined) return this.t('offlineIntro');
    if (opensAt === null) return this.t('closedIntroNoTime');
    const when = new Intl.DateTimeFormat(this.connection.locale, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(opensAt);
    return this.t('closedIntro', { when });
  }

  private contactForm(mode: 'live' | 'offline'): HTMLElement {
    const t = this.t;
    const settings = this.settings!;
    const name = field('text', 'name', t('name'), this.preChat?.name ?? this.visitor.name, 'name');
    const email = field('email', 'email', t('email'), this.preChat?.email ?? this.visitor.email, 'email');
    const message = h('textarea', { name: 'message', required: true, rows: mode === 'offline' ? 4 : 2, maxlength: settings.maxMessageBytes });
    message.value = this.preChat?.message ?? '';
    const department = mode === 'live' && settings.departments.length > 0
      ? h('select', { name: 'department' }, h('option', { value: '' }, t('topicAny')), ...settings.departments.map((d) => h('option', { value: d.id }, d.name)))
      : null;
    const error = h('p', { class: 'alert', role: 'alert' });
    const submit = h('button', { class: 'primary', type: 'submit' }, t(mode === 'live' ? 'start' : 'offlineSend'));
    const form = h('form', { class: 'fields', novalidate: true },
      mode === 'offline' ? h('h3', {}, t('offlineTitle')) : null,
      h('p', { class: 'muted', 'data-closed': mode === 'offline' && settings.opensAt !== undefined ? 'hours' : null }, mode === 'live' ? t('intro') : this.offlineIntro()),
      name.label, email.label,
      department ? h('label', {}, t('topic'), department) : null,
      h('label', {}, t('firstMessage'), message),
      error,
      submit,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const problems = [checkRequired(name.input, t), checkEmail(email.input, t), checkRequired(message, t)].filter((p): p is HTMLElement => p !== null);
      if (problems.length > 0) {
        problems[0]!.focus();
        return;
      }
      this.preChat = { name: name.input.value.trim(), email: email.input.value.trim(), departmentId: department?.value || null, message: message.value.trim() };
      // One chat per click, however impatient the visitor.
      submit.disabled = true;
      void (mode === 'live' ? this.afterPreChat(error) : this.startChat(error)).finally(() => {
        submit.disabled = false;
      });
    });
    return form;
  }

  /** Bot first: articles that may answer what the visitor typed; asking a person stays one click away. */
  private async afterPreChat(error: HTMLElement): Promise<void> {
    try {
      this.suggestions = await this.connection.suggestions(this.preChat!.message);
    } catch {
      this.suggestions = []; // suggestions are a courtesy: never block the chat on them
    }
    if (this.suggestions.length > 0) this.go('suggestions');
    else await this.startChat(error);
  }

  private suggestionsStep(): HTMLElement {
    const t = this.t;
    const error = h('p', { class: 'alert', role: 'alert' });
    return h('div', { class: 'suggestions' },
      h('h3', {}, t('suggestionsTitle')),
      this.suggestionList(),
      error,
      h('div', { class: 'actions' },
        h('button', { class: 'primary', type: 'button', 'data-autofocus': true, onclick: () => void this.startChat(error) }, t('suggestionsSkip')),
        h('button', { class: 'secondary', type: 'button', onclick: () => this.close() }, t('suggestionsSolved')),
      ),
    );
  }

  private suggestionList(): HTMLElement {
    return h('ul', {}, ...this.suggestions.map((s) => h('li', {}, h('a', { href: s.url, target: '_blank', rel: 'noopener' }, s.title))));
  }

  private async startChat(error: HTMLElement): Promise<void> {
    const input = this.preChat!;
    // Reset before asking: the first queue position may arrive before the answer does.
    this.ended = false;
    this.rated = false;
    this.agentName = null;
    this.queue = null;
    this.notice = null;
    this.readUpTo = 0;
    try {
      const started = await this.connection.start(input);
      if (started.offline) {
        this.ticketNumber = started.ticketNumber;
        this.go('offline-sent');
        return;
      }
      this.go('chat');
    } catch (cause) {
      error.textContent = this.errorText(cause);
    }
  }

  // ---- conversation --------------------------------------------------------------------------

  private chatView(): HTMLElement {
    const t = this.t;
    const settings = this.settings!;
    const input = h('textarea', { rows: 1, 'aria-label': t('messagePlaceholder'), placeholder: t('messagePlaceholder'), maxlength: settings.maxMessageBytes, 'data-autofocus': true });
    const error = h('p', { class: 'alert', role: 'alert' });
    const send = () => {
      const body = input.value.trim();
      if (!body || this.ended) return;
      if (new TextEncoder().encode(body).length > settings.maxMessageBytes) {
        error.textContent = t('tooLong');
        return;
      }
      error.textContent = '';
      input.value = '';
      this.stopTyping();
      this.connection.send(body);
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    input.addEventListener('input', () => this.typing(input.value.length > 0));
    const file = h('input', { type: 'file', 'aria-label': t('attach') });
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (chosen) void this.upload(chosen, error);
    });
    const composer = h('form', { class: 'composer' },
      h('label', { class: 'attach', title: t('attach') }, icon('clip'), file),
      input,
      h('button', { class: 'primary', type: 'submit' }, t('send')),
    );
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      send();
    });
    if (this.ended) composer.hidden = true;
    const foot = h('div', { class: 'foot' },
      h('button', { class: 'link', type: 'button', onclick: () => void this.sendTranscript(error) }, t('transcript')),
      this.ended
        ? h('button', { class: 'link', type: 'button', onclick: () => this.go(this.settings?.online === false ? 'offline' : 'prechat') }, t('newChat'))
        : h('button', { class: 'link', type: 'button', onclick: () => void this.endChat() }, t('end')),
    );
    this.renderLog();
    this.renderTyping();
    return h('div', { class: 'chat' }, this.queueBox(), this.logList, this.typingLine, error, composer, this.ratingBox(), foot);
  }

  /** After an answered chat ended: 1–5 and an optional comment, once; then thanks. */
  private ratingBox(): HTMLElement | null {
    const t = this.t;
    if (!this.ended || (!this.connection.canRate() && !this.rated)) return null;
    if (this.rated) return h('p', { class: 'rating', role: 'status' }, t('rateThanks'));
    let score = 0;
    const comment = h('textarea', { rows: 2, maxlength: 1000, 'aria-label': t('rateComment'), placeholder: t('rateComment') });
    const error = h('p', { class: 'alert', role: 'alert' });
    const send = h('button', { class: 'primary', type: 'submit', disabled: true }, t('rateSend'));
    const stars = [1, 2, 3, 4, 5].map((n) => h('button', {
      type: 'button', class: 'star', 'aria-pressed': 'false', 'aria-label': t('rateScore', { score: n }), 'data-score': n,
      onclick: () => {
        score = n;
        send.disabled = false;
        stars.forEach((star, i) => star.setAttribute('aria-pressed', String(i < n)));
      },
    }, '★'));
    const form = h('form', { class: 'rating' }, h('h3', {}, t('rateTitle')), h('div', { class: 'stars', role: 'group', 'aria-label': t('rateTitle') }, ...stars), comment, error, send);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!score) return;
      send.disabled = true;
      this.connection.rate(score, comment.value.trim()).then(() => {
        this.rated = true;
        this.refreshChat();
      }, (cause: unknown) => {
        send.disabled = false;
        const code = cause instanceof ChatRequestError ? cause.message : '';
        error.textContent = t(code === 'ALREADY_RATED' || code === 'RATING_CLOSED' ? code : 'error');
      });
    });
    return form;
  }

  private queueBox(): HTMLElement | null {
    if (!this.queue || this.agentName || this.ended) return null;
    const t = this.t;
    const { position, estimatedWaitSeconds } = this.queue;
    return h('div', { class: 'queue', role: 'status', 'data-queue-position': position },
      h('p', {}, t('queued', { position })),
      h('p', { class: 'muted' }, estimatedWaitSeconds && estimatedWaitSeconds > 0 ? t('queuedWait', { minutes: Math.max(1, Math.round(estimatedWaitSeconds / 60)) }) : t('queuedSoon')),
      this.suggestions.length > 0 ? h('div', { class: 'suggestions' }, h('h3', {}, t('suggestionsTitle')), this.suggestionList()) : null,
    );
  }

  private renderLog(): void {
    const t = this.t;
    const messages = this.connection.log.list();
    replace(this.logList, ...messages.map((m) => messageItem(m, t, this.agentName)));
    if (this.notice) this.logList.append(h('li', { class: 'msg msg-system' }, this.notice));
    this.body.scrollTop = this.body.scrollHeight;
    const lastAgent = [...messages].reverse().find((m) => m.author === 'agent' && m.seq !== null);
    // The visitor has the chat open and in view: what the agent wrote has been read.
    if (lastAgent?.seq && lastAgent.seq > this.readUpTo && !this.panel.hidden && this.screen === 'chat') {
      this.readUpTo = lastAgent.seq;
      this.connection.read(lastAgent.seq);
    }
  }

  private renderTyping(): void {
    this.typingLine.textContent = this.typingName ? this.t('typing', { name: this.typingName }) : '';
  }

  private typing(active: boolean): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    if (active) this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    if (active !== this.typingSent) {
      this.typingSent = active;
      this.connection.typing(active);
    }
  }

  private stopTyping(): void {
    this.typing(false);
  }

  private async upload(file: File, error: HTMLElement): Promise<void> {
    const t = this.t;
    const max = this.settings!.maxUploadBytes;
    if (file.size > max) {
      error.textContent = t('fileTooLarge', { size: `${Math.floor(max / 1024 / 1024)} MB` });
      return;
    }
    error.textContent = t('uploading', { name: file.name });
    try {
      await this.connection.upload(file);
      error.textContent = '';
    } catch {
      error.textContent = t('uploadFailed');
    }
  }

  private async sendTranscript(error: HTMLElement): Promise<void> {
    try {
      const email = await this.connection.transcript();
      this.notice = this.t('transcriptSent', { email });
      this.renderLog();
    } catch (cause) {
      error.textContent = this.errorText(cause);
    }
  }

  private async endChat(): Promise<void> {
    await this.connection.end().catch(() => undefined);
    this.handle({ type: 'ended' });
  }

  private offlineSent(): HTMLElement {
    const t = this.t;
    return h('div', { role: 'status', 'data-autofocus': true, tabindex: -1 },
      h('p', { 'data-ticket-number': this.ticketNumber ?? '' }, this.ticketNumber ? t('offlineThanks', { number: this.ticketNumber }) : t('offlineThanksNoNumber')));
  }

  // ---- server events ----------------------------------------------------------------------------

  private handle(event: ChatEvent): void {
    switch (event.type) {
      case 'connection':
        this.statusLine.hidden = event.connected;
        this.statusLine.textContent = event.connected ? '' : this.t('reconnecting');
        return;
      case 'typing':
        this.typingName = event.typing ? (event.name ?? this.agentName ?? this.t('agentFallback')) : null;
        this.renderTyping();
        return;
      case 'refused':
        this.notice = this.errorText(new ChatRequestError(event.code));
        break;
      case 'suggestions':
        this.suggestions = event.suggestions;
        break;
      case 'queue':
        this.queue = { position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds };
        break;
      // Joining, transfers and the end are announced by the server's own system messages in the log.
      case 'joined':
        this.agentName = event.agentName;
        break;
      case 'transferred':
        this.agentName = null;
        break;
      case 'ended':
        this.ended = true;
        this.typingName = null;
        break;
      case 'offline':
        this.ticketNumber = event.ticketNumber;
        this.ended = true;
        if (!this.panel.hidden) this.go('offline-sent');
        else this.screen = 'offline-sent';
        return;
    }
    if (this.screen === 'chat' && !this.panel.hidden) this.refreshChat();
  }

  /** Re-renders the conversation screen but keeps what the visitor is typing and where focus is. */
  private refreshChat(): void {
    const input = this.body.querySelector('textarea');
    const draft = input?.value ?? '';
    const focused = this.root.activeElement === input;
    this.render();
    const next = this.body.querySelector('textarea');
    if (next) {
      next.value = draft;
      if (!focused) next.blur();
    }
  }

  private errorText(cause: unknown): string {
    const code = cause instanceof ChatRequestError ? cause.message : '';
    const known: Record<string, StringKey> = { RATE_LIMITED: 'rateLimited', MESSAGE_TOO_LARGE: 'tooLong' };
    return this.t(known[code] ?? 'error');
  }
}

function field(type: string, name: string, text: string, value: string, autocomplete: string) {
  const input = h('input', { type, name, required: true, autocomplete, maxlength: 200 });
  input.value = value;
  return { input, label: h('label', {}, text, input) };
}

/** Marks a field invalid with its message under it; answers the field when it has a problem. */
function flag(input: HTMLInputElement | HTMLTextAreaElement, message: string | null): HTMLElement | null {
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  const existing = input.parentElement?.querySelector('.field-error');
  existing?.remove();
  if (!message) return null;
  const note = h('span', { class: 'field-error' }, message);
  input.after(note);
  return input;
}

function checkRequired(input: HTMLInputElement | HTMLTextAreaElement, t: Translate): HTMLElement | null {
  return flag(input, input.value.trim() ? null : t('required'));
}

function checkEmail(input: HTMLInputElement, t: Translate): HTMLElement | null {
  const value = input.value.trim();
  return flag(input, !value ? t('required') : EMAIL.test(value) ? null : t('invalidEmail'));
}

const TICKS: Record<LoggedMessage['state'], string> = { sending: '…', sent: '✓', delivered: '✓✓', read: '✓✓' };

function messageItem(message: LoggedMessage, t: Translate, agentName: string | null): HTMLElement {
  const who = message.author === 'visitor' ? t('you') : message.author === 'agent' ? (message.authorName ?? agentName ?? t('agentFallback')) : null;
  const content = message.attachment
    ? h('a', { href: message.attachment.url, target: '_blank', rel: 'noopener', download: message.attachment.name }, icon('clip'), message.attachment.name)
    : h('span', { class: 'text' }, message.body);
  const meta = message.author === 'visitor'
    ? h('span', { class: `meta tick-${message.state}`, 'data-state': message.state },
      h('span', { 'aria-hidden': 'true' }, TICKS[message.state]), h('span', { class: 'sr' }, t(message.state)))
    : null;
  return h('li', { class: `msg msg-${message.author}`, 'data-seq': message.seq ?? '', 'data-client-id': message.clientId ?? '' },
    who ? h('span', { class: 'who' }, who) : null, content, meta);
}
