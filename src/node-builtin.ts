// Node built-ins (node:fs/promises, node:worker_threads) where the runtime
// has them: Node, Deno and Bun. Asked for at run time and never by a
// literal import, so that a bundler building for browsers neither bundles
// them nor warns that it left them out.

/** The built-in module `name`, from process.getBuiltinModule where it exists, else by a dynamic import. */
export async function nodeBuiltin<T>(name: string): Promise<T> {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = process?.getBuiltinModule?.(name);
  return (builtin as T | undefined) ?? ((await import(/* @vite-ignore */ name)) as T);
}
