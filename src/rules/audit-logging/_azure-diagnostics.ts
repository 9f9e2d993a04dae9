// Reading Azure diagnostic settings (az monitor diagnostic-settings list items, flattened). Pure.
import type { ObjPath } from '../../core/types.js';
import { boolOf, lookup } from '../../cloud/aks.js';

/** Categories each category group stands for (AKS: audit = kube-audit, kube-audit-admin, guard). */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  audit: ['kube-audit', 'kube-audit-admin', 'guard', 'Administrative', 'Security', 'Policy'],
  alllogs: ['*'],
};

/** Enabled log categories with the path of the entry that enables each; `*` entries expand to `all`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function enabledCategories(spec: any, all: readonly string[] = ['kube-audit', 'kube-audit-admin', 'guard', 'Administrative', 'Security', 'Policy', 'ServiceHealth', 'Alert', 'Recommendation', 'Autoscale', 'ResourceHealth']): Array<{ category: string; path: ObjPath }> {
  const logs = lookup(spec, ['logs']);
  if (!Array.isArray(logs.value)) return [];
  const out: Array<{ category: string; path: ObjPath }> = [];
  logs.value.forEach((l: unknown, i: number) => {
    if (l === null || typeof l !== 'object') return;
    const entry = l as Record<string, unknown>;
    if (boolOf(lookup(entry, ['enabled']).value) !== true) return;
    const path = [...logs.path, i];
    const cat = lookup(entry, ['category']).value;
    if (typeof cat === 'string' && cat !== '') out.push({ category: cat, path });
    const group = lookup(entry, ['categoryGroup']).value;
    if (typeof group === 'string') {
      const members = GROUPS[group.toLowerCase()];
      for (const m of members ?? []) for (const c of m === '*' ? all : [m]) out.push({ category: c, path });
    }
  });
  return out;
}

/** Where the setting sends logs (undefined: nowhere). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function diagnosticDestination(spec: any): string | undefined {
  for (const k of ['workspaceId', 'storageAccountId', 'eventHubAuthorizationRuleId', 'marketplacePartnerId']) {
    const v = lookup(spec, [k]).value;
    if (typeof v === 'string' && v !== '') return k;
  }
  return undefined;
}
