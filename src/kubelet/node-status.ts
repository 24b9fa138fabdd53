// When a simulated node posts its NodeStatus, as the kubelet's node status manager decides
// with leases on (pkg/kubelet/kubelet_node_status.go): every nodeStatusUpdateFrequency (10 s)
// it compares the status it would post with the Node the API server holds, and posts when they
// differ (ignoring heartbeat times) or when nodeStatusReportFrequency (5 min) has passed since
// its last post. So a node the node lifecycle controller marked Unknown while the kubelet was
// slow is Ready again within 10 s, and 1,000 healthy nodes cost 3 status writes a second.
// The Nodes are read from one informer for all of this process's nodes, not a GET per check.
import type { KubeObject } from '../api/types.ts';
import { resources, SharedInformer, type ApiClient } from '../client/index.ts';
import { nodeStatus, postNodeStatus, type resolveNode } from './node.ts';

type ResolvedNode = ReturnType<typeof resolveNode>;

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** The parts of a status that make it "changed" for the kubelet: conditions (without their times) and the kubelet endpoint. */
function essence(status: Record<string, any> | undefined): string {
  const conditions = ((status?.conditions ?? []) as Condition[])
    .map((c) => [c.type, c.status, c.reason, c.message])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return JSON.stringify([conditions, status?.daemonEndpoints?.kubeletEndpoint?.Port ?? null]);
}

export class NodeStatusManager {
  private readonly nodes: SharedInformer<KubeObject>;
  private readonly lastPosted = new Map<string, number>();

  constructor(private readonly client: ApiClient, private readonly reportFrequencyMs: number) {
    // Compared by conditions and endpoint only: managedFields need not be kept for 1,000 Nodes.
    this.nodes = new SharedInformer(client, resources.nodes, { stripManagedFields: true });
  }

  /** Starts the Node informer and waits for its first list, at most `syncWaitMs`: until it has one, every check posts. */
  async start(syncWaitMs = 10_000): Promise<void> {
    this.nodes.run();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.nodes.waitForSync(), new Promise<void>((resolve) => (timer = setTimeout(resolve, syncWaitMs)))]);
    clearTimeout(timer);
  }

  stop(): Promise<void> {
    return this.nodes.stop();
  }

  /** Counts the node's registration (its status went with the create) as a post. */
  registered(name: string): void {
    this.lastPosted.set(name, Date.now());
  }

  /** One nodeStatusUpdateFrequency tick for one node: post if changed or due. */
  async sync(config: ResolvedNode): Promise<void> {
    const now = Date.now();
    const due = now - (this.lastPosted.get(config.name) ?? 0) >= this.reportFrequencyMs;
    const current = this.nodes.store.get(config.name);
    if (!due && current && essence(current.status) === essence(nodeStatus(config, new Date(now), current.status))) return;
    await postNodeStatus(this.client, config);
    this.lastPosted.set(config.name, now);
  }
}
