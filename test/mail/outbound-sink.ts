import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

/** What the sink answers to RCPT TO: accept (undefined), or an SMTP code and text. */
export type RcptPolicy = (address: string) => { code: number; message: string } | undefined;

/**
 * A real SMTP server on a local port that keeps everything it accepts: outbound mail tests send
 * to it through nodemailer exactly as to a relay. It can stop and start again on the same port,
 * to play a relay that is down for a while.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  policy: RcptPolicy = () => undefined;
  private server: SMTPServer | undefined;
  private constructor(public port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(0);
    await sink.listen();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const refusal = this.policy(address.address);
        if (!refusal) return callback();
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then((parsed) => {
            this.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw: raw.toString('utf8'), parsed });
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    // A sender killed mid-session (the crash tests) resets its connection: smtp-server reports that
    // as an 'error' on the server, which would be uncaught without a listener. That mail was never
    // accepted, so it is simply not received.
    server.on('error', () => undefined);
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** How many times each Message-ID arrived: a mail delivered twice shows as 2. */
  countsByMessageId(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const mail of this.received) counts.set(mail.parsed.messageId ?? '', (counts.get(mail.parsed.messageId ?? '') ?? 0) + 1);
    return counts;
  }
}

/** Polls until `check` returns a value (not undefined/false); the test's own timeout bounds it. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, everyMs = 25): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
