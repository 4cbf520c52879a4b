/**
 * Frames one Server-Sent Events message: an optional `event:` line, one `data:` line per line of
 * `data`, then the blank line that ends the event.
 */
export function encodeSseEvent(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  if (!data.includes('\n')) return `${head}data: ${data}\n\n`;
  return `${head}${data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** The terminating event of an OpenAI-style stream. */
export const SSE_DONE_EVENT = 'data: [DONE]\n\n';
