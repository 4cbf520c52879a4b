import { startExample } from './start-example.js';

// `pnpm start`: open the printed URL and ask; Ctrl-C stops the service.
const app = await startExample({ port: Number(process.env.PORT ?? 8787) });
process.stdout.write(
  `agent service on ${app.url} (offline: scripted model on the chatloop testing server)\n`,
);
process.once('SIGINT', () => {
  void app.close().then(() => process.stdout.write('closed\n'));
});
