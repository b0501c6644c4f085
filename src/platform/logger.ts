import pino, { type Logger } from 'pino';

/**
 * Paths that must never reach a log line. Redaction is the second line of defence: code should
 * not log secrets in the first place.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/**
 * Secret tokens that can travel in a URL (the mailed password-reset link opens
 * `/password-reset/<token>`; the document upload form, multipart and without JavaScript, carries
 * its CSRF token as `?_csrf=`). The company of a sealed-bid upload (`?companyId=`) is masked too:
 * who bids must stay unknown until envelope A opens. They are masked in the logged URL: whoever reads the logs must
 * not be able to reset a password or act with a token.
 */
const TOKEN_IN_URL = /(\/password-reset\/|[?&]_csrf=|[?&]companyId=)[^/?#&]+|\b(pr|ctk|cs)_[A-Za-z0-9_-]+/g;

export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_URL, (_m, resetPath: string | undefined, prefix: string | undefined) =>
    resetPath ? `${resetPath}[redacted]` : `${prefix}_[redacted]`,
  );
}

type LoggedRequest = {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
};

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Replaces Fastify's request serializer (same fields) to mask tokens in the URL.
      serializers: {
        req: (req: LoggedRequest) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
    destination,
  );
}

export type { Logger };
