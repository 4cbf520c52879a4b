import { describe, expect, it } from 'vitest';
import { runLongConversation } from '../src/long-conversation.js';

describe('long-conversation example', () => {
  it('keeps 300 turns inside a 2,048-token window, and the first turn survives in the summary', {
    timeout: 120_000,
  }, async () => {
    const lines: string[] = [];
    const report = await runLongConversation({ turns: 300, write: (line) => lines.push(line) });
    expect(report.turns).toBe(300);
    expect(report.historyMessages).toBe(601);
    // The server rejects any prompt over the window, so 300 answers prove every request fit.
    expect(report.maxPromptTokens).toBeLessThan(2048);
    expect(report.summaries).toBeGreaterThan(5);
    expect(report.requests).toBe(300 + report.summaries);
    expect(report.finalAnswer).toBe('You are Ada, and your travel budget is 1,800 EUR.');
    expect(lines.at(-1)).toMatch(/^largest prompt \d+ tokens of a 2048-token window · \d+ summaries/);
  });
});
