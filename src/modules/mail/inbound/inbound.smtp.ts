import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../../core/logger.js';
import type { SupportAddresses } from '../addresses/addresses.service.js';
import type { InboundMail } from './inbound.service.js';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  maxBytes: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  perSenderPerMinute: number;
  perIpPerMinute: number;
  /** The name in the greeting and in Received headers. */
  hostname?: string;
}

/** An SMTP reply: smtp-server sends `responseCode` and the message as they are. */
function reply(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

/**
 * Messages per key in a minute that starts at the key's first message: a burst cannot straddle two
 * clock-aligned windows (which let twice the limit through at a minute's edge).
 */
function perMinute(limit: number): (key: string) => Promise<boolean> {
  const limiter = new RateLimiterMemory({ points: limit, duration: 60 });
  return (key) => limiter.consume(key).then(() => true, (rejection: unknown) => {
    if (rejection instanceof RateLimiterRes) return false;
    throw rejection;
  });
}

/**
 * The inbound SMTP listener (role `mail`). It accepts mail only for our support addresses
 * (550 5.1.1 at RCPT otherwise), advertises SIZE and refuses larger messages with 552, offers
 * STARTTLS when a certificate is configured, limits messages per sender and per client address
 * (451 4.7.1), and answers 250 only once the raw message is committed to the database.
 */
export class SmtpListener {
  private server: SMTPServer | undefined;
  private readonly perSender: (sender: string) => Promise<boolean>;
  private readonly perIp: (address: string) => Promise<boolean>;

  constructor(
    private readonly inbound: InboundMail,
    private readonly addresses: SupportAddresses,
    private readonly options: SmtpListenerOptions,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {
    this.perSender = perMinute(options.perSenderPerMinute);
    this.perIp = perMinute(options.perIpPerMinute);
  }

  /** Listens; resolves to the bound port (useful with port 0). */
  async start(): Promise<number> {
    const tls = this.options.tlsCertFile && this.options.tlsKeyFile
      ? { cert: await readFile(this.options.tlsCertFile), key: await readFile(this.options.tlsKeyFile) }
      : undefined;
    const server = new SMTPServer({
      name: this.options.hostname,
      banner: 'Kefu ESMTP',
      size: this.options.maxBytes,
      authOptional: true,
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      logger: false,
      maxClients: 500,
      onMailFrom: (address, session, callback) => { this.checkSender(address, session).then(callback, callback); },
      onRcptTo: (address, _session, callback) => void this.checkRecipient(address).then(callback, (error: unknown) => {
        this.log.error({ err: error }, 'smtp: recipient lookup failed');
        callback(reply(451, '4.3.0 Temporary failure, try again later'));
      }),
      onData: (stream, session, callback) => void this.receive(stream, session).then(() => callback(), (error: Error) => callback(error)),
    });
    server.on('error', (error) => this.log.warn({ err: error }, 'smtp: connection error'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    this.log.info({ port, host: this.options.host, starttls: !!tls }, 'smtp listener started');
    return port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async checkSender(address: SMTPServerAddress, session: SMTPServerSession): Promise<Error | null> {
    if (!(await this.perIp(session.remoteAddress))) return reply(451, '4.7.1 Too many messages from your address; try again later');
    const sender = address.address.toLowerCase();
    // A null reverse-path (bounces) is limited by client address only.
    if (sender && !(await this.perSender(sender))) return reply(451, '4.7.1 Too many messages from this sender; try again later');
    return null;
  }

  private async checkRecipient(address: SMTPServerAddress): Promise<Error | null | undefined> {
    const route = await this.addresses.route(address.address);
    return route ? null : reply(550, '5.1.1 No such mailbox here');
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= this.options.maxBytes) chunks.push(chunk);
    }
    if (stream.sizeExceeded || size > this.options.maxBytes) {
      throw reply(552, `5.3.4 Message too big: at most ${this.options.maxBytes} bytes`);
    }
    const routes = await Promise.all(session.envelope.rcptTo.map((r) => this.addresses.route(r.address)));
    const recipients = routes.filter((r) => r !== null);
    if (!recipients.length) throw reply(550, '5.1.1 No such mailbox here');
    const mailFrom = session.envelope.mailFrom;
    try {
      await this.inbound.accept(Buffer.concat(chunks, Math.min(size, this.options.maxBytes)), {
        from: mailFrom ? mailFrom.address.toLowerCase() : null, recipients, remoteIp: session.remoteAddress, source: 'smtp',
      });
    } catch (error) {
      // Nothing was committed: the sender keeps the message and tries again.
      this.log.error({ err: error }, 'smtp: message not stored');
      throw reply(451, '4.3.0 Temporary failure storing the message; try again later');
    }
  }
}
