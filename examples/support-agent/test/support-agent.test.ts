import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { modelConnection } from '../src/model-connection.js';
import { runSupportAgent } from '../src/support-agent.js';

async function run(args: string[], input: PassThrough & { isTTY?: boolean } = new PassThrough()) {
  const lines: string[] = [];
  const output = new PassThrough();
  output.resume();
  const before = new Set(process.getActiveResourcesInfo());
  const exitCode = await runSupportAgent({ args, env: {}, input, output, write: (line) => lines.push(line) });
  return { exitCode, lines, trace: lines.join('\n'), before };
}

describe('support-agent example (offline)', () => {
  it('prints the full trace: steps, tool calls with arguments and results, approval, cost, answer', async () => {
    const { exitCode, lines, trace } = await run([]);
    expect(exitCode).toBe(0);
    expect(lines[0]).toMatch(/^chatloop support agent · offline: scripted gpt-4o-mini/);
    expect(trace).toContain('→ get_order {"orderId":"A-1042"}');
    expect(trace).toContain('→ track_shipment {"trackingNumber":"ZX-559-0183"}');
    expect(trace).toMatch(/← track_shipment \{"trackingNumber":"ZX-559-0183".*"status":"lost"/);
    expect(trace).toMatch(/⏸ issue_refund \{"orderId":"A-1042","amountUSD":108,.*\} waits for approval/);
    expect(trace).toContain('✔ approved automatically (stdin is not a TTY)');
    expect(trace).toMatch(/← issue_refund \{"refundId":"RF-7001"/);
    for (let step = 1; step <= 4; step++) {
      expect(trace).toMatch(
        new RegExp(
          `step ${step} · gpt-4o-mini · \\d+ tokens \\(\\d+ in, \\d+ out\\) · \\$0\\.\\d{6} · \\d+ ms`,
        ),
      );
    }
    expect(trace).toContain(
      'answer: I am sorry about the lost parcel. Order A-1042 is refunded in full: $108.00',
    );
    expect(lines.at(-2)).toMatch(/^done: stop · 4 steps · \d+ tokens .* · \$0\.\d{6} · \d+ ms$/);
    expect(lines.at(-1)).toBe('refunds issued: RF-7001');
    // Order of the trace: the approval sits between the refund call and its result.
    const order = ['→ issue_refund', '⏸ issue_refund', '✔ approved', '← issue_refund', 'step 4', 'answer:'];
    const positions = order.map((marker) => trace.indexOf(marker));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('says when --yes approved the refund', async () => {
    const { exitCode, trace } = await run(['--yes']);
    expect(exitCode).toBe(0);
    expect(trace).toContain('✔ approved automatically (--yes)');
  });

  it('asks at the prompt on a TTY, and a denial reaches the model', async () => {
    const input: PassThrough & { isTTY?: boolean } = new PassThrough();
    input.isTTY = true;
    input.write('n\n');
    const { exitCode, trace } = await run([], input);
    expect(exitCode).toBe(0);
    expect(trace).toContain('✘ denied at the prompt');
    expect(trace).toContain('← issue_refund DENIED');
    expect(trace).toContain(
      'answer: I am sorry: the carrier lost your parcel, but I could not issue the refund',
    );
    expect(trace).not.toContain('refunds issued');
  });

  it('leaves no server or socket open', async () => {
    const { before } = await run(['--yes']);
    const after = process
      .getActiveResourcesInfo()
      .filter((name) => name === 'TCPServerWrap' || name === 'TCPSocketWrap');
    const opened =
      after.length -
      [...before].filter((name) => name === 'TCPServerWrap' || name === 'TCPSocketWrap').length;
    expect(opened).toBeLessThanOrEqual(0);
  });

  it('picks the real provider from the environment', () => {
    expect(modelConnection({})).toEqual({ kind: 'offline', model: 'gpt-4o-mini' });
    expect(modelConnection({ OPENAI_API_KEY: 'k' })).toMatchObject({ baseURL: 'https://api.openai.com/v1' });
    expect(modelConnection({ DEEPSEEK_API_KEY: 'k' })).toMatchObject({ model: 'deepseek-chat' });
    expect(
      modelConnection({
        CHATLOOP_BASE_URL: 'http://localhost:11434/v1',
        CHATLOOP_API_KEY: 'k',
        CHATLOOP_MODEL: 'qwen3',
      }),
    ).toMatchObject({ baseURL: 'http://localhost:11434/v1', model: 'qwen3' });
  });
});
