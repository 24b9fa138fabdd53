// A container's root filesystem and environment at start, as the kubelet and the image make
// them: the image's directories and files, its commands in /bin, the kubelet-managed
// /etc/hostname, /etc/hosts and /etc/resolv.conf, then the volume mounts — configMap, secret,
// downwardAPI and projected volumes as read-only directories, emptyDir (and hostPath/PVC
// stand-ins) as directories the pod's containers share for the pod's life.
import type { KubeObject } from '../../api/types.ts';
import { resources, type ApiClient } from '../../client/index.ts';
import { containerEnv, podHostname } from '../pod-functions.ts';
import { projectedFiles, type ProjectedSource, type ProjectionSources } from '../projected-volume.ts';
import { copyTree, FileSystem, newDir, type DirNode, type Node } from './filesystem.ts';
import type { ImageSpec } from './images.ts';

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  workingDir?: string;
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { prefix?: string; configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

export interface BuildContext {
  pod: KubeObject;
  spec: ContainerSpec;
  image: ImageSpec;
  commands: Iterable<string>;
  /** The pod's emptyDir (and hostPath/PVC stand-in) directories, by volume name. */
  sharedVolumes: Map<string, DirNode>;
  client: ApiClient;
  projection: ProjectionSources;
  nodeIP?: string;
}

/** The cluster DNS Service's address, as kubeadm's default --cluster-dns. */
export const clusterDNS = '10.96.0.10';

/**
 * The image's own files — its directories, a stand-in binary per command in /bin, the
 * entrypoint, the files its spec lists — built once per image and shared as a template, as a
 * container runtime unpacks an image's layers once and gives each container a copy-on-write
 * view of them. Each container gets its own copy of the tree (directories and file nodes;
 * the contents are immutable buffers, shared).
 */
const imageLayers = new WeakMap<ImageSpec, DirNode>();

function imageLayer(image: ImageSpec, commands: Iterable<string>): DirNode {
  let layer = imageLayers.get(image);
  if (layer) return layer;
  const fs = new FileSystem();
  for (const dir of image.dirs ?? []) fs.mkdirp(dir);
  fs.mkdirp('/bin');
  for (const name of commands) if (!fs.lookup(`/bin/${name}`)) fs.writeFile(`/bin/${name}`, '\x7fELF', { mode: 0o755 });
  // The entrypoint binary (/agnhost, /http-echo) is where the image config says it is.
  const entry = image.entrypoint?.[0];
  if (entry?.startsWith('/') && !image.files?.[entry]) {
    fs.mkdirp(entry.slice(0, entry.lastIndexOf('/')) || '/');
    fs.writeFile(entry, '\x7fELF', { mode: 0o755 });
  }
  for (const [path, text] of Object.entries(image.files ?? {})) {
    fs.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/');
    fs.writeFile(path, text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
  }
  layer = fs.root;
  imageLayers.set(image, layer);
  return layer;
}

export async function buildFilesystem(ctx: BuildContext): Promise<FileSystem> {
  const { pod, image } = ctx;
  const fs = new FileSystem(copyTree(imageLayer(image, ctx.commands)));
  const hostname = podHostname(pod);
  const podIP = pod.status?.podIP ?? '';
  fs.mkdirp('/etc');
  fs.writeFile('/etc/hostname', `${hostname}\n`);
  fs.writeFile('/etc/hosts', hostsFile(hostname, podIP, pod));
  fs.writeFile('/etc/resolv.conf', `search ${pod.metadata.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${clusterDNS}\noptions ndots:5\n`);
  for (const mount of ctx.spec.volumeMounts ?? []) {
    const volume = (pod.spec?.volumes ?? []).find((v: { name: string }) => v.name === mount.name);
    if (!volume) continue;
    const node = await volumeNode(ctx, volume);
    if (!node) continue;
    if (mount.subPath) {
      const inner = node.type === 'dir' ? node.children.get(mount.subPath) : undefined;
      if (inner) fs.mount(mount.mountPath, inner);
    } else fs.mount(mount.mountPath, node);
  }
  if (ctx.spec.workingDir) fs.mkdirp(ctx.spec.workingDir);
  return fs;
}

/** The kubelet's managed /etc/hosts (kubelet_pods.go managedHostsFileContent). */
function hostsFile(hostname: string, podIP: string, pod: KubeObject): string {
  const lines = [
    '# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters',
  ];
  if (podIP) {
    const fqdn = pod.spec?.subdomain ? `${hostname}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.cluster.local\t` : '';
    lines.push(`${podIP}\t${fqdn}${hostname}`);
  }
  for (const alias of (pod.spec?.hostAliases ?? []) as { ip: string; hostnames?: string[] }[]) lines.push(`${alias.ip}\t${(alias.hostnames ?? []).join('\t')}`);
  return `${lines.join('\n')}\n`;
}

async function volumeNode(ctx: BuildContext, volume: any): Promise<Node | undefined> {
  if (volume.emptyDir || volume.hostPath || volume.persistentVolumeClaim || volume.ephemeral) {
    let dir = ctx.sharedVolumes.get(volume.name);
    if (!dir) ctx.sharedVolumes.set(volume.name, (dir = newDir(0o777)));
    return dir;
  }
  let sources: ProjectedSource[] | undefined;
  if (volume.projected) sources = volume.projected.sources ?? [];
  else if (volume.configMap) sources = [{ configMap: volume.configMap }];
  else if (volume.secret) sources = [{ secret: { name: volume.secret.secretName, items: volume.secret.items, optional: volume.secret.optional } }];
  else if (volume.downwardAPI) sources = [{ downwardAPI: volume.downwardAPI }];
  if (!sources) return undefined;
  const files = await projectedFiles(ctx.pod, sources, ctx.projection);
  const vfs = new FileSystem();
  for (const [path, text] of Object.entries(files)) {
    vfs.mkdirp(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '/');
    vfs.writeFile(`/${path}`, text);
  }
  vfs.root.readOnly = true;
  return vfs.root;
}

/** The container's environment: the image's, HOSTNAME, the service links, then the pod spec's (resolved). */
export async function buildEnv(ctx: BuildContext): Promise<Record<string, string>> {
  const { pod, spec, client } = ctx;
  const ns = pod.metadata.namespace!;
  const read = (kind: 'configMaps' | 'secrets', name: string) => ctx.projection.config.read(kind, ns, name);
  const configMaps = new Map<string, Record<string, string> | undefined>();
  const secrets = new Map<string, Record<string, string> | undefined>();
  for (const from of spec.envFrom ?? []) {
    if (from.configMapRef) configMaps.set(from.configMapRef.name, await read('configMaps', from.configMapRef.name));
    if (from.secretRef) secrets.set(from.secretRef.name, await read('secrets', from.secretRef.name));
  }
  for (const e of spec.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    const sec = e.valueFrom?.secretKeyRef;
    if (cm && !configMaps.has(cm.name)) configMaps.set(cm.name, await read('configMaps', cm.name));
    if (sec && !secrets.has(sec.name)) secrets.set(sec.name, await read('secrets', sec.name));
  }
  const own = containerEnv(pod, spec as never, {
    podIP: pod.status?.podIP, nodeIP: ctx.nodeIP ?? pod.status?.hostIP,
    sources: { configMap: (n) => configMaps.get(n), secret: (n) => secrets.get(n) },
  });
  return { ...ctx.image.env, HOSTNAME: podHostname(pod), ...(await serviceEnv(client)), ...own };
}

/** The kubernetes Service's variables, read once a minute rather than once per container (one GET serves every pod start). */
const serviceEnvCache = new WeakMap<ApiClient, { at: number; env: Promise<Record<string, string>> }>();
const serviceEnvTtlMs = 60_000;

function serviceEnv(client: ApiClient): Promise<Record<string, string>> {
  const cached = serviceEnvCache.get(client);
  if (cached && Date.now() - cached.at < serviceEnvTtlMs) return cached.env;
  const env = readServiceEnv(client);
  serviceEnvCache.set(client, { at: Date.now(), env });
  // Not there yet (a fresh cluster): ask again next time.
  void env.then((e) => {
    if (!Object.keys(e).length && serviceEnvCache.get(client)?.env === env) serviceEnvCache.delete(client);
  });
  return env;
}

/** The default/kubernetes Service's variables every container gets (enableServiceLinks' core). */
async function readServiceEnv(client: ApiClient): Promise<Record<string, string>> {
  try {
    const svc = await client.get(resources.services, 'kubernetes', { namespace: 'default' });
    const ip = svc.spec?.clusterIP;
    if (!ip) return {};
    return {
      KUBERNETES_SERVICE_HOST: ip, KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: `tcp://${ip}:443`, KUBERNETES_PORT_443_TCP: `tcp://${ip}:443`,
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp', KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: ip,
    };
  } catch {
    return {};
  }
}

/** What runs as the container's main process: command+args, else the image's entrypoint with args or cmd (as the OCI config merges them). */
export function mainArgv(spec: ContainerSpec, image: ImageSpec): string[] {
  if (spec.command?.length) return [...spec.command, ...(spec.args ?? [])];
  return [...(image.entrypoint ?? []), ...(spec.args ?? image.cmd ?? [])];
}
