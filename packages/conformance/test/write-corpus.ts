import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One case to write into a temporary corpus folder. */
export interface CaseFiles {
  kind: 'stream' | 'plain' | 'error';
  body: string;
  expected: unknown;
  status?: number;
  headers?: Record<string, string>;
}

/** Writes a corpus (manifest + cases) into a fresh temporary folder and returns its path. */
export async function writeCorpus(cases: Record<string, CaseFiles>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chatloop-conformance-'));
  const manifest: Record<string, unknown> = {};
  for (const [id, files] of Object.entries(cases)) {
    manifest[id] = { provider: 'test', kind: files.kind };
    const caseDir = join(dir, 'cases', id);
    await mkdir(caseDir, { recursive: true });
    await writeFile(join(caseDir, files.kind === 'stream' ? 'response.sse' : 'response.json'), files.body);
    await writeFile(join(caseDir, 'expected.json'), JSON.stringify(files.expected));
    if (files.status !== undefined) await writeFile(join(caseDir, 'status.txt'), `${files.status}\n`);
    if (files.headers !== undefined)
      await writeFile(join(caseDir, 'headers.json'), JSON.stringify(files.headers));
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };

/** A small stream with multi-byte text, a finish_reason and a usage chunk, and its expected.json. */
export function sampleStream(): { body: string; expected: unknown } {
  const usage = { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 };
  const chunks = [
    {
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: 'Grüße ' }, finish_reason: null }],
    },
    { ...base, choices: [{ index: 0, delta: { content: '🌍 世界' }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { ...base, choices: [], usage },
  ];
  return {
    body: `${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`,
    expected: {
      content: 'Grüße 🌍 世界',
      refusal: null,
      reasoning_content: null,
      tool_calls: [],
      finish_reason: 'stop',
      usage,
    },
  };
}

/** A plain answer with a tool call, and its expected.json. */
export function samplePlain(): { body: string; expected: unknown } {
  const toolCall = { id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } };
  const body = {
    id: 'c2',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, tool_calls: [toolCall] },
        finish_reason: 'tool_calls',
      },
    ],
  };
  return {
    body: JSON.stringify(body),
    expected: {
      content: null,
      refusal: null,
      reasoning_content: null,
      tool_calls: [toolCall],
      finish_reason: 'tool_calls',
      usage: null,
    },
  };
}

/** An error body and its expected.json. */
export function sampleError(): { body: string; expected: unknown; status: number } {
  const error = {
    message: "Unsupported parameter: 'max_tokens'",
    type: 'invalid_request_error',
    param: 'max_tokens',
    code: 'unsupported_parameter',
  };
  return { body: JSON.stringify({ error }), expected: { status: 400, error }, status: 400 };
}
