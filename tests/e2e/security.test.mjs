// End-to-end: the inbound token (SWITCHYARD_TOKEN) with the official @anthropic-ai/sdk against the real binary,
// and the refusal to listen on a non-loopback address without one (docs/SECURITY.md).
//
// Run: SWITCHYARD_BIN=build/bin/switchyard node tests/e2e/security.test.mjs   (after npm ci in tests/e2e)

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { proxyBinary, startProxy } from './lib/proxy.mjs';
import { chatCompletion, startScriptedUpstream, textStream } from './lib/scripted-upstream.mjs';
import { Anthropic, makeClient } from './lib/sdk.mjs';

const TOKEN = 'sy-inbound-e2e-token-0123456789abcdef';
const MODEL = 'claude-sonnet-5-5';
const ask = (client) => client.messages.create({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] });

describe('switchyard e2e security: inbound token', () => {
  let upstream;
  let proxy;

  before(async () => {
    upstream = await startScriptedUpstream();
    try {
      proxy = await startProxy({ upstreamUrl: upstream.baseUrl, env: { SWITCHYARD_TOKEN: TOKEN } });
    } catch (error) {
      await upstream.close();
      throw error;
    }
  });

  after(async () => {
    await proxy?.stop();
    await upstream?.close();
  });

  beforeEach(() => upstream?.reset());

  it('the SDK with the token as apiKey (x-api-key) gets its answer', async () => {
    upstream.enqueue(chatCompletion({ content: 'hello through the token' }));
    const message = await ask(makeClient(proxy, { apiKey: TOKEN }));
    assert.equal(message.content[0].text, 'hello through the token');
    assert.equal(upstream.requests.length, 1);
    assert.ok(!JSON.stringify(upstream.requests[0].headers).includes(TOKEN), 'the inbound token leaked upstream');
  });

  it('the SDK with the token as authToken (Authorization: Bearer) streams its answer', async () => {
    upstream.enqueue(textStream(['str', 'eam']));
    const client = new Anthropic({ apiKey: null, authToken: TOKEN, baseURL: proxy.url, maxRetries: 0, timeout: 30_000 });
    const stream = client.messages.stream({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] });
    const message = await stream.finalMessage();
    assert.equal(message.content[0].text, 'stream');
  });

  it('a wrong or missing token is an AuthenticationError, and the upstream is never called', async () => {
    for (const apiKey of ['sk-ant-wrong-key', TOKEN.slice(0, -1)]) {
      await assert.rejects(ask(makeClient(proxy, { apiKey })), (error) => {
        assert.ok(error instanceof Anthropic.AuthenticationError, `got ${error?.constructor?.name}: ${error?.message}`);
        assert.equal(error.status, 401);
        assert.equal(error.error?.error?.type, 'authentication_error');
        assert.match(error.requestID ?? '', /^req_/);
        return true;
      });
    }
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.type, 'authentication_error');
    assert.equal(upstream.requests.length, 0);
  });

  it('the token never appears in the summary log or on stderr', async () => {
    upstream.enqueue(chatCompletion({ content: 'logged' }));
    await ask(makeClient(proxy, { apiKey: TOKEN }));
    assert.ok(!proxy.stderr().includes(TOKEN), 'the inbound token was printed');
  });
});

describe('switchyard e2e security: listening beyond loopback', () => {
  it('--listen on a non-loopback address without SWITCHYARD_TOKEN exits 2 with a clear message', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'switchyard-e2e-'));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
    delete env.SWITCHYARD_TOKEN;
    const child = spawn(proxyBinary(), ['--headless', '--listen', '0.0.0.0:0', '--upstream', 'demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (text) => { stderr += text; });
    child.stdout.on('data', (text) => { stdout += text; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    rmSync(home, { recursive: true, force: true });
    assert.equal(code, 2, `stdout: ${stdout}\nstderr: ${stderr}`);
    assert.match(stderr, /SWITCHYARD_TOKEN/);
    assert.equal(stdout, '', 'it must not have started listening');
  });
});
