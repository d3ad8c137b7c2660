export function hideDecorators(source: string): string;
export function restoreDecorators(source: string): string;
export function biomeAssembly(dir: string, write: boolean): number;
