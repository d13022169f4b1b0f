import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router/router.js';
import { unhelpfulComments, type FeedbackComment } from './help-centre-api.js';
import { LoadProblem } from './load-problem.js';
import { codeOf, useResource } from '../../api/use-resource.js';

/**
 * What customers wrote when they voted "not helpful", newest first, 20 at a time: the whole help
 * centre's on the listening page (each with its article), one article's in its editor.
 */
export function FeedbackComments({ articleId }: { articleId?: string }) {
  const { t, i18n } = useTranslation();
  const first = useResource(() => unhelpfulComments({ articleId }), [articleId]);
  const [more, setMore] = useState<{ comments: FeedbackComment[]; cursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const comments = [...(first.data?.comments ?? []), ...(more?.comments ?? [])];
  const cursor = more ? more.cursor : first.data?.nextCursor ?? null;
  const loadMore = async () => {
    setError(null);
    try {
      const page = await unhelpfulComments({ articleId, cursor });
      setMore({ comments: [...(more?.comments ?? []), ...page.comments], cursor: page.nextCursor });
    } catch (failure) {
      setError(codeOf(failure));
    }
  };
  return (
    <section className="panel hc-report hc-feedback" aria-labelledby={`feedback-${articleId ?? 'all'}`}>
      <h3 id={`feedback-${articleId ?? 'all'}`} className="section-title">{t('helpCentre.feedback.title')}</h3>
      <LoadProblem state={first} />
      {first.phase === 'ready' && comments.length === 0 && <p className="muted">{t('helpCentre.feedback.empty')}</p>}
      {comments.length > 0 && (
        <ul className="hc-feedback-list">
          {comments.map((c) => (
            <li key={c.id}>
              <blockquote lang={c.article.locale}>{c.comment}</blockquote>
              <p className="muted small">
                <time dateTime={c.createdAt}>{new Date(c.createdAt).toLocaleString(i18n.language)}</time>
                {!articleId && <> · <Link to={`/help-centre/articles/${c.article.id}`}>{c.article.title}</Link> ({c.article.locale})</>}
              </p>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="notice notice-error" role="alert">{t('helpCentre.loadFailed', { code: error })}</p>}
      {cursor && <button type="button" className="button button-quiet" onClick={() => void loadMore()}>{t('helpCentre.feedback.more')}</button>}
    </section>
  );
}
