// A scripted OpenAI-compatible Chat Completions upstream for the end-to-end tests.
//
// It listens on 127.0.0.1:0, records every request it receives (method, path, headers, parsed JSON body) and
// answers each one with the next response a test queued: a JSON completion, an HTTP error with an OpenAI error
// body, or an SSE script written event by event with delays (optionally without `[DONE]`, optionally ending with an
// abrupt socket destroy to simulate a truncated stream). It notices when the client (the proxy) goes away before a
// response is complete and records `aborted: true` with a timestamp, so tests can check that aborts propagate.
//
// Timestamps are `performance.now()` of this process; the tests run the SDK in the same process, so the two are
// directly comparable (ordering, never durations, is what the tests assert).

import http from 'node:http';
import { performance } from 'node:perf_hooks';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ScriptedUpstream {
  #server = null;
  #queue = [];
  #waiters = new Set();
  #open = new Set();

  /** Every request received, oldest first. See #record for the shape. */
  requests = [];

  /** http://127.0.0.1:<port>/v1 — what the proxy gets as --upstream. */
  baseUrl = '';

  async start() {
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy()); // e.g. the client went away while sending the body
    });
    this.#server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.#open.add(socket);
      socket.on('close', () => this.#open.delete(socket));
    });
    await new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    this.baseUrl = `http://127.0.0.1:${this.#server.address().port}/v1`;
    return this;
  }

  async close() {
    for (const socket of this.#open) socket.destroy();
    if (this.#server) await new Promise((resolve) => this.#server.close(() => resolve()));
    this.#server = null;
  }

  /** Forget recorded requests and queued responses (call before each test). */
  reset() {
    this.requests = [];
    this.#queue = [];
  }

  /** Queue responses; each request takes the next one, in order. */
  push(...responses) {
    this.#queue.push(...responses);
    return this;
  }

  /** Same as push(). */
  enqueue(...responses) {
    return this.push(...responses);
  }

  /** Resolves once at least `count` requests have arrived (since the last reset). */
  waitForRequests(count, { timeoutMs = 10_000 } = {}) {
    return this.waitFor((u) => u.requests.length >= count, { timeoutMs, what: `${count} upstream request(s)` });
  }

  /** Responses still queued (a test that expected its requests to reach the upstream wants 0). */
  get pending() {
    return this.#queue.length;
  }

  /** Requests to POST /v1/chat/completions only. */
  get completions() {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
  }

  /** Resolves when `predicate(this)` holds; rejects with `what` after timeoutMs. */
  async waitFor(predicate, { timeoutMs = 10_000, what = 'upstream condition' } = {}) {
    if (predicate(this)) return;
    await new Promise((resolve, reject) => {
      const waiter = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  #notify() {
    for (const waiter of [...this.#waiters]) waiter();
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body = null;
    try {
      body = rawBody ? JSON.parse(rawBody) : null;
    } catch {
      body = null;
    }
    const url = new URL(req.url, 'http://upstream.invalid');
    const record = {
      method: req.method,
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      rawBody,
      body,
      receivedAt: performance.now(),
      response: null, // the scripted response used
      eventsWritten: 0, // SSE events written so far
      eventTimes: [], // when each SSE event was written
      firstEventAt: null,
      lastEventAt: null,
      finishedAt: null, // the script ran to its end (response ended or socket destroyed by the script)
      aborted: false, // the client closed the connection before the script finished
      abortedAt: null,
    };
    this.requests.push(record);

    res.on('close', () => {
      if (record.finishedAt === null && !res.writableEnded) {
        record.aborted = true;
        record.abortedAt = performance.now();
      }
      this.#notify();
    });

    const response = this.#queue.shift() ?? {
      kind: 'json',
      status: 599,
      body: { error: { message: `scripted upstream: no response queued for ${req.method} ${url.pathname}` } },
    };
    record.response = response;
    this.#notify();

    try {
      if (response.kind === 'sse') await this.#writeSse(res, response, record);
      else await this.#writeJson(res, response, record);
    } catch (err) {
      // The client went away while we were writing: that is recorded by the 'close' handler.
      if (!res.destroyed) res.destroy(err);
    }
  }

  async #writeJson(res, response, record) {
    if (response.delayMs) await sleep(response.delayMs);
    if (res.destroyed || record.aborted) return;
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    res.writeHead(response.status ?? 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...(response.headers ?? {}),
    });
    res.end(text, () => {
      record.finishedAt = performance.now();
      this.#notify();
    });
  }

  async #writeSse(res, response, record) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...(response.headers ?? {}),
    });
    res.flushHeaders();
    for (const event of response.events) {
      if (event.delayMs) await sleep(event.delayMs);
      if (res.destroyed || record.aborted) return;
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      // Resolves once the bytes are handed to the kernel, so a following socket destroy cannot swallow them.
      await new Promise((resolve) => res.write(`data: ${data}\n\n`, resolve));
      record.eventsWritten += 1;
      record.lastEventAt = performance.now();
      record.eventTimes.push(record.lastEventAt);
      record.firstEventAt ??= record.lastEventAt;
      this.#notify();
    }
    if (response.endDelayMs) await sleep(response.endDelayMs);
    if (res.destroyed || record.aborted) return;
    if (response.destroy) {
      // Truncation: no [DONE], no terminating chunk of the chunked encoding, just a dead connection.
      record.finishedAt = performance.now();
      res.socket?.destroy();
      this.#notify();
      return;
    }
    if (response.done !== false) res.write('data: [DONE]\n\n');
    record.finishedAt = performance.now();
    res.end();
    this.#notify();
  }
}

