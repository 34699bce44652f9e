/** Async PDFs: 202, polling, and the pdf.complete / pdf.failed webhooks with a signed file URL. */
import { env } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { bearer, get, postJson, signup } from '../helpers/api';
import { unitsUsed } from '../helpers/db';
import { inspectPdf } from '../helpers/pdf';
import { createEndpoint, receiverUrl, waitForReceived } from '../webhooks/helpers';

const invoiceVars = (number: string, extra: Record<string, unknown> = {}) => ({
  number,
  issue_date: '2026-11-28',
  seller: { name: 'Seller Co' },
  buyer: { name: 'Buyer Ltd' },
  items: Array.from({ length: 30 }, (_, i) => ({ description: `Service line ${i + 1}`, unit_price: 10 + i })),
  ...extra,
});

describe('async PDFs', () => {
  it('queues, completes, and announces pdf.complete with a working signed URL', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url, { events: ['pdf.complete', 'pdf.failed'] });
    const res = await postJson(
      '/api/v1/generate/pdf',
      { template: 'invoice', vars: invoiceVars(`INV-ASYNC-${crypto.randomUUID().slice(0, 8)}`), async: true },
      bearer(account.apiKey),
    );
    expect(res.status).toBe(202);
    const accepted = await res.json<{ id: string; status: string; poll_url: string }>();
    expect(accepted).toMatchObject({ status: 'pending', poll_url: `/api/v1/renders/${accepted.id}` });

    const [hit] = await waitForReceived(name, 1, 20_000);
    const payload = new Webhook(endpoint.secret).verify(hit?.body as string, hit?.headers as Record<string, string>) as Record<string, unknown>;
    expect(payload).toMatchObject({ event: 'pdf.complete', job_id: accepted.id, template: 'invoice', cached: false });
    expect(payload.pages).toBeGreaterThanOrEqual(1);
    expect(payload.url).toMatch(/\/files\/[a-f0-9]{40}\.pdf\?expires=\d+&signature=/);
    expect(Date.parse(payload.expires_at as string)).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const file = new URL(payload.url as string);
    const pdf = await get(`${file.pathname}${file.search}`);
    expect(pdf.status).toBe(200);
    const info = await inspectPdf(new Uint8Array(await pdf.arrayBuffer()));
    expect(info.qpdf.ok).toBe(true);
    expect(info.info?.pages).toBe(payload.pages);

    const polled = await (await get(`/api/v1/renders/${accepted.id}`, bearer(account.apiKey))).json<Record<string, unknown>>();
    expect(polled).toMatchObject({ type: 'pdf', status: 'complete', pages: payload.pages });
    expect(await unitsUsed(account.id)).toBe(payload.pages);
  });

  it('a PDF whose logo cannot be fetched fails with pdf.failed naming the var, and gives its units back', async () => {
    const account = await signup();
    const { url, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, url, { events: ['pdf.failed'] });
    const logo = `${env.TEST_IMAGE_ORIGIN}/missing-logo-${crypto.randomUUID()}.png`;
    const res = await postJson(
      '/api/v1/generate/pdf',
      { template: 'invoice', vars: invoiceVars('INV-ASYNC-FAIL', { logo }), async: true },
      bearer(account.apiKey),
    );
    expect(res.status).toBe(202);
    const { id } = await res.json<{ id: string }>();

    const [hit] = await waitForReceived(name, 1, 20_000);
    const payload = new Webhook(endpoint.secret).verify(hit?.body as string, hit?.headers as Record<string, string>) as Record<string, unknown>;
    expect(payload).toMatchObject({ event: 'pdf.failed', job_id: id, error: { code: 'remote_image_fetch_failed' } });
    expect((payload.error as { message: string }).message).toContain('vars.logo');
    await vi.waitFor(async () => expect(await unitsUsed(account.id)).toBe(0));
  });
});
