// The admission chain, as k8s.io/apiserver's admission.chainAdmissionHandler: every plugin's
// admit (mutating) in the order of plugins.ts, then later every plugin's validate. The first
// refusal ends the request with the plugin's StatusError.
import type { UserInfo } from '../api/authorization.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.ts';

/** Who a write is made by when it does not come through the HTTP handler: the apiserver's loopback client. */
export const loopbackUser: UserInfo = { username: 'system:apiserver', uid: '', groups: ['system:masters', 'system:authenticated'] };

export class AdmissionChain {
  private plugins: AdmissionPlugin[];

  constructor(plugins: AdmissionPlugin[] = []) {
    this.plugins = plugins;
  }

  /** Replaces the plugin list (the apiserver installs the full list once the registry exists). */
  use(plugins: AdmissionPlugin[]): void {
    this.plugins = plugins;
  }

  get pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  // Most plugins answer synchronously for most writes: only a returned promise is awaited, so a
  // write does not pay a microtask turn per plugin and phase.
  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) {
      const pending = plugin.admit?.(attrs);
      if (pending) await pending;
    }
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) {
      const pending = plugin.validate?.(attrs);
      if (pending) await pending;
    }
  }
}
