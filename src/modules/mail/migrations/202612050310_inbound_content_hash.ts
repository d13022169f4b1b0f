import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A redelivery is the same Message-ID with the same content; broken mailers and test corpora
    -- give different messages the same Message-ID, and each of those is a message of its own.
    -- content_sha256 fingerprints the message as its author sent it (inbound.parse.ts,
    -- contentFingerprint); rows stored before it existed have none and still stand for their
    -- Message-ID. message_id_reused notes a message that arrived with a Message-ID another had.
    alter table mail_inbound
      add column content_sha256 text,
      add column message_id_reused boolean not null default false;
    drop index mail_inbound_message_id;
    create unique index mail_inbound_message_id on mail_inbound (workspace_id, message_id, content_sha256) where message_id is not null;
  `.execute(db);
}
