import { Agent } from '@chatloop/agent';
import type { ChatClient } from '@chatloop/core';
import { type ScriptedModel, scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { z } from 'zod';

/** Conditions the example's weather tool knows (a real service would call a weather API). */
export const FORECASTS: Record<string, { sky: string; highC: number }> = {
  paris: { sky: 'light rain', highC: 11 },
  lisbon: { sky: 'sunny', highC: 19 },
  oslo: { sky: 'snow showers', highC: -2 },
};

/** An agent with one tool, `get_forecast`, on the given client. */
export function createWeatherAgent(client: ChatClient, model: string): Agent {
  const getForecast = defineTool({
    name: 'get_forecast',
    description: "Tomorrow's forecast for a city.",
    parameters: z.object({ city: z.string() }),
    execute: ({ city }) => FORECASTS[city.toLowerCase()] ?? { error: `No forecast for ${city}.` },
  });
  return new Agent({
    name: 'forecaster',
    client,
    model,
    instructions: 'You answer questions about the weather with the get_forecast tool. One or two sentences.',
    tools: [getForecast],
  });
}

/**
 * The offline model: asks for the forecast of the city the question names (Paris, Lisbon or Oslo), then
 * answers from the tool result, streamed word by word.
 */
export function scriptedWeatherModel(): ScriptedModel {
  return scriptedModel([
    (request) => {
      const last = request.messages.at(-1);
      if (last?.role === 'tool' && typeof last.content === 'string') {
        const forecast = JSON.parse(last.content) as { sky?: string; highC?: number; error?: string };
        if (forecast.error !== undefined) return { content: `Sorry: ${forecast.error}` };
        return {
          content: `Tomorrow brings ${forecast.sky} with a high of ${forecast.highC} °C. Dress accordingly!`,
        };
      }
      const question = typeof last?.content === 'string' ? last.content : '';
      const city = Object.keys(FORECASTS).find((name) => question.toLowerCase().includes(name));
      if (city === undefined) return { content: 'Which city? I know Paris, Lisbon and Oslo.' };
      return {
        toolCalls: [{ name: 'get_forecast', arguments: { city: city[0]!.toUpperCase() + city.slice(1) } }],
      };
    },
  ]);
}
