import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorKey, type ErrorKey } from '../api/error-key.js';
import { useDocumentTitle } from '../components/document-title.js';
import { Link } from '../router/router.js';
import { PublicFrame } from './public-frame.js';
import { useSession } from './session.js';

export function LoginPage({ expired = false }: { expired?: boolean }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // The error is kept as a code, so its message follows a language switch.
  const [error, setError] = useState<ErrorKey | null>(expired ? 'UNAUTHENTICATED' : null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const errorId = `${id}-error`;
  useDocumentTitle(t('login.title'));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const trimmed = email.trim();
    if (!trimmed || !password) {
      setError('VALIDATION_FAILED');
      (trimmed ? passwordRef : emailRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(trimmed, password);
      // Signed in: the shell replaces this page.
    } catch (failure) {
      const key = errorKey(failure);
      setError(key);
      setBusy(false);
      if (key === 'INVALID_CREDENTIALS') {
        setPassword('');
        passwordRef.current?.focus();
      }
    }
  };

  const invalid = error === 'INVALID_CREDENTIALS' || error === 'VALIDATION_FAILED';
  return (
    <PublicFrame titleId={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('login.heading')}</h1>
      <p className="muted">{t('login.lead')}</p>
      <form className="form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('login.email')}</label>
          <input
            ref={emailRef}
            id={`${id}-email`}
            name="email"
            type="email"
            inputMode="email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={invalid || undefined}
            aria-describedby={error ? errorId : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t('login.password')}</label>
          <input
            ref={passwordRef}
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={invalid || undefined}
            aria-describedby={error ? errorId : undefined}
          />
        </div>
        <div className="form-error" id={errorId} role="alert">
          {error && <p>{t(`errors.${error}`)}</p>}
        </div>
        <button type="submit" className="button button-primary button-block" disabled={busy} aria-busy={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
      <p className="login-aside"><Link to="/forgot-password">{t('login.forgot')}</Link></p>
    </PublicFrame>
  );
}
