// A container's root filesystem, in memory: directories and files as a tree of nodes. A volume
// is a directory node placed at its mount path; an emptyDir's node is shared by every container
// of the pod that mounts it, so one container's writes are the other's reads (as the kubelet's
// emptyDir is one host directory bind-mounted into each), and it lasts as long as the pod.
// Paths are resolved iteratively: no walk recurses, however deep the tree.

export interface FileNode {
  type: 'file';
  data: Buffer;
  mode: number;
  mtime: Date;
}

export interface DirNode {
  type: 'dir';
  children: Map<string, Node>;
  mode: number;
  mtime: Date;
  /** A read-only mount (configMap, secret, projected, downward API volumes). */
  readOnly?: boolean;
}

export type Node = FileNode | DirNode;

/** An errno-style failure; `message` is the strerror text busybox prints after the path. */
export class FsError extends Error {
  constructor(readonly code: 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'EROFS' | 'ENOTEMPTY' | 'ENOSPC', readonly path: string) {
    super(strerror[code]);
  }
}

const strerror = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  EROFS: 'Read-only file system',
  ENOTEMPTY: 'Directory not empty',
  ENOSPC: 'No space left on device',
};

/** A file may not grow past this (the container's writable layer is memory here). */
export const maxFileBytes = 64 * 1024 * 1024;

export function newDir(mode = 0o755): DirNode {
  return { type: 'dir', children: new Map(), mode, mtime: new Date() };
}

/** `path` made absolute against `cwd`, with `.`, `..` and repeated slashes removed. */
export function normalizePath(path: string, cwd = '/'): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class FileSystem {
  constructor(readonly root: DirNode = newDir()) {}

  /** The node at an absolute path, or undefined. */
  lookup(path: string): Node | undefined {
    let node: Node = this.root;
    for (const part of normalizePath(path).split('/').filter(Boolean)) {
      if (node.type !== 'dir') return undefined;
      const next: Node | undefined = node.children.get(part);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  stat(path: string): Node {
    const node = this.lookup(path);
    if (!node) throw new FsError('ENOENT', path);
    return node;
  }

  readFile(path: string): Buffer {
    const node = this.stat(path);
    if (node.type === 'dir') throw new FsError('EISDIR', path);
    return node.data;
  }

  readDir(path: string): string[] {
    const node = this.stat(path);
    if (node.type !== 'dir') throw new FsError('ENOTDIR', path);
    return [...node.children.keys()].sort();
  }

  /** Creates every missing directory on the way (mkdir -p). */
  mkdirp(path: string, mode = 0o755): DirNode {
    let node: DirNode = this.root;
    for (const part of normalizePath(path).split('/').filter(Boolean)) {
      let next = node.children.get(part);
      if (!next) {
        if (node.readOnly) throw new FsError('EROFS', path);
        node.children.set(part, (next = newDir(mode)));
      }
      if (next.type !== 'dir') throw new FsError('ENOTDIR', path);
      node = next;
    }
    return node;
  }

  /** mkdir without -p: the parent must exist, the directory must not. */
  mkdir(path: string): void {
    const parent = this.parentDir(path);
    if (parent.children.has(basename(normalizePath(path)))) throw new FsError('EEXIST', path);
    parent.children.set(basename(normalizePath(path)), newDir());
  }

  writeFile(path: string, data: Buffer | string, opts: { append?: boolean; mode?: number; mtime?: Date } = {}): void {
    const parent = this.parentDir(path);
    const name = basename(normalizePath(path));
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const old = parent.children.get(name);
    if (old?.type === 'dir') throw new FsError('EISDIR', path);
    if (bytes.length + (opts.append && old ? old.data.length : 0) > maxFileBytes) throw new FsError('ENOSPC', path);
    const mtime = opts.mtime ?? new Date();
    if (old && opts.append) {
      old.data = Buffer.concat([old.data, bytes]);
      old.mtime = mtime;
    } else parent.children.set(name, { type: 'file', data: bytes, mode: opts.mode ?? old?.mode ?? 0o644, mtime });
  }

  /** Removes a file, or a directory (recursive: its whole subtree goes with it, no walk needed). */
  remove(path: string, opts: { recursive?: boolean } = {}): void {
    const parent = this.parentDir(path);
    const name = basename(normalizePath(path));
    const node = parent.children.get(name);
    if (!node) throw new FsError('ENOENT', path);
    if (node.type === 'dir' && !opts.recursive) throw new FsError('EISDIR', path);
    parent.children.delete(name);
  }

  /** Places a node (a volume's directory) at `path`, replacing what the image had there. */
  mount(path: string, node: Node): void {
    const normal = normalizePath(path);
    if (normal === '/') return;
    const parent = this.mkdirp(dirname(normal));
    parent.children.set(basename(normal), node);
  }

  private parentDir(path: string): DirNode {
    const normal = normalizePath(path);
    const parent = this.lookup(dirname(normal));
    if (!parent) throw new FsError('ENOENT', path);
    if (parent.type !== 'dir') throw new FsError('ENOTDIR', path);
    if (parent.readOnly) throw new FsError('EROFS', path);
    return parent;
  }
}

/** A copy of a directory tree: new directory and file nodes (file contents, immutable buffers, shared); iterative. */
export function copyTree(root: DirNode): DirNode {
  const copy: DirNode = { ...root, children: new Map() };
  const stack: [DirNode, DirNode][] = [[root, copy]];
  while (stack.length) {
    const [from, to] = stack.pop()!;
    for (const [name, node] of from.children) {
      if (node.type === 'file') {
        to.children.set(name, { ...node });
        continue;
      }
      const dir: DirNode = { ...node, children: new Map() };
      to.children.set(name, dir);
      stack.push([node, dir]);
    }
  }
  return copy;
}

/**
 * Every path under `start` (itself included), depth first, parents before children, with an
 * explicit stack; `limit` bounds the count so a huge tree cannot stall the event loop unbounded.
 */
export function walk(fs: FileSystem, start: string, limit = 100_000): { path: string; node: Node }[] {
  const out: { path: string; node: Node }[] = [];
  const first = fs.lookup(start);
  if (!first) return out;
  const stack: { path: string; node: Node }[] = [{ path: normalizePath(start), node: first }];
  while (stack.length && out.length < limit) {
    const item = stack.pop()!;
    out.push(item);
    if (item.node.type !== 'dir') continue;
    const names = [...item.node.children.keys()].sort().reverse();
    for (const name of names) stack.push({ path: item.path === '/' ? `/${name}` : `${item.path}/${name}`, node: item.node.children.get(name)! });
  }
  return out;
}
