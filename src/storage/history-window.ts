// When each revision was written, coarsely, so that the background compactor can drop the
// history older than the window (kube-apiserver compacts etcd every 5 minutes the same way).
// One mark per second at most: the window is a soft bound, and memory stays small.

interface Mark {
  revision: number;
  at: number;
}

export class RevisionClock {
  private readonly marks: Mark[] = [];

  /** Notes that everything up to `revision` was written by `at` (ms). */
  record(revision: number, at: number): void {
    const last = this.marks[this.marks.length - 1];
    if (last && at - last.at < 1000) last.revision = revision;
    else this.marks.push({ revision, at });
  }

  /** The newest revision written before `cutoff`, forgetting the marks up to it; 0 if none. */
  takeWrittenBefore(cutoff: number): number {
    let revision = 0;
    while (this.marks.length && this.marks[0].at < cutoff) revision = this.marks.shift()!.revision;
    return revision;
  }
}
