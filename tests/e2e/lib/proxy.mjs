// Starts the real switchyard binary (env SWITCHYARD_BIN) headless on a free port and stops it again.
//
// Each proxy gets its own empty HOME and XDG directories, so a developer's saved settings, upstream profiles or
// logs never leak into a test, and nothing the test does lands in the developer's home.

import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The upstream key handed to every proxy the tests start; the upstream must see it as a Bearer token. */
export const UPSTREAM_KEY = 'sk-upstream-e2e-secret-0123456789';

const READY_LINE = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/;
const KEEP_STDERR_BYTES = 64 * 1024;

// Whatever happens (a failed assertion, an exception before after() ran), no proxy outlives the test process.
const live = new Set();
process.on('exit', () => {
  for (const child of live)
    child.kill('SIGKILL');
});

/** The binary under test, checked to exist and be executable. */
export function proxyBinary() {
  const bin = process.env.SWITCHYARD_BIN;
  if (!bin)
    throw new Error('SWITCHYARD_BIN is not set: point it at the built switchyard binary (ctest sets it)');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`SWITCHYARD_BIN=${bin} is not an executable file: build the 'switchyard' target first`);
  }
  return bin;
}

function isolatedEnvironment(home, upstreamKey, extra) {
  const env = { ...process.env };
  // The proxy must talk to the scripted upstream directly, whatever proxy the machine is configured with.
  for (const name of ['http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'])
    delete env[name];
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    no_proxy: '127.0.0.1,localhost',
    NO_PROXY: '127.0.0.1,localhost',
  });
  if (upstreamKey === null)
    delete env.SWITCHYARD_UPSTREAM_KEY;
  else
    env.SWITCHYARD_UPSTREAM_KEY = upstreamKey;
  return { ...env, ...extra };
}

/**
 * Starts `switchyard --headless --listen 127.0.0.1:0 --upstream <upstreamUrl> ...args` and resolves once it
 * printed its `listening on …` line. Rejects (with the process's stderr) when it exits first or is not ready
 * within readyTimeoutMs.
 */
export async function startProxy({ upstreamUrl, args = [], env = {}, upstreamKey = UPSTREAM_KEY, readyTimeoutMs = 15_000 }) {
  const bin = proxyBinary();
  const home = mkdtempSync(path.join(os.tmpdir(), 'switchyard-e2e-'));
  const argv = ['--headless', '--listen', '127.0.0.1:0', '--upstream', upstreamUrl, ...args];
  const child = spawn(bin, argv, {
    env: isolatedEnvironment(home, upstreamKey, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    stderr = (stderr + text).slice(-KEEP_STDERR_BYTES);
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });

  const describe = () => `${bin} ${argv.join(' ')}`;
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchyard printed no "listening on" line within ${readyTimeoutMs} ms\n`
        + `command: ${describe()}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, readyTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${describe()}: ${error.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`switchyard exited (code ${code}, signal ${signal}) before it was ready\n`
        + `command: ${describe()}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
    child.stdout.on('data', (text) => {
      stdout += text;
      const lines = stdout.split('\n');
      if (lines.length < 2)
        return; // no complete line yet
      clearTimeout(timer);
      const match = READY_LINE.exec(lines[0]);
      if (match)
        resolve({ url: match[1], port: Number(match[2]) });
      else
        reject(new Error(`switchyard's first stdout line is not "listening on http://127.0.0.1:<port>": `
          + `${JSON.stringify(lines[0])}\nstderr:\n${stderr}`));
    });
  }).catch(async (error) => {
    child.kill('SIGKILL');
    if (child.pid !== undefined)
      await exited;
    rmSync(home, { recursive: true, force: true });
    throw error;
  });

  let stopped;
  const stateDir = path.join(home, 'state');
  return {
    url: ready.url,
    port: ready.port,
    child,
    /** $XDG_STATE_HOME of the proxy (removed by stop()). */
    stateDir,
    /** Where the proxy writes its summary log. */
    logFile: path.join(stateDir, 'switchyard', 'switchyard.log'),
    /** Everything the proxy printed to stdout so far, as lines (without the final empty one). */
    stdoutLines: () => stdout.split('\n').filter((line, i, all) => i < all.length - 1 || line !== ''),
    /** The last 64 KiB of stderr. */
    stderr: () => stderr,
    /** Resolves with {code, signal} when the process has exited, however it happened. */
    exited,
    /**
         * Sends SIGTERM and waits for the exit; SIGKILL after timeoutMs. Idempotent. Resolves with
         * {code, signal, killed} where killed says SIGTERM was not enough.
         */
    stop({ timeoutMs = 10_000 } = {}) {
      stopped ??= (async () => {
        let killed = false;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, timeoutMs);
          await exited;
          clearTimeout(timer);
        }
        rmSync(home, { recursive: true, force: true });
        return { ...(await exited), killed };
      })();
      return stopped;
    },
  };
}
