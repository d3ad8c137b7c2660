export type Layout = Record<string, number>;
export const HIT_PATH_LITERALS: Record<string, (layout: Layout) => number>;
export function declarationsOf(source: string): Array<Partial<{ section: string; name: string; type: "u32" | "i32"; doc: string }>>;
export function valuesOf(wasm: Uint8Array, declarations: ReturnType<typeof declarationsOf>): Layout;
export function layoutModule(declarations: ReturnType<typeof declarationsOf>, values: Layout): string;
export function hitPathWith(source: string, values: Layout): string;
export function hitPathNames(source: string): Set<string>;
export function generated(): Array<{ file: string; now: string; made: string }>;
