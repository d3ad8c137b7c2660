// Heaps still open when a Node thread (main or worker) exits normally are
// closed, so their thread caches go back to the pools for the threads that
// go on. One listener serves every heap of the thread. Browsers have no such
// event: a Web Worker should call heap.close() before it ends.

interface Closable {
  close(): void;
}

const open = new Set<Closable>();
let listening = false;

interface ExitEmitter {
  once(event: "exit", listener: () => void): unknown;
}

function processEmitter(): ExitEmitter | undefined {
  const candidate = (globalThis as { process?: Partial<ExitEmitter> }).process;
  return typeof candidate?.once === "function" ? (candidate as ExitEmitter) : undefined;
}

export function closeAtExit(heap: Closable): void {
  open.add(heap);
  if (listening) return;
  const emitter = processEmitter();
  if (!emitter) return;
  listening = true;
  emitter.once("exit", () => {
    for (const each of [...open]) {
      try {
        each.close();
      } catch {
        // The thread is ending either way; a heap whose lock a killed worker
        // left (LockTimeoutError) must not turn that exit into a crash.
      }
    }
  });
}

export function forgetAtExit(heap: Closable): void {
  open.delete(heap);
}
