import { z } from 'zod';
import { LocaleView, type Wire } from './http.js';

/**
 * The knowledge base on the wire (`/api/v1/kb/…`): the bodies the kb module's routes take and the
 * shapes they answer with (response schemas drop anything not declared here). The console reads
 * them as `Wire<…>`: times travel as ISO strings.
 */

// ---- responses ----

const Localised = z.object({ en: z.string().optional(), 'zh-CN': z.string().optional() });

export const CategoryView = z.object({
  id: z.string(), parentId: z.string().nullable(), slug: z.string(), names: Localised, descriptions: Localised,
  position: z.number(), createdAt: z.date(), updatedAt: z.date(),
});

export const ArticleSummaryView = z.object({
  id: z.string(), slug: z.string(), locale: LocaleView, title: z.string(), categoryId: z.string().nullable(),
  status: z.enum(['draft', 'published']), hasUnpublishedChanges: z.boolean(), faq: z.boolean(), tags: z.array(z.string()), questions: z.array(z.string()),
  product: z.string().nullable(), translationGroupId: z.string(), views: z.number(), helpful: z.number(), unhelpful: z.number(),
  url: z.string(), publishedAt: z.date().nullable(), lastReviewedAt: z.date().nullable(), updatedAt: z.date(), createdAt: z.date(),
});

export const RevisionSummaryView = z.object({
  id: z.string(), number: z.number(), title: z.string(), authorId: z.string().nullable(), createdAt: z.date(), published: z.boolean(),
});

export const RevisionView = RevisionSummaryView.extend({ markdown: z.string(), html: z.string(), description: z.string() });

const Ref = z.object({ id: z.string(), slug: z.string(), title: z.string() });

export const ArticleView = ArticleSummaryView.extend({
  description: z.string(),
  draft: RevisionView,
  published: RevisionView.nullable(),
  translations: z.array(Ref.extend({ locale: LocaleView, status: z.enum(['draft', 'published']) })),
  backlinks: z.array(Ref),
  related: z.array(Ref.extend({ manual: z.boolean() })),
  revisions: z.array(RevisionSummaryView),
});

export const AttachmentView = z.object({
  id: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number(), url: z.string(), markdown: z.string(), createdAt: z.date(),
});

export const CategoryListView = z.object({ categories: z.array(CategoryView) });
export const ArticlePageView = z.object({ articles: z.array(ArticleSummaryView), nextCursor: z.string().nullable() });
export const RevisionListView = z.object({ revisions: z.array(RevisionSummaryView) });
export const AttachmentListView = z.object({ attachments: z.array(AttachmentView) });
export const PreviewView = z.object({ html: z.string() });
export const LowHelpfulnessView = z.object({ articles: z.array(ArticleSummaryView.extend({ helpfulRatio: z.number() })) });
export const StaleView = z.object({ articles: z.array(ArticleSummaryView.extend({ reason: z.enum(['not_reviewed', 'rated_down_since_edit']) })) });
export const FeedbackPageView = z.object({
  comments: z.array(z.object({
    id: z.string(), comment: z.string(), createdAt: z.date(),
    article: z.object({ id: z.string(), title: z.string(), locale: LocaleView, slug: z.string() }),
  })),
  nextCursor: z.string().nullable(),
});
export const DigestListView = z.object({
  digests: z.array(z.object({ id: z.string(), customerId: z.string(), email: z.string(), articleIds: z.array(z.string()), createdAt: z.date() })),
});

// ---- requests ----

const Slug = (max: number) => z.string().trim().toLowerCase().regex(new RegExp(`^[a-z0-9][a-z0-9-]{0,${max - 1}}$`), 'lowercase letters, digits and "-"');
const LocalisedInput = z.strictObject({ en: z.string().trim().min(1).max(200).optional(), 'zh-CN': z.string().trim().min(1).max(200).optional() });
const Names = LocalisedInput.refine((names) => names.en || names['zh-CN'], 'a name in at least one language');
const Descriptions = z.strictObject({ en: z.string().trim().max(1000).optional(), 'zh-CN': z.string().trim().max(1000).optional() });
const Title = z.string().trim().min(1).max(250);
const Markdown = z.string().max(200_000);
const Tags = z.array(z.string().trim().min(1).max(50)).max(30);
const Product = z.string().trim().min(1).max(100).nullable();
const Description = z.string().trim().max(500);
const RelatedIds = z.array(z.string().uuid()).max(20);
const Questions = z.array(z.string().trim().min(1).max(300)).max(50).describe('Other ways customers ask what the article answers ("people also ask")');

export const NewCategory = z.strictObject({
  slug: Slug(80), names: Names, descriptions: Descriptions.optional(), parentId: z.string().uuid().nullable().optional(), position: z.number().int().min(0).max(100_000).optional(),
});
export const CategoryPatch = z.strictObject({
  slug: Slug(80).optional(), names: Names.optional(), descriptions: Descriptions.optional(), parentId: z.string().uuid().nullable().optional(), position: z.number().int().min(0).max(100_000).optional(),
}).refine((patch) => Object.keys(patch).length > 0, 'nothing to change');

export const NewArticle = z.strictObject({
  title: Title, markdown: Markdown, locale: LocaleView, description: Description.optional(), slug: Slug(120).optional(),
  categoryId: z.string().uuid().nullable().optional(), tags: Tags.optional(), faq: z.boolean().optional(), product: Product.optional(),
  questions: Questions.optional(),
  translationOf: z.string().uuid().optional().describe('Another article this one translates: both join one translation group'),
  relatedIds: RelatedIds.optional(),
});
export const ArticlePatch = z.strictObject({
  title: Title.optional(), markdown: Markdown.optional(), description: Description.optional(), slug: Slug(120).optional(),
  categoryId: z.string().uuid().nullable().optional(), tags: Tags.optional(), faq: z.boolean().optional(), product: Product.optional(),
  questions: Questions.optional(), relatedIds: RelatedIds.optional(),
}).refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export const PublishBody = z.strictObject({ revisionId: z.string().uuid().optional() }).nullish();
export const PreviewBody = z.strictObject({ markdown: Markdown });
export const FromMessageBody = z.strictObject({ title: Title.optional(), locale: LocaleView.optional(), categoryId: z.string().uuid().optional() }).nullish();

// ---- as the console reads and writes them ----

export type CategoryWire = Wire<z.infer<typeof CategoryView>>;
export type ArticleSummaryWire = Wire<z.infer<typeof ArticleSummaryView>>;
export type RevisionSummaryWire = Wire<z.infer<typeof RevisionSummaryView>>;
export type ArticleWire = Wire<z.infer<typeof ArticleView>>;
export type ArticlePageWire = Wire<z.infer<typeof ArticlePageView>>;
export type CategoryListWire = Wire<z.infer<typeof CategoryListView>>;
export type LowHelpfulnessWire = Wire<z.infer<typeof LowHelpfulnessView>>;
export type StaleWire = Wire<z.infer<typeof StaleView>>;
export type FeedbackPageWire = Wire<z.infer<typeof FeedbackPageView>>;
export type AttachmentWire = Wire<z.infer<typeof AttachmentView>>;
export type NewCategoryBody = z.input<typeof NewCategory>;
export type CategoryPatchBody = z.input<typeof CategoryPatch>;
export type NewArticleBody = z.input<typeof NewArticle>;
export type ArticlePatchBody = z.input<typeof ArticlePatch>;
