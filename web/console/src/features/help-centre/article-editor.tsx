import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, navigate } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import {
  CONTENT_LOCALES, createArticle, getArticle, listCategories, previewMarkdown, publishArticle, saveArticle, unpublishArticle, uploadImage,
  type Article, type ContentLocale,
} from './help-centre-api.js';
import { IMAGE_TYPES, imageFiles, imageMarkdown, insertAt } from './image-markdown.js';
import { FeedbackComments } from './feedback-comments.js';
import { LoadProblem } from './load-problem.js';
import { codeOf, useResource } from '../../api/use-resource.js';

/** `questions`: one per line, as the editor types them. */
interface Form { title: string; markdown: string; locale: ContentLocale; categoryId: string | null; tags: string; questions: string }

const PREVIEW_DELAY_MS = 400;

/** What a new article starts with: `?title=` from a listening report, `?translationOf=&locale=` from another article. */
function prefill(language: string): Form & { translationOf?: string } {
  const params = new URLSearchParams(window.location.search);
  const locale = params.get('locale');
  return {
    title: params.get('title')?.slice(0, 200) ?? '',
    markdown: '',
    locale: (CONTENT_LOCALES as readonly string[]).includes(locale ?? '') ? (locale as ContentLocale) : language === 'zh-CN' ? 'zh-CN' : 'en',
    categoryId: null,
    tags: '',
    questions: '',
    translationOf: params.get('translationOf') ?? undefined,
  };
}

const formOf = (a: Article): Form => ({
  title: a.draft.title, markdown: a.draft.markdown, locale: a.locale, categoryId: a.categoryId, tags: a.tags.join(', '), questions: a.questions.join('\n'),
});

/** Why the API refuses an image, each said in the editor's words. */
const IMAGE_REFUSALS = ['ATTACHMENT_TYPE_FORBIDDEN', 'KB_IMAGE_INVALID', 'ATTACHMENT_TOO_LARGE'] as const;
const isRefusal = (code: string): code is (typeof IMAGE_REFUSALS)[number] => (IMAGE_REFUSALS as readonly string[]).includes(code);

