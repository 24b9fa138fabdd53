// The simulated containers' shell (src/kubelet/runtime/shell/): scripts, pipelines, control
// flow, exit statuses, streaming, and the interactive terminal (prompt, echo, line editing,
// Ctrl-C, Ctrl-D, exit), run against a busybox image's filesystem and commands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { commandTable } from '../src/kubelet/runtime/commands/index.ts';
import { FileSystem } from '../src/kubelet/runtime/filesystem.ts';
import { ImageCatalog } from '../src/kubelet/runtime/images.ts';
import { runInteractive } from '../src/kubelet/runtime/shell/interactive.ts';
import { ExitSignal, Shell } from '../src/kubelet/runtime/shell/interpreter.ts';
import { Collector, Pipe, readableInput, type Output } from '../src/kubelet/runtime/shell/io.ts';
import { Tty } from '../src/kubelet/runtime/shell/tty.ts';
import type { ShellHost } from '../src/kubelet/runtime/shell/types.ts';
import { PodNetwork } from '../src/kubelet/runtime/network.ts';
import { until } from './support/wait.ts';

const waitFor = (check: () => boolean, opts: { what: string }) => until(opts.what, async () => check(), 15_000, 10);

const busybox = ImageCatalog.load().resolve('busybox:1.36');

function host(): ShellHost {
  const fs = new FileSystem();
  fs.mkdirp('/tmp');
  fs.mkdirp('/etc');
  fs.writeFile('/etc/hostname', 'web-0\n');
  return { fs, hostname: 'web-0', commands: commandTable(busybox) };
}

