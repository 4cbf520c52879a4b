/** One line item of an invoice. */
export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}

/** What a correct extraction of an invoice yields (the schema's shape). */
export interface Invoice {
  invoiceNumber: string;
  vendor: string;
  customer: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  lineItems: InvoiceLine[];
  total: number;
}

/** A generated document: its id, its text (what the model reads), and the invoice it states. */
export interface InvoiceDocument {
  id: string;
  text: string;
  expected: Invoice;
}

/** Defaults of {@link generateInvoices}. */
export const INVOICE_GENERATOR_DEFAULTS = { count: 240, seed: 20261125 } as const;

const VENDORS = [
  'Northwind Traders',
  'Contoso Office Supply',
  'Fabrikam Hardware',
  'Tailspin Print Co.',
  'Litware Cloud Services',
  'Adventure Works Logistics',
];
const CUSTOMERS = [
  'Blue Yonder Airlines',
  'Coho Winery',
  'Wingtip Toys',
  'Proseware Inc.',
  'Alpine Ski House',
];
const PRODUCTS: [string, number][] = [
  ['A4 paper, box of 5 reams', 24.9],
  ['Toner cartridge, black', 89.0],
  ['Ergonomic chair', 249.0],
  ['Standing desk frame', 389.5],
  ['Cloud storage, 1 TB month', 9.99],
  ['Freight, pallet', 140.0],
  ['Consulting hour', 120.0],
  ['USB-C dock', 119.95],
];
const CURRENCIES = ['USD', 'EUR', 'GBP'];

/**
 * Generates `count` synthetic invoices, deterministic for a `seed` (mulberry32): several layouts
 * (formal invoice, email body, terse plain text), 1 to 4 line items, amounts in cents.
 */
export function generateInvoices(options: { count?: number; seed?: number } = {}): InvoiceDocument[] {
  const count = options.count ?? INVOICE_GENERATOR_DEFAULTS.count;
  const random = mulberry32(options.seed ?? INVOICE_GENERATOR_DEFAULTS.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const documents: InvoiceDocument[] = [];
  for (let index = 0; index < count; index++) {
    const lines: InvoiceLine[] = [];
    const itemCount = 1 + Math.floor(random() * 4);
    for (let line = 0; line < itemCount; line++) {
      const [description, unitPrice] = pick(PRODUCTS);
      const quantity = 1 + Math.floor(random() * 12);
      lines.push({ description, quantity, unitPrice, amount: cents(quantity * unitPrice) });
    }
    const issued = new Date(Date.UTC(2026, Math.floor(random() * 10), 1 + Math.floor(random() * 28)));
    const due = new Date(issued.getTime() + (pick([14, 30, 45]) as number) * 86_400_000);
    const invoice: Invoice = {
      invoiceNumber: `INV-${2026}-${String(1000 + index).padStart(5, '0')}`,
      vendor: pick(VENDORS),
      customer: pick(CUSTOMERS),
      issueDate: issued.toISOString().slice(0, 10),
      dueDate: due.toISOString().slice(0, 10),
      currency: pick(CURRENCIES),
      lineItems: lines,
      total: cents(lines.reduce((sum, line) => sum + line.amount, 0)),
    };
    documents.push({
      id: `doc-${String(index + 1).padStart(4, '0')}`,
      text: render(invoice, index % 3),
      expected: invoice,
    });
  }
  return documents;
}

function render(invoice: Invoice, layout: number): string {
  const items = invoice.lineItems.map(
    (line) =>
      `  ${line.quantity} x ${line.description} @ ${line.unitPrice.toFixed(2)} = ${line.amount.toFixed(2)}`,
  );
  if (layout === 0) {
    return [
      `INVOICE ${invoice.invoiceNumber}`,
      `From: ${invoice.vendor}`,
      `Bill to: ${invoice.customer}`,
      `Issue date: ${invoice.issueDate}    Due date: ${invoice.dueDate}`,
      'Items:',
      ...items,
      `Total due: ${invoice.currency} ${invoice.total.toFixed(2)}`,
    ].join('\n');
  }
  if (layout === 1) {
    return [
      `Subject: Invoice ${invoice.invoiceNumber} from ${invoice.vendor}`,
      '',
      `Dear ${invoice.customer} accounts team,`,
      '',
      `please find our invoice ${invoice.invoiceNumber}, issued ${invoice.issueDate}, for:`,
      ...items,
      `The total of ${invoice.currency} ${invoice.total.toFixed(2)} is payable by ${invoice.dueDate}.`,
      '',
      `Kind regards, billing at ${invoice.vendor}`,
    ].join('\n');
  }
  return [
    `${invoice.vendor} | invoice no. ${invoice.invoiceNumber} | customer: ${invoice.customer}`,
    `issued ${invoice.issueDate}, due ${invoice.dueDate}`,
    ...items,
    `TOTAL ${invoice.currency} ${invoice.total.toFixed(2)}`,
  ].join('\n');
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