/** Markdown on the left, the sanitised preview (as the portal renders it) on the right. */
export function ArticleEditor({ id }: { id: string | null }) {
  const { t, i18n } = useTranslation();
  const { agent } = useSignedIn();
  const canEdit = agent.role === 'editor' || agent.role === 'admin';
  const [article, setArticle] = useState<Article | null>(null);
  const [form, setForm] = useState<Form & { translationOf?: string }>(() => prefill(i18n.language));
  const [preview, setPreview] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [uploading, setUploading] = useState(false);
  const source = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const categories = useResource(listCategories, []);
  const loaded = useResource(async () => (id ? getArticle(id) : null), [id]);

  useEffect(() => {
    if (loaded.phase === 'ready' && loaded.data) {
      setArticle(loaded.data);
      setForm(formOf(loaded.data));
    }
  }, [loaded.phase, loaded.data]);

  // The preview follows the text after a short pause, through the same renderer as the portal.
  useEffect(() => {
    if (!form.markdown.trim()) { setPreview(''); return undefined; }
    let live = true;
    const timer = window.setTimeout(() => {
      previewMarkdown(form.markdown).then((html) => { if (live) setPreview(html); }, () => { if (live) setPreview(''); });
    }, PREVIEW_DELAY_MS);
    return () => { live = false; window.clearTimeout(timer); };
  }, [form.markdown]);

  if (id && loaded.phase !== 'ready') return <LoadProblem state={loaded} />;
  // Until the loaded article is in the form, an empty editor would invite typing over nothing.
  if (id && !article) return <p className="muted">{t('helpCentre.loading')}</p>;

  const tags = () => form.tags.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
  const questions = () => form.questions.split('\n').map((s) => s.trim()).filter(Boolean);
  const run = async (action: () => Promise<Article>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await action();
      setArticle(result);
      setForm(formOf(result));
      if (!id) navigate(`/help-centre/articles/${result.id}`, { replace: true });
      setMessage({ tone: 'ok', text: done });
    } catch (error) {
      setMessage({ tone: 'error', text: t('helpCentre.editor.failed', { code: codeOf(error) }) });
    } finally {
      setBusy(false);
    }
  };
  const save = () => run(() => (article
    ? saveArticle(article.id, { title: form.title, markdown: form.markdown, categoryId: form.categoryId, tags: tags(), questions: questions() })
    : createArticle({ title: form.title, markdown: form.markdown, locale: form.locale, categoryId: form.categoryId, tags: tags(), questions: questions(), translationOf: form.translationOf })), t('helpCentre.editor.saved'));
  /**
   * Images from the button, a paste or a drop: each uploaded to the article, then `![alt](url)` at
   * the cursor (the preview shows it; the portal, once the article is published).
   */
  const addImages = async (files: File[]) => {
    if (!article || !files.length) return;
    setUploading(true);
    setMessage(null);
    try {
      for (const file of files) {
        const image = await uploadImage(article.id, file);
        const box = source.current;
        setForm((f) => {
          // A textarea keeps its selection when the button takes the focus: the image goes where the cursor was.
          const at = box ? [box.selectionStart, box.selectionEnd] : [f.markdown.length, f.markdown.length];
          const next = insertAt(f.markdown, at[0]!, at[1]!, imageMarkdown(image.filename, image.url));
          window.requestAnimationFrame(() => box?.setSelectionRange(next.cursor, next.cursor));
          return { ...f, markdown: next.text };
        });
      }
      setMessage({ tone: 'ok', text: t('helpCentre.editor.imageAdded') });
    } catch (error) {
      const code = codeOf(error);
      setMessage({ tone: 'error', text: isRefusal(code) ? t(`helpCentre.editor.imageRefused.${code}`) : t('helpCentre.editor.failed', { code }) });
    } finally {
      setUploading(false);
    }
  };
  const pasted = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = imageFiles(e.clipboardData.files);
    if (!files.length || !article) return;
    e.preventDefault();
    void addImages(files);
  };
  const dropped = (e: DragEvent<HTMLTextAreaElement>) => {
    const files = imageFiles(e.dataTransfer.files);
    if (!files.length || !article) return;
    e.preventDefault();
    void addImages(files);
  };
  const otherLocale: ContentLocale = form.locale === 'en' ? 'zh-CN' : 'en';
  const translation = article?.translations.find((x) => x.locale === otherLocale);

  return (
    <div className="hc-section article-editor">
      <p><Link className="back-link" to="/help-centre/articles">← {t('helpCentre.tabs.articles')}</Link></p>
      <div className="hc-toolbar">
        <h2 className="section-title">{article ? article.title : t('helpCentre.articles.new')}</h2>
        {article && <span className={`chip ${article.status === 'published' ? 'chip-new' : 'chip-quiet'}`}>{t(`helpCentre.status.${article.status}`)}</span>}
        {article?.hasUnpublishedChanges && <span className="chip chip-note">{t('helpCentre.status.changed')}</span>}
        {article?.status === 'published' && <a href={article.url} target="_blank" rel="noreferrer">{t('helpCentre.editor.viewOnPortal')}</a>}
      </div>
      {message && <p className={`notice ${message.tone === 'error' ? 'notice-error' : ''}`} role={message.tone === 'error' ? 'alert' : 'status'}>{message.text}</p>}

      <fieldset className="hc-fields" disabled={!canEdit || busy}>
        <label className="field hc-wide">{t('helpCentre.articles.title')}
          <input name="title" value={form.title} maxLength={200} required onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label className="field">{t('helpCentre.articles.locale')}
          <select value={form.locale} disabled={article !== null} onChange={(e) => setForm({ ...form, locale: e.target.value as ContentLocale })}>
            {CONTENT_LOCALES.map((l) => <option key={l} value={l}>{l === 'en' ? 'English' : '中文'}</option>)}
          </select>
        </label>
        <label className="field">{t('helpCentre.articles.category')}
          <select value={form.categoryId ?? ''} onChange={(e) => setForm({ ...form, categoryId: e.target.value || null })}>
            <option value="">—</option>
            {categories.data?.map((c) => <option key={c.id} value={c.id}>{c.names[form.locale] ?? c.slug}</option>)}
          </select>
        </label>
        <label className="field">{t('helpCentre.editor.tags')}
          <input value={form.tags} placeholder="p200, wifi" onChange={(e) => setForm({ ...form, tags: e.target.value })} />
        </label>
        {/* Search learns from these (src/modules/search/README.md): the ways customers ask what this article answers. */}
        <label className="field hc-wide">{t('helpCentre.editor.questions')}
          <textarea name="questions" rows={3} value={form.questions} placeholder={t('helpCentre.editor.questionsExample')} onChange={(e) => setForm({ ...form, questions: e.target.value })} />
          <small className="muted">{t('helpCentre.editor.questionsHint')}</small>
        </label>
      </fieldset>

      <div className="md-split">
        <div className="field">
          <label htmlFor="article-markdown">{t('helpCentre.editor.markdown')}</label>
          {canEdit && (
            <div className="md-tools">
              {/* An image belongs to an article: a new one is saved first. */}
              <button type="button" className="button button-small" disabled={!article || uploading || busy} aria-describedby={article ? undefined : 'image-needs-save'}
                onClick={() => picker.current?.click()}>{uploading ? t('helpCentre.editor.imageUploading') : t('helpCentre.editor.image')}</button>
              <input ref={picker} type="file" accept={IMAGE_TYPES.join(',')} multiple hidden aria-label={t('helpCentre.editor.image')}
                onChange={(e) => { void addImages(imageFiles(e.target.files)); e.target.value = ''; }} />
              <small id="image-needs-save" className="muted">{article ? t('helpCentre.editor.imageHint') : t('helpCentre.editor.imageNeedsSave')}</small>
            </div>
          )}
          <textarea id="article-markdown" ref={source} name="markdown" className="md-source" value={form.markdown} rows={18} readOnly={!canEdit}
            onChange={(e) => setForm({ ...form, markdown: e.target.value })} onPaste={pasted} onDrop={dropped}
            onDragOver={(e) => { if (article && e.dataTransfer.types.includes('Files')) e.preventDefault(); }} />
        </div>
        <div className="field">
          <span>{t('helpCentre.editor.preview')}</span>
          {/* The server sanitises this HTML (the portal's own renderer): no script or handler survives. */}
          <div className="md-preview" aria-live="polite" dangerouslySetInnerHTML={{ __html: preview }} />
        </div>
      </div>

      {canEdit && (
        <div className="hc-actions">
          <button type="button" className="button button-primary" disabled={busy || !form.title.trim() || !form.markdown.trim()} onClick={() => void save()}>{t('helpCentre.editor.saveDraft')}</button>
          {article && <button type="button" className="button" disabled={busy} onClick={() => void run(() => publishArticle(article.id), t('helpCentre.editor.published'))}>{t('helpCentre.editor.publish')}</button>}
          {article?.status === 'published' && <button type="button" className="button button-quiet" disabled={busy} onClick={() => void run(() => unpublishArticle(article.id), t('helpCentre.editor.unpublished'))}>{t('helpCentre.editor.unpublish')}</button>}
        </div>
      )}

      {article && (
        <div className="hc-columns">
          <section className="panel">
            <h3 className="section-title">{t('helpCentre.editor.translations')}</h3>
            {translation
              ? <p><Link to={`/help-centre/articles/${translation.id}`}>{translation.title}</Link> <span className="muted small">({translation.locale})</span></p>
              : canEdit && <p><Link to={`/help-centre/articles/new?translationOf=${article.id}&locale=${otherLocale}&title=${encodeURIComponent(article.title)}`}>{t('helpCentre.editor.translate', { locale: otherLocale === 'en' ? 'English' : '中文' })}</Link></p>}
          </section>
          <section className="panel">
            <h3 className="section-title">{t('helpCentre.editor.revisions')}</h3>
            <ol className="hc-revisions" reversed>
              {article.revisions.map((r) => (
                <li key={r.id}>
                  <span>#{r.number} · {r.title} · <time dateTime={r.createdAt}>{new Date(r.createdAt).toLocaleString(i18n.language)}</time></span>
                  {r.published
                    ? <span className="chip chip-new">{t('helpCentre.status.live')}</span>
                    : canEdit && <button type="button" className="button button-small" disabled={busy} onClick={() => void run(() => publishArticle(article.id, r.id), t('helpCentre.editor.published'))}>{t('helpCentre.editor.publishRevision')}</button>}
                </li>
              ))}
            </ol>
          </section>
          {canEdit && <FeedbackComments articleId={article.id} />}
        </div>
      )}
    </div>
  );
}
