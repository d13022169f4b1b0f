import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecord, request } from '../../api/http.js';

const AVAILABILITIES = ['online', 'away', 'offline'] as const;
type Availability = (typeof AVAILABILITIES)[number];

/**
 * The agent's own availability (GET/PUT /api/v1/me/availability): only online agents get tickets
 * assigned automatically. Hidden when the server has no routing API.
 */
export function AvailabilitySwitch() {
  const { t } = useTranslation();
  const [value, setValue] = useState<Availability | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    request('GET', '/api/v1/me/availability').then(
      (body) => {
        if (!cancelled && isRecord(body) && (AVAILABILITIES as readonly unknown[]).includes(body.availability)) setValue(body.availability as Availability);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (!value) return null;
  const change = async (next: Availability) => {
    const previous = value;
    setValue(next);
    setFailed(false);
    try {
      await request('PUT', '/api/v1/me/availability', { body: { availability: next } });
    } catch {
      setValue(previous);
      setFailed(true);
    }
  };
  return (
    <label className={`availability availability-${value}`} title={failed ? t('errors.UNKNOWN') : t('inbox.availability.hint')}>
      <span className="availability-dot" aria-hidden="true" />
      <span className="sr-only">{t('inbox.availability.label')}</span>
      <select value={value} onChange={(e) => void change(e.target.value as Availability)} aria-invalid={failed}>
        {AVAILABILITIES.map((a) => (
          <option key={a} value={a}>
            {t(`inbox.availability.${a}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
