import { runLongConversation } from './long-conversation.js';

// `pnpm start [turns]`: a 300-turn conversation in a 2,048-token window, offline.
const turns = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 300);
const report = await runLongConversation({ turns, write: (line) => process.stdout.write(`${line}\n`) });
process.exitCode = report.finalAnswer.includes('Ada') ? 0 : 1;
