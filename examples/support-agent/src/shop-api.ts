import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An order as the shop's REST API returns it. */
export interface Order {
  orderId: string;
  customer: string;
  items: { sku: string; name: string; quantity: number; priceUSD: number }[];
  totalUSD: number;
  status: 'paid' | 'shipped' | 'delivered' | 'refunded';
  trackingNumber: string;
  placedAt: string;
}

/** A shipment as the carrier endpoint returns it. */
export interface Shipment {
  trackingNumber: string;
  carrier: string;
  status: 'in_transit' | 'delivered' | 'lost';
  lastScan: { at: string; location: string; event: string };
  promisedBy: string;
}

/** A refund the API created. */
export interface Refund {
  refundId: string;
  orderId: string;
  amountUSD: number;
  reason: string;
  status: 'issued';
}

/** The running shop API: its base URL (no trailing slash), the refunds it issued, and `close()`. */
export interface ShopApi {
  url: string;
  refunds: Refund[];
  close(): Promise<void>;
}

/** The orders and shipments the example's shop starts with. */
export const SHOP_FIXTURES = {
  orders: [
    {
      orderId: 'A-1042',
      customer: 'Dana Whitfield',
      items: [
        { sku: 'KB-87', name: 'Mechanical keyboard', quantity: 1, priceUSD: 89.0 },
        { sku: 'CB-2M', name: 'USB-C cable, 2 m', quantity: 2, priceUSD: 9.5 },
      ],
      totalUSD: 108.0,
      status: 'shipped',
      trackingNumber: 'ZX-559-0183',
      placedAt: '2026-11-02T09:14:00Z',
    },
    {
      orderId: 'A-1043',
      customer: 'Luis Ortega',
      items: [{ sku: 'MS-01', name: 'Wireless mouse', quantity: 1, priceUSD: 34.0 }],
      totalUSD: 34.0,
      status: 'delivered',
      trackingNumber: 'ZX-559-0199',
      placedAt: '2026-11-05T17:40:00Z',
    },
  ] satisfies Order[],
  shipments: [
    {
      trackingNumber: 'ZX-559-0183',
      carrier: 'Zephyr Express',
      status: 'lost',
      lastScan: {
        at: '2026-11-06T04:22:00Z',
        location: 'Reno sorting hub',
        event: 'Package missing at sort',
      },
      promisedBy: '2026-11-09',
    },
    {
      trackingNumber: 'ZX-559-0199',
      carrier: 'Zephyr Express',
      status: 'delivered',
      lastScan: { at: '2026-11-08T13:05:00Z', location: 'Austin, TX', event: 'Delivered to front door' },
      promisedBy: '2026-11-10',
    },
  ] satisfies Shipment[],
};

/**
 * Starts the shop's REST API on 127.0.0.1 (a free port): `GET /orders/:id`, `GET /shipments/:tracking`,
 * `POST /refunds` (`{ orderId, amountUSD, reason }`, refuses more than the order's total and a second
 * refund). JSON in and out; errors as `{ error: { code, message } }` with a 4xx status.
 */
export async function startShopApi(): Promise<ShopApi> {
  const orders = new Map<string, Order>(SHOP_FIXTURES.orders.map((order) => [order.orderId, { ...order }]));
  const shipments = new Map(SHOP_FIXTURES.shipments.map((shipment) => [shipment.trackingNumber, shipment]));
  const refunds: Refund[] = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, { error: { code: 'internal', message: String(error) } });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [resource, id] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (request.method === 'GET' && resource === 'orders' && id !== undefined) {
      const order = orders.get(id);
      if (order === undefined) return notFound(response, `No order ${id}.`);
      return send(response, 200, order);
    }
    if (request.method === 'GET' && resource === 'shipments' && id !== undefined) {
      const shipment = shipments.get(id);
      if (shipment === undefined) return notFound(response, `No shipment ${id}.`);
      return send(response, 200, shipment);
    }
    if (request.method === 'POST' && resource === 'refunds' && id === undefined) {
      const body = (await readJson(request)) as { orderId?: unknown; amountUSD?: unknown; reason?: unknown };
      const order = typeof body.orderId === 'string' ? orders.get(body.orderId) : undefined;
      if (order === undefined) return notFound(response, `No order ${String(body.orderId)}.`);
      if (typeof body.amountUSD !== 'number' || body.amountUSD <= 0 || body.amountUSD > order.totalUSD) {
        return send(response, 422, {
          error: { code: 'invalid_amount', message: `Refund must be between 0 and ${order.totalUSD} USD.` },
        });
      }
      if (order.status === 'refunded') {
        return send(response, 409, {
          error: { code: 'already_refunded', message: 'Order already refunded.' },
        });
      }
      order.status = 'refunded';
      const refund: Refund = {
        refundId: `RF-${7001 + refunds.length}`,
        orderId: order.orderId,
        amountUSD: body.amountUSD,
        reason: typeof body.reason === 'string' ? body.reason : '',
        status: 'issued',
      };
      refunds.push(refund);
      return send(response, 201, refund);
    }
    send(response, 404, { error: { code: 'no_route', message: `${request.method} ${url.pathname}` } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refunds,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function notFound(response: ServerResponse, message: string): void {
  send(response, 404, { error: { code: 'not_found', message } });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return {};
  }
}
