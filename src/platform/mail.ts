import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export type MailMessage = { to: string; subject: string; text: string };

/** Outgoing mail. Sent after the transaction commits, never inside it. */
export type Mailer = { send(message: MailMessage): Promise<void> };

/**
 * Development outbox: each message is written as an .eml file under `<dataDir>/outbox`, so a
 * developer can open the password-reset link without a mail server.
 */
export function fileOutboxMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      await fs.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^a-zA-Z0-9]/g, '')}.eml`;
      await fs.writeFile(path.join(dir, name), info.message as Buffer);
    },
  };
}

export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
  };
}

/** Keeps messages in memory; for tests. */
export function memoryMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
    },
  };
}

/**
 * How a procedure's notices reach companies: the platform's mailer, the public base URL for the
 * links, and what to do when one message cannot be sent. A mail is the notice of an electronic
 * notification (LCSP DA 15ª.3), not the notification itself, so a failed message does not undo
 * the committed act: it is reported to `onError` (the route logs it) and the others still go.
 */
export type NoticeMail = {
  mailer: Mailer;
  publicUrl: string;
  onError?: (err: unknown, recipient: { to: string; companyId: string }) => void;
};

/** Sends each message in turn; one failure is reported and does not stop the rest. */
export async function sendNotices(
  mail: NoticeMail,
  messages: readonly { companyId: string; message: MailMessage }[],
): Promise<void> {
  for (const { companyId, message } of messages) {
    try {
      await mail.mailer.send(message);
    } catch (err) {
      mail.onError?.(err, { to: message.to, companyId });
    }
  }
}
