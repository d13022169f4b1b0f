import { notFound } from '../../../core/errors.js';
import { TargetForbiddenError, type OutboundTargets } from '../../../core/net/outbound-targets.js';
import { mailErrors } from '../mail.errors.js';
import type { InboundRepo } from '../inbound/inbound.repo.js';
import type { MailboxRow, MailboxTls } from '../inbound/inbound.schema.js';
import type { SecretBox } from './imap.crypto.js';

export interface MailboxInput {
  name: string;
  host: string;
  port: number;
  tls: MailboxTls;
  username: string;
  password: string;
  folder: string;
  afterImport: 'flag' | 'move';
  moveTo: string | null;
  addressId: string | null;
  enabled: boolean;
}

/** What the API shows of a mailbox: everything but the password, which never leaves the server. */
export type MailboxView = Omit<MailboxRow, 'password_encrypted'>;

export function mailboxView({ password_encrypted: _, ...rest }: MailboxRow): MailboxView {
  return rest;
}

/** The IMAP mailboxes a workspace has Kefu poll; passwords are sealed before they are stored. */
export class Mailboxes {
  constructor(private readonly repo: InboundRepo, private readonly secrets: SecretBox, private readonly targets: OutboundTargets) {}

  async list(workspaceId: string): Promise<MailboxView[]> {
    return (await this.repo.mailboxes(workspaceId)).map(mailboxView);
  }

  async get(workspaceId: string, id: string): Promise<MailboxView> {
    const row = await this.repo.mailbox(workspaceId, id);
    if (!row) throw notFound('mailbox');
    return mailboxView(row);
  }

  async create(workspaceId: string, input: MailboxInput): Promise<MailboxView> {
    if (input.addressId) await this.assertAddress(workspaceId, input.addressId);
    await this.assertHostPermitted(input.host);
    return mailboxView(await this.repo.insertMailbox(workspaceId, {
      name: input.name, host: input.host, port: input.port, tls: input.tls, username: input.username,
      password_encrypted: await this.secrets.seal(input.password), folder: input.folder, after_import: input.afterImport,
      move_to: input.moveTo, address_id: input.addressId, enabled: input.enabled,
    }));
  }

  async update(workspaceId: string, id: string, patch: Partial<MailboxInput>): Promise<MailboxView> {
    if (patch.addressId) await this.assertAddress(workspaceId, patch.addressId);
    if (patch.host !== undefined) await this.assertHostPermitted(patch.host);
    const server = patch.host !== undefined || patch.port !== undefined || patch.username !== undefined || patch.folder !== undefined;
    const row = await this.repo.updateMailbox(workspaceId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.host !== undefined ? { host: patch.host } : {}),
      ...(patch.port !== undefined ? { port: patch.port } : {}),
      ...(patch.tls !== undefined ? { tls: patch.tls } : {}),
      ...(patch.username !== undefined ? { username: patch.username } : {}),
      ...(patch.password !== undefined ? { password_encrypted: await this.secrets.seal(patch.password) } : {}),
      ...(patch.folder !== undefined ? { folder: patch.folder } : {}),
      ...(patch.afterImport !== undefined ? { after_import: patch.afterImport } : {}),
      ...(patch.moveTo !== undefined ? { move_to: patch.moveTo } : {}),
      ...(patch.addressId !== undefined ? { address_id: patch.addressId } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      // Another server or folder has its own UIDs: progress starts over (Message-IDs prevent duplicates).
      ...(server ? { uid_validity: null, last_uid: 0 } : {}),
    });
    if (!row) throw notFound('mailbox');
    return mailboxView(row);
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repo.deleteMailbox(workspaceId, id))) throw notFound('mailbox');
  }

  /**
   * A workspace admin must not make Kefu connect into the private network (and read its port
   * states back from the errors): the host is checked when saved, and again at every connection.
   */
  private async assertHostPermitted(host: string): Promise<void> {
    try {
      await this.targets.assertPermitted(host);
    } catch (err) {
      if (!(err instanceof TargetForbiddenError)) throw err;
      throw mailErrors.mailboxHostForbidden('IMAP hosts cannot be private, loopback or reserved addresses unless the operator allows them (KEFU_PRIVATE_TARGETS)',
        { host: err.host, address: err.address }, { cause: err });
    }
  }

  private async assertAddress(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repo.address(workspaceId, id))) throw notFound('mail_address');
  }
}
