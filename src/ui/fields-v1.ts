// managedFields' fieldsV1 sets as readable paths: {"f:data":{"f:key":{}}} → .data.key;
// list items by key (k:{"name":"web"}) → [name=web], set values (v:"x") → [="x"]. Walked
// with an explicit stack, at most `maxDepth` deep, whatever the server sent.
const maxDepth = 64;

function segment(key: string): string {
  if (key.startsWith('f:')) return `.${key.slice(2)}`;
  if (key.startsWith('k:')) {
    try {
      const fields = JSON.parse(key.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',')}]`;
    } catch { return `[${key.slice(2)}]`; }
  }
  if (key.startsWith('v:')) return `[=${key.slice(2)}]`;
  if (key.startsWith('i:')) return `[${key.slice(2)}]`;
  return key;
}

/** The leaf paths a fieldsV1 set names (a "." entry marks the parent itself as owned). */
export function fieldPaths(fields: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  const stack: { prefix: string; node: Record<string, unknown>; depth: number }[] = [{ prefix: '', node: fields ?? {}, depth: 0 }];
  while (stack.length) {
    const { prefix, node, depth } = stack.pop()!;
    const keys = Object.keys(node);
    if (keys.length === 0 && prefix) out.push(prefix);
    for (const key of keys) {
      if (key === '.') { out.push(prefix); continue; }
      const child = node[key];
      const path = prefix + segment(key);
      if (depth + 1 >= maxDepth || !child || typeof child !== 'object') out.push(path);
      else stack.push({ prefix: path, node: child as Record<string, unknown>, depth: depth + 1 });
    }
  }
  return out.sort();
}
