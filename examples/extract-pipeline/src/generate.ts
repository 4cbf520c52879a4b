import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateInvoices, INVOICE_GENERATOR_DEFAULTS } from './invoice-generator.js';

/**
 * Writes the generated invoices as CLI input: one `{"id", "text"}` line each. Returns the documents
 * (with the invoices they state, for checking the extraction).
 */
export async function writeInvoiceInput(path: string, options: { count?: number; seed?: number } = {}) {
  const documents = generateInvoices(options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${documents.map(({ id, text }) => JSON.stringify({ id, text })).join('\n')}\n`);
  return documents;
}

// `pnpm generate [count] [path]`: just the synthetic documents, for use with any model.
if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? INVOICE_GENERATOR_DEFAULTS.count);
  const path = process.argv[3] ?? 'out/invoices.jsonl';
  await writeInvoiceInput(path, { count });
  process.stdout.write(`wrote ${count} invoices to ${path}\n`);
}
