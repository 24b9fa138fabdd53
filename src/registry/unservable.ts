// Stored objects the server cannot serve: a record that does not parse, or a CRD whose schema
// cannot be installed. kube-apiserver keeps running past such data (the cacher logs a decode
// error and skips the object; the CRD handler logs and leaves the CRD unestablished), and so
// does kubelite: each one is logged once, listed on `/readyz?verbose` and counted in
// `/metrics` (kubelite_unservable_stored_objects), and left in place for its owner to delete.

export interface UnservableObject {
  /** The storage key, e.g. /registry/apiextensions.k8s.io/customresourcedefinitions/foo.example.com. */
  key: string;
  reason: string;
}

export class UnservableObjects {
  private readonly byKey = new Map<string, string>();

  /** Records a problem; true when it is new (so the caller logs it once). */
  report(key: string, reason: string): boolean {
    const isNew = this.byKey.get(key) !== reason;
    this.byKey.set(key, reason.length > 256 ? `${reason.slice(0, 256)}...` : reason);
    return isNew;
  }

  clear(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  list(): UnservableObject[] {
    return [...this.byKey].map(([key, reason]) => ({ key, reason }));
  }
}
