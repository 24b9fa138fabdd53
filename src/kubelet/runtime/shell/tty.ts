// A terminal's line discipline in canonical mode (termios ICANON|ECHO|ISIG, as a container's
// pty starts): typed bytes are echoed and edited in a line buffer (backspace, Ctrl-U, Ctrl-W),
// a line is delivered on Enter, Ctrl-D on an empty line is end-of-file for one read, Ctrl-C
// interrupts the foreground command (or discards the line being typed). Arrow-key escape
// sequences are swallowed rather than echoed.
import type { Input, Output } from './io.ts';

export type TtyEvent = Buffer | 'eof' | 'interrupt';

export class Tty implements Input {
  private line = '';
  private readonly ready: TtyEvent[] = [];
  private wake?: () => void;
  private closed = false;
  private escape = false;
  private lastCR = false;
  /** Set while a command runs: Ctrl-C calls it instead of queueing an interrupt for the prompt. */
  onInterrupt?: () => void;

  constructor(private readonly raw: Input, private readonly echo: Output) {
    void this.pump();
  }

  /** The next line (with its newline) for a command; null at Ctrl-D or when the client is gone. */
  async read(): Promise<Buffer | null> {
    for (;;) {
      const ev = await this.next();
      if (ev === 'interrupt') continue;
      return ev === 'eof' ? null : ev;
    }
  }

  /** The next event for the prompt: a line, end-of-file, or a Ctrl-C while typing. */
  async next(): Promise<TtyEvent> {
    while (!this.ready.length) {
      if (this.closed) return 'eof';
      await new Promise<void>((r) => (this.wake = r));
    }
    return this.ready.shift()!;
  }

  private push(ev: TtyEvent): void {
    this.ready.push(ev);
    this.wake?.();
  }

  private async pump(): Promise<void> {
    for (let chunk = await this.raw.read(); chunk !== null; chunk = await this.raw.read()) {
      let echo = '';
      for (const ch of chunk.toString('utf8')) echo += this.key(ch);
      if (echo) await this.echo.write(echo).catch(() => undefined);
    }
    this.closed = true;
    this.wake?.();
  }

  /** One typed character: what to echo. */
  private key(ch: string): string {
    // Enter arrives as \r from a terminal; a \n right after it is the same line ending.
    const afterCR = this.lastCR;
    this.lastCR = ch === '\r';
    if (ch === '\n' && afterCR) return '';
    if (this.escape) {
      if (/[A-Za-z~]/.test(ch)) this.escape = false;
      return '';
    }
    switch (ch) {
      case '\x1b':
        this.escape = true;
        return '';
      case '\x03': {
        this.line = '';
        if (this.onInterrupt) this.onInterrupt();
        else this.push('interrupt');
        return '^C\r\n';
      }
      case '\x04':
        if (this.line) return '';
        this.push('eof');
        return '';
      case '\x7f':
      case '\b':
        if (!this.line) return '';
        this.line = [...this.line].slice(0, -1).join('');
        return '\b \b';
      case '\x15': {
        const erase = '\b \b'.repeat([...this.line].length);
        this.line = '';
        return erase;
      }
      case '\x17': {
        const kept = this.line.replace(/\S+\s*$/, '');
        const erase = '\b \b'.repeat([...this.line].length - [...kept].length);
        this.line = kept;
        return erase;
      }
      case '\r':
      case '\n': {
        const line = this.line;
        this.line = '';
        this.push(Buffer.from(`${line}\n`));
        return '\r\n';
      }
      default:
        if (ch < ' ' && ch !== '\t') return '';
        this.line += ch;
        return ch;
    }
  }
}
