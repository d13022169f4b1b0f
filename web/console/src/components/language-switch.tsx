import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '../i18n/i18n.js';

/** English / 中文 toggle; each label is written in its own language and marked with `lang`. */
export function LanguageSwitch({ onChange, disabled }: { onChange: (locale: Locale) => void; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? i18n.language;
  return (
    <div className="lang-switch" role="group" aria-label={t('language.label')}>
      {LOCALES.map((locale) => (
        <button
          key={locale}
          type="button"
          lang={locale}
          aria-pressed={current === locale}
          disabled={disabled}
          onClick={() => {
            if (current !== locale) onChange(locale);
          }}
        >
          {t(`language.${locale}`)}
        </button>
      ))}
    </div>
  );
}
