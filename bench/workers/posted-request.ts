// What case 8's postMessage baseline sends: one request as three buffers,
// and the request's number in its first 4 bytes (little-endian).

export interface PostedRequest {
  request: Uint8Array;
  header: Uint8Array;
  response: Uint8Array;
}

export function writeNumber(bytes: Uint8Array, number: number): void {
  bytes[0] = number;
  bytes[1] = number >>> 8;
  bytes[2] = number >>> 16;
  bytes[3] = number >>> 24;
}

export function readNumber(bytes: Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}
