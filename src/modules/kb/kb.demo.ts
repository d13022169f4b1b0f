import type { KbService } from './kb.service.js';
import type { KbSearch } from './kb.search.js';
import { DEMO_ARTICLES, DEMO_CATEGORIES, DEMO_SYNONYMS, DEMO_UNHELPFUL_COMMENTS } from './kb.demo.content.js';

const SEED_CONCURRENCY = 4;

/** What the demo sets up in search besides the articles: synonyms, and the learned ranker's first training. */
interface SearchSetup {
  addSynonym(workspaceId: string, input: { locale: 'zh-CN' | 'en'; terms: string[] }): Promise<unknown>;
  train(workspaceId: string): Promise<unknown>;
}

/**
 * The demo help centre: categories, every article in zh-CN and en (linked as translations,
 * published, some on the FAQ), a few helpful votes so "top questions" has an order, a few "not
 * helpful" votes with what their voters wrote, and synonyms.
 */
export async function seedKbDemo(services: { kb: KbService; search: KbSearch & SearchSetup }, workspaceId: string, authorId: string | null): Promise<void> {
  const { kb, search } = services;
  const categoryIds = new Map<string, string>();
  for (const [position, c] of DEMO_CATEGORIES.entries()) {
    const category = await kb.createCategory(workspaceId, {
      slug: c.slug, names: { en: c.en, 'zh-CN': c.zh }, descriptions: { en: c.enDescription, 'zh-CN': c.zhDescription }, position,
    });
    categoryIds.set(c.slug, category.id);
  }
  const seedPair = async (a: (typeof DEMO_ARTICLES)[number], index: number) => {
    const shared = { categoryId: categoryIds.get(a.category)!, tags: a.tags, faq: a.faq ?? false, product: a.product ?? null };
    const en = await kb.createArticle(workspaceId, {
      ...shared, slug: a.slug, locale: 'en', title: a.en.title, description: a.en.description, markdown: a.en.body, questions: a.en.questions,
    }, authorId);
    const zh = await kb.createArticle(workspaceId, {
      ...shared, slug: `${a.slug}-zh`, locale: 'zh-CN', title: a.zh.title, description: a.zh.description, markdown: a.zh.body, questions: a.zh.questions, translationOf: en.id,
    }, authorId);
    await kb.publish(workspaceId, en.id, undefined);
    await kb.publish(workspaceId, zh.id, undefined);
    // The FAQ answers are what most visitors came for: give them a few votes so they lead the lists.
    const votes = a.faq ? 1 + (index % 3) : 0;
    for (let v = 0; v < votes; v += 1) {
      await kb.vote(workspaceId, en.id, `demo:${v}`, true, null);
      await kb.vote(workspaceId, zh.id, `demo:${v}`, true, null);
    }
    for (const [n, c] of DEMO_UNHELPFUL_COMMENTS.entries()) {
      if (c.slug === a.slug) await kb.vote(workspaceId, c.locale === 'en' ? en.id : zh.id, `demo:unhelpful:${n}`, false, c.comment);
    }
  };
  // A few pairs at a time: seeding runs on first start, and the pool has connections to spare.
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < DEMO_ARTICLES.length; index = next++) await seedPair(DEMO_ARTICLES[index]!, index);
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  for (const group of DEMO_SYNONYMS) await search.addSynonym(workspaceId, group);
  // Trained here, on every article, in the seed's process: the trainings the publishes queued find
  // nothing new to learn when the server runs them (a training after a minute's publishes could
  // otherwise learn from only the first of them, until the next).
  await search.train(workspaceId);
}
