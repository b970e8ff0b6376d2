// End-to-end: the official @anthropic-ai/sdk against the real switchyard binary (env SWITCHYARD_BIN) in front of
// a scripted OpenAI-compatible upstream. Each test checks both sides: what the SDK got back, and what the
// upstream received from the proxy.
//
// Run: SWITCHYARD_BIN=build/bin/switchyard node tests/e2e/foundation.test.mjs   (after npm ci in tests/e2e)

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { startProxy } from './lib/proxy.mjs';
import { chatCompletion, openAIError, startScriptedUpstream, textOf, textStream, usage } from './lib/scripted-upstream.mjs';
// Exits 1 with "run npm ci in tests/e2e" before loading the SDK when it is not installed.
import { Anthropic, assertChatCompletionsRequest, CLIENT_KEY, makeClient } from './lib/sdk.mjs';

const SONNET = 'claude-sonnet-5-5';
const HAIKU = 'claude-haiku-5-5';
const HAIKU_UPSTREAM = 'tiny-model';
// A 1×1 PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  input_schema: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
  },
};

/**
* Queues `script` on the upstream, runs `call` and returns the SDK's result together with the one upstream
* request that the call caused.
*/
async function viaUpstream(upstream, script, call) {
  const before = upstream.requests.length;
  upstream.enqueue(script);
  const result = await call();
  const sent = upstream.requests.slice(before);
  assert.equal(sent.length, 1, `expected exactly one upstream request, got ${sent.length}`);
  assert.equal(upstream.pending, 0, 'the scripted response was not used');
  return { result, request: sent[0] };
}

/** Like viaUpstream, for a call that must fail: returns the SDK's error and the upstream request. */
async function failingViaUpstream(upstream, script, call, ErrorClass) {
  let caught;
  const { request } = await viaUpstream(upstream, script, async () => {
    await assert.rejects(call(), (error) => {
      caught = error;
      return true;
    });
  });
  assert.ok(caught instanceof ErrorClass,
    `expected ${ErrorClass.name}, got ${caught?.constructor?.name}: ${caught?.message}`);
  return { error: caught, request };
}

