// Benchmark of @chatloop/models: tokens/s against the tokenizer packages used directly, and the cost of
// recounting a 1,000-message conversation after one new message. Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { countChatTokens, countTokens, createTokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { countTokens as gptTokenizerCount } from 'gpt-tokenizer/encoding/o200k_base';
import { getEncoding } from 'js-tiktoken';

const PARAGRAPHS = [
  'The agent loop sends the conversation, reads tool calls, runs the tools and sends their results back. ',
  'function retry(fn, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return fn(); } catch {}\n  }\n}\n',
  '我们将根据模型输入和输出的总 token 数进行计量计费。お誕生日おめでとう。',
  '{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}\n',
  'Emoji 😀👍🏽🇫🇷 and     whitespace\t\truns\n\n\n',
];

function corpus(chars: number): string[] {
  const texts: string[] = [];
  let total = 0;
  let i = 0;
  while (total < chars) {
    const text = `${i} ${PARAGRAPHS[i % PARAGRAPHS.length]!.repeat(1 + (i % 7))}`;
    texts.push(text);
    total += text.length;
    i += 1;
  }
  return texts;
}

function measure(label: string, texts: string[], count: (text: string) => number, rounds = 5) {
  let tokens = 0;
  for (const text of texts) tokens += count(text); // warm-up (JIT, merge caches)
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (const text of texts) count(text);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const perSecond = tokens / (median / 1000);
  console.log(
    `${label.padEnd(34)} ${(perSecond / 1e6).toFixed(2).padStart(6)} M tokens/s  (${tokens} tokens, median of ${rounds} in ${median.toFixed(1)} ms)`,
  );
  return perSecond;
}

console.log('# token counting throughput (o200k_base, ~1 MB of mixed text)\n');
const texts = corpus(1_000_000);
const tiktoken = getEncoding('o200k_base');
const direct = measure('gpt-tokenizer countTokens (direct)', texts, (text) => gptTokenizerCount(text));
const ours = measure('@chatloop/models countTokens', texts, (text) => countTokens(text, 'gpt-4o'));
const reference = measure(
  'js-tiktoken encode().length',
  texts.slice(0, Math.ceil(texts.length / 10)),
  (text) => tiktoken.encode(text, [], []).length,
  3,
);
console.log(`\nours / gpt-tokenizer: ${((ours / direct) * 100).toFixed(1)} % (target >= 95 %)`);
console.log(`ours / js-tiktoken:   ${(ours / reference).toFixed(1)}x`);

console.log('\n# recounting a 1,000-message conversation after one new message\n');
const history: ChatMessage[] = [{ role: 'system', content: 'You are a careful assistant.' }];
for (let i = 0; history.length < 1000; i++) {
  const text = PARAGRAPHS[i % PARAGRAPHS.length]!.repeat(1 + (i % 4));
  history.push(i % 2 === 0 ? { role: 'user', content: text } : { role: 'assistant', content: text });
}
const scratchTimes: number[] = [];
for (let r = 0; r < 5; r++) {
  const start = performance.now();
  createTokenCounter({ model: 'gpt-4o' }).countChat(history);
  scratchTimes.push(performance.now() - start);
}
scratchTimes.sort((a, b) => a - b);
const scratch = scratchTimes[2]!;
const counter = createTokenCounter({ model: 'gpt-4o' });
counter.countChat(history);
const rounds = 200;
const start = performance.now();
for (let r = 0; r < rounds; r++) {
  history.push({ role: 'user', content: `follow-up question number ${r}` });
  counter.countChat(history);
}
const incremental = (performance.now() - start) / rounds;
const check = counter.countChat(history).tokens === countChatTokens(history, { model: 'gpt-4o' });
console.log(`from scratch (1,000 messages): ${scratch.toFixed(2)} ms`);
console.log(`after one new message:         ${(incremental * 1000).toFixed(1)} µs (mean of ${rounds} turns)`);
console.log(
  `ratio: ${((incremental / scratch) * 100).toFixed(3)} % of from scratch (target < 1 %); counts equal: ${check}`,
);
