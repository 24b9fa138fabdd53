// One container instance (one containerID): its filesystem and environment, built once when it
// starts, its command table, and its main process. Exec and attach find it here.
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/index.ts';
import type { ContainerStreams } from '../container-runtime.ts';
import type { LogStream } from '../logs.ts';
import { expandKubeVars, podHostname } from '../pod-functions.ts';
import type { ProjectionSources } from '../projected-volume.ts';
import { commandTable, shellNames } from './commands/index.ts';
import { buildEnv, buildFilesystem, mainArgv, type ContainerSpec } from './container-fs.ts';
import type { DirNode, FileSystem } from './filesystem.ts';
import type { ImageSpec } from './images.ts';
import { MainProcess } from './main-process.ts';
import { readableInput } from './shell/io.ts';
import type { CommandFn, Network, ShellHost } from './shell/types.ts';
import { renderTemplate } from './template.ts';

export type { ContainerSpec } from './container-fs.ts';

/** The commands an image can run, per (memoized) image spec: stateless functions, one table shared by its containers. */
const commandTables = new WeakMap<ImageSpec, Map<string, CommandFn>>();

function imageCommands(image: ImageSpec): Map<string, CommandFn> {
  let table = commandTables.get(image);
  if (!table) commandTables.set(image, (table = commandTable(image)));
  return table;
}

function commandNames(image: ImageSpec): { has(name: string): boolean } {
  return imageCommands(image);
}

export interface ContainerInstanceOptions {
  pod: KubeObject;
  spec: ContainerSpec;
  containerID: string;
  image: ImageSpec;
  client: ApiClient;
  projection: ProjectionSources;
  sharedVolumes: Map<string, DirNode>;
  network: Network;
  output(stream: LogStream, text: string): void;
  onStart(): void;
  /** The main process ended by itself (not stopped): its status. */
  onExit(exitCode: number, at: Date): void;
}

export class ContainerInstance {
  readonly containerID: string;
  readonly commands: Map<string, CommandFn>;
  ready: Promise<void>;
  fs!: FileSystem;
  env!: Record<string, string>;
  host!: ShellHost;
  main?: MainProcess;
  /** When the instance was created (its start began). */
  readonly startedAt = Date.now();
  private stopped = false;
  private stopTimer?: NodeJS.Timeout;
  private resolveReady!: () => void;

  constructor(private readonly opts: ContainerInstanceOptions) {
    this.containerID = opts.containerID;
    this.commands = imageCommands(opts.image);
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  /** Whether a container of this spec runs a program the simulated image has (a shell, a utility, an image program). */
  static runsMain(spec: ContainerSpec, image: ImageSpec): boolean {
    const argv = mainArgv(spec, image);
    if (!argv.length) return false;
    const base = argv[0].slice(argv[0].lastIndexOf('/') + 1);
    return shellNames.includes(base) || commandNames(image).has(base) || image.files?.[argv[0]] !== undefined;
  }

  /**
   * Whether the end of this container's main process ends the container: only a command the
   * pod gave, that the image can run (an image's default command, say busybox's bare `sh`,
   * keeps running as the stage bundle has always had it).
   */
  static reportsExit(spec: ContainerSpec, image: ImageSpec): boolean {
    return !!(spec.command?.length || spec.args?.length) && ContainerInstance.runsMain(spec, image);
  }

  get spec(): ContainerSpec {
    return this.opts.spec;
  }

  get image(): ImageSpec {
    return this.opts.image;
  }

  /** Builds the filesystem and environment, then starts the main process. */
  async start(): Promise<void> {
    const { pod, spec, image } = this.opts;
    try {
      const build = { pod, spec, image, commands: this.commands.keys(), sharedVolumes: this.opts.sharedVolumes, client: this.opts.client, projection: this.opts.projection };
      this.fs = await buildFilesystem(build);
      this.env = await buildEnv(build);
      this.host = { fs: this.fs, hostname: podHostname(pod), commands: this.commands, network: this.opts.network };
    } finally {
      this.resolveReady();
    }
    if (this.stopped) return;
    this.opts.onStart();
    const argv = mainArgv(spec, image).map((a) => expandKubeVars(a, this.env));
    this.main = new MainProcess({
      host: this.host, argv, env: this.env, cwd: spec.workingDir, tty: !!spec.tty, stdin: !!spec.stdin,
      prompt: (cwd) => this.prompt(cwd, argv[0]?.slice(argv[0].lastIndexOf('/') + 1)), output: (stream, text) => this.opts.output(stream, text),
    });
    this.main.done.then((code) => {
      if (!this.stopped && ContainerInstance.reportsExit(spec, image)) this.opts.onExit(code, new Date());
    }, () => undefined);
  }

  /** The prompt `shell` (sh, bash, ...) shows on a terminal in `cwd`. */
  prompt(cwd: string, shell = 'sh'): string {
    const prompts = this.opts.image.shell ?? {};
    const template = (shell === 'bash' ? prompts.bashPrompt : undefined) ?? prompts.prompt ?? '{{cwd}} # ';
    // bash shows the home directory as ~.
    const shown = shell === 'bash' && (cwd === this.env?.HOME) ? '~' : cwd;
    return renderTemplate(template, { cwd: shown, hostname: this.host?.hostname ?? '' });
  }

  /** Stops the main process now (pod deleted) or after `ms` (the kubelet saw it exit: let it finish printing). */
  stopAfter(ms: number): void {
    if (ms <= 0) return this.stop();
    this.stopTimer ??= setTimeout(() => this.stop(), ms);
    this.stopTimer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.stopTimer);
    this.main?.stop();
  }

  /** Joins the main process: its output from now on, the client's stdin to it; ends when either goes. */
  async attach(streams: ContainerStreams): Promise<void> {
    await this.ready;
    const main = this.main;
    if (!main) return;
    const unsubscribe = main.subscribe((stream, data) => {
      const out = stream === 'stderr' && !streams.tty ? streams.stderr : streams.stdout;
      out?.write(data);
    });
    if (streams.stdin) {
      const input = readableInput(streams.stdin);
      void (async () => {
        for (let c = await input.read(); c !== null; c = await input.read()) main.writeStdin(c);
        // stdinOnce: the container's stdin closes with the first attach's (kubectl run -i --rm cat).
        if (this.opts.spec.stdinOnce) main.closeStdin();
      })();
    }
    try {
      await Promise.race([
        main.done,
        new Promise<void>((resolve) => {
          if (streams.signal.aborted) return resolve();
          streams.signal.addEventListener('abort', () => resolve(), { once: true });
        }),
      ]);
    } finally {
      unsubscribe();
    }
  }
}
