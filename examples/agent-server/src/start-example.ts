import { createClient } from '@chatloop/core';
import { startServer } from '@chatloop/testing';
import { type AgentServer, startAgentServer } from './agent-server.js';
import { createWeatherAgent, scriptedWeatherModel } from './weather-agent.js';

/** The offline example: the testing server with the scripted model, and the agent service on it. */
export async function startExample(options: { port?: number } = {}): Promise<AgentServer> {
  const model = 'gpt-4o-mini';
  const modelServer = await startServer({ models: { [model]: scriptedWeatherModel() } });
  const client = createClient({ baseURL: modelServer.url, apiKey: 'offline' });
  const app = await startAgentServer(createWeatherAgent(client, model), options);
  return {
    url: app.url,
    close: async () => {
      await app.close();
      await client.close();
      await modelServer.close();
    },
  };
}
