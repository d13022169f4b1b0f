/** Small pieces the chat screens share: countdowns, durations and error messages. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DeskError } from './chat-desk.js';

const KNOWN_ERRORS = ['OFFER_NOT_FOUND', 'AGENT_UNAVAILABLE', 'CONVERSATION_ENDED', 'CONVERSATION_NOT_FOUND', 'MESSAGE_TOO_LARGE', 'RATE_LIMITED', 'DEPARTMENT_UNKNOWN', 'VALIDATION_FAILED', 'UNAVAILABLE', 'ATTACHMENT_TOO_LARGE', 'ATTACHMENT_TYPE_FORBIDDEN'] as const;
export type ChatErrorKey = (typeof KNOWN_ERRORS)[number] | 'UNKNOWN';

export function chatErrorKey(error: unknown): ChatErrorKey {
  return error instanceof DeskError && (KNOWN_ERRORS as readonly string[]).includes(error.code) ? (error.code as ChatErrorKey) : 'UNKNOWN';
}

/**
 * Whole seconds left until the server's deadline `until` (0 once passed), ticking every second;
 * null without a deadline. `clockOffsetMs` is the server's clock minus this browser's.
 */
export function useSecondsLeft(until: string | null, clockOffsetMs: number): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [until]);
  if (!until) return null;
  return Math.max(0, Math.ceil((Date.parse(until) - (now + clockOffsetMs)) / 1_000));
}

/** 75 → "1 min 15 s"; 12 → "12 s"; null → "—". */
export function useDuration(): (seconds: number | null) => string {
  const { t } = useTranslation();
  return (seconds) => {
    if (seconds === null || !Number.isFinite(seconds)) return t('chat.wallboard.none');
    const whole = Math.round(seconds);
    return whole < 60 ? t('chat.wallboard.seconds', { value: whole }) : t('chat.wallboard.minutes', { minutes: Math.floor(whole / 60), seconds: whole % 60 });
  };
}

/** 0.8 → "80 %"; null → "—". */
export function percent(value: number | null, locale: string): string {
  return value === null ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}
