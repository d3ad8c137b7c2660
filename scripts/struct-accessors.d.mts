export function made(): string;
export function current(): string;
