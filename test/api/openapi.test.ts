import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';

type Operation = {
  tags?: string[];
  summary?: string;
  responses?: Record<string, unknown>;
  requestBody?: unknown;
};

describe(`OpenAPI document (${driverName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('describes every /api/v1 route with a summary, a tag, a success and an error response', async () => {
    const res = await t.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(25);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(path.startsWith('/api/v1/'), where).toBe(true);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags?.length, where).toBeGreaterThan(0);
      const codes = Object.keys(op.responses ?? {});
      expect(
        codes.some((c) => c.startsWith('2')),
        where,
      ).toBe(true);
      if (
        !['/api/v1/authorities', '/api/v1/consortia', '/api/v1/auth/csrf'].includes(path) ||
        method !== 'get'
      ) {
        expect(
          codes.some((c) => c.startsWith('4')),
          where,
        ).toBe(true);
      }
      // Sign-out and following are body-less toggles; every other write takes a described body.
      if (
        ['post', 'put', 'patch'].includes(method) &&
        path !== '/api/v1/auth/logout' &&
        !path.endsWith('/follow')
      ) {
        expect(op.requestBody, where).toBeDefined();
      }
    }
  });

  it('serves the browsable reference', async () => {
    const res = await t.app.inject('/api/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