export async function startScriptedUpstream() {
  return new ScriptedUpstream().start();
}

// ---- Builders for scripted responses -------------------------------------------------------------------------

let nextId = 1;
const completionId = () => `chatcmpl-e2e-${nextId++}`;

/** A usage object as OpenAI reports it. */
export function usage(promptTokens, completionTokens) {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** A non-streaming chat.completion reply. */
export function completion({
  content = null,
  toolCalls,
  reasoning,
  finishReason = 'stop',
  usage: u = usage(10, 5),
  model = 'upstream-model',
  status = 200,
  headers,
  delayMs = 0,
} = {}) {
  const message = { role: 'assistant', content };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (toolCalls) {
    message.tool_calls = toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: {
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
  }
  return {
    kind: 'json',
    status,
    headers,
    delayMs,
    body: {
      id: completionId(),
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message, finish_reason: finishReason }],
      usage: u,
    },
  };
}

/** An HTTP error with an OpenAI-style error body. */
export function httpError(status, message, { type = 'error', code = null, headers } = {}) {
  return { kind: 'json', status, headers, body: { error: { message, type, param: null, code } } };
}

/** A chat.completion.chunk with one choice (or none when `choices` is []). */
export function chunk({ delta, finishReason = null, usage: u, choices, id = 'chatcmpl-e2e-stream', model = 'upstream-model' } = {}) {
  const body = {
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: choices ?? [{ index: 0, delta: delta ?? {}, finish_reason: finishReason }],
  };
  if (u !== undefined) body.usage = u;
  return body;
}

/** A {delayMs?, data} step, as opposed to a bare chunk object or string. */
function isStep(e) {
  return e !== null && typeof e === 'object' && 'data' in e && Object.keys(e).every((k) => k === 'data' || k === 'delayMs');
}

/**
 * An SSE script. `events` are chat.completion.chunk objects, raw strings, or {delayMs, data} items; a plain
 * object or string gets `delayMs` (default 0). Options: done (write `data: [DONE]`, default true), destroy (destroy
 * the socket at the end instead of ending the response), endDelayMs (wait before ending).
 */
export function sse(events, { delayMs = 0, done = true, destroy = false, endDelayMs = 0, headers } = {}) {
  return {
    kind: 'sse',
    headers,
    done,
    destroy,
    endDelayMs,
    events: events.map((e) => (isStep(e) ? { delayMs: e.delayMs ?? delayMs, data: e.data } : { delayMs, data: e })),
  };
}

/**
 * The usual stream of a text reply: a role chunk, one chunk per text piece, a finish_reason chunk, then a usage
 * chunk with `choices: []` (as OpenAI sends it with stream_options.include_usage).
 */
export function textStream(pieces, { delayMs = 0, finishReason = 'stop', usage: u = usage(12, pieces.length), done = true } = {}) {
  return sse(
    [
      chunk({ delta: { role: 'assistant', content: '' } }),
      ...pieces.map((text) => chunk({ delta: { content: text } })),
      chunk({ delta: {}, finishReason }),
      chunk({ choices: [], usage: u }),
    ],
    { delayMs, done },
  );
}

/** Same as completion(); `usage` may omit total_tokens. */
export function chatCompletion(options = {}) {
  return completion(options);
}

/** Same as httpError(). */
export function openAIError(status, message, options = {}) {
  return httpError(status, message, options);
}

/** The text of an OpenAI message content: a string, or the concatenated `text` of its parts. */
export function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.filter((part) => part?.type === 'text').map((part) => part.text).join('');
  return content ?? '';
}