async function sh(script: string, opts: { host?: ShellHost; stdin?: string; env?: Record<string, string> } = {}) {
  const stdout = new Collector();
  const stderr = new Collector();
  const shell = new Shell(opts.host ?? host(), { env: { HOME: '/root', ...opts.env }, signal: new AbortController().signal });
  const input = new Pipe();
  if (opts.stdin !== undefined) void input.write(opts.stdin).then(() => input.close());
  else input.close();
  let code: number;
  try {
    code = await shell.runScript(script, { stdin: input, stdout, stderr });
  } catch (err) {
    if (!(err instanceof ExitSignal)) throw err;
    code = err.code;
  }
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('shell scripts', () => {
  it('runs for loops over command substitution, as `for i in $(seq 1 3)`', async () => {
    const r = await sh('for i in $(seq 1 3); do echo "line $i"; done');
    assert.deepEqual(r, { code: 0, out: 'line 1\nline 2\nline 3\n', err: '' });
  });

  it('joins with ; && || and reports $? of the last command', async () => {
    assert.equal((await sh('false && echo no || echo yes; echo $?')).out, 'yes\n0\n');
    assert.equal((await sh('true; false; echo $?')).out, '1\n');
    assert.equal((await sh('! true; echo $?')).out, '1\n');
  });

  it('pipes commands into one another, and head ends an endless producer', async () => {
    assert.equal((await sh('printf "b\\na\\nc\\n" | grep -v a | wc -l')).out.trim(), '2');
    const r = await sh('seq 1 1000000000 | head -n 3');
    assert.deepEqual(r, { code: 0, out: '1\n2\n3\n', err: '' });
  });

  it('has variables, quoting and parameter expansion', async () => {
    const r = await sh(`X=world; Y="a  b"; echo "hello $X" '$X' \${UNSET:-fallback} \${#X} $Y "$Y"`);
    assert.equal(r.out, 'hello world $X fallback 5 a b a  b\n');
  });

  it('runs if/elif/else, while with arithmetic, until, break and continue', async () => {
    assert.equal((await sh('if [ 1 -gt 2 ]; then echo a; elif [ -d /tmp ]; then echo b; else echo c; fi')).out, 'b\n');
    assert.equal((await sh('i=0; while [ $i -lt 5 ]; do i=$((i+1)); [ $i -eq 2 ] && continue; [ $i -eq 4 ] && break; echo $i; done')).out, '1\n3\n');
    assert.equal((await sh('n=3; until [ $n -eq 0 ]; do echo $n; n=$((n-1)); done')).out, '3\n2\n1\n');
  });

  it('exits with exit N, and an unknown command is sh: X: not found with 127', async () => {
    assert.equal((await sh('echo before; exit 3; echo after')).code, 3);
    assert.deepEqual(await sh('nosuchprogram'), { code: 127, out: '', err: 'sh: nosuchprogram: not found\n' });
    assert.equal((await sh('sh -c "exit 4"; echo $?')).out, '4\n');
  });

  it('reports syntax errors with status 2', async () => {
    const r = await sh('if true; then echo x');
    assert.equal(r.code, 2);
    assert.match(r.err, /syntax error/);
  });

  it('writes and reads files with redirections, ls, cat, wc, mkdir, rm and touch', async () => {
    const h = host();
    const r = await sh('mkdir -p /data/a && echo one > /data/a/f && echo two >> /data/a/f && touch /data/b; ls /data; cat /data/a/f | wc -l; rm -r /data/a; ls /data; cat /nope', { host: h });
    assert.equal(r.out, 'a\nb\n2\nb\n');
    assert.equal(r.err, "cat: can't open '/nope': No such file or directory\n");
    assert.equal(r.code, 1);
  });

  it('reads stdin: cat, read in a loop, grep', async () => {
    assert.equal((await sh('cat', { stdin: 'abc\n' })).out, 'abc\n');
    assert.equal((await sh('while read a b; do echo "$b-$a"; done', { stdin: '1 2\n3 4\n' })).out, '2-1\n4-3\n');
    assert.equal((await sh('grep -c x', { stdin: 'x\ny\nxx\n' })).out, '2\n');
  });

  it('has env, hostname, date, printf, head and tail', async () => {
    const r = await sh('hostname; env | grep ^GREETING=; printf "%s-%03d\\n" a 7; seq 5 | tail -n 2; seq 5 | head -2; date +%Y-%m-%d', { env: { GREETING: 'hi' } });
    const lines = r.out.trim().split('\n');
    assert.deepEqual(lines.slice(0, 7), ['web-0', 'GREETING=hi', 'a-007', '4', '5', '1', '2']);
    assert.match(lines[7], /^\d{4}-\d{2}-\d{2}$/);
  });

  it('streams output as it is written: a date loop prints before it ends', async () => {
    const chunks: string[] = [];
    const out: Output = { write: async (d) => void chunks.push(d.toString()) };
    const controller = new AbortController();
    const shell = new Shell(host(), { env: {}, signal: controller.signal });
    const run = shell.runScript('while true; do echo tick; sleep 0.05; done', { stdin: new Pipe(), stdout: out, stderr: out });
    await waitFor(() => chunks.length >= 3, { what: 'three ticks while the loop still runs' });
    controller.abort();
    assert.equal(await run, 130);
    assert.ok(chunks.every((c) => c === 'tick\n'));
  });

  it('runs a script read from stdin as it arrives (sh with no arguments)', async () => {
    const r = await sh('sh', { stdin: 'X=2\nif [ $X = 2 ]; then\n  echo two\nfi\nexit 5\necho never\n' });
    assert.deepEqual(r, { code: 5, out: 'two\n', err: '' });
  });

  it('gzip and gunzip round-trip', async () => {
    const r = await sh('echo compressed text | gzip | gunzip');
    assert.equal(r.out, 'compressed text\n');
  });
});

describe('interactive shell on a terminal', () => {
  function terminal() {
    const keyboard = new PassThrough();
    const screen: string[] = [];
    const out: Output = { write: async (d) => void screen.push(d.toString().replace(/\r?\n/g, '\r\n')) };
    const controller = new AbortController();
    const shell = new Shell(host(), { env: {}, signal: controller.signal });
    const tty = new Tty(readableInput(keyboard), out);
    const done = runInteractive(shell, tty, { stdin: tty, stdout: out, stderr: out }, { prompt: (cwd) => `${cwd} # ` });
    const text = () => screen.join('');
    return { keyboard, text, done, controller };
  }

  it('prints the prompt, echoes what is typed, runs the line and prompts again; exit ends it with its code', async () => {
    const t = terminal();
    await waitFor(() => t.text() === '/ # ', { what: 'the first prompt' });
    t.keyboard.write('echo hi\r');
    await waitFor(() => t.text().endsWith('hi\r\n/ # '), { what: 'the output and the next prompt' });
    assert.equal(t.text(), '/ # echo hi\r\nhi\r\n/ # ');
    t.keyboard.write('cd /tmp\r');
    await waitFor(() => t.text().endsWith('/tmp # '), { what: 'the prompt showing the new directory' });
    t.keyboard.write('exit 7\r');
    assert.equal(await t.done, 7);
  });

  it('edits the line: backspace and Ctrl-U erase what was typed', async () => {
    const t = terminal();
    await waitFor(() => t.text() === '/ # ', { what: 'the prompt' });
    t.keyboard.write('echo abx\x7fc\r');
    await waitFor(() => t.text().includes('abc\r\n'), { what: 'the edited line run' });
    t.keyboard.write('garbage\x15echo clean\r');
    await waitFor(() => t.text().includes('clean\r\n'), { what: 'the line typed after Ctrl-U' });
    assert.ok(!t.text().includes('garbage: not found'));
    t.keyboard.write('\x04');
    assert.equal(await t.done, 0);
  });

  it('Ctrl-C interrupts the running command (sleep) and returns to the prompt; Ctrl-D on an empty line ends the shell', async () => {
    const t = terminal();
    await waitFor(() => t.text() === '/ # ', { what: 'the prompt' });
    t.keyboard.write('sleep 1000\r');
    await waitFor(() => t.text().endsWith('sleep 1000\r\n'), { what: 'sleep running' });
    t.keyboard.write('\x03');
    await waitFor(() => t.text().endsWith('^C\r\n/ # '), { what: 'the prompt after Ctrl-C' });
    t.keyboard.write('echo $?\r');
    await waitFor(() => t.text().includes('130\r\n'), { what: "the interrupted command's status" });
    t.keyboard.write('\x04');
    assert.equal(await t.done, 0);
  });

  it('asks for more with > while a command is incomplete', async () => {
    const t = terminal();
    await waitFor(() => t.text() === '/ # ', { what: 'the prompt' });
    t.keyboard.write('for i in 1 2\r');
    await waitFor(() => t.text().endsWith('> '), { what: 'the continuation prompt' });
    t.keyboard.write('do echo n$i; done\r');
    await waitFor(() => t.text().endsWith('n2\r\n/ # '), { what: 'the loop output' });
    t.keyboard.end();
    assert.equal(await t.done, 0);
  });
});

describe('the pod network from the shell', () => {
  function networked(): { host: ShellHost; pod: PodNetwork } {
    const pod = new PodNetwork('10.244.0.9');
    const h = host();
    h.network = {
      podIP: pod.podIP,
      listen: (port, onConnection) => pod.listen(port, onConnection),
      dial: async (hostname, port) => {
        if (hostname !== 'localhost' && hostname !== pod.podIP) throw Object.assign(new Error(`bad address '${hostname}'`), { code: 'ENOTFOUND' });
        return pod.connect(port, '127.0.0.1');
      },
    };
    return { host: h, pod };
  }

  it('nc -l -p PORT prints what a client sends and ends when it closes', async () => {
    const { host: h, pod } = networked();
    const listening = sh('nc -l -p 9000', { host: h });
    await waitFor(() => pod.listening(9000), { what: 'nc listening' });
    const socket = pod.connect(9000, '10.244.0.7');
    socket.end('hello over nc\n');
    const r = await listening;
    assert.deepEqual(r, { code: 0, out: 'hello over nc\n', err: '' });
    assert.ok(!pod.listening(9000), 'the port is closed after one connection');
  });

  it("busybox httpd in the background serves files that wget and curl fetch over localhost", async () => {
    const { host: h } = networked();
    const r = await sh([
      'mkdir -p /www && echo page > /www/index.html',
      'httpd -p 8080 -h /www',
      'wget -qO- http://localhost:8080/',
      'curl -s -o /dev/null -w "%{http_code}\\n" http://localhost:8080/missing',
      'wget -qO- http://nowhere:80/ || echo "exit $?"',
    ].join('\n'), { host: h });
    assert.equal(r.out, 'page\n404\nexit 1\n');
    assert.match(r.err, /wget: bad address 'nowhere'/);
  });
});
