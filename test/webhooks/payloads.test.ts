/** The webhook bodies the event builder makes, held to the OpenAPI document's `webhooks`. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RenderRow } from '../../src/db/renders';
import { renderPayload } from '../../src/webhooks/events';
import { webhookNonConformities } from '../helpers/conformance';

const at = '2026-11-28T12:00:00.000Z';
function row(fields: Partial<RenderRow>): RenderRow {
  return {
    id: 'rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M',
    account_id: 'acc_1',
    type: 'image',
    template: 'og-card',
    status: 'complete',
    object_key: `${'ab'.repeat(20)}.png`,
    render_ms: 40,
    cached: 0,
    error_code: null,
    error_message: null,
    created_at: at,
    completed_at: at,
    pages: null,
    ...fields,
  } as RenderRow;
}

describe('webhook payloads', () => {
  it('an image and a PDF, complete and failed: each body conforms to its event in the document', async () => {
    const pdfKey = `pdf/${'cd'.repeat(20)}.pdf`;
    const bodies = await Promise.all([
      renderPayload(row({}), env),
      renderPayload(row({ status: 'failed', object_key: null, error_code: 'remote_image_fetch_failed', error_message: 'vars.logo: 404' }), env),
      renderPayload(row({ type: 'pdf', template: 'invoice', object_key: pdfKey, pages: 3 }), env),
      renderPayload(row({ type: 'pdf', template: 'invoice', status: 'failed', object_key: null, pages: 3, error_code: 'render_failed' }), env),
    ]);
    expect(bodies.map((b) => b.event)).toEqual(['render.complete', 'render.failed', 'pdf.complete', 'pdf.failed']);
    for (const body of bodies) expect(webhookNonConformities(JSON.stringify(body)), body.event).toEqual([]);
    expect(bodies[2]).toMatchObject({ pages: 3, url: expect.stringMatching(/\/files\/[a-f0-9]{40}\.pdf\?expires=\d+&signature=/) });
  });

  it('a finished PDF whose URL cannot be signed (no FILE_SIGNING_SECRET) is announced as pdf.failed, not thrown', async () => {
    const body = await renderPayload(row({ type: 'pdf', object_key: `pdf/${'cd'.repeat(20)}.pdf`, pages: 1 }), { ...env, FILE_SIGNING_SECRET: undefined });
    expect(body).toMatchObject({ event: 'pdf.failed', error: { code: 'signing_unavailable' } });
    expect(webhookNonConformities(JSON.stringify(body))).toEqual([]);
  });
});
