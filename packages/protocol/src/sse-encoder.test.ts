import { describe, expect, it } from 'vitest';
import { encodeSseEvent, SSE_DONE_EVENT } from './sse-encoder.js';

describe('encodeSseEvent', () => {
  it('frames single-line data', () => {
    expect(encodeSseEvent('{"a":1}')).toBe('data: {"a":1}\n\n');
  });
  it('splits multi-line data into several data lines and names the event', () => {
    expect(encodeSseEvent('a\nb', 'error')).toBe('event: error\ndata: a\ndata: b\n\n');
  });
  it('has the [DONE] terminator', () => {
    expect(SSE_DONE_EVENT).toBe('data: [DONE]\n\n');
  });
});
