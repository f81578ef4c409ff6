/**
 * PostgreSQL cannot store NUL characters (text) nor NUL escapes and unpaired UTF-16 surrogates
 * (jsonb). A value holding one fails the whole statement it is written in, long after the request
 * that brought it was answered, so inputs are checked for them up front.
 */
const UNSTORABLE_RE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_PROBLEM = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE_RE.test(text);
}

/**
 * Where the first string PostgreSQL cannot store sits in a parsed JSON value, as a field path
 * (`events[2].token`, `context.genre`; a bad key is named by its own path), '' for the value itself,
 * or null when every key and string is storable. Walks with an explicit stack, so deep nesting
 * cannot overflow the call stack.
 */
export function findUnstorableText(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (!isStorableText(node)) return path;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}[${i}]`]);
    } else if (node !== null && typeof node === 'object') {
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const at = path === '' ? key : `${path}.${key}`;
        if (!isStorableText(key)) return at;
        stack.push([(node as Record<string, unknown>)[key], at]);
      }
    }
  }
  return null;
}
