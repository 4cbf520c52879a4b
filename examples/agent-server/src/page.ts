/** The web page: a question box; the answer streams in from `/events` (SSE) as the agent runs. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>chatloop agent over SSE</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
  #answer { min-height: 3rem; padding: .75rem; border: 1px solid #ccc; border-radius: 6px; white-space: pre-wrap; }
  #log { font: 13px/1.4 ui-monospace, monospace; color: #555; list-style: none; padding: 0; }
</style>
</head>
<body>
<h1>Ask the forecaster</h1>
<form id="ask">
  <input id="question" name="q" size="40" value="What will the weather be in Lisbon tomorrow?">
  <button id="send" type="submit">Ask</button>
</form>
<p>Status: <span id="status">idle</span></p>
<div id="answer"></div>
<ul id="log"></ul>
<script>
const form = document.getElementById('ask');
const answer = document.getElementById('answer');
const status = document.getElementById('status');
const log = document.getElementById('log');
function note(text) { const li = document.createElement('li'); li.textContent = text; log.append(li); }
form.addEventListener('submit', (event) => {
  event.preventDefault();
  answer.textContent = '';
  log.textContent = '';
  status.textContent = 'running';
  const source = new EventSource('/events?q=' + encodeURIComponent(document.getElementById('question').value));
  source.addEventListener('text_delta', (e) => { answer.textContent += JSON.parse(e.data).delta; });
  source.addEventListener('step_started', (e) => note('step ' + (JSON.parse(e.data).step + 1)));
  source.addEventListener('tool_call_started', (e) => note('tool call: ' + JSON.parse(e.data).name));
  source.addEventListener('tool_result', (e) => { const d = JSON.parse(e.data); note('tool result: ' + d.content); });
  source.addEventListener('run_finished', (e) => {
    const d = JSON.parse(e.data);
    note('finished: ' + d.endReason + ', ' + d.usage.totalTokens + ' tokens');
    status.textContent = d.endReason === 'stop' ? 'done' : d.endReason;
    source.close();
  });
  source.onerror = () => { if (status.textContent === 'running') status.textContent = 'connection lost'; source.close(); };
});
</script>
</body>
</html>
`;
