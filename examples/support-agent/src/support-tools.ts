import { defineTool } from '@chatloop/tools';
import { z } from 'zod';

/** Options of {@link createSupportTools}. */
export interface SupportToolsOptions {
  /** The shop API's base URL (no trailing slash). */
  apiURL: string;
  /** The fetch the tools call the API with. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * The support agent's tools, each one call to the shop's REST API. `issue_refund` needs a human's
 * approval before it runs. A non-2xx answer throws, so the model reads the API's error message.
 */
export function createSupportTools(options: SupportToolsOptions) {
  const fetchImpl = options.fetch ?? fetch;

  async function call(path: string, init: RequestInit, signal: AbortSignal): Promise<unknown> {
    const response = await fetchImpl(`${options.apiURL}${path}`, { ...init, signal });
    const body = (await response.json()) as { error?: { message?: string } };
    if (!response.ok)
      throw new Error(`shop API ${response.status}: ${body.error?.message ?? 'request failed'}`);
    return body;
  }

  const getOrder = defineTool({
    name: 'get_order',
    description: 'Look up an order by its id (e.g. A-1042): items, total, status and tracking number.',
    parameters: z.object({ orderId: z.string().describe('The order id, e.g. A-1042') }),
    execute: ({ orderId }, { signal }) => call(`/orders/${encodeURIComponent(orderId)}`, {}, signal),
  });

  const trackShipment = defineTool({
    name: 'track_shipment',
    description: "Where a parcel is, from the carrier's tracking number.",
    parameters: z.object({ trackingNumber: z.string() }),
    execute: ({ trackingNumber }, { signal }) =>
      call(`/shipments/${encodeURIComponent(trackingNumber)}`, {}, signal),
  });

  const issueRefund = defineTool({
    name: 'issue_refund',
    description:
      'Refund an order (all or part of its total). A human approves every refund before it is issued.',
    parameters: z.object({
      orderId: z.string(),
      amountUSD: z.number().positive(),
      reason: z.string().describe('Why the customer is refunded, in a short sentence'),
    }),
    needsApproval: true,
    execute: (args, { signal }) =>
      call(
        '/refunds',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) },
        signal,
      ),
  });

  return [getOrder, trackShipment, issueRefund];
}
