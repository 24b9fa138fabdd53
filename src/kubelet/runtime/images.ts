// Images as data: `images/*.yaml`, one file per image, each laid over images/base.yaml. An
// image names the repositories it stands for, its entrypoint and cmd (what runs when the pod
// gives no command, as the OCI config does), environment, files, shell prompt and programs:
// what a program prints when it starts, which ports it serves and how (see programs.ts).
// Users add an image by adding a file; no code changes.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { packageRoot } from '../../package-root.ts';

export interface RouteSpec {
  /** An exact path, or `*` for any. */
  path: string;
  status?: number;
  body?: string;
  contentType?: string;
  /** `shell`: runs ?cmd= in the container and answers {"output": ...}, as agnhost netexec's /shell. */
  action?: 'shell';
}

export interface ListenSpec {
  /** A number or a template (`{{flag http-port 8080}}`); `:5678` style addresses give their port. */
  port: number | string;
  serve: 'static' | 'routes';
  root?: string;
  index?: string;
  /** Directories without an index are listed (python's http.server) instead of 403/404. */
  listing?: boolean;
  routes?: RouteSpec[];
  headers?: Record<string, string>;
  notFound?: string;
  /** One line per request, a template over the request (see docs/images.md). */
  accessLog?: string;
  accessLogStream?: 'stdout' | 'stderr';
}

export interface ProgramSpec {
  stdout?: string[];
  stderr?: string[];
  listen?: ListenSpec[];
  /** Exit at once with this status after printing (otherwise the program runs until stopped). */
  exit?: number;
  /** Returns at once, its servers left running, unless this flag is given (busybox httpd's -f). */
  detachUnlessFlag?: string;
}

export interface ImageSpec {
  name: string;
  /** Repositories, normalized: no registry for Docker Hub, no `library/`, no tag or digest. */
  match: string[];
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  dirs?: string[];
  files?: Record<string, string>;
  /** The interactive prompt of sh/ash/dash and of bash; `{{cwd}}` and `{{hostname}}` may be used. */
  shell?: { prompt?: string; bashPrompt?: string };
  /** Keyed by argv prefix: `nginx`, `agnhost netexec`, `python -m http.server`. */
  programs?: Record<string, ProgramSpec>;
  /** Commands this image lacks (`wget` in an image without it); `*` for all but its programs (a scratch image). */
  without?: string[];
}

export const imagesDir = `${packageRoot}images/`;

/** Docker Hub's library images and tags stripped: `docker.io/library/nginx:1.27` → `nginx`. */
export function repositoryOf(image: string): string {
  let ref = image.split('@')[0];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  ref = ref.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return ref.replace(/^library\//, '');
}

export class ImageCatalog {
  readonly base: ImageSpec;
  private readonly images: ImageSpec[];

  constructor(specs: ImageSpec[]) {
    this.base = specs.find((s) => s.name === 'base') ?? { name: 'base', match: [] };
    this.images = specs.filter((s) => s.name !== 'base');
  }

  static load(dir = imagesDir): ImageCatalog {
    const specs: ImageSpec[] = [];
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const spec = parse(readFileSync(`${dir}${file}`, 'utf8')) as ImageSpec;
      if (!spec?.name || !Array.isArray(spec.match)) throw new Error(`${dir}${file}: an image needs name and match`);
      specs.push(spec);
    }
    return new ImageCatalog(specs);
  }

  private readonly resolved = new Map<string, ImageSpec>();

  /** The image for a container's image reference: a known one laid over base, or base alone (memoized: asked for on every pod sync). */
  resolve(image: string): ImageSpec {
    let spec = this.resolved.get(image);
    if (!spec) {
      if (this.resolved.size > 10_000) this.resolved.clear();
      this.resolved.set(image, (spec = this.merge(image)));
    }
    return spec;
  }

  private merge(image: string): ImageSpec {
    const repo = repositoryOf(image);
    const known = this.images.find((s) => s.match.includes(repo));
    if (!known) return { ...this.base, name: repo };
    return {
      ...this.base, ...known,
      env: { ...this.base.env, ...known.env },
      dirs: [...(this.base.dirs ?? []), ...(known.dirs ?? [])],
      files: { ...this.base.files, ...known.files },
      shell: { ...this.base.shell, ...known.shell },
      programs: { ...this.base.programs, ...known.programs },
    };
  }
}

/** The program an argv runs: the longest `programs` key its words start with (argv[0] by basename). */
export function findProgram(image: ImageSpec, argv: string[]): { spec: ProgramSpec; args: string[] } | undefined {
  const words = [argv[0]?.slice(argv[0].lastIndexOf('/') + 1) ?? '', ...argv.slice(1)];
  let best: { spec: ProgramSpec; args: string[]; length: number } | undefined;
  for (const [key, spec] of Object.entries(image.programs ?? {})) {
    const prefix = key.split(/\s+/);
    if (prefix.every((w, i) => words[i] === w) && (!best || prefix.length > best.length)) {
      best = { spec, args: argv.slice(prefix.length), length: prefix.length };
    }
  }
  return best && { spec: best.spec, args: best.args };
}
