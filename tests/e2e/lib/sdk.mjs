// The Anthropic SDK as the tests use it, plus assertions shared by the test files.
//
// Importing this module first checks that `npm ci` has run in tests/e2e (exits 1 with a hint otherwise), then
// loads @anthropic-ai/sdk.

import assert from 'node:assert/strict';

import { requireDependencies } from './check-deps.mjs';
import { UPSTREAM_KEY } from './proxy.mjs';

requireDependencies();
const { default: Anthropic } = await import('@anthropic-ai/sdk');

export { Anthropic };

/** The key the SDK sends as x-api-key; it must never reach the upstream or a log. */
export const CLIENT_KEY = 'sk-ant-test-client-key';

/** An SDK client for a started proxy: no retries, so every call is exactly one HTTP request. */
export function makeClient(proxy, options = {}) {
  return new Anthropic({ apiKey: CLIENT_KEY, baseURL: proxy.url, maxRetries: 0, timeout: 30_000, ...options });
}

/**
 * Asserts an upstream request is a chat/completions POST authorised with the upstream key only. With
 * `stream: true` also asserts what a streaming request must carry.
 */
export function assertChatCompletionsRequest(request, { stream = false } = {}) {
  assert.ok(request, 'the upstream received no request');
  assert.equal(request.method, 'POST');
  assert.equal(request.path, '/v1/chat/completions');
  assert.equal(request.query, '', 'the client query string (?beta=true) must not reach the upstream');
  assert.ok(request.body && typeof request.body === 'object', `upstream body is not JSON: ${request.rawBody}`);
  assert.equal(request.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.equal(request.headers['x-api-key'], undefined, 'the client x-api-key must not be forwarded');
  assert.ok(!JSON.stringify(request.headers).includes(CLIENT_KEY), 'the client key leaked into upstream headers');
  if (stream) {
    assert.equal(request.body.stream, true, `upstream body: ${request.rawBody}`);
    assert.deepEqual(request.body.stream_options, { include_usage: true }, `upstream body: ${request.rawBody}`);
    assert.equal(request.headers['accept-encoding'], 'identity', 'a streamed upstream response must not be compressed');
  } else {
    assert.notEqual(request.body.stream, true, `upstream body: ${request.rawBody}`);
  }
}

/** The one chat/completions request a call caused; fails if there were others or a queued response is unused. */
export function onlyCompletionRequest(upstream) {
  assert.equal(upstream.requests.length, 1,
    `expected exactly one upstream request, got ${upstream.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`);
  assert.equal(upstream.pending, 0, 'a scripted upstream response was not used');
  return upstream.requests[0];
}

/** Parses an SSE body into [{event, data}] (data lines joined with "\n"). */
export function parseSse(text) {
  const events = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    if (!block.trim()) continue;
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    events.push({ event, data: data.join('\n') });
  }
  return events;
}
