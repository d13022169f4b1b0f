/**
 * The console's pages for people who are not signed in, beside the sign-in form: "forgot password",
 * the page a reset link opens, and the page an invitation link opens, where the invited person
 * chooses a password and is signed in (issue 19, 1 and 2). Links carry their token as `?token=`.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { InvitationPreviewWire } from '@contracts/accounts.js';
import * as auth from '../api/auth.js';
import { errorKey, type ErrorKey } from '../api/error-key.js';
import { useDocumentTitle } from '../components/document-title.js';
import { Link, navigate } from '../router/router.js';
import { PublicFrame } from './public-frame.js';
import { useSession } from './session.js';

/** The passwords the server accepts (src/contracts/accounts.ts, `Password`). */
const PASSWORD_MIN = 10;

const linkToken = () => new URLSearchParams(window.location.search).get('token') ?? '';

/** A refusal as the page shows it: a too-short password is named by its rule. */
function FormProblem({ id, error }: { id: string; error: ErrorKey | 'PASSWORD_SHORT' | null }) {
  const { t } = useTranslation();
  return (
    <div className="form-error" id={id} role="alert">
      {error && <p>{error === 'PASSWORD_SHORT' ? t('password.tooShort', { min: PASSWORD_MIN }) : t(`errors.${error}`)}</p>}
    </div>
  );
}

function PasswordField({ id, label, value, onChange, invalid, describedBy, autoComplete = 'new-password' }: {
  id: string; label: string; value: string; onChange: (value: string) => void; invalid: boolean; describedBy: string; autoComplete?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="password" autoComplete={autoComplete} required value={value} onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined} aria-describedby={`${describedBy} ${id}-hint`} />
      {autoComplete === 'new-password' && <p className="muted field-hint" id={`${id}-hint`}>{t('password.rule', { min: PASSWORD_MIN })}</p>}
    </div>
  );
}

/** Runs a password form's write: a short password is refused before it is sent; the server's refusal otherwise. */
function usePasswordForm(write: (password: string) => Promise<void>) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorKey | 'PASSWORD_SHORT' | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (password.length < PASSWORD_MIN) return setError('PASSWORD_SHORT');
    setBusy(true);
    setError(null);
    try {
      await write(password);
    } catch (failure) {
      const key = errorKey(failure);
      setError(key === 'VALIDATION_FAILED' ? 'PASSWORD_SHORT' : key);
    } finally {
      setBusy(false);
    }
  };
  return { password, setPassword, error, busy, submit };
}

function BackToSignIn() {
  const { t } = useTranslation();
  return <p className="login-aside"><Link to="/">{t('forgot.backToSignIn')}</Link></p>;
}

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const id = useId();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<ErrorKey | null>(null);
  const [busy, setBusy] = useState(false);
  useDocumentTitle(t('forgot.title'));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) return setError('VALIDATION_FAILED');
    setBusy(true);
    setError(null);
    try {
      await auth.requestPasswordReset(trimmed);
      setSent(true);
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PublicFrame titleId={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('forgot.heading')}</h1>
      {sent ? (
        <p role="status">{t('forgot.sent', { email: email.trim() })}</p>
      ) : (
        <>
          <p className="muted">{t('forgot.lead')}</p>
          <form className="form" onSubmit={(e) => void submit(e)} noValidate>
            <div className="field">
              <label htmlFor={`${id}-email`}>{t('login.email')}</label>
              <input id={`${id}-email`} type="email" inputMode="email" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus
                value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={error === 'VALIDATION_FAILED' || undefined} aria-describedby={`${id}-error`} />
            </div>
            <div className="form-error" id={`${id}-error`} role="alert">
              {error && <p>{error === 'VALIDATION_FAILED' ? t('forgot.emailInvalid') : error === 'RATE_LIMITED' ? t('forgot.rateLimited') : t(`errors.${error}`)}</p>}
            </div>
            <button type="submit" className="button button-primary button-block" disabled={busy} aria-busy={busy}>{t('forgot.submit')}</button>
          </form>
        </>
      )}
      <BackToSignIn />
    </PublicFrame>
  );
}

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const id = useId();
  const [token] = useState(linkToken);
  const [done, setDone] = useState(false);
  const form = usePasswordForm(async (password) => {
    await auth.confirmPasswordReset(token, password);
    setDone(true);
    // The spent link leaves the address bar (and the history entry).
    window.history.replaceState(null, '', window.location.pathname);
  });
  useDocumentTitle(t('reset.title'));
  return (
    <PublicFrame titleId={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('reset.heading')}</h1>
      {done ? (
        <p role="status">{t('reset.done')}</p>
      ) : (
        <form className="form" onSubmit={(e) => void form.submit(e)} noValidate>
          <PasswordField id={`${id}-password`} label={t('password.new')} value={form.password} onChange={form.setPassword} invalid={form.error === 'PASSWORD_SHORT'} describedBy={`${id}-error`} />
          <FormProblem id={`${id}-error`} error={form.error} />
          {form.error === 'RESET_TOKEN_INVALID' && <p><Link to="/forgot-password">{t('reset.askAgain')}</Link></p>}
          <button type="submit" className="button button-primary button-block" disabled={form.busy} aria-busy={form.busy}>{t('reset.submit')}</button>
        </form>
      )}
      <BackToSignIn />
    </PublicFrame>
  );
}

