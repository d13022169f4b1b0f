import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- What customers wrote with a "not helpful" vote, newest first: the listening page reads the
    -- workspace's, the article editor one article's (keyset pages on (created_at, id)).
    create index kb_votes_unhelpful_comments on kb_votes (workspace_id, created_at desc, id desc)
      where not helpful and comment is not null;
    create index kb_votes_unhelpful_comments_of_article on kb_votes (article_id, created_at desc, id desc)
      where not helpful and comment is not null;
  `.execute(db);
}
