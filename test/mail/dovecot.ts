import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from '../helpers/cli.js';

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** A plain IMAP client of the test's own, to put mail in and look at flags. */
  client(): Promise<ImapFlow>;
  stop(): Promise<void>;
}

/**
 * Debian's dovecot in the foreground with a configuration of its own in a temporary directory:
 * passwd-file authentication, maildir storage owned by `nobody`, plain IMAP on a free local port.
 */
export async function startDovecot(): Promise<Dovecot> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kefu-dovecot-'));
  const port = await freePort();
  const user = 'support@acme.example';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  // dovecot's auth process (user dovecot) reads the passwd file; the mail process (nobody) the maildir.
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, 'mail'));
  await chown(path.join(dir, 'mail'), 65534, 65534);
  await writeFile(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`);
  await writeFile(path.join(dir, 'dovecot.conf'), `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`);
  const child: ChildProcess = spawn('/usr/sbin/dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => { output += c; });
  child.stderr!.on('data', (c) => { output += c; });
  const client = async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
    await c.connect();
    return c;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready when a login works.
  for (let i = 0; ; i++) {
    try {
      const c = await client();
      await c.logout();
      break;
    } catch (error) {
      if (i > 50 || child.exitCode !== null) {
        await stop();
        throw new Error(`dovecot did not start: ${output}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port, user, password, client,
    stop,
  };
}
