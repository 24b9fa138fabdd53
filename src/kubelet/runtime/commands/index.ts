// The commands a container can run: the shells, the busybox-like utilities, and its image's
// programs (nginx, agnhost netexec, ...), minus what the image says it lacks. The same names
// appear as files in /bin, so `ls /bin` and `[ -x /bin/tar ]` agree with what runs.
import type { ImageSpec } from '../images.ts';
import { programCommands } from '../programs.ts';
import type { CommandFn } from '../shell/types.ts';
import { archiveCommands } from './archive.ts';
import { basicCommands } from './basic.ts';
import { fileCommands } from './files.ts';
import { netCommands } from './net.ts';

export const shellNames = ['sh', 'bash', 'ash', 'dash'];

const shell: CommandFn = (ctx) => ctx.runShell(ctx.argv, ctx);

export function commandTable(image: ImageSpec): Map<string, CommandFn> {
  const table = new Map<string, CommandFn>();
  const all = { ...basicCommands, ...fileCommands, ...archiveCommands, ...netCommands, ...Object.fromEntries(shellNames.map((n) => [n, shell])) };
  const without = new Set(image.without ?? []);
  if (!without.has('*')) for (const [name, fn] of Object.entries(all)) if (!without.has(name)) table.set(name, fn);
  for (const [name, fn] of Object.entries(programCommands(image))) table.set(name, fn);
  return table;
}
