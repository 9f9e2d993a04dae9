// Port and protocol matching shared by the engines.
import type { EvalCtx } from './engine.js';
import type { ContainerPort, Flow, Peer, PodEndpoint, Protocol, Tri } from './types.js';

export function normProtocol(p: unknown, dflt: Protocol | 'ANY' = 'TCP'): Protocol | 'ANY' | undefined {
  if (p === undefined || p === null || p === '') return dflt;
  if (typeof p !== 'string') return undefined;
  const s = p.toUpperCase();
  if (s === 'TCP' || s === 'UDP' || s === 'SCTP' || s === 'ANY') return s;
  return undefined;
}

/** Container ports of the destination of a flow: the subject for ingress, the peer for egress. */
export function destinationPorts(peer: Peer): readonly ContainerPort[] | undefined {
  if (peer.kind === 'pod') return peer.ports;
  if (peer.kind === 'node' && peer.pod) return peer.pod.ports;
  return undefined;
}

/** Resolve a named port on the destination's container ports (matching protocol). */
export function namedPortMatches(name: string, protocol: Protocol | 'ANY', ports: readonly ContainerPort[] | undefined, flow: Flow): boolean {
  if (!ports) return false;
  for (const p of ports) {
    if (p.name !== name) continue;
    if (protocol !== 'ANY' && p.protocol !== protocol) continue;
    if (p.protocol === flow.protocol && p.port === flow.port) return true;
  }
  return false;
}

/**
 * A numeric port with an optional end (inclusive range). When the implementation may ignore
 * endPort, a port inside (port, endPort] is "maybe".
 */
export function portRangeMatches(port: number, endPort: number | undefined, flow: Flow, ctx: EvalCtx): Tri {
  if (flow.port === port) return true;
  if (endPort === undefined || !(endPort > port)) return false;
  if (flow.port < port || flow.port > endPort) return false;
  if (ctx.sem.endPort === true) return true;
  if (ctx.sem.endPort === false) return false;
  return ctx.doubts.maybe('implementation-defined', `endPort ${port}-${endPort}: implementations without endPort support apply port ${port} only`);
}

/** NetworkPolicy `ports` entry (also Calico/ANP-like {protocol, port|name, endPort}). */
export function npPortMatches(entry: unknown, flow: Flow, dstPorts: readonly ContainerPort[] | undefined, ctx: EvalCtx): Tri {
  if (!entry || typeof entry !== 'object') return false;
  const e = entry as { protocol?: unknown; port?: unknown; endPort?: unknown };
  const proto = normProtocol(e.protocol, 'TCP');
  if (!proto || proto === 'ANY') return false;
  if (proto !== flow.protocol) return false;
  if (e.port === undefined || e.port === null) return true;
  if (typeof e.port === 'number') return portRangeMatches(e.port, typeof e.endPort === 'number' ? e.endPort : undefined, flow, ctx);
  if (typeof e.port === 'string') {
    if (/^\d+$/.test(e.port)) return portRangeMatches(Number(e.port), typeof e.endPort === 'number' ? e.endPort : undefined, flow, ctx);
    return namedPortMatches(e.port, proto, dstPorts, flow);
  }
  return false;
}

export function subjectOrPeerPorts(direction: 'egress' | 'ingress', subject: PodEndpoint, peer: Peer): readonly ContainerPort[] | undefined {
  return direction === 'ingress' ? subject.ports : destinationPorts(peer);
}