/** A raw HTTP call to the proxy; returns {status, headers, body} with body parsed when it is JSON. */
async function rawRequest(proxy, path, { method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(`${proxy.url}${path}`, {
    method,
    headers: {
      'x-api-key': CLIENT_KEY,
      'anthropic-version': '2023-06-01',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Asserts an Anthropic error response: status, body {type:"error", error:{type, message}, request_id}, header. */
function assertAnthropicError(response, status, type) {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body?.type, 'error', `not an Anthropic error body: ${JSON.stringify(response.body)}`);
  if (type)
    assert.equal(response.body.error?.type, type);
  else
    assert.equal(typeof response.body.error?.type, 'string');
  assert.equal(typeof response.body.error.message, 'string');
  assert.ok(response.body.error.message.length > 0, 'empty error message');
  const requestId = response.headers.get('request-id');
  assert.match(requestId ?? '', /^req_/, 'missing request-id header');
  assert.equal(response.body.request_id, requestId, 'request_id in the body differs from the request-id header');
  return response.body.error;
}

/** Asserts an SDK APIError carries the Anthropic error type and a request id. */
function assertSdkError(error, status, type) {
  assert.equal(error.status, status);
  assert.equal(error.error?.type, 'error', `not an Anthropic error body: ${JSON.stringify(error.error)}`);
  assert.equal(error.error?.error?.type, type);
  assert.match(error.requestID ?? '', /^req_/, 'missing request-id header');
}

describe('switchyard e2e foundation: @anthropic-ai/sdk -> switchyard -> scripted upstream', () => {
  let upstream;
  let proxy;
  let client;

  before(async () => {
    upstream = await startScriptedUpstream();
    try {
      proxy = await startProxy({ upstreamUrl: upstream.baseUrl, args: ['--model-map', `claude-*haiku*=${HAIKU_UPSTREAM}`] });
    } catch (error) {
      // node 18 skips after() when before() fails: a listening upstream would keep the process alive.
      await upstream.close();
      throw error;
    }
    client = makeClient(proxy);
  });

  after(async () => {
    await proxy?.stop();
    await upstream?.close();
  });

  beforeEach(() => upstream?.reset());

  describe('1. messages.create with text', () => {
    it('returns the upstream text and sends system first, max_tokens and only the upstream key', async () => {
      const { result, request } = await viaUpstream(upstream,
        chatCompletion({ content: 'Hello from the upstream.', usage: { prompt_tokens: 17, completion_tokens: 5 } }),
        () => client.messages.create({
          model: SONNET,
          max_tokens: 321,
          system: 'You are terse.',
          messages: [{ role: 'user', content: 'Say hello.' }],
        }));

      assert.match(result.id, /^msg_/);
      assert.equal(result.type, 'message');
      assert.equal(result.role, 'assistant');
      assert.equal(result.model, SONNET);
      assert.equal(result.content.length, 1, JSON.stringify(result.content));
      assert.equal(result.content[0].type, 'text');
      assert.equal(result.content[0].text, 'Hello from the upstream.');
      assert.equal(result.stop_reason, 'end_turn');
      assert.equal(result.usage.input_tokens, 17);
      assert.equal(result.usage.output_tokens, 5);

      assertChatCompletionsRequest(request);
      const { body } = request;
      assert.equal(body.model, SONNET, 'an unmapped model name passes through');
      assert.equal(body.max_tokens, 321);
      assert.notEqual(body.stream, true);
      assert.equal(body.messages.length, 2, JSON.stringify(body.messages));
      assert.equal(body.messages[0].role, 'system');
      assert.equal(textOf(body.messages[0].content), 'You are terse.');
      assert.equal(body.messages[1].role, 'user');
      assert.equal(textOf(body.messages[1].content), 'Say hello.');
    });

    it('maps a haiku model with --model-map and answers with the requested model name', async () => {
      const { result, request } = await viaUpstream(upstream,
        chatCompletion({ content: 'Mapped.', model: HAIKU_UPSTREAM }),
        () => client.messages.create({
          model: HAIKU,
          max_tokens: 64,
          system: [
            { type: 'text', text: 'First system block.' },
            { type: 'text', text: 'Second system block.', cache_control: { type: 'ephemeral' } },
          ],
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi, haiku.' }] }],
        }));

      assert.equal(result.model, HAIKU, 'the response names the model the client asked for');
      assert.equal(result.content[0].text, 'Mapped.');
      assertChatCompletionsRequest(request);
      assert.equal(request.body.model, HAIKU_UPSTREAM);
      const systems = request.body.messages.filter((m) => m.role === 'system');
      assert.equal(systems.length, 1, 'system blocks become one leading system message');
      assert.equal(request.body.messages[0].role, 'system');
      const systemText = textOf(systems[0].content);
      assert.ok(systemText.includes('First system block.') && systemText.includes('Second system block.'),
        `system text: ${JSON.stringify(systemText)}`);
      assert.equal(textOf(request.body.messages.at(-1).content), 'Hi, haiku.');
    });

    it('beta.messages.create (POST /v1/messages?beta=true) works the same', async () => {
      const { result, request } = await viaUpstream(upstream,
        chatCompletion({ content: 'Beta path.' }),
        () => client.beta.messages.create({
          model: SONNET,
          max_tokens: 50,
          betas: ['interleaved-thinking-2025-05-14'],
          messages: [{ role: 'user', content: 'Through the beta path.' }],
        }));
      assert.equal(result.content[0].text, 'Beta path.');
      assert.equal(result.stop_reason, 'end_turn');
      assertChatCompletionsRequest(request);
      assert.equal(request.body.max_tokens, 50);
    });

    it('--model sends every request to that upstream model', async () => {
      const forced = await startProxy({ upstreamUrl: upstream.baseUrl, args: ['--model', 'forced-upstream-model'] });
      try {
        const forcedClient = makeClient(forced);
        for (const model of [SONNET, HAIKU]) {
          const { result, request } = await viaUpstream(upstream, chatCompletion({ content: 'ok' }),
            () => forcedClient.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
          assert.equal(result.model, model);
          assert.equal(request.body.model, 'forced-upstream-model');
        }
      } finally {
        await forced.stop();
      }
    });
  });

  it('2. tools: tool_calls become tool_use, and tool_use/tool_result go back as tool_calls/tool messages', async () => {
    const question = { role: 'user', content: 'What is the weather in Paris?' };
    const first = await viaUpstream(upstream,
      chatCompletion({
        content: 'Let me check.',
        toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' }],
        finishReason: 'tool_calls',
        usage: { prompt_tokens: 80, completion_tokens: 20 },
      }),
      () => client.messages.create({ model: SONNET, max_tokens: 200, tools: [WEATHER_TOOL], messages: [question] }));

    const reply = first.result;
    assert.equal(reply.stop_reason, 'tool_use');
    const toolUses = reply.content.filter((block) => block.type === 'tool_use');
    assert.equal(toolUses.length, 1, JSON.stringify(reply.content));
    const [toolUse] = toolUses;
    assert.equal(toolUse.name, 'get_weather');
    assert.deepEqual(toolUse.input, { city: 'Paris', unit: 'celsius' }, 'input is the parsed arguments object');
    assert.equal(typeof toolUse.id, 'string');
    assert.ok(toolUse.id.length > 0);
    const texts = reply.content.filter((block) => block.type === 'text');
    assert.deepEqual(texts.map((block) => block.text), ['Let me check.']);
    assert.ok(reply.content.indexOf(texts[0]) < reply.content.indexOf(toolUse), 'text comes before the tool call');

    assertChatCompletionsRequest(first.request);
    assert.deepEqual(first.request.body.tools, [{
      type: 'function',
      function: { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.input_schema },
    }]);

    const second = await viaUpstream(upstream,
      chatCompletion({ content: 'It is 18 °C and sunny in Paris.' }),
      () => client.messages.create({
        model: SONNET,
        max_tokens: 200,
        tools: [WEATHER_TOOL],
        messages: [
          question,
          { role: 'assistant', content: reply.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '18 °C, sunny' }] },
        ],
      }));
    assert.equal(second.result.content[0].text, 'It is 18 °C and sunny in Paris.');
    assert.equal(second.result.stop_reason, 'end_turn');

    assertChatCompletionsRequest(second.request);
    const messages = second.request.body.messages;
    const assistantIndex = messages.findIndex((m) => m.role === 'assistant');
    assert.ok(assistantIndex > 0, `no assistant message upstream: ${JSON.stringify(messages)}`);
    const assistant = messages[assistantIndex];
    assert.equal(textOf(assistant.content), 'Let me check.');
    assert.equal(assistant.tool_calls?.length, 1, JSON.stringify(assistant));
    const [call] = assistant.tool_calls;
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(typeof call.function.arguments, 'string', 'arguments are a JSON string');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });
    assert.equal(typeof call.id, 'string');
    const toolMessage = messages[assistantIndex + 1];
    assert.equal(toolMessage?.role, 'tool', `the tool result follows the assistant turn: ${JSON.stringify(messages)}`);
    assert.equal(toolMessage.tool_call_id, call.id, 'tool_call_id pairs the result with its call');
    assert.equal(textOf(toolMessage.content), '18 °C, sunny');
    assert.equal(messages.length, assistantIndex + 2, 'nothing follows the tool message');
    assert.deepEqual(second.request.body.tools[0].function.parameters, WEATHER_TOOL.input_schema);
  });

  it('3. a base64 image reaches the upstream as an image_url part with a data: URL', async () => {
    const { result, request } = await viaUpstream(upstream,
      chatCompletion({ content: 'A single pixel.' }),
      () => client.messages.create({
        model: SONNET,
        max_tokens: 100,
        messages: [{
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            { type: 'text', text: 'What is in this image?' },
          ],
        }],
      }));
    assert.equal(result.content[0].text, 'A single pixel.');

    assertChatCompletionsRequest(request);
    const user = request.body.messages.find((m) => m.role === 'user');
    assert.ok(Array.isArray(user?.content), `user content is not a parts array: ${JSON.stringify(user)}`);
    const image = user.content.find((part) => part.type === 'image_url');
    assert.ok(image, `no image_url part: ${JSON.stringify(user.content)}`);
    assert.equal(image.image_url.url, `data:image/png;base64,${PNG_BASE64}`);
    assert.deepEqual(user.content.filter((part) => part.type === 'text').map((part) => part.text), ['What is in this image?']);
    assert.ok(user.content.indexOf(image) < user.content.findIndex((part) => part.type === 'text'), 'block order is kept');
  });

  it('4. messages.countTokens answers locally, more tokens for a longer prompt', async () => {
    const count = (text) => client.messages.countTokens({
      model: SONNET,
      system: 'You are terse.',
      messages: [{ role: 'user', content: text }],
    });
    const short = await count('Hi.');
    const long = await count('Tell me about the history of railway switchyards. '.repeat(40));
    assert.ok(Number.isInteger(short.input_tokens) && short.input_tokens > 0, JSON.stringify(short));
    assert.ok(long.input_tokens > short.input_tokens, `short ${short.input_tokens}, long ${long.input_tokens}`);
    assert.equal(upstream.requests.length, 0, 'count_tokens must not reach the upstream');
  });

  it('5. models.list returns Anthropic-shaped models', async () => {
    const page = await client.models.list();
    assert.ok(page.data.length >= 1, 'no models listed');
    for (const model of page.data) {
      assert.equal(model.type, 'model');
      assert.ok(typeof model.id === 'string' && model.id.length > 0, JSON.stringify(model));
      assert.equal(typeof model.display_name, 'string');
      assert.ok(!Number.isNaN(Date.parse(model.created_at)), `created_at ${model.created_at}`);
    }
    const iterated = [];
    for await (const model of client.models.list())
      iterated.push(model.id);
    assert.deepEqual(iterated, page.data.map((model) => model.id), 'auto-pagination ends after the one page');

    const raw = await rawRequest(proxy, '/v1/models');
    assert.equal(raw.status, 200);
    assert.equal(raw.body.has_more, false);
    assert.equal(raw.body.first_id, raw.body.data[0].id);
    assert.equal(raw.body.last_id, raw.body.data.at(-1).id);
  });

  describe('6. upstream errors become Anthropic errors', () => {
    const request = () => client.messages.create({ model: HAIKU, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

    it('429 with retry-after -> RateLimitError quoting the upstream message', async () => {
      const upstreamMessage = 'Rate limit reached for tiny-model in organization org-e2e on requests per min.';
      const { error, request: sent } = await failingViaUpstream(upstream,
        openAIError(429, upstreamMessage, { type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': '7' } }),
        request, Anthropic.RateLimitError);
      assertSdkError(error, 429, 'rate_limit_error');
      assert.ok(error.error.error.message.includes(upstreamMessage), error.error.error.message);
      assert.match(error.error.error.message, /^Upstream '[^']+' returned HTTP 429: /);
      assert.ok(error.message.includes(upstreamMessage), error.message);
      assert.equal(error.headers.get('retry-after'), '7');
      assertChatCompletionsRequest(sent);
    });

    it('500 -> InternalServerError quoting the upstream message', async () => {
      const upstreamMessage = 'The server had an error while processing your request. Sorry about that!';
      const { error } = await failingViaUpstream(upstream, openAIError(500, upstreamMessage), request,
        Anthropic.InternalServerError);
      assertSdkError(error, 500, 'api_error');
      assert.match(error.error.error.message, /^Upstream '[^']+' returned HTTP 500: /);
      assert.ok(error.error.error.message.includes(upstreamMessage), error.error.error.message);
      assert.ok(error.message.includes(upstreamMessage), error.message);
    });
  });

  describe('7. local validation and routing', () => {
    it('a request without max_tokens -> 400 invalid_request_error naming max_tokens, upstream untouched', async () => {
      const response = await rawRequest(proxy, '/v1/messages', {
        method: 'POST',
        body: { model: SONNET, messages: [{ role: 'user', content: 'hi' }] },
      });
      const error = assertAnthropicError(response, 400, 'invalid_request_error');
      assert.ok(error.message.includes('max_tokens'), error.message);
      assert.equal(upstream.requests.length, 0);
    });

    it('HEAD / and GET / -> 200', async () => {
      for (const method of ['HEAD', 'GET']) {
        const response = await rawRequest(proxy, '/', { method });
        assert.equal(response.status, 200, `${method} /`);
      }
    });

    it('an unknown path -> 404 not_found_error', async () => {
      assertAnthropicError(await rawRequest(proxy, '/v1/no-such-endpoint'), 404, 'not_found_error');
      assertAnthropicError(await rawRequest(proxy, '/v1/no-such-endpoint', { method: 'POST', body: {} }), 404, 'not_found_error');
    });

    it('GET /v1/messages -> 405 with an Anthropic error body', async () => {
      assertAnthropicError(await rawRequest(proxy, '/v1/messages'), 405);
      assert.equal(upstream.requests.length, 0);
    });
  });

  // Test 8 was the pre-streaming contract (stream:true -> 400 invalid_request_error). Streaming has landed, so it
  // is now the smallest streaming round trip; streaming.test.mjs covers the event grammar, tools, aborts and
  // misbehaving upstreams.
  it('8. stream:true is forwarded as a streaming request and the SDK reads the event stream', async () => {
    const { result: events, request } = await viaUpstream(upstream,
      textStream(['Hello, ', 'stream.'], { usage: usage(21, 4) }),
      async () => {
        const stream = await client.messages.create({
          model: SONNET, max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'Stream hello.' }],
        });
        const seen = [];
        for await (const event of stream)
          seen.push(event);
        return seen;
      });
    const types = events.map((event) => event.type);
    assert.equal(types[0], 'message_start', types.join(','));
    assert.equal(types.at(-1), 'message_stop', types.join(','));
    assert.match(events[0].message.id, /^msg_/);
    assert.equal(events[0].message.model, SONNET);
    const text = events.filter((event) => event.type === 'content_block_delta' && event.delta.type === 'text_delta')
      .map((event) => event.delta.text).join('');
    assert.equal(text, 'Hello, stream.');
    const deltas = events.filter((event) => event.type === 'message_delta');
    assert.equal(deltas.length, 1, types.join(','));
    assert.equal(deltas[0].delta.stop_reason, 'end_turn');
    assert.equal(deltas[0].usage.output_tokens, 4);

    assertChatCompletionsRequest(request, { stream: true });
    assert.equal(textOf(request.body.messages.at(-1).content), 'Stream hello.');
  });

  it('9. SIGTERM finishes the in-flight response, exits 0, and stdout held only the listening line', async () => {
    const own = await startProxy({ upstreamUrl: upstream.baseUrl });
    try {
      upstream.enqueue(chatCompletion({ content: 'Finished despite SIGTERM.', delayMs: 700 }));
      const inFlight = makeClient(own).messages.create({ model: SONNET, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
      await upstream.waitForRequests(1);
      const stopping = own.stop();
      const result = await inFlight.catch(async (error) => {
        await stopping;
        assert.fail(`the in-flight response did not reach the client after SIGTERM: ${error.message}`
          + `${error.cause ? ` (${error.cause.message})` : ''}\nproxy stderr:\n${own.stderr()}`);
      });
      assert.equal(result.content[0].text, 'Finished despite SIGTERM.');
      const exit = await stopping;
      assert.equal(exit.killed, false, `did not exit after SIGTERM\nstderr:\n${own.stderr()}`);
      assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\nstderr:\n${own.stderr()}`);
      assert.deepEqual(own.stdoutLines(), [`listening on ${own.url}`]);
    } finally {
      await own.stop();
    }
  });

  it('10. SIGTERM the moment the listening line appears still exits 0 (supervisors do exactly this)', async () => {
    for (let attempt = 0; attempt < 10; ++attempt) {
      const own = await startProxy({ upstreamUrl: upstream.baseUrl });
      const exit = await own.stop();
      assert.equal(exit.killed, false, `attempt ${attempt}: did not exit after SIGTERM\nstderr:\n${own.stderr()}`);
      assert.equal(exit.code, 0, `attempt ${attempt}: exit ${JSON.stringify(exit)}\nstderr:\n${own.stderr()}`);
    }
  });
});
