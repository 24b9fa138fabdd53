// The little state every view shares: the chosen namespace ("" for all) and who is logged in.
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;

class Value<T> {
  private readonly listeners = new Set<Listener>();
  constructor(private current: T) {}
  get(): T { return this.current; }
  set(v: T): void {
    this.current = v;
    for (const l of this.listeners) l();
  }
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export const namespace = new Value<string>(sessionStorage.getItem('kubelite.console.namespace') ?? '');
namespace.subscribe(() => sessionStorage.setItem('kubelite.console.namespace', namespace.get()));

export interface Identity { username: string; groups: string[] }
export const identity = new Value<Identity | undefined>(undefined);

export function useValue<T>(v: Value<T>): T {
  const [, setTick] = useState(0);
  useEffect(() => v.subscribe(() => setTick((t) => t + 1)), [v]);
  return v.get();
}
