import { describe, expect, it } from 'vitest';
import { redactUrl } from './logger.js';

describe('redactUrl', () => {
  it('masks reset tokens, API and session tokens, and a CSRF token in the query', () => {
    expect(redactUrl('/password-reset/abcDEF123?lang=es')).toBe('/password-reset/[redacted]?lang=es');
    expect(redactUrl('/api/v1/x?token=ctk_Secret-123')).toBe('/api/v1/x?token=ctk_[redacted]');
    expect(redactUrl('/office/a/tenders/b/documents?_csrf=s3cr3t.Token&lang=ca')).toBe(
      '/office/a/tenders/b/documents?_csrf=[redacted]&lang=ca',
    );
    expect(redactUrl('/x?lang=ca&_csrf=s3cr3t')).toBe('/x?lang=ca&_csrf=[redacted]');
    expect(redactUrl('/tenders?q=neteja')).toBe('/tenders?q=neteja');
    expect(redactUrl(`/api/v1/tenders/o/bids/b/blobs/h?companyId=${'c'.repeat(36)}`)).toBe(
      '/api/v1/tenders/o/bids/b/blobs/h?companyId=[redacted]',
    );
  });
});
