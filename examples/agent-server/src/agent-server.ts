import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from '@chatloop/agent';
import { PAGE_HTML } from './page.js';

/** A running agent service: its URL and `close()`. */
export interface AgentServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the page at `/` and runs the agent for `GET /events?q=<question>`, forwarding every agent
 * event as one SSE event (`event: <type>`, `data: <json>`). A client that disconnects aborts its run.
 */
export async function startAgentServer(agent: Agent, options: { port?: number } = {}): Promise<AgentServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(PAGE_HTML);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/events') {
      void streamRun(agent, url.searchParams.get('q') ?? '', response);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function streamRun(agent: Agent, question: string, response: ServerResponse): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const stream = agent.stream(question);
  response.on('close', () => stream.abort());
  // Events are plain data without the API key, so they can go to the browser as they are.
  for await (const event of stream) {
    if (response.destroyed) break;
    response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
  await stream.result;
  response.end();
}
