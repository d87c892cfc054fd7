/**
 * Key sets as query parameters, within a ClickHouse server's limits. A server takes each query parameter as
 * a form field of at most 128 KiB URL-encoded (http_max_field_value_size) in a URL of at most 1 MiB; the
 * embedded engine has no such limit, so a read that passes every key of its input in one parameter works
 * embedded and fails on a server once the input grows. Such reads split their keys with `chunkKeys` and run
 * one statement per chunk (the rows of per-key reads simply add up).
 */

/** Most URL-encoded bytes one Array(String) parameter gets: well under the server's 128 KiB. */
export const MAX_PARAMETER_BYTES = 96 * 1024;

/**
 * Upper bound of one string's length as an element of an Array(String) parameter once the client has escaped
 * it (`\t \n \r ' \\` become two characters) and form-encoded it (letters, digits, `*-._` and space stay one
 * character, other ASCII %XX, a UTF-16 unit of other text at most three %XX), quotes and comma included.
 */
export function encodedKeyLength(key: string): number {
  let length = 3 + 3 + 3; // the quotes and the comma, %27 %27 %2C
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 42 || code === 45 || code === 46 || code === 95 || code === 32) length += 1;
    else if (code === 9 || code === 10 || code === 13 || code === 39 || code === 92) length += 6;
    else if (code < 128) length += 3;
    else length += 9;
  }
  return length;
}

/** Upper bound of `keys` URL-encoded as one Array(String) parameter. */
export function encodedKeysLength(keys: readonly string[]): number {
  return keys.reduce((length, key) => length + encodedKeyLength(key), 6); // [ and ], %5B %5D
}

/**
 * `keys` in consecutive chunks, each small enough to travel as one Array(String) parameter of at most
 * `maxBytes` URL-encoded. No chunk when there are no keys.
 */
export function chunkKeys(keys: readonly string[], maxBytes = MAX_PARAMETER_BYTES): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let size = 6; // [ and ], %5B %5D
  for (const key of keys) {
    const length = encodedKeyLength(key);
    if (6 + length > maxBytes) throw new Error(`a key of ${key.length} characters is too long for one query parameter (${maxBytes} bytes URL-encoded)`);
    if (size + length > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      size = 6;
    }
    chunk.push(key);
    size += length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
