// End-to-end streaming: the official @anthropic-ai/sdk's messages.stream() (and raw fetch) against the real
// switchyard binary (env SWITCHYARD_BIN) in front of a scripted OpenAI-compatible upstream that streams
// chat.completion.chunk events with delays, errors, truncation and aborts. Each test checks what the SDK got AND
// what the upstream received.
//
// Run: SWITCHYARD_BIN=build/bin/switchyard node tests/e2e/streaming.test.mjs   (after npm ci in tests/e2e)
//
// Timing: the machine may be a loaded 2-core CI runner, so tests compare the order of timestamps (all taken with
// performance.now() in this one process) and use generous timeouts, never tight durations.

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import {
  Anthropic,
  CLIENT_KEY,
  assertChatCompletionsRequest,
  makeClient,
  onlyCompletionRequest,
  parseSse,
} from './lib/sdk.mjs';
import { startProxy, UPSTREAM_KEY } from './lib/proxy.mjs';
import { chatCompletion, chunk, openAIError, sse, startScriptedUpstream, textOf, textStream, usage } from './lib/scripted-upstream.mjs';

const MODEL = 'claude-sonnet-4-5';
const TEST_TIMEOUT = { timeout: 60_000 };

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
};
const TIME_TOOL = {
  name: 'get_time',
  description: 'Get the current time in a time zone.',
  input_schema: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
};
const COMMAND_TOOL = {
  name: 'run_command',
  description: 'Run a shell command.',
  input_schema: {
    type: 'object',
    properties: {
      command: { type: 'string' },
      timeout: { type: 'integer' },
      options: { type: 'object' },
      tags: { type: 'array', items: { type: 'string' } },
    },
    required: ['command'],
  },
};

/** Splits text into pieces of `size` characters (the last may be shorter). */
function pieces(text, size) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The chunk that opens tool call `index` (id and name only in the first fragment, as OpenAI sends them). */
function toolCallStart(index, id, name) {
  return chunk({ delta: { tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] } });
}

/** A later fragment of tool call `index`: arguments only. */
function toolCallArguments(index, fragment) {
  return chunk({ delta: { tool_calls: [{ index, function: { arguments: fragment } }] } });
}

/**
 * Runs client.messages.stream(params) to the end and collects what the SDK saw: every 'text' event with its
 * arrival time, every stream event type, 'inputJson' and 'thinking' deltas, and the final message or the error
 * finalMessage() rejected with. `onText(delta, stream)` runs on each text event (e.g. to abort).
 */
async function runStream(client, params, { onText } = {}) {
  const stream = client.messages.stream(params);
  const seen = { stream, texts: [], eventTypes: [], events: [], inputJson: [], thinking: [], final: null, error: null };
  stream.on('text', (delta) => {
    seen.texts.push({ delta, at: performance.now() });
    onText?.(delta, stream);
  });
  stream.on('streamEvent', (event) => {
    seen.eventTypes.push(event.type);
    seen.events.push(event);
  });
  stream.on('inputJson', (partial) => seen.inputJson.push(partial));
  stream.on('thinking', (delta) => seen.thinking.push(delta));
  try {
    seen.final = await stream.finalMessage();
  } catch (error) {
    seen.error = error;
  }
  seen.text = seen.texts.map((t) => t.delta).join('');
  return seen;
}

/** Asserts the stream completed; returns the final message. */
function assertCompleted(seen) {
  assert.equal(seen.error, null, `the stream failed: ${seen.error?.stack ?? seen.error}`);
  assert.ok(seen.final, 'no final message');
  assert.equal(seen.eventTypes[0], 'message_start');
  assert.equal(seen.eventTypes.at(-1), 'message_stop');
  assert.equal(seen.eventTypes.filter((t) => t === 'message_delta').length, 1, `events: ${seen.eventTypes.join(' ')}`);
  return seen.final;
}

/** Asserts the stream failed (finalMessage() rejected) without ever reaching message_stop; returns the error. */
function assertFailed(seen) {
  assert.ok(seen.error, `the stream did not fail; final message: ${JSON.stringify(seen.final)}`);
  assert.ok(!seen.eventTypes.includes('message_stop'), `a failed stream must not end with message_stop: ${seen.eventTypes.join(' ')}`);
  return seen.error;
}

