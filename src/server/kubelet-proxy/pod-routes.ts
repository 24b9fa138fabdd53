// pods/log, pods/exec, pods/attach and pods/portforward on the resource routes: a GET of log is
// streamed from the kubelet; exec, attach and portforward must be upgrades (WebSocket or
// SPDY, GET or POST) and are tunnelled before @fastify/websocket would answer them itself.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ResourceDef } from '../../registry/types.ts';
import { proxyPodLog, tunnelUpgrade } from './connect.ts';
import type { KubeletClient } from './kubelet-client.ts';
import { connectSubresources, podLocation, type ConnectSubresource } from './pod-location.ts';

type Query = Record<string, string | string[] | undefined>;

export interface PodConnectTarget {
  def: ResourceDef;
  namespace: string;
  name: string;
  subresource: ConnectSubresource;
}

export function isPodConnect(def: ResourceDef, subresource: string | undefined): subresource is ConnectSubresource {
  return def.group === '' && def.plural === 'pods' && subresource !== undefined && connectSubresources.includes(subresource);
}

export function isUpgradeRequest(req: FastifyRequest): boolean {
  return /\bupgrade\b/i.test(String(req.headers.connection ?? '')) && !!req.headers.upgrade;
}

export async function servePodConnect(req: FastifyRequest, reply: FastifyReply, registry: Registry, kubelet: KubeletClient | undefined,
  target: PodConnectTarget): Promise<void> {
  const streaming = target.subresource !== 'log';
  if (streaming && !isUpgradeRequest(req)) throw errors.badRequest('Upgrade request required');
  if (!kubelet) throw new StatusError(503, 'ServiceUnavailable', 'this API server has no kubelet client credentials');
  const location = await podLocation(registry, target.def, target.namespace, target.name, target.subresource, req.query as Query);
  if (!streaming) return proxyPodLog(req, reply, registry, kubelet, target.name, location);
  return tunnelUpgrade(req, reply, registry, kubelet, location);
}
