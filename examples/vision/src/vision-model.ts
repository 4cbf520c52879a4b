import type { ChatCompletionRequest } from '@chatloop/protocol';
import { type ScriptedModel, type ScriptedTurn, scriptedModel } from '@chatloop/testing';
import { decodeTwoColorPng, toHex } from './png.js';

/**
 * A scripted "vision" model: it looks at the image_url parts of the last user message (data URLs of
 * PNGs) by decoding them, and answers the swatch schema as JSON (or as the forced tool call).
 */
export function visionModel(): ScriptedModel {
  return scriptedModel([(request) => answer(request)]);
}

function answer(request: ChatCompletionRequest): ScriptedTurn {
  const last = request.messages.at(-1);
  const parts = last?.role === 'user' && Array.isArray(last.content) ? last.content : [];
  const urls = parts.flatMap((part) => (part.type === 'image_url' ? [part.image_url.url] : []));
  const swatches = urls.map((url) => {
    const base64 = /^data:image\/png;base64,(.+)$/.exec(url)?.[1];
    if (base64 === undefined) return { width: 0, height: 0, leftColor: 'unknown', rightColor: 'unknown' };
    const image = decodeTwoColorPng(Buffer.from(base64, 'base64'));
    return {
      width: image.width,
      height: image.height,
      leftColor: toHex(image.left),
      rightColor: toHex(image.right),
    };
  });
  const json = JSON.stringify({ images: swatches });
  const tool = request.tools?.[0];
  if (tool !== undefined && request.tool_choice !== undefined && request.tool_choice !== 'none') {
    return { toolCalls: [{ name: tool.function.name, arguments: json }] };
  }
  return { content: json };
}
