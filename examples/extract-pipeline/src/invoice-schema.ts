/**
 * The JSON schema the CLI extracts each invoice into (strict-mode ready: every property required,
 * no additional properties). The example writes it to `invoice.schema.json` for `--schema`.
 */
export const INVOICE_SCHEMA = {
  title: 'Invoice',
  description: 'An invoice: who billed whom, when, for what, and the total.',
  type: 'object',
  additionalProperties: false,
  required: ['invoiceNumber', 'vendor', 'customer', 'issueDate', 'dueDate', 'currency', 'lineItems', 'total'],
  properties: {
    invoiceNumber: { type: 'string' },
    vendor: { type: 'string' },
    customer: { type: 'string' },
    issueDate: { type: 'string', description: 'YYYY-MM-DD' },
    dueDate: { type: 'string', description: 'YYYY-MM-DD' },
    currency: { type: 'string', description: 'ISO 4217 code' },
    lineItems: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['description', 'quantity', 'unitPrice', 'amount'],
        properties: {
          description: { type: 'string' },
          quantity: { type: 'number' },
          unitPrice: { type: 'number' },
          amount: { type: 'number' },
        },
      },
    },
    total: { type: 'number' },
  },
} as const;
