/**
 * Benchmark (not a test): chunks/s of decodeChatCompletionStream + ChunkAccumulator over a 1,000-chunk
 * stream, against a minimal baseline that splits on newlines and JSON.parses each `data:` line.
 * Rounds interleave candidate and baseline; medians are printed, per second of wall-clock time and per
 * second of this process's CPU time (the second stays meaningful on a machine other processes load).
 * Run: `pnpm --filter @chatloop/protocol bench`.
 */
import { ChunkAccumulator, decodeChatCompletionStream } from '@chatloop/protocol';

const CHUNKS = 1_000;
const ROUNDS = 15;
const REPEATS_PER_ROUND = 20;

function buildBody(): string {
  const base =
    '{"id":"chatcmpl-BENCH1234567890","object":"chat.completion.chunk","created":1767225600,"model":"gpt-5.5-2026-04-23","service_tier":"default","system_fingerprint":"fp_0123456789"';
  const words = [
    'Hello',
    ' world',
    ',',
    ' this',
    ' is',
    ' a',
    ' stream',
    ' of',
    ' tokens',
    ' — ',
    'ünï',
    'cödé',
    ' 🌍',
    '.',
  ];
  let body = `data: ${base},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"obfuscation":"abc"}\n\n`;
  for (let i = 1; i < CHUNKS - 1; i++) {
    const content = JSON.stringify(words[i % words.length]);
    body += `data: ${base},"choices":[{"index":0,"delta":{"content":${content}},"logprobs":null,"finish_reason":null}],"obfuscation":"abcd"}\n\n`;
  }
  body += `data: ${base},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":998,"total_tokens":1008}}\n\n`;
  return `${body}data: [DONE]\n\n`;
}

/** The body as the network delivers it: one piece per event (a server flushing every token). */
function piecesPerEvent(body: string): Uint8Array[] {
  const encoder = new TextEncoder();
  return body
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => encoder.encode(`${event}\n\n`));
}

/** The body in 16 KiB pieces (a busy connection delivering many events per read). */
function piecesBySize(body: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(body);
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

async function* serve(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield piece;
}

async function candidate(pieces: readonly Uint8Array[]): Promise<number> {
  const accumulator = new ChunkAccumulator();
  let count = 0;
  for await (const _chunk of decodeChatCompletionStream(serve(pieces), { accumulator })) count++;
  const text = accumulator.toCompletion().choices[0]?.message.content ?? '';
  return count + (text.length > 0 ? 0 : Number.NaN);
}

/** The minimal loop: decode, split on newlines, JSON.parse each data line, append content. */
async function baseline(pieces: readonly Uint8Array[]): Promise<number> {
  const decoder = new TextDecoder();
  let buffer = '';
  let content = '';
  let count = 0;
  for await (const piece of serve(pieces)) {
    buffer += decoder.decode(piece, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      if (data === '[DONE]') return count + (content.length > 0 ? 0 : Number.NaN);
      const chunk = JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> };
      content += chunk.choices[0]?.delta.content ?? '';
      count++;
    }
  }
  return count;
}

interface Rate {
  /** Chunks per second of wall-clock time. */
  wall: number;
  /** Chunks per second of this process's CPU time (user + system): robust when other processes load the machine. */
  cpu: number;
}

async function chunksPerSecond(
  run: (pieces: readonly Uint8Array[]) => Promise<number>,
  pieces: readonly Uint8Array[],
): Promise<Rate> {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let chunks = 0;
  for (let i = 0; i < REPEATS_PER_ROUND; i++) chunks += await run(pieces);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  if (chunks !== CHUNKS * REPEATS_PER_ROUND)
    throw new Error(`expected ${CHUNKS * REPEATS_PER_ROUND} chunks, got ${chunks}`);
  return { wall: chunks / seconds, cpu: chunks / ((cpu.user + cpu.system) / 1e6) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function compare(label: string, pieces: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await candidate(pieces);
    await baseline(pieces);
  }
  const ours: Rate[] = [];
  const theirs: Rate[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which runs first, so neither always gets the warmer cache or the GC debt.
    if (round % 2 === 0) {
      ours.push(await chunksPerSecond(candidate, pieces));
      theirs.push(await chunksPerSecond(baseline, pieces));
    } else {
      theirs.push(await chunksPerSecond(baseline, pieces));
      ours.push(await chunksPerSecond(candidate, pieces));
    }
  }
  const format = (value: number) => `${Math.round(value).toLocaleString('en-US')} chunks/s`.padStart(18);
  console.log(label);
  console.log(`                                                   wall clock        CPU time`);
  for (const [name, rates] of [
    ['decodeChatCompletionStream + ChunkAccumulator', ours],
    ['baseline split-on-newline + JSON.parse       ', theirs],
  ] as const) {
    console.log(
      `  ${name}  ${format(median(rates.map((r) => r.wall)))}  ${format(median(rates.map((r) => r.cpu)))}`,
    );
  }
  const wallRatio = median(ours.map((r) => r.wall)) / median(theirs.map((r) => r.wall));
  const cpuRatio = median(ours.map((r) => r.cpu)) / median(theirs.map((r) => r.cpu));
  console.log(
    `  ratio to the baseline (target >= 0.80): wall ${wallRatio.toFixed(2)}, CPU ${cpuRatio.toFixed(2)} (medians of ${ROUNDS} interleaved rounds)`,
  );
}

const body = buildBody();
console.log(
  `@chatloop/protocol stream assembly: ${CHUNKS}-chunk stream, ${Buffer.byteLength(body)} bytes, Node ${process.version}`,
);
await compare('one piece per event (a server flushing every token)', piecesPerEvent(body));
await compare('16 KiB pieces (many events per read)', piecesBySize(body, 16 * 1024));