/** Asserts an SDK error came from an Anthropic `event: error` in the stream (not a transport failure). */
function assertStreamErrorEvent(error) {
  assert.ok(error instanceof Anthropic.APIError,
    `expected an APIError from an "event: error", got ${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.error?.type, 'error', `error event body: ${JSON.stringify(error.error)}`);
  assert.equal(typeof error.error?.error?.type, 'string', `error event body: ${JSON.stringify(error.error)}`);
  assert.equal(typeof error.error?.error?.message, 'string', `error event body: ${JSON.stringify(error.error)}`);
}

describe('switchyard e2e streaming: @anthropic-ai/sdk messages.stream() -> switchyard -> scripted SSE upstream', () => {
  let upstream;
  let proxy;
  let client;

  before(async () => {
    upstream = await startScriptedUpstream();
    proxy = await startProxy({ upstreamUrl: upstream.baseUrl });
    client = makeClient(proxy);
  });

  after(async () => {
    await proxy?.stop();
    await upstream?.close();
  });

  beforeEach(() => upstream?.reset());

  it('1. text streams incrementally: text events, finalMessage, usage, end_turn', TEST_TIMEOUT, async () => {
    const parts = ['The ', 'quick ', 'brown ', 'fox ', 'jumps.'];
    // role chunk, 5 text chunks, finish_reason chunk, usage chunk (choices: []), each 150 ms after the previous.
    upstream.enqueue(textStream(parts, { delayMs: 150, usage: usage(31, 7) }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 256,
      system: 'You are a fox.',
      messages: [{ role: 'user', content: 'Say the sentence.' }],
    });

    const message = assertCompleted(seen);
    assert.equal(seen.text, parts.join(''), 'text events concatenate to the upstream text');
    assert.equal(message.content.length, 1, JSON.stringify(message.content));
    assert.equal(message.content[0].type, 'text');
    assert.equal(message.content[0].text, parts.join(''));
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 7, 'output_tokens from the trailing usage chunk');
    assert.match(message.id, /^msg_/);
    assert.equal(message.model, MODEL);

    const request = onlyCompletionRequest(upstream);
    assertChatCompletionsRequest(request, { stream: true });
    assert.equal(request.body.messages[0].role, 'system');
    assert.equal(textOf(request.body.messages[0].content), 'You are a fox.');
    assert.equal(request.body.max_tokens, 256);

    // Incremental, not buffered: the first text reached the SDK while the upstream was still writing (its script
    // runs ~1.2 s: 8 events 150 ms apart). Timestamps are ordered, no duration is assumed.
    assert.ok(seen.texts.length >= 2, `expected several text events, got ${seen.texts.length}`);
    await upstream.waitFor(() => request.finishedAt !== null, { what: 'the upstream script to finish' });
    assert.ok(seen.texts[0].at < request.finishedAt,
      `first text at ${seen.texts[0].at.toFixed(0)} ms, upstream script finished at ${request.finishedAt.toFixed(0)} ms`);
  });

  it('2. a tool call whose arguments arrive in many fragments -> complete tool_use input, stop_reason tool_use', TEST_TIMEOUT, async () => {
    const input = { command: 'ls -la /var/log', timeout: 30, options: { recursive: false, pattern: '*.log' }, tags: ['ops', 'ünïcødé'] };
    const fragments = pieces(JSON.stringify(input), 4);
    assert.ok(fragments.length > 20);
    upstream.enqueue(sse([
      chunk({ delta: { role: 'assistant', content: '' } }),
      chunk({ delta: { content: 'Let me look.' } }),
      toolCallStart(0, 'call_frag_1', 'run_command'),
      ...fragments.map((fragment) => toolCallArguments(0, fragment)),
      chunk({ delta: {}, finishReason: 'tool_calls' }),
      chunk({ choices: [], usage: usage(90, 40) }),
    ], { delayMs: 5 }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 512,
      tools: [COMMAND_TOOL],
      messages: [{ role: 'user', content: 'List the logs.' }],
    });

    const message = assertCompleted(seen);
    assert.equal(message.stop_reason, 'tool_use');
    assert.deepEqual(message.content.map((block) => block.type), ['text', 'tool_use'], JSON.stringify(message.content));
    assert.equal(message.content[0].text, 'Let me look.');
    const toolUse = message.content[1];
    assert.equal(toolUse.id, 'call_frag_1');
    assert.equal(toolUse.name, 'run_command');
    assert.deepEqual(toolUse.input, input, 'the streamed fragments add up to the full input object');
    assert.ok(seen.inputJson.length >= 2, `input_json_delta should stream, got ${seen.inputJson.length} delta(s)`);
    assert.deepEqual(JSON.parse(seen.inputJson.join('')), input, 'the partial_json deltas concatenate to the input');

    const request = onlyCompletionRequest(upstream);
    assertChatCompletionsRequest(request, { stream: true });
    assert.deepEqual(request.body.tools, [{
      type: 'function',
      function: { name: COMMAND_TOOL.name, description: COMMAND_TOOL.description, parameters: COMMAND_TOOL.input_schema },
    }]);
  });

  it('3. two parallel tool calls interleaved by index -> two complete tool_use blocks', TEST_TIMEOUT, async () => {
    const weather = { city: 'Reykjavík', unit: 'celsius' };
    const time = { timezone: 'Atlantic/Reykjavik' };
    const weatherFragments = pieces(JSON.stringify(weather), 3);
    const timeFragments = pieces(JSON.stringify(time), 3);
    const interleaved = [];
    for (let i = 0; i < Math.max(weatherFragments.length, timeFragments.length); i++) {
      if (i < weatherFragments.length) interleaved.push(toolCallArguments(0, weatherFragments[i]));
      if (i < timeFragments.length) interleaved.push(toolCallArguments(1, timeFragments[i]));
    }
    upstream.enqueue(sse([
      chunk({ delta: { role: 'assistant', content: null } }),
      toolCallStart(0, 'call_weather', 'get_weather'),
      toolCallStart(1, 'call_time', 'get_time'),
      ...interleaved,
      chunk({ delta: {}, finishReason: 'tool_calls' }),
      chunk({ choices: [], usage: usage(120, 60) }),
    ], { delayMs: 5 }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 512,
      tools: [WEATHER_TOOL, TIME_TOOL],
      messages: [{ role: 'user', content: 'Weather and time in Reykjavík?' }],
    });

    const message = assertCompleted(seen);
    assert.equal(message.stop_reason, 'tool_use');
    const toolUses = message.content.filter((block) => block.type === 'tool_use');
    assert.equal(toolUses.length, 2, JSON.stringify(message.content));
    assert.deepEqual(toolUses.map(({ id, name, input }) => ({ id, name, input })), [
      { id: 'call_weather', name: 'get_weather', input: weather },
      { id: 'call_time', name: 'get_time', input: time },
    ]);
    // Blocks are announced in content order, each with its own index, never reused.
    const starts = seen.events.filter((event) => event.type === 'content_block_start').map((event) => event.index);
    assert.deepEqual(starts, message.content.map((_, index) => index));

    const request = onlyCompletionRequest(upstream);
    assertChatCompletionsRequest(request, { stream: true });
    assert.deepEqual(request.body.tools.map((tool) => tool.function.name), ['get_weather', 'get_time']);
  });

  it('4. reasoning_content streams as a thinking block with a signature, then text; thinking -> reasoning_effort', TEST_TIMEOUT, async () => {
    const reasoning = ['Let me think', ' about this', ' carefully.'];
    const answer = ['The answer', ' is 42.'];
    upstream.enqueue(sse([
      chunk({ delta: { role: 'assistant', content: '' } }),
      ...reasoning.map((text) => chunk({ delta: { reasoning_content: text } })),
      ...answer.map((text) => chunk({ delta: { content: text } })),
      chunk({ delta: {}, finishReason: 'stop' }),
      chunk({ choices: [], usage: usage(40, 25) }),
    ], { delayMs: 10 }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'What is six times seven?' }],
    });

    const message = assertCompleted(seen);
    assert.deepEqual(message.content.map((block) => block.type), ['thinking', 'text'], JSON.stringify(message.content));
    const [thinking, text] = message.content;
    assert.equal(thinking.thinking, reasoning.join(''));
    assert.equal(typeof thinking.signature, 'string');
    assert.ok(thinking.signature.length > 0, 'a thinking block needs a non-empty signature');
    assert.equal(text.text, answer.join(''));
    assert.equal(seen.thinking.join(''), reasoning.join(''), "the SDK's thinking events");
    assert.equal(seen.text, answer.join(''));
    assert.equal(message.stop_reason, 'end_turn');

    const request = onlyCompletionRequest(upstream);
    assertChatCompletionsRequest(request, { stream: true });
    // docs/mapping-request.md: budget_tokens < 4096 -> "low".
    assert.equal(request.body.reasoning_effort, 'low', `upstream body: ${request.rawBody}`);
  });

  it('5. the final message carries the upstream usage: input from prompt_tokens, output from completion_tokens', TEST_TIMEOUT, async () => {
    upstream.enqueue(textStream(['Counted.'], { delayMs: 5, usage: usage(1234, 56) }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Count my tokens.' }],
    });

    const message = assertCompleted(seen);
    assert.equal(message.usage.input_tokens, 1234);
    assert.equal(message.usage.output_tokens, 56);
    // message_start comes before the upstream has said anything about usage: it must still hold a usable estimate.
    const start = seen.events.find((event) => event.type === 'message_start');
    assert.ok(start.message.usage.input_tokens > 0, `message_start usage: ${JSON.stringify(start.message.usage)}`);
    assertChatCompletionsRequest(onlyCompletionRequest(upstream), { stream: true });
  });

  it('6. POST /v1/messages/stream without stream:true streams well-formed SSE (raw fetch)', TEST_TIMEOUT, async () => {
    upstream.enqueue(textStream(['Raw ', 'SSE.'], { delayMs: 5, usage: usage(9, 2) }));

    const response = await fetch(`${proxy.url}/v1/messages/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Stream anyway.' }] }),
    });
    const body = await response.text();
    assert.equal(response.status, 200, body);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(response.headers.get('request-id') ?? '', /^req_/);

    const events = parseSse(body);
    assert.ok(events.length >= 5, body);
    assert.equal(events[0].event, 'message_start');
    assert.equal(events.at(-1).event, 'message_stop');
    for (const { event, data } of events) {
      const json = JSON.parse(data);
      assert.equal(json.type, event, `event name and JSON type differ: event: ${event} data: ${data}`);
    }
    const text = events
      .filter(({ event }) => event === 'content_block_delta')
      .map(({ data }) => JSON.parse(data).delta)
      .filter((delta) => delta.type === 'text_delta')
      .map((delta) => delta.text)
      .join('');
    assert.equal(text, 'Raw SSE.');
    assert.ok(!body.includes('[DONE]'), 'the upstream [DONE] must not be forwarded');

    const request = onlyCompletionRequest(upstream);
    assertChatCompletionsRequest(request, { stream: true });
  });

  it('7. an upstream error chunk mid-stream -> the SDK stream throws with the upstream message', TEST_TIMEOUT, async () => {
    const upstreamMessage = 'The model crashed while generating (e2e mid-stream failure)';
    upstream.enqueue(sse([
      chunk({ delta: { role: 'assistant', content: '' } }),
      chunk({ delta: { content: 'Partial ' } }),
      chunk({ delta: { content: 'answer' } }),
      { error: { message: upstreamMessage, type: 'server_error', code: 'internal_error' } },
    ], { delayMs: 20, done: false }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Fail halfway.' }],
    });

    const error = assertFailed(seen);
    assertStreamErrorEvent(error);
    assert.ok(error.message.includes(upstreamMessage), `SDK error message: ${error.message}`);
    assert.ok(error.error.error.message.includes(upstreamMessage), JSON.stringify(error.error));
    assert.equal(seen.text, 'Partial answer', 'the text before the error was delivered');
    assertChatCompletionsRequest(onlyCompletionRequest(upstream), { stream: true });
  });

  it('8. a truncated upstream stream (socket destroyed, no finish_reason) -> the SDK throws', TEST_TIMEOUT, async () => {
    upstream.enqueue(sse([
      chunk({ delta: { role: 'assistant', content: '' } }),
      chunk({ delta: { content: 'Half a sen' } }),
      chunk({ delta: { content: 'tence' } }),
    ], { delayMs: 20, destroy: true }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Get cut off.' }],
    });

    const error = assertFailed(seen);
    assertStreamErrorEvent(error);
    assert.equal(seen.text, 'Half a sentence');
    assertChatCompletionsRequest(onlyCompletionRequest(upstream), { stream: true });
  });

  it('9. aborting the SDK stream aborts the upstream request at once', TEST_TIMEOUT, async () => {
    const slowParts = Array.from({ length: 40 }, (_, i) => `word${i} `);
    // ~10 s of upstream output if nobody stops it.
    upstream.enqueue(textStream(slowParts, { delayMs: 250 }));

    let abortedAt = null;
    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'Talk slowly.' }],
    }, {
      onText: (delta, stream) => {
        if (abortedAt !== null) return;
        abortedAt = performance.now();
        stream.abort();
      },
    });

    assert.ok(abortedAt !== null, 'no text event arrived before the stream ended');
    assert.ok(seen.error instanceof Anthropic.APIUserAbortError,
      `finalMessage() should reject with APIUserAbortError, got ${seen.error?.constructor?.name}: ${seen.error?.message}`);

    const request = upstream.requests[0];
    assert.ok(request, 'the upstream received no request');
    await upstream.waitFor(() => request.aborted, {
      timeoutMs: 10_000,
      what: `the upstream request to be closed after the client aborted\nproxy stderr:\n${proxy.stderr()}`,
    });
    const lag = request.abortedAt - abortedAt;
    // The brief says "within ~1 s"; 3 s leaves room for a loaded CI machine while still far below the ~10 s the
    // script would run, and the ordering checks below are the real proof.
    assert.ok(lag < 3_000, `the upstream saw the abort ${lag.toFixed(0)} ms after the client aborted`);
    assert.ok(request.finishedAt === null, 'the upstream script ran to its end: the abort did not propagate');
    assert.ok(request.eventsWritten < slowParts.length,
      `the upstream wrote ${request.eventsWritten} of ${slowParts.length + 3} events before the abort reached it`);
    assertChatCompletionsRequest(request, { stream: true });
  });

  it('10. an upstream 429 on a streaming request -> RateLimitError (HTTP status, not a 200 stream)', TEST_TIMEOUT, async () => {
    const upstreamMessage = 'Rate limit reached for requests per minute (e2e)';
    upstream.enqueue(openAIError(429, upstreamMessage, { type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': '3' } }));

    const seen = await runStream(client, {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Too many.' }],
    });

    assert.ok(seen.error instanceof Anthropic.RateLimitError,
      `expected RateLimitError, got ${seen.error?.constructor?.name}: ${seen.error?.message}`);
    assert.equal(seen.error.status, 429);
    assert.equal(seen.error.error?.error?.type, 'rate_limit_error');
    assert.ok(seen.error.message.includes(upstreamMessage), seen.error.message);
    assert.equal(seen.error.headers.get('retry-after'), '3');
    assert.match(seen.error.requestID ?? '', /^req_/);
    assert.deepEqual(seen.eventTypes, [], 'no stream events before an HTTP error');
    assertChatCompletionsRequest(onlyCompletionRequest(upstream), { stream: true });
  });

  it('11. the summary log under XDG_STATE_HOME has request/response lines and no keys or prompt text', TEST_TIMEOUT, async () => {
    // Markers that appear only in the request contents; none of them may be logged.
    const markers = {
      system: 'SYSTEM-MARKER-q7Zr',
      user: 'PROMPT-MARKER-k3Vx',
      toolResult: 'TOOL-RESULT-MARKER-w9Lp',
      assistant: 'HISTORY-MARKER-b2Nc',
      streamed: 'STREAM-PROMPT-MARKER-m5Ty',
    };
    const own = await startProxy({ upstreamUrl: upstream.baseUrl });
    try {
      const ownClient = makeClient(own);
      upstream.enqueue(
        chatCompletion({ content: 'Logged reply one.' }),
        textStream(['Logged ', 'reply two.'], { delayMs: 5 }),
        textStream(['Logged reply three.'], { delayMs: 5 }),
      );
      const nonStreamed = await ownClient.messages.create({
        model: MODEL,
        max_tokens: 50,
        system: `You log nothing. ${markers.system}`,
        messages: [{ role: 'user', content: `Secret question ${markers.user}` }],
      });
      assert.equal(nonStreamed.content[0].text, 'Logged reply one.');
      assertCompleted(await runStream(ownClient, {
        model: MODEL,
        max_tokens: 50,
        messages: [{ role: 'user', content: `Streamed secret ${markers.streamed}` }],
      }));
      assertCompleted(await runStream(ownClient, {
        model: MODEL,
        max_tokens: 50,
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: [
            { type: 'text', text: `Checking ${markers.assistant}` },
            { type: 'tool_use', id: 'toolu_log', name: 'get_weather', input: { city: 'Oslo' } },
          ] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_log', content: `Rainy ${markers.toolResult}` }] },
        ],
      }));
      assert.equal(upstream.completions.length, 3);
      // The markers really travelled (so their absence from the logs means something), with the upstream key.
      const sentUpstream = upstream.completions.map((request) => request.rawBody).join('\n');
      for (const [name, marker] of Object.entries(markers))
        assert.ok(sentUpstream.includes(marker), `the ${name} marker did not reach the upstream`);
      for (const request of upstream.completions) assertChatCompletionsRequest(request, { stream: request.body.stream === true });

      assert.equal(own.logFile, `${own.stateDir}/switchyard/switchyard.log`);
      // The log may be written asynchronously: wait until all three exchanges are in it.
      const lines = await waitForLogLines(own.logFile, (parsed) =>
        parsed.filter((line) => line.kind === 'request').length >= 3 && parsed.filter((line) => line.kind === 'response').length >= 3);
      const requestIds = new Set(lines.filter((line) => line.kind === 'request').map((line) => line.request_id));
      for (const line of lines.filter((l) => l.kind === 'response'))
        assert.ok(requestIds.has(line.request_id), `response line without its request line: ${JSON.stringify(line)}`);
      assert.ok(requestIds.has(nonStreamed._request_id),
        `the request id the SDK saw (${nonStreamed._request_id}) is not in the log: ${[...requestIds].join(', ')}`);

      const logText = readFileSync(own.logFile, 'utf8');
      const stderrText = own.stderr();
      for (const [where, text] of [['the summary log', logText], ['stderr', stderrText]]) {
        assert.ok(!text.includes(CLIENT_KEY), `${where} contains the client's API key`);
        assert.ok(!text.includes(UPSTREAM_KEY), `${where} contains the upstream key`);
        for (const [name, marker] of Object.entries(markers))
          assert.ok(!text.includes(marker), `${where} contains the ${name} prompt text (${marker})`);
      }
    } finally {
      await own.stop();
    }
  });
});

/** Polls a JSON-lines file until `ready(parsedLines)` holds; returns the parsed lines. */
async function waitForLogLines(file, ready, { timeoutMs = 10_000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let parsed = [];
  let text = '';
  for (;;) {
    if (existsSync(file)) {
      text = readFileSync(file, 'utf8');
      parsed = text.split('\n').filter((line) => line.trim()).map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          assert.fail(`a summary log line is not JSON: ${line}`);
        }
      });
      if (ready(parsed)) return parsed;
    }
    if (performance.now() > deadline)
      assert.fail(`${file} ${existsSync(file) ? `did not get the expected lines:\n${text}` : 'does not exist'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
