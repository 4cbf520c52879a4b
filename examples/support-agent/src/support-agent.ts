import { createInterface } from 'node:readline/promises';
import { Agent, type ApprovalDecision, type PendingToolCall, type RunResult } from '@chatloop/agent';
import { createClient } from '@chatloop/core';
import { startServer, type TestServer } from '@chatloop/testing';
import { modelConnection } from './model-connection.js';
import { scriptedSupportModel } from './scripted-support-model.js';
import { type ShopApi, startShopApi } from './shop-api.js';
import { createSupportTools } from './support-tools.js';
import { describeCall, formatUSD, TracePrinter } from './trace-printer.js';

/** What the customer writes, unless the command line gives another message. */
export const DEFAULT_CUSTOMER_MESSAGE =
  'Hi, my order A-1042 was supposed to arrive last week and it never came. Can you help?';

/** The support agent's instructions. */
export const SUPPORT_INSTRUCTIONS = [
  'You are the support desk of an online electronics shop. Be brief and warm.',
  'Use get_order to look up the order the customer names, then track_shipment with its tracking number.',
  'If the carrier lost the parcel, propose a full refund with issue_refund (a human approves it).',
  'Answer from what the tools returned; never invent order data.',
].join(' ');

/** Options of {@link runSupportAgent}: the process's world, injectable for tests. */
export interface SupportAgentOptions {
  /** Command-line arguments after the script: `--yes` auto-approves; other words are the customer's message. */
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Where an approval is answered when it is a TTY. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the prompt is echoed. */
  output: NodeJS.WritableStream;
  /** Receives each trace line. */
  write: (line: string) => void;
  /** Clock for the run's total time, in ms. Default `performance.now`. */
  now?: () => number;
}

/**
 * Runs the flagship example: starts the shop's REST API on 127.0.0.1, the model (the chatloop testing
 * server with a scripted support model, or a real provider from the environment), one agent run with
 * the refund waiting for approval, and prints the trace. Closes everything it started.
 *
 * @returns the process exit code: 0 when the agent answered, 1 otherwise.
 */
export async function runSupportAgent(options: SupportAgentOptions): Promise<number> {
  const now = options.now ?? (() => performance.now());
  const printer = new TracePrinter(options.write);
  const autoApprove = options.args.includes('--yes');
  const message =
    options.args.filter((arg) => arg !== '--yes' && arg !== '--').join(' ') || DEFAULT_CUSTOMER_MESSAGE;
  const connection = modelConnection(options.env);

  let shop: ShopApi | undefined;
  let modelServer: TestServer | undefined;
  const started = now();
  try {
    shop = await startShopApi();
    let baseURL: string;
    let apiKey: string;
    if (connection.kind === 'offline') {
      modelServer = await startServer({ models: { [connection.model]: scriptedSupportModel() } });
      baseURL = modelServer.url;
      apiKey = 'offline';
      printer.line(
        `chatloop support agent · offline: scripted ${connection.model} on the chatloop testing server`,
      );
      printer.line(
        `  (set OPENAI_API_KEY, DEEPSEEK_API_KEY or CHATLOOP_BASE_URL + CHATLOOP_API_KEY for a real model)`,
      );
    } else {
      baseURL = connection.baseURL;
      apiKey = connection.apiKey;
      printer.line(`chatloop support agent · ${connection.label}: ${connection.model}`);
    }
    printer.line(`model API: ${baseURL} · shop API: ${shop.url}`);
    printer.line();
    printer.line(`customer: ${message}`);
    printer.line();

    const client = createClient({ baseURL, apiKey });
    try {
      const agent = new Agent({
        name: 'support',
        client,
        model: connection.model,
        instructions: SUPPORT_INSTRUCTIONS,
        tools: createSupportTools({ apiURL: shop.url }),
        maxSteps: 8,
      });
      let result: RunResult = await agent.run(message, { onEvent: printer.onEvent });
      for (let round = 0; result.endReason === 'interrupted' && round < 5; round++) {
        const waiting = result.steps.at(-1);
        if (waiting !== undefined) printer.step(waiting);
        for (const call of result.pendingApprovals) {
          if (call.needsApproval) printer.line(`  ⏸ ${describeCall(call)} waits for approval`);
        }
        const decisions = await decide(result.pendingApprovals, autoApprove, options, printer);
        result = await agent.resume(result.state, decisions, { onEvent: printer.onEvent });
      }
      printer.line();
      if (result.text !== '') printer.line(`answer: ${result.text}`);
      const usage = result.usage;
      const cost = usage.unpricedRequests > 0 ? 'cost n/a (unpriced model)' : formatUSD(usage.costUSD);
      printer.line(
        `done: ${result.endReason} · ${result.steps.length} steps · ${usage.totalTokens} tokens ` +
          `(${usage.promptTokens} in, ${usage.completionTokens} out) · ${cost} · ${Math.round(now() - started)} ms`,
      );
      if (result.error !== undefined) printer.line(`error: ${result.error.code}: ${result.error.message}`);
      if (shop.refunds.length > 0)
        printer.line(`refunds issued: ${shop.refunds.map((r) => r.refundId).join(', ')}`);
      return result.endReason === 'stop' ? 0 : 1;
    } finally {
      await client.close();
    }
  } finally {
    await modelServer?.close();
    await shop?.close();
  }
}

async function decide(
  pending: readonly PendingToolCall[],
  autoApprove: boolean,
  options: SupportAgentOptions,
  printer: TracePrinter,
): Promise<ApprovalDecision[]> {
  const decisions: ApprovalDecision[] = [];
  for (const call of pending.filter((candidate) => candidate.needsApproval)) {
    if (autoApprove || options.input.isTTY !== true) {
      const why = autoApprove ? '--yes' : 'stdin is not a TTY';
      printer.line(`  ✔ approved automatically (${why})`);
      decisions.push({ toolCallId: call.toolCallId, approved: true });
      continue;
    }
    const prompt = createInterface({ input: options.input, output: options.output });
    try {
      const answer = await prompt.question(`  approve ${describeCall(call)}? [y/N] `);
      const approved = /^y(es)?$/i.test(answer.trim());
      printer.line(approved ? '  ✔ approved at the prompt' : '  ✘ denied at the prompt');
      decisions.push(
        approved
          ? { toolCallId: call.toolCallId, approved: true }
          : { toolCallId: call.toolCallId, approved: false, message: 'A support lead declined this refund.' },
      );
    } finally {
      prompt.close();
    }
  }
  return decisions;
}