const LINK_DEAD: readonly ErrorKey[] = ['INVITATION_INVALID', 'INVITATION_EXPIRED', 'INVITATION_REVOKED'];

export function AcceptInvitationPage() {
  const { t } = useTranslation();
  const { acceptInvitation } = useSession();
  const id = useId();
  const [token] = useState(linkToken);
  const [invitation, setInvitation] = useState<InvitationPreviewWire | null>(null);
  const [linkError, setLinkError] = useState<ErrorKey | null>(null);
  const form = usePasswordForm(async (password) => {
    await acceptInvitation(token, password);
    navigate('/', { replace: true });
  });
  useDocumentTitle(t('invitation.title'));

  useEffect(() => {
    let current = true;
    auth.previewInvitation(token).then((found) => { if (current) setInvitation(found); }, (failure: unknown) => { if (current) setLinkError(errorKey(failure)); });
    return () => { current = false; };
  }, [token]);

  const dead = linkError ?? (form.error && LINK_DEAD.includes(form.error as ErrorKey) ? form.error as ErrorKey : null);
  let body: ReactNode;
  if (dead) body = <><div className="form-error" role="alert"><p>{t(`errors.${dead}`)}</p></div><BackToSignIn /></>;
  else if (!invitation) body = <p className="muted" role="status">{t('app.loading')}</p>;
  else {
    body = (
      <>
        <p>{t('invitation.lead', { name: invitation.name, workspace: invitation.workspace, role: t(`roles.${invitation.role}`) })}</p>
        <form className="form" onSubmit={(e) => void form.submit(e)} noValidate>
          <div className="field">
            <label htmlFor={`${id}-email`}>{t('login.email')}</label>
            <input id={`${id}-email`} type="email" autoComplete="username" value={invitation.email} readOnly />
          </div>
          <PasswordField id={`${id}-password`} label={t('password.choose')} value={form.password} onChange={form.setPassword} invalid={form.error === 'PASSWORD_SHORT'} describedBy={`${id}-error`} />
          <FormProblem id={`${id}-error`} error={form.error} />
          <button type="submit" className="button button-primary button-block" disabled={form.busy} aria-busy={form.busy}>{t('invitation.submit')}</button>
        </form>
      </>
    );
  }
  return (
    <PublicFrame titleId={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('invitation.heading')}</h1>
      {body}
    </PublicFrame>
  );
}

/** The pages above by console path; the app shows them whether or not someone is signed in. */
export const ACCOUNT_PAGES: Record<string, () => ReactNode> = {
  '/forgot-password': () => <ForgotPasswordPage />,
  '/reset-password': () => <ResetPasswordPage />,
  '/accept-invitation': () => <AcceptInvitationPage />,
};
