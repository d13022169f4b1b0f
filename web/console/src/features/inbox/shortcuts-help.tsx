import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

const ROWS = [
  { keys: ['j', 'k'], label: 'move' },
  { keys: ['Enter'], label: 'open' },
  { keys: ['x'], label: 'select' },
  { keys: ['r'], label: 'reply' },
  { keys: ['n'], label: 'note' },
  { keys: ['s'], label: 'solve' },
  { keys: ['a'], label: 'assign' },
  { keys: ['/'], label: 'search' },
  { keys: ['u'], label: 'back' },
  { keys: ['Ctrl', 'Enter'], label: 'send' },
  { keys: ['?'], label: 'help' },
] as const;

/** The "?" overlay: a modal dialog (focus stays inside; Esc closes it). */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog ref={ref} className="dialog shortcuts-dialog" aria-labelledby="shortcuts-title" onClose={onClose} onCancel={onClose}>
      <header className="dialog-header">
        <h2 id="shortcuts-title">{t('inbox.shortcuts.title')}</h2>
        <button type="button" className="button button-quiet button-small" onClick={onClose} autoFocus>
          {t('inbox.close')}
        </button>
      </header>
      <p className="muted small">{t('inbox.shortcuts.intro')}</p>
      <dl className="shortcut-list">
        {ROWS.map((row) => (
          <div key={row.label} className="shortcut-row">
            <dt>
              {row.keys.map((key, i) => (
                <span key={key}>
                  {i > 0 && <span className="muted">{row.label === 'move' ? ' / ' : ' + '}</span>}
                  <kbd>{key}</kbd>
                </span>
              ))}
            </dt>
            <dd>{t(`inbox.shortcuts.${row.label}`)}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
