import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Presence } from '@contracts/chat.js';
import { chatErrorKey, useSecondsLeft, type ChatErrorKey } from './chat-bits.js';
import type { ChatDesk, DeskSnapshot } from './chat-desk.js';

const PRESENCES: readonly Presence[] = ['online', 'away', 'on_break', 'offline'];

/** The agent's presence switch, connection state, chat load and the after-contact-work timer. */
export function PresenceBar({ desk, snapshot }: { desk: ChatDesk; snapshot: DeskSnapshot }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ChatErrorKey | null>(null);
  const state = snapshot.state;
  const acwLeft = useSecondsLeft(state?.acwUntil ?? null, snapshot.clockOffsetMs);
  const inAcw = acwLeft !== null && acwLeft > 0;

  const run = (action: () => Promise<void>) => {
    setError(null);
    action().catch((failure: unknown) => setError(chatErrorKey(failure)));
  };

  return (
    <div className="chat-presence">
      <span className={`live live-${snapshot.status}`} role="status">
        <span className="live-dot" aria-hidden="true" />
        {t(`chat.connection.${snapshot.status}`)}
      </span>
      {state ? (
        <>
          <label className={`availability availability-${state.presence}`} title={t('chat.presence.hint')}>
            <span className="availability-dot" aria-hidden="true" />
            <span className="sr-only">{t('chat.presence.label')}</span>
            <select
              value={state.presence}
              aria-label={t('chat.presence.label')}
              onChange={(e) => run(() => desk.setPresence(e.target.value as Presence))}
              disabled={snapshot.status !== 'live'}
            >
              {PRESENCES.map((p) => (
                <option key={p} value={p}>
                  {t(`chat.presence.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <span className="muted small chat-load">{t('chat.load', { load: state.chatLoad, capacity: state.chatCapacity })}</span>
        </>
      ) : null}
      {inAcw ? (
        <span className="chat-acw" role="timer" aria-live="off">
          <strong>{t('chat.acw.title')}</strong> {t('chat.acw.remaining', { seconds: acwLeft })}
          <button type="button" className="button button-small" onClick={() => run(() => desk.ready())}>
            {t('chat.acw.ready')}
          </button>
        </span>
      ) : null}
      {error ? (
        <span className="inline-error" role="alert">
          {t(`chat.errors.${error}`)}
        </span>
      ) : null}
    </div>
  );
}
