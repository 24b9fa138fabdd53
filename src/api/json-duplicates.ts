// Duplicate keys in a JSON body. JSON.parse keeps the last value silently; kube's decoder
// (sigs.k8s.io/json) notes every duplicate: with fieldValidation=Strict the request fails,
// with Warn each becomes a warning. The scan is one iterative pass over the text, with the
// field path of each duplicate written as kube's strict errors write it (`spec.containers[0].name`).

/** Bodies and the duplicate field paths found in their text (set by the request decoder). */
export const duplicateFields = new WeakMap<object, string[]>();

interface Frame {
  kind: 'object' | 'array';
  path: string;
  keys?: Set<string>;
  index: number;
  /** The key whose value comes next (objects). */
  key?: string;
}

function childPath(frame: Frame): string {
  if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
  return frame.path ? `${frame.path}.${frame.key}` : frame.key!;
}

/** The field paths of keys that appear twice in one object of this (valid) JSON text. */
export function findDuplicateKeys(text: string, limit = 100): string[] {
  const found: string[] = [];
  const stack: Frame[] = [];
  let i = 0;
  let expectKey = false;
  while (i < text.length && found.length < limit) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys!.has(key)) found.push(top.path ? `${top.path}.${key}` : key);
        top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent ? childPath(parent) : '';
      stack.push(c === '{' ? { kind: 'object', path, keys: new Set(), index: 0 } : { kind: 'array', path, index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else expectKey = true;
    }
    i++;
  }
  return found;
}
