// An image's programs as commands of its containers: on start a program prints its lines,
// serves its ports on the pod network (see http-server.ts), then runs until it is stopped
// (Ctrl-C, the exec's client leaving, the container stopping), unless the image says it exits
// or detaches. The same command serves whether it is the container's main process or typed
// in `kubectl exec` (busybox `httpd -p 8080`).
import { Collector } from './shell/io.ts';
import { Interrupted, type CommandContext, type CommandFn } from './shell/types.ts';
import { createImageServer } from './http-server.ts';
import { findProgram, type ImageSpec, type ProgramSpec } from './images.ts';
import { hasFlag, portOf, programValues, renderTemplate, type TemplateValue } from './template.ts';

/** One command per first word of the image's program keys, choosing the program by the argv. */
export function programCommands(image: ImageSpec): Record<string, CommandFn> {
  const out: Record<string, CommandFn> = {};
  for (const key of Object.keys(image.programs ?? {})) {
    const name = key.split(/\s+/)[0];
    out[name] = async (ctx) => {
      const found = findProgram(image, ctx.argv);
      if (!found) {
        await ctx.stderr.write(`${name}: this simulated image does not know "${ctx.argv.slice(1).join(' ')}"\n`);
        return 1;
      }
      return runProgram(found.spec, found.args, ctx);
    };
  }
  return out;
}

export async function runProgram(spec: ProgramSpec, args: string[], ctx: CommandContext): Promise<number> {
  const network = ctx.host.network;
  const values: Record<string, TemplateValue> = {
    ...programValues(args), hostname: ctx.host.hostname, podIP: network?.podIP ?? '127.0.0.1', cwd: ctx.cwd,
  };
  for (const line of spec.stdout ?? []) await ctx.stdout.write(`${renderTemplate(line, values)}\n`);
  for (const line of spec.stderr ?? []) await ctx.stderr.write(`${renderTemplate(line, values)}\n`);
  const closers: (() => void)[] = [];
  for (const listen of spec.listen ?? []) {
    const port = portOf(renderTemplate(String(listen.port), values));
    if (!network || !Number.isInteger(port)) continue;
    const log = listen.accessLogStream === 'stderr' ? ctx.stderr : ctx.stdout;
    const server = createImageServer({ ...listen, root: listen.root && renderTemplate(listen.root, values) }, {
      fs: ctx.host.fs,
      values,
      accessLog: (line) => void log.write(`${line}\n`).catch(() => undefined),
      shell: async (cmd) => {
        const out = new Collector();
        const err = new Collector();
        await ctx.runShell(['sh', '-c', cmd], { stdin: { read: async () => null }, stdout: out, stderr: err });
        return { output: out.text(), error: err.text() };
      },
    });
    try {
      closers.push(network.listen(port, (socket) => server.emit('connection', socket)));
    } catch (err) {
      for (const close of closers) close();
      await ctx.stderr.write(`bind() to 0.0.0.0:${port} failed (98: ${(err as Error).message})\n`);
      return 1;
    }
  }
  const closeAll = () => closers.forEach((close) => close());
  if (spec.exit !== undefined) {
    closeAll();
    return spec.exit;
  }
  if (spec.detachUnlessFlag && !hasFlag(args, spec.detachUnlessFlag)) return 0;
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  closeAll();
  throw new Interrupted();
}
