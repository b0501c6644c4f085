import { describe, expect, it } from 'vitest';
import { toErrorBody } from './error-handler.js';

describe('toErrorBody', () => {
  it('answers the read-only trigger of external authorities (SQLSTATE CR001) with 409, not 500', () => {
    // The shape both drivers give a PL/pgSQL RAISE … USING ERRCODE (test/api/ocds-import.test.ts).
    const refused = Object.assign(new Error('AUTHORITY_READ_ONLY: authority x holds imported data'), {
      code: 'CR001',
    });
    expect(toErrorBody(refused)).toEqual({
      status: 409,
      body: { code: 'AUTHORITY_READ_ONLY', message: expect.stringContaining('read-only') },
    });
    // Any other database error stays an internal one, its text hidden.
    const other = Object.assign(new Error('relation "x" does not exist'), { code: '42P01' });
    expect(toErrorBody(other)).toEqual({
      status: 500,
      body: { code: 'INTERNAL', message: 'Internal error' },
    });
  });
});
