import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/syscalls/index.ts', import.meta.url));

// Without the guard this file's fork segfaults when the worker exits (checked by disabling it).
// The worker loads the TypeScript module through tsx's programmatic API: the worker has no
// vitest transform, and ffi-rs must never be reached from it.
const source = `
const { parentPort, workerData } = require('node:worker_threads');
import('tsx/esm/api')
  .then(({ tsImport }) => tsImport(workerData.entry, workerData.entry))
  .then(() => parentPort.postMessage({ ok: true }),
        (e) => parentPort.postMessage({ ok: false, message: String(e && e.message) }));
`;

function loadInWorker(): Promise<{ ok: boolean; message?: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { entry } });
    let msg: { ok: boolean; message?: string } | undefined;
    w.on('message', (m: { ok: boolean; message?: string }) => (msg = m));
    w.on('error', reject);
    w.on('exit', (exitCode) => (msg ? resolve({ ...msg, exitCode }) : reject(new Error(`worker exited ${exitCode} without a message`))));
  });
}

describe('loading in a worker thread', () => {
  it('throws a clear error at import instead of loading ffi-rs', async () => {
    const r = await loadInWorker();
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^nlkit must be loaded on the main thread: ffi-rs/);
    expect(r.exitCode).toBe(0);
  });

  it('the process survives the worker exiting, twice', async () => {
    await loadInWorker();
    const r = await loadInWorker();
    expect(r.ok).toBe(false);
  });
});
